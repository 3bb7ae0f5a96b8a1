//! `/healthz`: the loop's last tick and the database, without a login.

use super::*;
use crate::web::health::{Health, judge};
use chrono::Utc;

fn health(r: &Reply) -> Health {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[tokio::test]
async fn healthz_is_200_with_a_fresh_tick_and_a_database_that_answers_and_needs_no_login() {
    let b = board(&["budi"]);
    let r = b.get("/healthz", OFFICE, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let h = health(&r);
    assert_eq!(h.status, "ok");
    assert_eq!(h.database, "ok");
    assert!(h.tick_age_seconds.is_some_and(|a| a <= 5), "{h:?}");
    assert!(h.last_tick.as_deref().is_some_and(|t| t.ends_with("+07:00")), "ISO-8601 WIB: {h:?}");
    assert!(!r.body.contains("SK-"), "nothing about letters");
}

#[tokio::test]
async fn healthz_is_503_stalled_when_the_loop_has_not_ticked_for_too_long() {
    let mut b = board(&[]);
    Arc::get_mut(&mut b.shared).unwrap().last_tick = || Some(Utc::now() - chrono::Duration::minutes(10));
    let r = b.get("/healthz", LOCAL, &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    let h = health(&r);
    assert_eq!(h.status, "stalled");
    assert_eq!(h.database, "ok");
    assert!(h.tick_age_seconds.is_some_and(|a| a >= 590), "{h:?}");
}

#[tokio::test]
async fn healthz_is_503_when_the_database_cannot_be_read() {
    let b = board(&[]);
    let path = b.shared.cfg.database.clone();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::write(&path, b"this is not a database, it was overwritten").unwrap();
    let r = b.get("/healthz", LOCAL, &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    let h = health(&r);
    assert_eq!(h.status, "database unreachable");
    assert!(h.database.contains("not a database"), "says why: {h:?}");

    std::fs::remove_file(&path).unwrap();
    let h = health(&b.get("/healthz", LOCAL, &[]).await);
    assert_eq!(h.status, "database unreachable");
    assert!(h.database.contains(&path.display().to_string()), "names the file: {h:?}");
}

#[test]
fn the_loop_is_stalled_before_its_first_tick_and_past_the_bound() {
    let now = Utc::now();
    let bound = std::time::Duration::from_secs(75);
    assert_eq!(judge(now, None, bound, Ok(())).1.status, "stalled");
    assert_eq!(judge(now, Some(now - chrono::Duration::seconds(76)), bound, Ok(())).1.status, "stalled");
    let (code, h) = judge(now, Some(now - chrono::Duration::seconds(74)), bound, Ok(()));
    assert_eq!((code, h.status.as_str(), h.tick_age_seconds), (StatusCode::OK, "ok", Some(74)));
}
