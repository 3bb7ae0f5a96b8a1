//! An office's existing register brought in (`suratd import`): its rows
//! read from the CSV (`nomor;tanggal;perihal;tujuan;klasifikasi;sifat;
//! status;berkas`) and what is wrong with them, before anything is written.
//! Numbers are kept exactly as written, whatever their format; only a
//! number used twice or a row whose year cannot be read stops a row. Pure.

use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// The columns, in the order the office's export writes them.
pub const COLUMNS: [&str; 8] = ["nomor", "tanggal", "perihal", "tujuan", "klasifikasi", "sifat", "status", "berkas"];

/// What became of a letter in the old register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Sent: a finished letter, in the archive.
    Terkirim,
    /// Cancelled: its number stays used.
    Batal,
}

/// One row of the register, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The CSV line it came from (the header is line 1).
    pub line: usize,
    pub nomor: String,
    pub tanggal: Option<NaiveDate>,
    pub year: i32,
    pub perihal: String,
    pub tujuan: String,
    pub klasifikasi: String,
    /// `B`, `P` or `R`.
    pub sifat: String,
    pub status: Status,
    /// The PDF's path relative to `--files`, if any.
    pub berkas: Option<String>,
    /// The sequence number and suffix read from the number (`012A` → 12,
    /// `A`), if it has one.
    pub seq: Option<(i64, String)>,
}

/// What is wrong with the register. `stops()` tells whether the row is
/// left out; the others are listed and the row is imported as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The header lacks columns.
    Header(String),
    /// A field that cannot be read (a row that does not parse, a status
    /// or sifat that is none of the known ones).
    Field { line: usize, message: String },
    /// No year in `tanggal` nor in the number.
    NoYear { line: usize, nomor: String },
    /// The number is used twice in the register (or by a letter suratd
    /// registered).
    Duplicate { line: usize, nomor: String, first: String },
    /// The number would sit among or after the numbers suratd itself gave
    /// in its sequence (from `from`: sequence number and date), where new
    /// letters would get it again or skip past it.
    AmongSuratds { line: usize, nomor: String, from: (i64, NaiveDate) },
    /// No sequence number can be read from the number: it is imported as
    /// written but does not count for the year's sequence.
    Malformed { line: usize, nomor: String },
    /// Numbers missing from a year's sequence in the old register.
    Gap { year: i32, missing: Vec<i64> },
    /// The row names a file that is not there (or not a PDF, or outside
    /// `--files`): the letter is imported without it.
    File { line: usize, path: String, why: String },
}

impl Problem {
    /// Whether the row is left out.
    pub fn stops(&self) -> bool {
        matches!(
            self,
            Problem::Header(_)
                | Problem::Field { .. }
                | Problem::NoYear { .. }
                | Problem::Duplicate { .. }
                | Problem::AmongSuratds { .. }
        )
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Problem::Header(m) => write!(f, "header: {m}"),
            Problem::Field { line, message } => write!(f, "line {line}: {message}; the row is left out"),
            Problem::NoYear { line, nomor } => write!(
                f,
                "line {line}: number {nomor:?}: no year in tanggal nor in the number; the row is left out (write tanggal as YYYY-MM-DD)"
            ),
            Problem::Duplicate { line, nomor, first } => {
                write!(f, "line {line}: number {nomor:?} is already used by {first}; the row is left out")
            }
            Problem::AmongSuratds { line, nomor, from: (seq, date) } => write!(
                f,
                "line {line}: number {nomor:?} would sit among the numbers suratd gives (from sequence number {seq}, {date} on); the row is left out (an old number must come before suratd's first)"
            ),
            Problem::Malformed { line, nomor } => write!(
                f,
                "line {line}: no sequence number can be read from {nomor:?}; imported as written, not counted in its year's sequence"
            ),
            Problem::Gap { year, missing } => {
                let shown: Vec<String> = missing.iter().take(20).map(|n| n.to_string()).collect();
                let more = if missing.len() > 20 { format!(" and {} more", missing.len() - 20) } else { String::new() };
                write!(
                    f,
                    "{year}: numbers missing from the old register: {}{more} (imported as it is)",
                    shown.join(", ")
                )
            }
            Problem::File { line, path, why } => {
                write!(f, "line {line}: file {path:?} {why}; the letter is imported without it")
            }
        }
    }
}

