//! Whether a signed file says what the copy submitted for signing says: the
//! copy's lines (whitespace normalised, empty lines left out) must all be
//! in the signed file's text, in order; the portal may add lines anywhere
//! (its footer, a QR code's caption), but none may be removed or changed.

/// Where the signed text first departs from the copy's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The first line of the copy that the signed text lacks.
    pub missing: String,
    /// The signed text's line where the copy's line was expected (the first
    /// one after the last line that matched), if there is one.
    pub instead: Option<String>,
}

/// How long a quoted line may be in a reason.
const QUOTE_CHARS: usize = 120;

/// A text's lines, each with its whitespace runs made one space and
/// trimmed; empty lines are left out.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect()
}

/// The first of the copy's lines missing from the signed text (in order),
/// or `None` when every line of the copy is there.
pub fn first_difference(copy: &str, signed: &str) -> Option<Difference> {
    let signed = lines(signed);
    let mut at = 0;
    for line in lines(copy) {
        match signed[at..].iter().position(|s| *s == line) {
            Some(i) => at += i + 1,
            None => return Some(Difference { missing: line, instead: signed.get(at).cloned() }),
        }
    }
    None
}

/// A line as a reason quotes it: in quotation marks, shortened when long.
pub fn quote(line: &str) -> String {
    if line.chars().count() <= QUOTE_CHARS {
        return format!("\"{line}\"");
    }
    let short: String = line.chars().take(QUOTE_CHARS).collect();
    format!("\"{short}…\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_line_breaks_are_normalised() {
        assert_eq!(lines("  Nomor:\tB-001 \n\n  Perihal  Undangan \r\n"), ["Nomor: B-001", "Perihal Undangan"]);
        assert_eq!(
            first_difference("Nomor:  B-001\nPerihal: Undangan", "Nomor: B-001 \n\n Perihal:   Undangan\n"),
            None
        );
    }

    #[test]
    fn the_portal_may_add_lines_anywhere() {
        let copy = "Nomor: B-001\nKepada Yth.\nDengan hormat";
        let signed =
            "Dokumen ini ditandatangani secara elektronik\nNomor: B-001\nKepada Yth.\n[QR]\nDengan hormat\nBSrE";
        assert_eq!(first_difference(copy, signed), None);
        assert_eq!(first_difference("", "apa saja"), None);
    }

    #[test]
    fn a_changed_word_is_the_first_difference_with_the_line_found_instead() {
        let copy = "Nomor: B-001\nRapat pada hari Senin\nDengan hormat";
        let signed = "Nomor: B-001\nRapat pada hari Selasa\nDengan hormat";
        let d = first_difference(copy, signed).unwrap();
        assert_eq!(d.missing, "Rapat pada hari Senin");
        assert_eq!(d.instead.as_deref(), Some("Rapat pada hari Selasa"));
    }

    #[test]
    fn a_removed_or_reordered_line_differs_and_so_does_a_word_added_within_a_line() {
        assert_eq!(first_difference("a\nb\nc", "a\nc").unwrap().missing, "b");
        assert_eq!(first_difference("a\nb", "b\na").unwrap().missing, "b");
        let d = first_difference("a\nb", "a").unwrap();
        assert_eq!((d.missing.as_str(), d.instead), ("b", None));
        assert_eq!(first_difference("hadir", "tidak hadir").unwrap().missing, "hadir");
    }

    #[test]
    fn long_lines_are_quoted_short() {
        assert_eq!(quote("Senin"), "\"Senin\"");
        let q = quote(&"x".repeat(300));
        assert!(q.chars().count() == QUOTE_CHARS + 3 && q.ends_with("…\""), "{q}");
    }
}
