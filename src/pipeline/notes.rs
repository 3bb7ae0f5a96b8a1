//! Reviewers' notes and reason files as the letter's companions: a return's
//! note named for its round and its reviewer, a note that comes after its
//! letter was sent back (joined to that return, in the trail and to the
//! drafter by email), and the notes and reason files a letter takes along
//! when it leaves a folder (kept in the version store, off the working
//! folders, and copied into its archive folder in the end).

use super::FileData;
use super::companions::{MAX_NOTE_BYTES, note_text, read_plain};
use super::places::{file_name, free_target};
use super::{Outcome, Pipeline};
use crate::decide::notes::{self, Late, LateNote};
use crate::letter::names;
use crate::letter::state::LetterView;
use crate::mail::compose;
use crate::store::db::{CompanionRec, LetterRow, Record, TransitionRec};
use crate::store::fsops;
use crate::store::journal::FsOp;
use crate::util::timefmt;
use crate::workflow::StepKind;
use crate::workflow::layout::{Area, Place};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use std::fs;
use std::path::Path;

/// A note in an outcome folder: a plain `.txt` that is not a reason file.
pub(super) fn is_note_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".txt") && !lower.ends_with(".alasan.txt")
}

impl Pipeline {
    /// Where a return's note goes in `dir`: named for the letter, the round
    /// and who wrote it (suratd, for a note it writes).
    pub(super) fn return_note_path(&self, letter: &LetterRow, dir: &str, by_suratd: bool) -> Result<String> {
        let trail = self.db.history(&letter.id)?;
        let entry = &self.wf.entry().id;
        let round = notes::round(entry, trail.iter().map(steps_of));
        let author = notes::author(&self.wf, &letter.step, by_suratd);
        Ok(free_target(&self.cfg.root, dir, &names::note_file_name(&letter.id, round, &author)).1)
    }

    /// For a plain note in an outcome folder that sends letters back to the
    /// drafter: whether it lies alone (no PDF in the folder could take it:
    /// a late note). `None`: not such a note.
    pub(super) fn note_alone(&self, abs: &Path, place: &Place) -> Option<bool> {
        let Place::Step { step, area: Area::Outcome(o) } = place else { return None };
        let back = step.outcome(o).and_then(|t| self.wf.step(&t.to)).is_some_and(|t| t.kind == StepKind::Drop);
        if !back || !is_note_name(&file_name(abs)) {
            return None;
        }
        let entries = abs.parent().and_then(|d| fs::read_dir(d).ok())?;
        Some(!entries.flatten().any(|e| e.file_name().to_string_lossy().to_ascii_lowercase().ends_with(".pdf")))
    }

