//! Word and OpenDocument drafts in the pipeline. A document dropped in the
//! drafting folder is inspected (`convert::inspect`), filled with its
//! letter's number and the date that number was given (`convert::fill`),
//! and converted to PDF (`convert::soffice`): a new draft when its number
//! is given (`register`), a corrected one at intake (its number is known).
//! The PDF is the letter from then on; the filled document is kept as a
//! `source` version and lies beside the letter's PDF under the same base
//! name, moving with it at every step into the archive.

use super::FileData;
use super::{Outcome, Pipeline};
use crate::convert::detect::{self, Prepared};
use crate::convert::fill::{self, Values};
use crate::convert::inspect::{self, Kind, Refusal};
use crate::convert::soffice::Converter;
use crate::decide::Content;
use crate::letter::reason::Reason;
use crate::mail::alerts::Alert;
use crate::store::db::{LetterRow, Record, VersionRec};
use crate::store::fsops;
use crate::store::journal::FsOp;
use crate::util::timefmt;
use crate::workflow::StepKind;
use crate::workflow::layout::{self, Area, Place};
use anyhow::Result;
use chrono::{NaiveDate, Utc};
use std::path::Path;

/// The version kind of the filled document.
pub(super) const SOURCE: &str = "source";

/// A Word or OpenDocument draft behind a file's data.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) kind: Kind,
    /// The sha256 of the document as it lies on the share.
    pub(super) dropped: String,
    /// The filled document (sha256, bytes) once converted; none for a new
    /// draft, filled and converted when its number is given.
    pub(super) filled: Option<(String, Vec<u8>)>,
}

/// A document refused by the conversion stage after its number was
/// planned: the registration is not made, the file is refused instead.
#[derive(Debug, thiserror::Error)]
#[error("the document is refused ({}): {}", .0.reason.code(), .0.detail)]
pub(super) struct Refused(pub(super) Refusal);

/// A draft filled and converted: the PDF, the filled document, and how
/// many places for the number it had.
pub(super) struct Converted {
    pub(super) pdf: Vec<u8>,
    pub(super) filled: Vec<u8>,
    pub(super) placeholders: usize,
}

/// Fills `bytes` with `nomor` (none: left as it is) and `tanggal`, then
/// converts it. A verdict on the document is a [`Refusal`]; a converter
/// that hung or could not be set up is an error (the file is tried again,
/// then set aside).
pub(super) fn fill_and_convert(
    converter: &Converter,
    kind: Kind,
    bytes: &[u8],
    nomor: Option<&str>,
    tanggal: NaiveDate,
) -> Result<std::result::Result<Converted, Refusal>> {
    let filled = match nomor.filter(|n| !n.is_empty()) {
        Some(nomor) => match fill::fill(kind, bytes, &Values { nomor, tanggal }) {
            Ok(f) => f,
            Err(r) => return Ok(Err(r)),
        },
        None => fill::Filled { bytes: bytes.to_vec(), nomor: 0, tanggal: 0 },
    };
    match converter.convert(&format!("surat.{}", kind.extension()), &filled.bytes) {
        Ok(pdf) => Ok(Ok(Converted { pdf, filled: filled.bytes, placeholders: filled.nomor })),
        Err(e) => match e.refusal() {
            Some(r) => {
                tracing::warn!(error = %e, "a document could not be converted to PDF");
                Ok(Err(r))
            }
            None => Err(anyhow::Error::new(e).context("converting the document to PDF")),
        },
    }
}

/// `path` (a letter's PDF) with the document's extension instead: where
/// the filled document lies beside it.
pub(super) fn beside(path: &str, ext: &str) -> String {
    Path::new(path).with_extension(ext).to_string_lossy().into_owned()
}

/// The extension a stored source version was found with.
fn extension_of(source: &str) -> String {
    Path::new(source).extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_else(|| "docx".into())
}

/// The record of a filled document as a version of its letter: where its
/// draft was found, named with the extension of its kind (a Word document
/// dropped as `.rtf` or with no extension is a `.docx`: the extension
/// recorded here is the one it lies beside its letter with at every step).
pub(super) fn source_version(sha: &str, size: usize, found_at: &str, w: &Word) -> VersionRec {
    VersionRec {
        sha256: sha.into(),
        size: size as i64,
        source: beside(found_at, w.kind.extension()),
        kind: SOURCE.into(),
        base_sha256: Some(w.dropped.clone()),
    }
}

