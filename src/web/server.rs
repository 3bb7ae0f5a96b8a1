//! The board's HTTP server: binds `web.listen`, routes paths to pages,
//! checks who is asking on every request but the login page, the static
//! files and `/healthz`, and adds the security headers to every answer.
//! Pages are rendered on a blocking thread with their own read-only
//! database connection, so the daemon's loop is never waited on.

use super::auth::{self, Gate, Refused, Viewer};
use super::pages::{self, books};
pub(crate) use super::state::{Ext, Shared, St, with_ctx};
use super::{Ctx, WorkflowHandle, api, health, layout, live, metrics};
use crate::config::Config;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie's name.
const COOKIE: &str = "suratd_sesi";

/// What every answer carries: no script but the board's own file, no
/// framing, no sniffing, no referrer leaving the office.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Refuses to start a board that would serve another machine while no one
/// has a password: run `suratd web passwd` first, or listen on loopback.
pub(crate) fn precheck(cfg: &Config) -> anyhow::Result<()> {
    let w = &cfg.web;
    if w.enabled && !w.listen.ip().is_loopback() && !w.users.exists() {
        anyhow::bail!(
            "web.listen is {}, reachable from other machines, but no one has a password for the web board yet ({} \
             does not exist): set one with `suratd web passwd LOGIN` for a person of workflow.yaml, or set \
             web.listen to 127.0.0.1:{} (this server only), or web.enabled: false",
            w.listen,
            w.users.display(),
            w.listen.port()
        );
    }
    Ok(())
}

/// Serves the board until `stop` turns true. A port in use is logged and
/// leaves the board off; the daemon goes on.
pub(crate) async fn serve(cfg: Arc<Config>, wf: WorkflowHandle, stop: tokio::sync::watch::Receiver<bool>) {
    let addr = cfg.web.listen;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(listen = %addr, error = %e, "the web board is off: cannot listen on web.listen (another program uses the port?); suratd goes on without it");
            return;
        }
    };
    let (live_tx, live_rx) = tokio::sync::watch::channel(0u64);
    tokio::spawn(live::watch_database(cfg.database.clone(), live_tx, stop.clone()));
    let last_tick = crate::util::timing::last_tick;
    let shared = Arc::new(Shared { cfg, wf, gate: Gate::default(), live: live_rx, last_tick });
    tracing::info!(listen = %addr, "the web board is listening");
    serve_on(listener, router(shared), Limits::default(), stop).await;
}

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Connections served at once; more are closed as they come. Each holds
    /// a file descriptor, which the daemon needs for the share and the
    /// database: idle connections by the thousand must not take them all.
    pub connections: usize,
    /// How long a client may take to send a request's head, or leave a
    /// kept-alive connection idle, before it is closed (slowloris).
    pub head: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { connections: 256, head: std::time::Duration::from_secs(20) }
    }
}

/// Accepts connections until `stop` turns true and serves each with HTTP/1
/// within `limits`.
pub(crate) async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let open = Arc::new(tokio::sync::Semaphore::new(limits.connections));
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    tokio::pin!(stopped);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, mostly: wait a little, go on.
                    tracing::warn!(error = %e, "the web board cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!(from = %peer.ip(), limit = limits.connections, "the web board has as many connections as it serves at once; one more closed");
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), req.map(axum::body::Body::new))
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.head)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
            if let Err(e) = conn.await {
                tracing::debug!(from = %peer.ip(), error = %e, "a web board connection ended");
            }
            drop(permit);
        });
    }
}

