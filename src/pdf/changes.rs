//! What changed after signing: the signed revision and the final file are
//! compared through the document graph from the trailer's `/Root`, not
//! object by object, so a new catalog, an indirect array or a renumbered
//! object cannot hide a change. Modelled on pyHanko's difference analysis,
//! accepting only its levels NONE and LTA_UPDATES: the catalog may gain
//! validation data (`/DSS`, and the `/Extensions` that announce it), and the
//! form's `/Fields` and a page's `/Annots` may gain document-timestamp fields
//! with invisible widgets. Everything else reachable from the root must be
//! equal; each difference is named in words for people (Indonesian), with
//! where it is (`halaman 1, /Annots[1]`). A visited set and a node budget
//! keep hostile files from looping or exploding; the walk keeps its own
//! stack, not the thread's.

use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{HashMap, HashSet};

/// Objects compared at most (a letter has a few hundred).
const MAX_NODES: usize = 200_000;
/// Differences named at most; one is enough to refuse.
const MAX_FINDINGS: usize = 5;

/// Keys of the catalog that a tool adding validation data may add or
/// change, none of them shown to a reader (as pyHanko's catalog rule): the
/// `/DSS`, the `/Extensions` and `/Version` that announce it, `/MarkInfo`;
/// and `/Metadata` while it stays an XML stream (the XMP's dates).
const CATALOG_ALLOWED: &[&[u8]] = &[b"DSS", b"Extensions", b"Version", b"MarkInfo"];
/// Keys a document-timestamp field may carry; an action (`/A`, `/AA`) or
/// children (`/Kids`) make it something else.
const TIMESTAMP_FIELD_KEYS: &[&[u8]] =
    &[b"Type", b"Subtype", b"FT", b"T", b"TU", b"TM", b"F", b"Ff", b"Rect", b"P", b"V", b"AP", b"MK", b"DA"];

/// The differences between the signed revision `old` and the final file
/// `new` that are more than validation data or document timestamps, as
/// sentences; empty when what a reader sees is what was signed.
pub(crate) fn after_signing(old: &Document, new: &Document) -> Vec<String> {
    compare(old, new, true)
}

/// The differences between a copy `old` and `new`, the same file after a
/// PDF editor's save, that are more than metadata: the document
/// information and the XMP may change (and, as after signing, validation
/// data); annotations, page content, pages and everything else reachable
/// from the root must be equal. Empty when a reader sees the same letter.
pub(crate) fn beyond_metadata(old: &Document, new: &Document) -> Vec<String> {
    compare(old, new, false)
}

/// The graph comparison, with the document information checked or not.
fn compare(old: &Document, new: &Document, with_info: bool) -> Vec<String> {
    let root = |d: &Document| d.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let (Some(old_root), Some(new_root)) = (root(old), root(new)) else {
        return vec!["katalog dokumen (/Root) tidak terbaca".into()];
    };
    if old_root != new_root {
        return vec![format!(
            "katalog dokumen diganti: /Root menunjuk objek baru {} {} R, bukan {} {} R",
            new_root.0, new_root.1, old_root.0, old_root.1
        )];
    }
    let mut walk = Walk::new(old, new);
    walk.seen.insert((old_root, new_root));
    match (old.get_dictionary(old_root), new.get_dictionary(new_root)) {
        (Ok(a), Ok(b)) => {
            walk.catalog(a, b);
            walk.run();
        }
        _ => walk.found.push("katalog dokumen (/Root) bukan kamus".into()),
    }
    if with_info {
        walk.info();
    }
    walk.found
}

/// One step of a path from the root, for the sentence naming a change.
#[derive(Clone)]
enum Seg {
    Key(Vec<u8>),
    Index(usize),
    Page(u32),
}

/// How two objects are compared.
#[derive(Clone, Copy, PartialEq)]
enum Rule {
    /// Equal in what they show.
    Equal,
    /// An array (a page's `/Annots`, the form's `/Fields`) that may gain
    /// document-timestamp fields at its end.
    Growing,
    /// The form: its `/Fields` are `Growing`.
    Form,
}

/// Two objects still to compare, and where they are (an index into the
/// path arena; `NO_PATH` for the catalog itself).
struct Task<'a> {
    x: &'a Object,
    y: &'a Object,
    at: usize,
    rule: Rule,
}

const NO_PATH: usize = usize::MAX;
static NULL: Object = Object::Null;

