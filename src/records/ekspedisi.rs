//! The expedition book (buku ekspedisi): every letter sent out, by email
//! (step 9) or by hand, post or courier (step 11), as a table, as CSV, or as
//! a printable PDF (`printed`): deliveries by hand, post or courier in one
//! section with an empty box for the receiver's signature, emails in their
//! own. People are named as workflow.yaml names them.

use super::people;
use super::printed::{Book, Column, Section};
use crate::letter::metadata::{Metadata, Party};
use crate::store::db::{Db, DispatchLine};
use crate::util::timefmt;
use crate::workflow::Workflow;
use anyhow::Result;

/// One line of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The letter's id (for the board: who may see its subject).
    pub letter_id: String,
    /// For the command line: `2026-06-02 10:15 WIB`.
    pub date: String,
    /// For the printed book: `2 Juni 2026 pukul 10.15 WIB`.
    pub date_id: String,
    pub number: String,
    pub subject: String,
    pub addressee: String,
    pub method: String,
    pub sent_by: String,
    pub note: String,
}

impl Line {
    pub fn is_email(&self) -> bool {
        self.method == "email"
    }
}

pub const HEADINGS: [&str; 8] =
    ["No.", "Tanggal", "Nomor Surat", "Perihal", "Tujuan", "Cara Kirim", "Pengirim", "Keterangan"];

