//! Who is asking the board. The users file (`suratd web passwd LOGIN`, one
//! `login:argon2-hash` per line, 0600 beside the database) names the people
//! of workflow.yaml who may log in. Once it exists every client logs in (a
//! session cookie from the login form, or HTTP Basic for programs); before,
//! the board is the server's admin's alone and answers loopback clients only.
//! Failed logins are limited per login and per client address.

use crate::config::Config;
use crate::workflow::Workflow;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The person asking: `login` is `None` for the server's admin before any
/// password is set (a loopback client, no users file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Viewer {
    pub login: Option<String>,
    /// Sees every letter, Rahasia ones too.
    pub admin: bool,
}

impl Viewer {
    pub(crate) fn server_admin() -> Viewer {
        Viewer { login: None, admin: true }
    }
}

/// Whether `login` is one of the board's admins: listed in `web.admins`,
/// or their email is one of `admins` (the addresses alerts go to).
pub(crate) fn is_admin(cfg: &Config, wf: &Workflow, login: &str) -> bool {
    if cfg.web.admins.iter().any(|a| a == login) {
        return true;
    }
    let email = wf.person(login).and_then(|p| p.email.as_deref());
    email.is_some_and(|e| cfg.admins.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// What `suratd check` says about the board's people: admins and users
/// who are not people of workflow.yaml (they cannot log in), and a users
/// file the service cannot read.
pub(crate) fn warnings(cfg: &Config, wf: &Workflow) -> Vec<String> {
    let mut out = Vec::new();
    for a in cfg.web.admins.iter().filter(|a| wf.person(a).is_none()) {
        out.push(format!("web.admins names {a:?}, who is not a person of {}; they cannot log in", wf.source));
    }
    match read_users(&cfg.web.users) {
        Ok(Some(users)) => {
            let mut unknown: Vec<&String> = users.keys().filter(|l| wf.person(l).is_none()).collect();
            unknown.sort();
            for l in unknown {
                out.push(format!(
                    "{} has a password for {l:?}, who is not a person of {}; they cannot log in to the web board",
                    cfg.web.users.display(),
                    wf.source
                ));
            }
        }
        Ok(None) => {}
        Err(e) => out.push(format!(
            "cannot read the web board's users file {}: {e}; nobody can log in (it must be readable by the service user)",
            cfg.web.users.display()
        )),
    }
    out
}

/// How long a session lasts without use.
pub(crate) const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at most (the oldest go first).
const MAX_SESSIONS: usize = 10_000;
/// Failed logins allowed before a wait, per login and per address.
const FREE_FAILURES: u32 = 5;
/// The longest wait after failed logins.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);

/// Reads the users file: login → PHC hash string. A missing file is `None`.
pub(crate) fn read_users(path: &Path) -> std::io::Result<Option<HashMap<String, String>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let users = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(login, hash)| (login.trim().to_string(), hash.trim().to_string()))
        .collect();
    Ok(Some(users))
}

/// Hashes a password (argon2id, a fresh salt).
pub(crate) fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored hash (argon2: slow on purpose).
pub(crate) fn password_matches(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Writes `login`'s password into the users file (created 0600), replacing
/// an earlier one; the file is replaced whole, never half written.
pub(crate) fn set_password(path: &Path, login: &str, password: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let mut users: Vec<(String, String)> = read_users(path)
        .with_context(|| format!("cannot read the users file {}", path.display()))?
        .unwrap_or_default()
        .into_iter()
        .filter(|(l, _)| l != login)
        .collect();
    users.push((login.to_string(), hash_password(password)?));
    users.sort();
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".web-users")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    writeln!(tmp, "# suratd web board users: login:argon2 hash (set with `suratd web passwd LOGIN`)")?;
    for (l, h) in &users {
        writeln!(tmp, "{l}:{h}")?;
    }
    tmp.as_file().sync_all()?;
    // Written by root (`sudo suratd web passwd`): the file belongs to
    // whoever owns the folder (the service user), or suratd cannot read it.
    if rustix::process::geteuid().is_root() {
        let owner = std::fs::metadata(path).or_else(|_| std::fs::metadata(dir))?;
        use std::os::unix::fs::MetadataExt;
        let (uid, gid) = (rustix::fs::Uid::from_raw(owner.uid()), rustix::fs::Gid::from_raw(owner.gid()));
        rustix::fs::fchown(tmp.as_file(), Some(uid), Some(gid))
            .with_context(|| format!("cannot give {} to the folder's owner", path.display()))?;
    }
    tmp.persist(path).with_context(|| format!("cannot replace the users file {}", path.display()))?;
    Ok(())
}

struct Session {
    login: String,
    last: Instant,
}

#[derive(Default)]
struct Failures {
    count: u32,
    last: Option<Instant>,
}

