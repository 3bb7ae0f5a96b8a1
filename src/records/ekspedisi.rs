//! The expedition book (buku ekspedisi): every letter sent out, by email
//! (step 9) or by hand, post or courier (step 11), as a table, as CSV, or as
//! an A4 landscape PDF with Indonesian headings and an empty column for the
//! receiver's signature, ready to print for the courier.

use crate::store::db::Db;
use crate::util::timefmt;
use anyhow::Result;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// One line of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub date: String,
    pub number: String,
    pub subject: String,
    pub addressee: String,
    pub method: String,
    pub sent_by: String,
    pub note: String,
}

pub const HEADINGS: [&str; 8] =
    ["No.", "Tanggal", "Nomor Surat", "Perihal", "Tujuan", "Cara Kirim", "Pengirim", "Tanda Tangan Penerima"];

/// The book between two WIB dates, inclusive.
pub fn lines(db: &Db, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<Line>> {
    let tz = chrono_tz::Asia::Jakarta;
    use chrono::TimeZone;
    let start = tz.from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap()).unwrap().with_timezone(&chrono::Utc);
    let end = tz
        .from_local_datetime(&to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    Ok(db
        .dispatches(&timefmt::stored(start), &timefmt::stored(end))?
        .into_iter()
        .map(|(at, id, number, subject, method, recipients, by, note)| Line {
            date: timefmt::parse_stored(&at).map(timefmt::human_wib).unwrap_or(at),
            number: number.unwrap_or(id),
            subject,
            addressee: recipients,
            method,
            sent_by: by.unwrap_or_default().trim_start_matches("role:").to_string(),
            note: note.unwrap_or_default(),
        })
        .collect())
}

/// Cells of a line, in heading order (the signature column left empty).
pub fn cells(i: usize, l: &Line) -> Vec<String> {
    vec![
        (i + 1).to_string(),
        l.date.clone(),
        l.number.clone(),
        l.subject.clone(),
        l.addressee.clone(),
        l.method.clone(),
        l.sent_by.clone(),
        l.note.clone(),
    ]
}

/// Text for a PDF string in WinAnsi (Latin-1) encoding.
fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (c as u32) < 256 { c as u8 } else { b'?' }).collect()
}

/// Cuts `s` to what fits in `width` points at `size` (Helvetica, roughly).
fn fit(s: &str, width: f32, size: f32) -> String {
    let max = ((width - 4.0) / (size * 0.5)).max(1.0) as usize;
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(3)).collect::<String>() + "..."
    }
}

/// The book as an A4 landscape PDF.
pub fn pdf(title: &str, period: &str, lines: &[Line]) -> Vec<u8> {
    let (w, h) = (842.0f32, 595.0f32);
    let widths = [24.0f32, 96.0, 120.0, 146.0, 130.0, 56.0, 78.0, 122.0];
    let (left, top, row_h, size) = (30.0f32, 520.0f32, 30.0f32, 8.0f32);
    let per_page = ((top - 40.0) / row_h) as usize - 1;
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font, "F2" => bold } });
    let chunks: Vec<&[Line]> = if lines.is_empty() { vec![&[]] } else { lines.chunks(per_page).collect() };
    let total = chunks.len();
    let mut kids = Vec::new();
    for (p, chunk) in chunks.iter().enumerate() {
        let mut ops = Vec::new();
        let text = |ops: &mut Vec<Operation>, f: &str, sz: f32, x: f32, y: f32, s: &str| {
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec![f.into(), sz.into()]));
            ops.push(Operation::new("Td", vec![x.into(), y.into()]));
            ops.push(Operation::new("Tj", vec![Object::string_literal(latin1(s))]));
            ops.push(Operation::new("ET", vec![]));
        };
        text(&mut ops, "F2", 14.0, left, h - 40.0, title);
        text(&mut ops, "F1", 9.0, left, h - 56.0, &format!("{period}    Halaman {} dari {total}", p + 1));
        let rows = chunk.len() + 1;
        let table_w: f32 = widths.iter().sum();
        ops.push(Operation::new("w", vec![0.5.into()]));
        for r in 0..=rows {
            let y = top - r as f32 * row_h;
            ops.push(Operation::new("m", vec![left.into(), y.into()]));
            ops.push(Operation::new("l", vec![(left + table_w).into(), y.into()]));
        }
        let mut x = left;
        for wd in widths.iter().chain(std::iter::once(&0.0)) {
            ops.push(Operation::new("m", vec![x.into(), top.into()]));
            ops.push(Operation::new("l", vec![x.into(), (top - rows as f32 * row_h).into()]));
            x += wd;
        }
        ops.push(Operation::new("S", vec![]));
        let put_row = |ops: &mut Vec<Operation>, r: usize, cells: &[String], f: &str| {
            let mut x = left;
            for (c, wd) in cells.iter().zip(widths) {
                text(ops, f, size, x + 2.0, top - r as f32 * row_h - 12.0, &fit(c, wd, size));
                x += wd;
            }
        };
        let heads: Vec<String> = HEADINGS.iter().map(|s| s.to_string()).collect();
        put_row(&mut ops, 0, &heads, "F2");
        for (i, l) in chunk.iter().enumerate() {
            let mut c = cells(p * per_page + i, l);
            // The receiver signs in the last column; a note on who received it goes under.
            let note = c.pop().unwrap_or_default();
            c.push(String::new());
            put_row(&mut ops, i + 1, &c, "F1");
            if !note.is_empty() {
                text(&mut ops, "F1", 6.0, left + table_w - widths[7] + 2.0, top - (i + 2) as f32 * row_h + 3.0, &note);
            }
        }
        let content =
            doc.add_object(Stream::new(dictionary! {}, Content { operations: ops }.encode().unwrap_or_default()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
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
    fn the_book_is_a_landscape_table_with_indonesian_headings() {
        let lines: Vec<Line> = (0..30)
            .map(|i| Line {
                date: "2026-11-24 10:15 WIB".into(),
                number: format!("B-{i:03}/17000/KP.650/2026"),
                subject: "Undangan Rapat Koordinasi Statistik Daerah".into(),
                addressee: "Kepala BPS Kabupaten Kaur".into(),
                method: "kurir".into(),
                sent_by: "bagian_umum".into(),
                note: String::new(),
            })
            .collect();
        let bytes = pdf("Buku Ekspedisi", "1-30 November 2026", &lines);
        let doc = Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 2, "30 lines need two pages");
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Tanda Tangan Penerima") && text.contains("B-000/17000/KP.650/2026"), "{text}");
        assert!(fit("abcdefghijklmnopqrstuvwxyz", 40.0, 8.0).ends_with("..."));
    }
}
