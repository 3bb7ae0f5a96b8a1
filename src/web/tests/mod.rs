//! In-process tests of every handler: the real router over a real config
//! file and SQLite database in a temporary folder, requests sent with
//! `tower::ServiceExt::oneshot` from a loopback or an office address.

mod attack;
mod guard;
mod health;
mod hostile;
mod metrics;
mod pages;
mod rahasia;

use super::auth::{self, Gate};
use super::server::router;
use super::state::Shared;
use crate::config::{Config, Overrides};
use crate::store::db::{Db, TestLetter};
use crate::workflow::{Person, Workflow};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

/// A client on the server itself, and one on the office network.
pub(super) const LOCAL: &str = "127.0.0.1:40000";
pub(super) const OFFICE: &str = "10.0.0.5:40000";

/// Everyone's password in the tests.
pub(super) const PASSWORD: &str = "kata-sandi-benar";

/// A board over a temporary folder: its config, database and users file.
pub(super) struct Board {
    /// Kept for the test's length: the folder goes when the board does.
    _dir: tempfile::TempDir,
    pub shared: Arc<Shared>,
    /// A writable connection, to put rows in as the daemon would.
    pub db: Db,
}

/// An answer, its body read whole.
pub(super) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// The office of `records::people::office_workflow`, and `admin`, an admin
/// of the board (`web.admins`) who is of no step.
fn workflow() -> Workflow {
    let mut wf = crate::records::people::office_workflow();
    let admin = Person { login: "admin".into(), name: "Admin Kantor".into(), email: None, roles: vec![], team: None };
    wf.people.push(admin);
    wf
}

/// A board whose users file holds `logins` (each with [`PASSWORD`]); with
/// none, there is no users file.
pub(super) fn board(logins: &[&str]) -> Board {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("share")).unwrap();
    let file = dir.path().join("suratd.yaml");
    std::fs::write(&file, "root: share\ndatabase: data/suratd.db\nweb:\n  listen: 127.0.0.1:8024\n  admins: [admin]\n")
        .unwrap();
    let cfg = Config::load(Some(&file), &Overrides::default()).unwrap();
    let db = Db::open(&cfg.database).unwrap();
    for login in logins {
        auth::set_password(&cfg.web.users, login, PASSWORD).unwrap();
    }
    let wf = tokio::sync::watch::channel(Arc::new(workflow())).1;
    let live = tokio::sync::watch::channel(0).1;
    let last_tick = || Some(chrono::Utc::now());
    let shared = Arc::new(Shared { cfg: Arc::new(cfg), wf, gate: Gate::default(), live, last_tick });
    Board { _dir: dir, shared, db }
}

/// This year in WIB: the registers' default.
pub(super) fn this_year() -> i32 {
    crate::util::timefmt::year_wib(chrono::Utc::now())
}

impl Board {
    /// Sends `req` from `from` through the whole router.
    pub async fn send(&self, mut req: Request<Body>, from: &str) -> Reply {
        req.extensions_mut().insert(ConnectInfo(from.parse::<SocketAddr>().unwrap()));
        let res = router(self.shared.clone()).oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        Reply { status: parts.status, headers: parts.headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// `GET path` from `from` with these headers.
    pub async fn get(&self, path: &str, from: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = Request::get(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap(), from).await
    }

    /// A session of `login` (who must be in the users file), as a `Cookie`.
    pub fn session(&self, login: &str) -> String {
        let users = auth::read_users(&self.shared.cfg.web.users).unwrap().unwrap();
        let wf = self.shared.wf.borrow().clone();
        let token = self.shared.gate.login(&users, &wf, login, PASSWORD, "10.0.0.5".parse().unwrap()).unwrap();
        format!("suratd_sesi={token}")
    }

    /// Puts in a letter in flight at `step` since `since` (stored UTC),
    /// numbered and dated this year, with one stored version; returns the
    /// version's SHA-256.
    pub fn letter(&self, id: &str, step: &str, subject: &str, sifat: &str, drafter: &str, since: &str) -> String {
        let seq: i64 = id.rsplit('-').next().unwrap().parse().unwrap();
        let year = this_year();
        let number = format!("{sifat}-{seq:03}/17000/KP.650/{year}");
        let bytes = format!("%PDF-1.4 isi surat {id}");
        let sha = crate::store::fsops::sha256_bytes(bytes.as_bytes());
        let date = format!("{year}-01-05");
        let (number, sha256) = (number.as_str(), sha.as_str());
        let l = TestLetter { id, seq, number, date: &date, subject, sifat, drafter, step, since, sha256 };
        self.db.put_letter(&l);
        let path = crate::store::versions::Store::new(self.shared.cfg.store_dir()).path_of(&sha);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        sha
    }
}
