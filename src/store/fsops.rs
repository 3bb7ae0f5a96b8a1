//! Durable file operations on the share: moves that never overwrite, writes
//! that survive a power cut (fsync of the file and of its folder), names
//! that never clash.

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Flushes a folder's entries to disk (after a rename or create in it).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir) {
        Ok(f) => match f.sync_all() {
            // Some network file systems do not support fsync on folders.
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => Ok(()),
            other => other,
        },
        Err(e) => Err(e),
    }
}

fn parent(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Creates `dir` and its parents, syncing each new folder's parent.
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(p) = dir.parent()
        && !p.as_os_str().is_empty()
    {
        create_dirs(p)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => sync_dir(parent(dir)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Moves `from` to `to` without ever replacing an existing `to`: fails with
/// `AlreadyExists` instead. Works across file systems (copy, fsync, remove).
/// Both folders are synced, so the move survives a power cut.
pub fn move_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    move_noreplace_unsynced(from, to)?;
    sync_dir(parent(to))?;
    if parent(from) != parent(to) {
        sync_dir(parent(from))?;
    }
    Ok(())
}

/// [`move_noreplace`] without syncing the folders: the caller makes a
/// batch of moves durable at once with [`sync_fs`].
pub fn move_noreplace_unsynced(from: &Path, to: &Path) -> io::Result<()> {
    create_dirs(parent(to))?;
    match rustix::fs::renameat_with(rustix::fs::CWD, from, rustix::fs::CWD, to, rustix::fs::RenameFlags::NOREPLACE) {
        Ok(()) => {}
        Err(e) if e == rustix::io::Errno::EXIST => {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", to.display())));
        }
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS || e == rustix::io::Errno::NOTSUP => {
            move_by_link(from, to)?;
        }
        Err(e) if e == rustix::io::Errno::XDEV => copy_then_remove(from, to)?,
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Where the file system cannot rename without replacing (some network
/// mounts): a hard link, which fails when `to` exists, then the old name
/// removed; without hard links either, `to` created exclusively and the
/// bytes copied into it (a symbolic link made anew, which fails when `to`
/// exists too). Never replaces `to`, even when another program makes it
/// meanwhile.
fn move_by_link(from: &Path, to: &Path) -> io::Result<()> {
    let already = || io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", to.display()));
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already()),
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::XDEV.raw_os_error()) => copy_then_remove(from, to),
        Err(_) => match copy_exclusive(from, to) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(already()),
            other => other,
        },
    }
}

/// `to` created exclusively with `from`'s bytes (or link target), made
/// durable, then `from` removed.
fn copy_exclusive(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(from)?.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, to)?;
    } else {
        let mut out = fs::OpenOptions::new().write(true).create_new(true).open(to)?;
        let copied = io::copy(&mut File::open(from)?, &mut out).and_then(|_| out.sync_all());
        if let Err(e) = copied {
            let _ = fs::remove_file(to);
            return Err(e);
        }
    }
    fs::remove_file(from)
}

fn copy_then_remove(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from)?;
        std::os::unix::fs::symlink(target, to)?;
    } else {
        let tmp = temp_name(to);
        fs::copy(from, &tmp)?;
        File::open(&tmp)?.sync_all()?;
        if let Err(e) =
            rustix::fs::renameat_with(rustix::fs::CWD, &tmp, rustix::fs::CWD, to, rustix::fs::RenameFlags::NOREPLACE)
        {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
    }
    sync_dir(parent(to))?;
    fs::remove_file(from)
}