/// The comparison, with an explicit stack instead of recursion: a long
/// chain (bookmarks, a hostile nest) costs memory in the budget, not stack.
struct Walk<'a> {
    old: &'a Document,
    new: &'a Document,
    /// Pairs of objects (old, new) already compared or being compared.
    seen: HashSet<(ObjectId, ObjectId)>,
    /// The signed revision's pages and their numbers.
    pages: HashMap<ObjectId, u32>,
    todo: Vec<Task<'a>>,
    /// Paths as (parent, step), shared by the tasks.
    paths: Vec<(usize, Seg)>,
    nodes: usize,
    found: Vec<String>,
    /// The budget ran out: stop, the file is refused.
    exhausted: bool,
}

impl<'a> Walk<'a> {
    fn new(old: &'a Document, new: &'a Document) -> Walk<'a> {
        let pages = old.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
        Walk {
            old,
            new,
            seen: HashSet::new(),
            pages,
            todo: Vec::new(),
            paths: Vec::new(),
            nodes: 0,
            found: Vec::new(),
            exhausted: false,
        }
    }

    fn done(&self) -> bool {
        self.exhausted || self.found.len() >= MAX_FINDINGS
    }

    fn child(&mut self, at: usize, seg: Seg) -> usize {
        self.paths.push((at, seg));
        self.paths.len() - 1
    }

    fn path(&self, mut at: usize) -> Vec<Seg> {
        let mut out = Vec::new();
        while at != NO_PATH {
            out.push(self.paths[at].1.clone());
            at = self.paths[at].0;
        }
        out.reverse();
        out
    }

    /// Names a difference at `at`: "halaman 1, /Annots[1]: anotasi ditambahkan".
    fn report(&mut self, at: usize, what: impl FnOnce(&'static str) -> String) {
        if !self.done() {
            let path = self.path(at);
            self.found.push(format!("{}: {}", describe(&path), what(noun(&path))));
        }
    }

    /// Queues the entries of two dictionaries, in order; `growing` names
    /// the key whose array may gain timestamp fields.
    fn entries(&mut self, a: &'a Dictionary, b: &'a Dictionary, at: usize, growing: Option<&[u8]>) {
        let keys = union_keys(a, b);
        for key in keys.into_iter().rev() {
            let (x, y) = (a.get(&key).unwrap_or(&NULL), b.get(&key).unwrap_or(&NULL));
            let rule = if Some(key.as_slice()) == growing { Rule::Growing } else { Rule::Equal };
            let at = self.child(at, Seg::Key(key));
            self.todo.push(Task { x, y, at, rule });
        }
    }

    /// The catalog: equal apart from validation data; the form by its own rule.
    fn catalog(&mut self, a: &'a Dictionary, b: &'a Dictionary) {
        for key in union_keys(a, b).into_iter().rev() {
            let (x, y) = (a.get(&key).unwrap_or(&NULL), b.get(&key).unwrap_or(&NULL));
            if CATALOG_ALLOWED.contains(&key.as_slice()) || key == b"Metadata" && is_xml_stream(self.new, y) {
                continue;
            }
            let rule = if key == b"AcroForm" { Rule::Form } else { Rule::Equal };
            let at = self.child(NO_PATH, Seg::Key(key));
            self.todo.push(Task { x, y, at, rule });
        }
    }

    fn run(&mut self) {
        while let Some(t) = self.todo.pop() {
            if self.done() {
                return;
            }
            self.nodes += 1;
            if self.nodes > MAX_NODES || self.paths.len() > 4 * MAX_NODES {
                self.report(t.at, |_| "struktur terlalu besar untuk diperiksa".into());
                self.exhausted = true;
                return;
            }
            let mut at = t.at;
            if let (Object::Reference(i), Object::Reference(j)) = (t.x, t.y) {
                if !self.seen.insert((*i, *j)) {
                    continue;
                }
                if let Some(n) = self.pages.get(i).copied() {
                    at = self.child(at, Seg::Page(n));
                }
            }
            // A reference the final file names but lopdf could not load (a bad
            // offset, say) is no "nothing": other readers rebuild the table and
            // show it. Only the same dangling reference as before is equal.
            if let Some(j) = dangling(self.new, t.y)
                && dangling(self.old, t.x) != Some(j)
            {
                self.report(at, |n| format!("{n} menunjuk objek {} {} yang tidak dapat dibaca", j.0, j.1));
                continue;
            }
            let (a, b) = (resolve(self.old, t.x), resolve(self.new, t.y));
            match (t.rule, a, b) {
                (Rule::Form, Object::Dictionary(a), Object::Dictionary(b)) => self.entries(a, b, at, Some(b"Fields")),
                (Rule::Growing, Object::Array(_) | Object::Null, Object::Array(b)) => {
                    let a = a.as_array().map(Vec::as_slice).unwrap_or(&[]);
                    self.growing(a, b, at)
                }
                (_, a, b) => self.equal(a, b, at),
            }
        }
    }

    /// Two objects that must show the same.
    fn equal(&mut self, a: &'a Object, b: &'a Object, at: usize) {
        match (a, b) {
            (Object::Dictionary(a), Object::Dictionary(b)) if is_page(a) => self.entries(a, b, at, Some(b"Annots")),
            (Object::Dictionary(a), Object::Dictionary(b)) => self.entries(a, b, at, None),
            (Object::Stream(a), Object::Stream(b)) => {
                if a.content != b.content {
                    self.report(at, |n| format!("{n} berubah (isi stream)"));
                }
                self.entries(&a.dict, &b.dict, at, None);
            }
            (Object::Array(a), Object::Array(b)) if is_flat(a) && is_flat(b) => {
                if a != b {
                    self.report(at, |n| format!("{n} berubah"));
                }
            }
            (Object::Array(a), Object::Array(b)) => {
                if a.len() != b.len() {
                    self.report(at, |n| format!("{n} berubah (jumlah {} menjadi {})", a.len(), b.len()));
                }
                self.pairs(a, b, at);
            }
            (a, b) if a == b => {}
            (Object::Null, _) => self.report(at, |n| format!("{n} ditambahkan")),
            (_, Object::Null) => self.report(at, |n| format!("{n} dihapus")),
            _ => self.report(at, |n| format!("{n} berubah")),
        }
    }

    /// Queues the elements two arrays have in common, in order.
    fn pairs(&mut self, a: &'a [Object], b: &'a [Object], at: usize) {
        for (i, (x, y)) in a.iter().zip(b).enumerate().rev() {
            let at = self.child(at, Seg::Index(i));
            self.todo.push(Task { x, y, at, rule: Rule::Equal });
        }
    }

    /// An array that may only gain document-timestamp fields at its end.
    fn growing(&mut self, a: &'a [Object], b: &'a [Object], at: usize) {
        for i in b.len()..a.len() {
            let at = self.child(at, Seg::Index(i));
            self.report(at, |n| format!("{n} dihapus"));
        }
        for (i, y) in b.iter().enumerate().skip(a.len()) {
            if !is_timestamp_field(self.new, y) {
                let what = added_field(self.new, y);
                let at = self.child(at, Seg::Index(i));
                self.report(at, |n| format!("{} ditambahkan", what.unwrap_or_else(|| n.to_string())));
            }
        }
        self.pairs(a, b, at);
    }

    /// The document information may only get a new date and producer.
    fn info(&mut self) {
        let info = |d: &'a Document| d.trailer.get(b"Info").ok().map(|o| resolve(d, o)).and_then(|o| o.as_dict().ok());
        let (empty_a, empty_b) = (Dictionary::new(), Dictionary::new());
        let (a, b) = (info(self.old).unwrap_or(&empty_a), info(self.new).unwrap_or(&empty_b));
        let changed = union_keys(a, b)
            .into_iter()
            .filter(|k| !matches!(k.as_slice(), b"ModDate" | b"Producer"))
            .any(|k| a.get(&k).ok() != b.get(&k).ok());
        if changed && !self.done() {
            self.found.push("informasi dokumen (/Info) berubah".into());
        }
    }
}

