//! Crash safety for transitions: a transition is written to the database as
//! an intent before the file system is touched, then carried out (renames
//! with fsync), then committed. At start-up every intent left pending is
//! completed when its file already moved or can still be moved, and undone
//! otherwise, so the database and the folders always agree.

use crate::store::db::{Db, NewLetter, Record};
use crate::store::fsops;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::Path;

/// One file-system step of a transition. Paths are relative to the root.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum FsOp {
    /// The file the transition is about (`sha256` is `None` for a symlink,
    /// which is moved as a link and never followed).
    Move { from: String, to: String, sha256: Option<String> },
    /// The file the transition is about, placed as another version of it
    /// (a stamped or a clean copy, kept at `source` in the version store):
    /// `to` gets those bytes, then `from` is removed if it still holds
    /// `from_sha256`.
    PlaceCopy { from: String, from_sha256: String, to: String, sha256: String, source: String },
    /// A file that travels with it (the reviewer's note), moved if still there.
    MoveCompanion { from: String, to: String },
    /// A new text file (a reason file), written if not there yet.
    Write { path: String, text: String },
    /// A copy of a stored version (for the archive), written if not there yet.
    CopyStored { source: String, to: String },
    /// An older copy of the letter, superseded by a new version; removed from
    /// the share only if its bytes are the stored version `sha256`.
    Supersede { path: String, sha256: String },
}

/// What a transition does: its file-system steps and its record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub ops: Vec<FsOp>,
    pub record: Record,
}

impl Plan {
    /// The primary step: (from, what `from` holds, to, what `to` will hold).
    pub(super) fn primary(&self) -> Option<(&str, Option<&str>, &str, Option<&str>)> {
        self.ops.iter().find_map(|op| match op {
            FsOp::Move { from, to, sha256 } => Some((from.as_str(), sha256.as_deref(), to.as_str(), sha256.as_deref())),
            FsOp::PlaceCopy { from, from_sha256, to, sha256, .. } => {
                Some((from.as_str(), Some(from_sha256.as_str()), to.as_str(), Some(sha256.as_str())))
            }
            _ => None,
        })
    }
}

/// Writes the intent, carries out the plan and commits it (a transition of
/// an existing letter, or a refusal).
pub fn execute(db: &mut Db, root: &Path, letter_id: Option<&str>, plan: Plan) -> Result<Plan> {
    finish_pending(db, root)?;
    let json = serde_json::to_string(&plan).expect("plan serialises");
    let (intent, _) = db.begin_intent("", letter_id, None, |_, _| Ok(json))?;
    complete(db, root, intent, plan)
}

/// How often a registration's plan is built again because another writer
/// took its id or number meanwhile, before it is built inside the
/// transaction.
const REGISTRATION_TRIES: usize = 3;

/// Registers a new letter: writes the intent with the letter's id and
/// number, carries out the plan and commits it. The plan (whose stamped
/// copy shows the number) is built by `make` before the database's write
/// transaction, from the id and number the letter would get now; the
/// transaction that allocates them writes the intent only if they are
/// still the same, and otherwise the plan is built again. So stamping and
/// hashing never hold the write lock (a `suratd` command is never kept
/// waiting by a big draft), and the number in the stamp is always the one
/// recorded.
pub fn register(
    db: &mut Db,
    root: &Path,
    prefix: &str,
    letter: &NewLetter,
    mut make: impl FnMut(&str, Option<&str>) -> Result<Plan>,
) -> Result<Plan> {
    finish_pending(db, root)?;
    for _ in 0..REGISTRATION_TRIES {
        let (id, number) = db.next_registration(prefix, letter)?;
        let plan = make(&id, number.as_deref())?;
        let json = serde_json::to_string(&plan).expect("plan serialises");
        let mut stale = false;
        let begun = db.begin_intent(prefix, None, Some(letter), |lid, n| {
            stale = lid != Some(id.as_str()) || n != number.as_deref();
            if stale { bail!("the id or number changed while the plan was built") } else { Ok(json) }
        });
        match begun {
            Ok((intent, _)) => return complete(db, root, intent, plan),
            Err(_) if stale => {
                tracing::info!(letter = %id, "another writer took this id or number meanwhile; building the registration again")
            }
            Err(e) => return Err(e),
        }
    }
    // Another writer keeps registering: built within the transaction.
    let mut built = None;
    let (intent, _) = db.begin_intent(prefix, None, Some(letter), |lid, number| {
        let plan = make(lid.context("a registration got no letter id (internal error)")?, number)?;
        let json = serde_json::to_string(&plan).expect("plan serialises");
        built = Some(plan);
        Ok(json)
    })?;
    complete(db, root, intent, built.expect("plan was built"))
}