/// The book between two WIB dates, inclusive.
pub fn lines(db: &Db, wf: &Workflow, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<Line>> {
    let tz = chrono_tz::Asia::Jakarta;
    use chrono::TimeZone;
    let start = tz.from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap()).unwrap().with_timezone(&chrono::Utc);
    let end = tz
        .from_local_datetime(&to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut out = Vec::new();
    for d in db.dispatches(&timefmt::stored(start), &timefmt::stored(end))? {
        let emailed = if d.method == "email" { Vec::new() } else { emailed(&db.dispatches_of(&d.letter_id)?) };
        out.extend(line(wf, &d, &emailed));
    }
    Ok(out)
}

/// The addresses a letter was sent to by email, from its dispatches.
pub fn emailed(dispatches: &[DispatchLine]) -> Vec<String> {
    dispatches
        .iter()
        .filter(|d| d.method == "email")
        .flat_map(|d| d.recipients.split(',').map(|a| a.trim().to_lowercase()))
        .filter(|a| !a.is_empty())
        .collect()
}

/// A dispatch as the book shows it. A delivery by hand lists the addressees
/// who did not already get the letter by email (`emailed`); one that names
/// no method and leaves no one is not a delivery and has no line. Pure.
pub fn line(wf: &Workflow, d: &DispatchLine, emailed: &[String]) -> Option<Line> {
    let meta: Option<Metadata> = d.metadata.as_deref().and_then(|m| serde_json::from_str(m).ok());
    let addressee = match &meta {
        Some(m) if d.method == "email" => email_names(m, &d.recipients),
        Some(m) => {
            let by_hand: Vec<&Party> = m
                .tujuan
                .iter()
                .filter(|p| !p.email.as_deref().is_some_and(|e| emailed.contains(&e.trim().to_lowercase())))
                .collect();
            if by_hand.is_empty() && d.method == "-" {
                return None;
            }
            let shown = if by_hand.is_empty() { m.tujuan.iter().collect() } else { by_hand };
            shown.iter().map(|p| p.nama.as_str()).collect::<Vec<_>>().join("; ")
        }
        None => d.recipients.clone(),
    };
    let sent_by = d.sent_by.as_deref().map(|by| people::display(wf, by, None)).unwrap_or_default();
    Some(Line {
        letter_id: d.letter_id.clone(),
        date: timefmt::parse_stored(&d.at).map(timefmt::human_wib).unwrap_or_else(|| d.at.clone()),
        date_id: timefmt::parse_stored(&d.at).map(timefmt::moment_id).unwrap_or_else(|| d.at.clone()),
        number: d.number.clone().unwrap_or_else(|| d.letter_id.clone()),
        subject: d.subject.clone(),
        addressee,
        method: d.method.clone(),
        sent_by,
        // An email's note is its Message-ID, for the log, not for the book.
        note: if d.method == "email" { String::new() } else { d.note.clone().unwrap_or_default() },
    })
}

/// `Nama <alamat>` for each address an email went to, named from the
/// letter's addressees and copies where it is one of theirs.
fn email_names(m: &Metadata, recipients: &str) -> String {
    recipients
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            match m
                .tujuan
                .iter()
                .chain(&m.tembusan)
                .find(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(a)))
            {
                Some(p) => format!("{} <{a}>", p.nama),
                None => a.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Cells of a line, in heading order.
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

fn columns(spec: &[(&str, f32)]) -> Vec<Column> {
    spec.iter().map(|(t, w)| Column { title: t.to_string(), width: *w }).collect()
}

/// The book to print: deliveries by hand, post or courier (with an empty
/// box for the receiver's signature), then emails.
pub fn book(office: &str, period: &str, lines: &[Line]) -> Book {
    let (email, hand): (Vec<&Line>, Vec<&Line>) = lines.iter().partition(|l| l.is_email());
    // On paper the date is written as the office writes it.
    let printed = |i: usize, l: &Line| {
        let mut c = cells(i, l);
        c[1] = l.date_id.clone();
        c
    };
    let hand_rows = hand
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut c = printed(i, l);
            c.push(String::new());
            c
        })
        .collect();
    let email_rows = email
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let c = printed(i, l);
            vec![c[0].clone(), c[1].clone(), c[2].clone(), c[3].clone(), c[4].clone(), c[6].clone()]
        })
        .collect();
    Book {
        title: "Buku Ekspedisi Surat Keluar".into(),
        office: office.into(),
        period: period.into(),
        sections: vec![
            Section {
                heading: "A. Diantar melalui kurir, pos, atau langsung".into(),
                columns: columns(&[
                    ("No.", 24.0),
                    ("Tanggal", 62.0),
                    ("Nomor Surat", 104.0),
                    ("Perihal", 134.0),
                    ("Tujuan", 108.0),
                    ("Cara Kirim", 46.0),
                    ("Pengirim", 86.0),
                    ("Keterangan", 98.0),
                    ("Tanda Tangan Penerima", 120.0),
                ]),
                rows: hand_rows,
                empty: "Tidak ada surat yang diantar pada periode ini.".into(),
                min_row: 42.0,
            },
            Section {
                heading: "B. Dikirim melalui email".into(),
                columns: columns(&[
                    ("No.", 24.0),
                    ("Tanggal", 62.0),
                    ("Nomor Surat", 104.0),
                    ("Perihal", 196.0),
                    ("Dikirim ke", 276.0),
                    ("Pengirim", 120.0),
                ]),
                rows: email_rows,
                empty: "Tidak ada surat yang dikirim melalui email pada periode ini.".into(),
                min_row: 0.0,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatch(method: &str, recipients: &str, by: &str, note: Option<&str>) -> DispatchLine {
        let meta = r#"{"perihal":"Undangan","sifat":"B","klasifikasi":"KP.650","tanggal":null,
            "tujuan":[{"nama":"Kepala BPS Kabupaten Kaur","email":"kaur@bps.go.id"},{"nama":"Kepala Dinas Kominfo"}],
            "tembusan":[],"lampiran":null}"#;
        DispatchLine {
            at: "2026-11-24T03:15:00.000Z".into(),
            letter_id: "SK-2026-0001".into(),
            number: Some("B-001/17000/KP.650/2026".into()),
            subject: "Undangan".into(),
            metadata: Some(meta.into()),
            method: method.into(),
            recipients: recipients.into(),
            sent_by: Some(by.into()),
            note: note.map(str::to_string),
        }
    }

    #[test]
    fn the_tables_fit_the_page() {
        for s in book("Kantor", "Periode", &[]).sections {
            let w: f32 = s.columns.iter().map(|c| c.width).sum();
            assert!((w - super::super::printed::WIDTH).abs() < 0.01, "{}: {w}", s.heading);
        }
    }

    #[test]
    fn a_courier_line_leaves_out_who_got_the_letter_by_email() {
        let wf = Workflow::load(None).unwrap().0;
        let mail = dispatch("email", "kaur@bps.go.id", "suratd@localhost", Some("<id@x>"));
        let hand = dispatch(
            "kurir",
            "Kepala BPS Kabupaten Kaur; Kepala Dinas Kominfo",
            "role:bagian_umum",
            Some("diterima: Pak Amir"),
        );
        let e = line(&wf, &mail, &[]).unwrap();
        assert_eq!(e.addressee, "Kepala BPS Kabupaten Kaur <kaur@bps.go.id>");
        assert_eq!((e.sent_by.as_str(), e.note.as_str()), (people::SYSTEM, ""));
        let h = line(&wf, &hand, &emailed(std::slice::from_ref(&mail))).unwrap();
        assert_eq!(h.addressee, "Kepala Dinas Kominfo");
        assert_eq!((h.sent_by.as_str(), h.note.as_str()), ("Bagian Umum", "diterima: Pak Amir"));
        // Moved on with no method named after everyone had it by email: no line.
        let mut all = mail.clone();
        all.recipients = "kaur@bps.go.id".into();
        let none = dispatch("-", "", "role:bagian_umum", None);
        let only_email = r#"{"perihal":"U","sifat":"B","klasifikasi":"KP.650","tanggal":null,"tujuan":[{"nama":"K","email":"kaur@bps.go.id"}],"tembusan":[],"lampiran":null}"#;
        let none = DispatchLine { metadata: Some(only_email.into()), ..none };
        assert_eq!(line(&wf, &none, &emailed(&[all])), None);
    }
}
