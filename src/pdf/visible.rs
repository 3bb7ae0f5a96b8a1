//! Whether a reader of the signed file sees what the copy submitted for
//! signing shows. The text check (`textmatch`) reads the text a PDF
//! carries, drawn or not: text in render mode 3, painted white, clipped
//! away, off the page or covered by a box still counts there. This check
//! compares the pages as drawn (see `render`): every mark of the copy must
//! still be drawn in the signed file, and nothing new may touch it (a
//! stroke that turns a 3 into an 8, a word written over another). New marks
//! in blank space (the portal's QR code, its footer, suratd's review stamp)
//! are allowed, as the text check allows added lines.
//!
//! pdftoppm draws what a screen shows with the default optional content
//! configuration. What other readers or a printer show besides is refused
//! before drawing (see [`unseen_by_renderer`]): optional content that is
//! not simply all on, and annotations that are printed but not shown on screen.

use super::render::{self, Page, RenderError};
use std::collections::HashSet;
use std::time::Duration;

/// A grey value darker than this is a mark (ink).
const INK: u8 = 160;
/// A copy's mark is still there when the signed page, within one pixel,
/// is about as dark (at most this much lighter): a light box laid over a
/// word hides it, whatever is written on the box.
const LIGHTER: u8 = 64;
/// New marks closer than this (pixels, about 1.2 mm at [`render::SIZE`])
/// to a copy's mark touch it.
const NEAR: usize = 8;
/// New marks on a line of the copy (in the rows of its marks, give or take
/// this many pixels) ...
const LINE_ROWS: usize = 2;
/// ... within this many pixels of them sideways (about 2 cm on A4) are
/// added to that line: words after a line's end change what it says.
const LINE_REACH: usize = 135;
/// Marks are judged in square tiles of this many pixels ...
const TILE: usize = 32;
/// ... and a tile with this many lost or touching pixels is a change. Pages
/// drawn from the same content are drawn alike, pixel for pixel, so the
/// limit is low: a full stop made a comma (a few pixels) is a change.
const TILE_LIMIT: u32 = 2;

/// What a reader would see differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Marks of the copy are gone (covered, made invisible, moved).
    Hidden { page: u32, top: u32, left: u32 },
    /// New marks touch the copy's (written over, strokes added).
    Overdrawn { page: u32, top: u32, left: u32 },
    /// The page has another size or shape than the copy's.
    PageSize { page: u32 },
    /// The copy's page is not in the signed file.
    PageMissing { page: u32 },
    /// The signed file has a page after the copy's last.
    PageAdded { page: u32 },
    /// Optional content (layers) that is not simply all on: other readers
    /// and printers switch it by its /AS events and /Usage states, which
    /// pdftoppm does not read.
    OptionalContent,
    /// An annotation printed but not shown on screen (or shown only under
    /// the mouse): pdftoppm draws the screen.
    PrintOnly { page: u32 },
}

impl Change {
    /// What changed, in Indonesian, for the reason file; `top` and `left`
    /// are percentages of the page's height and width.
    pub fn describe(&self) -> String {
        match self {
            Change::Hidden { page, top, left } => format!(
                "pada halaman {page} (sekitar {top}% dari atas, {left}% dari kiri) ada isi salinan yang diajukan \
                 yang tidak tampak di berkas yang ditandatangani (tertutup, disembunyikan atau dipindah)"
            ),
            Change::Overdrawn { page, top, left } => format!(
                "pada halaman {page} (sekitar {top}% dari atas, {left}% dari kiri) isi salinan yang diajukan \
                 ditimpa atau ditambah coretan di berkas yang ditandatangani"
            ),
            Change::PageSize { page } => {
                format!("ukuran halaman {page} berkas yang ditandatangani berbeda dari salinan yang diajukan")
            }
            Change::PageMissing { page } => {
                format!("halaman {page} dari salinan yang diajukan tidak ada di berkas yang ditandatangani")
            }
            Change::PageAdded { page } => format!(
                "berkas yang ditandatangani punya halaman {page}, yang tidak ada di salinan yang diajukan \
                 (halaman tambahan tidak boleh ikut ditandatangani)"
            ),
            Change::OptionalContent => "berkas yang ditandatangani memuat isi opsional (lapisan, /OCProperties) \
                yang dapat disembunyikan atau dimunculkan; pembaca PDF lain dan printer dapat menampilkannya \
                berbeda dari salinan yang diajukan"
                .into(),
            Change::PrintOnly { page } => format!(
                "pada halaman {page} berkas yang ditandatangani ada anotasi yang tercetak tetapi tidak tampak di \
                 layar (/F NoView atau ToggleNoView)"
            ),
        }
    }
}

