//! A letter moving on: to its next step (the file, or suratd's copy of it,
//! with the reviewer's note), and a file recorded in place at its step
//! (renamed, or a new version: tracking).

use super::companions::{find_note, read_note};
use super::copies::{Copy, derive, place_op};
use super::intake::FileData;
use super::places::{file_name, free_target};
use super::record::{Transit, letter_emails, record_dispatch, record_signatures, transit_record};
use super::{Job, Outcome, Pipeline};
use crate::decide::Dest;
use crate::letter::names;
use crate::letter::state::LetterState;
use crate::store::db::LetterRow;
use crate::store::fsops;
use crate::store::journal::{self, FsOp};
use crate::workflow::StepKind;
use anyhow::{Context, Result};
use std::fs;

/// Where a letter moves (`Decision::Move`), and for one sent back by a check,
/// the reason note written beside it.
pub(super) struct Move {
    pub(super) to_step: String,
    pub(super) dest: Dest,
    pub(super) action: String,
    pub(super) state: LetterState,
    /// Take the reviewer's `.txt` note along.
    pub(super) take_note: bool,
    pub(super) written_note: Option<String>,
}

impl Pipeline {
    /// The letter moves on: keeps a new version, places the file (or a
    /// stamped or signing copy) in the destination, with its note, and
    /// records the transition, its signatures, expedition line and emails.
    pub(super) fn advance(&mut self, job: &Job, letter: &LetterRow, mv: Move) -> Result<Outcome> {
        let Job { abs, rel, meta, data, new_content, original_present, report, ref person, now } = *job;
        let Move { to_step, dest, action, state, take_note, written_note } = mv;
        let wf = self.wf.clone();
        let recorded = letter.path.clone();
        if let Some(d) = data.filter(|_| new_content) {
            self.keep(d)?;
        }
        let sha = data.map(|d| d.sha.clone()).unwrap_or_else(|| letter.sha256.clone());
        journal::still_same(&self.cfg.root, rel, Some(&sha))?;
        let dest_dir = self.dest_dir(&dest, Some(letter));
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
            actor: self.actor(letter, new_content, person),
            version_from: new_content.then_some(rel),
            note,
            at: now,
        });
        if let Some(d) = derived {
            d.record_in(&mut rec);
        }
        if action == "signed"
            && let Some(r) = report
        {
            record_signatures(&mut rec, r, &sha);
        }
        // Sent out from a dispatch step: a line in the expedition book.
        if wf.step(&letter.step).is_some_and(|s| s.kind == StepKind::Dispatch) && to_step != letter.step {
            record_dispatch(&mut rec, letter);
        }
        if matches!(dest, Dest::Archive { .. }) {
            ops.extend(self.archive_extras(letter, &dest_dir, &rec)?);
        }
        let signed_file = (action == "signed").then_some((sha.as_str(), bytes.len() as u64, name.as_str()));
        rec.emails = letter_emails(&wf, &self.cfg, letter, &rec, signed_file);
        self.execute(&letter.id, ops, rec)?;
        tracing::info!(letter = %letter.id, from = %letter.step, to = %to_step, action = %action, file = %target, "moved");
        self.tidy(abs);
        Ok(Outcome::Done)
    }

    /// Same step, new name or new content: records it, moves nothing.
    pub(super) fn track(&mut self, job: &Job, letter: &LetterRow, data: &FileData) -> Result<Outcome> {
        let Job { rel, meta, new_content, ref person, now, .. } = *job;
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
            actor: self.actor(letter, new_content, person),
            version_from: new_content.then_some(rel),
            note: None,
            at: now,
        });
        self.execute(&letter.id, vec![], rec)?;
        tracing::info!(letter = %letter.id, file = rel, new_version = new_content, "recorded in place");
        Ok(Outcome::Done)
    }
}
