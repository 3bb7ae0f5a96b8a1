//! What a letter is about: subject (perihal), sifat, classification,
//! date, addressees (tujuan) and copies (tembusan). Read from the file name
//! (a pattern in workflow.yaml) and from an optional sidecar YAML beside
//! the PDF, which is untrusted input: it is size-limited, parsed with
//! budgets, and every mistake becomes a plain reason for the drafter.

use crate::letter::reason::Reason;
use crate::util::yaml;
use chrono::NaiveDate;
use regex::Regex;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest sidecar accepted.
pub const MAX_SIDECAR_BYTES: u64 = 64 * 1024;

/// Top-level groups of BPS's archive classification (two letters).
pub const KLASIFIKASI_GROUPS: &[&str] =
    &["PS", "SS", "VS", "KS", "ES", "KU", "KP", "PR", "HK", "OT", "HM", "KA", "RT", "PL", "DL", "PK", "IF", "PW", "TS"];

/// The default file-name pattern: `[KLASIFIKASI ]Perihal`.
pub const DEFAULT_FILENAME_PATTERN: &str = r"^(?:(?P<klasifikasi>[A-Za-z]{2}\.\d{3})[\s_-]+)?(?P<perihal>.+)$";

/// An addressee or a copy recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub nama: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A sidecar as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    pub perihal: Option<String>,
    pub sifat: Option<String>,
    pub klasifikasi: Option<String>,
    pub tanggal: Option<String>,
    #[serde(default)]
    pub tujuan: Vec<PartyItem>,
    #[serde(default)]
    pub tembusan: Vec<PartyItem>,
    pub lampiran: Option<String>,
}

/// `- Kepala BPS Kabupaten Kaur` or `- {nama: ..., email: ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyItem(pub Party);

impl<'de> Deserialize<'de> for PartyItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PartyItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name, or `nama:` with an optional `email:`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PartyItem, E> {
                Ok(PartyItem(Party { nama: v.trim().to_string(), email: None }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<PartyItem, A::Error> {
                let (mut nama, mut email) = (None, None);
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "nama" => nama = Some(m.next_value::<String>()?),
                        "email" => email = Some(m.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["nama", "email"])),
                    }
                }
                let nama = nama.ok_or_else(|| de::Error::missing_field("nama"))?;
                Ok(PartyItem(Party { nama: nama.trim().to_string(), email: email.map(|e| e.trim().to_string()) }))
            }
        }
        d.deserialize_any(V)
    }
}

/// Defaults from workflow.yaml.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub sifat: String,
    pub klasifikasi: Option<String>,
}

/// A letter's metadata, complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub perihal: String,
    /// `B`, `P` or `R`.
    pub sifat: String,
    pub klasifikasi: String,
    /// The letter's date, when the drafter gave one (back-dated letters).
    pub tanggal: Option<NaiveDate>,
    pub tujuan: Vec<Party>,
    pub tembusan: Vec<Party>,
    pub lampiran: Option<String>,
    /// Problems that do not stop the letter (an address that is not one).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Why the metadata is unusable: a reason code and an Indonesian detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: Reason,
    pub detail: String,
}

fn problem(code: Reason, detail: impl Into<String>) -> Problem {
    Problem { code, detail: detail.into() }
}

/// `B`/`Biasa`, `P`/`Penting`, `R`/`Rahasia` → the code.
pub fn sifat_code(s: &str) -> Option<&'static str> {
    match s.trim().to_lowercase().as_str() {
        "b" | "biasa" => Some("B"),
        "p" | "penting" => Some("P"),
        "r" | "rahasia" => Some("R"),
        _ => None,
    }
}

/// `B` → `Biasa`, `P` → `Penting`, `R` → `Rahasia` (other codes as they are).
pub fn sifat_name(code: &str) -> &str {
    match code {
        "B" => "Biasa",
        "P" => "Penting",
        "R" => "Rahasia",
        other => other,
    }
}

/// `kp.650` → `KP.650`, if it is a classification code of a known group.
pub fn klasifikasi_code(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    let b = up.as_bytes();
    let shape = b.len() == 6
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2] == b'.'
        && b[3..].iter().all(u8::is_ascii_digit);
    (shape && KLASIFIKASI_GROUPS.contains(&&up[..2])).then_some(up)
}

