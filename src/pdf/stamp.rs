//! Review stamps: one line of text on the first page of an unsigned draft
//! (number, state, who, when), written as an incremental update so the
//! drafter's bytes stay a prefix of the stamped file. A new stamp replaces
//! suratd's earlier one: it is always applied to the unstamped base. Also
//! writes the invisible keys that let a signed file be matched to its draft.

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, Stream, dictionary};

/// A comment placed between the drafter's bytes and suratd's update; what
/// comes before it is the unstamped base.
const MARKER: &[u8] = b"\n%suratd-stamp\n";
/// Resource names, chosen not to collide with a producer's.
const FONT: &[u8] = b"SuratdF0";

/// Why a file cannot be stamped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error("the PDF has no pages")]
    NoPages,
}

/// A stamped (or keyed) file.
#[derive(Debug, Clone)]
pub struct Stamped {
    pub bytes: Vec<u8>,
    /// The original's cross-reference table was broken, so the update was
    /// written on a repaired copy (the original is then not a prefix).
    pub repaired: bool,
}

/// The unstamped base of a file suratd may have stamped before.
pub fn base_of(bytes: &[u8]) -> &[u8] {
    match bytes.windows(MARKER.len()).rposition(|w| w == MARKER) {
        Some(pos) if ends_with_eof(&bytes[..pos]) => &bytes[..pos],
        _ => bytes,
    }
}

fn ends_with_eof(b: &[u8]) -> bool {
    let t = &b[b.len().saturating_sub(64)..];
    t.windows(5).any(|w| w == b"%%EOF")
}

/// A stamp or keys written as an incremental update, without a copy of the
/// file: the result is the base (the first `prefix` bytes of the input, or
/// the `repaired` copy), the marker, then `tail`. Written out as it is
/// ([`Update::parts`]), a 100 MB PDF is stamped with one copy of it in
/// memory, the one read.
#[derive(Debug, Clone)]
pub struct Update {
    pub prefix: usize,
    /// The original's cross-reference table was broken, so the update was
    /// written on this repaired copy (the original is then not a prefix).
    pub repaired: Option<Vec<u8>>,
    pub tail: Vec<u8>,
}

impl Update {
    /// The stamped file's bytes, in order, given the input it was made from.
    pub fn parts<'a>(&'a self, input: &'a [u8]) -> [&'a [u8]; 3] {
        let base = match &self.repaired {
            Some(r) => r.as_slice(),
            None => &input[..self.prefix],
        };
        [base, MARKER, &self.tail]
    }

    /// The stamped file's length.
    pub fn len(&self) -> usize {
        self.repaired.as_ref().map_or(self.prefix, Vec::len) + MARKER.len() + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The stamped file, whole.
    pub fn stamped(&self, input: &[u8]) -> Stamped {
        Stamped { bytes: self.parts(input).concat(), repaired: self.repaired.is_some() }
    }
}

/// Loads the base for an update: its length and its document; repairs it
/// first when its cross-reference data had to be reconstructed (an update
/// on a broken table is broken too).
fn load_base(bytes: &[u8]) -> Result<(usize, Option<Vec<u8>>, Document), StampError> {
    let base = base_of(bytes);
    // The update never rewrites existing objects' data, so large streams
    // (images, fonts) are not kept in memory while stamping.
    let options = lopdf::LoadOptions::with_filter(drop_large_streams);
    let doc = Document::load_mem_with_options(base, options).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => StampError::Encrypted,
        e => StampError::Unreadable(e.to_string()),
    })?;
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(StampError::Encrypted);
    }
    if doc.xref_recovery.is_some() {
        // A repaired copy is written whole: read it whole.
        let mut repaired = Document::load_mem(base).map_err(|e| StampError::Unreadable(e.to_string()))?;
        let mut out = Vec::new();
        repaired.save_to(&mut out).map_err(|e| StampError::Unreadable(e.to_string()))?;
        let doc = Document::load_mem(&out).map_err(|e| StampError::Unreadable(e.to_string()))?;
        return Ok((out.len(), Some(out), doc));
    }
    Ok((base.len(), None, doc))
}

/// An update on a base of `len` bytes. lopdf writes an update after the
/// bytes it is given and needs only their length and last byte (the
/// marker's newline): it is given a stand-in of zeros, which the tail
/// writer never reads, so the allocator's untouched zero pages (a large
/// allocation is mapped, not written) take no memory.
fn incremental(len: usize, doc: Document) -> IncrementalDocument {
    let mut stand_in = vec![0u8; len + MARKER.len()];
    stand_in[len..].copy_from_slice(MARKER);
    IncrementalDocument::create_from(stand_in, doc)
}

