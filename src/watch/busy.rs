//! Whether a file is still open for writing by another program: a copy in
//! progress (smbd writing for an Explorer copy keeps the file open until
//! the copy ends or is cancelled), or an editor that holds it. Asked of
//! the kernel with a read lease (`fcntl(F_SETLEASE)`), which is refused
//! while any process has the file open for writing, and released at once.
//! The kernel grants leases to the file's owner and to a process with
//! `CAP_LEASE` (the unit gives suratd that capability), on local file
//! systems; elsewhere the answer is "cannot tell" and settling alone
//! decides.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// `Some(true)` when another process has the regular file at `path` open
/// for writing, `Some(false)` when nobody has, `None` when the kernel
/// cannot say (no lease for this user, a network file system, gone).
pub fn open_for_writing(path: &Path) -> Option<bool> {
    // Special files are never opened (a device may act on an open).
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    // Non-blocking: an open that would wait for another holder's lease
    // to break says "busy" instead of waiting; never follows a link.
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => return Some(true),
        Err(_) => return None,
    };
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    lease(&file)
}

/// Takes a read lease on `file` and gives it back at once.
fn lease(file: &File) -> Option<bool> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns and keeps
    // open; F_SETLEASE takes an int argument and touches no memory. No
    // owner is set (F_SETOWN), so a lease break in the short moment the
    // lease is held sends no signal.
    let r = unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) };
    if r == 0 {
        // SAFETY: as above.
        unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) };
        return Some(false);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN) => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Runs as root in CI (CAP_LEASE) and as the file's owner elsewhere.
    #[test]
    fn a_file_open_for_writing_is_busy_until_closed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("copy.pdf");
        let mut w = File::create(&p).unwrap();
        w.write_all(b"%PDF-1.7\n").unwrap();
        assert_eq!(open_for_writing(&p), Some(true));
        // A reader (someone previewing the file) is no writer.
        let _r = File::open(&p).unwrap();
        assert_eq!(open_for_writing(&p), Some(true));
        drop(w);
        assert_eq!(open_for_writing(&p), Some(false));
        assert_eq!(open_for_writing(&dir.path().join("gone.pdf")), None);
        std::os::unix::fs::symlink(&p, dir.path().join("link.pdf")).unwrap();
        assert_eq!(open_for_writing(&dir.path().join("link.pdf")), None, "a link is not followed");
        let fifo = dir.path().join("pipa.pdf");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert_eq!(open_for_writing(&fifo), None, "a FIFO is not opened");
    }
}
