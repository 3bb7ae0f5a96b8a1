//! LibreOffice as the converter (`src/convert/soffice.rs`), with the real
//! `soffice` (CI installs libreoffice-writer-nogui; these tests fail, never
//! skip, without it) and, where a test needs a converter that misbehaves
//! on cue, a fake `soffice` script given through `convert.soffice`.

mod common;

use common::office::{fodt, fodt_raw, linked_image, pdf_text, saved_as};
use std::path::{Path, PathBuf};
use std::time::Duration;
use suratd::convert::soffice::{ConvertError, Converter, Settings};

fn settings(state: &Path, program: Option<PathBuf>, max_parallel: usize, timeout: Duration) -> Settings {
    Settings { program, state_dir: state.to_path_buf(), max_parallel, timeout }
}

/// The real LibreOffice, one at a time, a minute at most.
fn real(state: &Path) -> Converter {
    Converter::new(settings(state, None, 1, Duration::from_secs(60)))
}

/// A fake `soffice`: this shell script body, run with LibreOffice's
/// arguments (`$OUT`: the output folder, `$PROFILE`: the profile's URL).
fn fake(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("fake-soffice");
    let text = format!(
        "#!/bin/sh\nPROFILE=\"$1\"\nwhile [ \"$#\" -gt 1 ]; do [ \"$1\" = --outdir ] && OUT=\"$2\"; shift; done\n{body}\n"
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Processes whose command line mentions `needle` (running or not yet reaped).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else { continue };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            found.push(format!("{}: {cmd}", e.file_name().to_string_lossy()));
        }
    }
    found
}

/// Whether process `pid` is gone (or a zombie nobody reaped: it runs no more).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_flat_odt_and_the_odt_docx_doc_and_rtf_made_from_it_become_pdfs_with_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let letter = fodt(&["Nomor : B-012/17000/KP.650/2026", "Perihal : Undangan Rapat Koordinasi"]);
    let scratch = tempfile::tempdir().unwrap();
    let docs = [
        ("surat.fodt", letter.clone().into_bytes()),
        ("KP.650 Undangan.odt", saved_as(&letter, "odt", scratch.path())),
        ("KP.650 Undangan.docx", saved_as(&letter, "docx", scratch.path())),
        ("KP.650 Undangan.doc", saved_as(&letter, "doc", scratch.path())),
        ("KP.650 Undangan.RTF", saved_as(&letter, "rtf", scratch.path())),
    ];
    let conv = real(dir.path());
    for (name, bytes) in docs {
        let pdf = conv.convert(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        let text = pdf_text(&pdf);
        assert!(
            text.contains("B-012/17000/KP.650/2026") && text.contains("Undangan Rapat Koordinasi"),
            "{name}: {text}"
        );
    }
    let xcu = std::fs::read_to_string(dir.path().join("lo-profile-0/user/registrymodifications.xcu")).unwrap();
    assert!(xcu.contains(r#"<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value>"#), "{xcu}");
    assert!(dir.path().join("lo-home").is_dir(), "HOME is a folder of its own in the state folder");
    let work: Vec<_> = std::fs::read_dir(dir.path().join("lo-work")).unwrap().collect();
    assert!(work.is_empty(), "each conversion's private folder is removed: {work:?}");
    assert_eq!(processes_mentioning(&dir.path().display().to_string()), Vec::<String>::new());
}

#[test]
fn a_conversion_past_its_time_limit_is_killed_with_all_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    // The converter starts a helper and both hang (as soffice starts soffice.bin).
    let body = format!("echo $$ >> {p}\nsleep 300 &\necho $! >> {p}\nsleep 300\n", p = pids.display());
    let program = fake(dir.path(), &body);
    let state = dir.path().join("state");
    let conv = Converter::new(settings(&state, Some(program), 1, Duration::from_millis(500)));
    let e = conv.convert("a.docx", b"whatever").unwrap_err();
    assert_eq!(e, ConvertError::TimedOut { after: Duration::from_millis(500) });
    assert!(e.retryable());
    let pids = std::fs::read_to_string(&pids).unwrap();
    assert_eq!(pids.lines().count(), 2, "{pids}");
    for pid in pids.lines() {
        assert!(gone(pid), "process {pid} was left running: {:?}", processes_mentioning("sleep 300"));
    }
}

#[test]
fn real_libreoffice_stopped_at_its_time_limit_leaves_no_process() {
    let dir = tempfile::tempdir().unwrap();
    let conv = Converter::new(settings(dir.path(), None, 1, Duration::from_millis(700)));
    let e = conv.convert("surat.fodt", fodt(&["Nomor : B-1/2026"]).as_bytes()).unwrap_err();
    assert!(matches!(e, ConvertError::TimedOut { .. }), "{e}");
    assert_eq!(processes_mentioning(&dir.path().display().to_string()), Vec::<String>::new());
    // The killed run left its profile usable: the next conversion works.
    let conv = real(dir.path());
    let pdf = conv.convert("surat.fodt", fodt(&["Nomor : B-2/2026"]).as_bytes()).unwrap();
    assert!(pdf_text(&pdf).contains("B-2/2026"));
}

/// Starts two conversions at once with `max_parallel` slots on a fake
/// converter that logs `start`/`end` and its profile; the log.
fn two_at_once(max_parallel: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let body = format!(
        "echo \"start ${{PROFILE##*/}}\" >> {l}\nsleep 1\nmkdir -p \"$OUT\"\nprintf '%%PDF-1.4 fake' > \"$OUT/surat.pdf\"\necho \"end ${{PROFILE##*/}}\" >> {l}",
        l = log.display()
    );
    let program = fake(dir.path(), &body);
    let conv =
        Converter::new(settings(&dir.path().join("state"), Some(program), max_parallel, Duration::from_secs(20)));
    let barrier = std::sync::Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                barrier.wait();
                assert_eq!(conv.convert("a.odt", b"x").unwrap(), b"%PDF-1.4 fake");
            });
        }
    });
    std::fs::read_to_string(&log).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn two_conversions_at_once_take_turns_in_one_profile_with_max_parallel_1() {
    assert_eq!(two_at_once(1), ["start lo-profile-0", "end lo-profile-0", "start lo-profile-0", "end lo-profile-0"]);
    // With two slots they run side by side, each in a profile of its own.
    let mut log = two_at_once(2);
    assert!(log[..2].iter().all(|l| l.starts_with("start")), "{log:?}");
    log.sort();
    assert_eq!(log, ["end lo-profile-0", "end lo-profile-1", "start lo-profile-0", "start lo-profile-1"]);
}