    /// A note that came after its letter was sent back: joined to that
    /// return, or refused with a reason. One that does not name its letter
    /// waits `note_wait` first (its letter may still be on its way here).
    pub(super) fn late_note(&mut self, abs: &Path, rel: &str, meta: &fs::Metadata, place: &Place) -> Result<Outcome> {
        let Place::Step { step, .. } = place else { return Ok(Outcome::Skipped) };
        let (audited, placed_by) = match self.placed_by(rel, meta) {
            Ok(who) => who,
            Err(d) => return Ok(Outcome::Defer(d)),
        };
        let named = names::id_in_name(&self.wf.id_prefix, &file_name(abs));
        let age = super::intake::age_of(meta);
        if named.is_none() && age < self.cfg.processing.note_wait {
            return Ok(Outcome::Defer(self.cfg.processing.note_wait - age));
        }
        let entry = self.wf.entry().id.clone();
        let id = match &named {
            Some(id) => Some(id.clone()),
            None => self.db.last_returned(&step.id, &entry)?,
        };
        let letter = match id {
            Some(id) => self.db.letter(&id)?,
            None => None,
        };
        let trail = match &letter {
            Some(l) => self.db.history(&l.id)?,
            None => vec![],
        };
        let last_return = trail.iter().rev().find(|t| is_return(&entry, t));
        let returned_at = last_return.and_then(|t| timefmt::parse_stored(&t.at));
        let written: DateTime<Utc> = meta.modified().map(DateTime::from).unwrap_or_else(|_| Utc::now());
        let view = letter.as_ref().map(LetterRow::view);
        let owner = self.owner_named(&placed_by);
        let mover = super::facts::mover(&self.wf, &placed_by);
        let waiting = self.db.in_flight()?.into_iter().filter(|l| l.step == step.id);
        let pending_here = match &named {
            Some(id) => waiting.into_iter().any(|l| l.id == *id),
            None => waiting.into_iter().next().is_some(),
        };
        let facts = LateNote {
            place,
            step: &step.id,
            letter: view.as_ref(),
            named: named.is_some(),
            returned_from: last_return.and_then(|t| t.from_step.as_deref()),
            written_after: returned_at.is_some_and(|at| written >= at),
            pending_here,
            owner: &owner,
            mover: &mover,
        };
        let letter_id = view.as_ref().map(|v: &LetterView| v.id.clone()).unwrap_or_else(|| "-".into());
        match notes::decide(&self.wf, &facts) {
            Late::Wait => Ok(Outcome::Defer(self.cfg.processing.note_wait.max(std::time::Duration::from_secs(1)))),
            Late::Refuse { reason, detail } => {
                tracing::warn!(letter = %letter_id, file = rel, by = %placed_by, reason = reason.code(), "a late note is refused");
                self.reject(rel, meta, place, letter.as_ref(), reason, &detail)?;
                Ok(Outcome::Done)
            }
            Late::Attach => {
                let letter = letter.context("internal error: a late note attached to no letter")?;
                let person = self.wf.person(&placed_by).map(|p| p.login.clone()).unwrap_or(placed_by);
                self.attach_note(&letter, rel, &step.id, (person, audited.is_some()), &trail)
            }
        }
    }

    /// Moves a late note beside its letter under its round's name, records
    /// it (action `note`, its text) and tells the drafter.
    fn attach_note(
        &mut self,
        letter: &LetterRow,
        rel: &str,
        from_step: &str,
        actor: (String, bool),
        trail: &[TransitionRec],
    ) -> Result<Outcome> {
        let abs = self.cfg.root.join(rel);
        let bytes = read_plain(&abs, MAX_NOTE_BYTES)
            .map_err(|u| anyhow::anyhow!("cannot read the note {rel}: {}", u.detail))?;
        let text = note_text(&bytes);
        let entry = self.wf.entry().id.clone();
        let dir = letter.path.as_deref().and_then(|p| p.rsplit_once('/')).map(|(d, _)| d.to_string());
        let dir = dir.unwrap_or_else(|| self.dest_dir(&crate::decide::Dest::Returns(entry.clone()), Some(letter)));
        let round = notes::rounds_made(&entry, trail.iter().map(steps_of)).max(1);
        let author = notes::author(&self.wf, from_step, false);
        let (_, to) = free_target(&self.cfg.root, &dir, &names::note_file_name(&letter.id, round, &author));
        let now = Utc::now();
        let mut rec = Record {
            transition: Some(TransitionRec {
                letter_id: letter.id.clone(),
                at: timefmt::stored(now),
                from_step: Some(letter.step.clone()),
                to_step: Some(letter.step.clone()),
                action: "note".into(),
                actor: actor.0.clone(),
                actor_verified: actor.1,
                sha256: Some(fsops::sha256_bytes(&bytes)),
                path: Some(to.clone()),
                note: Some(text.clone()),
                approved_sha256: None,
            }),
            ..Record::default()
        };
        let told = compose::LateNote { from_step, author: &actor.0, text: &text, path: &to };
        rec.emails.extend(compose::late_note(&self.wf, &self.cfg.share_path, letter, &told));
        self.execute(&letter.id, vec![FsOp::MoveCompanion { from: rel.to_string(), to: to.clone() }], rec)?;
        tracing::info!(letter = %letter.id, file = rel, to = %to, round, "a late note joined the letter's return");
        Ok(Outcome::Done)
    }