/// Splits a file name's stem with the workflow's pattern.
pub fn from_name(pattern: &Regex, stem: &str) -> (Option<String>, Option<String>) {
    match pattern.captures(stem) {
        Some(c) => (
            c.name("klasifikasi").map(|m| m.as_str().to_string()),
            c.name("perihal").map(|m| m.as_str().trim().to_string()).filter(|s| !s.is_empty()),
        ),
        None => (None, Some(stem.trim().to_string()).filter(|s| !s.is_empty())),
    }
}

/// Parses a sidecar's text; the error is a detail for the drafter.
pub fn parse_sidecar(name: &str, text: &str) -> Result<Sidecar, Problem> {
    yaml::parse::<Sidecar>(name, text).map_err(|d| {
        // Input limits (aliases, anchors, nesting) read as "too complex".
        problem(Reason::BadSidecar, format!("baris {} kolom {}: {}", d.line, d.column, yaml_problem(&d.message)))
    })
}

/// The YAML parser's message (English) in words for the drafter: the
/// field it names, never the parser's own text.
fn yaml_problem(message: &str) -> String {
    let quoted = |after: &str| {
        let rest = message.split_once(after)?.1;
        let (name, _) = rest.strip_prefix('`')?.split_once('`')?;
        Some(name.to_string())
    };
    let expected = || {
        let list = message.split_once("expected one of ")?.1;
        Some(list.split(", ").map(|f| f.trim_matches('`')).collect::<Vec<_>>().join(", "))
    };
    if message.contains("budget breached") || message.contains("recursion limit") || message.contains("limit") {
        "terlalu rumit untuk berkas data surat (terlalu banyak tingkat, alias, atau isi)".into()
    } else if let Some(field) = quoted("unknown field ") {
        match expected() {
            Some(known) => format!("kolom \"{field}\" tidak dikenal; kolom yang dikenal: {known}"),
            None => format!("kolom \"{field}\" tidak dikenal"),
        }
    } else if let Some(field) = quoted("missing field ") {
        format!("kolom \"{field}\" wajib diisi")
    } else if let Some(field) = quoted("duplicate field ") {
        format!("kolom \"{field}\" ditulis lebih dari sekali")
    } else if message.contains("duplicate") {
        "ada kolom yang ditulis lebih dari sekali".into()
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "isi kolom tidak sesuai jenisnya (misalnya daftar di tempat teks, atau sebaliknya)".into()
    } else {
        "penulisan berkas data surat tidak sesuai format YAML (periksa titik dua, tanda kutip, dan indentasi)".into()
    }
}

