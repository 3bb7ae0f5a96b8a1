//! A real Samba server for the tests: Debian's `smbd` on 127.0.0.1 with a
//! free high port, its own smb.conf, state, lock, pid, private and log
//! folders under the test's temporary folder, a Unix user and a Samba
//! password per person, and `smbclient` as the staff's client. Dropping it
//! stops smbd and removes the users it created (the role groups
//! `suratd-<role>` are created when missing and left: tests running at the
//! same time share them). Needs root, `samba` and `smbclient` (`.ci/run`
//! installs them); [`Samba::new`] says why not and the test skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Every test user's password.
pub const PASSWORD: &str = "Surat-Keluar-24";

/// The comment (GECOS) of every user the tests create, so that users left
/// by a killed test run can be found and removed.
const MARK: &str = "suratd test user";

/// The share's name (what `suratd init --samba` prints for the default
/// `share_path`).
pub const SHARE: &str = "SuratKeluar";

pub struct Samba {
    /// smb.conf and smbd's own folders.
    pub dir: PathBuf,
    pub port: u16,
    child: Option<Child>,
    /// The users this server created (removed on drop).
    users: Vec<String>,
}

/// Why the Samba tests cannot run here, if they cannot.
pub fn missing() -> Option<String> {
    if uzers::get_current_uid() != 0 {
        return Some("not root: the Samba tests create Unix users (CI runs as root)".into());
    }
    let tools = ["smbd", "smbclient", "smbpasswd", "useradd", "userdel", "groupadd", "setfacl"];
    let dirs = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];
    let absent: Vec<&str> =
        tools.into_iter().filter(|t| !dirs.iter().any(|d| Path::new(d).join(t).is_file())).collect();
    (!absent.is_empty()).then(|| format!("{} not installed (apt-get install samba smbclient acl)", absent.join(", ")))
}

/// Runs a command that edits /etc/passwd or /etc/group, retrying while
/// another test holds the lock (or, for userdel, while smbd still serves
/// the user's last session).
fn admin(cmd: &mut Command) -> Output {
    let mut last = None;
    for _ in 0..100 {
        let out = cmd.output().expect("user administration tools");
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        if out.status.success() || !(err.contains("lock") || err.contains("currently used")) {
            return out;
        }
        last = Some(out);
        std::thread::sleep(Duration::from_millis(100));
    }
    last.unwrap()
}

/// Creates the role's group when it is missing.
pub fn ensure_group(role: &str) {
    let g = format!("suratd-{role}");
    let out = admin(Command::new("groupadd").arg("-f").arg(&g));
    assert!(out.status.success() || uzers::get_group_by_name(&g).is_some(), "groupadd {g}: {out:?}");
}

impl Samba {
    /// A server whose folders live under `parent` (the test's temporary
    /// folder, made traversable for the share's users); `None`, with a
    /// message, where smbd cannot run (an error in CI, which has it).
    pub fn new(parent: &Path) -> Option<Samba> {
        if let Some(why) = missing() {
            assert!(std::env::var("CI").is_err(), "CI must run the Samba tests: {why} (see .ci/run)");
            eprintln!("skipped: {why}");
            return None;
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o711)).unwrap();
        let dir = parent.join("samba");
        for d in ["lock", "state", "run", "priv", "log"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        remove_stale_users();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Some(Samba { dir, port, child: None, users: Vec::new() })
    }

    /// A new Unix user in the groups of `roles`, named from `tag` (a few
    /// letters) and unique on this machine; returns the login.
    pub fn user(&mut self, tag: &str, roles: &[&str]) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let login = format!("t{}x{}{tag}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let groups: Vec<String> = roles.iter().map(|r| format!("suratd-{r}")).collect();
        roles.iter().for_each(|r| ensure_group(r));
        let mut cmd = Command::new("useradd");
        cmd.args(["-M", "-N", "-s", "/usr/sbin/nologin", "-c", MARK]);
        if !groups.is_empty() {
            cmd.arg("-G").arg(groups.join(","));
        }
        let out = admin(cmd.arg(&login));
        if !out.status.success() {
            // Left by a killed run of a process with the same id: reuse it.
            assert!(uzers::get_user_by_name(&login).is_some(), "useradd {login}: {out:?}");
            if !groups.is_empty() {
                admin(Command::new("usermod").arg("-G").arg(groups.join(",")).arg(&login));
            }
        }
        self.users.push(login.clone());
        login
    }