impl Failures {
    /// How long this key must still wait before another try.
    fn wait(&self, now: Instant) -> Duration {
        let Some(last) = self.last else { return Duration::ZERO };
        if self.count < FREE_FAILURES {
            return Duration::ZERO;
        }
        let lock = Duration::from_secs(30).saturating_mul(1 << (self.count - FREE_FAILURES).min(5)).min(MAX_LOCK);
        lock.saturating_sub(now.duration_since(last))
    }
}

/// Passwords checked at once. Each argon2 check takes 19 MiB: a flood of
/// logins (or of wrong HTTP Basic passwords) waits its turn instead of
/// taking the server's memory from the daemon.
pub(crate) const CHECKS_AT_ONCE: usize = 2;

/// Sessions and failed logins, in memory (a restart logs everyone out).
pub(crate) struct Gate {
    /// Turns to check a password (see [`CHECKS_AT_ONCE`]).
    pub turns: tokio::sync::Semaphore,
    /// Password checks running now, and the most there have been at once.
    checking: AtomicUsize,
    most_checking: AtomicUsize,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Failures>>,
    /// Logins and passwords checked lately (as a SHA-256 of both, with the
    /// stored hash they matched): a program sending HTTP Basic with every
    /// request is not made to wait for argon2 each time.
    recent: Mutex<HashMap<String, Instant>>,
}

impl Default for Gate {
    fn default() -> Gate {
        Gate {
            turns: tokio::sync::Semaphore::new(CHECKS_AT_ONCE),
            checking: AtomicUsize::new(0),
            most_checking: AtomicUsize::new(0),
            sessions: Mutex::default(),
            failures: Mutex::default(),
            recent: Mutex::default(),
        }
    }
}

/// How long a checked HTTP Basic login is remembered.
const RECENT: Duration = Duration::from_secs(300);

/// Why a login did not go through.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Wrong login or password.
    Wrong,
    /// Too many failures: try again after this long.
    Wait(Duration),
}

