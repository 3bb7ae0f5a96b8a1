//! Group commit: drafts that are ready together are registered as one
//! batch, with the journal's guarantees and a fraction of its disk waits.
//!
//! One letter alone (`journal::register`) pays for its own intent, its own
//! commit and a sync of every file and folder it touches. A batch pays once:
//!
//! 1. every plan is built (stamped copies and originals put in the version
//!    store, not yet synced) from the ids and numbers the letters will get
//!    in this order (`Db::next_registrations`);
//! 2. each placed copy is written beside its name as a temporary file;
//! 3. one sync per file system (the store's and the share's) makes all of
//!    it durable;
//! 4. one transaction gives every letter its id and number and writes its
//!    intent (only if they are still the ones planned; otherwise each
//!    letter goes the single way);
//! 5. each temporary file takes its name and the draft it replaces is
//!    removed, in order, without waiting;
//! 6. one sync makes the names durable;
//! 7. one transaction records every transition and closes every intent.
//!
//! A crash anywhere leaves each intent to `journal::recover`, as for one
//! letter: its copy is at its name (completed) or not yet (redone from the
//! store), and temporary files are removed at the next start. A draft that
//! fails is set apart: before step 4 it simply takes no number; from step 4
//! on, it and every letter after it in the batch are undone (their numbers
//! given back, to be planned again), so the numbers that stay have no gap.

use crate::store::db::{Db, NewLetter, Record, Registered};
use crate::store::fsops;
use crate::store::journal::{self, FsOp, Plan};
use crate::store::versions::Store;
use crate::util::faults;
use anyhow::{Context, Result};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What became of one draft of a batch.
#[derive(Debug)]
pub enum Registration {
    /// Registered: its plan was carried out and recorded.
    Done(Box<Plan>),
    /// It could not be registered (this draft's own error); no number used.
    Failed(anyhow::Error),
    /// Not registered because a draft before it failed after the numbers
    /// were given: to be tried again at once, through no fault of its own.
    Later,
}

/// A built plan on its way: which draft, the id and number it was planned
/// with, the plan, and the temporary file holding its placed copy (with
/// its inode, to know it is still the one written).
struct Planned {
    index: usize,
    registered: Registered,
    plan: Plan,
    temp: Option<(PathBuf, u64)>,
}

/// One batch under way: where it is registered, its letters, how their
/// plans are built, and what became of each.
struct Batch<'a, F> {
    db: &'a mut Db,
    root: &'a Path,
    prefix: &'a str,
    store: &'a Store,
    letters: &'a [&'a NewLetter],
    make: F,
    out: Vec<Option<Registration>>,
}

