//! A signed file from the portal: its signature check, and which letter it
//! belongs to when its name does not say.

use super::Pipeline;
use crate::decide::Signed;
use crate::decide::approvals::{self, Passage};
use crate::pdf::render::RenderError;
use crate::pdf::{inspect, signature, stamp, textmatch, visible};
use crate::store::db::LetterRow;
use crate::store::fsops;
use crate::workflow::StepKind;
use crate::workflow::layout::{Area, Place};
use anyhow::{Context, Result};

use std::fs;

/// How far a claimed signing time may be off the server's clock.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// How many pages of a signed file and its copy are compared.
const MAX_PAGES: u32 = 200;

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
                    (true, true, Some(why)) => Signed::WrongSigner(why),
                    (true, false, _) => Signed::Fails(report.problem().unwrap_or_default()),
                },
                Some(report),
            );
            if letter.is_none() {
                *letter = self.match_signed(step, bytes)?;
            }
            if signed.0 == Signed::Holds
                && let Some(l) = letter.as_ref()
                && self.wf.step(&l.step).is_some_and(|s| s.next.as_deref() == Some(step.id.as_str()))
            {
                signed.0 = self.what_was_signed(l, bytes)?;
                if signed.0 == Signed::Holds
                    && let Some(why) =
                        signed.1.as_ref().map(|r| self.claimed_time_out_of_range(l, r)).transpose()?.flatten()
                {
                    tracing::warn!(letter = %l.id, problem = %why, "a signing time the signer claims is not possible");
                    signed.0 = Signed::Fails(why);
                }
            }
        }
        Ok(signed)
    }

    /// A signed file whose signatures hold, for a letter waiting for it: the
    /// copy for signing must be a version every review step approved, and
    /// the signed file what that copy says.
    fn what_was_signed(&self, l: &LetterRow, bytes: &[u8]) -> Result<Signed> {
        if let Some(step) = self.unapproved(l)? {
            tracing::warn!(letter = %l.id, step = %step, "the copy for signing is not a version every review step approved");
            return Ok(Signed::Unapproved(step));
        }
        if let Some(why) = self.signed_differs(l, bytes)? {
            tracing::warn!(letter = %l.id, difference = %why, "a signed file is not the copy submitted for signing");
            return Ok(Signed::Differs(why));
        }
        Ok(Signed::Holds)
    }

    /// The review step (its name) that did not approve the letter's copy for
    /// signing (its current file), compared without stamps or keys.
    fn unapproved(&self, letter: &LetterRow) -> Result<Option<String>> {
        let base = |sha: &str| match fs::read(self.store.path_of(sha)) {
            Ok(b) => fsops::sha256_bytes(stamp::base_of(&b)),
            Err(_) => sha.to_string(),
        };
        let trail = self.db.history(&letter.id)?;
        let passages: Vec<Passage> = trail
            .iter()
            .map(|t| Passage {
                from: t.from_step.as_deref(),
                to: t.to_step.as_deref(),
                action: &t.action,
                approved_base: t.approved_sha256.as_deref().map(base),
            })
            .collect();
        Ok(approvals::unapproved_step(&self.wf, &passages, &base(&letter.sha256)).map(|s| s.name.clone()))
    }

    /// Whether a signed file is not what its letter's copy for signing (the
    /// letter's current file) says: `None` when it begins with the copy's
    /// exact bytes, or its text holds the letter's number and every line of
    /// the copy's text, in order; otherwise where it departs (Indonesian).
    fn signed_differs(&self, letter: &LetterRow, bytes: &[u8]) -> Result<Option<String>> {
        let copy = fs::read(self.store.path_of(&letter.sha256))
            .with_context(|| format!("cannot read the copy for signing of {} from the store", letter.id))?;
        // A file that begins with the copy's bytes is matched to its letter by
        // them, but what was appended before the signature may have changed
        // anything: its text is checked like any other's.
        // The letter itself, without a review stamp should one be on it.
        let base = stamp::base_of(&copy).to_vec();
        let signed = bytes.to_vec();
        let limit = self.cfg.processing.timeout;
        let texts = inspect::limited(limit, move || {
            (inspect::text(&base, MAX_PAGES).unwrap_or_default(), inspect::text(&signed, MAX_PAGES))
        })
        .ok_or_else(|| anyhow::anyhow!("reading the texts took longer than {}", humantime::format_duration(limit)))?
        .ok_or_else(|| anyhow::anyhow!("reading the texts failed"))?;
        let (copy_text, Some(signed_text)) = texts else {
            return Ok(Some("teks berkas yang ditandatangani tidak dapat dibaca".into()));
        };
        if let Some(d) = textmatch::first_difference(&copy_text, &signed_text) {
            let instead = match &d.instead {
                Some(line) => format!("; di tempatnya tertulis {}", textmatch::quote(line)),
                None => "; sesudahnya tidak ada baris lagi".into(),
            };
            return Ok(Some(format!(
                "baris {} dari salinan yang diajukan tidak ada di berkas yang ditandatangani{instead}",
                textmatch::quote(&d.missing)
            )));
        }
        // The number, where the workflow makes letters show it before signing.
        let numbered = self.wf.steps.iter().any(|s| s.checks.contains(&crate::workflow::StepCheck::NumberInText));
        if let Some(n) = letter.number.as_deref().filter(|n| numbered && !inspect::contains_loosely(&signed_text, n)) {
            return Ok(Some(format!("nomor surat {n} tidak tercantum di berkas yang ditandatangani")));
        }
        Ok(self.visibly_differs(letter, &copy, bytes))
    }

    /// Whether a reader of the signed file would see something else than the
    /// copy for signing shows (text hidden, covered or written over: the
    /// text check cannot tell); see [`visible`].
    fn visibly_differs(&self, letter: &LetterRow, copy: &[u8], signed: &[u8]) -> Option<String> {
        let base = stamp::base_of(copy);
        let stamped = (base.len() != copy.len()).then_some(copy);
        match visible::first_change(base, stamped, signed, MAX_PAGES, self.cfg.processing.timeout) {
            Ok(None) => None,
            Ok(Some(change)) => Some(change.describe()),
            Err(e) => {
                tracing::error!(letter = %letter.id, error = %e, "cannot compare what the signed file shows with the copy for signing");
                Some(match e {
                    RenderError::Missing(_) => {
                        "isi yang tampak tidak dapat dibandingkan dengan salinan yang diajukan: \
                        program pdftoppm (poppler-utils) belum terpasang di server; hubungi admin"
                            .into()
                    }
                    RenderError::TimedOut(_) => {
                        "isi yang tampak tidak dapat dibandingkan dengan salinan yang diajukan \
                        dalam batas waktu pemrosesan"
                            .into()
                    }
                    RenderError::Failed { doc: 1, .. } => {
                        "halaman berkas yang ditandatangani tidak dapat ditampilkan".into()
                    }
                    RenderError::Failed { .. } => {
                        "halaman salinan yang diajukan tidak dapat ditampilkan; hubungi admin".into()
                    }
                })
            }
        }
    }

    /// Why a signing time the signer only claims (no trusted signature
    /// timestamp) cannot be relied on: it lies before the copy for signing
    /// could exist (the letter's last approval) or in the future, beyond a
    /// few minutes of clock skew, and the signer's certificate was not valid
    /// throughout the time in which the letter really was signed (from that
    /// approval until now). Otherwise a certificate that had expired, or was
    /// not yet valid, could be made to look valid "then".
    fn claimed_time_out_of_range(&self, l: &LetterRow, report: &signature::Report) -> Result<Option<String>> {
        let trail = self.db.history(&l.id)?;
        let approved =
            trail.iter().rev().find(|t| t.approved_sha256.is_some() || t.to_step.as_deref() == Some(&l.step));
        let Some(since) = approved.and_then(|t| crate::util::timefmt::parse_stored(&t.at)) else { return Ok(None) };
        let now = chrono::Utc::now();
        let (from, to) = ((since - CLOCK_SKEW).timestamp(), now.timestamp());
        for s in report.signers() {
            let Some((t, false)) = s.signed_at else { continue };
            if (from..=(now + CLOCK_SKEW).timestamp()).contains(&t) {
                continue;
            }
            if s.valid.is_some_and(|(a, b)| a <= from && to <= b) {
                continue;
            }
            let human = |t: i64| {
                chrono::DateTime::from_timestamp(t, 0).map(crate::util::timefmt::moment_id).unwrap_or_default()
            };
            return Ok(Some(format!(
                "waktu penandatanganan yang dinyatakan penanda tangan ({}) tidak mungkin benar (salinan disetujui \
                 {}, sekarang {}), dan sertifikatnya ({}) tidak berlaku sepanjang waktu itu; tanpa stempel waktu \
                 tepercaya tanda tangan ini tidak dapat diterima",
                human(t),
                human(from + CLOCK_SKEW.num_seconds()),
                human(to),
                s.valid.map(|(a, b)| format!("berlaku {} sampai {}", human(a), human(b))).unwrap_or_default()
            )));
        }
        Ok(None)
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
        Ok(self.db.in_flight()?.into_iter().filter(|l| self.awaits(l, step)).collect())
    }

    fn awaits(&self, l: &LetterRow, step: &crate::workflow::Step) -> bool {
        self.wf.step(&l.step).is_some_and(|s| s.next.as_deref() == Some(step.id.as_str()))
    }

    /// The letter a signed file belongs to when its name does not say: one
    /// waiting for it, else another letter in flight (whose signed file is
    /// then refused: it does not wait for one). See [`Self::match_among`].
    fn match_signed(&self, step: &crate::workflow::Step, bytes: &[u8]) -> Result<Option<LetterRow>> {
        let (waiting, others): (Vec<LetterRow>, Vec<LetterRow>) =
            self.db.in_flight()?.into_iter().partition(|l| self.awaits(l, step));
        if waiting.is_empty() && others.is_empty() {
            return Ok(None);
        }
        // Within the time limit, like every other reading of a file.
        let (owned, limit) = (bytes.to_vec(), self.cfg.processing.timeout);
        let read = inspect::limited(limit, move || {
            (inspect::text(&owned, 20).unwrap_or_default(), stamp::read_key(&owned, "SuratdLetter"))
        });
        let (text, key) = read.flatten().unwrap_or_else(|| {
            tracing::warn!(
                "reading a signed file's text and keys to find its letter failed or took longer than the time limit"
            );
            (String::new(), None)
        });
        let found = |letters: &[LetterRow], by_bytes| self.match_among(letters, &text, key.as_deref(), bytes, by_bytes);
        Ok(found(&waiting, true).or_else(|| found(&others, false)))
    }

    /// Of `letters`, the one a signed file (`bytes`, its `text`, the
    /// letter `key` suratd wrote into the copy for signing) belongs to: the
    /// only one whose number is in its text, else the one of the key, else
    /// the one whose current file is the signed file's exact beginning
    /// (when `by_bytes`).
    fn match_among(
        &self,
        letters: &[LetterRow],
        text: &str,
        key: Option<&str>,
        bytes: &[u8],
        by_bytes: bool,
    ) -> Option<LetterRow> {
        let by_number: Vec<&LetterRow> = letters
            .iter()
            .filter(|l| l.number.as_deref().is_some_and(|n| inspect::contains_loosely(text, n)))
            .collect();
        if let [one] = by_number[..] {
            return Some(one.clone());
        }
        if let Some(id) = key
            && let Some(l) = letters.iter().find(|l| l.id == id)
        {
            return Some(l.clone());
        }
        letters
            .iter()
            .filter(|_| by_bytes)
            .find(|l| {
                fs::read(self.store.path_of(&l.sha256)).is_ok_and(|copy| !copy.is_empty() && bytes.starts_with(&copy))
            })
            .cloned()
    }
}
