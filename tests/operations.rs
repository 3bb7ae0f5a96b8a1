//! Running as a service: readiness and watchdog pings to systemd (checked on
//! a socket the test listens on), live edits of workflow.yaml (a good one
//! taken, a bad one refused), SIGTERM in the middle of a burst, and the unit
//! file checked by systemd-analyze.

mod common;
use common::*;
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

#[test]
fn readiness_and_watchdog_pings_reach_systemd() {
    let env = env("events");
    let sock_path = env.dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let _d = env.start_with_env(&[("NOTIFY_SOCKET", sock_path.to_str().unwrap()), ("WATCHDOG_USEC", "600000")]);
    let mut seen = Vec::new();
    let start = Instant::now();
    let mut buf = [0u8; 512];
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(n) = sock.recv(&mut buf) {
            seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        if seen.iter().any(|m| m.contains("READY=1")) && seen.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 3 {
            break;
        }
    }
    assert!(seen.iter().any(|m| m.contains("READY=1")), "{seen:?}");
    assert!(seen.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 3, "{seen:?}");
}

#[test]
fn a_saved_workflow_is_taken_and_a_broken_one_refused() {
    let env = env_with("events", "workflow: workflow.yaml\nadmins: [admin@bps.go.id]\n");
    let wf_path = env.dir.path().join("workflow.yaml");
    std::fs::write(&wf_path, &*SHIPPED).unwrap();
    let _d = env.start();
    // A good edit: another reason text; takes effect without a restart.
    std::fs::write(&wf_path, SHIPPED.replace("Berkas ini bukan berkas PDF ({rincian}).", "BUKAN PDF ({rincian})."))
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || env.log().contains("workflow reloaded")), "{}", env.log());
    env.drop_file("01-draf/catatan.pdf", b"teks biasa");
    let reason = env.p("_ditolak/catatan.pdf.alasan.txt");
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()));
    assert!(std::fs::read_to_string(&reason).unwrap().contains("BUKAN PDF (berkas teks)."));
    // A broken edit: refused, the running workflow stays, the admin is told.
    std::fs::write(&wf_path, SHIPPED.replace("    kind: review\n", "    kind: revieww\n")).unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || env.log().contains("the edited workflow is refused")),
        "{}",
        env.log()
    );
    assert!(env.log().contains("workflow.yaml:"), "FILE:LINE:COL in the log");
    // The admins' email is queued just after the log line.
    assert!(wait_until(Duration::from_secs(10), || env.count("SELECT COUNT(*) FROM outbox WHERE kind = 'admin'") >= 1));
    let body: String = env.conn().query_row("SELECT body FROM outbox WHERE kind = 'admin'", [], |r| r.get(0)).unwrap();
    assert!(body.contains("ditolak") && body.contains("revieww"), "{body}");
    env.drop_file("01-draf/KP.650 Tetap Jalan.pdf", &pdf("tetap"));
    let name = env.wait_file("02-verifikasi", "SK-");

    // An edit that removes the step a letter is at: taken, and the letter reported.
    let renamed = SHIPPED
        .replace("  - id: verifikasi\n", "  - id: periksa\n")
        .replace("    next: verifikasi\n", "    next: periksa\n")
        .replace("Berkas ini bukan berkas PDF ({rincian}).", "BUKAN PDF ({rincian}).");
    std::fs::write(&wf_path, renamed).unwrap();
    let orphan = |env: &Env| {
        env.count("SELECT COUNT(*) FROM outbox WHERE kind = 'admin' AND body LIKE '%langkah yang sudah tidak ada%'")
    };
    assert!(wait_until(Duration::from_secs(10), || orphan(&env) == 1), "{}", env.log());
    let body: String = env
        .conn()
        .query_row("SELECT body FROM outbox WHERE body LIKE '%langkah yang sudah tidak ada%'", [], |r| r.get(0))
        .unwrap();
    assert!(body.contains(&name[..12]) && body.contains("verifikasi"), "{body}");
    assert!(env.p(&format!("02-verifikasi/{name}")).is_file(), "the letter stays where it is");
}