/// Registers `letters` as one batch (see the module's steps); `make` builds
/// the plan of the `i`-th letter for an id and number, as for
/// `journal::register`. An error is the batch's (the database or a sync
/// failed): none of its drafts was registered by this call except through
/// the journal, which completes them before the next transition.
pub fn register(
    db: &mut Db,
    root: &Path,
    prefix: &str,
    store: &Store,
    letters: &[&NewLetter],
    make: impl FnMut(usize, &str, Option<&str>) -> Result<Plan>,
) -> Result<Vec<Registration>> {
    journal::finish_pending(db, root)?;
    let out = letters.iter().map(|_| None).collect();
    let mut b = Batch { db, root, prefix, store, letters, make, out };
    let mut t = Phases::start();
    let mut planned = match plans(b.db, prefix, letters, &mut b.make, &mut b.out) {
        Ok(planned) => planned,
        Err(e) => {
            // A number that cannot be given: each draft alone, so that
            // only the one at fault fails.
            tracing::warn!(error = %format!("{e:#}"), "a batch could not be numbered; its drafts go one at a time");
            let rest = (0..letters.len()).filter(|&i| b.out[i].is_none()).collect();
            return b.one_by_one(rest);
        }
    };
    t.mark("plans");
    write_temps(root, &mut planned, &mut b.out);
    t.mark("copies");
    faults::hit("batch-planned");
    if let Some(k) = planned.iter().position(|p| !draft_unchanged(root, &p.plan)) {
        // Changed or gone since it was read (a person at work): it is
        // looked at again, and without it the others' numbers would shift.
        tracing::info!(letter = %planned[k].registered.0, "a draft of the batch changed before it was numbered; the others go one at a time");
        planned.iter().for_each(remove_temp);
        b.out[planned[k].index] = Some(Registration::Later);
        let rest = planned.iter().map(|p| p.index).filter(|&i| i != planned[k].index).collect();
        return b.one_by_one(rest);
    }
    let begun = b.begin(&planned);
    if begun.is_err() {
        planned.iter().for_each(remove_temp);
    }
    t.mark("sync and intents");
    let Some(intents) = begun? else {
        tracing::info!("another writer registered meanwhile; this batch goes one letter at a time");
        planned.iter().for_each(remove_temp);
        return b.one_by_one(planned.iter().map(|p| p.index).collect());
    };
    faults::hit("batch-intents");
    let placed = place(b.db, root, planned, &intents, &mut b.out)?;
    t.mark("place");
    sync_places(root.to_path_buf(), placed.iter().map(|(_, p)| &p.plan))
        .context("cannot make the batch's moves durable (sync of the share)")?;
    t.mark("sync");
    faults::hit("batch-placed");
    let done: Vec<(i64, &Record)> = placed.iter().map(|(intent, p)| (*intent, &p.plan.record)).collect();
    b.db.finish_intents(&done)?;
    t.mark("commit");
    tracing::debug!(drafts = letters.len(), phases = %t.0, "batch registered");
    for (_, p) in placed {
        b.out[p.index] = Some(Registration::Done(Box::new(p.plan)));
    }
    Ok(finished(b.out))
}

impl<F: FnMut(usize, &str, Option<&str>) -> Result<Plan>> Batch<'_, F> {
    /// Makes the store's versions and the copies durable, then writes the
    /// intents (`None`: another writer took an id or number meanwhile).
    fn begin(&mut self, planned: &[Planned]) -> Result<Option<Vec<i64>>> {
        self.store.sync().context("cannot make the version store durable (sync of the disk beside the database)")?;
        let temps = planned.iter().filter_map(|p| p.temp.as_ref().map(|(t, _)| t.clone()));
        sync_devices(std::iter::once(self.root.to_path_buf()).chain(temps))
            .context("cannot make the batch's copies durable (sync of the share)")?;
        let batch: Vec<(&NewLetter, &Registered, String)> = planned
            .iter()
            .map(|p| (self.letters[p.index], &p.registered, serde_json::to_string(&p.plan).expect("plan serialises")))
            .collect();
        self.db.begin_registrations(self.prefix, &batch)
    }

    /// Registers these drafts one at a time through the journal (what the
    /// store was given for each made durable before its intent).
    fn one_by_one(mut self, which: Vec<usize>) -> Result<Vec<Registration>> {
        for i in which {
            let (store, make) = (self.store, &mut self.make);
            let single = journal::register(self.db, self.root, self.prefix, self.letters[i], |id, n| {
                let plan = make(i, id, n)?;
                store.sync().context("cannot make the version store durable")?;
                Ok(plan)
            });
            self.out[i] = Some(single.map_or_else(Registration::Failed, |plan| Registration::Done(Box::new(plan))));
        }
        Ok(finished(self.out))
    }
}

/// Whether a plan's draft is still the file that was read.
fn draft_unchanged(root: &Path, plan: &Plan) -> bool {
    match plan.primary() {
        Some((from, sha, ..)) => journal::holds(root, from, sha),
        None => true,
    }
}

