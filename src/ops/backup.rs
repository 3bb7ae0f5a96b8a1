//! `suratd backup DIR`: a consistent copy of the database (SQLite's online
//! backup) and of the version store, taken while the daemon runs. It only
//! reads the live database and store (no lock, no write), so it can run
//! beside `suratd run`. The database is copied first, then the store: the
//! store only ever grows and holds every version before the database names
//! it, so each version the copied database names is in the copied store.
//!
//! DIR holds `suratd.db`, `store/` and a marker file; a later backup into
//! the same DIR replaces the database copy and adds the new versions. A
//! folder holding anything else, or another database's backup, is refused.

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
    fsops::create_dirs(dir).with_context(|| {
        format!("cannot create the backup folder {}: give a folder this user may write", dir.display())
    })?;
    claim(dir, &live, &cfg.database)?;
    let database = dir.join(DATABASE);
    let tmp = dir.join(format!(".{DATABASE}.backup-tmp"));
    let _ = std::fs::remove_file(&tmp);
    let snap = live.snapshot(&tmp);
    if snap.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    snap?;
    std::fs::rename(&tmp, &database).with_context(|| format!("cannot replace {}", database.display()))?;
    fsops::sync_dir(dir).with_context(|| format!("cannot sync {}", dir.display()))?;
    let letters = Db::open_read_only(&database)?.letter_count()?;
    let copied = Store::new(cfg.store_dir()).copy_missing_to(&dir.join("store")).with_context(|| {
        format!("cannot copy the version store {} into {}", cfg.store_dir().display(), dir.display())
    })?;
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
    Ok(Summary { database, letters, copied: copied.copied, kept: copied.kept })
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
    std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &marker)).with_context(|| {
        format!("cannot write into the backup folder {}: give a folder this user may write", dir.display())
    })
}