#[test]
fn two_real_conversions_at_once_with_max_parallel_1_each_get_their_own_text() {
    let dir = tempfile::tempdir().unwrap();
    let conv = real(dir.path());
    let texts: Vec<String> = std::thread::scope(|s| {
        let jobs: Vec<_> = ["B-101/2026", "B-202/2026"]
            .map(|n| {
                let conv = &conv;
                s.spawn(move || pdf_text(&conv.convert("a.fodt", fodt(&[n]).as_bytes()).unwrap()))
            })
            .into_iter()
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    assert!(texts[0].contains("B-101/2026") && texts[1].contains("B-202/2026"), "{texts:?}");
    let profiles: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("lo-profile"))
        .collect();
    assert_eq!(profiles, ["lo-profile-0"]);
}

#[test]
fn a_converter_that_is_not_there_is_not_installed_and_nothing_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/soffice");
    let conv = Converter::new(settings(&dir.path().join("state"), Some(missing.clone()), 1, Duration::from_secs(5)));
    let e = conv.available().unwrap_err().clone();
    assert!(matches!(&e, ConvertError::NotInstalled { looked } if looked.contains(&*missing.to_string_lossy())), "{e}");
    assert!(e.to_string().contains("libreoffice-writer-nogui"), "{e}");
    assert_eq!(conv.convert("a.docx", b"x").unwrap_err(), e);
    assert!(!dir.path().join("state").exists(), "no profile made for a converter that is not there");
}

#[test]
fn a_converter_that_fails_or_writes_nothing_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let failing = fake(dir.path(), "echo 'Error: source file could not be loaded' >&2\nexit 1");
    let conv = Converter::new(settings(&state, Some(failing), 1, Duration::from_secs(5)));
    match conv.convert("a.docx", b"x").unwrap_err() {
        ConvertError::Failed { stderr, .. } => assert!(stderr.contains("could not be loaded"), "{stderr}"),
        e => panic!("{e}"),
    }
    let silent = fake(dir.path(), "exit 0");
    let conv = Converter::new(settings(&state, Some(silent), 1, Duration::from_secs(5)));
    assert!(matches!(conv.convert("a.docx", b"x").unwrap_err(), ConvertError::NoOutput { .. }));
}