/// The object a reference names when the document does not hold it.
fn dangling(doc: &Document, o: &Object) -> Option<ObjectId> {
    match o {
        Object::Reference(id) if !doc.objects.contains_key(id) => Some(*id),
        _ => None,
    }
}

/// Follows a chain of references (a few at most); a missing object is null.
fn resolve<'d>(doc: &'d Document, mut o: &'d Object) -> &'d Object {
    for _ in 0..8 {
        match o {
            Object::Reference(id) => o = doc.objects.get(id).unwrap_or(&Object::Null),
            _ => return o,
        }
    }
    &Object::Null
}

/// Numbers, names and strings only (a `/Rect`, a `/MediaBox`): one change
/// is named once, not once per element.
fn is_flat(a: &[Object]) -> bool {
    a.iter().all(|o| !matches!(o, Object::Array(_) | Object::Dictionary(_) | Object::Stream(_) | Object::Reference(_)))
}

fn union_keys(a: &Dictionary, b: &Dictionary) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = b.iter().map(|(k, _)| k.clone()).collect();
    keys.extend(a.iter().map(|(k, _)| k.clone()).filter(|k| !b.has(k)));
    keys
}

fn name_of<'d>(d: &'d Dictionary, key: &[u8]) -> Option<&'d [u8]> {
    d.get(key).and_then(Object::as_name).ok()
}