/// Completes or undoes, as at start-up, an intent left pending by a commit
/// that failed after its file was placed (the database's disk full, or
/// locked too long): before anything else happens, a letter already
/// visible is recorded and keeps its number, one that is not gives it back.
pub(super) fn finish_pending(db: &mut Db, root: &Path) -> Result<()> {
    for r in recover(db, root)? {
        tracing::warn!(?r, "completed a transition whose record could not be written at the time");
    }
    Ok(())
}

/// Carries out a written intent's plan and commits it, or undoes it (and
/// what it had already written) when it cannot be carried out.
fn complete(db: &mut Db, root: &Path, intent: i64, plan: Plan) -> Result<Plan> {
    if let Err(e) = carry_out(root, &plan) {
        take_back(root, &plan);
        db.undo_intent(intent)?;
        return Err(e);
    }
    db.finish_intent(intent, &plan.record)?;
    Ok(plan)
}

/// Removes the copy an undone plan had already placed (the file it was to
/// replace could not be removed: a read-only or failing share), so nothing
/// of the undone transition stays visible. Only while the file it replaces
/// is still there as it was: the copy is never the last one on the share.
fn take_back(root: &Path, plan: &Plan) {
    for op in &plan.ops {
        let FsOp::PlaceCopy { from, from_sha256, to, sha256, .. } = op else { continue };
        if holds(root, to, Some(sha256)) && holds(root, from, Some(from_sha256)) {
            let p = root.join(to);
            match fs::remove_file(&p).and_then(|()| fsops::sync_dir(p.parent().unwrap_or(root))) {
                Ok(()) => tracing::warn!(file = %to, "removed the copy placed by a transition that was undone"),
                Err(e) => {
                    tracing::error!(file = %to, error = %e, "cannot remove the copy placed by a transition that was undone; remove it by hand")
                }
            }
        }
    }
}

/// Carries out the primary move, then the rest (which may not fail the
/// transition once the file has moved).
fn carry_out(root: &Path, plan: &Plan) -> Result<()> {
    for op in &plan.ops {
        match op {
            FsOp::Move { from, to, .. } => {
                fsops::move_noreplace(&root.join(from), &root.join(to))
                    .with_context(|| format!("cannot move {from} to {to}"))?;
            }
            FsOp::PlaceCopy { from, from_sha256, to, sha256, source } => {
                if !holds(root, to, Some(sha256)) {
                    // The file it replaces, renamed or changed meanwhile (a
                    // person at work): nothing is placed, the intent is
                    // undone, and the file is looked at where it is now.
                    still_same(root, from, Some(from_sha256))?;
                    fsops::copy_new(Path::new(source), &root.join(to))
                        .with_context(|| format!("cannot write {to} from the stored version {source}"))?;
                }
                secondary(root, &FsOp::Supersede { path: from.clone(), sha256: from_sha256.clone() })
                    .with_context(|| format!("cannot remove {from} after placing {to}"))?;
            }
            other => {
                if let Err(e) = secondary(root, other) {
                    tracing::warn!(error = %format!("{e:#}"), "a secondary file step failed; the transition itself is done");
                }
            }
        }
    }
    Ok(())
}