#[test]
fn sigterm_in_the_middle_of_a_burst_leaves_nothing_half_done() {
    let env = env("events");
    let d = env.start();
    let n = 40;
    for i in 0..n {
        env.drop_file(&format!("01-draf/KP.650 Surat {i:02}.pdf"), &pdf(&format!("Surat {i}")));
    }
    assert!(wait_until(Duration::from_secs(20), || env.files("02-verifikasi").len() >= 3));
    assert!(d.stop().success(), "SIGTERM ends suratd cleanly");
    // Nothing half moved: no transition pending, no temporary file, every
    // draft in exactly one place.
    assert_eq!(env.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'"), 0);
    let tree = env.tree();
    assert!(!tree.iter().any(|p| p.contains(".suratd-")), "{tree:?}");
    assert_eq!(env.files("01-draf").len() + env.files("02-verifikasi").len(), n);
    // Started again, it finishes the rest, each once.
    let _d = env.start();
    assert!(
        wait_until(Duration::from_secs(30), || env.files("02-verifikasi").len() == n),
        "{}",
        env.files("02-verifikasi").len()
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), n as i64);
    assert_eq!(env.count("SELECT COUNT(DISTINCT number) FROM letters"), n as i64);
}

#[test]
fn the_unit_file_passes_systemd_analyze() {
    let unit = concat!(env!("CARGO_MANIFEST_DIR"), "/systemd/suratd.service");
    let Ok(out) = std::process::Command::new("systemd-analyze").args(["verify", unit]).output() else {
        assert!(std::env::var("CI").is_err(), "CI must have systemd-analyze (see .ci/run)");
        eprintln!("skipped: systemd-analyze not installed");
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    // The binary is not installed here; everything else must be clean.
    let problems: Vec<&str> = err
        .lines()
        .filter(|l| {
            !l.contains("/usr/local/bin/suratd") && !l.contains("suratd.service: Command") && !l.trim().is_empty()
        })
        .collect();
    assert!(problems.is_empty(), "{err}");
}

#[test]
fn new_files_follow_the_access_rules() {
    let me = uzers::get_current_username().unwrap().to_string_lossy().into_owned();
    let env = env_with("events", "workflow: workflow.yaml\n");
    let nobody =
        uzers::get_user_by_uid(65534).map(|u| u.name().to_string_lossy().into_owned()).unwrap_or("nobody".into());
    let people = format!(
        "people:\n  - {{login: {me}, name: Drafter, roles: [anggota_tim], team: umum}}\n  - {{login: {nobody}, name: Sekretaris, roles: [sekretaris]}}"
    );
    std::fs::write(env.dir.path().join("workflow.yaml"), SHIPPED.replace("people: []", &people)).unwrap();
    let _d = env.start();
    // A drafter may draft, but not drop a "signed" letter.
    env.drop_file("01-draf/KP.650 Boleh.pdf", &pdf("boleh"));
    env.wait_file("02-verifikasi", "SK-");
    env.drop_file("06-sudah-tte/Tidak Boleh.pdf", &pdf("tidak boleh"));
    assert!(wait_until(Duration::from_secs(10), || env.p("_ditolak/Tidak Boleh.pdf.alasan.txt").is_file()));
    let r = std::fs::read_to_string(env.p("_ditolak/Tidak Boleh.pdf.alasan.txt")).unwrap();
    assert!(r.contains("tidak memiliki hak") && r.contains("Yang berhak: Kepala BPS Provinsi atau Sekretaris"), "{r}");
    assert!(!r.contains("sekretaris") && !r.contains("kepala"), "role names, not ids: {r}");
    assert!(r.contains("Folder tempat Anda dapat menyimpan berkas baru: 01-draf."), "the right folder: {r}");
    // The same kind of file owned by someone with the right passes the access
    // rules (and is then judged by its signature).
    if uzers::get_current_uid() == 0 {
        let tmp = env.dir.path().join("oleh-sekretaris.pdf");
        std::fs::write(&tmp, pdf("belum ditandatangani")).unwrap();
        std::os::unix::fs::chown(&tmp, Some(65534), None).unwrap();
        std::fs::rename(&tmp, env.p("06-sudah-tte/Oleh Sekretaris.pdf")).unwrap();
        let code = || -> Option<String> {
            env.conn()
                .query_row(
                    "SELECT reason_code FROM rejections WHERE original_path = '06-sudah-tte/Oleh Sekretaris.pdf'",
                    [],
                    |r| r.get(0),
                )
                .ok()
        };
        assert!(wait_until(Duration::from_secs(10), || code().is_some()));
        assert_eq!(code().as_deref(), Some("no_match"), "not refused for access");
    }
    assert!(env.log().contains("a file was placed without the right to"), "logged as a security event");

    // With `unknown_owner: refuse`, a file from someone not in workflow.yaml is refused.
    let env = env_with("events", "unknown_owner: refuse\n");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Asing.pdf", &pdf("asing"));
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'unknown_owner'")
        == 1));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
}