fn temp_name(p: &Path) -> PathBuf {
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent(p).join(format!(".{name}.suratd-{}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` durably and without replacing an existing file.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_new_parts(path, &[bytes])
}

/// [`write_new`] of a file given in parts, written one after the other
/// (a stamped copy: the draft's bytes, then the stamp), never joined in
/// memory.
pub fn write_new_parts(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    create_dirs(parent(path))?;
    let tmp = temp_name(path);
    let written = File::create(&tmp).and_then(|mut f| {
        parts.iter().try_for_each(|p| f.write_all(p))?;
        f.sync_all()
    });
    let r = written.and_then(|()| move_noreplace(&tmp, path));
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// A new temporary file beside `path` (named as [`remove_stale_temps`]
/// knows to clean up) with the bytes of the file `source`, copied by the
/// kernel (not read into memory), without waiting for the disk; returns its
/// name. A batch is synced at once, then each temporary file is moved to
/// its name with [`move_noreplace_unsynced`].
pub fn copy_temp_unsynced(source: &Path, path: &Path) -> io::Result<(PathBuf, u64)> {
    fill_temp_unsynced(path, |f| io::copy(&mut File::open(source)?, f).map(|_| ()))
}

/// `bytes` into a new temporary file beside `path` (created exclusively:
/// never written through a link someone placed), without waiting for the
/// disk; its name and inode.
pub fn write_temp_unsynced(path: &Path, bytes: &[u8]) -> io::Result<(PathBuf, u64)> {
    fill_temp_unsynced(path, |f| f.write_all(bytes))
}

/// [`write_new`] with the bytes of the file `source`, copied by the kernel.
pub fn copy_new(source: &Path, path: &Path) -> io::Result<()> {
    let (tmp, _) = copy_temp_unsynced(source, path)?;
    let r = File::open(&tmp).and_then(|f| f.sync_all()).and_then(|()| move_noreplace(&tmp, path));
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// The temporary file's name and inode (the file written, whatever is
/// done to its name meanwhile).
fn fill_temp_unsynced(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<(PathBuf, u64)> {
    create_dirs(parent(path))?;
    let tmp = temp_name(path);
    let create = || fs::OpenOptions::new().write(true).create_new(true).open(&tmp);
    // One of this process's own, left by a write that failed: replaced
    // (removed, never written through: it may be a link someone made).
    let file = match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => fs::remove_file(&tmp).and_then(|()| create()),
        other => other,
    };
    let r = file.and_then(|mut f| {
        fill(&mut f)?;
        use std::os::unix::fs::MetadataExt;
        f.metadata().map(|m| m.ino())
    });
    match r {
        Ok(ino) => Ok((tmp, ino)),
        Err(e) => {
            if e.kind() != io::ErrorKind::AlreadyExists {
                let _ = fs::remove_file(&tmp);
            }
            Err(e)
        }
    }
}

/// Writes `bytes` to `path` (through a temporary file renamed over it, so
/// the name never holds half a file) without waiting for the disk: the
/// caller makes a whole batch durable at once with [`sync_fs`].
pub fn write_replacing_unsynced(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    create_dirs(parent(path))?;
    let tmp = temp_name(path);
    let r = File::create(&tmp)
        .and_then(|mut f| parts.iter().try_for_each(|p| f.write_all(p)))
        .and_then(|()| fs::rename(&tmp, path));
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// Makes everything written on the file system holding `dir` durable
/// (`syncfs(2)`): one sync for a batch of files and folders.
pub fn sync_fs(dir: &Path) -> io::Result<()> {
    let d = File::open(dir)?;
    rustix::fs::syncfs(&d)?;
    Ok(())
}

/// Whether the folder `dir` can take a new file of about `len` bytes: it
/// can be written (not a read-only mount) and its file system has room
/// for the file twice over and a margin. A check made before a transition
/// is begun, so a share that is full or read-only makes a file wait
/// without using a letter id; the transition itself still handles a disk
/// that fills meanwhile.
pub fn room_for(dir: &Path, len: u64) -> io::Result<()> {
    use rustix::fs::{Access, access, statvfs};
    let err = |e: rustix::io::Errno| io::Error::from_raw_os_error(e.raw_os_error());
    access(dir, Access::WRITE_OK).map_err(err)?;
    let st = statvfs(dir).map_err(err)?;
    let free = st.f_bavail.saturating_mul(st.f_frsize);
    if free < len.saturating_mul(2).saturating_add(64 * 1024) {
        return Err(io::Error::from_raw_os_error(rustix::io::Errno::NOSPC.raw_os_error()));
    }
    Ok(())
}

/// Whether `name` is one of suratd's temporary files (`write_new`), and the
/// process that wrote it.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = rest.rsplit_once(".suratd-")?;
    pid.parse().ok()
}

/// Removes temporary files that a killed suratd left half written under
/// `dir` (never the only copy of anything: the original is still in place
/// or in the version store). Returns what was removed. Called at start-up,
/// before this process writes any: one named with this process's id is
/// a dead one's whose id was reused.
pub fn remove_stale_temps(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file()
                && temp_owner(&e.file_name().to_string_lossy()).is_some()
                && fs::remove_file(e.path()).is_ok()
            {
                removed.push(e.path());
            }
        }
    }
    removed
}

/// The first of `name`, `name (2)`, `name (3)`, ... that is free in `dir`:
/// no entry there has it, in any case (Windows and the share see
/// `Rapat.pdf` and `rapat.pdf` as one name, and a client may open the other
/// file), skipping names in `taken` too.
pub fn free_name(dir: &Path, name: &str, taken: &[PathBuf]) -> PathBuf {
    let present = lowercase_names(dir);
    for n in 1.. {
        let numbered = crate::letter::names::numbered(name, n);
        let candidate = dir.join(&numbered);
        if !present.contains(&numbered.to_lowercase())
            && fs::symlink_metadata(&candidate).is_err()
            && !taken.contains(&candidate)
        {
            return candidate;
        }
    }
    unreachable!()
}

/// The names in `dir`, lowercased, read again only when the folder changed
/// (its modification time): a burst of letters into one folder does not
/// list it once per letter. Exact names are always checked on the disk.
fn lowercase_names(dir: &Path) -> std::sync::Arc<std::collections::HashSet<String>> {
    use std::os::unix::fs::MetadataExt;
    use std::sync::{Arc, Mutex};
    // The change time too: a client can set a folder's modification time.
    type Listing = (PathBuf, (u64, i64, i64, i64, i64), Arc<std::collections::HashSet<String>>);
    static LAST: Mutex<Option<Listing>> = Mutex::new(None);
    let stamp = fs::metadata(dir).map(|m| (m.ino(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec())).ok();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let (Some(stamp), Some((d, s, names))) = (stamp, &*last)
        && d == dir
        && *s == stamp
    {
        return names.clone();
    }
    let names: Arc<std::collections::HashSet<String>> = Arc::new(
        fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().to_lowercase()).collect())
            .unwrap_or_default(),
    );
    *last = stamp.map(|s| (dir.to_path_buf(), s, names.clone()));
    names
}

/// SHA-256 (hex) of a file given in parts, as if joined.
pub fn sha256_parts(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    parts.iter().for_each(|p| h.update(p));
    format!("{:x}", h.finalize())
}

/// SHA-256 (hex) and size of a file, read to its end.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let r = f.read(&mut buf)?;
        if r == 0 {
            break;
        }
        h.update(&buf[..r]);
        n += r as u64;
    }
    Ok((hex(&h.finalize()), n))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Path of `abs` relative to `root`, with `/` separators.
