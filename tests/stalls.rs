//! Issue 14.11: a share that stops answering does not freeze suratd. A
//! FUSE file system (tests/fixtures/hang_fs.py, Python's fusepy: Debian
//! package python3-fusepy) is mounted on a step folder; its file opens but
//! a read of it never returns, as on a network share whose server went
//! away. Mounting needs root and /dev/fuse (CI has both); without them the
//! test fails saying so (a skipped test did not run).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

/// A mounted file system whose files cannot be read; unmounted when dropped.
struct HungShare {
    at: PathBuf,
    server: Child,
}

impl HungShare {
    fn mount(at: &Path, names: &[&str]) -> HungShare {
        assert!(
            Path::new("/dev/fuse").exists() && rustix::process::geteuid().is_root(),
            "mounting a FUSE file system needs /dev/fuse and root (run the tests as root, as .ci/run does)"
        );
        std::fs::create_dir_all(at).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hang_fs.py");
        let server = Command::new("/usr/bin/python3").arg(script).arg(at).args(names).spawn().unwrap();
        let mut share = HungShare { at: at.to_path_buf(), server };
        let mounted = wait_until(Duration::from_secs(10), || at.join(names[0]).is_file());
        assert!(mounted, "the FUSE file system did not mount (is python3-fusepy installed? .ci/run installs it)");
        assert!(share.server.try_wait().unwrap().is_none());
        share
    }
}

impl Drop for HungShare {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

#[test]
fn a_read_that_never_returns_does_not_stop_the_loop_and_the_file_is_tried_again() {
    let env = env("poll");
    let text = std::fs::read_to_string(&env.config).unwrap().replace("timeout: 20s", "timeout: 2s");
    std::fs::write(&env.config, text).unwrap();
    let share = HungShare::mount(&env.p("06-sudah-tte"), &["ttd.pdf"]);
    // The share goes first (a tuple drops in order): its reads then fail,
    // and the daemon's threads blocked in them can end with it.
    let _both = (share, env.start());
    // Once suratd reads the file (and the read never returns), the loop
    // waits for it at most processing.timeout, then goes on.
    let reads = || std::fs::read_to_string(env.p("06-sudah-tte.reads")).unwrap_or_default().lines().count();
    assert!(wait_until(Duration::from_secs(20), || reads() >= 1), "{}", env.log());
    env.drop_file("01-draf/KP.650 Tetap Jalan.pdf", &pdf("tetap jalan"));
    let name = env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(30));
    assert!(name.contains("Tetap Jalan"), "{name}");
    assert!(
        wait_until(Duration::from_secs(10), || env.log().contains("a read on the share passed its time limit")),
        "{}",
        env.log()
    );
    // The file is tried again later (not counted against it, not refused);
    // while its first read is still blocked, no second one is started.
    let tried = || env.log().matches("has not returned yet").count();
    assert!(wait_until(Duration::from_secs(20), || tried() >= 1), "{}", env.log());
    assert!(env.files("_ditolak").is_empty(), "{:?}", env.files("_ditolak"));
    assert_eq!(env.files("06-sudah-tte"), vec!["ttd.pdf".to_string()]);
}

/// The config of `env`, with `processing.timeout` short.
fn short_timeout(env: &Env, timeout: &str) {
    let text = std::fs::read_to_string(&env.config).unwrap().replace("timeout: 20s", &format!("timeout: {timeout}"));
    std::fs::write(&env.config, text).unwrap();
}

/// One hung file, retried: each retry used to start a new read that hung
/// too, each leaving a thread behind, so that after 8 retries (some 20
/// minutes with the default back-off) no read of the share started at
/// all: one file stopped the whole office. Nor were the admins told.
#[test]
fn attack_one_hung_file_retried_leaves_one_read_behind_and_the_admins_are_told() {
    let env = env_with("poll", "admins: [admin@bps.go.id]\n");
    short_timeout(&env, "1s");
    let share = HungShare::mount(&env.p("06-sudah-tte"), &["ttd.pdf"]);
    let _both = (share, env.start());
    let attempts = || {
        let log = env.log();
        log.matches("a read on the share passed its time limit").count() + log.matches("has not returned yet").count()
    };
    assert!(wait_until(Duration::from_secs(30), || attempts() >= 4), "{}", env.log());
    let log = env.log();
    assert!(!log.contains("stuck=2"), "one hung file left several reads behind:\n{log}");
    // The loop still takes drafts.
    env.drop_file("01-draf/KP.650 Tetap Jalan.pdf", &pdf("tetap jalan"));
    env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(30));
    let told = env.count("SELECT COUNT(*) FROM outbox WHERE body LIKE '%Share tidak menjawab%'");
    assert_eq!(told, 1, "the admins are told once a day");
}

/// Nine hung files on a mounted folder: once 8 reads are stuck there, no
/// read starts on that file system, but drafts on the server's own disk go
/// on (the cap is per file system).
#[test]
fn attack_nine_hung_files_on_one_mount_do_not_stop_drafts_elsewhere() {
    let env = env_with("poll", "admins: [admin@bps.go.id]\n");
    short_timeout(&env, "1s");
    let names = ["a.pdf", "b.pdf", "c.pdf", "d.pdf", "e.pdf", "f.pdf", "g.pdf", "h.pdf", "i.pdf"];
    let share = HungShare::mount(&env.p("06-sudah-tte"), &names);
    let _both = (share, env.start());
    assert!(
        wait_until(Duration::from_secs(60), || env.log().contains("reads on the share are stuck")),
        "{}",
        env.log()
    );
    env.drop_file("01-draf/KP.650 Tetap Jalan.pdf", &pdf("tetap jalan"));
    assert!(
        wait_until(Duration::from_secs(30), || env.files("02-verifikasi").iter().any(|n| n.starts_with("SK-"))),
        "a draft on the local disk waits behind a hung mount: {:?}",
        env.tree()
    );
}

/// A share whose server stops answering blocks `stat` and folder listings
/// as well as reads; only reads (and the open asking whether a file is
/// still being written) have a time limit, so one file whose attributes
/// never come freezes the loop: no draft anywhere is registered (under
/// systemd the watchdog then restarts suratd, whose first scan meets the
/// same file). Open.
#[test]
#[ignore = "open finding: a stat on the share that never returns freezes the loop"]
fn attack_a_stat_that_never_returns_does_not_stop_the_loop() {
    let env = env("poll");
    short_timeout(&env, "2s");
    let share = HungShare::mount(&env.p("06-sudah-tte"), &["ok.pdf", "stat-ttd.pdf"]);
    let _both = (share, env.start());
    std::thread::sleep(Duration::from_secs(3));
    env.drop_file("01-draf/KP.650 Tetap Jalan.pdf", &pdf("tetap jalan"));
    assert!(
        wait_until(Duration::from_secs(30), || std::fs::read_dir(env.p("02-verifikasi"))
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("SK-"))),
        "the loop froze on a stat of the hung share:\n{}",
        env.log()
    );
}
