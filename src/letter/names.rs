//! Letter ids and file names: `SK-2026-0012 Undangan Rapat.pdf`. Ids are
//! short, unique and safe in file names; names are safe on Windows shares.

use regex::Regex;
use std::sync::OnceLock;

/// Longest file name suratd writes, in characters (Windows allows 255; the
/// share path in front of it also counts toward the 260 of old programs).
pub const MAX_NAME_CHARS: usize = 120;

/// A letter id: prefix, year, sequence, e.g. `SK-2026-0012`.
pub fn letter_id(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}-{year}-{seq:04}")
}

/// Finds a letter id (with this prefix) at the start of a file name.
pub fn id_in_name(prefix: &str, file_name: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^\s*([A-Za-z][A-Za-z0-9]{0,7})[-_ ](\d{4})[-_ ](\d{4,6})\b").unwrap());
    let c = re.captures(file_name)?;
    if !c[1].eq_ignore_ascii_case(prefix) {
        return None;
    }
    let year: i32 = c[2].parse().ok()?;
    let seq: i64 = c[3].parse().ok()?;
    Some(letter_id(prefix, year, seq))
}

/// Makes `text` safe as part of a Windows file name: no `\/:*?"<>|` or
/// control characters, no invisible format characters (a right-to-left
/// mark would show a name as another), no leading or trailing dots and
/// spaces, bounded length (in bytes: a file system's limit is in bytes).
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = false;
    for c in text.chars().filter(|c| !is_format_char(*c)) {
        let c =
            if matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { ' ' } else { c };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    let mut trimmed = String::new();
    for c in out.trim_matches(|c: char| c == ' ' || c == '.').chars() {
        if trimmed.len() + c.len_utf8() > max_chars {
            break;
        }
        trimmed.push(c);
    }
    trimmed.trim_end_matches([' ', '.']).to_string()
}

/// Invisible characters that change how text is shown: bidirectional
/// controls, zero-width characters, the byte-order mark.
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

/// The subject a drafter wrote in a file name: the name without extension,
/// without a letter id in front, cleaned for Windows.
pub fn subject_from_name(prefix: &str, file_name: &str) -> String {
    let stem = match file_name.rfind('.') {
        Some(i) if i > 0 => &file_name[..i],
        _ => file_name,
    };
    let stem = match id_in_name(prefix, stem) {
        Some(_) => {
            static RE: OnceLock<Regex> = OnceLock::new();
            let re =
                RE.get_or_init(|| Regex::new(r"^\s*[A-Za-z][A-Za-z0-9]{0,7}[-_ ]\d{4}[-_ ]\d{4,6}\b[\s_-]*").unwrap());
            re.replace(stem, "").into_owned()
        }
        None => stem.to_string(),
    };
    let s = sanitize(&stem, MAX_NAME_CHARS - 20);
    if s.is_empty() { "Tanpa perihal".to_string() } else { s }
}

/// The name suratd gives a letter's file: `ID Perihal.pdf`; a Rahasia
/// letter's (sifat `R`) is its id alone, `ID.pdf`: its subject is in no name
/// on the share (nor in its archive folder, its copies, its reason files).
pub fn letter_file_name(id: &str, subject: &str, sifat: Option<&str>) -> String {
    if sifat == Some("R") {
        return format!("{id}.pdf");
    }
    match sanitize(subject, MAX_NAME_CHARS - id.len() - 5) {
        s if s.is_empty() => format!("{id}.pdf"),
        s => format!("{id} {s}.pdf"),
    }
}

/// A file of a Rahasia letter named by the letter's id alone, keeping the
/// extension of `name` (a safe file name): `SK-2026-0012.pdf`.
pub fn secret_name(id: &str, name: &str) -> String {
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 10 => format!("{id}{}", &name[i..]),
        _ => id.to_string(),
    }
}

/// The file name of a reviewer's note of one round of returns, as the
/// drafter sees it beside the letter: `SK-2026-0012 catatan putaran 2
/// (Ketua Tim).txt`; the highest round is the current one.
pub fn note_file_name(id: &str, round: u32, author: &str) -> String {
    format!("{id} catatan putaran {round} ({}).txt", sanitize(author, 40))
}

/// `name` with ` (n)` before the extension, for a name that is taken.
pub fn numbered(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_string();
    }
    match name.rfind('.') {
        Some(i) if i > 0 => format!("{} ({n}){}", &name[..i], &name[i..]),
        _ => format!("{name} ({n})"),
    }
}

/// A file name that is safe to write on the share, from any name (which may
/// not even be UTF-8 on disk; pass the lossy form).
pub fn safe_file_name(name: &str) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 10 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    let ext = match sanitize(ext.trim_start_matches('.'), 9) {
        e if e.is_empty() => String::new(),
        e => format!(".{e}"),
    };
    let stem = sanitize(stem, MAX_NAME_CHARS - ext.len());
    let stem = if stem.is_empty() { "berkas".to_string() } else { stem };
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_names() {
        let id = letter_id("SK", 2026, 12);
        assert_eq!(id, "SK-2026-0012");
        assert_eq!(id_in_name("SK", "SK-2026-0012 Undangan Rapat.pdf").as_deref(), Some("SK-2026-0012"));
        assert_eq!(id_in_name("SK", "sk_2026_0012 revisi.pdf").as_deref(), Some("SK-2026-0012"));
        assert_eq!(id_in_name("SK", "Undangan SK-2026-0012.pdf"), None);
        assert_eq!(id_in_name("ND", "SK-2026-0012 x.pdf"), None);
        assert_eq!(id_in_name("SK", "SK-2026-00123456 x.pdf"), None);
    }

    #[test]
    fn subjects_and_names_are_windows_safe() {
        assert_eq!(subject_from_name("SK", "KP.650 Undangan: Rapat?.pdf"), "KP.650 Undangan Rapat");
        assert_eq!(subject_from_name("SK", "SK-2026-0003 Undangan.pdf"), "Undangan");
        assert_eq!(subject_from_name("SK", "....pdf"), "Tanpa perihal");
        let long = "a".repeat(500);
        assert!(letter_file_name("SK-2026-0001", &long, None).chars().count() <= MAX_NAME_CHARS);
        assert_eq!(letter_file_name("SK-2026-0001", "Rapat. ", Some("B")), "SK-2026-0001 Rapat.pdf");
        // A Rahasia letter's subject is in no name.
        assert_eq!(letter_file_name("SK-2026-0001", "Hasil Pemeriksaan", Some("R")), "SK-2026-0001.pdf");
        assert_eq!(secret_name("SK-2026-0001", "SK-2026-0001 Hasil Pemeriksaan.pdf"), "SK-2026-0001.pdf");
        assert_eq!(secret_name("SK-2026-0001", "Hasil"), "SK-2026-0001");
        assert_eq!(numbered("a b.pdf", 2), "a b (2).pdf");
        assert_eq!(safe_file_name("x<y>.pdf"), "x y.pdf");
        assert_eq!(safe_file_name("\u{1}"), "berkas");
    }
}