/// Every path of the board.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let guarded = Router::new()
        .route("/", get(board))
        .route("/surat", get(search))
        .route("/surat/{id}", get(letter))
        .route("/surat/{id}/versi/{sha}", get(version))
        .route("/agenda", get(agenda))
        .route(
            "/agenda.csv",
            get(|s: St, v: Ext, q: Query<books::Year>| download(s, v, q, |c, q| books::agenda_file(c, q, false))),
        )
        .route(
            "/agenda.pdf",
            get(|s: St, v: Ext, q: Query<books::Year>| download(s, v, q, |c, q| books::agenda_file(c, q, true))),
        )
        .route("/ekspedisi", get(ekspedisi))
        .route(
            "/ekspedisi.csv",
            get(|s: St, v: Ext, q: Query<books::Period>| download(s, v, q, |c, q| books::ekspedisi_file(c, q, false))),
        )
        .route(
            "/ekspedisi.pdf",
            get(|s: St, v: Ext, q: Query<books::Period>| download(s, v, q, |c, q| books::ekspedisi_file(c, q, true))),
        )
        .route(
            "/kinerja",
            get(|s: St, v: Ext, Query(q): Query<pages::kinerja::Periode>| {
                html_page(s, v, move |c| pages::kinerja::page(c, &q).map(Some))
            }),
        )
        .route("/alur", get(|s: St, v: Ext| html_page(s, v, |c| pages::alur::page(c).map(Some))))
        .route("/live", get(live::changes))
        .route("/api/letters", get(api::letters))
        .route("/api/letters/{id}", get(api::letter))
        .route("/metrics", get(metrics::metrics))
        .route("/keluar", post(logout))
        .layer(middleware::from_fn_with_state(shared.clone(), guard));
    Router::new()
        .route("/masuk", get(login_form).post(login))
        .route("/healthz", get(health::healthz))
        .route("/static/papan.css", get(|| async { asset("text/css; charset=utf-8", layout::CSS) }))
        .route("/static/papan.js", get(|| async { asset("text/javascript; charset=utf-8", layout::JS) }))
        .merge(guarded)
        .layer(middleware::from_fn(headers))
        .with_state(shared)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "max-age=300")], body).into_response()
}

async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    res
}

/// Who is asking: a session, HTTP Basic, or (no users file) the server's
/// admin on a loopback connection. Anyone else is sent to log in (pages)
/// or answered 401 (programs).
async fn guard(State(s): St, ConnectInfo(peer): ConnectInfo<SocketAddr>, mut req: Request, next: Next) -> Response {
    match viewer(&s, req.headers(), peer).await {
        Ok(v) => {
            req.extensions_mut().insert(v);
            next.run(req).await
        }
        Err(why) => {
            let wants_page = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/html"));
            let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
            match why {
                Denied::NoUsers => (StatusCode::FORBIDDEN, "The web board has no users yet: it answers only this server (loopback). Set a password with `suratd web passwd LOGIN`.\n").into_response(),
                Denied::Login if wants_page => Redirect::to(&format!("/masuk?next={}", encode(&path))).into_response(),
                Denied::Login => (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"suratd\", charset=\"UTF-8\"")], "log in first (a session cookie from /masuk, or HTTP Basic)\n").into_response(),
                Denied::Wait(d) => (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, d.as_secs().max(1).to_string())], "too many failed logins; try again later\n").into_response(),
            }
        }
    }
}

enum Denied {
    NoUsers,
    Login,
    Wait(std::time::Duration),
}

fn users(s: &Shared) -> Option<std::collections::HashMap<String, String>> {
    match auth::read_users(&s.cfg.web.users) {
        Ok(u) => u,
        Err(e) => {
            // Unreadable: treat it as present and empty (nobody gets in),
            // never as absent (which would open the board on loopback).
            tracing::error!(file = %s.cfg.web.users.display(), error = %e, "cannot read the web board's users file; nobody can log in until it is readable");
            Some(Default::default())
        }
    }
}