/// The sequence number of a number as offices write it: the first run of
/// digits in its first `/`-separated part, with the letters right after it
/// (`B-012A/17000/KP.650/2026` → (12, "A"), `045/BPS/1700/05/2019` → (45, "")).
pub fn seq_of(nomor: &str) -> Option<(i64, String)> {
    let first = nomor.split('/').next()?;
    let start = first.find(|c: char| c.is_ascii_digit())?;
    let rest = &first[start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let suffix: String = rest[digits.len()..].chars().take_while(char::is_ascii_uppercase).collect();
    let tail = &rest[digits.len() + suffix.len()..];
    if digits.len() > 9 || !(tail.is_empty() || tail.starts_with(['-', '.', ' '])) {
        return None;
    }
    Some((digits.parse().ok()?, suffix))
}

/// A year written in the number (a four-digit part from 1945 on).
fn year_in(nomor: &str) -> Option<i32> {
    nomor.split(['/', '-', '.', ' ']).rev().filter_map(|p| p.parse::<i32>().ok()).find(|y| (1945..=2200).contains(y))
}

fn sifat_code(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "" | "b" | "biasa" => Some("B"),
        "p" | "penting" => Some("P"),
        "r" | "rahasia" => Some("R"),
        _ => None,
    }
}

/// Reads one record (fields in `COLUMNS` order, already picked from the
/// header's order).
pub fn row(line: usize, f: &[&str; 8], today: NaiveDate) -> Result<Row, Problem> {
    let field = |m: String| Problem::Field { line, message: m };
    let nomor = f[0].trim().to_string();
    if nomor.is_empty() {
        return Err(field("nomor is empty".into()));
    }
    let tanggal = match f[1].trim() {
        "" => None,
        t => Some(
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| field(format!("tanggal {t:?} is not a date like 2024-03-15")))?,
        ),
    };
    if let Some(d) = tanggal.filter(|d| *d > today) {
        return Err(field(format!("tanggal {d} is in the future")));
    }
    let year =
        tanggal.map(|d| d.year()).or_else(|| year_in(&nomor)).ok_or(Problem::NoYear { line, nomor: nomor.clone() })?;
    if year > today.year() {
        return Err(field(format!("the number {nomor:?} is of {year}, a year still to come")));
    }
    // A number belongs to the year written in it: dated in another, it
    // would sit in that year's sequence and be given again in its own.
    if let (Some(d), Some(y)) = (tanggal, year_in(&nomor))
        && d.year() != y
    {
        return Err(field(format!("tanggal {d} is in {}, the number {nomor:?} in {y}", d.year())));
    }
    let status = match f[6].trim().to_lowercase().as_str() {
        "terkirim" => Status::Terkirim,
        "batal" => Status::Batal,
        other => return Err(field(format!("status {other:?} is neither terkirim nor batal"))),
    };
    let sifat =
        sifat_code(f[5]).ok_or_else(|| field(format!("sifat {:?} is none of Biasa, Penting, Rahasia", f[5])))?;
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Row {
        line,
        seq: seq_of(&nomor),
        nomor,
        tanggal,
        year,
        perihal: one_line(f[2]),
        tujuan: one_line(f[3]),
        klasifikasi: one_line(f[4]),
        sifat: sifat.to_string(),
        status,
        berkas: Some(f[7].trim().to_string()).filter(|b| !b.is_empty()),
    })
}