#[test]
fn an_image_linked_from_the_network_is_never_fetched() {
    use std::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let doc = fodt_raw(&format!(
        "<text:p>Nomor : B-7/2026</text:p>{}",
        linked_image(&format!("http://127.0.0.1:{port}/logo.png"))
    ));
    let dir = tempfile::tempdir().unwrap();
    let pdf = real(dir.path()).convert("surat.fodt", doc.as_bytes()).unwrap();
    assert!(pdf_text(&pdf).contains("B-7/2026"));
    // A connection LibreOffice made would wait in the listener's backlog.
    listener.set_nonblocking(true).unwrap();
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("LibreOffice connected to the test's listener (from {from}) to fetch the image"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn without_libreoffice_check_warns_that_word_drafts_will_be_refused_and_so_does_start_up() {
    let env = common::env_with("events", "convert:\n  soffice: /nonexistent/soffice\n");
    let out = env.cli(&["check"]);
    let said = common::said(&out);
    assert!(out.status.success(), "a warning, not an error: {said}");
    let warning = said.lines().find(|l| l.contains("/nonexistent/soffice")).unwrap_or_else(|| panic!("{said}"));
    assert!(
        warning.starts_with("warning: ")
            && warning.contains("Word and OpenDocument drafts")
            && warning.contains("apt-get install libreoffice-writer-nogui"),
        "{warning}"
    );
    let daemon = env.start();
    drop(daemon);
    let log = env.log();
    assert!(
        log.lines().any(|l| l.contains("WARN") && l.contains("/nonexistent/soffice") && l.contains("refused")),
        "{log}"
    );
}

#[test]
fn with_libreoffice_check_says_nothing_about_it() {
    let env = common::env("events");
    let said = common::said(&env.cli(&["check"]));
    assert!(!said.contains("LibreOffice"), "{said}");
}

/// The shipped unit's exposure (`systemd-analyze security`) stays at 2.5 or
/// lower with what LibreOffice needs (user and network namespaces).
#[test]
fn the_unit_keeps_its_exposure_at_2_5_or_lower() {
    let unit = concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/suratd.service");
    let out = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", unit])
        .output()
        .expect("systemd-analyze (Debian package systemd; .ci/run installs it)");
    let said = common::said(&out);
    let level: f64 = said
        .lines()
        .find_map(|l| l.split("Overall exposure level for suratd.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(level <= 2.5, "exposure {level}:\n{said}");
}

/// A systemd user manager of the test's own, in a private mount namespace
/// (so a container without systemd as PID 1 can run `systemd-run`; as
/// root, it applies the sandboxing a system unit gets). Stopped on drop.
struct Manager {
    child: std::process::Child,
    runtime: tempfile::TempDir,
}

impl Manager {
    fn start() -> Manager {
        common::needs_root("to start a systemd manager in a mount namespace of its own");
        let systemd = Path::new("/lib/systemd/systemd");
        assert!(systemd.is_file(), "{} missing: install systemd (.ci/run does)", systemd.display());
        let runtime = tempfile::tempdir().unwrap();
        let script = "mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system \
                      && exec /lib/systemd/systemd --user";
        let child = std::process::Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", script])
            .env("XDG_RUNTIME_DIR", runtime.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("unshare (util-linux)");
        let socket = runtime.path().join("systemd/private");
        assert!(common::wait_until(Duration::from_secs(20), || socket.exists()), "systemd --user did not start");
        let manager = Manager { child, runtime };
        let ready = || manager.run(&[], &["/bin/true"]).status.success();
        assert!(common::wait_until(Duration::from_secs(20), ready), "systemd --user runs no unit");
        manager
    }

    /// `systemd-run` in the manager with `properties`; its output.
    fn run(&self, properties: &[String], args: &[&str]) -> std::process::Output {
        let mut cmd = std::process::Command::new("nsenter");
        cmd.args(["-t", &self.child.id().to_string(), "-m", "systemd-run", "--user", "--pipe", "--wait", "--quiet"]);
        for p in properties {
            cmd.arg("-p").arg(p);
        }
        cmd.args(args).env("XDG_RUNTIME_DIR", self.runtime.path()).output().unwrap()
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// The sandboxing lines of the shipped unit (from `# Hardening` on, but its
/// `ReadWritePaths`, the share, which does not exist here).
fn unit_sandbox() -> Vec<String> {
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/suratd.service")).unwrap();
    unit.lines()
        .skip_while(|l| !l.starts_with("# Hardening"))
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with("ReadWritePaths="))
        .map(str::to_string)
        .collect()
}

#[test]
fn libreoffice_converts_under_the_units_sandbox() {
    let manager = Manager::start();
    // Properties this machine cannot give any program (a container may not
    // let systemd remount /proc/sys or hide /home) are left out, and named.
    let (usable, unusable): (Vec<String>, Vec<String>) =
        unit_sandbox().into_iter().partition(|p| manager.run(std::slice::from_ref(p), &["/bin/true"]).status.success());
    eprintln!("properties this machine cannot apply even to /bin/true: {unusable:?}");
    assert!(unusable.len() <= 3, "{unusable:?}");
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut props = usable.clone();
    props.push(format!("ReadWritePaths={}", dir.path().display()));
    props.push(format!("Environment=SURATD_SANDBOX_DIR={}", dir.path().display()));
    let me = std::env::current_exe().unwrap();
    let args = [me.to_str().unwrap(), "--ignored", "--exact", "inside_the_sandbox", "--nocapture"];
    let out = manager.run(&props, &args);
    let said = common::said(&out);
    assert!(out.status.success(), "under {usable:?}:\n{said}");
    let pdf = std::fs::read(dir.path().join("out.pdf")).unwrap_or_else(|_| panic!("{said}"));
    assert!(pdf_text(&pdf).contains("B-2026/SANDBOX"), "{said}");
    let isolation = std::fs::read_to_string(dir.path().join("isolation")).unwrap();
    assert_eq!(isolation, "UserNetNamespace", "no CAP_SYS_ADMIN under the unit: a user namespace");
}

/// Run by `libreoffice_converts_under_the_units_sandbox` inside the sandbox.
#[test]
#[ignore = "run inside the unit's sandbox by libreoffice_converts_under_the_units_sandbox"]
fn inside_the_sandbox() {
    let dir = PathBuf::from(std::env::var("SURATD_SANDBOX_DIR").unwrap());
    let pdf = real(&dir.join("state")).convert("surat.fodt", fodt(&["Nomor : B-2026/SANDBOX"]).as_bytes()).unwrap();
    std::fs::write(dir.join("out.pdf"), pdf).unwrap();
    std::fs::write(dir.join("isolation"), format!("{:?}", suratd::convert::soffice::isolation())).unwrap();
}

/// Images in a PDF, as `pdfimages -list` lists them.
fn images(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = std::process::Command::new("pdfimages").arg("-list").arg(&p).output().expect("pdfimages (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).lines().skip(2).count()
}

#[test]
fn an_image_linked_from_a_file_on_the_server_is_never_embedded() {
    let dir = tempfile::tempdir().unwrap();
    // Any image file on the server (the version store holds letters as PDFs,
    // which LibreOffice also imports as images): here a letter's PDF.
    let secret = dir.path().join("secret.pdf");
    std::fs::write(&secret, saved_as(&fodt(&["RAHASIA"]), "pdf", dir.path())).unwrap();
    let doc = fodt_raw(&format!(
        "<text:p>Nomor : B-8/2026</text:p>{}",
        linked_image(&format!("file://{}", secret.display()))
    ));
    let pdf = real(&dir.path().join("state")).convert("surat.fodt", doc.as_bytes()).unwrap();
    assert!(pdf_text(&pdf).contains("B-8/2026"));
    assert_eq!(images(&pdf), 0);
    assert!(!pdf_text(&pdf).contains("RAHASIA"));
    assert!(!pdf.windows(7).any(|w| w == b"RAHASIA"));
}

#[test]
fn a_web_page_named_docx_is_not_imported_and_other_names_are_not_converted() {
    let dir = tempfile::tempdir().unwrap();
    let conv = real(&dir.path().join("state"));
    let html = b"<html><body><p>HALAMAN WEB</p></body></html>";
    match conv.convert("KP.650 Undangan.docx", html).unwrap_err() {
        ConvertError::Failed { .. } | ConvertError::NoOutput { .. } => {}
        e => panic!("{e}"),
    }
    for name in ["surat.html", "surat.svg", "surat.pdf", "surat"] {
        assert_eq!(conv.convert(name, html).unwrap_err(), ConvertError::Unsupported { name: name.into() });
    }
}

#[test]
fn libreoffice_gets_a_minimal_environment_a_memory_limit_and_no_core_files() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let body = format!("{{ ulimit -v; ulimit -c; env; }} > {}\nexit 1", seen.display());
    let conv =
        Converter::new(settings(&dir.path().join("state"), Some(fake(dir.path(), &body)), 1, Duration::from_secs(5)));
    assert!(matches!(conv.convert("a.docx", b"x"), Err(ConvertError::Failed { .. })));
    let seen = std::fs::read_to_string(&seen).unwrap();
    let mut lines = seen.lines();
    assert_eq!((lines.next(), lines.next()), (Some("2097152"), Some("0")), "address space in KiB, core files");
    let names: Vec<&str> = lines.filter_map(|l| l.split('=').next()).collect();
    let allowed = ["PATH", "HOME", "TMPDIR", "LANG", "PWD", "SHLVL", "_", "OLDPWD"];
    assert!(names.iter().all(|n| allowed.contains(n)), "{names:?}");
    assert!(seen.contains(&format!("HOME={}", dir.path().join("state/lo-home").display())), "{seen}");
}
