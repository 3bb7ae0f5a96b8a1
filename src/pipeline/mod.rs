//! One settled file, from arrival to its next place:
//! intake (where is it, which letter) → convert (a later stage: Word/ODT to
//! PDF) → inspect (is it a good PDF) → decide (`engine`, pure) → carry out
//! (`journal`: intent, move, commit). Also counts attempts, so a file that
//! fails again and again is set aside instead of trapping the service.

mod archive;
mod companions;
mod copies;
mod intake;
pub mod owner;
mod places;
mod record;
mod refuse;
mod signed;

use companions::{find_note, find_sidecar, is_companion, read_note, read_sidecar};
use copies::{Copy, derive, place_op};
use intake::{Arrival, FileData};
use places::{file_name, free_target};
use record::{About, Transit, dispatch_from_note, emails_for, transit_record};

use crate::config::Config;
use crate::decide::{self, Content, Decision, Dest, Facts, Owner, WaitFor};
use crate::letter::names;
use crate::letter::state::LetterState;
use crate::pdf::inspect;
use crate::pdf::signature::Anchors;
use crate::pdf::stamp;
use crate::store::db::{Db, LetterRow, NewLetter, NumberRequest, Record, SignatureRec};
use crate::store::fsops;
use crate::store::journal::{self, FsOp, Plan};
use crate::store::versions::Store;
use crate::util::timefmt;
use crate::watch::settle::Seen;
use crate::workflow::StepKind;
use crate::workflow::Workflow;
use crate::workflow::layout;
use anyhow::{Context, Result};
use chrono::Utc;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (moved, recorded, refused), or nothing to do.
    Done,
    /// Look again after this long.
    Defer(Duration),
    /// Not suratd's business (outside the workflow, a temporary file, gone).
    Skipped,
}

pub struct Pipeline {
    pub cfg: Config,
    pub wf: Arc<Workflow>,
    pub db: Db,
    pub store: Store,
    /// Certificates a signer's chain must reach (none configured: only the
    /// signatures themselves are checked).
    pub anchors: Arc<Anchors>,
}

impl Pipeline {
    pub fn open(cfg: Config, wf: Arc<Workflow>) -> Result<Pipeline> {
        let db = Db::open(&cfg.database)?;
        let store = Store::new(cfg.store_dir());
        let anchors = Arc::new(Anchors::load(&cfg.trust_anchors)?);
        Ok(Pipeline { cfg, wf, db, store, anchors })
    }

    pub fn root(&self) -> &Path {
        &self.cfg.root
    }

    /// Completes or undoes transitions a crash left half done.
    pub fn recover(&mut self) -> Result<Vec<journal::Recovered>> {
        let root = self.cfg.root.clone();
        journal::recover(&mut self.db, &root)
    }

    /// Whether suratd should look at files under `abs` at all.
    pub fn wants(&self, abs: &Path) -> bool {
        let Some(rel) = fsops::rel_path(&self.cfg.root, abs) else {
            return false;
        };
        let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if self.cfg.ignored(&name) || name.starts_with(".") && name.ends_with(".tmp") {
            return false;
        }
        layout::classify(&self.wf, &rel).is_watched()
    }

    /// Processes one settled file (`seen` is its state when it settled).
    pub fn process(&mut self, abs: &Path, seen: Seen) -> Result<Outcome> {
        if let Some(renamed) = self.readable_name(abs)? {
            return Ok(renamed);
        }
        let Some(rel) = fsops::rel_path(&self.cfg.root, abs) else {
            return Ok(Outcome::Skipped);
        };
        let wf = self.wf.clone();
        let place = layout::classify(&wf, &rel);
        if !place.is_watched() {
            return Ok(Outcome::Skipped);
        }
        let Ok(meta) = fs::symlink_metadata(abs) else {
            return Ok(Outcome::Skipped);
        };
        if meta.is_dir() {
            return Ok(Outcome::Skipped);
        }
        let name = file_name(abs);
        if self.cfg.ignored(&name) || is_companion(&name) && !meta.file_type().is_symlink() {
            return Ok(Outcome::Skipped);
        }

        // Where suratd put it, unchanged since: nothing to read or count.
        if let Some(l) = self.db.letter_at_path(&rel)?
            && l.size == meta.len() as i64
            && l.mtime_ns == mtime_ns(&meta) as i64
            && LetterState::parse(&l.state) == LetterState::Active
        {
            return Ok(Outcome::Done);
        }

        let attempts = self.db.bump_attempt(&rel, seen.size as i64, seen.mtime_ns as i64)?;
        if attempts > self.cfg.processing.attempts {
            let last = self.db.last_attempt_error(&rel)?.unwrap_or_else(|| "berhenti tanpa pesan".into());
            tracing::error!(file = %rel, attempts, error = %last, "setting the file aside after repeated failures");
            self.reject(&rel, &meta, &place, None, "failed_repeatedly", &last)?;
            self.db.clear_attempts(&rel)?;
            return Ok(Outcome::Done);
        }
        match self.handle(abs, &rel, &meta, &place) {
            // Waiting (still copying, a note to come) is not a failure.
            Ok(o) => {
                self.db.clear_attempts(&rel)?;
                Ok(o)
            }
            // A full disk or a locked database is not the file's fault: it
            // is tried again (the daemon backs off) without counting.
            Err(e) if environmental(&e) => {
                let _ = self.db.clear_attempts(&rel);
                Err(e)
            }
            Err(e) => {
                self.db.attempt_failed(&rel, &format!("{e:#}"))?;
                Err(e)
            }
        }
    }

