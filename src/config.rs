//! The server's settings (`suratd.yaml`): where the share and the database
//! are, how to watch, where logs go. Every key has a built-in default, so
//! suratd runs with no file at all.

use crate::util::durations::HumanDuration;
use crate::util::yaml::{self, Diagnostic, Diagnostics};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod web;
use web::RawWeb;
pub use web::Web;

/// Where `--config` points when not given, if the file exists.
pub const DEFAULT_CONFIG: &str = "/etc/suratd/suratd.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    root: Option<Spanned<PathBuf>>,
    database: Option<Spanned<PathBuf>>,
    workflow: Option<Spanned<PathBuf>>,
    smtp: Option<RawSmtp>,
    #[serde(default)]
    sender: RawSender,
    #[serde(default)]
    watch: RawWatch,
    #[serde(default)]
    processing: RawProcessing,
    #[serde(default)]
    alerts: RawAlerts,
    #[serde(default)]
    log: RawLog,
    outbox_dir: Option<PathBuf>,
    #[serde(default)]
    admins: Vec<Spanned<String>>,
    #[serde(default)]
    trust_anchors: Vec<PathBuf>,
    max_attachment: Option<Spanned<String>>,
    unknown_owner: Option<UnknownOwner>,
    share_path: Option<String>,
    #[serde(default)]
    samba: RawSamba,
    #[serde(default)]
    convert: RawConvert,
    #[serde(default)]
    web: RawWeb,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConvert {
    soffice: Option<PathBuf>,
    max_parallel: Option<Spanned<usize>>,
    timeout: Option<Spanned<HumanDuration>>,
}

/// Word and OpenDocument drafts converted to PDF by LibreOffice.
#[derive(Debug, Clone)]
pub struct Convert {
    /// The program (`soffice`); none: looked up on `PATH`.
    pub soffice: Option<PathBuf>,
    /// Conversions at once (each in a LibreOffice profile of its own).
    pub max_parallel: usize,
    /// Time limit of one conversion; `processing.timeout` when not given.
    pub timeout: Duration,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSamba {
    audit_log: Option<Spanned<String>>,
    audit_wait: Option<Spanned<HumanDuration>>,
}

/// Samba's `full_audit` records: who made each move on the share.
#[derive(Debug, Clone)]
pub struct Samba {
    /// A path or glob of the files smbd writes its audit records to
    /// (rotated `.old` files included); none: actors of moves are unverified.
    pub audit_log: Option<glob::Pattern>,
    /// How long a move or new file waits for its audit record.
    pub audit_wait: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    pub from: Option<String>,
    /// Time limit for one delivery attempt.
    pub timeout: Option<HumanDuration>,
    /// First delay before a retry; it doubles each time, up to an hour.
    pub retry: Option<HumanDuration>,
    /// A CA certificate (PEM) to trust for the mail server, besides the
    /// public roots (an office's own CA).
    pub ca_file: Option<PathBuf>,
}

/// `sender`: the office's mailbox that emails come from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSender {
    name: Option<String>,
    address: Option<Spanned<String>>,
}

/// Who emails come from: the office's mailbox, as `sender` in the config
/// says; what it leaves out is filled in by [`Config::sender_address`] and
/// the worker (the office's name from the workflow).
#[derive(Debug, Clone, Default)]
pub struct Sender {
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWatch {
    mode: Option<WatchMode>,
    poll_interval: Option<Spanned<HumanDuration>>,
    settle: Option<Spanned<HumanDuration>>,
    rescan: Option<Spanned<HumanDuration>>,
    ignore: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcessing {
    attempts: Option<Spanned<u32>>,
    timeout: Option<Spanned<HumanDuration>>,
    parse_grace: Option<Spanned<HumanDuration>>,
    note_wait: Option<Spanned<HumanDuration>>,
    sidecar_wait: Option<Spanned<HumanDuration>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    mail_after: Option<Spanned<HumanDuration>>,
    disk_min_free: Option<Spanned<String>>,
}

/// When the admins are told something is wrong with the server.
#[derive(Debug, Clone)]
pub struct Alerts {
    /// An email still unsent after this long means the mail server is unreachable.
    pub mail_after: Duration,
    /// Less free space than this (bytes) on the share or beside the database.
    pub disk_min_free: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    dir: Option<PathBuf>,
    level: Option<Spanned<String>>,
    keep_days: Option<u32>,
}

/// How suratd learns that files changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchMode {
    /// Events on local disks, polling on network mounts (cifs, nfs, fuse...).
    #[default]
    Auto,
    /// Kernel file events (inotify).
    Events,
    /// Look at the folders every `poll_interval`.
    Poll,
}

/// What to do with a new file whose owner is nobody in workflow.yaml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownOwner {
    #[default]
    Allow,
    Refuse,
}

