//! Live updates: one task watches the database for commits (SQLite's
//! `data_version` on its own read-only connection, twice a second) and
//! counts them; every open page asks for the count (`/live`) every few
//! seconds and, when it moved, fetches itself again (`static/papan.js`).
//! A page without the script still works.

use super::state::St;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

/// How often the database is asked whether anything changed.
const LOOK: Duration = Duration::from_millis(500);

/// Counts the database's commits into `tx` until `stop` turns true.
pub(crate) async fn watch_database(db: PathBuf, tx: watch::Sender<u64>, mut stop: watch::Receiver<bool>) {
    let mut conn: Option<crate::store::db::Db> = None;
    let mut last: Option<i64> = None;
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(LOOK) => {}
        }
        if conn.is_none() {
            conn = crate::store::db::Db::open_read_only(&db).ok();
        }
        let Some(c) = &conn else { continue };
        match tokio::task::block_in_place(|| c.data_version()) {
            Ok(v) => {
                if last.is_some_and(|l| l != v) {
                    tx.send_modify(|n| *n += 1);
                }
                last = Some(v);
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "the web board cannot look for changes; trying again");
                conn = None;
                last = None;
            }
        }
    }
}

/// `GET /live`: how many times letters moved since the board started, as
/// text. An open page asks every few seconds and fetches itself again when
/// the number changed. Asking, not a held stream: a browser opens at most
/// six connections to one address, and boards open in many tabs would each
/// keep one (server-sent events), leaving none for loading pages.
pub(crate) async fn changes(axum::extract::State(s): St) -> String {
    s.live.borrow().to_string()
}