impl Pipeline {
    /// The conversion stage at intake: an office document outside the
    /// drafting folder is refused (only PDFs go there); in it, one that
    /// fails inspection, or arrives on a server without a converter, is
    /// refused with its reason. A corrected draft of a letter is filled
    /// with its number and converted now (`data` becomes the PDF: `None`
    /// is returned, for the PDF checks); a new draft waits for its number.
    pub(super) fn word_draft(
        &mut self,
        name: &str,
        place: &Place,
        letter: Option<&LetterRow>,
        data: &mut FileData,
    ) -> Result<Option<Content>> {
        let Prepared::Office { format } = detect::prepare(name, &data.bytes) else { return Ok(None) };
        let drafting = matches!(place, Place::Step { step, area: Area::Inbox } if step.kind == StepKind::Drop);
        if !drafting {
            return Ok(Some(Content::OfficeDocument { format }));
        }
        let kind = match inspect::inspect(name, &data.bytes) {
            Ok(kind) => kind,
            Err(r) => return Ok(Some(Content::BadDocument { reason: r.reason, detail: r.detail })),
        };
        if let Err(e) = self.converter.available() {
            let e = e.to_string();
            self.conversion_unavailable(name, &e);
            return Ok(Some(Content::BadDocument { reason: Reason::ConversionUnavailable, detail: String::new() }));
        }
        let dropped = data.sha.clone();
        let Some(letter) = letter else {
            data.word = Some(Word { kind, dropped, filled: None });
            return Ok(Some(Content::Pdf));
        };
        let given = timefmt::parse_stored(&letter.created_at).map(timefmt::date_wib);
        let tanggal = given.unwrap_or_else(|| timefmt::date_wib(Utc::now()));
        let converted = fill_and_convert(&self.converter, kind, &data.bytes, letter.number.as_deref(), tanggal)?;
        let c = match converted {
            Ok(c) => c,
            Err(r) => return Ok(Some(Content::BadDocument { reason: r.reason, detail: r.detail })),
        };
        tracing::info!(letter = %letter.id, file = name, placeholders = c.placeholders, "a corrected Word draft was filled and converted to PDF");
        // The document as dropped is kept too (the share's copy goes).
        self.keep(data)?;
        let filled = (fsops::sha256_bytes(&c.filled), c.filled);
        *data = FileData {
            sha: fsops::sha256_bytes(&c.pdf),
            bytes: std::sync::Arc::new(c.pdf),
            word: Some(Word { kind, dropped, filled: Some(filled) }),
        };
        Ok(None)
    }

    /// Tells the admins, once a day, that Word drafts are refused because
    /// LibreOffice is not installed.
    fn conversion_unavailable(&mut self, name: &str, error: &str) {
        tracing::error!(file = name, error, "a Word or OpenDocument draft is refused: LibreOffice is not installed");
        let today = timefmt::date_wib(Utc::now());
        let alasan = format!(
            "Dokumen Word atau OpenDocument \"{name}\" ditolak karena LibreOffice belum terpasang di server ({error}). Pasang paket {} beserta fonts-crosextra-carlito, fonts-crosextra-caladea dan fonts-liberation2 (atau atur convert.soffice di suratd.yaml), lalu jalankan ulang suratd.",
            crate::convert::soffice::PACKAGE
        );
        let fill = crate::mail::compose::Fill::default();
        if let Some(email) =
            crate::mail::compose::admin_alert(&self.wf, &self.cfg.admins, Alert::NoConverter, &alasan, &fill)
            && let Err(e) = self.db.queue_once(&format!("no-converter:{today}"), None, &email)
        {
            tracing::error!(error = %format!("{e:#}"), "cannot queue an alert for the admins");
        }
    }

    /// A letter's filled document (a `source` version, byte for byte):
    /// beside its PDF, where suratd put it, nothing to do (it moves with the
    /// letter); anywhere else (moved or copied along with the PDF, also
    /// into the drafting folder), it is taken off the share when the one
    /// beside the letter is there (its bytes are in the store), else put
    /// back beside the letter. Never taken for the letter itself: as a
    /// known version it would otherwise pass for the letter's file.
    pub(super) fn source_copy(&mut self, rel: &str, sha: &str, letter: Option<&LetterRow>) -> Result<Option<Outcome>> {
        let Some(l) = letter else { return Ok(None) };
        let Some(path) = l.path.as_deref() else { return Ok(None) };
        if self.db.version_of(&l.id, sha)?.is_none_or(|(kind, _)| kind != SOURCE) {
            return Ok(None);
        }
        let Some((latest, found_at)) = self.current_source(&l.id)? else {
            // A document the letter no longer says (corrected since as a
            // PDF): taken off the share, its bytes are in the store.
            tracing::info!(letter = %l.id, file = rel, "a letter's former filled document, replaced since by a corrected PDF: taken off");
            let op = FsOp::Supersede { path: rel.to_string(), sha256: sha.to_string() };
            self.execute(&l.id, vec![op], Record::default())?;
            return Ok(Some(Outcome::Done));
        };
        let home = beside(path, &extension_of(&found_at));
        if rel == home {
            return Ok(Some(Outcome::Done));
        }
        let op = match self.cfg.root.join(&home).is_file() || latest != sha {
            true => FsOp::Supersede { path: rel.to_string(), sha256: sha.to_string() },
            false => FsOp::MoveCompanion { from: rel.to_string(), to: home.clone() },
        };
        tracing::info!(letter = %l.id, file = rel, beside = %home, ?op, "a letter's filled document away from the letter: taken off or put back");
        self.execute(&l.id, vec![op], Record::default())?;
        Ok(Some(Outcome::Done))
    }

