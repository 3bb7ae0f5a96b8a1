//! A late sidecar: a `.yaml` alone in a drafting folder (no draft beside
//! it), after its draft was registered. Which letter it names (the draft's
//! original name, as its registration recorded it, or the letter's id at
//! the start of its name), what `decide::late` is told, and what it decided:
//! the letter takes the sidecar's subject, addressees and enclosure (the
//! sidecar kept in the version store, the change in the trail), or the
//! sidecar is refused with a reason. It never stays in the folder.

use super::companions::{is_sidecar_name, pdf_of_sidecar};
use super::intake::{Draft, age_of};
use super::places::file_name;
use super::record::{About, emails_for};
use super::{Outcome, Pipeline};
use crate::decide::approvals::is_approval;
use crate::decide::late::{self, Late, LateSidecar};
use crate::letter::metadata::Amending;
use crate::letter::names;
use crate::letter::reason::Reason;
use crate::store::db::{LetterRow, LetterUpdate, Record, TransitionRec};
use crate::store::fsops;
use crate::store::journal;
use crate::util::timefmt;
use crate::workflow::StepKind;
use crate::workflow::layout::{Area, Place};
use anyhow::{Context, Result};
use chrono::Utc;
use std::fs;
use std::path::Path;

/// Where a sidecar lies and whether its draft is beside it.
pub(super) enum Sidecar {
    /// Not a sidecar in a drafting folder.
    No,
    /// Its draft is beside it: the draft takes it along.
    WithDraft,
    /// Alone: a late sidecar.
    Late,
}

impl Pipeline {
    /// Whether `abs` is a sidecar in a drafting folder, with its draft or alone.
    pub(super) fn sidecar_in_drafts(&self, abs: &Path, place: &Place) -> Sidecar {
        let in_drafts = matches!(place, Place::Step { step, area: Area::Inbox } if step.kind == StepKind::Drop);
        match (in_drafts && is_sidecar_name(&file_name(abs)), pdf_of_sidecar(abs)) {
            (false, _) => Sidecar::No,
            (true, Some(_)) => Sidecar::WithDraft,
            (true, None) => Sidecar::Late,
        }
    }

    /// Decides a late sidecar and carries it out: the letter updated, or
    /// the sidecar refused. One that names no letter waits a moment first
    /// (its draft may still be on its way).
    pub(super) fn late_sidecar(
        &mut self,
        abs: &Path,
        rel: &str,
        meta: &fs::Metadata,
        place: &Place,
    ) -> Result<Outcome> {
        let (_, placed_by) = match self.placed_by(rel, meta) {
            Ok(who) => who,
            Err(d) => return Ok(Outcome::Defer(d)),
        };
        // Its draft may still be on its way (a sidecar saved a moment
        // before its PDF): a new draft of the same name takes it then, and
        // it never becomes an older letter's of that name.
        let grace = self.cfg.watch.settle + self.cfg.processing.sidecar_wait;
        if age_of(meta) < grace {
            return Ok(Outcome::Defer(grace - age_of(meta)));
        }
        let letter = self.named_letter(rel, &placed_by)?;
        // Read and parsed within the sidecar limits, checked against what
        // cannot change.
        let described = letter.as_ref().map(|l| self.amended(l, abs, Amending::Late));
        let approved = match &letter {
            Some(l) => self.db.history(&l.id)?.iter().any(|t| {
                is_approval(
                    &self.wf,
                    t.from_step.as_deref().unwrap_or(""),
                    t.to_step.as_deref().unwrap_or(""),
                    &t.action,
                )
            }),
            None => false,
        };
        let at_rest = letter
            .as_ref()
            .and_then(|l| l.path.as_deref())
            .is_some_and(|p| fs::symlink_metadata(self.cfg.root.join(p)).is_ok());
        let owner = self.owner_named(&placed_by);
        let view = letter.as_ref().map(LetterRow::view);
        let facts = LateSidecar {
            place,
            letter: view.as_ref(),
            approved,
            at_rest,
            owner: &owner,
            problem: match &described {
                Some(Err(p)) => Some((p.code, p.detail.as_str())),
                _ => None,
            },
        };
        let id = letter.as_ref().map(|l| l.id.as_str()).unwrap_or("-");
        match (late::decide(&self.wf, &facts), described) {
            (Late::Update, Some(Ok(draft))) => {
                let person = self.wf.person(&placed_by).map(|p| p.login.clone()).unwrap_or(placed_by);
                let letter = letter.context("internal error: a late sidecar updates no letter")?;
                self.update_from_sidecar(&letter, rel, draft, (person, true))
            }
            (Late::Update, _) => anyhow::bail!("internal error: a late sidecar for {id} was decided on unread"),
            (Late::Refuse { reason, detail }, _) => {
                // Someone else's sidecar for a letter is a security event, as
                // someone else's corrected draft is.
                let security = matches!(reason, Reason::NotDrafter | Reason::NoAccess | Reason::UnknownOwner);
                tracing::warn!(letter = id, file = rel, by = %placed_by, reason = reason.code(), security, "a late sidecar is refused");
                self.reject(rel, meta, place, letter.as_ref(), reason, &detail)?;
                Ok(Outcome::Done)
            }
        }
    }