pub(super) fn secondary(root: &Path, op: &FsOp) -> Result<()> {
    match op {
        FsOp::Move { .. } | FsOp::PlaceCopy { .. } => Ok(()),
        FsOp::MoveCompanion { from, to } => {
            let (f, t) = (root.join(from), root.join(to));
            if fs::symlink_metadata(&f).is_ok() && fs::symlink_metadata(&t).is_err() {
                fsops::move_noreplace(&f, &t).with_context(|| format!("cannot move {from} to {to}"))?;
            }
            Ok(())
        }
        FsOp::CopyStored { source, to } => {
            let p = root.join(to);
            if fs::symlink_metadata(&p).is_err() {
                fsops::copy_new(Path::new(source), &p)
                    .with_context(|| format!("cannot write {to} from the stored version {source}"))?;
            }
            Ok(())
        }
        FsOp::Write { path, text } => {
            let p = root.join(path);
            if fs::symlink_metadata(&p).is_err() {
                fsops::write_new(&p, text.as_bytes()).with_context(|| format!("cannot write {path}"))?;
            }
            Ok(())
        }
        FsOp::Supersede { path, sha256 } => {
            let p = root.join(path);
            let Ok(meta) = fs::symlink_metadata(&p) else {
                return Ok(());
            };
            if !meta.is_file() {
                return Ok(());
            }
            let (have, _) = fsops::sha256_file(&p)?;
            if have == *sha256 {
                fs::remove_file(&p)?;
                if let Some(d) = p.parent() {
                    fsops::sync_dir(d)?;
                }
            }
            Ok(())
        }
    }
}

/// Whether `rel` holds the expected file (`sha` `None`: any entry, for links).
pub(super) fn holds(root: &Path, rel: &str, sha: Option<&str>) -> bool {
    let p = root.join(rel);
    match (fs::symlink_metadata(&p), sha) {
        (Err(_), _) => false,
        (Ok(_), None) => true,
        (Ok(m), Some(sha)) => m.is_file() && fsops::sha256_file(&p).map(|(h, _)| h == sha).unwrap_or(false),
    }
}

/// What recovery did with one pending intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The file had moved; the record was committed.
    Completed(i64),
    /// The file had not moved yet; the move was done and committed.
    Redone(i64),
    /// Neither place holds the file; the intent was undone.
    Undone(i64),
}

/// Completes or undoes every intent left pending by a crash.
pub fn recover(db: &mut Db, root: &Path) -> Result<Vec<Recovered>> {
    let mut out = Vec::new();
    // A batch's drafts are placed in order (`store::batch`): once one of
    // them is undone, the ones after it that were not placed yet are undone
    // too, so their numbers, all higher, are given back with it and leave
    // no gap; their drafts are still in place and are registered again.
    let mut undone_batches = std::collections::HashSet::new();
    for (id, json, batch) in db.pending_intents_in_batches()? {
        let plan: Plan = match serde_json::from_str(&json) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(intent = id, error = %e, "unreadable intent in the journal; undoing it");
                db.undo_intent(id)?;
                out.push(Recovered::Undone(id));
                undone_batches.extend(batch);
                continue;
            }
        };
        let mut found = found(root, id, &plan);
        if found == Recovered::Redone(id) && batch.is_some_and(|b| undone_batches.contains(&b)) {
            tracing::warn!(
                intent = id,
                "recovery: a draft before this one in its batch was undone; undoing this one too (its draft is registered again)"
            );
            found = Recovered::Undone(id);
        }
        let result = settle(db, root, id, &plan, found)?;
        if result == Recovered::Undone(id) {
            undone_batches.extend(batch);
        }
        out.push(result);
    }
    Ok(out)
}

/// Where a pending intent's file is: placed, still to be moved, or gone.
fn found(root: &Path, id: i64, plan: &Plan) -> Recovered {
    match plan.primary() {
        None => Recovered::Completed(id),
        Some((from, from_sha, to, sha)) => {
            if holds(root, to, sha) {
                Recovered::Completed(id)
            } else if holds(root, from, from_sha) && fs::symlink_metadata(root.join(to)).is_err() {
                Recovered::Redone(id)
            } else {
                Recovered::Undone(id)
            }
        }
    }
}