/// Keeps the contents of streams up to this size when loading for a stamp.
const KEEP_STREAM: usize = 256 * 1024;

fn drop_large_streams(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = obj
        && s.content.len() > KEEP_STREAM
        && !s.dict.has_type(b"ObjStm")
        && !s.dict.has_type(b"XRef")
    {
        s.content = Vec::new();
    }
    // lopdf keeps the object as changed in place, or (inside an object
    // stream) the one returned: give both the same.
    Some((id, obj.clone()))
}

/// Writes only what comes after the first `skip` bytes (the base, which
/// the caller already has): the update alone.
struct Tail {
    skip: usize,
    seen: usize,
    out: Vec<u8>,
}

impl std::io::Write for Tail {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let start = self.skip.saturating_sub(self.seen).min(buf.len());
        self.out.extend_from_slice(&buf[start..]);
        self.seen += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The update's bytes (what comes after the base and the marker).
fn finish(mut inc: IncrementalDocument) -> Result<Vec<u8>, StampError> {
    let skip = inc.get_prev_documents_bytes().len();
    let mut tail = Tail { skip, seen: 0, out: Vec::new() };
    inc.save_to(&mut tail).map_err(|e| StampError::Unreadable(e.to_string()))?;
    Ok(tail.out)
}

/// Stamps `text` on the first page, at the top of the page as it is shown
/// (rotation and crop box respected), replacing an earlier suratd stamp.
pub fn stamp(bytes: &[u8], text: &str) -> Result<Stamped, StampError> {
    stamp_update(bytes, text).map(|u| u.stamped(bytes))
}

/// [`stamp`], as an update to write out (see [`Update`]).
pub fn stamp_update(bytes: &[u8], text: &str) -> Result<Update, StampError> {
    let (len, repaired, doc) = load_base(bytes)?;
    let page_id = *doc.get_pages().values().next().ok_or(StampError::NoPages)?;
    let page = doc.get_dictionary(page_id).map_err(|e| StampError::Unreadable(e.to_string()))?;
    let bbox = page_box(&doc, page);
    let rotate = inherited(&doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0).rem_euclid(360);
    let contents = content_refs(&doc, page);

    let mut inc = incremental(len, doc);
    // 8 pt on a letter; smaller on a page too narrow for the whole line.
    let across = if rotate == 90 || rotate == 270 { bbox[3] - bbox[1] } else { bbox[2] - bbox[0] };
    let chars = text.chars().count().clamp(1, 160) as f32;
    let size = (8.0f32).min(across * 0.9 / (0.56 * chars)).max(0.1);
    let begin = inc.new_document.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
    let stamp_ops = stamp_content(text, bbox, rotate, size);
    let end = inc.new_document.add_object(Stream::new(Dictionary::new(), stamp_ops));
    add_font(&mut inc, page_id).map_err(|e| StampError::Unreadable(e.to_string()))?;
    let page = inc
        .new_document
        .get_object_mut(page_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| StampError::Unreadable(e.to_string()))?;
    let mut all: Vec<Object> = vec![Object::Reference(begin)];
    all.extend(contents.into_iter().map(Object::Reference));
    all.push(Object::Reference(end));
    page.set("Contents", Object::Array(all));
    Ok(Update { prefix: len, tail: finish(inc)?, repaired })
}

/// The file with invisible keys in its document information (for matching
/// the signed file to its letter), and no visible stamp.
pub fn with_keys(bytes: &[u8], keys: &[(&str, &str)]) -> Result<Stamped, StampError> {
    keys_update(bytes, keys).map(|u| u.stamped(bytes))
}

/// [`with_keys`], as an update to write out (see [`Update`]).
pub fn keys_update(bytes: &[u8], keys: &[(&str, &str)]) -> Result<Update, StampError> {
    let (len, repaired, doc) = load_base(bytes)?;
    let info_id = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let mut inc = incremental(len, doc);
    let mut info = match info_id {
        Some(id) => inc.get_prev_documents().get_dictionary(id).cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    for (k, v) in keys {
        info.set(k.as_bytes().to_vec(), Object::string_literal(v.as_bytes().to_vec()));
    }
    match info_id {
        Some(id) => inc.new_document.set_object(id, Object::Dictionary(info)),
        None => {
            let id = inc.new_document.add_object(Object::Dictionary(info));
            inc.new_document.trailer.set("Info", Object::Reference(id));
        }
    }
    Ok(Update { prefix: len, tail: finish(inc)?, repaired })
}

/// A key suratd wrote with [`with_keys`], if the file has it.
pub fn read_key(bytes: &[u8], key: &str) -> Option<String> {
    let doc = Document::load_mem(bytes).ok()?;
    let info = doc.trailer.get(b"Info").ok()?;
    let info = match info {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    match info.get(key.as_bytes()).ok()? {
        Object::String(s, _) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// A page attribute, looked up through the page tree (`/Parent`).
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = page;
    for _ in 0..64 {
        if let Ok(v) = dict.get(key) {
            return match v {
                Object::Reference(id) => doc.get_object(*id).ok(),
                v => Some(v),
            };
        }
        let parent = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The visible area: the crop box, else the media box, else A4.
fn page_box(doc: &Document, page: &Dictionary) -> [f32; 4] {
    let read = |key: &[u8]| -> Option<[f32; 4]> {
        let arr = inherited(doc, page, key)?.as_array().ok()?;
        if arr.len() != 4 {
            return None;
        }
        let mut v = [0f32; 4];
        for (i, o) in arr.iter().enumerate() {
            let o = match o {
                Object::Reference(id) => doc.get_object(*id).ok()?,
                o => o,
            };
            v[i] = o.as_float().ok().or_else(|| o.as_i64().ok().map(|n| n as f32))?;
        }
        Some([v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])])
    };
    read(b"CropBox").or_else(|| read(b"MediaBox")).unwrap_or([0.0, 0.0, 595.0, 842.0])
}

/// The page's content streams, in order.
fn content_refs(doc: &Document, page: &Dictionary) -> Vec<ObjectId> {
    match page.get(b"Contents") {
        Ok(Object::Reference(id)) => match doc.get_object(*id) {
            Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
            _ => vec![*id],
        },
        Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
        _ => vec![],
    }
}

/// Adds Helvetica as `/SuratdF0` to the page's resources (a page that
/// inherits its resources gets its own copy; shared dictionaries are copied
/// into the update, never changed in place).
fn add_font(inc: &mut IncrementalDocument, page_id: ObjectId) -> lopdf::Result<()> {
    let font = inc.new_document.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let fonts_ref = {
        let res = inc.get_or_create_resources(page_id)?.as_dict_mut()?;
        if !res.has(b"Font") {
            res.set("Font", Dictionary::new());
        }
        match res.get(b"Font")? {
            Object::Reference(id) => Some(*id),
            _ => None,
        }
    };
    let fonts = match fonts_ref {
        Some(id) => {
            inc.opt_clone_object_to_new_document(id)?;
            inc.new_document.get_object_mut(id)?.as_dict_mut()?
        }
        None => inc.get_or_create_resources(page_id)?.as_dict_mut()?.get_mut(b"Font")?.as_dict_mut()?,
    };
    fonts.set(FONT.to_vec(), Object::Reference(font));
    Ok(())
}

/// The stamp's content stream: closes the `q` that wraps the page's own
/// content, then draws the line in red at the top of the shown page.
fn stamp_content(text: &str, b: [f32; 4], rotate: i64, size: f32) -> Vec<u8> {
    let m = ((b[2] - b[0]).min(b[3] - b[1]) * 0.03).min(14.0);
    let [x0, y0, x1, y1] = b;
    let (a, bb, c, d, e, f) = match rotate {
        90 => (0.0, 1.0, -1.0, 0.0, x0 + m + size, y0 + m),
        180 => (-1.0, 0.0, 0.0, -1.0, x1 - m, y0 + m + size),
        270 => (0.0, -1.0, 1.0, 0.0, x1 - m - size, y1 - m),
        _ => (1.0, 0.0, 0.0, 1.0, x0 + m, y1 - m - size),
    };
    let mut out = Vec::new();
    out.extend_from_slice(b"Q\nq\nBT\n0.75 0 0 rg\n");
    out.extend_from_slice(format!("/SuratdF0 {size:.3} Tf\n{a} {bb} {c} {d} {e:.3} {f:.3} Tm\n(").as_bytes());
    for ch in text.chars().take(160) {
        match ch {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(ch as u8);
            }
            c if (' '..='~').contains(&c) => out.push(c as u8),
            c if ('\u{a0}'..='\u{ff}').contains(&c) => out.push(c as u32 as u8),
            _ => out.push(b'?'),
        }
    }
    out.extend_from_slice(b") Tj\nET\nQ\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_pdf(rotate: i64, inherit: bool, array_contents: bool) -> Vec<u8> {
        use lopdf::dictionary;
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman" });
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let c1 = doc.add_object(Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 700 Td (Isi surat) Tj ET".to_vec()));
        let c2 = doc.add_object(Stream::new(dictionary! {}, b"1 0 0 1 50 50 cm".to_vec()));
        let mut page = dictionary! { "Type" => "Page", "Parent" => pages_id };
        page.set("Contents", if array_contents { Object::Array(vec![c1.into(), c2.into()]) } else { c1.into() });
        if !inherit {
            page.set("Resources", resources);
            page.set("Rotate", rotate);
        }
        let page_id = doc.add_object(page);
        let mut pages = dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "CropBox" => vec![20.into(), 20.into(), 575.into(), 822.into()] };
        if inherit {
            pages.set("Resources", resources);
            pages.set("Rotate", rotate);
        }
        doc.objects.insert(pages_id, Object::Dictionary(pages));
        let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", cat);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn text_of(bytes: &[u8]) -> String {
        let doc = Document::load_mem(bytes).unwrap();
        doc.extract_text(&[1]).unwrap()
    }

    #[test]
    fn stamps_keep_the_original_as_prefix_and_read_back() {
        for (rotate, inherit, arr) in [(0, false, false), (90, true, true), (180, false, true), (270, true, false)] {
            let orig = page_pdf(rotate, inherit, arr);
            let s = stamp(&orig, "DRAF - B-001/17000/KP.650/2026 - didaftarkan").unwrap();
            assert!(!s.repaired);
            assert!(s.bytes.starts_with(&orig), "incremental update");
            let t = text_of(&s.bytes);
            assert!(t.contains("B-001/17000/KP.650/2026"), "{t}");
            assert!(t.contains("Isi surat"), "original content kept: {t}");
            assert_eq!(base_of(&s.bytes), &orig[..]);
        }
    }

    #[test]
    fn a_new_stamp_replaces_the_old_one() {
        let orig = page_pdf(0, false, false);
        let one = stamp(&orig, "DRAF - satu").unwrap().bytes;
        let two = stamp(&one, "DRAF - dua").unwrap().bytes;
        assert!(two.starts_with(&orig));
        let t = text_of(&two);
        assert!(t.contains("dua") && !t.contains("satu"), "{t}");
        assert_eq!(two.windows(MARKER.len()).filter(|w| *w == MARKER).count(), 1);
    }

    #[test]
    fn a_broken_cross_reference_table_is_stamped_on_a_repaired_copy() {
        let mut orig = page_pdf(0, false, false);
        // Point startxref at the wrong place: readers must reconstruct.
        let at = orig.windows(9).rposition(|w| w == b"startxref").unwrap() + 10;
        let end = at + orig[at..].iter().position(|c| *c == b'\n').unwrap();
        orig.splice(at..end, b"17".iter().copied());
        let doc = Document::load_mem(&orig).unwrap();
        assert!(doc.xref_recovery.is_some(), "the test file needs reconstruction");
        let s = stamp(&orig, "DRAF - diperbaiki").unwrap();
        assert!(s.repaired);
        let again = Document::load_mem(&s.bytes).unwrap();
        assert!(again.xref_recovery.is_none(), "the stamped file reads without repair");
        assert!(text_of(&s.bytes).contains("diperbaiki"));
    }

    #[test]
    fn keys_are_invisible_and_readable() {
        let orig = page_pdf(0, false, false);
        let k = with_keys(&orig, &[("SuratdLetter", "SK-2026-0001")]).unwrap().bytes;
        assert!(k.starts_with(&orig));
        assert_eq!(read_key(&k, "SuratdLetter").as_deref(), Some("SK-2026-0001"));
        assert_eq!(text_of(&k), text_of(&orig));
        assert_eq!(read_key(&orig, "SuratdLetter"), None);
    }

    #[test]
    fn special_characters_are_escaped() {
        let c = stamp_content("a (b) \\ é ✓", [0.0, 0.0, 100.0, 100.0], 0, 8.0);
        let want: &[u8] = b"(a \\(b\\) \\\\ \xe9 ?)";
        assert!(c.windows(want.len()).any(|w| w == want), "{}", String::from_utf8_lossy(&c));
    }
}
