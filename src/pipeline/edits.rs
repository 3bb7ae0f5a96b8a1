//! A reviewer's edit of a letter's copy (see `decide::Edit`): found by its
//! bytes beginning with the letter's recorded copy, kept as a version made
//! on that copy (`edit`: metadata only; `comments`: it changes what the
//! letter shows, and is placed for the drafter to read), and never the
//! bytes a copy is built from: that is the letter's own version under it.

use super::FileData;
use super::places::free_target;
use super::{Job, Pipeline};
use crate::decide::{Content, Edit};
use crate::pdf::edits::{self, Appended};
use crate::pdf::{inspect, signature};
use crate::store::db::{LetterRow, Record};
use crate::store::journal::FsOp;
use crate::workflow::StepKind;
use crate::workflow::layout::Place;
use anyhow::{Context, Result};
use std::fs;
use std::sync::Arc;

/// The version kind of a reviewer's edit of metadata only.
const EDIT: &str = "edit";
/// The version kind of a reviewer's edit that changes what the letter shows.
const COMMENTS: &str = "comments";
/// How the reviewer's annotated copy is named beside the letter sent back.
pub(super) const COMMENTS_SUFFIX: &str = " (catatan pemeriksa)";

/// A reviewer's edit, and the sha256 of the letter's copy it was made on
/// (for new bytes).
pub(super) type Found = (Edit, Option<String>);

impl Pipeline {
    /// Whether a file of `letter` is a reviewer's edit of its recorded copy
    /// (new bytes in the folders of the letter's review or waiting step), or
    /// a reviewer's comments suratd kept (known bytes). Elsewhere new bytes
    /// that begin with the copy are something else (a signed file from the
    /// portal appends to the copy for signing too).
    pub(super) fn reviewer_edit(
        &self,
        place: &Place,
        letter: Option<&LetterRow>,
        content: &Content,
        data: Option<&FileData>,
    ) -> Result<Found> {
        let (Some(l), Some(d)) = (letter, data) else { return Ok((Edit::None, None)) };
        if *content == Content::Known {
            let kind = self.db.version_of(&l.id, &d.sha)?.map(|(k, _)| k);
            return Ok((if kind.as_deref() == Some(COMMENTS) { Edit::Comments } else { Edit::None }, None));
        }
        let at_its_step = match place {
            Place::Step { step, .. } => step.id == l.step && matches!(step.kind, StepKind::Review | StepKind::Waiting),
            _ => false,
        };
        if *content != Content::Pdf || !at_its_step {
            return Ok((Edit::None, None));
        }
        let Ok(copy) = fs::read(self.store.path_of(&l.sha256)) else { return Ok((Edit::None, None)) };
        if d.bytes.len() <= copy.len() || !d.bytes.starts_with(&copy) {
            return Ok((Edit::None, None));
        }
        // A signature added to the copy (the signed letter from the portal,
        // saved where the letter waits instead of the signed-drop folder) is
        // no reviewer's comment: never a reason to send the letter back.
        if signature::looks_signed(&d.bytes[copy.len()..]) {
            tracing::info!(letter = %l.id, "a signed file beside the letter's copy is not a reviewer's edit");
            return Ok((Edit::None, None));
        }
        let (file, limit) = (d.bytes.clone(), self.cfg.processing.timeout);
        let found = inspect::limited(limit, move || edits::appended(&copy, &file))
            .with_context(|| {
                format!(
                    "comparing an edit of {} with its copy took longer than {}",
                    l.id,
                    humantime::format_duration(limit)
                )
            })?
            .flatten();
        let edit = match found {
            None => return Ok((Edit::None, None)),
            Some(Appended::Metadata) => Edit::Metadata,
            Some(Appended::Shows(what)) => {
                tracing::info!(letter = %l.id, change = %what, "a reviewer's edit changes what the letter shows");
                Edit::Shows
            }
        };
        Ok((edit, Some(l.sha256.clone())))
    }

    /// The letter's own version under the file `sha`: the file itself, or
    /// for a reviewer's edit (new: made on the copy `edit_on`; or kept
    /// before) the copy it was made on, as far down as edits go. Its sha256
    /// and bytes.
    pub(super) fn own_version(
        &self,
        letter: &LetterRow,
        sha: &str,
        bytes: Arc<Vec<u8>>,
        edit_on: Option<&str>,
    ) -> Result<(String, Arc<Vec<u8>>)> {
        let mut at = edit_on.unwrap_or(sha).to_string();
        for _ in 0..64 {
            match self.db.version_of(&letter.id, &at)? {
                Some((kind, Some(base))) if kind == EDIT || kind == COMMENTS => at = base,
                _ => break,
            }
        }
        if at == sha {
            return Ok((at, bytes));
        }
        let own = fs::read(self.store.path_of(&at))
            .with_context(|| format!("cannot read version {at} of {} from the store", letter.id))?;
        Ok((at, Arc::new(own)))
    }
}

impl Pipeline {
    /// Places the reviewer's edit `sha` (kept in the store) in `dir` beside
    /// the letter's file `name`, named as the reviewer's comments.
    pub(super) fn comments_op(&self, dir: &str, name: &str, sha: &str) -> FsOp {
        let stem = name.strip_suffix(".pdf").unwrap_or(name);
        let (_, to) = free_target(&self.cfg.root, dir, &format!("{stem}{COMMENTS_SUFFIX}.pdf"));
        FsOp::CopyStored { source: self.store.path_of(sha).to_string_lossy().into_owned(), to }
    }
}

/// The copy a new reviewer's edit was made on (`None`: not a new edit).
pub(super) fn made_on(edit: &Found) -> Option<&str> {
    edit.1.as_deref().filter(|_| matches!(edit.0, Edit::Metadata | Edit::Shows))
}

/// Marks a new reviewer's edit in the record as a version made on the
/// letter's copy (`edit`, or `comments` when it shows).
pub(super) fn mark(rec: &mut Record, job: &Job, sha: &str) {
    let Some(on) = job.edit_on.as_ref().filter(|_| job.new_content) else { return };
    let kind = if job.edit == Edit::Shows { COMMENTS } else { EDIT };
    for v in rec.versions.iter_mut().filter(|v| v.sha256 == sha) {
        v.kind = kind.into();
        v.base_sha256 = Some(on.clone());
    }
    // The trail names the edit even where the copy placed is another.
    if let Some(t) = rec.transition.as_mut().filter(|t| t.sha256.as_deref() != Some(sha)) {
        let said = format!("a reviewer's edit kept as version {sha} ({kind}, made on {on})");
        t.note = Some(match t.note.take() {
            Some(old) => format!("{old}\n{said}"),
            None => said,
        });
    }
}