/// Completes, redoes or undoes one pending intent; what was done.
fn settle(db: &mut Db, root: &Path, id: i64, plan: &Plan, found: Recovered) -> Result<Recovered> {
    match found {
        Recovered::Completed(_) => {
            // The placed file is there; finish what came with it (for a
            // PlaceCopy, that includes removing the file it replaced).
            for op in &plan.ops {
                let op = match op {
                    FsOp::Move { .. } => continue,
                    FsOp::PlaceCopy { from, from_sha256, .. } => {
                        &FsOp::Supersede { path: from.clone(), sha256: from_sha256.clone() }
                    }
                    op => op,
                };
                if let Err(e) = secondary(root, op) {
                    tracing::warn!(intent = id, error = %format!("{e:#}"), "recovery: a secondary file step failed");
                }
            }
            db.finish_intent(id, &plan.record)?;
        }
        Recovered::Redone(_) => {
            if let Err(e) = carry_out(root, plan) {
                tracing::warn!(intent = id, error = %format!("{e:#}"), "recovery: could not redo; undoing");
                take_back(root, plan);
                db.undo_intent(id)?;
                return Ok(Recovered::Undone(id));
            }
            db.finish_intent(id, &plan.record)?;
        }
        Recovered::Undone(_) => db.undo_intent(id)?,
    }
    Ok(found)
}

/// Checks that a plan's primary file is still what was inspected, just
/// before the intent is written (a file replaced during processing is
/// looked at again instead).
pub fn still_same(root: &Path, rel: &str, sha: Option<&str>) -> Result<()> {
    if !holds(root, rel, sha) {
        bail!("{rel} changed or disappeared while it was being processed; it will be looked at again");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fsops::sha256_bytes;

    /// A plan that replaces `a.pdf` by the stamped copy at `b.pdf`.
    fn place_plan(dir: &Path) -> (Plan, Vec<u8>) {
        let (orig, stamped) = (b"%PDF original".to_vec(), b"%PDF stamped".to_vec());
        let source = dir.join("store-copy");
        fs::write(&source, &stamped).unwrap();
        let plan = Plan {
            ops: vec![FsOp::PlaceCopy {
                from: "in/a.pdf".into(),
                from_sha256: sha256_bytes(&orig),
                to: "out/b.pdf".into(),
                sha256: sha256_bytes(&stamped),
                source: source.to_string_lossy().into_owned(),
            }],
            record: Record::default(),
        };
        fs::create_dir_all(dir.join("root/in")).unwrap();
        fs::write(dir.join("root/in/a.pdf"), &orig).unwrap();
        (plan, stamped)
    }

    fn pending(db: &mut Db, plan: &Plan) {
        let json = serde_json::to_string(plan).unwrap();
        db.begin_intent("SK", None, None, |_, _| Ok(json)).unwrap();
    }

    #[test]
    fn an_interrupted_placement_is_redone_or_finished() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        let mut db = Db::open(&d.path().join("db.sqlite")).unwrap();
        let (plan, stamped) = place_plan(d.path());

        // Crash before anything was written: redone.
        pending(&mut db, &plan);
        assert_eq!(recover(&mut db, &root).unwrap().len(), 1);
        assert_eq!(fs::read(root.join("out/b.pdf")).unwrap(), stamped);
        assert!(!root.join("in/a.pdf").exists());

        // Crash after the copy was written, before the original was removed: finished.
        let (plan, _) = place_plan(d.path());
        fs::remove_file(root.join("out/b.pdf")).unwrap();
        fs::write(root.join("out/b.pdf"), &stamped).unwrap();
        pending(&mut db, &plan);
        assert!(matches!(recover(&mut db, &root).unwrap()[..], [Recovered::Completed(_)]));
        assert!(!root.join("in/a.pdf").exists());
        assert!(db.pending_intents().unwrap().is_empty());
    }

    #[test]
    fn no_copy_is_placed_for_a_file_renamed_meanwhile() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        let (plan, _) = place_plan(d.path());
        fs::create_dir_all(root.join("out")).unwrap();
        fs::rename(root.join("in/a.pdf"), root.join("in/a2.pdf")).unwrap();
        let err = carry_out(&root, &plan).unwrap_err();
        assert!(format!("{err:#}").contains("in/a.pdf changed or disappeared"), "{err:#}");
        assert!(!root.join("out/b.pdf").exists(), "nothing placed");
        assert!(root.join("in/a2.pdf").exists());
    }
}

