//! What goes into a finished letter's archive folder besides the letter:
//! every version and `keterangan.txt` (written by `records::keterangan`).

use super::Pipeline;
use crate::records::keterangan::{self, Facts, Version};
use crate::store::db::{DispatchLine, LetterRow, Record};
use crate::store::journal::FsOp;
use anyhow::Result;

impl Pipeline {
    /// What goes into a letter's archive folder besides the letter: every
    /// version (from the store) and `keterangan.txt`, which a person can read.
    pub(super) fn archive_extras(&self, letter: &LetterRow, dir: &str, rec: &Record) -> Result<Vec<FsOp>> {
        let mut ops = Vec::new();
        let mut versions = Vec::new();
        for (i, (sha, kind, at)) in self.db.versions_of(&letter.id)?.into_iter().enumerate() {
            // A sidecar is listed (it is in the store) but not copied: only
            // PDFs go into the folder.
            let file = match version_word(&kind) {
                None => "-".to_string(),
                Some(word) => format!("versi/{:02}-{word}-{}.pdf", i + 1, &sha[..8]),
            };
            let source = self.store.path_of(&sha);
            if source.is_file() && file != "-" {
                ops.push(FsOp::CopyStored {
                    source: source.to_string_lossy().into_owned(),
                    to: format!("{dir}/{file}"),
                });
            }
            versions.push(Version { file, kind, at, sha256: sha });
        }
        let mut trail = self.db.history(&letter.id)?;
        trail.extend(rec.transition.clone());
        // The delivery this move records is in the same transaction, not yet stored.
        let mut dispatches = self.db.dispatches_of(&letter.id)?;
        if let (Some(d), Some(t)) = (&rec.dispatch, &rec.transition) {
            dispatches.push(DispatchLine {
                at: t.at.clone(),
                letter_id: letter.id.clone(),
                number: letter.number.clone(),
                subject: letter.subject.clone(),
                metadata: letter.metadata.clone(),
                method: d.method.clone(),
                recipients: d.recipients.clone(),
                sent_by: d.sent_by.clone(),
                note: d.note.clone(),
            });
        }
        let signers = self.db.signers_of(&letter.id)?;
        let facts = Facts { letter, trail: &trail, signers: &signers, dispatches: &dispatches, versions: &versions };
        let text = keterangan::render_text(&self.wf, &facts);
        ops.push(FsOp::Write { path: format!("{dir}/keterangan.txt"), text });
        Ok(ops)
    }
}

/// The word a version's file in the archive folder is named with (Indonesian,
/// as staff read the folder), or `None` for what is not copied there.
fn version_word(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "original" => "draf",
        "stamped" => "draf-bercap",
        "signing" => "untuk-tte",
        "signed" => "sudah-tte",
        "edit" => "suntingan-pemeriksa",
        "comments" => "catatan-pemeriksa",
        // The filled Word document lies beside the letter in its folder.
        "sidecar" | "source" => return None,
        _ => "versi",
    })
}