/// Builds each letter's plan in order, from the id and number it would
/// get; a letter whose plan cannot be built takes none, and those after it
/// are planned again one number earlier.
fn plans(
    db: &mut Db,
    prefix: &str,
    letters: &[&NewLetter],
    make: &mut impl FnMut(usize, &str, Option<&str>) -> Result<Plan>,
    out: &mut [Option<Registration>],
) -> Result<Vec<Planned>> {
    let mut built: Vec<Planned> = Vec::with_capacity(letters.len());
    let mut rest: Vec<usize> = (0..letters.len()).collect();
    let mut next = db.next_registrations(prefix, &pick(letters, &rest))?;
    let mut k = 0;
    while k < rest.len() {
        let index = rest[k];
        let (id, number) = &next[built.len()];
        match make(index, id, number.as_deref()) {
            Ok(plan) => {
                built.push(Planned { index, registered: next[built.len()].clone(), plan, temp: None });
                k += 1;
            }
            Err(e) => {
                out[index] = Some(Registration::Failed(e));
                rest.remove(k);
                next = db.next_registrations(prefix, &pick(letters, &rest))?;
            }
        }
    }
    Ok(built)
}

fn pick<'a>(letters: &[&'a NewLetter], which: &[usize]) -> Vec<&'a NewLetter> {
    which.iter().map(|&i| letters[i]).collect()
}

/// Writes each plan's placed copy as a temporary file beside its name. A
/// draft whose copy cannot be written fails, and those after it wait for
/// the next batch (their numbers were planned after its).
fn write_temps(root: &Path, planned: &mut Vec<Planned>, out: &mut [Option<Registration>]) {
    for k in 0..planned.len() {
        let p = &mut planned[k];
        let Some(FsOp::PlaceCopy { to, source, .. }) = p.plan.ops.iter().find(|op| is_primary(op)) else { continue };
        let written = fsops::copy_temp_unsynced(Path::new(source), &root.join(to))
            .with_context(|| format!("cannot write {to} from the stored version {source}"));
        match written {
            Ok(temp) => p.temp = Some(temp),
            Err(e) => {
                out[p.index] = Some(Registration::Failed(e));
                for later in planned.drain(k..).skip(1) {
                    remove_temp(&later);
                    out[later.index] = Some(Registration::Later);
                }
                return;
            }
        }
    }
}

fn is_primary(op: &FsOp) -> bool {
    matches!(op, FsOp::Move { .. } | FsOp::PlaceCopy { .. })
}

fn remove_temp(p: &Planned) {
    if let Some((t, ino)) = &p.temp
        && fs::symlink_metadata(t).is_ok_and(|m| m.ino() == *ino)
    {
        let _ = fs::remove_file(t);
    }
}

/// One `syncfs` for each file system holding one of `dirs` (or a file of
/// them): the share's, once, unless a step's folder is another mount.
fn sync_devices(paths: impl Iterator<Item = PathBuf>) -> Result<()> {
    let mut done = std::collections::HashSet::new();
    for p in paths {
        let dir = if p.is_dir() { p } else { p.parent().map_or(p.clone(), Path::to_path_buf) };
        let Ok(m) = fs::metadata(&dir) else { continue };
        if done.insert(m.dev()) {
            // A sync waits for all the file system's writes, not only ours.
            crate::util::heartbeat::beat();
            fsops::sync_fs(&dir)?;
        }
    }
    Ok(())
}

/// Syncs every file system the placed plans changed (where the copies
/// went, where the drafts left).
fn sync_places<'a>(root: PathBuf, plans: impl Iterator<Item = &'a Plan>) -> Result<()> {
    let touched: Vec<PathBuf> =
        plans.filter_map(|p| p.primary()).flat_map(|(from, _, to, _)| [root.join(from), root.join(to)]).collect();
    sync_devices(std::iter::once(root).chain(touched))
}