impl Gate {
    /// Checks a login; on success returns a new session's token.
    pub(crate) fn login(
        &self,
        users: &HashMap<String, String>,
        wf: &Workflow,
        login: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<String, Refused> {
        self.check(users, wf, login, password, from)?;
        Ok(self.open_session(login))
    }

    /// Checks a login and password (a program's HTTP Basic, or the form),
    /// counting failures per login and per address.
    pub(crate) fn check(
        &self,
        users: &HashMap<String, String>,
        wf: &Workflow,
        login: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<(), Refused> {
        let keys = [format!("login:{login}"), format!("addr:{from}")];
        let now = Instant::now();
        self.waiting(&keys, now)?;
        let known = wf.person(login).is_some();
        // A login without a password is checked against a dummy hash, so it
        // takes as long as a wrong password.
        let now_checking = self.checking.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_checking.fetch_max(now_checking, Ordering::SeqCst);
        let ok = match users.get(login) {
            Some(h) => password_matches(h, password) && known,
            None => {
                password_matches(&DUMMY_HASH, password);
                false
            }
        };
        self.checking.fetch_sub(1, Ordering::SeqCst);
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if !ok {
            for k in keys {
                let e = f.entry(k).or_default();
                e.count += 1;
                e.last = Some(now);
            }
            f.retain(|_, v| v.last.is_some_and(|l| now.duration_since(l) < MAX_LOCK * 2));
            return Err(Refused::Wrong);
        }
        f.remove(&keys[0]);
        Ok(())
    }

    fn open_session(&self, login: &str) -> String {
        let mut bytes = [0u8; 32];
        openssl::rand::rand_bytes(&mut bytes).expect("the system's random source works");
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut s = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        s.retain(|_, v| now.duration_since(v.last) < SESSION_IDLE);
        if s.len() >= MAX_SESSIONS
            && let Some(oldest) = s.iter().min_by_key(|(_, v)| v.last).map(|(k, _)| k.clone())
        {
            s.remove(&oldest);
        }
        s.insert(token.clone(), Session { login: login.to_string(), last: now });
        token
    }

    /// Refuses while failed logins for one of `keys` make it wait.
    fn waiting(&self, keys: &[String], now: Instant) -> Result<(), Refused> {
        let f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let wait = keys.iter().filter_map(|k| f.get(k)).map(|x| x.wait(now)).max().unwrap_or_default();
        if wait.is_zero() { Ok(()) } else { Err(Refused::Wait(wait)) }
    }

    /// Checks HTTP Basic credentials, remembering a success for a few
    /// minutes (for as long as the stored hash is the same).
    pub(crate) fn check_basic(
        &self,
        users: &HashMap<String, String>,
        wf: &Workflow,
        login: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<(), Refused> {
        let stored = users.get(login).map(String::as_str).unwrap_or("");
        let key = crate::store::fsops::sha256_bytes(format!("{login}\0{password}\0{stored}").as_bytes());
        let now = Instant::now();
        // Failed logins make even a remembered password wait.
        self.waiting(&[format!("login:{login}"), format!("addr:{from}")], now)?;
        {
            let mut r = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            r.retain(|_, at| now.duration_since(*at) < RECENT);
            if r.contains_key(&key) && wf.person(login).is_some() {
                return Ok(());
            }
        }
        self.check(users, wf, login, password, from)?;
        let mut r = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if r.len() < MAX_SESSIONS {
            r.insert(key, now);
        }
        Ok(())
    }

    /// The login of a live session (and keeps it alive).
    pub(crate) fn session(&self, token: &str) -> Option<String> {
        let mut s = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let live = s.get_mut(token).filter(|v| now.duration_since(v.last) < SESSION_IDLE)?;
        live.last = now;
        Some(live.login.clone())
    }

    /// The most password checks that have run at once.
    #[cfg(test)]
    pub(crate) fn most_checking(&self) -> usize {
        self.most_checking.load(Ordering::SeqCst)
    }

    pub(crate) fn logout(&self, token: &str) {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
    }
}

/// A hash of a password nobody knows, checked when a login has none.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut bytes = [0u8; 24];
    openssl::rand::rand_bytes(&mut bytes).expect("the system's random source works");
    hash_password(&format!("{bytes:?}")).expect("argon2 hashes a password")
});

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        crate::records::people::office_workflow()
    }

    #[test]
    fn a_password_set_is_the_one_that_logs_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web-users");
        set_password(&path, "budi", "rahasia-sekali").unwrap();
        set_password(&path, "sekretaris", "lain").unwrap();
        set_password(&path, "budi", "baru-lagi").unwrap();
        let users = read_users(&path).unwrap().unwrap();
        assert_eq!(users.len(), 2);
        assert!(password_matches(&users["budi"], "baru-lagi"));
        assert!(!password_matches(&users["budi"], "rahasia-sekali"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn failed_logins_make_the_next_try_wait() {
        let wf = wf();
        let login = wf.people[0].login.clone();
        let users = HashMap::from([(login.clone(), hash_password("benar").unwrap())]);
        let gate = Gate::default();
        let from: IpAddr = "10.0.0.9".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            assert_eq!(gate.login(&users, &wf, &login, "salah", from), Err(Refused::Wrong));
        }
        // Even the right password waits now.
        assert!(matches!(gate.login(&users, &wf, &login, "benar", from), Err(Refused::Wait(_))));
        // Another address guessing the same login waits too.
        let other: IpAddr = "10.0.0.10".parse().unwrap();
        assert!(matches!(gate.login(&users, &wf, &login, "benar", other), Err(Refused::Wait(_))));
    }

    #[test]
    fn a_session_token_names_its_login_until_logged_out() {
        let wf = wf();
        let login = wf.people[0].login.clone();
        let users = HashMap::from([(login.clone(), hash_password("benar").unwrap())]);
        let gate = Gate::default();
        let token = gate.login(&users, &wf, &login, "benar", "127.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(gate.session(&token).as_deref(), Some(login.as_str()));
        assert_eq!(gate.session("0000"), None);
        gate.logout(&token);
        assert_eq!(gate.session(&token), None);
    }

    #[test]
    fn a_person_not_in_the_workflow_cannot_log_in_even_with_a_password() {
        let wf = wf();
        let users = HashMap::from([("mantan".to_string(), hash_password("benar").unwrap())]);
        let gate = Gate::default();
        assert_eq!(gate.login(&users, &wf, "mantan", "benar", "127.0.0.1".parse().unwrap()), Err(Refused::Wrong));
    }

    #[test]
    fn a_remembered_basic_login_ends_with_a_new_password() {
        let wf = wf();
        let login = wf.people[0].login.clone();
        let from: IpAddr = "10.0.0.9".parse().unwrap();
        let gate = Gate::default();
        let old = HashMap::from([(login.clone(), hash_password("lama-sekali").unwrap())]);
        assert_eq!(gate.check_basic(&old, &wf, &login, "lama-sekali", from), Ok(()));
        assert_eq!(gate.check_basic(&old, &wf, &login, "lama-sekali", from), Ok(()), "remembered");
        assert_eq!(gate.check_basic(&old, &wf, &login, "salah", from), Err(Refused::Wrong));
        let new = HashMap::from([(login.clone(), hash_password("baru-sekali").unwrap())]);
        assert_eq!(gate.check_basic(&new, &wf, &login, "lama-sekali", from), Err(Refused::Wrong));
        assert_eq!(gate.check_basic(&HashMap::new(), &wf, &login, "lama-sekali", from), Err(Refused::Wrong));
    }

    #[test]
    fn the_dummy_hash_parses() {
        assert!(PasswordHash::new(&DUMMY_HASH).is_ok());
    }
}