    fn act(&mut self, a: Arrival) -> Result<Outcome> {
        let Arrival { abs, rel, meta, place, letter, content, data, note, described, signed } = a;
        let (signed, report) = signed;
        let (content, data) = (&content, data.as_ref());
        let wf = self.wf.clone();
        let view = letter.as_ref().map(LetterRow::view);
        let recorded = letter.as_ref().and_then(|l| l.path.clone());
        let at_recorded_path = recorded.as_deref() == Some(rel);
        let original_present =
            recorded.as_deref().is_some_and(|p| p != rel && fs::symlink_metadata(self.cfg.root.join(p)).is_ok());
        let mut facts = Facts {
            place,
            letter: view.as_ref(),
            content,
            at_recorded_path,
            original_present,
            note,
            meta_problem: match &described {
                Some(Err(p)) => Some((p.code, p.detail.as_str())),
                _ => None,
            },
            number_in_text: None,
            signature: signed,
            owner: match wf.person(&owner::login_of(meta)) {
                Some(p) => Owner::Person(p.roles.clone()),
                None if self.cfg.unknown_owner == crate::config::UnknownOwner::Refuse => Owner::Refused,
                None => Owner::Allowed,
            },
        };
        let mut decision = decide::decide(&wf, &facts);
        if let Decision::Reject { reason: "no_access" | "unknown_owner", .. } = &decision {
            tracing::warn!(security = true, file = rel, owner = %owner::login_of(meta), ?decision, "a file was placed without the right to");
        }
        if decision == Decision::NeedText {
            facts.number_in_text = Some(self.number_in_text(letter.as_ref(), data, abs)?);
            decision = decide::decide(&wf, &facts);
        }
        let letter_id = letter.as_ref().map(|l| l.id.as_str()).unwrap_or("-");
        tracing::debug!(letter = letter_id, file = rel, ?decision, "decided");
        let now = Utc::now();
        let login = owner::login_of(meta);
        let person = wf.person(&login).map(|p| p.login.clone()).unwrap_or(login.clone());

        let new_content = *content != Content::Known;
        // Sent back by a check: a move to the drafter with a written note.
        let (decision, written_note) = match decision {
            Decision::SendBack { reason } => {
                let l = letter.as_ref().expect("a letter is sent back");
                let entry = wf.entry();
                let step_name = wf.step(&l.step).map(|s| s.name.clone()).unwrap_or_default();
                let detail = l.number.clone().unwrap_or_default();
                let text = self.reason_text(reason, &detail, rel, Some(&l.id), &step_name, now);
                let d = Decision::Move {
                    to_step: entry.id.clone(),
                    dest: Dest::Returns(entry.id.clone()),
                    action: reason.to_string(),
                    state: LetterState::Active,
                    take_note: false,
                };
                (d, Some(text))
            }
            d => (d, None),
        };
        match decision {
            Decision::Nothing => Ok(Outcome::Done),
            Decision::NeedText | Decision::SendBack { .. } => {
                anyhow::bail!("internal error: undecided ({decision:?})")
            }
            Decision::Wait(WaitFor::Copying) => Ok(Outcome::Defer(Duration::from_secs(2))),
            Decision::Wait(WaitFor::Note) => Ok(Outcome::Defer(Duration::from_millis(500))),
            Decision::Reject { reason, detail } => {
                self.reject(rel, meta, place, letter.as_ref(), reason, &detail)?;
                Ok(Outcome::Done)
            }
            Decision::Register { to_step, dest, action } => {
                let data = data.expect("registration has content");
                let Some(Ok((letter_meta, sidecar))) = described else {
                    anyhow::bail!("a registration without metadata (internal error)");
                };
                self.keep(data)?;
                journal::still_same(&self.cfg.root, rel, Some(&data.sha))?;
                let mut absorb = Vec::new();
                if let Some((path, bytes)) = &sidecar {
                    let sha = fsops::sha256_bytes(bytes);
                    self.keep(&FileData { sha: sha.clone(), bytes: bytes.clone() })?;
                    let path = fsops::rel_path(&self.cfg.root, path).expect("under root");
                    absorb.push(FsOp::Supersede { path, sha256: sha });
                }
                let subject = letter_meta.perihal.clone();
                let date = letter_meta.tanggal.unwrap_or_else(|| timefmt::date_wib(now));
                let number = NumberRequest {
                    format: wf.number_format.clone(),
                    unit: wf.office.unit_code.clone(),
                    date,
                    scope: wf.scope,
                    last_used: wf.last_used.get(&wf.scope.key(date)).copied().unwrap_or(0),
                };
                let warnings = (!letter_meta.warnings.is_empty()).then(|| letter_meta.warnings.join("; "));
                let nl = NewLetter {
                    meta: Some(letter_meta),
                    number: Some(number),
                    year: timefmt::year_wib(now),
                    subject: subject.clone(),
                    drafter: Some(person.clone()),
                    step: to_step.clone(),
                    sha256: data.sha.clone(),
                    size: meta.len() as i64,
                    mtime_ns: mtime_ns(meta) as i64,
                    at: timefmt::stored(now),
                };
                let dest_dir = self.dest_dir(&dest, None);
                let entry = wf.entry().id.clone();
                let root = self.cfg.root.clone();
                let store = self.store.clone();
                let cfg = self.cfg.clone();
                let plan = journal::execute(&mut self.db, &root, &wf.id_prefix, None, Some(&nl), |lid, number| {
                    let id = lid.expect("registration has an id");
                    let (_, target) = free_target(&root, &dest_dir, &names::letter_file_name(id, &subject));
                    let copy = Copy { to_step: &to_step, from_step: &entry, action: &action, id, number, at: now };
                    let derived = derive(&wf, &store, &copy, &data.bytes, &data.sha)?;
                    let mut rec = transit_record(&Transit {
                        letter_id: id,
                        from: &entry,
                        to: &to_step,
                        state: LetterState::Active.as_str(),
                        path: &target,
                        sha: &data.sha,
                        meta,
                        action: &action,
                        actor: (person.clone(), true),
                        version_from: Some(rel),
                        note: warnings.clone(),
                        at: now,
                    });
                    let mut ops = vec![place_op(rel, &data.sha, &target, derived.as_ref())];
                    if let Some(d) = derived {
                        d.record_in(&mut rec);
                    }
                    let about = About { id, number, subject: &subject, drafter: Some(&person), meta: nl.meta.as_ref() };
                    rec.emails = emails_for(&wf, &cfg, &about, &rec, None);
                    ops.extend(absorb);
                    Ok(Plan { ops, record: rec })
                })?;
                let t = plan.record.transition.as_ref().expect("has transition");
                let number = self.db.letter(&t.letter_id)?.and_then(|l| l.number).unwrap_or_default();
                tracing::info!(letter = %t.letter_id, number = %number, file = rel, to = %t.path.as_deref().unwrap_or(""), actor = %t.actor, "registered a new letter");
                self.tidy(abs);
                Ok(Outcome::Done)
            }
            Decision::Move { to_step, dest, action, state, take_note } => {
                let letter = letter.expect("a move has a letter");
                if let Some(d) = data.filter(|_| new_content) {
                    self.keep(d)?;
                }
                let sha = data.map(|d| d.sha.clone()).unwrap_or_else(|| letter.sha256.clone());
                journal::still_same(&self.cfg.root, rel, Some(&sha))?;
                let dest_dir = self.dest_dir(&dest, Some(&letter));
                let name = names::letter_file_name(&letter.id, &letter.subject);
                let bytes = match data {
                    Some(d) => d.bytes.clone(),
                    None => fs::read(abs).with_context(|| format!("cannot read {rel}"))?,
                };
                let copy = Copy {
                    to_step: &to_step,
                    from_step: &letter.step,
                    action: &action,
                    id: &letter.id,
                    number: letter.number.as_deref(),
                    at: now,
                };
                let derived = derive(&wf, &self.store, &copy, &bytes, &sha)?;
                let in_place = format!("{dest_dir}/{name}") == rel && derived.is_none();
                // A new version taking the place of the copy where the letter is.
                let replacing = dest == Dest::Back && original_present && new_content;
                let (target_abs, target) = if in_place {
                    (abs.to_path_buf(), rel.to_string())
                } else if let Some(p) = recorded.as_ref().filter(|_| replacing) {
                    (self.cfg.root.join(p), p.clone())
                } else {
                    free_target(&self.cfg.root, &dest_dir, &name)
                };
                let mut ops = Vec::new();
                if replacing && let Some(p) = &recorded {
                    ops.push(FsOp::Supersede { path: p.clone(), sha256: letter.sha256.clone() });
                }
                if !in_place {
                    ops.push(place_op(rel, &sha, &target, derived.as_ref()));
                }
                let mut note = None;
                if take_note && let Some(n) = find_note(abs)? {
                    note = Some(read_note(&n));
                    let (_, note_target) =
                        free_target(&self.cfg.root, &dest_dir, &file_name(&target_abs.with_extension("txt")));
                    let from = fsops::rel_path(&self.cfg.root, &n).expect("under root");
                    ops.push(FsOp::MoveCompanion { from, to: note_target });
                }
                if let Some(text) = written_note {
                    let (_, to) = free_target(&self.cfg.root, &dest_dir, &file_name(&target_abs.with_extension("txt")));
                    ops.push(FsOp::Write { path: to, text: text.clone() });
                    note = Some(text);
                }
                if let Some(p) = recorded.as_ref().filter(|_| original_present && new_content && !replacing) {
                    ops.push(FsOp::Supersede { path: p.clone(), sha256: letter.sha256.clone() });
                }
                let mut rec = transit_record(&Transit {
                    letter_id: &letter.id,
                    from: &letter.step,
                    to: &to_step,
                    state: state.as_str(),
                    path: &target,
                    sha: &sha,
                    meta,
                    action: &action,
                    actor: self.actor(&letter, new_content, &person),
                    version_from: new_content.then_some(rel),
                    note,
                    at: now,
                });
                if let Some(d) = derived {
                    d.record_in(&mut rec);
                }
                if action == "signed"
                    && let Some(r) = &report
                {
                    for v in rec.versions.iter_mut().filter(|v| v.sha256 == sha) {
                        v.kind = "signed".into();
                    }
                    if let Some(t) = rec.transition.as_mut() {
                        t.note = Some(r.summary());
                    }
                    rec.signatures = r
                        .signatures
                        .iter()
                        .map(|c| SignatureRec {
                            sha256: sha.clone(),
                            signer: c.signer.clone(),
                            intact: c.intact,
                            trusted: c.trusted,
                            problem: c.problem.clone(),
                        })
                        .collect();
                }
                // Sent out from a dispatch step: a line in the expedition book.
                if wf.step(&letter.step).is_some_and(|s| s.kind == StepKind::Dispatch) && to_step != letter.step {
                    let tujuan =
                        letter.meta().map(|m| m.tujuan.iter().map(|p| p.nama.clone()).collect::<Vec<_>>().join("; "));
                    rec.dispatch = Some(dispatch_from_note(
                        rec.transition.as_ref().and_then(|t| t.note.as_deref()),
                        tujuan.unwrap_or_default(),
                        rec.transition.as_ref().map(|t| t.actor.clone()),
                    ));
                }
                if matches!(dest, Dest::Archive { .. }) {
                    ops.extend(self.archive_extras(&letter, &dest_dir, &rec)?);
                }
                let meta = letter.meta();
                let about = About {
                    id: &letter.id,
                    number: letter.number.as_deref(),
                    subject: &letter.subject,
                    drafter: letter.drafter.as_deref(),
                    meta: meta.as_ref(),
                };
                let signed_file = (action == "signed").then_some((sha.as_str(), bytes.len() as u64, name.as_str()));
                rec.emails = emails_for(&wf, &self.cfg, &about, &rec, signed_file);
                self.execute(&letter.id, ops, rec)?;
                tracing::info!(letter = %letter.id, from = %letter.step, to = %to_step, action = %action, file = %target, "moved");
                self.tidy(abs);
                Ok(Outcome::Done)
            }
            Decision::Track => {
                let letter = letter.expect("tracking has a letter");
                let data = data.expect("tracking has content");
                if new_content {
                    self.keep(data)?;
                }
                let rec = transit_record(&Transit {
                    letter_id: &letter.id,
                    from: &letter.step,
                    to: &letter.step,
                    state: &letter.state,
                    path: rel,
                    sha: &data.sha,
                    meta,
                    action: if new_content { "version" } else { "rename" },
                    actor: self.actor(&letter, new_content, &person),
                    version_from: new_content.then_some(rel),
                    note: None,
                    at: now,
                });
                self.execute(&letter.id, vec![], rec)?;
                tracing::info!(letter = %letter.id, file = rel, new_version = new_content, "recorded in place");
                Ok(Outcome::Done)
            }
            Decision::Return { reason } => {
                let letter = letter.expect("a return has a letter");
                if let Some(d) = data.filter(|_| new_content) {
                    self.keep(d)?;
                }
                let sha = data.map(|d| d.sha.clone()).unwrap_or_else(|| letter.sha256.clone());
                let back_dir = self.dest_dir(&Dest::Back, Some(&letter));
                let name = names::letter_file_name(&letter.id, &letter.subject);
                let (_, target) = free_target(&self.cfg.root, &back_dir, &name);
                let (_, reason_path) = free_target(&self.cfg.root, &back_dir, &format!("{name}.alasan.txt"));
                let step_name = wf.step(&letter.step).map(|s| s.name.clone()).unwrap_or(letter.step.clone());
                let text = self.reason_text(reason, "", rel, Some(&letter.id), &step_name, now);
                let rec = transit_record(&Transit {
                    letter_id: &letter.id,
                    from: &letter.step,
                    to: &letter.step,
                    state: &letter.state,
                    path: &target,
                    sha: &sha,
                    meta,
                    action: "returned",
                    actor: self.actor(&letter, false, &person),
                    version_from: new_content.then_some(rel),
                    note: Some(format!("{reason}: placed in {rel}")),
                    at: now,
                });
                let ops = vec![
                    FsOp::Move { from: rel.into(), to: target.clone(), sha256: Some(sha) },
                    FsOp::Write { path: reason_path, text },
                ];
                self.execute(&letter.id, ops, rec)?;
                tracing::warn!(letter = %letter.id, file = rel, back_to = %target, reason, "a file moved by hand to the wrong folder was put back");
                self.tidy(abs);
                Ok(Outcome::Done)
            }
        }
    }

