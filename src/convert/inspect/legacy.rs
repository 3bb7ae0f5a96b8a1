//! The old formats, converted as they are and never filled in: a Word
//! 97-2003 `.doc` (an OLE compound file) and RTF, read by their bytes for
//! what must not go on. An OLE file is also how Office wraps an encrypted
//! `.docx`.

use super::{Kind, Refusal};
use crate::convert::archive::Limits;
use crate::letter::reason::Reason;
use memchr::memmem;

/// An OLE compound file: an encrypted `.docx`, or a `.doc` without macros
/// (its storages are named in UTF-16 in the file's directory). A `.doc`
/// locked with a password is not told here: LibreOffice fails to open it.
pub(super) fn doc(lower_name: &str, bytes: &[u8]) -> Result<Kind, Refusal> {
    if has(bytes, &utf16z("EncryptedPackage")) {
        return Err(Refusal::new(Reason::DocumentEncrypted, ""));
    }
    if !(lower_name.ends_with(".doc") || lower_name.ends_with(".dot")) {
        return Err(Refusal::new(Reason::NotADocument, "berkas Office yang bukan dokumen Word"));
    }
    if ["Macros", "_VBA_PROJECT", "VBA"].iter().any(|s| has(bytes, &utf16z(s))) {
        return Err(Refusal::new(Reason::MacroDocument, "proyek makro VBA"));
    }
    fields(bytes)?;
    Ok(Kind::Doc)
}

/// RTF: nesting of groups, embedded or linked objects, a template taken
/// from elsewhere, and fields that fetch: looked for in the bytes and in
/// the text they spell (hex escapes `\'54` and `\u84?` decoded, groups
/// and control words left out), as LibreOffice reads a field's code.
pub(super) fn rtf(bytes: &[u8], limits: &Limits) -> Result<Kind, Refusal> {
    let (mut depth, mut i) = (0usize, 0);
    let mut spelled = Vec::with_capacity(bytes.len());
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                let end =
                    bytes[i + 1..].iter().position(|c| !c.is_ascii_alphabetic()).map_or(bytes.len(), |n| i + 1 + n);
                let word = &bytes[i + 1..end];
                control_word(word)?;
                // Its parameter, then the space that ends it.
                let digits = bytes[end..]
                    .iter()
                    .enumerate()
                    .take_while(|&(k, c)| c.is_ascii_digit() || (k == 0 && *c == b'-'))
                    .count();
                let param = std::str::from_utf8(&bytes[end..end + digits]).ok().and_then(|p| p.parse::<i64>().ok());
                i = end + digits;
                if bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
                if let (b"u", Some(n)) = (word, param) {
                    let n = if n < 0 { n + 65536 } else { n };
                    let c = char::from_u32(n as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
                    spelled.extend_from_slice(c.to_string().as_bytes());
                    // The stand-in for readers without Unicode (`\uc1`).
                    if bytes.get(i).is_some_and(|c| !b"\\{}".contains(c)) {
                        i += 1;
                    }
                }
                continue;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'\'') => {
                let hex = bytes.get(i + 2..i + 4).and_then(|h| std::str::from_utf8(h).ok());
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    spelled.push(v);
                }
                i += 4;
                continue;
            }
            b'\\' => {
                if let Some(&c) = bytes.get(i + 1) {
                    spelled.push(c);
                }
                i += 1;
            }
            b'{' if depth >= limits.depth => {
                return Err(Refusal::new(Reason::DocumentTooDeep, format!("lebih dari {} tingkat", limits.depth)));
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'\r' | b'\n' => {}
            c => spelled.push(c),
        }
        i += 1;
    }
    fields(bytes)?;
    fields(&spelled)?;
    Ok(Kind::Rtf)
}

/// An RTF control word that must not go on.
fn control_word(word: &[u8]) -> Result<(), Refusal> {
    match word {
        b"objautlink" | b"objlink" => Err(Refusal::new(Reason::ExternalReference, "objek bertaut")),
        b"template" => Err(Refusal::new(Reason::ExternalReference, "templat")),
        b"object" | b"objemb" | b"objdata" => Err(Refusal::new(Reason::MacroDocument, "objek program tersemat (OLE)")),
        _ => Ok(()),
    }
}

/// Field codes that fetch or run, in 8-bit or UTF-16 text, any case.
fn fields(bytes: &[u8]) -> Result<(), Refusal> {
    let lower = bytes.to_ascii_lowercase();
    for (code, reason, what) in [
        ("includepicture", Reason::ExternalReference, "gambar bertaut (kode field INCLUDEPICTURE)"),
        ("includetext", Reason::ExternalReference, "isi bertaut (kode field INCLUDETEXT)"),
        ("ddeauto", Reason::MacroDocument, "perintah DDE"),
    ] {
        if has(&lower, code.as_bytes()) || has(&lower, &utf16(code)) {
            return Err(Refusal::new(reason, what));
        }
    }
    Ok(())
}

fn has(hay: &[u8], needle: &[u8]) -> bool {
    memmem::find(hay, needle).is_some()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A directory entry's name: UTF-16LE ending in a zero character.
fn utf16z(s: &str) -> Vec<u8> {
    let mut v = utf16(s);
    v.extend_from_slice(&[0, 0]);
    v
}