fn is_xml_stream(doc: &Document, o: &Object) -> bool {
    matches!(resolve(doc, o), Object::Stream(s) if name_of(&s.dict, b"Subtype") == Some(b"XML"))
}

fn is_page(d: &Dictionary) -> bool {
    name_of(d, b"Type") == Some(b"Page")
}

/// A field whose value is a document timestamp (RFC 3161) and whose widget
/// shows nothing: a zero-size `/Rect`, or hidden.
fn is_timestamp_field(doc: &Document, o: &Object) -> bool {
    let Ok(f) = resolve(doc, o).as_dict() else { return false };
    if name_of(f, b"FT") != Some(b"Sig") || f.iter().any(|(k, _)| !TIMESTAMP_FIELD_KEYS.contains(&k.as_slice())) {
        return false;
    }
    // The value must be its own object, so the signature check finds and
    // verifies it as a timestamp; a direct dictionary is never checked.
    let Some(v) = f.get(b"V").ok().filter(|v| matches!(v, Object::Reference(_))) else { return false };
    let Ok(v) = resolve(doc, v).as_dict() else { return false };
    let stamp = name_of(v, b"Type") == Some(b"DocTimeStamp") || name_of(v, b"SubFilter") == Some(b"ETSI.RFC3161");
    stamp && v.has(b"ByteRange") && v.has(b"Contents") && invisible(doc, f)
}

fn invisible(doc: &Document, f: &Dictionary) -> bool {
    let flags = f.get(b"F").and_then(Object::as_i64).unwrap_or(0);
    // Hidden; NoView only when it does not print either (Print shows a
    // NoView widget on paper).
    if flags & 2 != 0 || (flags & 32 != 0 && flags & 4 == 0) {
        return true;
    }
    let Ok(Object::Array(r)) = f.get(b"Rect").map(|r| resolve(doc, r)) else { return false };
    let n: Vec<f32> = r.iter().filter_map(|x| x.as_float().ok()).collect();
    matches!(n[..], [x1, y1, x2, y2] if (x2 - x1).abs() < 0.01 || (y2 - y1).abs() < 0.01)
}

/// Names a new field or annotation more closely where it can.
fn added_field(doc: &Document, o: &Object) -> Option<String> {
    let f = resolve(doc, o).as_dict().ok()?;
    match name_of(f, b"FT") {
        Some(b"Sig") if !f.has(b"V") => Some("bidang tanda tangan tanpa nilai".into()),
        Some(b"Sig") => Some("bidang tanda tangan yang bukan stempel waktu dokumen".into()),
        Some(t) => Some(format!("bidang formulir (/{})", String::from_utf8_lossy(t))),
        None => name_of(f, b"Subtype").map(|s| format!("anotasi (/{})", String::from_utf8_lossy(s))),
    }
}

/// Where a change is: the page (if any) and the keys from it.
fn describe(path: &[Seg]) -> String {
    let from = path.iter().rposition(|s| matches!(s, Seg::Page(_)));
    let place = match from.map(|i| &path[i]) {
        Some(Seg::Page(n)) => format!("halaman {n}"),
        _ => "katalog".to_string(),
    };
    let rest: String = path[from.map_or(0, |i| i + 1)..]
        .iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", String::from_utf8_lossy(k)),
            Seg::Index(i) => format!("[{i}]"),
            Seg::Page(_) => String::new(),
        })
        .collect();
    if rest.is_empty() { place } else { format!("{place}, {rest}") }
}

/// What the nearest key that people know by name is.
fn noun(path: &[Seg]) -> &'static str {
    for s in path.iter().rev() {
        match s {
            Seg::Key(k) => {
                if let Some(n) = key_noun(k) {
                    return n;
                }
            }
            Seg::Page(_) => return "halaman",
            Seg::Index(_) => {}
        }
    }
    "isi dokumen"
}

