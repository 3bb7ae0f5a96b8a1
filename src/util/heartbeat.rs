//! The daemon's heartbeat to systemd's watchdog (`WATCHDOG=1`), reachable
//! from long but healthy waits: a PDF parsed or drawn within its time
//! limit, one file after another in a batch. Only a loop that really stopped
//! answering is then restarted. Does nothing until the daemon turns it on
//! (the watchdog is on for this process).

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often to ping, and when the last ping went.
static STATE: Mutex<Option<(Duration, Instant)>> = Mutex::new(None);

/// The longest a wait goes without a beat.
const SLICE: Duration = Duration::from_millis(200);

fn state() -> MutexGuard<'static, Option<(Duration, Instant)>> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Turns the heartbeat on: a ping at least every `every`.
pub fn start(every: Duration) {
    *state() = Some((every, Instant::now()));
}

/// Pings now (the loop's own timer).
pub fn ping() {
    if let Some((_, last)) = state().as_mut() {
        let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
        *last = Instant::now();
    }
}

/// Pings when the last ping is `every` old; a sign of life for `/healthz`
/// too (watchdog or not).
pub fn beat() {
    super::timing::tick();
    if let Some((every, last)) = state().as_mut()
        && last.elapsed() >= *every
    {
        let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
        *last = Instant::now();
    }
}

/// `rx.recv_timeout(limit)`, beating while it waits.
pub fn recv_timeout<T>(rx: &Receiver<T>, limit: Duration) -> Result<T, RecvTimeoutError> {
    let deadline = Instant::now() + limit;
    loop {
        beat();
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(SLICE)) {
            Err(RecvTimeoutError::Timeout) if !left.is_zero() && left > SLICE => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_in_slices_ends_at_its_limit_or_its_value() {
        let (tx, rx) = std::sync::mpsc::channel::<u8>();
        let t = Instant::now();
        assert_eq!(recv_timeout(&rx, Duration::from_millis(450)), Err(RecvTimeoutError::Timeout));
        assert!(t.elapsed() >= Duration::from_millis(450));
        tx.send(7).unwrap();
        assert_eq!(recv_timeout(&rx, Duration::from_secs(5)), Ok(7));
        drop(tx);
        assert_eq!(recv_timeout(&rx, Duration::from_secs(5)), Err(RecvTimeoutError::Disconnected));
    }
}
