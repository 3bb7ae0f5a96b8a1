//! `suratd fsck`: the database and the folders compared. Each difference
//! is listed (a version missing from the version store too); `--repair` fixes what is safe to fix (a letter's file found
//! elsewhere by its bytes, a missing workflow folder, a transition left
//! half done) and leaves the rest for a person.

use crate::config::Config;
use crate::store::db::{Db, LetterUpdate, Record, TransitionRec};
use crate::workflow::Workflow;
use crate::{ops::init, store::fsops, store::journal, util::timefmt, watch, workflow::layout};
use anyhow::Result;
use std::collections::HashMap;
use std::path::PathBuf;

/// One difference, and whether `--repair` fixed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub what: String,
    pub repaired: bool,
}

/// Every file under the root's workflow folders, the archive included.
fn all_files(cfg: &Config, wf: &Workflow) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for s in &wf.steps {
        watch::walk(&cfg.root.join(&s.folder), &mut out);
    }
    out
}

/// Files on the share (the refused folder aside) named with a letter id
/// the database never gave: above the last id it gave in that year. Found
/// when the database was restored from an older backup while the share
/// went on: the ids and numbers given since would be given again.
/// `(file, id)`, relative to the root.
pub(crate) fn ids_beyond(cfg: &Config, wf: &Workflow, db: &Db) -> Result<Vec<(String, String)>> {
    let year_seq = |id: &str| -> Option<(i32, i64)> {
        let mut parts = id.rsplitn(3, '-');
        let seq = parts.next()?.parse().ok()?;
        Some((parts.next()?.parse().ok()?, seq))
    };
    let mut last: HashMap<i32, i64> = HashMap::new();
    for l in db.all_letters()? {
        if let Some((y, n)) = year_seq(&l.id) {
            let top = last.entry(y).or_insert(0);
            *top = (*top).max(n);
        }
    }
    let mut out = Vec::new();
    for p in all_files(cfg, wf) {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(id) = crate::letter::names::id_in_name(&wf.id_prefix, &name) else { continue };
        let Some((y, n)) = year_seq(&id) else { continue };
        if n > last.get(&y).copied().unwrap_or(0) {
            out.push((fsops::rel_path(&cfg.root, &p).unwrap_or(name), id));
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(cfg: &Config, wf: &Workflow, repair: bool) -> Result<Vec<Finding>> {
    // Repairs move files and write records: never beside a running daemon.
    let _alone = repair.then(|| crate::store::lock::take(&cfg.database, "fsck --repair")).transpose()?;
    let mut db = Db::open_existing(&cfg.database)?;
    let mut out = Vec::new();

    for f in wf.folders() {
        if !cfg.root.join(&f).is_dir() {
            out.push(Finding { what: format!("folder {f} is missing"), repaired: repair });
        }
    }
    if repair {
        init::ensure_tree(&cfg.root, wf)?;
    }

    let pending = db.pending_intents()?.len();
    if pending > 0 {
        out.push(Finding { what: format!("{pending} transition(s) left half done"), repaired: repair });
        if repair {
            journal::recover(&mut db, &cfg.root)?;
        }
    }

    // Hash what is on the share once.
    let mut by_sha: HashMap<String, Vec<String>> = HashMap::new();
    let mut at_path: HashMap<String, String> = HashMap::new();
    for p in all_files(cfg, wf) {
        let Some(rel) = fsops::rel_path(&cfg.root, &p) else { continue };
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if cfg.ignored(&name) || !name.to_ascii_lowercase().ends_with(".pdf") {
            continue;
        }
        if let Ok((sha, _)) = fsops::sha256_file(&p) {
            by_sha.entry(sha.clone()).or_default().push(rel.clone());
            at_path.insert(rel, sha);
        }
    }

    let mut known = std::collections::HashSet::new();
    let store = crate::store::versions::Store::new(cfg.store_dir());
    for l in db.all_letters()? {
        if matches!(l.state.as_str(), "pending" | "void") {
            continue;
        }
        let versions: Vec<String> = db.versions_of(&l.id)?.into_iter().map(|v| v.0).collect();
        for sha in versions.iter().filter(|s| !store.has(s)) {
            out.push(Finding {
                what: format!(
                    "{}: version {sha} is missing from the version store {} (restore it from a backup)",
                    l.id,
                    cfg.store_dir().display()
                ),
                repaired: false,
            });
        }
        let Some(path) = l.path.clone() else { continue };
        known.insert(path.clone());
        match at_path.get(&path) {
            Some(sha) if *sha == l.sha256 => {}
            Some(sha) if versions.contains(sha) => {}
            Some(_) => out.push(Finding {
                what: format!("{}: {path} was changed behind suratd's back (its bytes match no version)", l.id),
                repaired: false,
            }),
            None => {
                // Moved by hand while suratd was not looking? Find it by its bytes.
                let found = by_sha.get(&l.sha256).and_then(|p| p.iter().find(|p| !known.contains(*p)).cloned());
                match found {
                    Some(new_path) if repair => {
                        known.insert(new_path.clone());
                        relocate(&mut db, &l, &new_path)?;
                        out.push(Finding { what: format!("{}: {path} is missing; found at {new_path}", l.id), repaired: true });
                    }
                    Some(new_path) => out.push(Finding {
                        what: format!("{}: {path} is missing; its file is at {new_path}", l.id),
                        repaired: false,
                    }),
                    None => out.push(Finding {
                        what: format!("{}: {path} is missing and its file is nowhere in the share (the store keeps every version)", l.id),
                        repaired: false,
                    }),
                }
            }
        }
    }

    // Files suratd has not taken in (outside the archive): it will, when running.
    for (rel, _) in at_path.iter().filter(|(p, _)| !known.contains(*p)) {
        let place = layout::classify(wf, rel);
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let unknown_id = match crate::letter::names::id_in_name(&wf.id_prefix, name) {
            Some(id) if db.letter(&id)?.is_none() => Some(id),
            _ => None,
        };
        let untaken = db.letter_by_version(&at_path[rel])?.is_none();
        if let Some(id) = unknown_id.filter(|_| untaken) {
            out.push(Finding {
                what: format!(
                    "{rel} carries the letter id {id}, which the database does not know: a letter registered after \
                     the database was backed up? Started as it is, suratd gives its id and its number again; see \
                     README.md, \"Backup and restore\", before starting it"
                ),
                repaired: false,
            });
        } else if place.is_watched() && untaken {
            out.push(Finding {
                what: format!("{rel} is not taken in yet (suratd takes it when it runs)"),
                repaired: false,
            });
        }
    }
    out.sort_by(|a, b| a.what.cmp(&b.what));
    Ok(out)
}

/// Records where a letter's file is now.
fn relocate(db: &mut Db, l: &crate::store::db::LetterRow, new_path: &str) -> Result<()> {
    let at = timefmt::stored(chrono::Utc::now());
    let rec = Record {
        update: Some(LetterUpdate {
            letter_id: l.id.clone(),
            step: l.step.clone(),
            state: l.state.clone(),
            path: new_path.to_string(),
            sha256: l.sha256.clone(),
            size: l.size,
            mtime_ns: 0,
            step_changed: false,
            metadata: None,
        }),
        transition: Some(TransitionRec {
            letter_id: l.id.clone(),
            at,
            from_step: Some(l.step.clone()),
            to_step: Some(l.step.clone()),
            action: "fsck-relocate".into(),
            actor: "suratd fsck".into(),
            actor_verified: true,
            sha256: Some(l.sha256.clone()),
            path: Some(new_path.to_string()),
            note: l.path.as_ref().map(|p| format!("was recorded at {p}")),
            approved_sha256: None,
        }),
        ..Record::default()
    };
    db.record(&rec)
}
