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
    // the kernel holds the second read back behind the first, unsent.
    let stalled = || env.log().matches("a read on the share passed its time limit").count();
    assert!(wait_until(Duration::from_secs(20), || stalled() >= 2), "{}", env.log());
    assert!(env.files("_ditolak").is_empty(), "{:?}", env.files("_ditolak"));
    assert_eq!(env.files("06-sudah-tte"), vec!["ttd.pdf".to_string()]);
}
