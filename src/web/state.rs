//! What every handler shares (the settings, the workflow in use, the
//! sessions, the live-update signal, the loop's last tick) and how a
//! handler gets a [`Ctx`]: its own read-only database connection on a
//! blocking thread, so the daemon's loop is never waited on.

use super::auth::{Gate, Viewer};
use super::{Ctx, WorkflowHandle};
use crate::config::Config;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What every handler shares.
pub(crate) struct Shared {
    pub cfg: Arc<Config>,
    pub wf: WorkflowHandle,
    pub gate: Gate,
    pub live: tokio::sync::watch::Receiver<u64>,
    /// The daemon loop's last sign of life (`util::timing::last_tick`).
    pub last_tick: fn() -> Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) type St = State<Arc<Shared>>;

/// The viewer, put into the request by the server's guard.
pub(crate) type Ext = axum::Extension<Viewer>;

/// Runs `f` with a fresh [`Ctx`] on a blocking thread.
pub(crate) async fn with_ctx<T: Send + 'static>(
    s: &Arc<Shared>,
    viewer: Viewer,
    f: impl FnOnce(&Ctx) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let (cfg, wf) = (s.cfg.clone(), s.wf.borrow().clone());
    let res = tokio::task::spawn_blocking(move || {
        let db = crate::store::db::Db::open_read_only(&cfg.database)?;
        let ctx = Ctx { db, wf, cfg, viewer, now: chrono::Utc::now() };
        f(&ctx)
    })
    .await;
    match res {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => {
            tracing::error!(error = %format!("{e:#}"), "the web board cannot read the database");
            Err((StatusCode::SERVICE_UNAVAILABLE, "Basis data tidak dapat dibaca saat ini; coba lagi sebentar lagi.\n")
                .into_response())
        }
        Err(e) => {
            tracing::error!(error = %e, "a web board page failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}