    /// The letter a late sidecar's name names: the id at its start, else
    /// the letter registered from a draft of the same name in the same
    /// folder (the most recent; the one `placed_by` drafted first).
    fn named_letter(&self, rel: &str, placed_by: &str) -> Result<Option<LetterRow>> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if let Some(id) = names::id_in_name(&self.wf.id_prefix, name) {
            return self.db.letter(&id);
        }
        let draft = Path::new(rel).with_extension("pdf");
        let drafted = self.db.letters_drafted_as(&draft.to_string_lossy())?;
        let own = drafted.iter().position(|l| l.drafter.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(placed_by)));
        Ok(drafted.into_iter().nth(own.unwrap_or(0)))
    }

    /// The letter takes a late sidecar's metadata (its subject too): the
    /// sidecar is kept in the version store and leaves the share, and the
    /// trail records it (action `sidecar`, the sidecar's path and sha256).
    fn update_from_sidecar(
        &mut self,
        letter: &LetterRow,
        rel: &str,
        draft: Draft,
        actor: (String, bool),
    ) -> Result<Outcome> {
        let now = Utc::now();
        let sha = draft.1.as_ref().map(|(_, b)| fsops::sha256_bytes(b)).context("a late sidecar without its bytes")?;
        let (amended, ops, note) = self.amend(letter, draft)?;
        let amended = amended.context("internal error: the letter was not amended")?;
        journal::still_same(&self.cfg.root, rel, Some(&sha))?;
        let mut rec = sidecar_record(letter, &amended, rel, &sha, actor, note, now);
        rec.emails = self.told_again(letter, &amended, &rec);
        self.execute(&letter.id, ops, rec)?;
        tracing::info!(letter = %letter.id, file = rel, subject = %amended.meta().map(|m| m.perihal).unwrap_or_default(), "a late sidecar updated the letter");
        self.tidy(&self.cfg.root.join(rel));
        Ok(Outcome::Done)
    }
}

impl Pipeline {
    /// What the reviewers approve includes the subject and the addressees
    /// (the `arrived` email lists them): a late sidecar that changes them
    /// while the letter waits at a review step tells that step's people
    /// again, with what changed, before they decide.
    fn told_again(&self, letter: &LetterRow, amended: &LetterRow, rec: &Record) -> Vec<crate::mail::compose::Email> {
        let at_review = self.wf.step(&letter.step).is_some_and(|s| s.kind != StepKind::Drop);
        let (Some(t), true) = (rec.transition.as_ref(), at_review && amended.metadata != letter.metadata) else {
            return vec![];
        };
        let meta = amended.meta();
        let subject = meta.as_ref().map(|m| m.perihal.clone()).unwrap_or_else(|| letter.subject.clone());
        // About the letter's file where it lies, not the sidecar.
        let mut t = t.clone();
        t.path = letter.path.clone();
        let note = t.note.clone();
        let told = Record { transition: Some(t), ..Record::default() };
        let about = About {
            id: &letter.id,
            number: letter.number.as_deref(),
            subject: &subject,
            drafter: letter.drafter.as_deref(),
            meta: meta.as_ref(),
        };
        emails_for(&self.wf, &self.cfg, &about, (&told, note.as_deref()), None)
    }
}

/// The record of a late sidecar: the letter where it is, with new metadata
/// (its subject follows), and a `sidecar` transition naming the sidecar.
fn sidecar_record(
    letter: &LetterRow,
    amended: &LetterRow,
    rel: &str,
    sha: &str,
    actor: (String, bool),
    note: Option<String>,
    now: chrono::DateTime<Utc>,
) -> Record {
    Record {
        update: Some(LetterUpdate {
            letter_id: letter.id.clone(),
            step: letter.step.clone(),
            state: letter.state.clone(),
            path: letter.path.clone().unwrap_or_default(),
            sha256: letter.sha256.clone(),
            size: letter.size,
            mtime_ns: letter.mtime_ns,
            step_changed: false,
            metadata: amended.metadata.clone(),
        }),
        transition: Some(TransitionRec {
            letter_id: letter.id.clone(),
            at: timefmt::stored(now),
            from_step: Some(letter.step.clone()),
            to_step: Some(letter.step.clone()),
            action: "sidecar".into(),
            actor: actor.0,
            actor_verified: actor.1,
            sha256: Some(sha.to_string()),
            path: Some(rel.to_string()),
            note,
            approved_sha256: None,
        }),
        ..Record::default()
    }
}
