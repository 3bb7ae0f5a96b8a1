//! What `decide` is told about a file (its place, letter, content, owner,
//! signature) and what it makes of it, reading the PDF's text when asked to.

use super::FileData;
use super::intake::Arrival;
use super::{Pipeline, owner};
use crate::decide::{self, Capacity, Content, Decision, Facts, Mover, Owner};
use crate::letter::reason::Reason;
use crate::pdf::{inspect, stamp};
use crate::store::db::LetterRow;
use anyhow::Result;
use std::fs;
use std::path::Path;

/// The decision on a file, with the one fact a move needs again.
pub(super) struct Judged {
    pub(super) decision: Decision,
    /// The letter's recorded file still exists (so this file is another one).
    pub(super) original_present: bool,
    /// For a move made by someone standing in for another: that person's login.
    pub(super) on_behalf: Option<String>,
    /// Whether the file is a reviewer's edit, and of which copy.
    pub(super) edit: super::edits::Found,
}

impl Pipeline {
    /// Gathers the facts about an arrival and decides (twice when the
    /// decision needs the PDF's text first).
    pub(super) fn judge(&self, a: &Arrival, audited: Option<&str>) -> Result<Judged> {
        let Arrival { abs, rel, meta, place, ref letter, ref content, ref data, note, ref described, ref signed } = *a;
        let wf = self.wf.clone();
        // Who wrote it: the audit log's login (a session's own, even under
        // `force user`), else the file's owner.
        let placed_by = audited.map(String::from).unwrap_or_else(|| owner::login_of(meta));
        let view = letter.as_ref().map(LetterRow::view);
        let recorded = letter.as_ref().and_then(|l| l.path.clone());
        let at_recorded_path = recorded.as_deref() == Some(rel);
        let original_present =
            recorded.as_deref().is_some_and(|p| p != rel && fs::symlink_metadata(self.cfg.root.join(p)).is_ok());
        let edit = self.reviewer_edit(place, letter.as_ref(), content, data.as_ref())?;
        let mut facts = Facts {
            place,
            letter: view.as_ref(),
            content,
            at_recorded_path,
            original_present,
            note,
            meta_problem: match described {
                Some(Err(p)) => Some((p.code, p.detail.as_str())),
                _ => None,
            },
            sifat: match described {
                Some(Ok((m, _))) if letter.is_none() => Some(m.sifat.as_str()),
                _ => None,
            },
            number_in_text: None,
            signature: signed.0.clone(),
            // The letter's own file, changed where it lies (or changed, then
            // moved on): its owner is suratd's user, not a person.
            owner: if audited.is_none()
                && letter.is_some()
                && (at_recorded_path || !original_present && recorded.is_some())
                && *content != Content::Known
                && owner::is_service_user(meta)
            {
                Owner::Edited
            } else {
                self.owner_named(&placed_by)
            },
            mover: match audited {
                Some(login) => mover(&wf, login),
                // No audit record: a reviewer's edit saved as a new file
                // beside the letter's (Save As into an outcome folder) is
                // the decision of its owner, who saved it.
                None if edit.0 != decide::Edit::None
                    && original_present
                    && !at_recorded_path
                    && !owner::is_service_user(meta) =>
                {
                    mover(&wf, &placed_by)
                }
                None => Mover::default(),
            },
            edit: edit.0,
        };
        let mut decision = decide::decide(&wf, &facts);
        let letter_id = letter.as_ref().map(|l| l.id.as_str()).unwrap_or("-");
        match &decision {
            Decision::Reject { reason: Reason::NoAccess | Reason::UnknownOwner, .. } => {
                tracing::warn!(security = true, letter = letter_id, file = rel, owner = %placed_by, ?decision, "a file was placed without the right to");
            }
            Decision::Reject { reason: Reason::NotDrafter, .. } => {
                let drafter = letter.as_ref().and_then(|l| l.drafter.as_deref()).unwrap_or("-");
                tracing::warn!(security = true, letter = letter_id, file = rel, owner = %placed_by, drafter, "a corrected version was placed by someone who is not the letter's drafter");
            }
            Decision::Reject {
                reason: reason @ (Reason::OwnLetter | Reason::OtherTeam | Reason::NotYourMove), ..
            } => {
                tracing::warn!(security = true, letter = letter_id, file = rel, owner = %placed_by, reason = reason.code(), "a reviewer's edit that decides was saved by someone who may not decide");
            }
            Decision::Reject { reason: Reason::LetterOverwritten, .. } => {
                tracing::warn!(
                    security = true,
                    letter = letter_id,
                    file = rel,
                    "a letter's file was changed in place past drafting, by someone unknown"
                );
            }
            _ => {}
        }
        if decision == Decision::NeedText {
            let on = super::edits::made_on(&edit);
            facts.number_in_text = Some(self.number_in_text(letter.as_ref(), data.as_ref(), abs, on)?);
            decision = decide::decide(&wf, &facts);
        }
        tracing::debug!(letter = letter_id, file = rel, ?decision, "decided");
        let on_behalf = match &decision {
            Decision::Move { action, .. } => decide::movers::on_behalf_of(&wf, &facts, action),
            _ => None,
        };
        Ok(Judged { decision, original_present, on_behalf, edit })
    }
}

