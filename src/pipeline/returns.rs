//! Letters going back: sent back to the drafter by a check (a move with a
//! reason note), and a file moved by hand where its step does not lead, put
//! back where its letter is (with a reason file).

use super::advance::Move;
use super::places::free_target;
use super::reasons::{self, ReasonFacts};
use super::record::{Transit, transit_record};
use super::{Job, Outcome, Pipeline};
use crate::decide::Dest;
use crate::decide::guidance::{self, Where};
use crate::letter::names;
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::store::db::LetterRow;
use crate::store::journal::FsOp;
use anyhow::Result;

impl Pipeline {
    /// Sent back by a check: a move to the drafter with a written note.
    pub(super) fn send_back(&mut self, job: &Job, letter: &LetterRow, reason: Reason) -> Result<Outcome> {
        let (wf, rel, now) = (self.wf.clone(), job.rel, job.now);
        let entry = wf.entry();
        let step_name = wf.step(&letter.step).map(|s| s.name.clone()).unwrap_or_default();
        let detail = letter.number.clone().unwrap_or_default();
        let at = Where { letter_step: Some(&letter.step), letter_path: letter.path.as_deref(), roles: &[] };
        let facts =
            ReasonFacts { code: reason, detail: &detail, rel, letter: Some(&letter.id), step: &step_name, at, now };
        let text = reasons::reason_file(&wf, &facts);
        let told = reasons::reason_alone(&wf, &facts);
        let mv = Move {
            to_step: entry.id.clone(),
            dest: Dest::Returns(entry.id.clone()),
            action: reason.to_string(),
            state: LetterState::Active,
            take_note: false,
            written_note: Some((text, told)),
            amended: None,
        };
        self.advance(job, letter, mv)
    }

    /// Moved by hand where its step does not lead: the file goes back to the
    /// letter's folder, with a reason file beside it.
    pub(super) fn put_back(&mut self, job: &Job, letter: &LetterRow, reason: Reason) -> Result<Outcome> {
        let Job { abs, rel, meta, data, new_content, now, .. } = *job;
        let wf = self.wf.clone();
        if let Some(d) = data.filter(|_| new_content) {
            self.keep(d)?;
        }
        let sha = data.map(|d| d.sha.clone()).unwrap_or_else(|| letter.sha256.clone());
        let back_dir = self.dest_dir(&Dest::Back, Some(letter));
        let name = names::letter_file_name(&letter.id, &letter.subject, letter.sifat.as_deref());
        let (_, target) = free_target(&self.cfg.root, &back_dir, &name);
        let (_, reason_path) = free_target(&self.cfg.root, &back_dir, &format!("{name}.alasan.txt"));
        let step_name = wf.step(&letter.step).map(|s| s.name.clone()).unwrap_or(letter.step.clone());
        // Who may not make the move, for the reason text: the person the audit log names.
        let who = if reason.is_security() { guidance::person_name(&wf, &job.person) } else { String::new() };
        let at = Where { letter_step: Some(&letter.step), letter_path: letter.path.as_deref(), roles: &[] };
        let facts =
            ReasonFacts { code: reason, detail: &who, rel, letter: Some(&letter.id), step: &step_name, at, now };
        let text = reasons::reason_file(&wf, &facts);
        let mut rec = transit_record(&Transit {
            letter_id: &letter.id,
            from: &letter.step,
            to: &letter.step,
            state: &letter.state,
            path: &target,
            sha: &sha,
            meta,
            action: "returned",
            actor: self.actor(letter, job),
            on_behalf: None,
            version_from: new_content.then_some(rel),
            note: Some(format!("{reason}: placed in {rel}")),
            at: now,
        });
        if reason.is_security() {
            rec.emails.extend(self.security_alert(letter, &text, &target));
        }
        let ops = vec![
            FsOp::Move { from: rel.into(), to: target.clone(), sha256: Some(sha) },
            FsOp::Write { path: reason_path, text },
        ];
        self.execute(&letter.id, ops, rec)?;
        if reason.is_security() {
            tracing::warn!(security = true, letter = %letter.id, file = rel, back_to = %target, reason = reason.code(), mover = %job.person, "a move by someone who may not make it was put back; the admins are told");
        } else {
            tracing::warn!(letter = %letter.id, file = rel, back_to = %target, reason = reason.code(), "a file moved by hand to the wrong folder was put back");
        }
        self.tidy(abs);
        Ok(Outcome::Done)
    }

    /// The admins' email about a move put back, or a letter's file saved
    /// over or deleted, as a security event: the reason people read, and
    /// which letter and where.
    pub(super) fn security_alert(
        &self,
        letter: &LetterRow,
        text: &str,
        path: &str,
    ) -> Option<crate::mail::compose::Email> {
        use crate::mail::{alerts, compose};
        let fill = compose::Fill::default()
            .letter(&letter.id, letter.number.as_deref(), &letter.subject, letter.sifat.as_deref())
            .set("lokasi", compose::on_share(&self.cfg.share_path, path))
            .set("langkah", self.wf.step(&letter.step).map(|s| s.name.as_str()).unwrap_or(&letter.step));
        compose::admin_alert(&self.wf, &self.cfg.admins, alerts::Alert::Unauthorized, text, &fill)
    }
}