/// Untrusted text as one line: control characters (line breaks, terminal
/// escape sequences) and the Unicode line and paragraph separators become
/// spaces, and the ends are trimmed.
fn one_line(text: &str) -> String {
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    text.chars().map(|c| if breaks(c) { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// Combines file name, sidecar and defaults into complete metadata.
pub fn combine(
    name: (Option<String>, Option<String>),
    sidecar: Option<Sidecar>,
    defaults: &Defaults,
    today: NaiveDate,
) -> Result<Metadata, Problem> {
    let sc = sidecar.unwrap_or_default();
    let perihal = sc
        .perihal
        .map(|p| one_line(&p))
        .filter(|p| !p.is_empty())
        .or(name.1)
        .ok_or_else(|| problem(Reason::BadSidecar, "perihal kosong"))?;
    if perihal.chars().count() > 300 {
        return Err(problem(Reason::BadSidecar, "perihal lebih dari 300 huruf"));
    }
    let sifat_text = sc.sifat.unwrap_or_else(|| defaults.sifat.clone());
    let sifat = sifat_code(&sifat_text).ok_or_else(|| {
        problem(
            Reason::BadSidecar,
            format!("sifat {sifat_text:?} tidak dikenal; gunakan Biasa (B), Penting (P) atau Rahasia (R)"),
        )
    })?;
    let klas_text = sc.klasifikasi.or(name.0).or_else(|| defaults.klasifikasi.clone());
    let klasifikasi = match klas_text {
        None => return Err(problem(Reason::NoKlasifikasi, "")),
        Some(k) => klasifikasi_code(&k).ok_or_else(|| {
            problem(
                Reason::BadSidecar,
                format!("kode klasifikasi {k:?} tidak dikenal; contoh yang benar: KP.650, HM.340, KA.110"),
            )
        })?,
    };
    let tanggal = match sc.tanggal {
        None => None,
        Some(t) => {
            let d = NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
                problem(Reason::BadSidecar, format!("tanggal {t:?} harus ditulis TTTT-BB-HH, misalnya 2025-06-02"))
            })?;
            if d > today {
                return Err(problem(
                    Reason::BadSidecar,
                    format!(
                        "tanggal {d} belum tiba; nomor surat diberikan menurut tanggalnya, jadi tulis tanggal hari ini atau yang sudah lewat, atau hapus baris tanggal"
                    ),
                ));
            }
            Some(d)
        }
    };
    let mut warnings = Vec::new();
    let mut parties = |items: Vec<PartyItem>, what: &str| -> Vec<Party> {
        items
            .into_iter()
            .map(|PartyItem(mut p)| {
                p.nama = one_line(&p.nama);
                if let Some(e) = &p.email
                    && email_problem(e).is_some()
                {
                    warnings.push(format!("alamat email {what} {:?} ({}) tidak sah dan diabaikan", e, p.nama));
                    p.email = None;
                }
                p
            })
            .filter(|p| !p.nama.is_empty())
            .collect()
    };
    let tujuan = parties(sc.tujuan, "tujuan");
    let tembusan = parties(sc.tembusan, "tembusan");
    Ok(Metadata {
        perihal,
        sifat: sifat.to_string(),
        klasifikasi,
        tanggal,
        tujuan,
        tembusan,
        lampiran: sc.lampiran.map(|l| one_line(&l)),
        warnings,
    })
}

/// Which sidecar amends a registered letter, and so what it may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amending {
    /// A corrected draft's sidecar (the letter may be past an approval):
    /// the addressees and the enclosure only.
    Correction,
    /// A sidecar that came alone after its draft was registered, while the
    /// letter has not passed its first review: the subject too.
    Late,
}

/// A registered letter's metadata with a sidecar that amends it: the
/// addressees (`tujuan`, `tembusan`) and the enclosure as the sidecar lists
/// them now, and for a late sidecar the subject (`perihal`). What the
/// number was made from (`sifat`, `klasifikasi`, `tanggal`) cannot change
/// (nor, with a correction, the subject the name was made from): a sidecar
/// that changes them is refused, a late one with `sidecar_fixed_field`
/// (cancel the letter and draft it again).
pub fn amend(current: &Metadata, sc: Sidecar, today: NaiveDate, how: Amending) -> Result<Metadata, Problem> {
    let keep_date = sc.tanggal.is_none();
    let defaults = Defaults { sifat: current.sifat.clone(), klasifikasi: Some(current.klasifikasi.clone()) };
    let mut m = combine((None, Some(current.perihal.clone())), Some(sc), &defaults, today)?;
    if keep_date {
        m.tanggal = current.tanggal;
    }
    let changed: Vec<&str> = [
        ("perihal", how == Amending::Correction && m.perihal != current.perihal),
        ("sifat", m.sifat != current.sifat),
        ("klasifikasi", m.klasifikasi != current.klasifikasi),
        ("tanggal", m.tanggal != current.tanggal),
    ]
    .into_iter()
    .filter_map(|(k, c)| c.then_some(k))
    .collect();
    if changed.is_empty() {
        return Ok(m);
    }
    Err(match how {
        Amending::Correction => problem(
            Reason::BadSidecar,
            format!(
                "{} tidak dapat diubah setelah surat terdaftar dan bernomor (yang dapat diubah: tujuan, tembusan, lampiran)",
                changed.join(", ")
            ),
        ),
        Amending::Late => problem(Reason::SidecarFixedField, changed.join(", ")),
    })
}