/// Temporary and system files that are never letters.
pub const DEFAULT_IGNORE: &[&str] = &[
    "~$*",
    "*.tmp",
    "*.TMP",
    ".~lock*",
    "~*.tmp",
    "Thumbs.db",
    "desktop.ini",
    ".DS_Store",
    "._*",
    "*.part",
    "*.crdownload",
    ".smbdelete*",
];

#[derive(Debug, Clone)]
pub struct Watch {
    pub mode: WatchMode,
    pub poll_interval: Duration,
    pub settle: Duration,
    /// A full scan of every folder this often, as a safety net.
    pub rescan: Duration,
    pub ignore: Vec<glob::Pattern>,
}

#[derive(Debug, Clone)]
pub struct Processing {
    /// Attempts at one file before it is set aside.
    pub attempts: u32,
    /// Time limit for checking one file.
    pub timeout: Duration,
    /// How long a PDF that does not parse is retried (it may still be copying).
    pub parse_grace: Duration,
    /// How long a `revisi` waits for the reviewer's note to arrive.
    pub note_wait: Duration,
    /// How long a new draft waits for its sidecar (`.yaml`) to arrive.
    pub sidecar_wait: Duration,
}

#[derive(Debug, Clone)]
pub struct Log {
    pub dir: Option<PathBuf>,
    pub level: String,
    pub keep_days: u32,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file read, if any.
    pub source: Option<PathBuf>,
    pub root: PathBuf,
    pub database: PathBuf,
    pub workflow: Option<PathBuf>,
    pub smtp: Option<RawSmtp>,
    pub sender: Sender,
    pub watch: Watch,
    pub processing: Processing,
    pub alerts: Alerts,
    pub log: Log,
    pub outbox_dir: PathBuf,
    pub admins: Vec<String>,
    pub trust_anchors: Vec<PathBuf>,
    pub max_attachment: u64,
    pub unknown_owner: UnknownOwner,
    pub share_path: String,
    pub samba: Samba,
    pub convert: Convert,
    pub web: Web,
}

/// Command-line overrides (`--root`, `--workflow`, `--db`).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub root: Option<PathBuf>,
    pub workflow: Option<PathBuf>,
    pub database: Option<PathBuf>,
}

impl Config {
    /// Loads `path` (or `/etc/suratd/suratd.yaml` when it exists, or the
    /// built-in defaults) and applies the overrides. Relative paths in a file
    /// are taken relative to the file's folder.
    pub fn load(path: Option<&Path>, ov: &Overrides) -> Result<Config, Diagnostics> {
        let chosen: Option<PathBuf> = match path {
            Some(p) => Some(p.to_path_buf()),
            None if Path::new(DEFAULT_CONFIG).exists() => Some(PathBuf::from(DEFAULT_CONFIG)),
            None => None,
        };
        let (raw, base, label) = match &chosen {
            Some(p) => {
                let label = p.display().to_string();
                let text =
                    crate::workflow::read_text(p).map_err(|m| Diagnostics(vec![Diagnostic::error(&label, None, m)]))?;
                let raw: RawConfig = yaml::parse(&label, &text).map_err(|d| Diagnostics(vec![d]))?;
                let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
                (raw, base, label)
            }
            None => (RawConfig::default(), PathBuf::from("."), "<built-in defaults>".into()),
        };
        resolve(raw, &base, &label, chosen, ov)
    }
}