async fn viewer(s: &Arc<Shared>, h: &HeaderMap, peer: SocketAddr) -> Result<Viewer, Denied> {
    let Some(users) = users(s) else {
        // A reverse proxy on the server forwards other machines' requests.
        let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|n| h.contains_key(*n));
        return if peer.ip().is_loopback() && !forwarded { Ok(Viewer::server_admin()) } else { Err(Denied::NoUsers) };
    };
    let wf = s.wf.borrow().clone();
    let known = |login: String| {
        let admin = auth::is_admin(&s.cfg, &wf, &login);
        (users.contains_key(&login) && wf.person(&login).is_some()).then_some(Viewer { login: Some(login), admin })
    };
    if let Some(token) = cookie(h, COOKIE)
        && let Some(login) = s.gate.session(&token)
    {
        return known(login).ok_or(Denied::Login);
    }
    let Some((login, password)) = basic(h) else { return Err(Denied::Login) };
    let (wf2, users2, l2) = (wf.clone(), users.clone(), login.clone());
    let checked = checking(s, move |g| g.check_basic(&users2, &wf2, &l2, &password, peer.ip())).await;
    match checked {
        Ok(()) => known(login).ok_or(Denied::Login),
        Err(Refused::Wait(d)) => Err(Denied::Wait(d)),
        Err(Refused::Wrong) => Err(Denied::Login),
    }
}

/// Runs a password check on a blocking thread when its turn comes (at
/// most `auth::CHECKS_AT_ONCE` at a time; the others wait without a thread).
async fn checking<T: Send + 'static>(
    s: &Arc<Shared>,
    f: impl FnOnce(&Gate) -> Result<T, Refused> + Send + 'static,
) -> Result<T, Refused> {
    let Ok(_turn) = s.gate.turns.acquire().await else { return Err(Refused::Wrong) };
    let s2 = s.clone();
    tokio::task::spawn_blocking(move || f(&s2.gate)).await.unwrap_or(Err(Refused::Wrong))
}

/// A cookie's value from the request.
fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Authorization: Basic …` as (login, password).
fn basic(h: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD.decode(v.trim()).ok()?;
    let (l, p) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
    Some((l.to_string(), p.to_string()))
}

/// Percent-encodes a path for a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where to go after logging in: a path on this board, nothing else. No
/// backslash and no control character: browsers read `/\evil` and
/// `/<TAB>/evil` (tabs and line breaks are dropped from URLs) as `//evil`.
fn safe_next(next: &str) -> &str {
    let path = next.starts_with('/') && !next.starts_with("//");
    if path && !next.chars().any(|c| c == '\\' || c.is_control()) { next } else { "/" }
}

async fn html_page(
    State(s): St,
    axum::Extension(v): Ext,
    f: impl FnOnce(&Ctx) -> anyhow::Result<Option<maud::Markup>> + Send + 'static,
) -> Response {
    let viewer = v.clone();
    match with_ctx(&s, v, f).await {
        Ok(Some(m)) => m.into_response(),
        Ok(None) => {
            let page =
                with_ctx(&s, viewer, |c| Ok(layout::message(c, "Tidak ditemukan", "Tidak ada surat dengan kode ini.")))
                    .await;
            (StatusCode::NOT_FOUND, page.map(IntoResponse::into_response).unwrap_or_else(|r| r)).into_response()
        }
        Err(r) => r,
    }
}

async fn board(s: St, v: Ext, Query(f): Query<pages::board::Filter>) -> Response {
    html_page(s, v, move |c| pages::board::page(c, &f).map(Some)).await
}

async fn search(s: St, v: Ext, Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    let q = q.get("q").cloned().unwrap_or_default();
    html_page(s, v, move |c| pages::letter::search(c, &q).map(Some)).await
}

async fn letter(s: St, v: Ext, Path(id): Path<String>) -> Response {
    html_page(s, v, move |c| pages::letter::page(c, &id)).await
}

async fn agenda(s: St, v: Ext, Query(q): Query<books::Year>) -> Response {
    html_page(s, v, move |c| books::agenda(c, &q).map(Some)).await
}

async fn ekspedisi(s: St, v: Ext, Query(q): Query<books::Period>) -> Response {
    html_page(s, v, move |c| books::ekspedisi(c, &q).map(Some)).await
}

async fn download<Q: Send + 'static>(
    State(s): St,
    axum::Extension(v): Ext,
    Query(q): Query<Q>,
    f: impl FnOnce(&Ctx, &Q) -> anyhow::Result<books::Download> + Send + 'static,
) -> Response {
    match with_ctx(&s, v, move |c| f(c, &q)).await {
        Ok(d) => attachment(&d.name, d.content_type, d.bytes),
        Err(r) => r,
    }
}

