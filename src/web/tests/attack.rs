//! The board attacked: by someone on the office network without a login
//! (floods, idle connections) and by a staff member who wants more than
//! the board gives them. Each test names its attack.

use super::*;

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
