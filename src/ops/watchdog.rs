//! `suratd check`: does `processing.timeout` leave room within systemd's
//! watchdog? The service's `WatchdogSec` is found where it is set: this
//! process's `WATCHDOG_USEC` (under systemd), else the installed unit
//! (`systemctl show`, or its file in /etc/systemd/system and its drop-ins),
//! else the unit suratd ships. The rule itself ([`room`]) is a pure function.

use std::path::Path;
use std::time::Duration;

/// What the loop does around one file besides the limited work (the
/// database, moves, stamping): the room `processing.timeout` must leave.
pub const MARGIN: Duration = Duration::from_secs(15);

/// The unit suratd ships.
const SHIPPED_UNIT: &str = include_str!("../../systemd/suratd.service");
/// Where an admin installs it (systemd/INSTALL.md).
const INSTALLED_UNIT: &str = "/etc/systemd/system/suratd.service";

/// The service's watchdog time (`None`: off) and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watchdog {
    pub every: Option<Duration>,
    pub from: String,
}

/// How bad a timeout is against the watchdog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A file worked on for its whole limit gets the service killed.
    Error,
    /// Less than [`MARGIN`] is left for the rest of the work on a file.
    Warning,
}

/// Whether `timeout` leaves room within the watchdog: an error when a file
/// may take as long as the watchdog waits, a warning when less than
/// [`MARGIN`] is left; nothing when the watchdog is off.
pub fn room(timeout: Duration, dog: &Watchdog) -> Option<(Severity, String)> {
    let every = dog.every?;
    let (t, w) = (humantime::format_duration(timeout), humantime::format_duration(every));
    let fix = format!(
        "set processing.timeout below {} or WatchdogSec= of the unit to at least {} (systemctl edit suratd)",
        humantime::format_duration(every.saturating_sub(MARGIN)),
        humantime::format_duration(timeout + MARGIN)
    );
    if timeout >= every {
        return Some((
            Severity::Error,
            format!(
                "processing.timeout ({t}) is not shorter than the service's WatchdogSec ({w}, from {}): work \
                 on one slow file that stops answering for its whole time limit gets suratd killed and \
                 restarted, and each restart meets the same file; {fix}",
                dog.from
            ),
        ));
    }
    (timeout + MARGIN > every).then(|| {
        (
            Severity::Warning,
            format!(
                "processing.timeout ({t}) leaves less than {} within the service's WatchdogSec ({w}, from {}) \
                 for the rest of the work on a file (database, moves, stamps); {fix}",
                humantime::format_duration(MARGIN),
                dog.from
            ),
        )
    })
}

/// The service's watchdog time, from the first place that says it.
pub fn find() -> Watchdog {
    if let Some(usec) = std::env::var("WATCHDOG_USEC").ok().and_then(|v| v.parse::<u64>().ok()) {
        return Watchdog { every: (usec > 0).then(|| Duration::from_micros(usec)), from: "WATCHDOG_USEC".into() };
    }
    if let Some(every) = from_systemctl() {
        return Watchdog { every, from: "systemctl show suratd".into() };
    }
    if let Some((every, from)) = installed() {
        return Watchdog { every, from };
    }
    Watchdog { every: in_unit(SHIPPED_UNIT).flatten(), from: "the shipped systemd/suratd.service".into() }
}

/// `WatchdogSec=` of the installed unit, its drop-ins (`systemctl edit`
/// writes one) overriding it in the order systemd reads them.
fn installed() -> Option<(Option<Duration>, String)> {
    let mut found =
        std::fs::read_to_string(INSTALLED_UNIT).ok().and_then(|t| in_unit(&t)).map(|e| (e, INSTALLED_UNIT.into()));
    let mut confs: Vec<std::path::PathBuf> = std::fs::read_dir(format!("{INSTALLED_UNIT}.d"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    confs.sort();
    for c in confs {
        if let Some(every) = std::fs::read_to_string(&c).ok().and_then(|t| in_unit(&t)) {
            found = Some((every, c.display().to_string()));
        }
    }
    found
}

/// `WatchdogUSec` of the loaded unit, when systemctl runs and knows it.
fn from_systemctl() -> Option<Option<Duration>> {
    if !Path::new("/run/systemd/system").is_dir() {
        return None;
    }
    let out = std::process::Command::new("systemctl")
        .args(["show", "--no-pager", "-p", "LoadState", "-p", "WatchdogUSec", "suratd"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=').map(str::trim));
    if !out.status.success() || value("LoadState") != Some("loaded") {
        return None;
    }
    value("WatchdogUSec").map(span)
}

/// The `WatchdogSec=` of a unit file's text (the last one counts, as in
/// systemd): `Some(None)` when it turns the watchdog off.
pub fn in_unit(text: &str) -> Option<Option<Duration>> {
    // systemd allows blanks around the `=`.
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("WatchdogSec")?.trim_start().strip_prefix('='))
        .map(|v| span(v.trim()))
}

/// A systemd time span (`60s`, `1min 30s`, a bare number of seconds,
/// `infinity`); `None` for zero, infinity or what cannot be read.
fn span(v: &str) -> Option<Duration> {
    let d = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(v).ok()?,
    };
    (!d.is_zero()).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dog(secs: u64) -> Watchdog {
        Watchdog { every: Some(Duration::from_secs(secs)), from: "test".into() }
    }

    #[test]
    fn a_timeout_as_long_as_the_watchdog_is_an_error_and_one_without_room_a_warning() {
        let s = Duration::from_secs;
        assert_eq!(room(s(60), &dog(60)).unwrap().0, Severity::Error);
        assert_eq!(room(s(90), &dog(60)).unwrap().0, Severity::Error);
        let (sev, text) = room(s(50), &dog(60)).unwrap();
        assert_eq!(sev, Severity::Warning);
        assert!(text.contains("below 45s") && text.contains("at least 1m 5s"), "{text}");
        assert_eq!(room(s(45), &dog(60)), None);
        assert_eq!(room(s(60), &dog(120)), None);
        assert_eq!(room(s(600), &Watchdog { every: None, from: "test".into() }), None);
    }

    #[test]
    fn watchdog_sec_is_read_from_a_unit_as_systemd_reads_it() {
        assert_eq!(in_unit("[Service]\nWatchdogSec=60s\n"), Some(Some(Duration::from_secs(60))));
        assert_eq!(in_unit("WatchdogSec=1min 30s\nX=1"), Some(Some(Duration::from_secs(90))));
        assert_eq!(in_unit("WatchdogSec=20\nWatchdogSec=2min\n"), Some(Some(Duration::from_secs(120))));
        assert_eq!(in_unit("WatchdogSec = 30s\n"), Some(Some(Duration::from_secs(30))));
        assert_eq!(in_unit("WatchdogSec=0\n"), Some(None));
        assert_eq!(in_unit("WatchdogSec=infinity\n"), Some(None));
        assert_eq!(in_unit("[Service]\nType=notify\n"), None);
        // The shipped unit leaves room for the shipped default.
        let shipped = in_unit(SHIPPED_UNIT).flatten().unwrap();
        assert_eq!(room(Duration::from_secs(60), &Watchdog { every: Some(shipped), from: "shipped".into() }), None);
    }
}