    /// The notes and reason files beside the letter in the folder it
    /// leaves (plain `.txt` files whose names start with its id): kept in
    /// the version store, recorded, and taken off the share.
    pub(super) fn take_companions(&self, letter: &LetterRow, ops: &mut Vec<FsOp>, rec: &mut Record) -> Result<()> {
        let Some((dir, _)) = letter.path.as_deref().and_then(|p| p.rsplit_once('/')) else { return Ok(()) };
        let Ok(entries) = fs::read_dir(self.cfg.root.join(dir)) else { return Ok(()) };
        let prefix = format!("{} ", letter.id);
        let recorded: Vec<String> = self.db.history(&letter.id)?.into_iter().filter_map(|t| t.note).collect();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&prefix) || !name.to_ascii_lowercase().ends_with(".txt") || name.contains('/') {
                continue;
            }
            let Ok(bytes) = read_plain(&e.path(), MAX_NOTE_BYTES) else {
                tracing::warn!(letter = %letter.id, file = %name, "a file beside the letter is not a plain note; left in place");
                continue;
            };
            // A note is taken along only with the words suratd recorded for
            // it: one written or changed by someone else (the drafter in
            // their own returns folder, under a reviewer's name) is never
            // filed as the reviewer's.
            if !name.to_ascii_lowercase().ends_with(".alasan.txt") && !recorded_note(&recorded, &note_text(&bytes)) {
                tracing::warn!(letter = %letter.id, file = %name, "a note beside the letter is not one suratd recorded; left in place");
                continue;
            }
            let sha = fsops::sha256_bytes(&bytes);
            self.keep(&FileData::plain(sha.clone(), bytes))?;
            ops.push(FsOp::Supersede { path: format!("{dir}/{name}"), sha256: sha.clone() });
            rec.companions.push(CompanionRec { name, sha256: sha });
        }
        Ok(())
    }

    /// Copies of every note and reason file the letter took along, for its
    /// archive folder `dir` (in `catatan/`; a name taken twice, such as a
    /// reason file of the same kind in two rounds, numbered ` (2)`).
    pub(super) fn companion_copies(&self, letter: &LetterRow, dir: &str, rec: &Record) -> Result<Vec<FsOp>> {
        let mut all = self.db.companions_of(&letter.id)?;
        all.extend(rec.companions.iter().cloned());
        let mut seen = std::collections::HashMap::<String, u32>::new();
        Ok(all
            .into_iter()
            .map(|c| {
                let n = seen.entry(c.name.clone()).and_modify(|n| *n += 1).or_insert(1);
                FsOp::CopyStored {
                    source: self.store.path_of(&c.sha256).to_string_lossy().into_owned(),
                    to: format!("{dir}/catatan/{}", names::numbered(&c.name, *n)),
                }
            })
            .collect())
    }
}

/// Whether a note's text is (part of) a note recorded in the letter's trail.
fn recorded_note(recorded: &[String], text: &str) -> bool {
    let whole = |n: &str| {
        let n = n.trim();
        n == text || n.starts_with(&format!("{text}\n")) || n.ends_with(&format!("\n{text}"))
    };
    !text.is_empty() && recorded.iter().any(|n| whole(n))
}

/// A transition's steps and action, as `notes::round` counts them.
fn steps_of(t: &TransitionRec) -> (&str, &str, &str) {
    (t.from_step.as_deref().unwrap_or(""), t.to_step.as_deref().unwrap_or(""), t.action.as_str())
}

/// Whether a transition sent the letter back to the drafting step `entry`
/// from another step (a reviewer's return).
fn is_return(entry: &str, t: &TransitionRec) -> bool {
    let (from, to, _) = steps_of(t);
    to == entry && from != entry
}
