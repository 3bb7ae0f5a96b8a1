//! How the daemon's loop is doing, for monitoring (`/healthz`, `/metrics`):
//! when it last went round (or was last alive inside a long, healthy wait),
//! and how long each file took to process. Process-wide; the loop records,
//! the web board reads.

use prometheus_client::metrics::histogram::Histogram;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicI64, Ordering};

/// The loop's last sign of life, in unix milliseconds (0: none yet).
static LAST_TICK: AtomicI64 = AtomicI64::new(0);

/// Records that the loop is alive now.
pub fn tick() {
    LAST_TICK.store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
}

/// When the loop last recorded a sign of life; `None` before the first.
pub fn last_tick() -> Option<chrono::DateTime<chrono::Utc>> {
    match LAST_TICK.load(Ordering::Relaxed) {
        0 => None,
        ms => chrono::DateTime::from_timestamp_millis(ms),
    }
}

/// Seconds spent on each file the loop processed: 10 ms to 5 minutes (a
/// conversion can take up to `processing.timeout`).
pub static FILE_PROCESSING: LazyLock<Histogram> = LazyLock::new(|| {
    Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0])
});

/// Records one file's processing time.
pub fn file_processed(took: std::time::Duration) {
    FILE_PROCESSING.observe(took.as_secs_f64());
}