pub fn rel_path(root: &Path, abs: &Path) -> Option<String> {
    let rel = abs.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14.8: the fallback for file systems without RENAME_NOREPLACE
    /// (forced here) never replaces a file, by link or by exclusive copy.
    #[test]
    fn the_fallback_moves_never_replace_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.pdf"), dir.path().join("b.pdf"));
        for mover in [move_by_link as fn(&Path, &Path) -> io::Result<()>, copy_exclusive] {
            fs::write(&a, b"letter").unwrap();
            fs::write(&b, b"someone else's").unwrap();
            let e = mover(&a, &b).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
            assert_eq!(fs::read(&b).unwrap(), b"someone else's", "not replaced");
            assert_eq!(fs::read(&a).unwrap(), b"letter", "the source stays");
            fs::remove_file(&b).unwrap();
            mover(&a, &b).unwrap();
            assert_eq!(fs::read(&b).unwrap(), b"letter");
            assert!(!a.exists());
            fs::remove_file(&b).unwrap();
        }
    }

    #[test]
    fn a_free_name_differs_from_every_name_in_the_folder_in_any_case() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("KP.650 Rapat.pdf"), b"a").unwrap();
        fs::write(d.path().join("kp.650 rapat (2).pdf"), b"b").unwrap();
        assert_eq!(free_name(d.path(), "kp.650 rapat.pdf", &[]), d.path().join("kp.650 rapat (3).pdf"));
        assert_eq!(free_name(d.path(), "Lain.pdf", &[]), d.path().join("Lain.pdf"));
        let taken = [d.path().join("Lain.pdf")];
        assert_eq!(free_name(d.path(), "Lain.pdf", &taken), d.path().join("Lain (2).pdf"));
    }

    #[test]
    fn stale_temporary_files_are_removed_and_others_kept() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let stale = d.path().join("sub/.SK-2026-0001 A.pdf.suratd-999999.tmp");
        let keep = [d.path().join("sub/.SK-2026-0001 A.pdf.tmp"), d.path().join("SK-2026-0001 A.pdf")];
        for p in keep.iter().chain([&stale]) {
            std::fs::write(p, b"x").unwrap();
        }
        assert_eq!(remove_stale_temps(d.path()), vec![stale.clone()]);
        assert!(!stale.exists());
        assert!(keep.iter().all(|p| p.exists()));
    }

    #[test]
    fn moves_never_overwrite() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.pdf");
        let b = d.path().join("sub/b.pdf");
        fs::write(&a, b"one").unwrap();
        move_noreplace(&a, &b).unwrap();
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"one");
        fs::write(&a, b"two").unwrap();
        let e = move_noreplace(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&b).unwrap(), b"one");
        assert_eq!(fs::read(&a).unwrap(), b"two");
    }

    #[test]
    fn free_names_count_up() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("x.pdf"), b"").unwrap();
        fs::write(d.path().join("x (2).pdf"), b"").unwrap();
        assert_eq!(free_name(d.path(), "x.pdf", &[]), d.path().join("x (3).pdf"));
        assert_eq!(free_name(d.path(), "y.pdf", &[d.path().join("y.pdf")]), d.path().join("y (2).pdf"));
    }

    #[test]
    fn write_new_refuses_to_replace() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.txt");
        write_new(&p, b"a").unwrap();
        assert!(write_new(&p, b"b").is_err());
        assert_eq!(fs::read(&p).unwrap(), b"a");
        let leftovers: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }
}
