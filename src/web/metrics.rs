//! `GET /metrics`: the board's numbers for Prometheus (OpenMetrics text,
//! written by the `prometheus-client` crate). Names start with `suratd_`:
//! letters in flight and overdue per step (every step listed, 0 included),
//! outbox emails pending and failed, transitions by action and refusals by
//! reason code (counted in the database, so they survive a restart), and
//! the time each file took to process (this process's own histogram).

use super::state::{Ext, St, with_ctx};
use crate::letter::reason::Reason;
use crate::records::report::due_at;
use crate::store::db::Db;
use crate::workflow::Workflow;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// What the scrape reads from the database.
pub(crate) struct Counts {
    /// Each letter in flight: (step, since when, as stored).
    pub in_flight: Vec<(String, String)>,
    pub transitions: Vec<(String, i64)>,
    pub rejections: Vec<(String, i64)>,
    pub outbox: Vec<(String, i64)>,
}

impl Counts {
    pub(crate) fn read(db: &Db) -> anyhow::Result<Counts> {
        Ok(Counts {
            in_flight: db.in_flight_steps()?,
            transitions: db.transitions_by_action()?,
            rejections: db.rejections_by_reason()?,
            outbox: db.outbox_by_state()?,
        })
    }
}

type Labels = Vec<(&'static str, String)>;

/// A family of gauges, one per label value, set from `values`.
fn gauges(label: &'static str, values: impl IntoIterator<Item = (String, i64)>) -> Family<Labels, Gauge> {
    let f = Family::<Labels, Gauge>::default();
    for (v, n) in values {
        f.get_or_create(&vec![(label, v)]).set(n);
    }
    f
}

/// A family of counters, one per label value, at the counts in `values`.
fn counters(label: &'static str, values: impl IntoIterator<Item = (String, i64)>) -> Family<Labels, Counter> {
    let f = Family::<Labels, Counter>::default();
    for (v, n) in values {
        f.get_or_create(&vec![(label, v)]).inc_by(n.max(0) as u64);
    }
    f
}

/// Per step of the workflow (every one, 0 included): letters in flight,
/// and those past their step's standard time at `now`.
fn per_step(wf: &Workflow, now: chrono::DateTime<chrono::Utc>, c: &Counts) -> [BTreeMap<String, i64>; 2] {
    let zero: BTreeMap<String, i64> = wf.steps.iter().map(|s| (s.id.clone(), 0)).collect();
    let (mut flight, mut late) = (zero.clone(), zero);
    for (step, since) in &c.in_flight {
        *flight.entry(step.clone()).or_default() += 1;
        if due_at(wf, step, since).is_some_and(|d| now > d) {
            *late.entry(step.clone()).or_default() += 1;
        }
    }
    [flight, late]
}

/// The metrics as OpenMetrics text.
pub(crate) fn render(wf: &Workflow, now: chrono::DateTime<chrono::Utc>, c: &Counts) -> String {
    let mut r = Registry::with_prefix("suratd");
    let [flight, late] = per_step(wf, now, c);
    r.register("letters_in_flight", "Letters in flight, per step of the workflow", gauges("step", flight));
    r.register("letters_overdue", "Letters in flight past their step's standard time, per step", gauges("step", late));
    let outbox =
        ["pending", "failed"].map(|s| (s.to_string(), c.outbox.iter().find(|(x, _)| x == s).map_or(0, |(_, n)| *n)));
    r.register(
        "outbox_emails",
        "Emails in the outbox waiting to be sent (pending) or given up (failed)",
        gauges("state", outbox),
    );
    r.register("transitions", "Transitions recorded, per action", counters("action", c.transitions.clone()));
    let mut refusals: BTreeMap<String, i64> =
        Reason::iter().map(|r| (<&'static str>::from(r).to_string(), 0)).collect();
    refusals.extend(c.rejections.iter().cloned());
    r.register("refusals", "Files refused, per reason code", counters("reason", refusals));
    r.register_with_unit(
        "file_processing",
        "Time to process one file from the share, since this suratd started",
        Unit::Seconds,
        crate::util::timing::FILE_PROCESSING.clone(),
    );
    let mut out = String::new();
    encode(&mut out, &r).expect("writing to a String does not fail");
    out
}

/// `GET /metrics`.
pub(crate) async fn metrics(axum::extract::State(s): St, axum::Extension(v): Ext) -> Response {
    match with_ctx(&s, v, |c| Ok(render(&c.wf, c.now, &Counts::read(&c.db)?))).await {
        Ok(text) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
            .into_response(),
        Err(r) => r,
    }
}