impl Pipeline {
    /// The owner a login makes, for the access rules: a person in
    /// workflow.yaml, else nobody, allowed or refused (`unknown_owner`).
    pub(super) fn owner_named(&self, login: &str) -> Owner {
        match self.wf.person(login) {
            Some(p) => Owner::Person { login: p.login.clone(), roles: p.roles.clone() },
            None if self.cfg.unknown_owner == crate::config::UnknownOwner::Refuse => Owner::Refused,
            None => Owner::Allowed,
        }
    }
}

/// The mover the audit log names, as the rules see them: a person in
/// workflow.yaml with their own capacity and those they stand in for today
/// (WIB), else unverified (the rules do not apply to nobody).
pub(super) fn mover(wf: &crate::workflow::Workflow, login: &str) -> Mover {
    let Some(p) = wf.person(login) else {
        return Mover::Unverified;
    };
    let today = crate::util::timefmt::date_wib(chrono::Utc::now());
    let mut acting = vec![Capacity { for_whom: None, roles: p.roles.clone(), team: p.team.clone() }];
    acting.extend(wf.stood_in_for(&p.login, today).into_iter().map(|q| Capacity {
        for_whom: Some(q.login.clone()),
        roles: q.roles.clone(),
        team: q.team.clone(),
    }));
    Mover::Person { login: p.login.clone(), acting }
}

impl Pipeline {
    /// Whether the letter's number is in the PDF's text (a letter without a
    /// number passes): in the letter's own version, under a reviewer's edit
    /// (new: made on the copy `edit_on`).
    fn number_in_text(
        &self,
        letter: Option<&LetterRow>,
        data: Option<&FileData>,
        abs: &Path,
        edit_on: Option<&str>,
    ) -> Result<bool> {
        let Some((l, number)) = letter.and_then(|l| Some((l, l.number.clone()?))) else {
            return Ok(true);
        };
        let bytes = match data {
            Some(d) => self.own_version(l, &d.sha, d.bytes.clone(), edit_on)?.1,
            None => std::sync::Arc::new(self.read_share(abs, &abs.display().to_string())?),
        };
        Ok(inspect::contains_loosely(&self.letter_text(&bytes)?, &number))
    }

    /// The text of a letter's PDF (its first 20 pages) that a reader sees
    /// (invisible text left out), within the processing time limit: the
    /// letter itself, not suratd's stamp on it (which shows the number).
    pub(super) fn letter_text(&self, bytes: &[u8]) -> Result<String> {
        text_of(bytes, self.cfg.processing.timeout)
    }
}

/// A PDF's visible text (under its stamp), read within `limit`.
pub(super) fn text_of(bytes: &[u8], limit: std::time::Duration) -> Result<String> {
    let bytes = stamp::base_of(bytes).to_vec();
    Ok(inspect::limited(limit, move || inspect::visible_text(&bytes, 20))
        .ok_or_else(|| {
            anyhow::anyhow!("reading the PDF's text took longer than {}", humantime::format_duration(limit))
        })?
        .flatten()
        .unwrap_or_default())
}
