//! Crash points for the tests: `SURATD_FAULT=<point>` in suratd's
//! environment makes it abort (as a power cut or `kill -9` would stop it:
//! no clean-up, no destructors) when it reaches that point, so a test can
//! check what recovery makes of a crash at exactly that moment. Without the
//! variable (as in every real run) a point costs one cached lookup.

use std::sync::OnceLock;

/// Aborts the process if `SURATD_FAULT` names `point`.
pub fn hit(point: &str) {
    if wanted().is_some_and(|w| w == point) {
        stop(point);
    }
}

/// Aborts the process if `SURATD_FAULT` is `point:what` (a point reached
/// for one file: `what` is its path under the root), as a file that
/// crashes the PDF library would.
pub fn hit_at(point: &str, what: &str) {
    if wanted().is_some_and(|w| w.strip_prefix(point).and_then(|r| r.strip_prefix(':')) == Some(what)) {
        stop(&format!("{point}:{what}"));
    }
}

fn wanted() -> Option<&'static str> {
    static WANTED: OnceLock<Option<String>> = OnceLock::new();
    WANTED.get_or_init(|| std::env::var("SURATD_FAULT").ok().filter(|s| !s.is_empty())).as_deref()
}

fn stop(point: &str) -> ! {
    eprintln!("suratd: SURATD_FAULT={point}: stopping here, as a crash would");
    std::process::abort();
}
