//! Looking inside a file: is it a PDF, complete, readable, unencrypted, with
//! pages? Never writes. Runs in its own thread with a time limit (see
//! `pipeline`), because a hostile PDF can make any parser slow.

use std::time::Duration;

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pdf {
        pages: usize,
    },
    Empty,
    /// No `%PDF-` header; `detail` says in Indonesian what it looks like.
    NotPdf {
        detail: String,
    },
    /// Starts like a PDF but has no end marker: possibly still being copied.
    Truncated,
    /// Starts like a PDF but cannot be read.
    Broken {
        detail: String,
    },
    Encrypted,
    /// A readable PDF that runs something when opened (JavaScript, a
    /// program launch); `detail` says what, in Indonesian.
    ActiveContent {
        detail: String,
    },
}

/// The most a page's contents or any other non-image stream may inflate to.
/// Real letters are far below it; a "decompression bomb" (a few kilobytes
/// that inflate to gigabytes) is far above it.
pub const MAX_INFLATED_BYTES: u64 = 32 * 1024 * 1024;

/// Checks the bytes of a file.
pub fn inspect(bytes: &[u8]) -> Verdict {
    if bytes.is_empty() {
        return Verdict::Empty;
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_none() {
        return Verdict::NotPdf { detail: describe(bytes).to_string() };
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if find(tail, b"%%EOF").is_none() {
        return Verdict::Truncated;
    }
    if has_encrypt_entry(bytes) {
        return Verdict::Encrypted;
    }
    if let Some(inflated) = largest_inflation(bytes, MAX_INFLATED_BYTES) {
        return Verdict::Broken {
            detail: format!(
                "ada bagian terkompresi yang mengembang menjadi lebih dari {} MB (bom dekompresi)",
                inflated / (1024 * 1024)
            ),
        };
    }
    match lopdf::Document::load_mem(bytes) {
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) | Err(lopdf::Error::AlreadyEncrypted) => {
            Verdict::Encrypted
        }
        // The parser's own message is English: logged, not shown.
        Err(e) => {
            tracing::debug!(error = %e, "a PDF's structure cannot be read");
            Verdict::Broken { detail: "struktur PDF tidak terbaca".into() }
        }
        Ok(doc) => {
            if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
                return Verdict::Encrypted;
            }
            let pages = doc.get_pages().len();
            if pages == 0 {
                Verdict::Broken { detail: "PDF tidak memiliki halaman".into() }
            } else if let Some(detail) = active_content(&doc) {
                Verdict::ActiveContent { detail }
            } else {
                Verdict::Pdf { pages }
            }
        }
    }
}

/// The first Flate stream that is not an image and inflates past `limit`
/// bytes, if any: how far it got. Streams are found in the raw bytes (so
/// object streams are checked before the parser unpacks them) and inflated
/// into a counter, never into memory.
fn largest_inflation(bytes: &[u8], limit: u64) -> Option<u64> {
    use std::io::Read;
    let mut buf = vec![0u8; 64 * 1024];
    for at in memchr::memmem::find_iter(bytes, b"stream") {
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        let mut data = at + 6;
        if bytes.get(data) == Some(&b'\r') {
            data += 1;
        }
        if bytes.get(data) == Some(&b'\n') {
            data += 1;
        }
        // This object's dictionary: from its `obj` keyword to `stream`.
        let window = &bytes[at.saturating_sub(4096)..at];
        let dict = memchr::memmem::rfind(window, b"obj").map_or(window, |i| &window[i..]);
        if memchr::memmem::find(dict, b"/Image").is_some() || bytes.get(data).is_none_or(|b| b & 0x0F != 8) {
            continue; // images may be large; not zlib (bad header)
        }
        let mut z = flate2::read::ZlibDecoder::new(&bytes[data..]);
        let mut total = 0u64;
        while let Ok(n) = z.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limit {
                return Some(total);
            }
        }
    }
    None
}