fn attachment(name: &str, kind: &'static str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\', '\r', '\n'], "_"));
    ([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// A stored version's bytes, for those who may see the letter's files.
async fn version(State(s): St, axum::Extension(v): Ext, Path((id, sha)): Path<(String, String)>) -> Response {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let found = with_ctx(&s, v, move |c| {
        let Some(l) = c.db.letter(&id)? else { return Ok(None) };
        if !c.db.has_version(&l.id, &sha)? || !super::access::sees(&c.wf, &c.viewer, &l) {
            return Ok(None);
        }
        let bytes = std::fs::read(crate::store::versions::Store::new(c.cfg.store_dir()).path_of(&sha))?;
        let (ext, kind) = file_kind(&bytes);
        Ok(Some((format!("{}-{}.{ext}", l.id, &sha[..12]), kind, bytes)))
    })
    .await;
    match found {
        Ok(Some((name, kind, bytes))) => attachment(&name, kind, bytes),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(r) => r,
    }
}

/// A stored file's extension and content type, from its first bytes.
fn file_kind(bytes: &[u8]) -> (&'static str, &'static str) {
    let head = &bytes[..bytes.len().min(200)];
    if bytes.starts_with(b"%PDF") {
        ("pdf", "application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") && head.windows(11).any(|w| w == b"opendocumen") {
        ("odt", "application/vnd.oasis.opendocument.text")
    } else if bytes.starts_with(b"PK\x03\x04") {
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(b"{\\rtf") {
        ("rtf", "application/rtf")
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        ("doc", "application/msword")
    } else {
        ("txt", "text/plain; charset=utf-8")
    }
}

#[derive(serde::Deserialize, Default)]
struct Next_ {
    #[serde(default)]
    next: String,
}

async fn login_form(State(s): St, Query(q): Query<Next_>) -> Response {
    if users(&s).is_none() {
        return Redirect::to("/").into_response();
    }
    let office = s.wf.borrow().office.name.clone();
    pages::login::page(&office, None, safe_next(&q.next)).into_response()
}

#[derive(serde::Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(s): St,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    h: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let Some(users) = users(&s) else { return Redirect::to("/").into_response() };
    let wf = s.wf.borrow().clone();
    let login = f.login.trim().to_string();
    let password = f.password.clone();
    let result = checking(&s, move |g| g.login(&users, &wf, &login, &password, peer.ip())).await;
    let office = s.wf.borrow().office.name.clone();
    let next = safe_next(&f.next);
    match result {
        Ok(token) => {
            let https = h.get("x-forwarded-proto").is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
            let max_age = auth::SESSION_IDLE.as_secs();
            let cookie = format!(
                "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
                if https { "; Secure" } else { "" }
            );
            tracing::info!(login = %f.login.trim(), from = %peer.ip(), "logged in to the web board");
            ([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response()
        }
        Err(Refused::Wrong) => {
            tracing::warn!(login = %f.login.trim(), from = %peer.ip(), "a failed login to the web board");
            (StatusCode::UNAUTHORIZED, pages::login::page(&office, Some("Nama pengguna atau kata sandi salah."), next))
                .into_response()
        }
        Err(Refused::Wait(d)) => {
            tracing::warn!(login = %f.login.trim(), from = %peer.ip(), "web board logins refused for a while after repeated failures");
            let msg =
                format!("Terlalu banyak percobaan yang gagal. Coba lagi dalam {} menit.", d.as_secs().div_ceil(60));
            (StatusCode::TOO_MANY_REQUESTS, pages::login::page(&office, Some(&msg), next)).into_response()
        }
    }
}

async fn logout(State(s): St, h: HeaderMap) -> Response {
    if let Some(token) = cookie(&h, COOKIE) {
        s.gate.logout(&token);
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/masuk")).into_response()
}
