//! A book to print and file (the expedition book, the agenda): A4 landscape
//! pages with a title, sections of tables whose cells wrap at word breaks
//! (a long subject is never cut), the header row again on each page, and
//! the office, the period and "Halaman p dari N" on every page.
//!
//! Text is set in Helvetica, one of the PDF standard fonts every reader and
//! printer carries (Liberation Sans, Nimbus Sans and Arial share its widths),
//! so the file needs no embedded font and wrapping is measured exactly with
//! the font's published widths. Pure: the same book gives the same bytes.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A column: its heading and its width in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: f32,
}

/// One table of the book, under its own heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Printed instead of the table when it has no rows.
    pub empty: String,
    /// The least height of a row (room for a signature), in points.
    pub min_row: f32,
}

/// A whole book.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    pub title: String,
    pub office: String,
    pub period: String,
    pub sections: Vec<Section>,
}

const PAGE: (f32, f32) = (842.0, 595.0);
const MARGIN: f32 = 30.0;
/// The table's usable width (the books' columns add up to it).
#[cfg(test)]
pub const WIDTH: f32 = PAGE.0 - 2.0 * MARGIN;
const TOP: f32 = PAGE.1 - 78.0;
const BOTTOM: f32 = 48.0;
const SIZE: f32 = 8.0;
const LEAD: f32 = SIZE * 1.25;
const PAD: f32 = 3.0;

/// Helvetica and Helvetica-Bold widths (1/1000 em) of ASCII 32..=126.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584,
];