/// Where each column is in a header row (names case and spaces aside).
pub fn header(names: &[&str]) -> Result<[usize; 8], Problem> {
    let norm: Vec<String> = names.iter().map(|n| n.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
    let mut at = [0usize; 8];
    let mut missing = Vec::new();
    for (i, c) in COLUMNS.iter().enumerate() {
        match norm.iter().position(|n| n == c) {
            Some(p) => at[i] = p,
            None => missing.push(*c),
        }
    }
    // Which of two columns of one name holds the data cannot be told.
    if let Some(twice) = COLUMNS.iter().find(|c| norm.iter().filter(|n| n == c).count() > 1) {
        return Err(Problem::Header(format!("the column {twice} is named twice; keep one")));
    }
    if missing.is_empty() {
        Ok(at)
    } else {
        Err(Problem::Header(format!(
            "missing column(s) {} (the header must name nomor;tanggal;perihal;tujuan;klasifikasi;sifat;status;berkas)",
            missing.join(", ")
        )))
    }
}

/// The numbers already in the database, as `check` compares them.
#[derive(Debug, Default)]
pub struct Taken {
    /// Number, as [`same_number`] writes it → the letter that has it.
    pub numbers: HashMap<String, String>,
    /// (sequence, number, suffix) → the letter that has it.
    pub seqs: HashMap<(String, i64, String), String>,
    /// Sequences suratd itself numbers → its first number there (seq,
    /// date): an old number must come before it.
    pub suratds: HashMap<String, (i64, NaiveDate)>,
}

/// A number as compared for duplicates: case, spaces and invisible
/// characters aside (`b-012 /…` is `B-012/…`).
pub fn same_number(nomor: &str) -> String {
    nomor
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !is_invisible(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Checks the rows together: numbers used twice (in the register, or in
/// `taken`; the same sequence number and suffix counts as the same number,
/// `B-7` and `b-007`), numbers that would sit among or after suratd's own
/// in a sequence it numbers, numbers without a sequence, gaps per year.
/// `scope` names a row's sequence. Returns the rows to import and every
/// problem.
pub fn check(rows: Vec<Row>, taken: &Taken, scope: &dyn Fn(&Row) -> String) -> (Vec<Row>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut first_seq: HashMap<(String, i64, String), usize> = HashMap::new();
    let mut keep = Vec::new();
    for r in rows {
        let (key, s) = (same_number(&r.nomor), scope(&r));
        let seq_key = r.seq.clone().map(|(n, x)| (s.clone(), n, x));
        let dup = |first: String| Problem::Duplicate { line: r.line, nomor: r.nomor.clone(), first };
        if let Some(who) = taken.numbers.get(&key).or_else(|| seq_key.as_ref().and_then(|k| taken.seqs.get(k))) {
            problems.push(dup(who.clone()));
            continue;
        }
        if let Some(l) = first.get(&key).or_else(|| seq_key.as_ref().and_then(|k| first_seq.get(k))) {
            problems.push(dup(format!("line {l}")));
            continue;
        }
        if let (Some((n, _)), Some((theirs, since))) = (&r.seq, taken.suratds.get(&s))
            && (*n >= *theirs || r.tanggal.is_none_or(|d| d >= *since))
        {
            problems.push(Problem::AmongSuratds { line: r.line, nomor: r.nomor.clone(), from: (*theirs, *since) });
            continue;
        }
        first.insert(key, r.line);
        if let Some(k) = seq_key {
            first_seq.insert(k, r.line);
        }
        if r.seq.is_none() {
            problems.push(Problem::Malformed { line: r.line, nomor: r.nomor.clone() });
        }
        keep.push(r);
    }
    problems.extend(gaps(&keep));
    (keep, problems)
}

/// Numbers missing between 1 and the highest of each year.
fn gaps(rows: &[Row]) -> Vec<Problem> {
    let mut by_year: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for r in rows {
        if let Some((n, _)) = &r.seq {
            by_year.entry(r.year).or_default().push(*n);
        }
    }
    by_year
        .into_iter()
        .filter_map(|(year, mut seqs)| {
            seqs.sort_unstable();
            seqs.dedup();
            let top = *seqs.last()?;
            // A register far beyond its rows (a typo like 10045) is not
            // listed number by number.
            let missing: Vec<i64> =
                (1..top.min(1_000_000)).filter(|n| seqs.binary_search(n).is_err()).take(10_000).collect();
            (!missing.is_empty()).then_some(Problem::Gap { year, missing })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(nomor: &'a str, tanggal: &'a str, status: &'a str) -> [&'a str; 8] {
        [nomor, tanggal, "Undangan rapat", "Kepala BPS Kabupaten Kaur", "KP.650", "Biasa", status, ""]
    }

    #[test]
    fn sequence_numbers_are_read_from_numbers_of_every_format() {
        assert_eq!(seq_of("B-012A/17000/KP.650/2026"), Some((12, "A".into())));
        assert_eq!(seq_of("B-140/17000/KP.650/2025"), Some((140, String::new())));
        assert_eq!(seq_of("045/BPS/1700/05/2019"), Some((45, String::new())));
        assert_eq!(seq_of("R-7/17560/HK.200/2023"), Some((7, String::new())));
        assert_eq!(seq_of("Nota Dinas/BPS/2020"), None);
        assert_eq!(seq_of("12x3/a/2020"), None);
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_row_reads_its_year_from_the_date_or_the_number_and_is_refused_without_one() {
        let r = row(2, &fields("B-001/17000/KP.650/2024", "2024-03-15", "terkirim"), today()).unwrap();
        assert_eq!((r.year, r.seq.clone(), r.status), (2024, Some((1, String::new())), Status::Terkirim));
        let r = row(3, &fields("045/BPS/1700/05/2019", "", "Batal"), today()).unwrap();
        assert_eq!((r.year, r.tanggal, r.status), (2019, None, Status::Batal));
        assert!(matches!(row(4, &fields("045/BPS", "", "terkirim"), today()), Err(Problem::NoYear { line: 4, .. })));
        assert!(matches!(
            row(5, &fields("1/2024", "15-03-2024", "terkirim"), today()),
            Err(Problem::Field { line: 5, .. })
        ));
        assert!(matches!(row(6, &fields("1/2024", "", "hilang"), today()), Err(Problem::Field { .. })));
        let mut f = fields("1/2024", "", "terkirim");
        f[5] = "Sangat Rahasia";
        assert!(matches!(row(7, &f, today()), Err(Problem::Field { .. })));
        // A date in the future, a year to come, a date of another year than the number's.
        assert!(matches!(row(8, &fields("B-1/2026", "2026-12-01", "terkirim"), today()), Err(Problem::Field { .. })));
        assert!(matches!(row(9, &fields("B-1/2027", "", "terkirim"), today()), Err(Problem::Field { .. })));
        assert!(matches!(row(10, &fields("B-1/2025", "2024-12-31", "terkirim"), today()), Err(Problem::Field { .. })));
    }

    #[test]
    fn one_sequence_number_is_one_number_and_suratds_own_sequence_is_not_entered() {
        let rows: Vec<Row> = [
            ("B-007/x/2024", "2024-03-01", 2),
            ("R-7/y/2024", "2024-03-01", 3),
            ("b-\u{200b}008/x/2024", "2024-03-01", 4),
            ("B-003/x/2024", "2024-07-01", 5),
        ]
        .iter()
        .map(|(n, d, l)| row(*l, &fields(n, d, "terkirim"), today()).unwrap())
        .collect();
        let since = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let taken = Taken {
            numbers: HashMap::from([(same_number("B-008/x/2024"), "SK-2024-0009".to_string())]),
            suratds: HashMap::from([("2024".to_string(), (100, since))]),
            ..Taken::default()
        };
        let (keep, problems) = check(rows, &taken, &|r| r.year.to_string());
        assert_eq!(keep.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2], "{problems:?}");
        assert!(problems.iter().any(|p| matches!(p, Problem::Duplicate { line: 3, first, .. } if first == "line 2")));
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Duplicate { line: 4, first, .. } if first == "SK-2024-0009"))
        );
        // Numbered before suratd's first, but dated after it.
        assert!(problems.iter().any(|p| matches!(p, Problem::AmongSuratds { line: 5, .. })));
    }

    #[test]
    fn numbers_used_twice_are_left_out_and_gaps_and_malformed_numbers_are_listed() {
        let rows: Vec<Row> = [
            ("B-001/17000/KP.650/2024", 2),
            ("B-002/17000/KP.650/2024", 3),
            ("b-002/17000/kp.650/2024", 4),
            ("B-005/17000/KP.650/2024", 5),
            ("Nota/2024", 6),
            ("B-009/17000/KP.650/2023", 7),
        ]
        .iter()
        .map(|(n, l)| row(*l, &fields(n, "", "terkirim"), today()).unwrap())
        .collect();
        let taken = Taken {
            numbers: HashMap::from([(same_number("B-009/17000/KP.650/2023"), "SK-2023-0001".to_string())]),
            ..Taken::default()
        };
        let (keep, problems) = check(rows, &taken, &|r| r.year.to_string());
        assert_eq!(keep.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 5, 6]);
        assert!(problems.contains(&Problem::Duplicate {
            line: 4,
            nomor: "b-002/17000/kp.650/2024".into(),
            first: "line 3".into()
        }));
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Duplicate { line: 7, first, .. } if first == "SK-2023-0001"))
        );
        assert!(problems.contains(&Problem::Malformed { line: 6, nomor: "Nota/2024".into() }));
        assert!(problems.contains(&Problem::Gap { year: 2024, missing: vec![3, 4] }));
        assert_eq!(problems.iter().filter(|p| p.stops()).count(), 2);
    }

    #[test]
    fn a_column_named_twice_is_a_problem_of_the_header() {
        let names = ["nomor", "tanggal", "perihal", "tujuan", "klasifikasi", "sifat", "status", "berkas", "Nomor "];
        assert!(matches!(header(&names), Err(Problem::Header(m)) if m.contains("nomor is named twice")));
    }

    #[test]
    fn the_header_may_come_in_any_order_with_a_bom_and_must_name_every_column() {
        let at = header(&["\u{feff}Nomor", "tanggal", "perihal", "tujuan", "klasifikasi", "sifat", "berkas", "status"])
            .unwrap();
        assert_eq!(at, [0, 1, 2, 3, 4, 5, 7, 6]);
        let err = header(&["nomor", "tanggal"]).unwrap_err();
        assert!(err.to_string().contains("perihal, tujuan"), "{err}");
    }
}
