//! Which file system a folder is on, from the mount table: on network mounts
//! (cifs, smb3, nfs, fuse) the kernel sends no file events for changes made
//! by other machines, so suratd polls there.

use std::path::Path;

/// File system types where inotify does not see changes made elsewhere.
const NETWORK_FS: &[&str] =
    &["cifs", "smb3", "smbfs", "nfs", "nfs4", "9p", "afs", "ceph", "glusterfs", "lustre", "davfs", "sshfs"];

/// Whether a file system type needs polling.
pub fn is_network_fs(fstype: &str) -> bool {
    NETWORK_FS.contains(&fstype) || fstype.starts_with("fuse")
}

/// The file system type of the mount that holds `path`, from the text of
/// `/proc/self/mountinfo` (longest matching mount point wins).
pub fn fs_type_in(mountinfo: &str, path: &Path) -> Option<String> {
    mount_in(mountinfo, path).map(|(_, t)| t)
}

/// The mount point and file system type of the mount that holds `path`.
fn mount_in(mountinfo: &str, path: &Path) -> Option<(String, String)> {
    let mut best: Option<(String, String)> = None;
    for line in mountinfo.lines() {
        // id parent major:minor root mount-point options [optional...] - fstype source super-options
        let mut parts = line.split(" - ");
        let (Some(left), Some(right)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(mount_point) = left.split_whitespace().nth(4) else {
            continue;
        };
        let Some(fstype) = right.split_whitespace().next() else {
            continue;
        };
        let mp = unescape(mount_point);
        if path.starts_with(&mp) && best.as_ref().is_none_or(|(b, _)| mp.len() >= b.len()) {
            best = Some((mp, fstype.to_string()));
        }
    }
    best
}

/// The mount point that holds the absolute path `path`, read from the mount
/// table alone (no call on the file system itself, which may not answer);
/// empty when unknown.
pub fn mount_point(path: &Path) -> String {
    mount_in(&recent_mountinfo(), path).map(|(m, _)| m).unwrap_or_default()
}

/// The mount table as read at most a second ago: asked for every file of a
/// burst, it is read once, not a thousand times.
fn recent_mountinfo() -> std::sync::Arc<String> {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    static CACHE: Mutex<Option<(Instant, Arc<String>)>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    match &*cache {
        Some((at, info)) if at.elapsed() < Duration::from_secs(1) => info.clone(),
        _ => {
            let info = Arc::new(std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default());
            *cache = Some((Instant::now(), info.clone()));
            info
        }
    }
}

/// The file system type of `path` on this machine.
pub fn fs_type(path: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(path).ok()?;
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    fs_type_in(&info, &abs)
}

/// Mount points escape spaces and a few other bytes as `\ooo`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:40 / /srv/Surat\\040Keluar rw,relatime shared:20 - cifs //nas/surat rw,vers=3.1.1
41 22 0:41 / /mnt/nfs rw - nfs4 nas:/x rw
42 22 0:42 / /mnt/g rw - fuse.sshfs x rw
";

    #[test]
    fn finds_the_mount_of_a_path() {
        assert_eq!(fs_type_in(INFO, Path::new("/srv/Surat Keluar/01-draf")).as_deref(), Some("cifs"));
        assert_eq!(fs_type_in(INFO, Path::new("/var/lib/suratd")).as_deref(), Some("ext4"));
        assert_eq!(fs_type_in(INFO, Path::new("/mnt/nfs/a")).as_deref(), Some("nfs4"));
        assert!(is_network_fs("cifs") && is_network_fs("nfs4") && is_network_fs("fuse.sshfs"));
        assert!(!is_network_fs("ext4") && !is_network_fs("xfs") && !is_network_fs("tmpfs"));
    }
}
