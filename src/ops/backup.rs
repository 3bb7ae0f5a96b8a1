//! `suratd backup DIR`: a consistent copy of the database (SQLite's online
//! backup) and of the version store, taken while the daemon runs. It only
//! reads the live database and store (no lock, no write), so it can run
//! beside `suratd run`. The database is copied first (into a temporary
//! file), then the store, and only then is the copy put in place: the store
//! only ever grows and holds every version before the database names it, so
//! each version the copied database names is in the copied store, and a
//! backup cut short leaves the earlier one whole.
//!
//! DIR holds `suratd.db`, `store/` and a marker file; a later backup into
//! the same DIR replaces the database copy and adds the new versions. A
//! folder holding anything else, or another database's backup, is refused;
//! so is one on the share, one of another user, and a second backup into
//! a folder one is writing. DIR is made readable by its owner only.

use crate::config::Config;
use crate::store::db::Db;
use crate::store::{fsops, versions::Store};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The name of the database copy in DIR.
pub const DATABASE: &str = "suratd.db";
/// The file that marks DIR as a suratd backup.
const MARKER: &str = "SURATD-BACKUP.txt";

/// What a backup wrote.
#[derive(Debug)]
pub struct Summary {
    pub database: PathBuf,
    pub letters: i64,
    pub copied: usize,
    pub kept: usize,
}

pub fn run(cfg: &Config, dir: &Path) -> Result<Summary> {
    let live = Db::open_read_only(&cfg.database)?;
    off_share(cfg, dir)?;
    fsops::create_dirs(dir).with_context(|| {
        format!("cannot create the backup folder {}: give a folder this user may write", dir.display())
    })?;
    let dir = &std::fs::canonicalize(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    off_share(cfg, dir)?;
    private(dir)?;
    let _lock = lock(dir)?;
    claim(dir, &live, &cfg.database)?;
    // The database's copy is taken first but put in place last, once every
    // version it names is in DIR/store: a backup cut short (killed, a full
    // disk) leaves the earlier, complete one.
    let database = dir.join(DATABASE);
    let tmp = dir.join(format!(".{DATABASE}.backup-tmp"));
    let snap = new_private(&tmp).and_then(|()| live.snapshot(&tmp));
    if snap.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    snap?;
    let copied = Store::new(cfg.store_dir()).copy_missing_to(&dir.join("store"));
    let copied = match copied {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(anyhow::Error::new(e).context(format!(
                "cannot copy the version store {} into {}; the earlier backup there is left as it was",
                cfg.store_dir().display(),
                dir.display()
            )));
        }
    };
    std::fs::rename(&tmp, &database).with_context(|| format!("cannot replace {}", database.display()))?;
    fsops::sync_dir(dir).with_context(|| format!("cannot sync {}", dir.display()))?;
    let letters = Db::open_read_only(&database)?.letter_count()?;
    if !copied.damaged.is_empty() {
        let list: Vec<String> = copied.damaged.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "the database and {} versions were copied into {}, but these versions' bytes no longer match their \
             names (the disk of the version store is damaged) and were not copied: {}; run `suratd fsck` and \
             restore them from an older backup",
            copied.copied,
            dir.display(),
            list.join(", ")
        );
    }
    Ok(Summary { database: database.clone(), letters, copied: copied.copied, kept: copied.kept })
}

/// A backup holds every letter, Rahasia ones too: never on the share,
/// where staff would read it (nor in a folder that leads there).
fn off_share(cfg: &Config, dir: &Path) -> Result<()> {
    let Ok(root) = std::fs::canonicalize(&cfg.root) else { return Ok(()) };
    // The nearest folder that exists, resolved, and the rest of the path.
    let mut existing = dir;
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_owned());
                existing = if p.as_os_str().is_empty() { Path::new(".") } else { p };
            }
            _ => return Ok(()),
        }
    }
    let Ok(mut at) = std::fs::canonicalize(existing) else { return Ok(()) };
    at.extend(rest.iter().rev());
    if at.starts_with(&root) {
        bail!(
            "the backup folder {} is inside the share {}: staff could read every letter and the whole database \
             there; back up to a disk that is not the share (and not the server's own), e.g. /mnt/backup/suratd",
            dir.display(),
            root.display()
        );
    }
    Ok(())
}

/// DIR must be this user's own and closed to everyone else: it holds
/// every letter, and someone who could write into it could plant links
/// that the backup would follow.
fn private(dir: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::symlink_metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        bail!(
            "the backup folder {} belongs to another user (uid {}): run the backup as its owner (the service \
             user: `sudo -u suratd suratd backup {}`), or give it a folder of its own",
            dir.display(),
            meta.uid(),
            dir.display()
        );
    }
    if meta.mode() & 0o077 != 0 {
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let mode = std::fs::metadata(dir)?.mode();
    if mode & 0o077 != 0 {
        bail!(
            "the backup folder {} stays open to other users (mode {:o}) after chmod 700 (a file system without \
             Unix permissions?): the backup holds every letter; mount it so that only its owner can read it \
             (e.g. uid=suratd,umask=077 or dir_mode=0700,file_mode=0600)",
            dir.display(),
            mode & 0o7777
        );
    }
    Ok(())
}

/// One backup at a time into one folder: two would write the same
/// temporary file.
fn lock(dir: &Path) -> Result<std::fs::File> {
    let f = std::fs::File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
    rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(|_| {
        anyhow::anyhow!("another `suratd backup` is writing into {} now; try again once it has ended", dir.display())
    })?;
    Ok(f)
}

/// `path` created new (a link or file planted there is removed, never
/// followed), readable by its owner only.
fn new_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Makes sure `dir` is empty or an earlier backup of this same database
/// (not a newer one), then writes the marker: also the proof that the
/// folder is writable before anything is copied.
fn claim(dir: &Path, live: &Db, live_path: &Path) -> Result<()> {
    let marker = dir.join(MARKER);
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the backup folder {}", dir.display()))?;
    if !marker.exists() && entries.flatten().next().is_some() {
        bail!(
            "{} is not empty and holds no suratd backup; back up into an empty folder, or into the folder of an \
             earlier backup of this database",
            dir.display()
        );
    }
    let earlier = dir.join(DATABASE);
    if earlier.is_file() {
        let old = Db::open_read_only(&earlier)?;
        if let Some((id, at)) = old.first_letter()?
            && !live.has_letter_created(&id, &at)?
        {
            bail!(
                "{} holds a backup of another database (its letter {id} of {at} is not in {}); back up into an empty \
                 folder, or into this database's own backup folder",
                dir.display(),
                live_path.display()
            );
        }
        let (had, has) = (old.last_transition()?, live.last_transition()?);
        if had > has {
            bail!(
                "{} holds a newer backup of this database than {} itself (transition {had} against {has}): \
                 replacing it would lose records; back up into another folder",
                dir.display(),
                live_path.display()
            );
        }
    }
    let text = format!(
        "A backup made by `suratd backup` of {}.\n{DATABASE}: the database; store/: the version store.\n\
         Restore steps: README.md, \"Backup and restore\".\n",
        live_path.display()
    );
    let tmp = dir.join(format!(".{MARKER}.tmp"));
    new_private(&tmp)?;
    std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &marker)).with_context(|| {
        format!("cannot write into the backup folder {}: give a folder this user may write", dir.display())
    })
}
