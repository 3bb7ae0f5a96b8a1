//! Mounts for the share's fault tests (they run as root, here and in CI): a
//! small tmpfs that fills up, a folder made read-only by a bind mount. A
//! mount that fails panics (a test that skipped itself did not run); each
//! is undone when its guard drops.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Mount {
    at: PathBuf,
}

fn mount(args: &[&str], at: &Path) {
    let out = Command::new("mount").args(args).arg(at).output().expect("cannot run mount");
    assert!(
        out.status.success(),
        "mount {args:?} {} failed (these tests need root): {}",
        at.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Mount {
    /// A tmpfs of `size` (`mount -o size=`, e.g. `2m`) at `at`, made if missing.
    pub fn tmpfs(at: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        mount(&["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"], at);
        Mount { at: at.to_path_buf() }
    }

    /// `at` made read-only (for root too) by a read-only bind mount on itself.
    pub fn read_only(at: &Path) -> Mount {
        let at_s = at.to_str().unwrap();
        mount(&["--bind", at_s], at);
        let guard = Mount { at: at.to_path_buf() };
        mount(&["-o", "remount,ro,bind"], at);
        guard
    }
}

/// Writes zeros into `path` until its disk is full.
pub fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 4096];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
}

impl Drop for Mount {
    fn drop(&mut self) {
        let out = Command::new("umount").arg(&self.at).output();
        if !out.as_ref().is_ok_and(|o| o.status.success()) {
            // Busy (a process still in it): detached now, gone when free.
            let _ = Command::new("umount").arg("-l").arg(&self.at).output();
        }
    }
}