fn resolve(
    raw: RawConfig,
    base: &Path,
    label: &str,
    source: Option<PathBuf>,
    ov: &Overrides,
) -> Result<Config, Diagnostics> {
    let mut diags = Vec::new();
    let root = ov
        .root
        .clone()
        .or_else(|| raw.root.as_ref().map(|r| abs(base, &r.value)))
        .unwrap_or_else(|| PathBuf::from("SuratKeluar"));
    let database = ov
        .database
        .clone()
        .or_else(|| raw.database.as_ref().map(|r| abs(base, &r.value)))
        .unwrap_or_else(|| PathBuf::from("suratd-data/suratd.db"));
    let workflow = ov.workflow.clone().or_else(|| raw.workflow.as_ref().map(|r| abs(base, &r.value)));
    database_off_share(&mut diags, label, &raw, &root, &database);
    let watch = watch(&mut diags, label, &raw.watch);
    let processing = processing(&mut diags, label, &raw.processing);
    let log = log(&mut diags, label, &raw.log, base);
    admins(&mut diags, label, &raw.admins);
    let max_attachment = max_attachment(&mut diags, label, &raw.max_attachment);
    let alerts = alerts(&mut diags, label, &raw.alerts);
    let samba = samba(&mut diags, label, &raw.samba, base);
    let sender = sender(&mut diags, label, &raw.sender, raw.smtp.as_ref());
    let convert = convert(&mut diags, label, &raw.convert, base, processing.timeout);
    let web = web::resolve(&mut diags, label, &raw.web, base, &database);
    let outbox_dir = raw
        .outbox_dir
        .as_ref()
        .map(|p| abs(base, p))
        .unwrap_or_else(|| database.parent().unwrap_or(Path::new(".")).join("outbox"));

    if diags.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diags));
    }
    Ok(Config {
        source,
        root,
        database,
        workflow,
        smtp: raw.smtp,
        sender,
        watch,
        processing,
        alerts,
        log,
        outbox_dir,
        admins: raw.admins.into_iter().map(|a| a.value).collect(),
        trust_anchors: raw.trust_anchors.iter().map(|p| abs(base, p)).collect(),
        max_attachment,
        unknown_owner: raw.unknown_owner.unwrap_or_default(),
        share_path: raw.share_path.unwrap_or_else(|| "\\\\server\\SuratKeluar".into()),
        samba,
        convert,
        web,
    })
}

/// The address in `smtp.from`, written as an address or the way mail
/// programs show a sender (`Sekretariat <surat@bps.go.id>`); `None` when it
/// is neither.
fn from_address(from: &str) -> Option<String> {
    let from = from.trim();
    if let Ok(a) = from.parse::<lettre::Address>() {
        return Some(a.to_string());
    }
    from.parse::<lettre::message::Mailbox>().ok().map(|m| m.email.to_string())
}

/// The sender's address is an email address; its name one line. So is
/// `smtp.from`, the address used when `sender.address` is not set.
fn sender(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawSender, smtp: Option<&RawSmtp>) -> Sender {
    if let Some(from) = smtp.and_then(|s| s.from.as_deref())
        && from_address(from).is_none()
    {
        let msg =
            format!("smtp.from {from:?} is not an email address; write the office's mailbox, e.g. surat@bps.go.id");
        diags.push(Diagnostic::error(label, None, msg));
    }
    if let Some(a) = &raw.address
        && a.value.trim().parse::<lettre::Address>().is_err()
    {
        let msg = format!(
            "sender.address {:?} is not an email address; write the office's mailbox, e.g. surat@bps.go.id",
            a.value
        );
        diags.push(Diagnostic::error(label, Some(&a.referenced), msg));
    }
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    Sender {
        name: raw.name.as_deref().map(one_line).filter(|n| !n.is_empty()),
        address: raw.address.as_ref().map(|a| a.value.trim().to_string()),
    }
}

impl Config {
    /// The address emails come from: `sender.address`, else `smtp.from`,
    /// else `surat-keluar@` the mail server (or this machine); and whether
    /// one was configured (`suratd check` warns when not).
    pub fn sender_address(&self) -> (String, bool) {
        let configured = self
            .sender
            .address
            .clone()
            .or_else(|| self.smtp.as_ref().and_then(|s| s.from.as_deref()).and_then(from_address));
        match configured {
            Some(a) => (a, true),
            None => {
                let host = match &self.smtp {
                    Some(s) => s.host.clone(),
                    None => std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string(),
                };
                let host = if host.is_empty()
                    || host.eq_ignore_ascii_case("localhost")
                    || host.parse::<std::net::IpAddr>().is_ok()
                {
                    "surat-keluar.invalid".to_string()
                } else {
                    host
                };
                (format!("surat-keluar@{host}"), false)
            }
        }
    }
}

