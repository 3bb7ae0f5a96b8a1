//! A letter moving on: to its next step (the file, or suratd's copy of it,
//! with the reviewer's note), and a file recorded in place at its step
//! (renamed, or a new version: tracking).

use super::FileData;
use super::companions::{find_note, read_note};
use super::copies::{Copy, Derived, derive, place_op};
use super::edits;
use super::intake::Draft;
use super::places::{file_name, free_target};
use super::record::{Transit, letter_emails, record_dispatch, record_signatures, transit_record};
use super::{Job, Outcome, Pipeline};
use crate::decide::movers;
use crate::decide::{Dest, Edit};
use crate::letter::metadata::Metadata;
use crate::letter::names;
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::pdf::signature;
use crate::store::db::{LetterRow, Record};
use crate::store::fsops;
use crate::store::journal::{self, FsOp};
use crate::workflow::StepKind;
use anyhow::Result;
use std::path::Path;

/// A letter with its metadata amended, the file steps that absorb the
/// sidecar, and a note on what changed.
type Amended = (Option<LetterRow>, Vec<FsOp>, Option<String>);

/// Where a letter moves (`Decision::Move`), and for one sent back by a check,
/// the reason note written beside it.
pub(super) struct Move {
    pub(super) to_step: String,
    pub(super) dest: Dest,
    pub(super) action: String,
    pub(super) state: LetterState,
    /// Take the reviewer's `.txt` note along.
    pub(super) take_note: bool,
    /// suratd's own note for a return: the note file's text, and the
    /// reason alone that the drafter's email quotes.
    pub(super) written_note: Option<(String, String)>,
    /// A corrected draft's sidecar: the letter's metadata as it amends it.
    pub(super) amended: Option<Draft>,
}

