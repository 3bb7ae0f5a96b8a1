//! Recognising an office document: a Word or OpenDocument draft (and the
//! old `.doc` and `.rtf`) is told from a PDF by its first bytes, before the
//! PDF checks; the pipeline calls [`prepare`] once, in intake.

/// What the conversion stage makes of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// Not an office document: goes on to the PDF checks as it is.
    AsIs,
    /// An office document (`format` is the name people know, e.g. "Word
    /// (.docx)"): inspected, filled and converted in a drafting folder,
    /// refused elsewhere.
    Office { format: String },
}

/// Recognises office documents by content (and by name for the old
/// binary formats, which share one container with other programs).
pub fn prepare(file_name: &str, bytes: &[u8]) -> Prepared {
    let lower = file_name.to_ascii_lowercase();
    let head = &bytes[..bytes.len().min(8192)];
    let contains = |n: &[u8]| head.windows(n.len()).any(|w| w == n);
    let format = if bytes.starts_with(b"PK\x03\x04") {
        if contains(b"mimetypeapplication/vnd.oasis.opendocument.text") {
            Some("OpenDocument (.odt)")
        } else if contains(b"word/") || lower.ends_with(".docx") {
            Some("Word (.docx)")
        } else {
            None
        }
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") && lower.ends_with(".doc") {
        Some("Word 97-2003 (.doc)")
    } else if bytes.starts_with(b"{\\rtf") {
        Some("RTF (.rtf)")
    } else {
        None
    };
    match format {
        Some(f) => Prepared::Office { format: f.to_string() },
        None => Prepared::AsIs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_word_and_odt() {
        let mut docx = b"PK\x03\x04".to_vec();
        docx.extend_from_slice(b"....[Content_Types].xml....word/document.xml");
        assert_eq!(prepare("a.docx", &docx), Prepared::Office { format: "Word (.docx)".into() });
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(b"\0\0mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(prepare("a.odt", &odt), Prepared::Office { format: "OpenDocument (.odt)".into() });
        assert_eq!(prepare("a.pdf", b"%PDF-1.4"), Prepared::AsIs);
        assert_eq!(prepare("a.zip", b"PK\x03\x04stuff"), Prepared::AsIs);
    }
}