#[cfg(test)]
mod registration_tests {
    use super::*;
    use crate::store::db::numbered;

    /// The number the n-th letter of `numbered` gets.
    fn nth(seq: u32) -> Option<String> {
        Some(format!("B-{seq:03}/17000/KP.650/2025"))
    }

    /// The ids and numbers each plan was built with.
    type Planned = Vec<(String, Option<String>)>;

    /// Registers a letter dated 2025-06-02, running `meanwhile` (with the
    /// database's path and how many plans were built before) as each plan
    /// is built; the database (in its folder) and what the plans were given.
    fn register_while(mut meanwhile: impl FnMut(&Path, usize) -> Result<()>) -> (tempfile::TempDir, Db, Planned) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("db.sqlite");
        let mut db = Db::open(&path).unwrap();
        let mut planned = Vec::new();
        register(&mut db, d.path(), "SK", &numbered("2025-06-02"), |id, number| {
            meanwhile(&path, planned.len())?;
            planned.push((id.to_string(), number.map(str::to_string)));
            Ok(Plan::default())
        })
        .unwrap();
        (d, db, planned)
    }

    #[test]
    fn a_registration_is_planned_without_holding_the_write_lock() {
        let (_d, db, planned) = register_while(|path, _| {
            // A `suratd` command writing while the copy is stamped: it does
            // not wait (no busy timeout), so the lock must be free.
            let other = rusqlite::Connection::open(path)?;
            other.busy_timeout(std::time::Duration::ZERO)?;
            other.execute_batch("BEGIN IMMEDIATE; UPDATE id_counters SET last = last; COMMIT;")?;
            Ok(())
        });
        assert_eq!(planned, [("SK-2025-0001".to_string(), nth(58))]);
        assert_eq!(db.letter("SK-2025-0001").unwrap().unwrap().number, nth(58));
    }

    #[test]
    fn a_number_taken_while_the_copy_was_made_is_planned_again() {
        let (_d, db, planned) = register_while(|path, built| {
            if built == 0 {
                // Another writer registers a letter meanwhile.
                let mut other = Db::open(path)?;
                other.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok("{}".into()))?;
            }
            Ok(())
        });
        assert_eq!(planned, [("SK-2025-0001".to_string(), nth(58)), ("SK-2025-0002".to_string(), nth(59))]);
        assert_eq!(db.letter("SK-2025-0002").unwrap().unwrap().number, nth(59), "the number in the plan is recorded");
        assert_eq!(db.letter("SK-2025-0001").unwrap().unwrap().number, nth(58));
    }

    #[test]
    fn a_transition_left_pending_is_finished_before_the_next_one() {
        let d = tempfile::tempdir().unwrap();
        let mut db = Db::open(&d.path().join("db.sqlite")).unwrap();
        // A registration whose file was placed, but whose record could not
        // be written (the database's disk full): its intent stays pending.
        let json = serde_json::to_string(&Plan::default()).unwrap();
        let (intent, id) = db.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok(json)).unwrap();
        assert_eq!(db.pending_intents().unwrap().len(), 1, "{intent}");
        let next = register(&mut db, d.path(), "SK", &numbered("2025-06-03"), |_, _| Ok(Plan::default())).unwrap();
        assert!(db.pending_intents().unwrap().is_empty(), "{next:?}");
        assert_eq!(
            db.letter(id.as_deref().unwrap()).unwrap().unwrap().number,
            nth(58),
            "the placed letter keeps its number"
        );
        assert_eq!(db.letter("SK-2025-0002").unwrap().unwrap().number, nth(59));
    }
}