    /// Whether `rel` lies in a drafting folder, where drafts and their
    /// corrections are dropped.
    fn dropped_to_draft(&self, rel: &str) -> bool {
        matches!(layout::classify(&self.wf, rel), Place::Step { step, area: Area::Inbox } if step.kind == StepKind::Drop)
    }

    /// The letter's filled document as it stands (sha256, where it was
    /// found): its newest `source` version, unless a correction dropped as
    /// a PDF in the drafting folder came after it. The letter then no
    /// longer says what that document says, and it lies beside the letter
    /// no more (it stays in the store and in `history`).
    pub(super) fn current_source(&self, letter_id: &str) -> Result<Option<(String, String)>> {
        let trail = self.db.version_trail(letter_id)?;
        let Some(last) = trail.iter().rposition(|(kind, _, _)| kind == SOURCE) else { return Ok(None) };
        let corrected =
            trail[last + 1..].iter().any(|(kind, _, from)| kind == "original" && self.dropped_to_draft(from));
        Ok((!corrected).then(|| (trail[last].1.clone(), trail[last].2.clone())))
    }

    /// The steps that put the letter's filled document beside its PDF at
    /// `target`, taking it from beside the letter's current file: a new
    /// one (a corrected draft's, recorded in `rec`) or the letter's last.
    /// A correction dropped as a PDF in the drafting folder takes the last
    /// one away instead: it no longer says what the letter says.
    pub(super) fn source_ops(
        &self,
        letter: &LetterRow,
        data: Option<&FileData>,
        (found_at, target): (&str, &str),
        rec: &mut Record,
    ) -> Result<Vec<FsOp>> {
        let placed = self.db.latest_version(&letter.id, SOURCE)?;
        let corrected_as_pdf = data.is_some_and(|d| d.word.is_none()) && self.dropped_to_draft(found_at);
        let old = if corrected_as_pdf { None } else { self.current_source(&letter.id)? };
        let new = data.and_then(|d| d.word.as_ref()).and_then(|w| w.filled.as_ref().map(|f| (w, f)));
        let mut ops = Vec::new();
        let next = match (new, &old) {
            (Some((w, (sha, bytes))), _) => {
                self.keep(&FileData::plain(sha.clone(), bytes.clone()))?;
                rec.versions.push(source_version(sha, bytes.len(), found_at, w));
                Some((sha.clone(), beside(target, w.kind.extension())))
            }
            (None, Some((sha, found))) => Some((sha.clone(), beside(target, &extension_of(found)))),
            (None, None) => None,
        };
        if let (Some((placed_sha, found)), Some(path)) = (&placed, letter.path.as_deref()) {
            let from = beside(path, &extension_of(found));
            if next.as_ref().is_none_or(|(sha, to)| from != *to || placed_sha != sha) {
                ops.push(FsOp::Supersede { path: from, sha256: placed_sha.clone() });
            }
        }
        if let Some((sha, to)) = next {
            let source = self.store.path_of(&sha).to_string_lossy().into_owned();
            ops.push(FsOp::CopyStored { source, to });
        }
        Ok(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lies_beside_the_pdf_under_its_base_name() {
        assert_eq!(
            beside("02-verifikasi/SK-2026-0001 Undangan Rapat.pdf", "docx"),
            "02-verifikasi/SK-2026-0001 Undangan Rapat.docx"
        );
        assert_eq!(
            beside("arsip/2026/SK-2026-0001 Undangan v.2 (2).pdf", "odt"),
            "arsip/2026/SK-2026-0001 Undangan v.2 (2).odt"
        );
        assert_eq!(extension_of("01-draf/KP.650 Undangan.ODT"), "odt");
    }
}
