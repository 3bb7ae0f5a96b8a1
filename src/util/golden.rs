//! Golden files for tests: a text people read, rendered and compared
//! exactly with the copy committed under `tests/golden/`, so any change to
//! it is a visible diff. `SURATD_BLESS=1` writes the new text instead.

use std::path::PathBuf;

/// Compares `actual` with `tests/golden/NAME`; panics with the differing
/// lines. With `SURATD_BLESS=1` in the environment, writes it instead.
pub fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("SURATD_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("tests/golden")).expect("creating tests/golden");
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read {}: {e}; run the test with SURATD_BLESS=1 to write it", path.display())
    });
    if expected != actual {
        panic!(
            "{} differs from the rendered text (- golden, + now); if the change is meant, run the test with SURATD_BLESS=1 and commit the file\n{}",
            path.display(),
            diff(&expected, actual)
        );
    }
}

/// Words of the log and the code that must never reach a text a person
/// reads (emails, reason files, notes, stamps, the archive record): English
/// log vocabulary, Rust's own, and the names of configuration. Matched as
/// whole words, ignoring case.
pub const LOG_WORDS: &[&str] = &[
    "signed",
    "intact",
    "trusted",
    "unverified",
    "verified",
    "broken",
    "timestamp",
    "anchors",
    "error",
    "failed",
    "letter",
    "step",
    "role",
    "none",
    "some",
    "null",
    "true",
    "false",
    "suratd",
    "workflow.yaml",
    "suratd.yaml",
    "sidecar",
    "localhost",
];

/// The words of [`LOG_WORDS`], and every id in `ids` (role, step and team
/// ids: `anggota_tim`, `menunggu_tte`) and `role:`, found in `text`.
pub fn log_words_in(text: &str, ids: &[&str]) -> Vec<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map(|w| w.trim_matches('.')).collect();
    let mut found: Vec<String> = LOG_WORDS
        .iter()
        .chain(ids)
        .filter(|w| words.contains(&w.to_lowercase().as_str()))
        .map(|w| w.to_string())
        .collect();
    if lower.contains("role:") {
        found.push("role:".into());
    }
    found
}

/// Panics naming `what` and the words when [`log_words_in`] finds any.
pub fn assert_for_people(what: &str, text: &str, ids: &[&str]) {
    let found = log_words_in(text, ids);
    assert!(found.is_empty(), "{what} shows words of the log or code to people: {found:?}\n{text}");
}

/// The lines that differ, by position, each with its line number.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.split('\n').collect(), actual.split('\n').collect());
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            if let Some(x) = x {
                out.push_str(&format!("{:>4} - {x:?}\n", i + 1));
            }
            if let Some(y) = y {
                out.push_str(&format!("{:>4} + {y:?}\n", i + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_diff_names_the_lines_that_differ() {
        let d = super::diff("a\nb\nc", "a\nB\nc\nd");
        assert_eq!(d, "   2 - \"b\"\n   2 + \"B\"\n   4 + \"d\"\n");
    }

    #[test]
    fn log_words_are_found_as_whole_words() {
        let found = super::log_words_in("Ditandatangani (intact, trusted) oleh role:ketua_tim.", &["ketua_tim"]);
        assert_eq!(found, vec!["intact", "trusted", "role", "ketua_tim", "role:"]);
        // Indonesian words that contain an English one are not flagged.
        assert!(super::log_words_in("Surat ditandatangani; langkah berikutnya", &["kepala"]).is_empty());
        assert_eq!(super::log_words_in("lihat workflow.yaml.", &[]), vec!["workflow.yaml"]);
    }
}