    /// Whether the letter's number is in the PDF's text (a letter without a
    /// number passes).
    fn number_in_text(&self, letter: Option<&LetterRow>, data: Option<&FileData>, abs: &Path) -> Result<bool> {
        let Some(number) = letter.and_then(|l| l.number.clone()) else {
            return Ok(true);
        };
        let bytes = match data {
            Some(d) => d.bytes.clone(),
            None => fs::read(abs).with_context(|| format!("cannot read {}", abs.display()))?,
        };
        // The letter itself, not suratd's stamp on it (which shows the number).
        let bytes = stamp::base_of(&bytes).to_vec();
        let limit = self.cfg.processing.timeout;
        let text = inspect::limited(limit, move || inspect::text(&bytes, 20))
            .ok_or_else(|| {
                anyhow::anyhow!("reading the PDF's text took longer than {}", humantime::format_duration(limit))
            })?
            .flatten()
            .unwrap_or_default();
        Ok(inspect::contains_loosely(&text, &number))
    }

    /// Keeps a version's bytes in the store (before anything moves).
    fn keep(&self, data: &FileData) -> Result<()> {
        self.store
            .put(&data.sha, &data.bytes)
            .map(|_| ())
            .context("cannot keep the version in the store (is the disk beside the database full?)")
    }

    /// Journals and carries out a transition of an existing letter.
    fn execute(&mut self, letter_id: &str, ops: Vec<FsOp>, record: Record) -> Result<()> {
        let root = self.cfg.root.clone();
        let prefix = self.wf.id_prefix.clone();
        journal::execute(&mut self.db, &root, &prefix, Some(letter_id), None, |_, _| Ok(Plan { ops, record }))?;
        Ok(())
    }
}

/// Modification time in nanoseconds since the epoch.
pub fn mtime_ns(meta: &fs::Metadata) -> i128 {
    meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128
}

/// Whether an error comes from the machine rather than the file: a full or
/// read-only disk, or a database another process holds locked.
pub fn environmental(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::ReadOnlyFilesystem)
                || io.raw_os_error().is_some_and(|n| {
                    use rustix::io::Errno;
                    [Errno::NOSPC, Errno::DQUOT, Errno::ROFS].iter().any(|e| e.raw_os_error() == n)
                });
        }
        if let Some(rusqlite::Error::SqliteFailure(f, _)) = c.downcast_ref::<rusqlite::Error>() {
            return matches!(
                f.code,
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::ReadOnly
            );
        }
        false
    })
}
