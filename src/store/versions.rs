//! The version store: every version of every file, kept by its SHA-256 on the
//! server's local disk beside the database. Content-addressed, so storing
//! the same bytes twice is a no-op; nothing in it is ever deleted.

use crate::store::fsops;
use std::fs;
use std::io;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    pub fn has(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Stores `bytes` (whose SHA-256 is `sha256`) durably, once.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.path_of(sha256);
        if path.is_file() {
            return Ok(path);
        }
        match fsops::write_new(&path, bytes) {
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
}
