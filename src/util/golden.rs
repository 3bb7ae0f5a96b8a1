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
}