/// Carries out the plans in order: each copy takes its name, then the
/// draft it replaces is removed. The first that cannot be carried out is
/// undone with every one after it (their numbers given back); the ones
/// placed are returned with their intents.
fn place(
    db: &mut Db,
    root: &Path,
    planned: Vec<Planned>,
    intents: &[i64],
    out: &mut [Option<Registration>],
) -> Result<Vec<(i64, Planned)>> {
    let half = planned.len() / 2;
    let mut placed = Vec::with_capacity(planned.len());
    let mut undo = Vec::new();
    let mut rest = planned.into_iter().zip(intents.iter().copied());
    for (p, intent) in rest.by_ref() {
        if let Err(e) = place_one(root, &p) {
            remove_temp(&p);
            undo.push(intent);
            tracing::warn!(letter = %p.registered.0, error = %format!("{e:#}"), "a draft of the batch could not be placed; it and the drafts after it are undone");
            out[p.index] = Some(Registration::Failed(e));
            break;
        }
        placed.push((intent, p));
        if placed.len() == half {
            faults::hit("batch-half-placed");
        }
    }
    for (p, intent) in rest {
        remove_temp(&p);
        undo.push(intent);
        out[p.index] = Some(Registration::Later);
    }
    // All their numbers back at once, or none (then recovery does it).
    db.undo_intents(&undo)?;
    Ok(placed)
}

/// One plan's file steps, without waiting for the disk: its copy to its
/// name (or the draft itself moved there), the draft removed, then what
/// travels with it.
fn place_one(root: &Path, p: &Planned) -> Result<()> {
    for op in &p.plan.ops {
        match (op, &p.temp) {
            (FsOp::PlaceCopy { from, from_sha256, to, .. }, Some((temp, ino))) => {
                place_copy(root, (temp, *ino), to)?;
                // The draft goes only if it is still what was read; else
                // the copy is taken back and the draft looked at again.
                if !journal::holds(root, from, Some(from_sha256)) {
                    let _ = fs::remove_file(root.join(to));
                    anyhow::bail!(
                        "{from} changed or disappeared while it was being processed; it will be looked at again"
                    );
                }
                if let Err(e) = fs::remove_file(root.join(from)) {
                    // The copy must not stay beside the draft it replaces.
                    let _ = fs::remove_file(root.join(to));
                    return Err(e).with_context(|| format!("cannot remove {from} after placing {to}"));
                }
            }
            (FsOp::Move { from, to, sha256 }, _) => {
                journal::still_same(root, from, sha256.as_deref())?;
                fsops::move_noreplace_unsynced(&root.join(from), &root.join(to))
                    .with_context(|| format!("cannot move {from} to {to}"))?;
            }
            (FsOp::PlaceCopy { .. }, None) => anyhow::bail!("internal error: a batch's copy was not written"),
            (other, _) => {
                if let Err(e) = journal::secondary(root, other) {
                    tracing::warn!(letter = %p.registered.0, error = %format!("{e:#}"), "a secondary file step failed; the transition itself is done");
                }
            }
        }
    }
    Ok(())
}

/// The temporary copy to its name, checked to be the very file written
/// (the inode it was written as, one name only): a file swapped in or
/// linked to under the temporary name by someone else is never placed.
fn place_copy(root: &Path, (temp, ino): (&Path, u64), to: &str) -> Result<()> {
    let ours = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.ino() == ino && m.nlink() == 1);
    if !ours(temp) {
        anyhow::bail!("the copy written for {to} was changed by someone else before it was placed");
    }
    let target = root.join(to);
    fsops::move_noreplace_unsynced(temp, &target).with_context(|| format!("cannot write {to}"))?;
    if !ours(&target) {
        let _ = fs::remove_file(&target);
        anyhow::bail!("the copy written for {to} was changed by someone else while it was placed");
    }
    Ok(())
}

fn finished(out: Vec<Option<Registration>>) -> Vec<Registration> {
    out.into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Registration::Failed(anyhow::anyhow!("internal error: a draft of the batch was left out"))
            })
        })
        .collect()
}

