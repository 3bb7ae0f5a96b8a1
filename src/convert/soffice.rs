//! LibreOffice headless as the converter of Word and OpenDocument drafts:
//! one document in, its PDF out. The document comes from the share, so
//! LibreOffice runs as a child kept on a short leash:
//!
//! * its own profile folder per slot (`lo-profile-N` in suratd's state
//!   folder, never shared by two conversions at once), written before each
//!   use with macros off and no links or external images fetched
//!   ([`PROFILE_SETTINGS`]), and its own `HOME` (`lo-home`);
//! * a minimal environment (no proxy variables; `LANG`, `PATH`, `HOME`,
//!   `TMPDIR` only);
//! * no network: a network namespace of its own ([`isolation`]) where the
//!   system allows one;
//! * a memory limit (address space) and no core files;
//! * a time limit: on expiry its whole process group (`soffice` starts
//!   `oosplash` and `soffice.bin`) is killed, and after any run every
//!   process of the group is killed and reaped (suratd makes itself their
//!   child subreaper) before the conversion returns;
//! * at most `max_parallel` at a time (the slots);
//! * the input copied into a private temporary folder under a fixed name
//!   (the share's name never reaches the command line) and read with the
//!   one import filter its extension names ([`FORMATS`]: an HTML or SVG
//!   file named `.docx` is refused, never imported as a web page that
//!   pulls in local files); the output read back with a size limit.
//!
//! Errors are typed ([`ConvertError`]) so the pipeline can turn each into a
//! reason or a retry.

use super::inspect::Refusal;
use crate::letter::reason::Reason;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The Debian package that provides the converter.
pub const PACKAGE: &str = "libreoffice-writer-nogui";
/// Where Debian's LibreOffice lives when `soffice` is not on `PATH`.
const FALLBACK: &str = "/usr/lib/libreoffice/program/soffice";
/// The largest PDF read back from a conversion.
pub const MAX_OUTPUT: u64 = 64 * 1024 * 1024;
/// The address space LibreOffice may use (a document that makes it greedy
/// fails instead of starving the server; a letter needs far less).
const MEMORY_LIMIT: u64 = 2 << 30;
/// How long the processes of a conversion may take to die once killed.
const REAP_LIMIT: Duration = Duration::from_secs(10);
/// How much of LibreOffice's error output an error keeps (its end).
const STDERR_TAIL: u64 = 2048;

/// `registrymodifications.xcu` items (officecfg keys) written into every
/// profile before use, one per line as LibreOffice itself writes them:
/// the highest macro security level and macros off
/// (`Common/Security/Scripting/MacroSecurityLevel` = 3,
/// `DisableMacrosExecution`), links and images from untrusted places not
/// loaded (`BlockUntrustedRefererLinks`), and linked content never updated
/// on load (`Writer/Content/Update/Link` = 2, `Calc/Content/Update/Link` =
/// 2: "never").
pub const PROFILE_SETTINGS: &[&str] = &[
    r#"<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>"#,
    r#"<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>"#,
    r#"<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>"#,
    r#"<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>"#,
    r#"<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>"#,
];

/// The formats converted: extension, and LibreOffice's import filter
/// for it (`--infilter`, so that its type detection never picks another
/// importer from what the bytes look like).
pub const FORMATS: &[(&str, &str)] = &[
    ("docx", "MS Word 2007 XML"),
    ("doc", "MS Word 97"),
    ("odt", "writer8"),
    ("fodt", "OpenDocument Text Flat XML"),
    ("rtf", "Rich Text Format"),
];

/// How the converter is set up (from `convert.*` in suratd.yaml).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `convert.soffice`: the program; none: `soffice` or `libreoffice`
    /// on `PATH`, else [`FALLBACK`].
    pub program: Option<PathBuf>,
    /// suratd's state folder (beside the database): profiles, `HOME`, and
    /// the private temporary folders live here.
    pub state_dir: PathBuf,
    /// `convert.max_parallel`: conversions at once.
    pub max_parallel: usize,
    /// `convert.timeout`: time limit of one conversion.
    pub timeout: Duration,
}

impl Settings {
    /// The settings of suratd.yaml; the state folder is the database's.
    pub(crate) fn from_config(cfg: &crate::config::Config) -> Settings {
        Settings {
            program: cfg.convert.soffice.clone(),
            state_dir: cfg.database.parent().unwrap_or(Path::new(".")).to_path_buf(),
            max_parallel: cfg.convert.max_parallel,
            timeout: cfg.convert.timeout,
        }
    }
}