/// `p` as written in the file: relative paths are taken from the file's folder.
fn abs(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() { p.to_path_buf() } else { base.join(p) }
}

/// A duration as written, or `d` when not given.
fn dur(v: &Option<Spanned<HumanDuration>>, d: Duration) -> Duration {
    v.as_ref().map(|x| x.value.0).unwrap_or(d)
}

/// The database must never live on the share.
fn database_off_share(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawConfig, root: &Path, database: &Path) {
    if let (Ok(r), Some(dbdir)) = (
        std::fs::canonicalize(root),
        database.parent().and_then(|d| {
            let d = if d.as_os_str().is_empty() { Path::new(".") } else { d };
            std::fs::canonicalize(d).ok()
        }),
    ) && dbdir.starts_with(&r)
    {
        let loc = raw.database.as_ref().map(|d| d.referenced);
        diags.push(Diagnostic::error(label, loc.as_ref(), format!(
            "database {} is inside the share {}; keep it on the server's local disk (e.g. /var/lib/suratd/suratd.db)",
            database.display(),
            root.display()
        )));
    }
}

/// Ignore patterns that are globs, and intervals of at least 100ms.
fn watch(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawWatch) -> Watch {
    let mut ignore = Vec::new();
    match &raw.ignore {
        None => {
            for g in DEFAULT_IGNORE {
                ignore.push(glob::Pattern::new(g).expect("built-in glob"));
            }
        }
        Some(list) => {
            for g in list {
                match glob::Pattern::new(&g.value) {
                    Ok(p) => ignore.push(p),
                    Err(e) => diags.push(Diagnostic::error(
                        label,
                        Some(&g.referenced),
                        format!("watch.ignore pattern {:?} is not a valid glob: {e}", g.value),
                    )),
                }
            }
        }
    }
    let settle = dur(&raw.settle, Duration::from_secs(2));
    let poll_interval = dur(&raw.poll_interval, Duration::from_secs(2));
    for (name, v) in
        [("watch.settle", &raw.settle), ("watch.poll_interval", &raw.poll_interval), ("watch.rescan", &raw.rescan)]
    {
        if let Some(v) = v
            && v.value.0 < Duration::from_millis(100)
        {
            diags.push(Diagnostic::error(label, Some(&v.referenced), format!("{name} must be at least 100ms")));
        }
    }
    Watch {
        mode: raw.mode.unwrap_or_default(),
        poll_interval,
        settle,
        rescan: dur(&raw.rescan, Duration::from_secs(300)),
        ignore,
    }
}

/// Between 1 and 100 attempts at a file.
fn processing(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawProcessing) -> Processing {
    let attempts = raw.attempts.as_ref().map(|a| a.value).unwrap_or(3);
    if let Some(a) = &raw.attempts
        && !(1..=100).contains(&a.value)
    {
        diags.push(Diagnostic::error(label, Some(&a.referenced), "processing.attempts must be between 1 and 100"));
    }
    Processing {
        attempts,
        timeout: dur(&raw.timeout, Duration::from_secs(60)),
        parse_grace: dur(&raw.parse_grace, Duration::from_secs(30)),
        note_wait: dur(&raw.note_wait, Duration::from_secs(5)),
        sidecar_wait: dur(&raw.sidecar_wait, Duration::from_secs(1)),
    }
}

/// The audit log is a valid glob of absolute paths; the wait is at most a minute.
fn samba(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawSamba, base: &Path) -> Samba {
    let audit_log = raw.audit_log.as_ref().and_then(|g| {
        let path = abs(base, Path::new(&g.value));
        match glob::Pattern::new(&path.to_string_lossy()) {
            Ok(p) => Some(p),
            Err(e) => {
                diags.push(Diagnostic::error(
                    label,
                    Some(&g.referenced),
                    format!(
                        "samba.audit_log {:?} is not a valid path or glob: {e}; write for example /var/log/samba/log.smbd*",
                        g.value
                    ),
                ));
                None
            }
        }
    });
    let audit_wait = dur(&raw.audit_wait, Duration::from_secs(3));
    if let Some(w) = &raw.audit_wait
        && w.value.0 > Duration::from_secs(60)
    {
        diags.push(Diagnostic::error(
            label,
            Some(&w.referenced),
            "samba.audit_wait must be at most 1m (every move waits this long for a record that does not come)",
        ));
    }
    Samba { audit_log, audit_wait }
}