/// Why `addr` is not a usable email address, if it is not.
pub fn email_problem(addr: &str) -> Option<String> {
    let ok = addr.len() <= 254
        && !addr.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        && addr.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@')
        });
    (!ok).then(|| format!("{addr:?} is not an email address like nama@bps.go.id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-06-10".parse().unwrap()
    }

    fn pat() -> Regex {
        Regex::new(DEFAULT_FILENAME_PATTERN).unwrap()
    }

    fn defaults() -> Defaults {
        Defaults { sifat: "B".into(), klasifikasi: None }
    }

    /// A sidecar's perihal or addressee with Unicode line or paragraph
    /// separators (U+2028, U+2029: not control characters, but a line
    /// break to many mail readers and editors): an email's "Perihal :" line
    /// went on with lines of the sidecar's own ("Lokasi berkas : \\\\…").
    #[test]
    fn attack_unicode_line_separators_in_a_sidecar_forge_lines() {
        let sc = parse_sidecar(
            "x.yaml",
            "perihal: \"Undangan\\u2028Lokasi berkas  : x\"\nklasifikasi: KP.650\ntujuan:\n  - \"Kaur\\u2029Tembusan : y\"\nlampiran: \"1\\u2028berkas\"\n",
        )
        .unwrap();
        let m = combine((None, None), Some(sc), &defaults(), today()).unwrap();
        for text in [&m.perihal, &m.tujuan[0].nama, m.lampiran.as_ref().unwrap()] {
            assert!(!text.contains(['\u{2028}', '\u{2029}']), "{text:?}");
        }
    }

    #[test]
    fn file_name_gives_classification_and_subject() {
        assert_eq!(from_name(&pat(), "KP.650 Undangan Rapat"), (Some("KP.650".into()), Some("Undangan Rapat".into())));
        assert_eq!(from_name(&pat(), "Undangan Rapat"), (None, Some("Undangan Rapat".into())));
        let m = combine(from_name(&pat(), "kp.650 Undangan"), None, &defaults(), today()).unwrap();
        assert_eq!((m.klasifikasi.as_str(), m.sifat.as_str(), m.perihal.as_str()), ("KP.650", "B", "Undangan"));
    }

    #[test]
    fn a_sidecar_overrides_and_adds() {
        let sc = parse_sidecar(
            "x.yaml",
            "perihal: Undangan Rapat Koordinasi\nsifat: Penting\nklasifikasi: HM.340\ntanggal: 2026-06-01\ntujuan:\n  - Kepala BPS Kabupaten Kaur\n  - nama: Dinas Kominfo\n    email: kominfo@bengkuluprov.go.id\ntembusan:\n  - nama: Arsip\n    email: bukan-email\n",
        )
        .unwrap();
        let m = combine(from_name(&pat(), "KP.650 Draf"), Some(sc), &defaults(), today()).unwrap();
        assert_eq!(m.perihal, "Undangan Rapat Koordinasi");
        assert_eq!(m.sifat, "P");
        assert_eq!(m.klasifikasi, "HM.340");
        assert_eq!(m.tanggal, Some("2026-06-01".parse().unwrap()));
        assert_eq!(m.tujuan.len(), 2);
        assert_eq!(m.tujuan[1].email.as_deref(), Some("kominfo@bengkuluprov.go.id"));
        assert_eq!(m.tembusan[0].email, None, "a bad address is dropped, not fatal");
        assert_eq!(m.warnings.len(), 1);
    }

    #[test]
    fn sidecar_mistakes_become_plain_reasons() {
        let e = parse_sidecar("x.yaml", "perihal: a\nsifatt: B\n").unwrap_err();
        assert_eq!(e.code, "bad_sidecar");
        assert!(e.detail.starts_with("baris 2 kolom 1:"), "{}", e.detail);
        let e = parse_sidecar("x.yaml", "tujuan:\n  - nama: a\n    alamat: b\n").unwrap_err();
        assert!(e.detail.contains("alamat"), "{}", e.detail);
        let bad = |y: &str| {
            combine((None, Some("X".into())), Some(parse_sidecar("x", y).unwrap()), &defaults(), today()).unwrap_err()
        };
        assert!(bad("sifat: Sangat Rahasia\nklasifikasi: KP.650\n").detail.contains("sifat"));
        assert!(bad("klasifikasi: XX.999\n").detail.contains("klasifikasi"));
        assert!(bad("klasifikasi: KP.650\ntanggal: 02/06/2026\n").detail.contains("TTTT-BB-HH"));
        assert!(bad("klasifikasi: KP.650\ntanggal: 2030-01-01\n").detail.contains("belum tiba"));
        let e = combine((None, Some("X".into())), None, &defaults(), today()).unwrap_err();
        assert_eq!(e.code, "no_klasifikasi");
        // Anchors and aliases are limited (a "billion laughs" sidecar).
        let mut bomb = String::from("perihal: &a Undangan\nklasifikasi: KP.650\ntujuan:\n");
        for _ in 0..100 {
            bomb.push_str("  - *a\n");
        }
        let e = parse_sidecar("x", &bomb).unwrap_err();
        assert!(e.detail.to_lowercase().contains("alias") || e.detail.contains("budget"), "{}", e.detail);
    }

    #[test]
    fn a_corrected_drafts_sidecar_changes_the_addressees_only() {
        let sc = parse_sidecar("x.yaml", "klasifikasi: HM.340\ntanggal: 2026-06-01\ntujuan:\n  - Kaur\n").unwrap();
        let current = combine((None, Some("Undangan".into())), Some(sc), &defaults(), today()).unwrap();
        let sc = parse_sidecar(
            "x.yaml",
            "tujuan:\n  - nama: Kaur\n    email: kaur@bps.go.id\ntembusan:\n  - Arsip\nlampiran: 2 berkas\n",
        )
        .unwrap();
        let m = amend(&current, sc, today(), Amending::Correction).unwrap();
        assert_eq!(m.tujuan, vec![Party { nama: "Kaur".into(), email: Some("kaur@bps.go.id".into()) }]);
        assert_eq!(m.tembusan.len(), 1);
        assert_eq!(m.lampiran.as_deref(), Some("2 berkas"));
        assert_eq!((m.klasifikasi.as_str(), m.tanggal, m.perihal.as_str()), ("HM.340", current.tanggal, "Undangan"));
        // The same values again are no change; other ones are refused.
        let same = parse_sidecar("x.yaml", "perihal: Undangan\nsifat: Biasa\nklasifikasi: hm.340\n").unwrap();
        assert!(amend(&current, same, today(), Amending::Correction).is_ok());
        let other = parse_sidecar("x.yaml", "sifat: Penting\nklasifikasi: KP.650\n").unwrap();
        let e = amend(&current, other, today(), Amending::Correction).unwrap_err();
        assert_eq!(e.code, Reason::BadSidecar);
        assert!(e.detail.starts_with("sifat, klasifikasi tidak dapat diubah"), "{}", e.detail);
    }

    #[test]
    fn a_late_sidecar_may_change_the_subject_but_not_what_the_number_was_made_from() {
        let sc = parse_sidecar("x.yaml", "klasifikasi: HM.340\ntanggal: 2026-06-01\n").unwrap();
        let current = combine((None, Some("Undangan".into())), Some(sc), &defaults(), today()).unwrap();
        let late = parse_sidecar("x.yaml", "perihal: Undangan Rapat Koordinasi\ntujuan:\n  - Kaur\n").unwrap();
        let m = amend(&current, late, today(), Amending::Late).unwrap();
        assert_eq!((m.perihal.as_str(), m.tujuan.len()), ("Undangan Rapat Koordinasi", 1));
        assert_eq!((m.klasifikasi.as_str(), m.tanggal), ("HM.340", current.tanggal));
        // The same subject change from a corrected draft is refused.
        let again = parse_sidecar("x.yaml", "perihal: Undangan Rapat Koordinasi\n").unwrap();
        assert_eq!(amend(&current, again, today(), Amending::Correction).unwrap_err().code, Reason::BadSidecar);
        // Sifat, klasifikasi and tanggal: refused, naming each.
        let other = parse_sidecar("x.yaml", "sifat: Rahasia\nklasifikasi: KP.650\ntanggal: 2026-06-02\n").unwrap();
        let e = amend(&current, other, today(), Amending::Late).unwrap_err();
        assert_eq!((e.code, e.detail.as_str()), (Reason::SidecarFixedField, "sifat, klasifikasi, tanggal"));
        let same = parse_sidecar("x.yaml", "sifat: B\nklasifikasi: hm.340\ntanggal: 2026-06-01\n").unwrap();
        assert!(amend(&current, same, today(), Amending::Late).is_ok());
    }
}