/// Why a document was not converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("LibreOffice is not installed: {looked}; install {PACKAGE} (or set convert.soffice in suratd.yaml)")]
    NotInstalled { looked: String },
    #[error("LibreOffice took longer than {} and was stopped", humantime::format_duration(*after))]
    TimedOut { after: Duration },
    #[error("LibreOffice failed ({status}); it said: {stderr}")]
    Failed { status: String, stderr: String },
    #[error("LibreOffice wrote no PDF; it said: {stderr}")]
    NoOutput { stderr: String },
    #[error("the PDF LibreOffice wrote is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{name:?} is not a document suratd converts (it takes {})", FORMATS.iter().map(|f| format!(".{}", f.0)).collect::<Vec<_>>().join(", "))]
    Unsupported { name: String },
    #[error("cannot prepare {path} for LibreOffice: {error}; check that suratd may write its state folder")]
    Setup { path: PathBuf, error: String },
}

impl ConvertError {
    /// Whether trying again later may succeed (the file set aside only
    /// after `processing.attempts`), as opposed to a verdict on the file.
    pub fn retryable(&self) -> bool {
        matches!(self, ConvertError::TimedOut { .. } | ConvertError::Setup { .. })
    }

    /// The refusal a verdict on the file gives (its reason, and the detail
    /// people read); none for an error worth trying again.
    pub fn refusal(&self) -> Option<Refusal> {
        let detail = match self {
            ConvertError::TimedOut { .. } | ConvertError::Setup { .. } => return None,
            ConvertError::NotInstalled { .. } => return Some(Refusal::new(Reason::ConversionUnavailable, "")),
            ConvertError::Failed { .. } => "LibreOffice gagal membuka atau mengubah dokumen ini".to_string(),
            ConvertError::NoOutput { .. } => "LibreOffice tidak menghasilkan PDF dari dokumen ini".to_string(),
            ConvertError::TooLarge { limit } => format!("PDF hasilnya lebih besar dari {} MB", limit / (1024 * 1024)),
            ConvertError::Unsupported { .. } => "jenis dokumen ini tidak dapat diubah".to_string(),
        };
        Some(Refusal::new(Reason::ConversionFailed, detail))
    }
}

/// How LibreOffice is kept off the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// A network namespace of its own (suratd may create one: root or
    /// `CAP_SYS_ADMIN`).
    NetNamespace,
    /// A user namespace with a network namespace in it (an ordinary user).
    UserNetNamespace,
    /// Neither can be made here: only the profile keeps links unfetched.
    None,
}

impl Isolation {
    fn flags(self) -> Option<libc::c_int> {
        match self {
            Isolation::NetNamespace => Some(libc::CLONE_NEWNET),
            Isolation::UserNetNamespace => Some(libc::CLONE_NEWUSER | libc::CLONE_NEWNET),
            Isolation::None => None,
        }
    }
}

/// The isolation this process can give its children, tried once (a
/// child `/bin/sh -c :` started in each kind of namespace).
pub fn isolation() -> Isolation {
    static ONCE: OnceLock<Isolation> = OnceLock::new();
    *ONCE.get_or_init(|| {
        [Isolation::NetNamespace, Isolation::UserNetNamespace]
            .into_iter()
            .find(|i| {
                let mut probe = Command::new("/bin/sh");
                probe.args(["-c", ":"]).stdout(Stdio::null()).stderr(Stdio::null());
                in_namespace(&mut probe, *i);
                probe.status().is_ok_and(|s| s.success())
            })
            .unwrap_or(Isolation::None)
    })
}

/// Makes `cmd` start in the namespaces of `isolation`.
fn in_namespace(cmd: &mut Command, isolation: Isolation) {
    if let Some(flags) = isolation.flags() {
        // SAFETY: unshare is one system call, safe between fork and exec.
        unsafe {
            cmd.pre_exec(move || if libc::unshare(flags) == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) });
        }
    }
}