/// The first change a reader would see between the copy for signing (its
/// unstamped `base`, and the `stamped` copy suratd put out when it has a
/// stamp) and the `signed` file, over the copy's first `pages` pages.
pub fn first_change(
    base: &[u8],
    stamped: Option<&[u8]>,
    signed: &[u8],
    pages: u32,
    limit: Duration,
) -> Result<Option<Change>, RenderError> {
    // Reading the signed file's structure is within the limit too: a
    // hostile one may take any time.
    let started = std::time::Instant::now();
    let owned = signed.to_vec();
    match super::inspect::limited(limit, move || unseen_by_renderer(&owned)) {
        None => return Err(RenderError::TimedOut(limit)),
        Some(None) => {
            return Err(RenderError::Failed { doc: 1, detail: "the PDF reader failed on its structure".into() });
        }
        Some(Some(Some(change))) => return Ok(Some(change)),
        Some(Some(None)) => {}
    }
    let limit = limit.saturating_sub(started.elapsed());
    let docs: Vec<&[u8]> = match stamped {
        Some(s) => vec![base, signed, s],
        None => vec![base, signed],
    };
    render::side_by_side(&docs, pages, limit, |n, p| match (&p[0], &p[1]) {
        (None, None) => None,
        (None, Some(_)) => Some(Change::PageAdded { page: n }),
        (Some(_), None) => Some(Change::PageMissing { page: n }),
        (Some(b), Some(s)) => page_change(n, b, p.get(2).and_then(Option::as_ref), s),
    })
}

/// What the `signed` file shows some readers or a printer that pdftoppm
/// does not draw: optional content that is not simply all on (a group off
/// by default, or switched by /AS events through its /Usage, or an
/// /Intent: Acrobat and PDFium apply those on screen and in print, poppler
/// reads only /D, so what pdftoppm draws need not be what they show), or an
/// annotation on one of its pages with the NoView or ToggleNoView flag and
/// not Hidden (printed, or shown under the mouse, but not drawn here). A
/// file lopdf cannot read is left to the other checks. The copy's own
/// layers are no reason to allow the signed file's: the drafter makes the
/// copy.
pub fn unseen_by_renderer(signed: &[u8]) -> Option<Change> {
    use lopdf::{Document, Object};
    let doc = Document::load_mem(signed).ok()?;
    if let Ok(layers) = doc.catalog().and_then(|c| c.get(b"OCProperties"))
        && Walk::new(&doc).switches(layers, 0)
    {
        return Some(Change::OptionalContent);
    }
    const HIDDEN: i64 = 2;
    const NO_VIEW: i64 = 32;
    const TOGGLE_NO_VIEW: i64 = 256;
    // Pages may share one list of annotations: each list is looked at once.
    let mut lists = HashSet::new();
    for (n, page) in doc.get_pages() {
        let Ok(dict) = doc.get_dictionary(page) else { continue };
        let Ok(list) = dict.get(b"Annots") else { continue };
        if let Object::Reference(id) = list
            && !lists.insert(*id)
        {
            continue;
        }
        let Some(Object::Array(annots)) = deref(&doc, list) else { continue };
        for a in annots {
            let Some(Object::Dictionary(a)) = deref(&doc, a) else { continue };
            let flags = a.get(b"F").ok().and_then(|f| deref(&doc, f)).and_then(|f| f.as_i64().ok()).unwrap_or(0);
            if flags & (NO_VIEW | TOGGLE_NO_VIEW) != 0 && flags & HIDDEN == 0 {
                return Some(Change::PrintOnly { page: n });
            }
        }
    }
    None
}

/// The object `o` is, or refers to (one step, without copying it).
fn deref<'a>(doc: &'a lopdf::Document, o: &'a lopdf::Object) -> Option<&'a lopdf::Object> {
    match o {
        lopdf::Object::Reference(id) => doc.get_object(*id).ok(),
        o => Some(o),
    }
}

/// A walk through optional content properties that looks at each object
/// once and at no more than `left` objects in all, so that references
/// shared many times over (a few objects, 24^10 paths) cannot make it
/// endless.
struct Walk<'a> {
    doc: &'a lopdf::Document,
    seen: HashSet<lopdf::ObjectId>,
    left: u32,
}

impl<'a> Walk<'a> {
    fn new(doc: &'a lopdf::Document) -> Self {
        Walk { doc, seen: HashSet::new(), left: 100_000 }
    }

