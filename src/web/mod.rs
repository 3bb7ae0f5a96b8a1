//! The web board: where every letter is, in the browser, read-only.
//!
//! The share is where work happens; the board shows and explains, and never
//! moves a letter or changes a record (its database connections are opened
//! read-only). It is served by `suratd run` on `web.listen` (default
//! `127.0.0.1:8024`, so nothing is exposed until an admin picks an address).
//!
//! # Layout
//!
//! A request meets the parts in this order:
//!
//! * `server` binds the address, routes each path to its handler, and adds
//!   the security headers (a Content-Security-Policy that runs no inline
//!   script) to every answer. A port in use leaves the board off and the
//!   daemon working.
//!   `state` is what every handler shares, and how it gets a [`Ctx`].
//! * `auth` says who is asking: the users file (`suratd web passwd`, argon2
//!   hashes), session cookies, limits on login attempts. Without a users
//!   file the board is the server's admin's alone, on a loopback address.
//! * `access` decides, as a pure function, who may see a Rahasia letter's
//!   subject and files: the people of the steps it passes through, and the
//!   admins.
//! * `pages` renders each page on the server as HTML (maud escapes every
//!   piece of text from staff files): the board (`/`), one letter, the
//!   registers, the step times, the workflow drawn. `layout` is the frame
//!   around them, with the stylesheet and the little script for live
//!   updates served from the binary (nothing from the internet).
//! * `live` tells open boards that letters moved: a count of the
//!   database's changes that each page asks for every few seconds (no
//!   connection held per tab).
//! * `api`, `metrics` and `health` answer other programs: JSON as
//!   `status --json` and `history --json`, Prometheus text, a health check.

pub(crate) mod access;
pub(crate) mod api;
pub(crate) mod auth;
pub(crate) mod health;
pub(crate) mod layout;
pub(crate) mod live;
pub(crate) mod metrics;
pub(crate) mod pages;
pub(crate) mod server;
pub(crate) mod state;
#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::store::db::Db;
use crate::workflow::Workflow;
use std::sync::Arc;

pub(crate) use auth::Viewer;
pub(crate) use server::serve;

/// What one page needs: a read-only database connection, the workflow in
/// use, the settings, who is asking, and the time of the request.
pub(crate) struct Ctx {
    pub db: Db,
    pub wf: Arc<Workflow>,
    pub cfg: Arc<Config>,
    pub viewer: Viewer,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The workflow in use, as the daemon reloads it (an edit of
/// workflow.yaml that passed its checks).
pub(crate) type WorkflowHandle = tokio::sync::watch::Receiver<Arc<Workflow>>;