/// The program to run: the configured one, which must exist, or the first
/// of `soffice`, `libreoffice` on `PATH`, or Debian's own path.
pub fn locate(configured: Option<&Path>) -> Result<PathBuf, ConvertError> {
    if let Some(p) = configured {
        return match std::fs::metadata(p) {
            Ok(m) if m.is_file() => Ok(p.to_path_buf()),
            Ok(_) => {
                Err(ConvertError::NotInstalled { looked: format!("convert.soffice {} is not a file", p.display()) })
            }
            Err(e) => Err(ConvertError::NotInstalled { looked: format!("convert.soffice {}: {e}", p.display()) }),
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path)
        .flat_map(|d| ["soffice", "libreoffice"].map(|n| d.join(n)))
        .chain([PathBuf::from(FALLBACK)])
        .find(|p| p.is_file());
    on_path.ok_or_else(|| ConvertError::NotInstalled {
        looked: format!("no soffice or libreoffice on PATH, and no {FALLBACK}"),
    })
}

/// The converter: settings, the program found (looked up once), and the
/// slots that bound how many conversions run at once.
pub struct Converter {
    settings: Settings,
    program: OnceLock<Result<PathBuf, ConvertError>>,
    slots: Slots,
}

impl Converter {
    pub fn new(settings: Settings) -> Converter {
        let slots = Slots::new(settings.max_parallel.max(1));
        Converter { settings, program: OnceLock::new(), slots }
    }

    /// The program, or why there is none; looked up on the first call and
    /// remembered (what the pipeline asks before taking a Word draft, and
    /// what `suratd check` and start-up report).
    pub fn available(&self) -> Result<&Path, &ConvertError> {
        self.program.get_or_init(|| locate(self.settings.program.as_deref())).as_ref().map(PathBuf::as_path)
    }

    /// What an admin should know before Word drafts arrive (`suratd check`
    /// and start-up print these as warnings): no converter, so Word and
    /// OpenDocument drafts will be refused; no network namespace, so only
    /// the profile keeps LibreOffice from fetching what a document links.
    pub fn warnings(&self) -> Vec<String> {
        if let Err(e) = self.available() {
            return vec![format!(
                "{e}: Word and OpenDocument drafts (.docx, .odt, .doc, .rtf) will be refused; \
                 install it with `apt-get install {PACKAGE} fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2`"
            )];
        }
        match isolation() {
            Isolation::None => vec![
                "LibreOffice runs without a network namespace of its own (none can be made here: neither as root \
                 nor in a user namespace; under systemd, `RestrictNamespaces=` must allow `user net`): only its \
                 profile keeps it from fetching images and links a document points to"
                    .into(),
            ],
            _ => Vec::new(),
        }
    }

    /// Converts `bytes`, a document whose file name was `name` (only its
    /// extension is used: it tells LibreOffice the format), to PDF.
    pub fn convert(&self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, ConvertError> {
        let program = self.available().map_err(Clone::clone)?.to_path_buf();
        let (ext, filter) = format_of(name)?;
        let slot = self.slots.acquire();
        let profile = self.settings.state_dir.join(format!("lo-profile-{}", slot.index));
        prepare_profile(&profile)?;
        let home = self.settings.state_dir.join("lo-home");
        let work_root = self.settings.state_dir.join("lo-work");
        for d in [&home, &work_root] {
            std::fs::create_dir_all(d).map_err(|e| setup(d, e))?;
        }
        let work = tempfile::Builder::new().prefix("job-").tempdir_in(&work_root).map_err(|e| setup(&work_root, e))?;
        let input = work.path().join(format!("surat.{ext}"));
        std::fs::write(&input, bytes).map_err(|e| setup(&input, e))?;
        let job = Job { program: &program, profile: &profile, home: &home, work: work.path(), input: &input, filter };
        let started = Instant::now();
        let status = run(job.command()?, self.settings.timeout)?;
        tracing::debug!(slot = slot.index, elapsed_ms = started.elapsed().as_millis() as u64, %status, "LibreOffice ran");
        let stderr = tail(&work.path().join("stderr.txt"));
        let out = work.path().join("out/surat.pdf");
        if !status.success() {
            return Err(ConvertError::Failed { status: status.to_string(), stderr });
        }
        read_capped(&out, MAX_OUTPUT).map_err(|e| match e {
            Some(e) => e,
            None => ConvertError::NoOutput { stderr },
        })
    }
}

fn setup(path: &Path, e: std::io::Error) -> ConvertError {
    ConvertError::Setup { path: path.to_path_buf(), error: e.to_string() }
}

/// The format of a file named `name`, by its extension (in any case).
pub fn format_of(name: &str) -> Result<(&'static str, &'static str), ConvertError> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    FORMATS.iter().find(|f| f.0 == ext).copied().ok_or_else(|| ConvertError::Unsupported { name: name.to_string() })
}

/// `path` as a `file://` URL (bytes other than unreserved ones and `/`
/// percent-encoded).
fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Makes `profile` ready for a run: the settings of [`PROFILE_SETTINGS`]
/// present (the file rewritten with only them when any is missing or
/// changed), and no lock left by a run that was killed (the slot is ours).
fn prepare_profile(profile: &Path) -> Result<(), ConvertError> {
    let user = profile.join("user");
    std::fs::create_dir_all(&user).map_err(|e| setup(&user, e))?;
    let xcu = user.join("registrymodifications.xcu");
    let current = std::fs::read_to_string(&xcu).unwrap_or_default();
    if !PROFILE_SETTINGS.iter().all(|s| current.lines().any(|l| l.trim() == *s)) {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n{}\n</oor:items>\n",
            PROFILE_SETTINGS.join("\n")
        );
        std::fs::write(&xcu, text).map_err(|e| setup(&xcu, e))?;
    }
    match std::fs::remove_file(user.join(".lock")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(setup(&user.join(".lock"), e)),
        _ => Ok(()),
    }
}

