//! Logs: structured tracing to stderr (journald picks it up under systemd),
//! and daily rolling files when `log.dir` is set. The letter id rides on
//! every line about a letter as the `letter` field.

use crate::config::Log;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the subscriber; keep the guard alive until exit so file logs flush.
pub fn init(log: &Log) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("SURATD_LOG").unwrap_or_else(|_| EnvFilter::new(&log.level));
    // Colours only on a terminal (journald and log files get plain text).
    use std::io::IsTerminal;
    let stderr =
        fmt::layer().with_writer(std::io::stderr).with_target(false).with_ansi(std::io::stderr().is_terminal());
    match &log.dir {
        Some(dir) => {
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("suratd")
                .filename_suffix("log")
                .max_log_files(log.keep_days.max(1) as usize)
                .build(dir);
            match appender {
                Ok(a) => {
                    let (nb, guard) = tracing_appender::non_blocking(a);
                    let file = fmt::layer().with_writer(nb).with_ansi(false).with_target(false);
                    let _ = tracing_subscriber::registry().with(filter).with(stderr).with(file).try_init();
                    Some(guard)
                }
                Err(e) => {
                    let _ = tracing_subscriber::registry().with(filter).with(stderr).try_init();
                    tracing::warn!(dir = %dir.display(), error = %e, "cannot write log files there; logging to stderr only");
                    None
                }
            }
        }
        None => {
            let _ = tracing_subscriber::registry().with(filter).with(stderr).try_init();
            None
        }
    }
}
