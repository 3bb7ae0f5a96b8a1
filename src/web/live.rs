//! Live updates: one task watches the database for commits (SQLite's
//! `data_version` on its own read-only connection, twice a second) and
//! every open page hears `changed` over server-sent events, then fetches
//! itself again (`static/papan.js`). A page without the script still works.

use super::state::St;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
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

/// `GET /live`: an event `changed` each time letters moved.
pub(crate) async fn events(
    axum::extract::State(s): St,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let mut rx = s.live.clone();
    rx.mark_unchanged();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let n = *rx.borrow_and_update();
        Some((Ok(Event::default().event("changed").data(n.to_string())), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