/// One conversion's paths.
struct Job<'a> {
    program: &'a Path,
    profile: &'a Path,
    home: &'a Path,
    work: &'a Path,
    input: &'a Path,
    filter: &'a str,
}

impl Job<'_> {
    /// The command: headless, this profile, output into `work/out`, a
    /// minimal environment, its own process group, no network.
    fn command(&self) -> Result<Command, ConvertError> {
        let err_path = self.work.join("stderr.txt");
        let stderr = std::fs::File::create(&err_path).map_err(|e| setup(&err_path, e))?;
        let mut cmd = Command::new(self.program);
        cmd.arg(format!("-env:UserInstallation={}", file_url(self.profile)))
            .args(["--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck"])
            .arg(format!("--infilter={}", self.filter))
            .args(["--convert-to", "pdf", "--outdir"])
            .arg(self.work.join("out"))
            .arg(self.input)
            .current_dir(self.work)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.home)
            .env("TMPDIR", self.work)
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0);
        // SAFETY: setrlimit is one system call, safe between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                use rustix::process::{Resource, Rlimit, setrlimit};
                let _ = setrlimit(Resource::As, Rlimit { current: Some(MEMORY_LIMIT), maximum: Some(MEMORY_LIMIT) });
                let _ = setrlimit(Resource::Core, Rlimit { current: Some(0), maximum: Some(0) });
                Ok(())
            });
        }
        in_namespace(&mut cmd, isolation());
        Ok(cmd)
    }
}

/// Runs `cmd` to its end or until `limit` passes; either way its process
/// group is killed before the child is reaped (its zombie keeps the group
/// id from being reused), and what it started is reaped too, so nothing it
/// started stays behind.
fn run(mut cmd: Command, limit: Duration) -> Result<ExitStatus, ConvertError> {
    use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};
    // What the child starts and leaves (soffice.bin when oosplash is killed)
    // becomes this process's child, not init's, so it can be reaped here.
    let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
    let mut child =
        cmd.spawn().map_err(|e| ConvertError::Failed { status: "not started".into(), stderr: e.to_string() })?;
    let pid = Pid::from_raw(child.id() as i32).expect("a child's pid is positive");
    let deadline = Instant::now() + limit;
    let opts = WaitIdOptions::EXITED | WaitIdOptions::NOWAIT | WaitIdOptions::NOHANG;
    let timed_out = loop {
        if matches!(waitid(WaitId::Pid(pid), opts), Ok(Some(_)) | Err(_)) {
            break false;
        }
        let now = Instant::now();
        if now >= deadline {
            break true;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
    };
    let _ = kill_process_group(pid, Signal::KILL);
    let status = child.wait().map_err(|e| ConvertError::Failed { status: "lost".into(), stderr: e.to_string() })?;
    reap_group(pid);
    if timed_out { Err(ConvertError::TimedOut { after: limit }) } else { Ok(status) }
}

