//! Letters whose file is gone from the share: deleted through it, or moved
//! out of it. A letter in flight is its file; once the moment a move would
//! have shown up elsewhere has passed, the letter's own version goes back
//! where it is recorded from the version store, with a reason file in the
//! rejected folder, a transition `restore` in the audit trail (its actor
//! from Samba's audit records of the delete, when there are any), a
//! security event in the log and an email to the admins. The letter stays where it
//! was. (Finished and cancelled letters are not put back here.)

use super::Pipeline;
use super::companions::is_companion;
use super::places::{file_name, free_target};
use super::reasons::{self, ReasonFacts};
use crate::decide::guidance::{self, Where};
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::store::db::{LetterRow, Record, RejectionRec, TransitionRec};
use crate::store::journal::{self, FsOp, Plan};
use crate::util::timefmt;
use anyhow::Result;
use chrono::Utc;
use std::fs;
use std::time::Duration;

impl Pipeline {
    /// How long a letter's file may be gone before it is put back: long
    /// enough for a move's other half (the file at its new place) to be
    /// seen and handled, in either watch mode.
    pub(crate) fn missing_grace(&self) -> Duration {
        let w = &self.cfg.watch;
        w.settle.max(w.poll_interval) * 2 + Duration::from_secs(3)
    }

    /// The recorded paths of letters in flight whose file is not there.
    pub(crate) fn missing_files(&self) -> Result<Vec<String>> {
        Ok(self
            .db
            .in_flight()?
            .into_iter()
            .filter_map(|l| l.path)
            .filter(|p| fs::symlink_metadata(self.cfg.root.join(p)).is_err())
            .collect())
    }

    /// Whether `rel` is the recorded file of a letter in flight.
    pub(crate) fn is_letter_file(&self, rel: &str) -> bool {
        self.db.letter_at_path(rel).ok().flatten().is_some_and(|l| LetterState::parse(&l.state) == LetterState::Active)
    }

    /// Puts a letter's file back at `rel` when it is still gone, still the
    /// letter's recorded place, and no other file of the letter is anywhere
    /// in the workflow's folders (moved on, approved, cancelled, corrected:
    /// that file is handled first, and the letter looked at again later).
    /// Returns whether it did.
    pub(crate) fn put_back_missing(&mut self, rel: &str) -> Result<bool> {
        let Some(l) = self.db.letter_at_path(rel)? else { return Ok(false) };
        if LetterState::parse(&l.state) != LetterState::Active
            || fs::symlink_metadata(self.cfg.root.join(rel)).is_ok()
            || is_companion(&file_name(std::path::Path::new(rel)))
            || self.elsewhere(&l)
        {
            return Ok(false);
        }
        if !self.store.has(&l.sha256) {
            tracing::error!(letter = %l.id, file = rel, "the letter's file is gone and its version is not in the store; restore it from a backup");
            return Ok(false);
        }
        let by = self.deleted_by(rel);
        let plan = self.put_back_plan(&l, rel, by.as_deref());
        let root = self.cfg.root.clone();
        journal::execute(&mut self.db, &root, Some(&l.id), plan)?;
        let actor = by.as_deref().unwrap_or(super::owner::UNKNOWN_ACTOR);
        tracing::warn!(security = true, letter = %l.id, file = rel, actor, "a letter's file was deleted or moved out of the share; its own version was put back");
        Ok(true)
    }

    /// Who deleted `rel`, from Samba's audit records (its newest delete in
    /// the last hour), when `samba.audit_log` is set.
    fn deleted_by(&mut self, rel: &str) -> Option<String> {
        let tail = self.audit.as_mut()?;
        tail.poll();
        let since = std::time::SystemTime::now() - Duration::from_secs(3600);
        tail.take_removal(rel.as_bytes(), crate::watch::audit::tail::local(since)).map(|r| r.user)
    }

    /// Whether a file named for the letter is in the workflow's folders
    /// (the rejected folder aside).
    fn elsewhere(&self, l: &LetterRow) -> bool {
        let rejected = self.cfg.root.join(&self.wf.rejected_folder);
        crate::watch::scan(&self.cfg.root, &self.wf).iter().any(|p| {
            let name = file_name(p);
            name.starts_with(l.id.as_str()) && !is_companion(&name) && !p.starts_with(&rejected)
        })
    }

    /// The file written back, the reason file, and the record.
    fn put_back_plan(&self, l: &LetterRow, rel: &str, by: Option<&str>) -> Plan {
        let wf = &self.wf;
        let now = Utc::now();
        let step = wf.step(&l.step).map(|s| s.name.clone()).unwrap_or_else(|| l.step.clone());
        let name = file_name(std::path::Path::new(rel));
        let (_, reason_rel) = free_target(&self.cfg.root, &wf.rejected_folder, &format!("{name}.alasan.txt"));
        let who = by.map(|login| format!(" oleh {}", guidance::person_name(wf, login))).unwrap_or_default();
        let at = Where { letter_step: Some(&l.step), letter_path: l.path.as_deref(), roles: &[] };
        let facts =
            ReasonFacts { code: Reason::LetterDeleted, detail: &who, rel, letter: Some(&l.id), step: &step, at, now };
        let text = reasons::reason_file(wf, &facts);
        let source = self.store.path_of(&l.sha256).to_string_lossy().into_owned();
        let at = timefmt::stored(now);
        let rec = Record {
            transition: Some(TransitionRec {
                letter_id: l.id.clone(),
                at: at.clone(),
                from_step: Some(l.step.clone()),
                to_step: Some(l.step.clone()),
                action: "restore".into(),
                actor: by.unwrap_or(super::owner::UNKNOWN_ACTOR).into(),
                actor_verified: by.is_some(),
                sha256: Some(l.sha256.clone()),
                path: Some(rel.to_string()),
                note: Some("deleted or moved out of the share; put back".into()),
                approved_sha256: None,
            }),
            rejection: Some(RejectionRec {
                at,
                original_path: rel.to_string(),
                path: rel.to_string(),
                reason_code: Reason::LetterDeleted.to_string(),
                reason: text.clone(),
                sha256: Some(l.sha256.clone()),
                owner: by.map(String::from),
                letter_id: Some(l.id.clone()),
            }),
            emails: self.security_alert(l, &text, rel).into_iter().collect(),
            ..Record::default()
        };
        Plan {
            ops: vec![FsOp::CopyStored { source, to: rel.to_string() }, FsOp::Write { path: reason_rel, text }],
            record: rec,
        }
    }
}