/// What a PDF runs when opened or as pages are shown: a JavaScript or
/// Launch action anywhere (catalog, pages, annotations, form fields), or a
/// document-level JavaScript name tree.
fn active_content(doc: &lopdf::Document) -> Option<String> {
    fn walk(o: &lopdf::Object, depth: u32) -> Option<&'static str> {
        let dict = match o {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            lopdf::Object::Array(a) if depth < 32 => return a.iter().find_map(|x| walk(x, depth + 1)),
            _ => return None,
        };
        match dict.get(b"S").and_then(lopdf::Object::as_name) {
            Ok(b"JavaScript") => return Some("JavaScript"),
            Ok(b"Launch") => return Some("perintah menjalankan program (Launch)"),
            _ => {}
        }
        if dict.has(b"JavaScript") && dict.has(b"Names") {
            return Some("JavaScript");
        }
        if depth >= 32 {
            return None;
        }
        dict.iter().find_map(|(k, v)| if k == b"JavaScript" { Some("JavaScript") } else { walk(v, depth + 1) })
    }
    doc.objects.values().find_map(|o| walk(o, 0)).map(str::to_string)
}

/// `/Encrypt` in a trailer or cross-reference stream dictionary.
fn has_encrypt_entry(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    find(tail, b"/Encrypt").is_some()
}

/// Runs `inspect` on its own thread with a deep stack and a time limit.
/// `None` means the limit passed (the thread is left to finish alone).
pub fn inspect_with_limit(bytes: std::sync::Arc<Vec<u8>>, limit: Duration) -> Option<Verdict> {
    limited(limit, move || inspect(&bytes))
        .map(|r| r.unwrap_or_else(|| Verdict::Broken { detail: "pembaca PDF gagal pada berkas ini".into() }))
}

/// Runs `work` on a worker thread with a deep stack, catching panics
/// (`Some(None)`), and gives up after `limit` (`None`; the thread is left to
/// finish alone, so a hostile file cannot hang the daemon). Workers are
/// reused between checks (`util::workers`).
pub fn limited<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> Option<Option<T>> {
    crate::util::workers::limited(limit, work)
}

/// The text of a PDF's pages (the first `max_pages`), as far as it can be
/// extracted; `None` when the file cannot be read, or its pages' contents
/// together inflate past [`MAX_INFLATED_BYTES`] (each page counted, even
/// where pages share one stream: parsing them takes time and memory
/// in suratd's own process, several times their size).
pub fn text(bytes: &[u8], max_pages: u32) -> Option<String> {
    let doc = lopdf::Document::load_mem(bytes).ok()?;
    let pages: Vec<(u32, lopdf::ObjectId)> = doc.get_pages().into_iter().take(max_pages as usize).collect();
    let mut budget = MAX_INFLATED_BYTES as usize;
    let mut out = String::new();
    for (n, id) in pages {
        match doc.get_page_content_with_limit(id, budget) {
            Ok(content) => budget -= content.len().min(budget),
            Err(lopdf::Error::Decompress(_)) => return None,
            Err(_) => continue,
        }
        if let Ok(t) = doc.extract_text_with_limit(&[n], MAX_INFLATED_BYTES as usize) {
            out.push_str(&t);
            out.push('\n');
        }
    }
    Some(out)
}