/// Between 1 and 8 conversions at once; a time limit within the file's own.
fn convert(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawConvert, base: &Path, processing: Duration) -> Convert {
    let max_parallel = raw.max_parallel.as_ref().map(|m| m.value).unwrap_or(1);
    if let Some(m) = &raw.max_parallel
        && !(1..=8).contains(&m.value)
    {
        diags.push(Diagnostic::error(
            label,
            Some(&m.referenced),
            "convert.max_parallel must be between 1 and 8 (each LibreOffice takes some 200 MB)",
        ));
    }
    let timeout = dur(&raw.timeout, processing);
    if let Some(t) = &raw.timeout
        && t.value.0 > processing
    {
        diags.push(Diagnostic::error(
            label,
            Some(&t.referenced),
            "convert.timeout must not be longer than processing.timeout (the watchdog allows no more)",
        ));
    }
    Convert { soffice: raw.soffice.as_ref().map(|p| abs(base, p)), max_parallel, timeout }
}

/// A known log level.
fn log(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawLog, base: &Path) -> Log {
    let level = raw.level.as_ref().map(|l| l.value.clone()).unwrap_or_else(|| "info".into());
    if let Some(l) = &raw.level
        && !["error", "warn", "info", "debug", "trace"].contains(&l.value.as_str())
    {
        diags.push(Diagnostic::error(
            label,
            Some(&l.referenced),
            format!("log.level {:?} must be one of error, warn, info, debug, trace", l.value),
        ));
    }
    Log { dir: raw.dir.as_ref().map(|p| abs(base, p)), level, keep_days: raw.keep_days.unwrap_or(30) }
}

/// Admins' addresses are email addresses.
fn admins(diags: &mut Vec<Diagnostic>, label: &str, admins: &[Spanned<String>]) {
    for a in admins {
        if let Some(p) = crate::letter::metadata::email_problem(&a.value) {
            diags.push(Diagnostic::error(label, Some(&a.referenced), format!("admins: {p}")));
        }
    }
}

/// The largest attachment, as a size.
fn max_attachment(diags: &mut Vec<Diagnostic>, label: &str, raw: &Option<Spanned<String>>) -> u64 {
    match raw {
        None => 10 * 1024 * 1024,
        Some(s) => match parse_size(&s.value) {
            Some(n) => n,
            None => {
                diags.push(Diagnostic::error(
                    label,
                    Some(&s.referenced),
                    format!("max_attachment {:?} is not a size; write for example 10MB or 500KB", s.value),
                ));
                0
            }
        },
    }
}

/// The free space below which the admins are told, as a size.
fn alerts(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawAlerts) -> Alerts {
    let disk_min_free = match &raw.disk_min_free {
        None => 1024 * 1024 * 1024,
        Some(s) => parse_size(&s.value).unwrap_or_else(|| {
            diags.push(Diagnostic::error(
                label,
                Some(&s.referenced),
                format!("alerts.disk_min_free {:?} is not a size; write for example 1GB", s.value),
            ));
            0
        }),
    };
    Alerts { mail_after: dur(&raw.mail_after, Duration::from_secs(1800)), disk_min_free }
}

/// `10MB`, `500KB`, `1GB` or a plain number of bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" | "KIB" => 1024,
        "MB" | "M" | "MIB" => 1024 * 1024,
        "GB" | "G" | "GIB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

impl Config {
    /// Whether `name` (a file name, not a path) is a temporary or system file.
    pub fn ignored(&self, name: &str) -> bool {
        self.watch.ignore.iter().any(|p| p.matches(name))
    }