    /// smb.conf: the test's own `[global]`, then `share` (the section
    /// `suratd init --samba` printed).
    fn config(&self, share: &str) -> String {
        let d = self.dir.display();
        format!(
            "[global]
   server role = standalone server
   smb ports = {port}
   interfaces = 127.0.0.1
   bind interfaces only = yes
   lock directory = {d}/lock
   state directory = {d}/state
   cache directory = {d}/state
   pid directory = {d}/run
   private dir = {d}/priv
   log file = {d}/log/smbd.log
   log level = 1
   passdb backend = tdbsam:{d}/priv/passdb.tdb
   load printers = no
   printing = bsd
   printcap name = /dev/null
   disable spoolss = yes

{share}",
            port = self.port
        )
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.join("smb.conf")
    }

    /// smbd's log file.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log/smbd.log")).unwrap_or_default()
    }

    /// Writes smb.conf with `share`, gives every user a Samba password, and
    /// starts smbd; returns once it accepts connections.
    pub fn start(&mut self, share: &str) {
        std::fs::write(self.conf(), self.config(share)).unwrap();
        for login in &self.users {
            let mut child = Command::new("smbpasswd")
                .arg("-c")
                .arg(self.conf())
                .args(["-s", "-a", login])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n{PASSWORD}\n").as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "smbpasswd -a {login}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let out = std::fs::File::create(self.dir.join("log/smbd.out")).unwrap();
        let child = Command::new("smbd")
            // Its own process group: smbd signals its whole group when it stops.
            .args(["--foreground", "-s"])
            .arg(self.conf())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("smbd");
        self.child = Some(child);
        let up = super::wait_until(Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
        let out = std::fs::read_to_string(self.dir.join("log/smbd.out")).unwrap_or_default();
        assert!(up, "smbd did not start:\n{out}\n{}", self.log());
    }

    /// Runs smbclient `commands` (`;`-separated) as `login`; smbclient goes
    /// on after a failed command and still exits 0, so the output is
    /// returned whole.
    pub fn client(&self, login: &str, commands: &str) -> Output {
        Command::new("smbclient")
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg(format!("{login}%{PASSWORD}"))
            .arg(format!("//127.0.0.1/{SHARE}"))
            .arg("-c")
            .arg(commands)
            .output()
            .expect("smbclient")
    }

    /// One command; `Err` with smbclient's words when Samba refused it.
    pub fn run(&self, login: &str, command: &str) -> Result<(), String> {
        let out = self.client(login, command);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.success() && !text.contains("NT_STATUS_") { Ok(()) } else { Err(text) }
    }

    /// Copies a local file to `remote` (a path in the share, `/`-separated).
    pub fn put(&self, login: &str, local: &Path, remote: &str) -> Result<(), String> {
        self.run(login, &format!("put {} {}", q(&local.display().to_string()), q(remote)))
    }

    /// Moves or renames `from` to `to` (also across folders).
    pub fn rename(&self, login: &str, from: &str, to: &str) -> Result<(), String> {
        self.run(login, &format!("rename {} {}", q(from), q(to)))
    }

    pub fn del(&self, login: &str, remote: &str) -> Result<(), String> {
        self.run(login, &format!("del {}", q(remote)))
    }

    pub fn mkdir(&self, login: &str, remote: &str) -> Result<(), String> {
        self.run(login, &format!("mkdir {}", q(remote)))
    }

    /// Copies every file of the local folder `local` into `remote`, as one
    /// `mput` (a folder of drafts copied in).
    pub fn mput(&self, login: &str, local: &Path, remote: &str) -> Result<(), String> {
        let cmd = format!("prompt OFF; lcd {}; cd {}; mput *", q(&local.display().to_string()), q(remote));
        self.run(login, &cmd)
    }
}

/// Removes test users whose test process is gone (killed before its drop).
fn remove_stale_users() {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        let (Some(login), Some(comment)) = (fields.first(), fields.get(4)) else { continue };
        let pid = login.strip_prefix('t').and_then(|r| r.split_once('x')).map(|(pid, _)| pid);
        if *comment == MARK && pid.is_some_and(|p| !Path::new("/proc").join(p).exists()) {
            admin(Command::new("userdel").arg(login));
        }
    }
}

/// A path quoted for smbclient.
pub fn q(path: &str) -> String {
    assert!(!path.contains(['"', ';']), "smbclient cannot take {path:?} in -c");
    format!("\"{path}\"")
}

impl Drop for Samba {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if let Some(pid) = rustix::process::Pid::from_raw(c.id() as i32) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
            }
            if !super::wait_until(Duration::from_secs(10), || c.try_wait().ok().flatten().is_some()) {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        for login in self.users.drain(..) {
            admin(Command::new("userdel").arg(&login));
        }
    }
}

/// The smb.conf share section in `suratd init --samba`'s output.
pub fn share_section(init: &str) -> String {
    let start = init.find("# smb.conf share section:\n").expect("a share section") + 26;
    let end = init.find("\n# folder ACLs").expect("the folder ACLs");
    init[start..end].to_string()
}