    /// Whether optional content properties (`o`) may show a group other
    /// than on: an /OFF list, a /BaseState other than /ON, an /Intent, or
    /// a group's /Usage for viewing, printing, zoom and the like (which /AS
    /// events apply), anywhere within. Too deep or too large counts as yes.
    fn switches(&mut self, o: &lopdf::Object, depth: u32) -> bool {
        use lopdf::Object;
        if depth > 12 || self.left == 0 {
            return true;
        }
        self.left -= 1;
        let o = match o {
            // Looked at already: had it switched, the walk would have ended.
            Object::Reference(id) if !self.seen.insert(*id) => return false,
            Object::Reference(id) => match self.doc.get_object(*id) {
                Ok(o) => o,
                Err(_) => return false,
            },
            o => o,
        };
        match o {
            Object::Array(a) => a.iter().any(|x| self.switches(x, depth + 1)),
            Object::Dictionary(d) => d.iter().any(|(k, v)| match k.as_slice() {
                b"OFF" | b"Intent" => true,
                b"BaseState" => v.as_name().map_or(true, |n| n != b"ON"),
                // Usage other than who made it (view, print, export, zoom,
                // language, user) is what the /AS events apply; without it
                // they change nothing (PDF Annotator writes /AS for its one
                // group).
                b"Usage" => match deref(self.doc, v) {
                    Some(Object::Dictionary(u)) => {
                        u.iter().any(|(k, _)| !matches!(k.as_slice(), b"CreatorInfo" | b"PageElement"))
                    }
                    _ => false,
                },
                // Groups are named in lists; their own dictionaries are
                // reached through /OCGs.
                b"ON" | b"Order" | b"RBGroups" | b"Locked" => false,
                _ => self.switches(v, depth + 1),
            }),
            _ => false,
        }
    }
}

/// The first change on one page (`base` the copy's, `stamped` its stamped
/// copy's, `signed` the signed file's), top to bottom.
pub fn page_change(n: u32, base: &Page, stamped: Option<&Page>, signed: &Page) -> Option<Change> {
    if (signed.width, signed.height) != (base.width, base.height) {
        return Some(Change::PageSize { page: n });
    }
    let stamped = stamped.filter(|s| (s.width, s.height) == (base.width, base.height));
    let (w, h) = (base.width, base.height);
    let base_ink = ink(base, INK);
    let near_base = spread(&base_ink, w, h, NEAR, NEAR);
    let on_its_lines = spread(&base_ink, w, h, LINE_REACH, LINE_ROWS);
    let base_close = spread(&base_ink, w, h, 1, 1);
    let signed_darkest = darkest(signed, 1);
    let stamp_close = stamped.map(|s| spread(&ink(s, INK), w, h, 1, 1));
    let (tw, th) = (w.div_ceil(TILE), h.div_ceil(TILE));
    let mut hidden = vec![0u32; tw * th];
    let mut drawn = vec![0u32; tw * th];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let t = (y / TILE) * tw + x / TILE;
            if base_ink[i] && signed_darkest[i] > base.pixels[i].saturating_add(LIGHTER) {
                hidden[t] += 1;
            }
            let new = signed.pixels[i] < INK && !base_close[i] && !stamp_close.as_ref().is_some_and(|s| s[i]);
            if new && (near_base[i] || on_its_lines[i]) {
                drawn[t] += 1;
            }
        }
    }
    let at = |t: usize| ((t / tw * TILE * 100 / h) as u32, ((t % tw) * TILE * 100 / w) as u32);
    (0..tw * th).find(|&t| hidden[t] >= TILE_LIMIT || drawn[t] >= TILE_LIMIT).map(|t| {
        let (top, left) = at(t);
        if hidden[t] >= TILE_LIMIT {
            Change::Hidden { page: n, top, left }
        } else {
            Change::Overdrawn { page: n, top, left }
        }
    })
}

/// Each pixel's darkest neighbour within `r` pixels (a square), row then
/// column.
fn darkest(p: &Page, r: usize) -> Vec<u8> {
    let (w, h) = (p.width, p.height);
    let mut rows = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let row = &p.pixels[y * w + x.saturating_sub(r)..=y * w + (x + r).min(w - 1)];
            rows[y * w + x] = row.iter().copied().min().unwrap_or(255);
        }
    }
    let mut out = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
            out[y * w + x] = (a..=b).map(|yy| rows[yy * w + x]).min().unwrap_or(255);
        }
    }
    out
}