fn key_noun(k: &[u8]) -> Option<&'static str> {
    Some(match k {
        b"Pages" => "susunan halaman",
        b"Kids" => "halaman",
        b"Count" => "jumlah halaman",
        b"Contents" => "isi halaman",
        b"Resources" => "sumber daya halaman",
        b"Font" => "font",
        b"XObject" => "gambar atau objek",
        b"Annots" => "anotasi",
        b"AP" => "tampilan (appearance stream)",
        b"AcroForm" => "formulir",
        b"Fields" => "bidang formulir",
        b"V" => "nilai bidang",
        b"OpenAction" => "aksi saat dokumen dibuka (/OpenAction)",
        b"AA" => "aksi otomatis (/AA)",
        b"A" => "aksi",
        b"Names" => "daftar nama (/Names: JavaScript, lampiran)",
        b"Outlines" => "bookmark (/Outlines)",
        b"MediaBox" | b"CropBox" | b"Rotate" => "ukuran atau putaran halaman",
        b"Metadata" => "metadata",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// A document whose catalog holds `extra` (objects 10.. as given).
    fn doc(extra: Dictionary, objects: Vec<Object>) -> Document {
        let mut d = Document::with_version("1.7");
        for (i, o) in objects.into_iter().enumerate() {
            d.objects.insert((10 + i as u32, 0), o);
        }
        let mut catalog = dictionary! { "Type" => "Catalog" };
        catalog.extend(&extra);
        d.objects.insert((1, 0), Object::Dictionary(catalog));
        d.trailer.set("Root", (1, 0));
        d
    }

    /// Bookmarks as a linked list `n` long, each pointing back at the first.
    fn chain(n: u32, last_title: &str) -> Document {
        let objects = (0..n)
            .map(|i| {
                let mut b = dictionary! { "Title" => Object::string_literal("x"), "Parent" => (10, 0) };
                if i + 1 < n {
                    b.set("Next", (10 + i + 1, 0));
                } else {
                    b.set("Title", Object::string_literal(last_title));
                }
                Object::Dictionary(b)
            })
            .collect();
        doc(dictionary! { "Outlines" => (10, 0) }, objects)
    }

    #[test]
    fn cycles_end_and_equal_graphs_are_equal() {
        assert!(after_signing(&chain(50, "a"), &chain(50, "a")).is_empty());
        let found = after_signing(&chain(50, "a"), &chain(50, "b"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("katalog, /Outlines/Next/Next"), "{found:?}");
        assert!(found[0].ends_with("bookmark (/Outlines) berubah"), "{found:?}");
    }

    #[test]
    fn long_chains_do_not_exhaust_the_stack() {
        // On a test thread's small stack (2 MiB), in a debug build.
        let found = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| after_signing(&chain(20_000, "a"), &chain(20_000, "a")))
            .unwrap()
            .join()
            .unwrap();
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn too_big_is_refused() {
        let found = after_signing(&chain(MAX_NODES as u32 + 10, "a"), &chain(MAX_NODES as u32 + 10, "a"));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("terlalu besar"), "{found:?}");
    }

    #[test]
    fn shared_objects_are_compared_once() {
        // 30 levels of arrays, each holding the next level twice: 2^30 paths.
        let objects = (0..30u32)
            .map(|i| match i {
                29 => Object::Integer(1),
                _ => Object::Array(vec![(11 + i, 0).into(), (11 + i, 0).into()]),
            })
            .collect::<Vec<_>>();
        let a = doc(dictionary! { "Big" => (10, 0) }, objects.clone());
        let b = doc(dictionary! { "Big" => (10, 0) }, objects);
        assert!(after_signing(&a, &b).is_empty());
    }

    #[test]
    fn validation_data_and_a_new_date_are_allowed_a_new_root_is_not() {
        let dss = dictionary! { "DSS" => dictionary! { "Certs" => vec![] }, "Extensions" => dictionary! {} };
        assert!(after_signing(&doc(dictionary! {}, vec![]), &doc(dss, vec![])).is_empty());
        let mut moved = doc(dictionary! {}, vec![]);
        let catalog = moved.objects.remove(&(1, 0)).unwrap();
        moved.objects.insert((2, 0), catalog);
        moved.trailer.set("Root", (2, 0));
        let found = after_signing(&doc(dictionary! {}, vec![]), &moved);
        assert!(found[0].contains("katalog dokumen diganti"), "{found:?}");
        let xmp = |xml: &str| {
            let stream = lopdf::Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xml.into());
            doc(dictionary! { "Metadata" => (10, 0) }, vec![Object::Stream(stream)])
        };
        assert!(after_signing(&xmp("<x:xmpmeta/>"), &xmp("<x:xmpmeta><d/></x:xmpmeta>")).is_empty());
        let not_xml = doc(dictionary! { "Metadata" => (10, 0) }, vec![Object::Integer(1)]);
        assert!(after_signing(&xmp("<x:xmpmeta/>"), &not_xml)[0].contains("katalog, /Metadata: metadata berubah"));
        let no_root = Document::with_version("1.7");
        assert_eq!(after_signing(&no_root, &moved), vec!["katalog dokumen (/Root) tidak terbaca".to_string()]);
    }
}
