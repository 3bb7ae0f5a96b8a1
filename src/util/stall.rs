//! Reads of the share within a time limit. A read on a network share whose
//! server stopped answering blocks in the kernel, and a thread blocked in
//! read(2) cannot be killed: the read runs on a thread of its own, the
//! loop waits for it at most the limit (feeding the watchdog meanwhile),
//! then goes on without it and the file is tried again later. At most
//! [`MAX_STUCK`] such threads are left waiting at once on one file system
//! (reads are grouped by their mount point): beyond that no new read on it
//! starts until one of them returns, and the log says so for the admin;
//! folders on other file systems go on. A file whose last read is still blocked is not read again until
//! that read returns: its retries would otherwise each leave a thread
//! behind, and one hung file would soon stop every read of the share.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many reads that passed their limit may still be blocked at once on
/// one file system.
pub const MAX_STUCK: usize = 8;

/// Reads that passed their limit and have not returned yet.
static STUCK: AtomicUsize = AtomicUsize::new(0);

/// What those reads were of (each named once), and their group (the file
/// system they are on).
static STUCK_ON: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn stuck_on() -> std::sync::MutexGuard<'static, Vec<(String, String)>> {
    STUCK_ON.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a read did not give its result.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Stalled {
    #[error("reading {what} took longer than {}: the share does not answer; it is tried again later", humantime::format_duration(*.limit))]
    TimedOut { what: String, limit: Duration },
    #[error(
        "{stuck} reads on the share have not returned (its server stopped answering?): {what} is not read until one does; check the share's mount, or restart suratd"
    )]
    TooMany { what: String, stuck: usize },
    #[error(
        "the last read of {what} has not returned yet (the share does not answer): it is read again once that read returns"
    )]
    StillStuck { what: String },
    #[error("reading {what} failed inside the reader (internal error)")]
    Panicked { what: String },
}

/// How many reads are stuck now.
pub fn stuck() -> usize {
    STUCK.load(Ordering::SeqCst)
}

/// Runs `read` (of `what`, named in errors, on the file system `group`) on
/// its own thread and waits at most `limit` for it.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    group: &str,
    read: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Stalled> {
    if stuck_on().iter().any(|(w, _)| w == what) {
        return Err(Stalled::StillStuck { what: what.into() });
    }
    let already = stuck_on().iter().filter(|(_, g)| g == group).count();
    if already >= MAX_STUCK {
        tracing::error!(
            stuck = already,
            file = what,
            "reads on the share are stuck; no new read starts until one returns"
        );
        return Err(Stalled::TooMany { what: what.into(), stuck: already });
    }
    // (finished, abandoned), so that exactly one side counts a stuck read
    // out again.
    let state = Arc::new(Mutex::new((false, false)));
    let (tx, rx) = std::sync::mpsc::channel();
    let theirs = state.clone();
    let name = what.to_string();
    let started = crate::util::workers::run(Box::new(move || {
        let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).ok();
        let mut s = theirs.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = true;
        if s.1 {
            let mut on = stuck_on();
            if let Some(i) = on.iter().position(|(w, _)| *w == name) {
                on.swap_remove(i);
            }
            drop(on);
            STUCK.fetch_sub(1, Ordering::SeqCst);
            tracing::info!(stuck = stuck(), "a stuck read on the share returned");
        }
        let _ = tx.send(v);
    }));
    if !started {
        tracing::error!("cannot start a thread to read the share");
        return Err(Stalled::Panicked { what: what.into() });
    }
    let got = match crate::util::heartbeat::recv_timeout(&rx, limit) {
        Ok(v) => v,
        Err(_) => {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            if !s.0 {
                s.1 = true;
                stuck_on().push((what.to_string(), group.to_string()));
                let n = STUCK.fetch_add(1, Ordering::SeqCst) + 1;
                tracing::warn!(
                    file = what,
                    stuck = n,
                    max = MAX_STUCK,
                    "a read on the share passed its time limit; its thread is left blocked"
                );
                return Err(Stalled::TimedOut { what: what.into(), limit });
            }
            drop(s);
            rx.recv().ok().flatten()
        }
    };
    got.ok_or_else(|| Stalled::Panicked { what: what.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A reader that blocks until told to go on, as read(2) on a share
    /// whose server stopped answering.
    fn blocking(go: mpsc::Receiver<()>) -> impl FnOnce() -> u8 + Send + 'static {
        move || {
            let _ = go.recv();
            7
        }
    }

    #[test]
    fn a_blocked_read_is_left_behind_and_counted_and_too_many_start_no_more() {
        let ms = Duration::from_millis;
        assert_eq!(within(ms(5000), "a", "/mnt", || 1u8), Ok(1));
        let mut release = Vec::new();
        for i in 0..MAX_STUCK {
            let (tx, rx) = mpsc::channel();
            release.push(tx);
            let e = within(ms(50), &format!("f{i}"), "/mnt", blocking(rx)).unwrap_err();
            assert!(matches!(e, Stalled::TimedOut { .. }), "{e}");
            assert_eq!(stuck(), i + 1);
        }
        // A file whose read is stuck is not read again meanwhile.
        let again = Arc::new(Mutex::new(false));
        let a = again.clone();
        let e = within(ms(5000), "f0", "/mnt", move || *a.lock().unwrap() = true).unwrap_err();
        assert_eq!(e, Stalled::StillStuck { what: "f0".into() });
        assert!(!*again.lock().unwrap());
        assert_eq!(stuck(), MAX_STUCK);
        // Full: the next read is not even started.
        let started = Arc::new(Mutex::new(false));
        let s = started.clone();
        let e = within(ms(5000), "g", "/mnt", move || *s.lock().unwrap() = true).unwrap_err();
        assert_eq!(e, Stalled::TooMany { what: "g".into(), stuck: MAX_STUCK });
        assert!(e.to_string().contains("8 reads on the share have not returned"), "{e}");
        assert!(!*started.lock().unwrap());
        // Another file system's reads go on.
        assert_eq!(within(ms(5000), "local", "/", || 3u8), Ok(3));
        // The share answers again: the stuck reads return and are counted out.
        for tx in release {
            tx.send(()).unwrap();
        }
        let t = std::time::Instant::now();
        while stuck() > 0 && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(ms(10));
        }
        assert_eq!(stuck(), 0);
        assert_eq!(within(ms(5000), "h", "/mnt", || 2u8), Ok(2));
        assert_eq!(
            within(ms(5000), "p", "/", || -> u8 { panic!("reader") }),
            Err(Stalled::Panicked { what: "p".into() })
        );
    }
}