/// Which pixels are darker than `level`.
fn ink(p: &Page, level: u8) -> Vec<bool> {
    p.pixels.iter().map(|&v| v < level).collect()
}

/// `mask` grown by `rx` pixels sideways and `ry` up and down (a
/// rectangle), row then column.
fn spread(mask: &[bool], w: usize, h: usize, rx: usize, ry: usize) -> Vec<bool> {
    let mut rows = vec![false; mask.len()];
    for y in 0..h {
        let row = &mask[y * w..(y + 1) * w];
        let mut last: Option<usize> = None;
        // Nearest set pixel to the left and to the right, in one pass each.
        for x in 0..w {
            if row[x] {
                last = Some(x);
            }
            rows[y * w + x] = last.is_some_and(|l| x - l <= rx);
        }
        last = None;
        for x in (0..w).rev() {
            if row[x] {
                last = Some(x);
            }
            rows[y * w + x] |= last.is_some_and(|l| l - x <= rx);
        }
    }
    let mut out = vec![false; mask.len()];
    for x in 0..w {
        let mut last: Option<usize> = None;
        for y in 0..h {
            if rows[y * w + x] {
                last = Some(y);
            }
            out[y * w + x] = last.is_some_and(|l| y - l <= ry);
        }
        last = None;
        for y in (0..h).rev() {
            if rows[y * w + x] {
                last = Some(y);
            }
            out[y * w + x] |= last.is_some_and(|l| l - y <= ry);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: usize, h: usize) -> Page {
        Page { width: w, height: h, pixels: vec![255; w * h] }
    }

    fn draw(p: &mut Page, x0: usize, y0: usize, x1: usize, y1: usize, v: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                p.pixels[y * p.width + x] = v;
            }
        }
    }

    /// A page with a "line of text": a dark bar at rows 40..44, columns 20..80.
    fn letter() -> Page {
        let mut p = blank(100, 200);
        draw(&mut p, 20, 40, 80, 44, 0);
        p
    }

    #[test]
    fn the_same_page_and_one_with_marks_in_blank_space_show_no_change() {
        let copy = letter();
        assert_eq!(page_change(1, &copy, None, &copy), None);
        let mut signed = letter();
        draw(&mut signed, 10, 150, 60, 190, 0); // a QR code far below
        assert_eq!(page_change(1, &copy, None, &signed), None);
        // Anti-aliasing: the bar drawn a little lighter and one pixel lower.
        let mut shifted = blank(100, 200);
        draw(&mut shifted, 20, 41, 80, 45, 40);
        assert_eq!(page_change(1, &copy, None, &shifted), None);
    }

    #[test]
    fn covered_or_invisible_marks_are_hidden() {
        let copy = letter();
        let mut covered = letter();
        draw(&mut covered, 50, 38, 70, 46, 255); // a white box over a word
        assert_eq!(page_change(1, &copy, None, &covered), Some(Change::Hidden { page: 1, top: 16, left: 32 }));
        let mut light = letter();
        draw(&mut light, 50, 36, 72, 48, 194); // a light box, a word in white on it
        draw(&mut light, 54, 40, 68, 44, 255);
        assert!(matches!(page_change(1, &copy, None, &light), Some(Change::Hidden { .. })));
        let gone = blank(100, 200); // the text drawn in render mode 3
        assert!(matches!(page_change(1, &copy, None, &gone), Some(Change::Hidden { .. })));
    }

    #[test]
    fn strokes_touching_the_copys_marks_are_overdrawn_unless_the_stamp_drew_them() {
        let copy = letter();
        let mut signed = letter();
        draw(&mut signed, 60, 44, 64, 48, 0); // a stroke added under the line
        assert_eq!(page_change(1, &copy, None, &signed), Some(Change::Overdrawn { page: 1, top: 16, left: 32 }));
        let mut stamped = letter();
        draw(&mut stamped, 60, 44, 64, 48, 0); // suratd's stamp drew it
        assert_eq!(page_change(1, &copy, Some(&stamped), &signed), None);
    }

    #[test]
    fn another_page_size_is_a_change() {
        assert_eq!(page_change(3, &letter(), None, &blank(100, 141)), Some(Change::PageSize { page: 3 }));
    }

    #[test]
    fn spread_grows_a_mask_by_a_square() {
        let mut m = vec![false; 25];
        m[12] = true;
        let s = spread(&m, 5, 5, 1, 1);
        let set: Vec<usize> = (0..25).filter(|&i| s[i]).collect();
        assert_eq!(set, [6, 7, 8, 11, 12, 13, 16, 17, 18]);
    }
}
