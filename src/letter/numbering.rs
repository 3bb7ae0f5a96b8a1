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

/// Whether the period of the sequence a letter dated `date` belongs to is
/// over on `today`: a yearly sequence of an earlier year. Its register is
/// closed, so a letter dated then only ever gets an inserted number.
pub fn closed(scope: Scope, date: NaiveDate, today_year: i32) -> bool {
    scope == Scope::Year && date.year() < today_year
}

/// Whether a sequence's last number is known: numbers suratd gave in it,
/// or the office's last number before suratd (`last_used`). A closed
/// sequence that is not known gives no number: one that clashes with the
/// office's old register is worse than none.
pub fn known(closed: bool, any_issued: bool, last_used: Option<i64>) -> bool {
    !closed || any_issued || last_used.is_some()
}

/// The sequence number and suffix for a letter dated `date`, given the
/// numbers already issued in its sequence and the last number the office
/// used before suratd (`last_used`). A letter dated before the latest one,
/// or in a `closed` sequence (an earlier year), gets an inserted number:
/// the last number on or before its date, with the next free letter suffix
/// (`12` → `12A` → `12B`); a closed sequence with no number at all starts
/// at 1. `None` when the sequence is closed and not [`known`].
pub fn allocate(issued: &[Issued], date: NaiveDate, last_used: Option<i64>, closed: bool) -> Option<(i64, String)> {
    if !known(closed, !issued.is_empty(), last_used) {
        return None;
    }
    let last_used = last_used.unwrap_or(0);
    let top = issued.iter().map(|i| i.seq).max().unwrap_or(0).max(last_used);
    let after_latest = issued.iter().map(|i| i.date).max().is_none_or(|latest| date >= latest);
    if after_latest && (!closed || top == 0) {
        return Some((top + 1, String::new()));
    }
    let base = issued.iter().filter(|i| i.date <= date).map(|i| i.seq).max().unwrap_or(last_used);
    let mut used: Vec<&str> = issued.iter().filter(|i| i.seq == base).map(|i| i.suffix.as_str()).collect();
    used.sort_by_key(|s| (s.len(), s.to_string()));
    let last = used.last().copied().unwrap_or("");
    Some((base, next_suffix(last)))
}

/// `""` → `A`, `A` → `B`, `Z` → `ZA`.
/// Anything else than A–Z (never given by suratd) is followed by `A`.
fn next_suffix(s: &str) -> String {
    match s.chars().last() {
        None => "A".into(),
        Some(c @ 'A'..='Y') => format!("{}{}", &s[..s.len() - 1], (c as u8 + 1) as char),
        Some(_) => format!("{s}A"),
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

    #[test]
    fn a_suffix_suratd_never_gave_is_followed_by_a() {
        assert_eq!(next_suffix("Nota/ü"), "Nota/üA");
        assert_eq!(next_suffix("Y"), "Z");
        assert_eq!(next_suffix("Z"), "ZA");
        assert_eq!(next_suffix(""), "A");
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn issued(seq: i64, suffix: &str, date: &str) -> Issued {
        Issued { seq, suffix: suffix.into(), date: d(date) }
    }

    #[test]
    fn numbers_follow_on_and_continue_an_existing_sequence() {
        assert_eq!(allocate(&[], d("2025-06-02"), None, false), Some((1, "".into())));
        assert_eq!(allocate(&[], d("2025-06-02"), Some(57), false), Some((58, "".into())));
        let i = [issued(58, "", "2025-06-02"), issued(59, "", "2025-06-03")];
        assert_eq!(allocate(&i, d("2025-06-03"), Some(57), false), Some((60, "".into())));
        assert_eq!(allocate(&i, d("2025-06-10"), Some(57), false), Some((60, "".into())));
    }

    #[test]
    fn back_dated_letters_get_inserted_numbers() {
        let mut i = vec![issued(11, "", "2025-05-28"), issued(12, "", "2025-05-30"), issued(13, "", "2025-06-04")];
        assert_eq!(allocate(&i, d("2025-06-02"), None, false), Some((12, "A".into())));
        i.push(issued(12, "A", "2025-06-02"));
        assert_eq!(allocate(&i, d("2025-06-01"), None, false), Some((12, "B".into())));
        // Before every letter of the year: after the office's last number.
        assert_eq!(allocate(&i, d("2025-01-02"), Some(10), false), Some((10, "A".into())));
        assert_eq!(next_suffix("Z"), "ZA");
    }

    #[test]
    fn an_earlier_year_is_closed_and_numbered_only_when_its_last_number_is_known() {
        assert!(closed(Scope::Year, d("2025-12-31"), 2026));
        assert!(!closed(Scope::Year, d("2026-01-01"), 2026));
        assert!(!closed(Scope::All, d("2020-01-01"), 2026), "a sequence that never restarts never closes");
        // Unknown: nothing given in 2025 by suratd, no last_used for 2025.
        assert_eq!(allocate(&[], d("2025-12-20"), None, true), None);
        assert!(!known(true, false, None));
        assert!(known(false, false, None), "the current year starts at 1");
        // The office's last 2025 number: inserted after it, never a new one.
        assert_eq!(allocate(&[], d("2025-12-20"), Some(140), true), Some((140, "A".into())));
        // suratd's own 2025 numbers: after the last on or before its date,
        // even when it is dated after all of them.
        let mut i = vec![issued(141, "", "2025-12-01"), issued(142, "", "2025-12-15")];
        assert_eq!(allocate(&i, d("2025-12-31"), Some(140), true), Some((142, "A".into())));
        assert_eq!(allocate(&i, d("2025-12-10"), None, true), Some((141, "A".into())));
        i.push(issued(142, "A", "2025-12-31"));
        assert_eq!(allocate(&i, d("2025-12-31"), None, true), Some((142, "B".into())));
        // A year the admin says had no number before suratd starts at 1.
        assert_eq!(allocate(&[], d("2025-12-20"), Some(0), true), Some((1, "".into())));
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
