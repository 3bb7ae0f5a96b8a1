//! Agenda numbers (nomor surat): which sequence number a new letter gets,
//! including inserted numbers for back-dated letters (`B-012A`), and how a
//! number is written from the workflow's format. Pure; `db` runs it inside
//! the transaction that registers the letter, so numbers never collide.

use chrono::{Datelike, NaiveDate};

/// How long a sequence runs before it restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Restarts at 1 every calendar year (the office's practice).
    Year,
    /// Never restarts.
    All,
}

impl Scope {
    /// The key of the sequence a letter dated `date` belongs to.
    pub fn key(self, date: NaiveDate) -> String {
        match self {
            Scope::Year => date.year().to_string(),
            Scope::All => "all".into(),
        }
    }
}

/// A number already given in a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub seq: i64,
    pub suffix: String,
    pub date: NaiveDate,
}

/// The sequence number and suffix for a letter dated `date`, given the
/// numbers already issued in its sequence and the last number the office
/// used before suratd (`last_used`, 0 if none). A letter dated before the
/// latest one gets an inserted number: the last number on or before its
/// date, with the next free letter suffix (`12` → `12A` → `12B`).
pub fn allocate(issued: &[Issued], date: NaiveDate, last_used: i64) -> (i64, String) {
    let top = issued.iter().map(|i| i.seq).max().unwrap_or(0).max(last_used);
    let latest = issued.iter().map(|i| i.date).max();
    match latest {
        Some(latest) if date < latest => {
            let base = issued.iter().filter(|i| i.date <= date).map(|i| i.seq).max().unwrap_or(last_used);
            let mut used: Vec<&str> = issued.iter().filter(|i| i.seq == base).map(|i| i.suffix.as_str()).collect();
            used.sort_by_key(|s| (s.len(), s.to_string()));
            let last = used.last().copied().unwrap_or("");
            (base, next_suffix(last))
        }
        _ => (top + 1, String::new()),
    }
}

/// `""` → `A`, `A` → `B`, `Z` → `ZA`.
fn next_suffix(s: &str) -> String {
    match s.chars().last() {
        None => "A".into(),
        Some('Z') => format!("{s}A"),
        Some(c) => format!("{}{}", &s[..s.len() - 1], (c as u8 + 1) as char),
    }
}

/// The values a number is written from.
#[derive(Debug, Clone)]
pub struct Parts<'a> {
    pub sifat: &'a str,
    pub seq: i64,
    pub suffix: &'a str,
    pub unit: &'a str,
    pub klasifikasi: &'a str,
    pub date: NaiveDate,
}

/// Writes a number: `{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}` with
/// `seq` 12, suffix `A` → `B-012A/17000/KP.650/2025`. The format was checked
/// when the workflow was loaded.
pub fn format(fmt: &str, p: &Parts) -> String {
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let token = &after[..close];
        let (name, width) = match token.split_once(':') {
            Some((n, w)) => (n, w.trim_start_matches('0').parse::<usize>().unwrap_or(0)),
            None => (token, 0),
        };
        match name {
            "sifat" => out.push_str(p.sifat),
            "seq" => out.push_str(&format!("{:0width$}{}", p.seq, p.suffix)),
            "unit" => out.push_str(p.unit),
            "klasifikasi" => out.push_str(p.klasifikasi),
            "tahun" => out.push_str(&p.date.year().to_string()),
            "bulan" => out.push_str(&format!("{:02}", p.date.month())),
            _ => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn issued(seq: i64, suffix: &str, date: &str) -> Issued {
        Issued { seq, suffix: suffix.into(), date: d(date) }
    }

    #[test]
    fn numbers_follow_on_and_continue_an_existing_sequence() {
        assert_eq!(allocate(&[], d("2025-06-02"), 0), (1, "".into()));
        assert_eq!(allocate(&[], d("2025-06-02"), 57), (58, "".into()));
        let i = [issued(58, "", "2025-06-02"), issued(59, "", "2025-06-03")];
        assert_eq!(allocate(&i, d("2025-06-03"), 57), (60, "".into()));
        assert_eq!(allocate(&i, d("2025-06-10"), 57), (60, "".into()));
    }

    #[test]
    fn back_dated_letters_get_inserted_numbers() {
        let mut i = vec![issued(11, "", "2025-05-28"), issued(12, "", "2025-05-30"), issued(13, "", "2025-06-04")];
        assert_eq!(allocate(&i, d("2025-06-02"), 0), (12, "A".into()));
        i.push(issued(12, "A", "2025-06-02"));
        assert_eq!(allocate(&i, d("2025-06-01"), 0), (12, "B".into()));
        // Before every letter of the year: after the office's last number.
        assert_eq!(allocate(&i, d("2025-01-02"), 10), (10, "A".into()));
        assert_eq!(next_suffix("Z"), "ZA");
    }

    #[test]
    fn numbers_are_written_from_the_format() {
        let p = Parts { sifat: "B", seq: 12, suffix: "", unit: "17000", klasifikasi: "KP.650", date: d("2025-06-02") };
        assert_eq!(format("{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}", &p), "B-012/17000/KP.650/2025");
        let p = Parts { suffix: "A", ..p };
        assert_eq!(format("{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}", &p), "B-012A/17000/KP.650/2025");
        assert_eq!(format("{sifat}-{seq}/{unit}/{bulan}/{tahun}", &p), "B-12A/17000/06/2025");
        assert_eq!(Scope::Year.key(d("2025-06-02")), "2025");
        assert_eq!(Scope::All.key(d("2025-06-02")), "all");
    }
}
