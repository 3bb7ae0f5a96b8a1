//! The version store: every version of every file, kept by its SHA-256 on the
//! server's local disk beside the database. Content-addressed, so storing
//! the same bytes twice is a no-op; nothing in it is ever deleted.

use crate::store::fsops;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// Each version is synced as it is written; off for a batch, which
    /// syncs them all at once ([`Store::batched`]).
    sync_each: bool,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store { dir, sync_each: true }
    }

    /// The same store, for a batch: `put` does not wait for the disk, and
    /// the batch calls [`Store::sync`] before anything refers to what it
    /// put.
    pub fn batched(&self) -> Store {
        Store { dir: self.dir.clone(), sync_each: false }
    }

    /// Makes everything put in the store durable (one `syncfs`).
    pub fn sync(&self) -> io::Result<()> {
        fsops::create_dirs(&self.dir)?;
        fsops::sync_fs(&self.dir)
    }

    /// Whether the store holds a file of this name and size (a short file
    /// left by a power cut before its batch was synced is written again).
    fn holds(&self, path: &Path, len: usize) -> bool {
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == len as u64)
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    pub fn has(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Stores `bytes` (whose SHA-256 is `sha256`) durably, once.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        self.put_parts(sha256, &[bytes])
    }

    /// [`Store::put`] of a file given in parts (a stamped copy: the draft's
    /// bytes, then the stamp), written one after the other.
    pub fn put_parts(&self, sha256: &str, parts: &[&[u8]]) -> io::Result<PathBuf> {
        if !self.sync_each {
            return self.put_unsynced_parts(sha256, parts);
        }
        let len = parts.iter().map(|p| p.len()).sum();
        let path = self.path_of(sha256);
        if self.holds(&path, len) {
            // Perhaps put by a batch that stopped before its sync.
            fs::File::open(&path)?.sync_all()?;
            return Ok(path);
        }
        if fs::symlink_metadata(&path).is_ok() {
            // Not whole: written again.
            fs::remove_file(&path)?;
        }
        match fsops::write_new_parts(&path, parts) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        // Versions are read-only.
        let mut perm = fs::metadata(&path)?.permissions();
        perm.set_readonly(true);
        fs::set_permissions(&path, perm)?;
        Ok(path)
    }

    /// Stores `bytes` once without waiting for the disk (a batch is made
    /// durable at once with `fsops::sync_fs`).
    pub fn put_unsynced(&self, sha256: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        self.put_unsynced_parts(sha256, &[bytes])
    }

    fn put_unsynced_parts(&self, sha256: &str, parts: &[&[u8]]) -> io::Result<PathBuf> {
        let path = self.path_of(sha256);
        if !self.holds(&path, parts.iter().map(|p| p.len()).sum()) {
            fsops::write_replacing_unsynced(&path, parts)?;
            let mut perm = fs::metadata(&path)?.permissions();
            perm.set_readonly(true);
            fs::set_permissions(&path, perm)?;
        }
        Ok(path)
    }

    /// Copies into the store at `to` every version it does not hold yet
    /// (a file of the same name and size is taken as held: names are
    /// hashes), each checked against its name while copied and synced.
    /// Versions whose bytes no longer match their name are not copied and
    /// are listed in the answer's `damaged`.
    pub fn copy_missing_to(&self, to: &Path) -> io::Result<Copied> {
        let mut done = Copied::default();
        let mut subs: Vec<_> = fs::read_dir(&self.dir)?.collect::<io::Result<Vec<_>>>()?;
        subs.sort_by_key(|e| e.file_name());
        for sub in subs.iter().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
            let into = to.join(sub.file_name());
            let mut synced = false;
            for f in fs::read_dir(sub.path())? {
                let f = f?;
                let (name, size) = (f.file_name().to_string_lossy().into_owned(), f.metadata()?.len());
                if !is_sha256(&name) {
                    continue;
                }
                let dest = into.join(&name);
                if fs::metadata(&dest).is_ok_and(|m| m.len() == size) {
                    done.kept += 1;
                    continue;
                }
                fsops::create_dirs(&into)?;
                if copy_checked(&f.path(), &dest, &name)? {
                    done.copied += 1;
                    synced = true;
                } else {
                    done.damaged.push(f.path());
                }
            }
            if synced {
                fsops::sync_dir(&into)?;
            }
        }
        Ok(done)
    }
}

/// What [`Store::copy_missing_to`] did.
#[derive(Debug, Default)]
pub struct Copied {
    pub copied: usize,
    pub kept: usize,
    pub damaged: Vec<PathBuf>,
}

fn is_sha256(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Copies `from` to `to` through a temporary file, synced, read-only; false
/// (and nothing left behind) when the bytes do not hash to `sha256`.
fn copy_checked(from: &Path, to: &Path, sha256: &str) -> io::Result<bool> {
    let tmp = to.with_file_name(format!(".{sha256}.backup-tmp"));
    let copied = (|| {
        let bytes = fs::read(from)?;
        if fsops::sha256_bytes(&bytes) != sha256 {
            return Ok(false);
        }
        // Made anew, for its owner only: a name planted there is not followed.
        use std::os::unix::fs::OpenOptionsExt;
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        let mut perm = f.metadata()?.permissions();
        perm.set_readonly(true);
        fs::set_permissions(&tmp, perm)?;
        fs::rename(&tmp, to)?;
        Ok(true)
    })();
    if !matches!(copied, Ok(true)) {
        let _ = fs::remove_file(&tmp);
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_hash_once() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::new(d.path().join("store"));
        let sha = fsops::sha256_bytes(b"%PDF-1.4 x");
        let p = s.put(&sha, b"%PDF-1.4 x").unwrap();
        assert!(s.has(&sha));
        assert_eq!(fs::read(&p).unwrap(), b"%PDF-1.4 x");
        s.put(&sha, b"%PDF-1.4 x").unwrap();
        assert!(fs::metadata(&p).unwrap().permissions().readonly());
    }

    #[test]
    fn a_copy_takes_what_is_missing_and_never_a_damaged_version() {
        let d = tempfile::tempdir().unwrap();
        let s = Store::new(d.path().join("store"));
        let (a, b) = (fsops::sha256_bytes(b"a"), fsops::sha256_bytes(b"b"));
        s.put(&a, b"a").unwrap();
        s.put(&b, b"b").unwrap();
        let to = d.path().join("backup/store");
        let first = s.copy_missing_to(&to).unwrap();
        assert_eq!((first.copied, first.kept, first.damaged.len()), (2, 0, 0));
        assert_eq!(fs::read(Store::new(to.clone()).path_of(&a)).unwrap(), b"a");
        // A version whose bytes changed on disk is named, not copied.
        let c = fsops::sha256_bytes(b"c");
        fsops::write_new(&s.path_of(&c), b"not c").unwrap();
        let second = s.copy_missing_to(&to).unwrap();
        assert_eq!((second.copied, second.kept), (0, 2));
        assert_eq!(second.damaged, vec![s.path_of(&c)]);
        assert!(!Store::new(to).has(&c));
    }
}