#[test]
fn logs_go_to_daily_files_with_the_letter_id_on_each_line() {
    let env = env_with("events", "log:\n  dir: logs\n  keep_days: 3\n");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Log.pdf", &pdf("log"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let dir = env.dir.path().join("logs");
    let found = wait_until(Duration::from_secs(5), || {
        std::fs::read_dir(&dir)
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("suratd.")))
            .unwrap_or(false)
    });
    assert!(found, "a daily log file in {}", dir.display());
    let file = std::fs::read_dir(&dir).unwrap().flatten().next().unwrap().path();
    assert!(file.file_name().unwrap().to_string_lossy().ends_with(".log"));
    assert!(wait_until(Duration::from_secs(5), || std::fs::read_to_string(&file)
        .unwrap_or_default()
        .contains(&format!("letter={}", &name[..12]))));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains('\u{1b}'), "no terminal colours in files");
}

#[test]
fn fsck_finds_what_changed_behind_suratds_back_and_repairs_the_safe_part() {
    let env = env("events");
    let d = env.start();
    env.drop_file("01-draf/KP.650 Satu.pdf", &pdf("satu"));
    let one = env.wait_file("02-verifikasi", "SK-");
    env.drop_file("01-draf/KP.650 Dua.pdf", &pdf("dua"));
    assert!(wait_until(Duration::from_secs(10), || env.files("02-verifikasi").len() == 2));
    env.settled();
    assert!(d.stop().success());
    let out = env.cli(&["fsck"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Behind its back: one letter moved by hand, one folder deleted, one file edited.
    std::fs::rename(env.p(&format!("02-verifikasi/{one}")), env.p(&format!("03-kelengkapan/{one}"))).unwrap();
    std::fs::remove_dir_all(env.p("07-distribusi/terkirim")).unwrap();
    let two = env.files("02-verifikasi").into_iter().find(|f| f != &one).unwrap();
    std::fs::write(env.p(&format!("02-verifikasi/{two}")), pdf("diubah diam-diam")).unwrap();
    let out = env.cli(&["fsck"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("its file is at 03-kelengkapan/{one}")), "{text}");
    assert!(text.contains("folder 07-distribusi/terkirim is missing"), "{text}");
    assert!(text.contains("changed behind suratd's back"), "{text}");

    // --repair fixes the safe part; the edited file is left for a person.
    let out = env.cli(&["fsck", "--repair"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("[repaired]"), "{text}");
    assert!(env.p("07-distribusi/terkirim").is_dir());
    assert_eq!(env.letter(&one[..12]).2.unwrap(), format!("03-kelengkapan/{one}"));
    let out = env.cli(&["fsck"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text.lines().count(), 1, "only the edited file remains: {text}");
}

#[test]
fn init_samba_prints_the_share_and_sets_folder_acls() {
    let env = env("events");
    let root = uzers::get_current_uid() == 0;
    if root {
        for role in ["anggota_tim", "ketua_tim", "sekretaris", "kepala", "bagian_umum"] {
            let _ = std::process::Command::new("groupadd").arg(format!("suratd-{role}")).output();
        }
    }
    let out = env.cli(&["init", "--samba"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let errors = String::from_utf8_lossy(&out.stderr).into_owned();
    // Not root: the folders cannot be given to the service user, and it says so.
    assert!(out.status.success() || (!root && errors.contains("error: ")), "{text}{errors}");
    assert!(text.contains("[SuratKeluar]") && text.contains("valid users = @suratd-anggota_tim"), "{text}");
    assert!(!text.contains("\n   force user"), "no force user: {text}");
    assert!(text.contains(";   01-draf: suratd-anggota_tim (sticky)"), "{text}");
    assert!(text.contains(";   02-verifikasi: suratd-ketua_tim\n"), "moving out needs write: {text}");
    assert!(text.contains(";   arsip: suratd only"), "{text}");
    let getfacl = std::process::Command::new("getfacl").arg("-p").arg(env.p("06-sudah-tte")).output();
    match getfacl {
        Ok(o) if root && o.status.success() => {
            let acl = String::from_utf8_lossy(&o.stdout);
            assert!(acl.contains("group:suratd-sekretaris:rwx") && acl.contains("group:suratd-kepala:rwx"), "{acl}");
            assert!(!acl.contains("group:suratd-anggota_tim:rwx"), "{acl}");
            assert!(acl.contains("default:group:suratd-sekretaris:rwx"), "{acl}");
        }
        _ => {
            assert!(std::env::var("CI").is_err() || !root, "CI must have the acl tools (see .ci/run)");
            eprintln!("ACLs not checked: getfacl not installed or not root");
        }
    }
}

#[test]
fn admins_are_told_when_mail_stays_down_or_the_disk_fills_up() {
    // A port nobody listens on: the mail server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = env_with(
        "events",
        &format!(
            "admins: [admin@bps.go.id]\nalerts:\n  mail_after: 1s\n  disk_min_free: 100000000GB\nsmtp:\n  host: 127.0.0.1\n  port: {port}\n  tls: none\n  retry: 200ms\n"
        ),
    );
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat.pdf", &pdf("surat"));
    env.wait_file("02-verifikasi", "SK-");
    let alerts =
        |text: &str| env.count(&format!("SELECT COUNT(*) FROM outbox WHERE kind = 'admin' AND body LIKE '%{text}%'"));
    assert!(wait_until(Duration::from_secs(15), || alerts("Ruang disk hampir penuh") >= 1), "{}", env.log());
    // The disk alerts cannot be sent either: once they wait longer than
    // mail_after, the admins are told the mail server is unreachable.
    assert!(wait_until(Duration::from_secs(15), || alerts("Server email tidak dapat dihubungi") == 1), "{}", env.log());
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(alerts("Server email tidak dapat dihubungi"), 1, "once a day");
    assert_eq!(alerts("Ruang disk hampir penuh"), 2, "the share and the database folder, once each");
}

/// Issue 14.5: the watchdog never kills a healthy service. A signed file
/// pdftoppm takes minutes to draw is worked on until `processing.timeout`
/// (3 s here), longer than the watchdog allows (1 s); the pings go on
/// meanwhile, and the file is refused in time.
#[test]
fn a_slow_file_keeps_the_watchdog_fed() {
    let env = env("events");
    let text = std::fs::read_to_string(&env.config).unwrap().replace("timeout: 20s", "timeout: 3s");
    std::fs::write(&env.config, text).unwrap();
    let sock_path = env.dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let _d = env.start_with_env(&[("NOTIFY_SOCKET", sock_path.to_str().unwrap()), ("WATCHDOG_USEC", "1000000")]);
    let id = to_signature(&env, "Rapat Lambat");
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    let line = format!("BT /F1 12 Tf 72 760 Td (Nomor: {number}) Tj ET\n");
    let signed = sign_like_a_portal(&slow_to_draw(&copy_for_signing(&env, &id), &line), "Kepala", false);
    let mut buf = [0u8; 512];
    while sock.recv(&mut buf).is_ok() {} // what came before
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let reason = env.p(&format!("_ditolak/{id} ttd.pdf.alasan.txt"));
    let (start, mut last, mut longest) = (Instant::now(), Instant::now(), Duration::ZERO);
    while !reason.is_file() && start.elapsed() < Duration::from_secs(30) {
        if let Ok(n) = sock.recv(&mut buf)
            && String::from_utf8_lossy(&buf[..n]).contains("WATCHDOG=1")
        {
            longest = longest.max(last.elapsed());
            last = Instant::now();
        }
    }
    assert!(reason.is_file(), "{:?}\n{}", env.tree(), env.log());
    assert!(std::fs::read_to_string(&reason).unwrap().contains("batas waktu pemrosesan"));
    assert!(start.elapsed() >= Duration::from_secs(3), "the drawing ran its time");
    // WatchdogSec here is 1 s: systemd would have killed a silence that long.
    assert!(longest < Duration::from_secs(1), "a silence of {longest:?} while a slow file was worked on");
}

/// Issue 14.5: every PDF parse has a time limit, and the walk through a
/// signed file's optional content looks at each object once: a file whose
/// layers reach the same objects through 24^10 paths is judged well within
/// `processing.timeout` (3 s here), and the loop goes on with the next file.
#[test]
fn a_signed_file_with_endless_layer_paths_is_judged_in_time_and_the_loop_goes_on() {
    // Optional content whose entries reach the same few objects through
    // 24^10 paths: a walk that does not remember where it has been never
    // ends (it hung the loop once, then held a core past its time limit).
    let env = env("events");
    let text = std::fs::read_to_string(&env.config).unwrap().replace("timeout: 20s", "timeout: 3s");
    std::fs::write(&env.config, text).unwrap();
    let _d = env.start();
    let id = to_signature(&env, "Rapat Berliku");
    let signed = sign_like_a_portal(&slow_to_read(&copy_for_signing(&env, &id)), "Kepala", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    // Layers that are all on change nothing a reader sees: the signed
    // letter goes on, within the 3 s limit.
    let out = || env.files("07-distribusi").iter().any(|n| n.starts_with(id.as_str()));
    assert!(wait_until(Duration::from_secs(30), out), "{:?}\n{}", env.tree(), env.log());
    assert!(!env.log().contains("batas waktu"), "{}", env.log());
    env.drop_file("01-draf/KP.650 Sesudahnya.pdf", &pdf("sesudahnya"));
    assert!(
        wait_until(Duration::from_secs(15), || env.files("02-verifikasi").iter().any(|n| n.contains("Sesudahnya"))),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
}