/// Kills and reaps the rest of the process group `pgid` (its members are
/// this process's children once their parents died: it is their
/// subreaper) until the group is empty: a signal is delivered when the
/// process next runs, so on a busy server a killed process may still run
/// for a moment. Gives up after [`REAP_LIMIT`] (a process stuck in the
/// kernel), with a warning.
fn reap_group(pgid: rustix::process::Pid) {
    use rustix::process::{Signal, WaitOptions, kill_process_group, test_kill_process_group, waitpgid};
    let until = Instant::now() + REAP_LIMIT;
    while test_kill_process_group(pgid).is_ok() {
        let _ = kill_process_group(pgid, Signal::KILL);
        if let Ok(Some(_)) = waitpgid(pgid, WaitOptions::NOHANG) {
            continue;
        }
        if Instant::now() >= until {
            tracing::warn!(pgid = pgid.as_raw_nonzero().get(), "LibreOffice's processes did not end after SIGKILL");
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The end of what LibreOffice wrote to its error output.
fn tail(path: &Path) -> String {
    use std::io::{Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else { return String::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = f.seek(SeekFrom::Start(len.saturating_sub(STDERR_TAIL)));
    let mut buf = Vec::new();
    let _ = f.take(STDERR_TAIL).read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).trim().to_string()
}

/// The file's bytes, at most `limit`; `Err(None)` when there is no file.
fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, Option<ConvertError>> {
    let f = std::fs::File::open(path).map_err(|_| None)?;
    let mut bytes = Vec::new();
    f.take(limit + 1).read_to_end(&mut bytes).map_err(|e| Some(setup(path, e)))?;
    if bytes.len() as u64 > limit {
        return Err(Some(ConvertError::TooLarge { limit }));
    }
    Ok(bytes)
}

/// Counting semaphore whose permits are numbered: the number picks the
/// profile folder, so two conversions never share one.
struct Slots {
    busy: Mutex<Vec<bool>>,
    freed: Condvar,
}

/// A slot held; given back when dropped.
struct Slot<'a> {
    slots: &'a Slots,
    index: usize,
}

impl Slots {
    fn new(n: usize) -> Slots {
        Slots { busy: Mutex::new(vec![false; n]), freed: Condvar::new() }
    }

    /// The lowest free slot, waiting until one is free.
    fn acquire(&self) -> Slot<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(index) = busy.iter().position(|b| !b) {
                busy[index] = true;
                return Slot { slots: self, index };
            }
            busy = self.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.slots.busy.lock().unwrap_or_else(|e| e.into_inner())[self.index] = false;
        self.slots.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_and_no_other() {
        assert_eq!(format_of("KP.650 Undangan.DOCX").unwrap(), ("docx", "MS Word 2007 XML"));
        assert_eq!(format_of("x.odt").unwrap().1, "writer8");
        for name in ["x.html", "x.svg", "x.pdf", "x.$(rm -rf)", "noext", "x.docm"] {
            assert_eq!(format_of(name).unwrap_err(), ConvertError::Unsupported { name: name.into() });
        }
    }

    #[test]
    fn profile_urls_are_encoded() {
        assert_eq!(file_url(Path::new("/var/lib/suratd/lo-profile-0")), "file:///var/lib/suratd/lo-profile-0");
        assert_eq!(file_url(Path::new("/srv/a b/%x")), "file:///srv/a%20b/%25x");
    }

    #[test]
    fn a_profile_gets_the_settings_back_and_loses_a_stale_lock() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lo-profile-0");
        prepare_profile(&p).unwrap();
        let xcu = p.join("user/registrymodifications.xcu");
        let text = std::fs::read_to_string(&xcu).unwrap();
        assert!(PROFILE_SETTINGS.iter().all(|s| text.contains(s)), "{text}");
        std::fs::write(&xcu, text.replace("<value>true</value>", "<value>false</value>")).unwrap();
        std::fs::write(p.join("user/.lock"), "host,pid").unwrap();
        prepare_profile(&p).unwrap();
        assert!(
            std::fs::read_to_string(&xcu).unwrap().contains("DisableMacrosExecution\" oor:op=\"fuse\"><value>true")
        );
        assert!(!p.join("user/.lock").exists());
    }

    #[test]
    fn a_configured_program_that_is_not_there_is_not_installed() {
        let e = locate(Some(Path::new("/nonexistent/soffice"))).unwrap_err();
        assert!(matches!(e, ConvertError::NotInstalled { .. }), "{e}");
        assert!(e.to_string().contains(PACKAGE), "{e}");
    }
}
