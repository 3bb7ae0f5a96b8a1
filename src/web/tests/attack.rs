//! The board attacked: by someone on the office network without a login
//! (floods, idle connections) and by a staff member who wants more than
//! the board gives them. Each test names its attack.

use super::*;
use std::io::Write;

/// Many wrong logins at once (from many addresses, before any is counted
/// as failed) check at most a few passwords at a time: argon2 takes
/// 19 MiB for each, and a hundred at once would take the daemon's memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attack_a_flood_of_logins_checks_few_passwords_at_once() {
    let b = board(&["budi"]);
    let mut tries = Vec::new();
    for i in 0..12 {
        let mut req = Request::post("/masuk")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("login=budi{i}&password=salah")))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(format!("10.0.1.{i}:40000").parse::<SocketAddr>().unwrap()));
        let app = router(b.shared.clone());
        tries.push(tokio::spawn(async move { app.oneshot(req).await.unwrap().status() }));
    }
    for t in tries {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let most = b.shared.gate.most_checking();
    assert!(most <= auth::CHECKS_AT_ONCE, "{most} passwords checked at once");
}

/// A board served on a real port of 127.0.0.1 within `limits`: its
/// address, and what stops it when dropped.
async fn listening(b: &Board, limits: crate::web::server::Limits) -> (SocketAddr, tokio::sync::watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(crate::web::server::serve_on(listener, router(b.shared.clone()), limits, stopped));
    (addr, stop)
}

/// What the server says on `conn` until it closes it (bounded: a server
/// that never closes fails the test).
async fn read_to_close(conn: std::net::TcpStream) -> String {
    use std::io::Read;
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let (read, got) = tokio::task::spawn_blocking(move || {
        let mut got = Vec::new();
        let read = (&conn).read_to_end(&mut got);
        (read, got)
    })
    .await
    .unwrap();
    let got = String::from_utf8_lossy(&got).into_owned();
    // Closed, or reset with bytes unread: either ends it. A timeout does not.
    let open = read.is_err_and(|e| matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
    assert!(!open, "the connection is still open: {got}");
    got
}

fn connect(addr: SocketAddr) -> std::net::TcpStream {
    std::net::TcpStream::connect(addr).unwrap()
}

/// Slowloris: a client that starts a request and never finishes its head
/// is cut off, instead of holding a connection (and a file descriptor of
/// the daemon's) for ever.
#[tokio::test]
async fn attack_a_request_head_never_finished_is_cut_off() {
    let b = board(&["budi"]);
    let head = std::time::Duration::from_millis(300);
    let (addr, _stop) = listening(&b, crate::web::server::Limits { connections: 8, head }).await;
    let mut conn = connect(addr);
    conn.write_all(b"GET / HTTP/1.1\r\nHost: papan\r\nX-Lambat: ").unwrap();
    read_to_close(conn).await;
}

/// Connections by the hundred: past the limit a new one is closed at once,
/// while those within it are answered.
#[tokio::test]
async fn attack_connections_past_the_limit_are_closed() {
    let b = board(&["budi"]);
    let head = std::time::Duration::from_secs(3600);
    let (addr, _stop) = listening(&b, crate::web::server::Limits { connections: 2, head }).await;
    let mut first = connect(addr);
    let _idle = connect(addr);
    let third = connect(addr);
    assert_eq!(read_to_close(third).await, "", "the third connection is closed unanswered");
    first.write_all(b"GET /healthz HTTP/1.1\r\nHost: papan\r\nConnection: close\r\n\r\n").unwrap();
    let answer = read_to_close(first).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A reverse proxy on the server put in front before anyone has a
/// password: its requests come from loopback, but on behalf of the whole
/// office network. A forwarded request is not the server's admin.
#[tokio::test]
async fn attack_the_office_through_a_local_proxy_before_any_password() {
    let b = board(&[]);
    for forwarded in [("x-forwarded-for", "10.0.0.5"), ("forwarded", "for=10.0.0.5"), ("x-real-ip", "10.0.0.5")] {
        let r = b.get("/api/letters", LOCAL, &[forwarded]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{forwarded:?}: {}", r.body);
    }
    assert_eq!(b.get("/api/letters", LOCAL, &[]).await.status, StatusCode::OK);
}
