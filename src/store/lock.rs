//! One suratd per database: the daemon holds an exclusive lock on a file
//! beside the database (`suratd.db.lock`, with its process id in it) for
//! as long as it runs; a second daemon, or `fsck --repair`, that cannot
//! take it says who holds it and stops. The kernel drops the lock when the
//! process ends, however it ends.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock, held until dropped.
pub struct Lock {
    _file: File,
}

/// The lock file of `database`.
pub fn path_of(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    database.with_file_name(name)
}

/// Takes the lock of `database` for `what` (said in the error), or says
/// which process holds it.
pub fn take(database: &Path, what: &str) -> Result<Lock> {
    let path = path_of(database);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    if rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_err() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = holder.trim();
        let holder = if holder.is_empty() { String::new() } else { format!(" (process {holder})") };
        bail!(
            "another suratd is running on the database {}{holder}, so {what} cannot start: stop it first \
             (systemctl stop suratd), or give this one its own database",
            database.display()
        );
    }
    file.set_len(0).and_then(|_| file.rewind()).with_context(|| format!("cannot write {}", path.display()))?;
    let _ = writeln!(file, "{}", std::process::id());
    Ok(Lock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_told_who_holds_the_lock_until_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data/suratd.db");
        assert_eq!(path_of(&db), dir.path().join("data/suratd.db.lock"));
        let held = take(&db, "suratd run").unwrap();
        let e = format!("{:#}", take(&db, "fsck --repair").err().unwrap());
        assert!(e.contains("another suratd is running") && e.contains(&std::process::id().to_string()), "{e}");
        assert!(e.contains("fsck --repair"), "{e}");
        drop(held);
        assert!(take(&db, "suratd run").is_ok());
    }
}