    /// Folder of the version store, beside the database.
    pub fn store_dir(&self) -> PathBuf {
        self.database.parent().unwrap_or(Path::new(".")).join("store")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file() {
        let c = Config::load(None, &Overrides::default());
        // /etc/suratd/suratd.yaml does not exist on a test machine.
        let c = c.unwrap();
        assert_eq!(c.watch.settle, Duration::from_secs(2));
        assert!(c.ignored("~$Undangan.docx"));
        assert!(c.ignored("Thumbs.db"));
        assert!(c.ignored("._x.pdf"));
        assert!(!c.ignored("Undangan.pdf"));
    }

    #[test]
    fn bad_values_point_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("suratd.yaml");
        std::fs::write(&p, "root: /srv/x\nwatch:\n  settle: 2 detik\n  ignore: ['[']\nlog:\n  level: loud\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("suratd.yaml:3:11:"), "{text}");
    }

    #[test]
    fn unknown_key_and_database_on_share_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("suratd.yaml");
        std::fs::write(&p, "rot: /srv/x\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains(":1:1: unknown field `rot`"), "{e}");

        std::fs::create_dir_all(dir.path().join("share")).unwrap();
        std::fs::write(&p, "root: share\ndatabase: share/db.sqlite\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains(":2:11: database"), "{e}");
    }

    #[test]
    fn samba_audit_settings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("suratd.yaml");
        let c = Config::load(None, &Overrides::default()).unwrap();
        assert!(c.samba.audit_log.is_none(), "no audit log by default");
        assert_eq!(c.samba.audit_wait, Duration::from_secs(3));
        std::fs::write(&p, "samba:\n  audit_log: logs/log.smbd*\n  audit_wait: 5s\n").unwrap();
        let c = Config::load(Some(&p), &Overrides::default()).unwrap();
        let want = format!("{}/logs/log.smbd*", dir.path().display());
        assert_eq!(c.samba.audit_log.unwrap().as_str(), want, "relative to the file's folder");
        assert_eq!(c.samba.audit_wait, Duration::from_secs(5));
        std::fs::write(&p, "samba:\n  audit_log: '/var/log/[x'\n  audit_wait: 2m\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("suratd.yaml:2:14: samba.audit_log"), "{e}");
        assert!(e.contains("suratd.yaml:3:15: samba.audit_wait must be at most 1m"), "{e}");
    }

    /// An admin writes `smtp.from` the way mail programs show a sender,
    /// `Name <address>` (which suratd took before `sender` existed): the
    /// email worker could not make an address of it and never started, so
    /// every email stayed in the outbox, while `suratd check` said nothing.
    #[test]
    fn attack_smtp_from_with_a_display_name_stops_every_email() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("suratd.yaml");
        let smtp = "smtp:\n  host: mail.bps.go.id\n  from: \"Sekretariat BPS <surat@bps.go.id>\"\n";
        std::fs::write(&p, smtp).unwrap();
        let c = Config::load(Some(&p), &Overrides::default()).unwrap();
        assert_eq!(c.sender_address(), ("surat@bps.go.id".to_string(), true));
        let from = crate::mail::outbox::sender(&c, "BPS Provinsi Bengkulu").expect("the worker's sender");
        assert_eq!(from.email.to_string(), "surat@bps.go.id");
        // One that is no address at all is refused by `check`, not found
        // out by the worker.
        std::fs::write(&p, "smtp:\n  host: mail.bps.go.id\n  from: surat keluar\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("smtp.from"), "{e}");
    }

    #[test]
    fn convert_settings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("suratd.yaml");
        let c = Config::load(None, &Overrides::default()).unwrap();
        assert_eq!((c.convert.soffice, c.convert.max_parallel, c.convert.timeout), (None, 1, c.processing.timeout));
        std::fs::write(&p, "processing:\n  timeout: 30s\nconvert:\n  soffice: lo/soffice\n  max_parallel: 2\n")
            .unwrap();
        let c = Config::load(Some(&p), &Overrides::default()).unwrap();
        assert_eq!(c.convert.soffice, Some(dir.path().join("lo/soffice")), "relative to the file's folder");
        assert_eq!((c.convert.max_parallel, c.convert.timeout), (2, Duration::from_secs(30)));
        std::fs::write(&p, "processing:\n  timeout: 30s\nconvert:\n  max_parallel: 0\n  timeout: 1m\n").unwrap();
        let e = Config::load(Some(&p), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("suratd.yaml:4:17: convert.max_parallel must be between 1 and 8"), "{e}");
        assert!(e.contains("suratd.yaml:5:12: convert.timeout must not be longer than processing.timeout"), "{e}");
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10MB"), Some(10 * 1024 * 1024));
        assert_eq!(parse_size("500 KB"), Some(500 * 1024));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("ten"), None);
    }
}
