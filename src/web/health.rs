//! `GET /healthz`, for monitoring (no login: it says nothing about
//! letters): whether the daemon's loop still goes round and the database
//! answers. 200 when both do, 503 otherwise, with a JSON body:
//! `{"status": "ok"|"stalled"|"database unreachable", "last_tick": ISO-8601
//! WIB or null, "tick_age_seconds": n or null, "database": "ok"|the error}`.

use super::state::St;
use crate::config::Config;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::time::Duration;

/// How long the database check may take.
const DB_LIMIT: Duration = Duration::from_secs(2);

/// The answer's body.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub(crate) struct Health {
    pub status: String,
    pub last_tick: Option<String>,
    pub tick_age_seconds: Option<i64>,
    pub database: String,
}

/// The longest the loop may go without a sign of life and still be well.
/// It goes round at least every 2 s and beats between files and inside
/// long waits; one wait without a beat is bounded by `processing.timeout`
/// (a conversion, a read of the share). The same margin as systemd's
/// watchdog (`WatchdogSec` ≥ processing.timeout + 15 s, see `suratd check`).
pub(crate) fn stall_bound(cfg: &Config) -> Duration {
    cfg.processing.timeout + Duration::from_secs(15)
}

/// The health at `now` from the loop's last tick and the database check.
pub(crate) fn judge(
    now: DateTime<Utc>,
    last_tick: Option<DateTime<Utc>>,
    bound: Duration,
    database: Result<(), String>,
) -> (StatusCode, Health) {
    let age = last_tick.map(|t| (now - t).num_seconds().max(0));
    let stalled = age.is_none_or(|a| a as u64 > bound.as_secs());
    let status = match (&database, stalled) {
        (Err(_), _) => "database unreachable",
        (Ok(()), true) => "stalled",
        (Ok(()), false) => "ok",
    };
    let code = if status == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let health = Health {
        status: status.into(),
        last_tick: last_tick.map(crate::util::timefmt::iso_wib),
        tick_age_seconds: age,
        database: database.err().unwrap_or_else(|| "ok".into()),
    };
    (code, health)
}

/// Opens the database read-only and asks it something trivial, within
/// [`DB_LIMIT`].
async fn database_answers(path: PathBuf) -> Result<(), String> {
    let check = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        crate::store::db::Db::open_read_only(&path)?.answers(DB_LIMIT)
    });
    match tokio::time::timeout(DB_LIMIT, check).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(format!("{e:#}")),
        Ok(Err(e)) => Err(format!("the check failed: {e}")),
        Err(_) => Err(format!("no answer within {} s", DB_LIMIT.as_secs())),
    }
}

/// `GET /healthz`.
pub(crate) async fn healthz(axum::extract::State(s): St) -> Response {
    let database = database_answers(s.cfg.database.clone()).await;
    let (code, health) = judge(Utc::now(), (s.last_tick)(), stall_bound(&s.cfg), database);
    if code != StatusCode::OK {
        tracing::debug!(status = %health.status, database = %health.database, "health check: not well");
    }
    (code, Json(health)).into_response()
}
