//! Monitoring a running daemon: `/metrics` and `/healthz` of the real
//! `suratd run`, read over HTTP on 127.0.0.1 while it processes a draft.

mod common;
use common::*;
use std::io::{Read, Write};
use std::time::Duration;

/// `GET path` on the board: status and body (`Connection: close`).
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

#[test]
fn the_running_daemon_reports_its_loop_and_processing_times() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = env_with("poll", &format!("web:\n  listen: 127.0.0.1:{port}\n"));
    let _d = env.start();
    let healthy = wait_until(Duration::from_secs(20), || get(port, "/healthz").is_some_and(|(s, _)| s == 200));
    assert!(healthy, "healthz: {:?}\n{}", get(port, "/healthz"), env.log());
    let (_, body) = get(port, "/healthz").unwrap();
    let h: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["status"], "ok", "{body}");
    assert_eq!(h["database"], "ok", "{body}");

    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan Rapat Koordinasi"));
    env.wait_file("02-verifikasi", "SK-");
    let (status, text) = get(port, "/metrics").unwrap();
    assert_eq!(status, 200, "{text}");
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let sample = |name: &str| scrape.samples.iter().find(|s| s.metric == name).map(|s| s.value.clone());
    let count = sample("suratd_file_processing_seconds_count");
    assert!(
        matches!(count, Some(prometheus_parse::Value::Untyped(n) | prometheus_parse::Value::Counter(n)) if n >= 1.0),
        "the draft's processing was timed: {count:?}\n{text}"
    );
    let in_review = scrape
        .samples
        .iter()
        .find(|s| s.metric == "suratd_letters_in_flight" && s.labels.get("step") == Some("verifikasi"))
        .map(|s| s.value.clone());
    assert_eq!(in_review, Some(prometheus_parse::Value::Gauge(1.0)), "{text}");
}
