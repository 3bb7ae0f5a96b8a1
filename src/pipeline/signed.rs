//! A signed file from the portal: its signature check, and which letter it
//! belongs to when its name does not say.

use super::Pipeline;
use crate::decide::Signed;
use crate::pdf::{inspect, signature, stamp};
use crate::store::db::LetterRow;
use crate::workflow::StepKind;
use crate::workflow::layout::{Area, Place};
use anyhow::Result;
use std::fs;

impl Pipeline {
    /// A signed file from the portal: check its signature, and find its
    /// letter by number, key or content when its name does not say. Any
    /// other file: not checked.
    pub(super) fn signed_drop(
        &self,
        place: &Place,
        bytes: &[u8],
        letter: &mut Option<LetterRow>,
    ) -> Result<(Signed, Option<signature::Report>)> {
        let mut signed = (Signed::Unchecked, None);
        if let Place::Step { step, area: Area::Inbox } = place
            && step.kind == StepKind::SignedDrop
        {
            let mut report = self.check_signature(bytes)?;
            // Who may sign (issue 12.2): see `signers`.
            let refused = if report.holds() { super::signers::refusal(&self.wf, step, &mut report) } else { None };
            signed = (
                match (report.is_signed(), report.holds(), refused) {
                    (false, _, _) => Signed::No,
                    (true, true, None) => Signed::Holds,
                    (true, true, Some(why)) => Signed::Fails(why),
                    (true, false, _) => Signed::Fails(report.problem().unwrap_or_default()),
                },
                Some(report),
            );
            if letter.is_none() {
                *letter = self.match_signed(step, bytes)?;
            }
        }
        Ok(signed)
    }

    /// Checks a PDF's signatures, on a thread with the processing time limit.
    fn check_signature(&self, bytes: &[u8]) -> Result<signature::Report> {
        let (bytes, anchors, limit) = (bytes.to_vec(), self.anchors.clone(), self.cfg.processing.timeout);
        inspect::limited(limit, move || signature::check(&bytes, &anchors))
            .ok_or_else(|| {
                anyhow::anyhow!("checking the signature took longer than {}", humantime::format_duration(limit))
            })?
            .ok_or_else(|| anyhow::anyhow!("the signature check failed on this file"))
    }

    /// Letters that wait for a signed file in `step` (their step leads to it).
    pub(super) fn waiting_for(&self, step: &crate::workflow::Step) -> Result<Vec<LetterRow>> {
        let wf = &self.wf;
        Ok(self
            .db
            .in_flight()?
            .into_iter()
            .filter(|l| wf.step(&l.step).is_some_and(|s| s.next.as_deref() == Some(step.id.as_str())))
            .collect())
    }

    /// The letter a signed file belongs to when its name does not say: the
    /// number in its text, else the key suratd wrote into the copy for
    /// signing, else the copy's exact bytes at its beginning.
    fn match_signed(&self, step: &crate::workflow::Step, bytes: &[u8]) -> Result<Option<LetterRow>> {
        let waiting = self.waiting_for(step)?;
        if waiting.is_empty() {
            return Ok(None);
        }
        let text = inspect::text(bytes, 20).unwrap_or_default();
        let by_number: Vec<&LetterRow> = waiting
            .iter()
            .filter(|l| l.number.as_deref().is_some_and(|n| inspect::contains_loosely(&text, n)))
            .collect();
        if let [one] = by_number[..] {
            return Ok(Some(one.clone()));
        }
        if let Some(id) = stamp::read_key(bytes, "SuratdLetter")
            && let Some(l) = waiting.iter().find(|l| l.id == id)
        {
            return Ok(Some(l.clone()));
        }
        for l in &waiting {
            if let Ok(copy) = fs::read(self.store.path_of(&l.sha256))
                && !copy.is_empty()
                && bytes.starts_with(&copy)
            {
                return Ok(Some(l.clone()));
            }
        }
        Ok(None)
    }
}