/// The width of `s` in points at `size` (characters outside ASCII counted
/// as wide as the widest letters they could be).
pub fn width(s: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = s
        .chars()
        .map(|c| match c as u32 {
            n @ 32..=126 => table[(n - 32) as usize] as u32,
            _ => 1000,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` broken into lines no wider than `max` points: at spaces, at line
/// breaks written in the text, and inside a word only when the word alone
/// is wider than the line. Nothing is left out.
pub fn wrap(text: &str, max: f32, size: f32, bold: bool) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let joined = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if width(&joined, size, bold) <= max {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                if !line.is_empty() && width(&format!("{line}{c}"), size, bold) > max {
                    out.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Text in the WinAnsi encoding of the standard fonts; what it lacks is `?`.
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 0x80 || (0xA0..0x100).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

/// What a page shows, before the page count is known.
#[derive(Default)]
struct Page {
    ops: Vec<Operation>,
}

impl Page {
    fn text(&mut self, x: f32, y: f32, s: &str, size: f32, bold: bool) {
        let font = if bold { "F2" } else { "F1" };
        self.ops.push(Operation::new("BT", vec![]));
        self.ops.push(Operation::new("Tf", vec![font.into(), size.into()]));
        self.ops.push(Operation::new("Td", vec![x.into(), y.into()]));
        self.ops.push(Operation::new("Tj", vec![Object::string_literal(winansi(s))]));
        self.ops.push(Operation::new("ET", vec![]));
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32)) {
        self.ops.push(Operation::new("m", vec![x1.into(), y1.into()]));
        self.ops.push(Operation::new("l", vec![x2.into(), y2.into()]));
        self.ops.push(Operation::new("S", vec![]));
    }

    /// One band of a table row: `cells[i]` lines in column `i`, borders around.
    fn band(&mut self, top: f32, height: f32, columns: &[Column], cells: &[&[String]], bold: bool) {
        let right = MARGIN + columns.iter().map(|c| c.width).sum::<f32>();
        self.line((MARGIN, top), (right, top));
        self.line((MARGIN, top - height), (right, top - height));
        let mut x = MARGIN;
        for (col, lines) in columns.iter().zip(cells) {
            self.line((x, top), (x, top - height));
            for (i, l) in lines.iter().enumerate() {
                self.text(x + PAD, top - PAD - SIZE - i as f32 * LEAD + 1.0, l, SIZE, bold);
            }
            x += col.width;
        }
        self.line((right, top), (right, top - height));
    }
}

/// Lays the sections out page by page.
struct Layout<'a> {
    book: &'a Book,
    pages: Vec<Page>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new_page(&mut self) {
        let mut p = Page::default();
        p.text(MARGIN, PAGE.1 - 40.0, &self.book.title, 13.0, true);
        p.text(MARGIN, PAGE.1 - 56.0, &format!("{} - {}", self.book.office, self.book.period), 9.0, false);
        self.pages.push(p);
        self.y = TOP;
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page is open")
    }

    fn heading(&mut self, s: &Section, more: bool) {
        let text = if more { format!("{} (lanjutan)", s.heading) } else { s.heading.clone() };
        let y = self.y - 11.0;
        self.page().text(MARGIN, y, &text, 10.0, true);
        self.y -= 18.0;
        let titles: Vec<Vec<String>> =
            s.columns.iter().map(|c| wrap(&c.title, c.width - 2.0 * PAD, SIZE, true)).collect();
        let h = titles.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEAD + 2.0 * PAD;
        let cells: Vec<&[String]> = titles.iter().map(Vec::as_slice).collect();
        let top = self.y;
        self.page().band(top, h, &s.columns, &cells, true);
        self.y -= h;
    }

    /// A row, split over pages only when it is taller than a whole page.
    fn row(&mut self, s: &Section, row: &[String]) {
        let cells: Vec<Vec<String>> = s
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| wrap(row.get(i).map(String::as_str).unwrap_or(""), c.width - 2.0 * PAD, SIZE, false))
            .collect();
        let total = cells.iter().map(Vec::len).max().unwrap_or(1);
        let height = |n: usize| (n as f32 * LEAD + 2.0 * PAD).max(s.min_row);
        if self.y - height(total) < BOTTOM && self.y < TOP - 60.0 {
            self.new_page();
            self.heading(s, true);
        }
        let mut from = 0;
        while from < total {
            let fit = (((self.y - BOTTOM - 2.0 * PAD) / LEAD).floor() as usize).max(1);
            let to = (from + fit).min(total);
            let part: Vec<&[String]> = cells.iter().map(|c| &c[from.min(c.len())..to.min(c.len())]).collect();
            let h = height(to - from);
            let top = self.y;
            self.page().band(top, h, &s.columns, &part, false);
            self.y -= h;
            from = to;
            if from < total {
                self.new_page();
                self.heading(s, true);
            }
        }
    }

    fn section(&mut self, s: &Section) {
        if self.y < TOP && self.y - 80.0 < BOTTOM {
            self.new_page();
        } else if self.y < TOP {
            self.y -= 14.0;
        }
        self.heading(s, false);
        if s.rows.is_empty() {
            let y = self.y - 12.0;
            self.page().text(MARGIN + PAD, y, &s.empty, SIZE, false);
            self.y -= 16.0;
        }
        for row in &s.rows {
            self.row(s, row);
        }
    }
}

/// The book as a PDF.
pub fn pdf(book: &Book) -> Vec<u8> {
    let mut layout = Layout { book, pages: Vec::new(), y: TOP };
    layout.new_page();
    for s in &book.sections {
        layout.section(s);
    }
    let mut pages = layout.pages;
    let total = pages.len();
    for (i, p) in pages.iter_mut().enumerate() {
        p.line((MARGIN, BOTTOM - 10.0), (PAGE.0 - MARGIN, BOTTOM - 10.0));
        p.text(MARGIN, BOTTOM - 22.0, &format!("{} - {}", book.office, book.period), SIZE, false);
        let footer = format!("Halaman {} dari {total}", i + 1);
        p.text(PAGE.0 - MARGIN - width(&footer, SIZE, false), BOTTOM - 22.0, &footer, SIZE, false);
    }
    write(pages)
}

fn write(pages: Vec<Page>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name.to_string(), "Encoding" => "WinAnsiEncoding" };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } });
    let mut kids = Vec::new();
    for p in pages {
        let mut ops = vec![Operation::new("w", vec![0.5.into()])];
        ops.extend(p.ops);
        let content =
            doc.add_object(Stream::new(dictionary! {}, Content { operations: ops }.encode().unwrap_or_default()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE.0.into(), PAGE.1.into()],
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_each_line_fits() {
        let text = "Undangan Rapat Koordinasi Persiapan Sensus Ekonomi 2026 di Provinsi Bengkulu Supercalifragilisticexpialidocious";
        let lines = wrap(text, 60.0, 8.0, false);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, 8.0, false) <= 60.0), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        assert_eq!(wrap("a\nb", 100.0, 8.0, false), ["a", "b"]);
    }

    #[test]
    fn pages_are_counted_on_every_page() {
        let s = Section {
            heading: "Daftar".into(),
            columns: vec![Column { title: "No.".into(), width: 40.0 }, Column { title: "Isi".into(), width: 200.0 }],
            rows: (0..80).map(|i| vec![i.to_string(), "x".into()]).collect(),
            empty: "-".into(),
            min_row: 20.0,
        };
        let book = Book { title: "Buku".into(), office: "Kantor".into(), period: "2026".into(), sections: vec![s] };
        let doc = Document::load_mem(&pdf(&book)).unwrap();
        let n = doc.get_pages().len();
        assert!(n > 1);
        for p in 1..=n as u32 {
            let t = doc.extract_text(&[p]).unwrap();
            assert!(t.contains(&format!("Halaman {p} dari {n}")) && t.contains("Kantor - 2026"), "{t}");
        }
    }
}