/// How long each step of a batch took, for the debug log.
struct Phases(String, std::time::Instant);

impl Phases {
    fn start() -> Phases {
        Phases(String::new(), std::time::Instant::now())
    }

    fn mark(&mut self, step: &str) {
        use std::fmt::Write;
        let _ = write!(self.0, "{step} {:.1} ms; ", self.1.elapsed().as_secs_f64() * 1000.0);
        self.1 = std::time::Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::numbered;
    use crate::store::fsops::sha256_bytes;

    /// A database and three drafts of 2025 (`in/a.pdf`, `b`, `c`: those
    /// `present` on the share), each planned to move to `out/`.
    struct Three {
        d: tempfile::TempDir,
        root: PathBuf,
        db: Db,
        letters: [NewLetter; 3],
        plans: [Plan; 3],
    }

    impl Three {
        fn new(present: [bool; 3]) -> Three {
            let d = tempfile::tempdir().unwrap();
            let root = d.path().join("root");
            let db = Db::open(&d.path().join("db.sqlite")).unwrap();
            let letters = [numbered("2025-06-02"), numbered("2025-06-02"), numbered("2025-06-02")];
            let names = ["a.pdf", "b.pdf", "c.pdf"];
            let plans = std::array::from_fn(|i| move_plan(&root, names[i], present[i]));
            Three { d, root, db, letters, plans }
        }

        fn store(&self) -> Store {
            Store::new(self.d.path().join("store")).batched()
        }

        /// Registers the letters `which` as one batch, each with its plan.
        fn register(&mut self, which: std::ops::Range<usize>) -> Vec<Registration> {
            let (store, plans) = (self.store(), self.plans.clone());
            let refs: Vec<&NewLetter> = self.letters[which.clone()].iter().collect();
            let first = which.start;
            register(&mut self.db, &self.root, "SK", &store, &refs, |i, _, _| Ok(plans[first + i].clone())).unwrap()
        }

        /// The batch's intents, written: the ids and numbers, and the intents.
        fn intents(&mut self) -> (Vec<Registered>, Vec<i64>) {
            let refs: Vec<&NewLetter> = self.letters.iter().collect();
            let next = self.db.next_registrations("SK", &refs).unwrap();
            let json = self.plans.iter().map(|p| serde_json::to_string(p).unwrap());
            let batch: Vec<_> = refs.iter().zip(&next).zip(json).map(|((nl, r), j)| (*nl, r, j)).collect();
            let intents = self.db.begin_registrations("SK", &batch).unwrap().unwrap();
            (next, intents)
        }

        /// c, registered again alone, takes the number after a's: no gap.
        fn c_again_follows_a(&mut self) {
            let again = self.register(2..3);
            assert!(matches!(again[..], [Registration::Done(_)]), "{again:?}");
            assert_eq!(numbers(&self.db).last().unwrap().1.as_deref(), Some("B-059/17000/KP.650/2025"));
        }
    }

    /// A plan moving `in/<name>` (holding `name`'s bytes) to `out/<name>`.
    fn move_plan(root: &Path, name: &str, present: bool) -> Plan {
        fs::create_dir_all(root.join("in")).unwrap();
        if present {
            fs::write(root.join("in").join(name), name).unwrap();
        }
        let op = FsOp::Move {
            from: format!("in/{name}"),
            to: format!("out/{name}"),
            sha256: Some(sha256_bytes(name.as_bytes())),
        };
        Plan { ops: vec![op], record: Record::default() }
    }

    fn numbers(db: &Db) -> Vec<(String, Option<String>, String)> {
        let mut st = db.conn.prepare("SELECT id, number, state FROM letters ORDER BY id").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn a_draft_gone_before_its_number_is_looked_at_again_and_the_others_registered() {
        // The second draft was taken away after it was read.
        let mut t = Three::new([true, false, true]);
        let out = t.register(0..3);
        assert!(matches!(out[..], [Registration::Done(_), Registration::Later, Registration::Done(_)]), "{out:?}");
        let n = numbers(&t.db);
        assert_eq!(n.len(), 2, "no id used for it: {n:?}");
        assert_eq!(n[1].1.as_deref(), Some("B-059/17000/KP.650/2025"), "no gap: {n:?}");
    }

    #[test]
    fn a_draft_gone_before_it_is_placed_undoes_itself_and_those_after_it() {
        let mut t = Three::new([true; 3]);
        let (next, intents) = t.intents();
        // Taken away after the numbers were given, before it was placed.
        fs::remove_file(t.root.join("in/b.pdf")).unwrap();
        let planned = (0..3)
            .map(|index| Planned { index, registered: next[index].clone(), plan: t.plans[index].clone(), temp: None })
            .collect();
        let mut out: Vec<Option<Registration>> = (0..3).map(|_| None).collect();
        let placed = place(&mut t.db, &t.root, planned, &intents, &mut out).unwrap();
        assert_eq!(placed.len(), 1);
        assert!(matches!(out[..], [None, Some(Registration::Failed(_)), Some(Registration::Later)]), "{out:?}");
        let root = &t.root;
        assert!(root.join("out/a.pdf").exists() && root.join("in/c.pdf").exists() && !root.join("out/c.pdf").exists());
        // Their numbers are given back together.
        let n = numbers(&t.db);
        assert!(n[1..].iter().all(|(_, number, state)| number.is_none() && state == "void"), "{n:?}");
        t.c_again_follows_a();
    }

    #[test]
    fn recovery_undoes_the_rest_of_a_batch_after_a_draft_gone_while_down() {
        // The batch's intents were written, then suratd stopped; the
        // second draft was taken away meanwhile.
        let mut t = Three::new([true, false, true]);
        t.intents();
        let done = journal::recover(&mut t.db, &t.root).unwrap();
        assert!(
            matches!(
                done[..],
                [journal::Recovered::Redone(_), journal::Recovered::Undone(_), journal::Recovered::Undone(_)]
            ),
            "{done:?}"
        );
        assert!(t.root.join("out/a.pdf").exists() && t.root.join("in/c.pdf").exists(), "c waits to be registered");
        let n = numbers(&t.db);
        assert_eq!(n[0].1.as_deref(), Some("B-058/17000/KP.650/2025"));
        assert!(n[1..].iter().all(|(_, number, _)| number.is_none()), "numbers given back: {n:?}");
        t.c_again_follows_a();
    }

    #[test]
    fn a_draft_whose_plan_fails_takes_no_number_and_the_next_is_planned_again() {
        let mut t = Three::new([true; 3]);
        let (store, plans) = (t.store(), t.plans.clone());
        let refs: Vec<&NewLetter> = t.letters.iter().collect();
        let mut planned = Vec::new();
        let out = register(&mut t.db, &t.root, "SK", &store, &refs, |i, id, number| {
            planned.push((i, id.to_string(), number.map(str::to_string)));
            if i == 1 { anyhow::bail!("this draft cannot be planned") } else { Ok(plans[i].clone()) }
        })
        .unwrap();
        assert!(matches!(out[..], [Registration::Done(_), Registration::Failed(_), Registration::Done(_)]), "{out:?}");
        // The third was planned with the number the second did not take.
        let third = planned.iter().rev().find(|(i, ..)| *i == 2).unwrap();
        assert_eq!(third.2.as_deref(), Some("B-059/17000/KP.650/2025"), "{planned:?}");
        let n = numbers(&t.db);
        assert_eq!(n.len(), 2, "the failed draft used no id: {n:?}");
        assert!(t.root.join("out/c.pdf").exists() && t.root.join("in/b.pdf").exists());
    }
}
