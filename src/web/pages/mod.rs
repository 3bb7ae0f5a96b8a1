//! One module per page of the board, each a function from [`Ctx`] (and the
//! page's query) to HTML. Text from staff files is only ever put into the
//! markup through maud, which escapes it.

pub(crate) mod alur;
pub(crate) mod board;
pub(crate) mod books;
pub(crate) mod chart;
pub(crate) mod kinerja;
pub(crate) mod letter;
pub(crate) mod login;

use super::Ctx;
use crate::util::timefmt;

/// A stored time as people read it (`2 Juni 2026 pukul 10.15 WIB`), or `-`.
pub(crate) fn moment(stored: &str) -> String {
    timefmt::parse_stored(stored).map(timefmt::moment_id).unwrap_or_else(|| "-".into())
}

/// A person by name for a login (the login itself when unknown).
pub(crate) fn person_name(ctx: &Ctx, login: Option<&str>) -> String {
    match login {
        None => "-".into(),
        Some(l) => ctx.wf.person(l).map(|p| p.name.clone()).unwrap_or_else(|| l.to_string()),
    }
}
