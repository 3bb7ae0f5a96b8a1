//! `/metrics`: Prometheus text a real parser reads, with the numbers of
//! the database and of this process.

use super::*;
use prometheus_parse::{Scrape, Value};

/// The value of `name` with label `key="val"`, whatever type the parser
/// gave it.
fn value(s: &Scrape, name: &str, key: &str, val: &str) -> Option<f64> {
    s.samples.iter().find(|x| x.metric == name && x.labels.get(key) == Some(val)).and_then(|x| match x.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
        _ => None,
    })
}

fn plain(s: &Scrape, name: &str) -> Option<f64> {
    s.samples.iter().find(|x| x.metric == name).and_then(|x| match x.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
        _ => None,
    })
}

fn fill(b: &Board) {
    let year = this_year();
    let long_ago = "2020-01-06T01:00:00.000Z";
    let now = crate::util::timefmt::stored(chrono::Utc::now());
    b.letter(&format!("SK-{year}-0001"), "verifikasi", "Undangan rapat", "B", "rahmat", long_ago);
    b.letter(&format!("SK-{year}-0002"), "verifikasi", "Laporan bulanan", "B", "rahmat", &now);
    b.letter(&format!("SK-{year}-0003"), "distribusi", "Surat tugas", "B", "rahmat", long_ago);
    for action in ["setuju", "setuju", "revisi"] {
        b.db.put_transition(&format!("SK-{year}-0001"), &now, action);
    }
    for code in ["not_pdf", "not_pdf", "wrong_folder"] {
        b.db.put_rejection(&now, code);
    }
    for (i, state) in ["pending", "pending", "failed", "sent"].iter().enumerate() {
        b.db.put_email(&now, &format!("<{i}@suratd>"), state);
    }
}

#[tokio::test]
async fn metrics_count_letters_per_step_overdue_emails_transitions_refusals_and_processing_time() {
    let b = board(&[]);
    fill(&b);
    crate::util::timing::file_processed(std::time::Duration::from_millis(700));
    let r = b.get("/metrics", LOCAL, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header(header::CONTENT_TYPE).starts_with("application/openmetrics-text"), "{:?}", r.headers);
    let s = Scrape::parse(r.body.lines().map(|l| Ok(l.to_string()))).unwrap();

    let wf = b.shared.wf.borrow().clone();
    for step in &wf.steps {
        let n = value(&s, "suratd_letters_in_flight", "step", &step.id);
        let want = match step.id.as_str() {
            "verifikasi" => 2.0,
            "distribusi" => 1.0,
            _ => 0.0,
        };
        assert_eq!(n, Some(want), "letters in flight at {}:\n{}", step.id, r.body);
        assert!(value(&s, "suratd_letters_overdue", "step", &step.id).is_some(), "overdue at {}", step.id);
    }
    assert_eq!(value(&s, "suratd_letters_overdue", "step", "verifikasi"), Some(1.0), "{}", r.body);
    assert_eq!(value(&s, "suratd_letters_overdue", "step", "distribusi"), Some(1.0));
    assert_eq!(value(&s, "suratd_letters_overdue", "step", "draf"), Some(0.0));
    assert_eq!(value(&s, "suratd_outbox_emails", "state", "pending"), Some(2.0));
    assert_eq!(value(&s, "suratd_outbox_emails", "state", "failed"), Some(1.0));
    assert_eq!(value(&s, "suratd_transitions_total", "action", "setuju"), Some(2.0));
    assert_eq!(value(&s, "suratd_transitions_total", "action", "revisi"), Some(1.0));
    assert_eq!(value(&s, "suratd_refusals_total", "reason", "not_pdf"), Some(2.0));
    assert_eq!(value(&s, "suratd_refusals_total", "reason", "wrong_folder"), Some(1.0));
    assert_eq!(value(&s, "suratd_refusals_total", "reason", "empty"), Some(0.0), "every reason code is listed");
    // This process's histogram: at least the file timed above.
    assert!(plain(&s, "suratd_file_processing_seconds_count").is_some_and(|n| n >= 1.0), "{}", r.body);
    assert!(plain(&s, "suratd_file_processing_seconds_sum").is_some_and(|n| n >= 0.7), "{}", r.body);
    let buckets = s.samples.iter().find(|x| x.metric == "suratd_file_processing_seconds").map(|x| x.value.clone());
    assert!(matches!(buckets, Some(Value::Histogram(ref h)) if h.len() > 5), "{buckets:?}");
    for name in [
        "suratd_letters_in_flight",
        "suratd_letters_overdue",
        "suratd_outbox_emails",
        "suratd_transitions",
        "suratd_refusals",
        "suratd_file_processing_seconds",
    ] {
        assert!(s.docs.get(name).is_some_and(|d| !d.is_empty()), "HELP for {name}:\n{}", r.body);
    }
}

#[tokio::test]
async fn metrics_need_a_login_once_a_users_file_exists_and_take_http_basic() {
    let b = board(&["budi"]);
    let r = b.get("/metrics", OFFICE, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    use base64::Engine;
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("budi:{PASSWORD}")));
    let r = b.get("/metrics", OFFICE, &[("authorization", &basic)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("suratd_letters_in_flight"), "{}", r.body);
}