/// The text a reader sees on a PDF's pages (the first `max_pages`): as
/// [`text`], without text drawn invisibly (rendering modes 3 and 7: OCR
/// layers, or a letter number hidden to pass the number check). A page
/// whose content cannot be parsed gives none of its text.
pub fn visible_text(bytes: &[u8], max_pages: u32) -> Option<String> {
    let mut doc = lopdf::Document::load_mem(bytes).ok()?;
    let pages: Vec<(u32, lopdf::ObjectId)> = doc.get_pages().into_iter().take(max_pages as usize).collect();
    let mut budget = MAX_INFLATED_BYTES as usize;
    let mut out = String::new();
    for (n, id) in pages {
        let content = match doc.get_page_content_with_limit(id, budget) {
            Ok(content) => content,
            Err(lopdf::Error::Decompress(_)) => return None,
            Err(_) => continue,
        };
        budget -= content.len().min(budget);
        let Ok(decoded) = lopdf::content::Content::decode(&content) else { continue };
        let shown = lopdf::content::Content { operations: shown_only(decoded.operations) };
        let Ok(encoded) = shown.encode() else { continue };
        let stream = doc.add_object(lopdf::Stream::new(lopdf::Dictionary::new(), encoded));
        if let Ok(page) = doc.get_dictionary_mut(id) {
            page.set("Contents", stream);
        }
        if let Ok(t) = doc.extract_text_with_limit(&[n], MAX_INFLATED_BYTES as usize) {
            out.push_str(&t);
            out.push('\n');
        }
    }
    Some(out)
}

/// A page's operations without the text-showing ones drawn in an invisible
/// rendering mode (`Tr` 3 or 7; the mode is saved by `q` and restored by `Q`).
fn shown_only(ops: Vec<lopdf::content::Operation>) -> Vec<lopdf::content::Operation> {
    let mut mode = 0i64;
    let mut saved = Vec::new();
    ops.into_iter()
        .filter(|op| {
            match op.operator.as_str() {
                "q" => saved.push(mode),
                "Q" => mode = saved.pop().unwrap_or(0),
                "Tr" => mode = op.operands.first().and_then(|o| o.as_i64().ok()).unwrap_or(0),
                "Tj" | "TJ" | "'" | "\"" => return !matches!(mode, 3 | 7),
                _ => {}
            }
            true
        })
        .collect()
}

/// Whether `needle` occurs in `text`, ignoring spaces, line breaks and case
/// (text extraction often splits or joins words).
pub fn contains_loosely(text: &str, needle: &str) -> bool {
    let squash =
        |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect() };
    let n = squash(needle);
    !n.is_empty() && squash(text).contains(&n)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A short Indonesian description of what a non-PDF file looks like.
pub fn describe(bytes: &[u8]) -> &'static str {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\x89PNG") {
        "gambar PNG"
    } else if starts(b"\xFF\xD8\xFF") {
        "gambar JPEG"
    } else if starts(b"GIF8") {
        "gambar GIF"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "gambar TIFF"
    } else if starts(b"PK\x03\x04") {
        "arsip ZIP"
    } else if starts(b"Rar!") {
        "arsip RAR"
    } else if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        "dokumen Office lama"
    } else if starts(b"{\\rtf") {
        "dokumen RTF"
    } else if starts(b"MZ") || starts(b"\x7FELF") {
        "program"
    } else if std::str::from_utf8(&bytes[..bytes.len().min(4096)]).is_ok() {
        "berkas teks"
    } else {
        "jenis berkas tidak dikenal"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_matching_ignores_spacing_and_case() {
        assert!(contains_loosely("Nomor : B-012/17000/\nKP.650/2025", "B-012/17000/KP.650/2025"));
        assert!(contains_loosely("nomor b - 012 / 17000", "B-012/17000"));
        assert!(!contains_loosely("Nomor: B-013/17000/KP.650/2025", "B-012/17000/KP.650/2025"));
        assert!(!contains_loosely("anything", "  "));
    }

    #[test]
    fn recognises_non_pdfs() {
        assert_eq!(inspect(b""), Verdict::Empty);
        assert_eq!(inspect(b"hello"), Verdict::NotPdf { detail: "berkas teks".into() });
        assert_eq!(inspect(b"\x89PNG\r\n"), Verdict::NotPdf { detail: "gambar PNG".into() });
        assert_eq!(inspect(b"%PDF-1.7\n1 0 obj"), Verdict::Truncated);
        assert!(matches!(inspect(b"%PDF-1.7\ngarbage\n%%EOF\n"), Verdict::Broken { .. }));
    }
}