impl Pipeline {
    /// The letter moves on: keeps a new version, places the file (or a
    /// stamped or signing copy) in the destination, with its note, and
    /// records the transition, its signatures, expedition line and emails.
    pub(super) fn advance(&mut self, job: &Job, letter: &LetterRow, mv: Move) -> Result<Outcome> {
        let Job { abs, rel, meta, data, new_content, original_present, report, now, .. } = *job;
        let Move { to_step, dest, action, state, take_note, written_note, amended } = mv;
        let (written_note, told) = written_note.map_or((None, None), |(file, told)| (Some(file), Some(told)));
        let wf = self.wf.clone();
        let (amended, amend_ops, amend_note) = match amended {
            Some(d) => self.amend(letter, d)?,
            None => (None, vec![], None),
        };
        let letter = amended.as_ref().unwrap_or(letter);
        let recorded = letter.path.clone();
        if let Some(d) = data.filter(|_| new_content) {
            self.keep(d)?;
        }
        let sha = data.map(|d| d.sha.clone()).unwrap_or_else(|| letter.sha256.clone());
        // A Word draft lies on the share as its document, not its PDF.
        let on_share = data.map_or(sha.as_str(), FileData::on_share).to_string();
        journal::still_same(&self.cfg.root, rel, Some(&on_share))?;
        let dest_dir = self.dest_dir(&dest, Some(letter));
        let name = names::letter_file_name(&letter.id, &letter.subject, letter.sifat.as_deref());
        let bytes = match data {
            Some(d) => d.bytes.clone(),
            None => std::sync::Arc::new(self.read_share(abs, rel)?),
        };
        let copy = Copy {
            to_step: &to_step,
            from_step: &letter.step,
            action: &action,
            id: &letter.id,
            number: letter.number.as_deref(),
            at: now,
        };
        let size = bytes.len() as u64;
        // Built from the letter's own version, never from a reviewer's edit.
        let (own_sha, own) = self.own_version(letter, &sha, bytes, edits::made_on(&(job.edit, job.edit_on.clone())))?;
        let derived = match derive(&wf, &self.store, &copy, &own, &own_sha, self.cfg.processing.timeout)? {
            None if own_sha != sha || on_share != sha => Some(Derived::stored(&self.store, &own_sha, own.len())),
            d => d,
        };
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
            ops.push(place_op(rel, &on_share, &target, derived.as_ref()));
        }
        // A return's note is named for its round and who wrote it.
        let note_at = match dest {
            Dest::Returns(_) => self.return_note_path(letter, &dest_dir, written_note.is_some())?,
            _ => free_target(&self.cfg.root, &dest_dir, &file_name(&target_abs.with_extension("txt"))).1,
        };
        let mut note = self.notes(abs, letter, note_at, take_note, written_note, &mut ops)?;
        if let Some(n) = amend_note {
            note = Some(note.map(|old| format!("{old}\n{n}")).unwrap_or(n));
        }
        // People read the reviewer's note, or the reason of suratd's return.
        let for_people = told.or_else(|| note.clone());
        ops.extend(amend_ops);
        if job.edit == Edit::Shows && new_content && matches!(dest, Dest::Returns(_)) {
            ops.push(self.comments_op(&dest_dir, &name, &sha));
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
            actor: self.actor(letter, job),
            on_behalf: job.on_behalf.as_deref(),
            version_from: new_content.then_some(rel),
            note,
            at: now,
        });
        if let Some(d) = derived {
            d.record_in(&mut rec);
        }
        edits::mark(&mut rec, job, &sha);
        if let (Some(u), Some(a)) = (rec.update.as_mut(), &amended) {
            u.metadata = a.metadata.clone();
        }
        self.record_extras(&mut rec, letter, (&to_step, &action), &own_sha, report, &sha);
        ops.extend(self.source_ops(letter, data.filter(|_| new_content), (rel, &target), &mut rec)?);
        // Its notes and reason files leave the folder with it (a new return's
        // note takes the place of the last round's).
        if to_step != letter.step || matches!(dest, Dest::Returns(_)) {
            self.take_companions(letter, &mut ops, &mut rec)?;
        }
        if matches!(dest, Dest::Archive { .. }) {
            ops.extend(self.archive_extras(letter, &dest_dir, &rec)?);
            ops.extend(self.companion_copies(letter, &dest_dir, &rec)?);
        }
        let signed_file = (action == "signed").then_some((sha.as_str(), size, name.as_str()));
        rec.emails = letter_emails(&wf, &self.cfg, letter, (&rec, for_people.as_deref()), signed_file);
        self.execute(&letter.id, ops, rec)?;
        tracing::info!(letter = %letter.id, from = %letter.step, to = %to_step, action = %action, file = %target, "moved");
        self.tidy(abs);
        Ok(Outcome::Done)
    }

    /// What the record says besides the move: the version an approval
    /// approved (whatever copy goes on), the signatures of a signed letter,
    /// and a line in the expedition book for a letter sent out.
    fn record_extras(
        &self,
        rec: &mut Record,
        letter: &LetterRow,
        (to_step, action): (&str, &str),
        own_sha: &str,
        report: Option<&signature::Report>,
        sha: &str,
    ) {
        let wf = &self.wf;
        if let Some(t) =
            rec.transition.as_mut().filter(|_| crate::decide::approvals::is_approval(wf, &letter.step, to_step, action))
        {
            t.approved_sha256 = Some(own_sha.to_string());
        }
        if action == "signed"
            && let Some(r) = report
        {
            record_signatures(rec, r, sha);
        }
        if wf.step(&letter.step).is_some_and(|s| s.kind == StepKind::Dispatch) && to_step != letter.step {
            record_dispatch(rec, letter);
        }
    }

    /// The reviewer's `.txt` note taken along, or a note suratd writes, to
    /// `to`; the note's text.
    fn notes(
        &self,
        abs: &Path,
        letter: &LetterRow,
        to: String,
        take_note: bool,
        written_note: Option<String>,
        ops: &mut Vec<FsOp>,
    ) -> Result<Option<String>> {
        if let Some(text) = written_note {
            ops.push(FsOp::Write { path: to, text: text.clone() });
            return Ok(Some(text));
        }
        if !take_note {
            return Ok(None);
        }
        let Some(n) = find_note(abs)? else { return Ok(None) };
        if self.note_of_another_team(letter, &n) {
            // Left alone, it is a late note: refused with its reason.
            tracing::warn!(letter = %letter.id, file = %n.display(), "a note beside the letter is from another team's reviewer; not taken");
            return Ok(None);
        }
        let from = fsops::rel_path(&self.cfg.root, &n).expect("under root");
        ops.push(FsOp::MoveCompanion { from, to });
        Ok(Some(read_note(&n)))
    }

    /// Whether the note at `n` was placed by a reviewer of another team
    /// than the letter's (who may not decide on it): never its note.
    fn note_of_another_team(&self, letter: &LetterRow, n: &Path) -> bool {
        let Ok(meta) = std::fs::symlink_metadata(n) else { return false };
        let login = super::owner::login_of(&meta);
        let Some(at) = self.wf.step(&letter.step) else { return false };
        let mover = super::facts::mover(&self.wf, &login);
        movers::may_move(&self.wf, &letter.view(), at, &mover) == Err(Reason::OtherTeam)
    }

    /// A corrected draft's sidecar, or a late one: its bytes kept in the
    /// store and the file taken off the share (the steps returned); the
    /// letter with its amended metadata, and for the audit trail what
    /// changed.
    pub(super) fn amend(&self, letter: &LetterRow, (meta, sidecar): Draft) -> Result<Amended> {
        let mut ops = Vec::new();
        if let Some((path, bytes)) = sidecar {
            let sha = fsops::sha256_bytes(&bytes);
            self.keep(&FileData::plain(sha.clone(), bytes))?;
            let path = fsops::rel_path(&self.cfg.root, &path).expect("under root");
            ops.push(FsOp::Supersede { path, sha256: sha });
        }
        let before = letter.meta();
        let parties = |m: Option<&Metadata>| m.map(|m| (m.tujuan.clone(), m.tembusan.clone(), m.lampiran.clone()));
        let mut said = meta.warnings.clone();
        if parties(before.as_ref()) != parties(Some(&meta)) {
            said.insert(0, "Tujuan, tembusan atau lampiran surat diubah oleh penyusun.".to_string());
        }
        // Only a late sidecar may (`metadata::amend`).
        if meta.perihal != letter.subject {
            said.insert(
                0,
                format!("Perihal surat diubah oleh penyusun: \"{}\" menjadi \"{}\".", letter.subject, meta.perihal),
            );
        }
        let mut row = letter.clone();
        row.metadata = Some(serde_json::to_string(&meta)?);
        Ok((Some(row), ops, (!said.is_empty()).then(|| said.join("\n"))))
    }

    /// Same step, new name or new content: records it, moves nothing.
    pub(super) fn track(&mut self, job: &Job, letter: &LetterRow, data: &FileData) -> Result<Outcome> {
        let Job { rel, meta, new_content, now, .. } = *job;
        if new_content {
            self.keep(data)?;
        }
        let mut rec = transit_record(&Transit {
            letter_id: &letter.id,
            from: &letter.step,
            to: &letter.step,
            state: &letter.state,
            path: rel,
            sha: &data.sha,
            meta,
            action: if new_content { "version" } else { "rename" },
            actor: self.actor(letter, job),
            on_behalf: job.on_behalf.as_deref(),
            version_from: new_content.then_some(rel),
            note: None,
            at: now,
        });
        edits::mark(&mut rec, job, &data.sha);
        self.execute(&letter.id, vec![], rec)?;
        tracing::info!(letter = %letter.id, file = rel, new_version = new_content, "recorded in place");
        Ok(Outcome::Done)
    }
}
