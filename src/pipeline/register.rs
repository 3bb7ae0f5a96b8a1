//! Registration: a new draft in the drafting folder becomes a letter, with
//! an id and a number, its metadata (and sidecar) kept, and goes on. A Word
//! or OpenDocument draft is filled with its number and converted to PDF
//! while its registration is planned (`word`).

use super::FileData;
use super::copies::{Copy, Derived, derive, place_op};
use super::facts::text_of;
use super::intake::Draft;
use super::places::free_target;
use super::reasons;
use super::record::{About, Transit, emails_for, transit_record};
use super::word::{self, Refused};
use super::{Outcome, Pipeline, mtime_ns};
use crate::config::Config;
use crate::convert::soffice::Converter;
use crate::decide::notes;
use crate::decide::{self, Dest};
use crate::letter::names;
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::pdf::inspect;
use crate::store::db::{NewLetter, NumberRequest};
use crate::store::fsops;
use crate::store::journal::Plan;
use crate::store::journal::{self, FsOp};
use crate::store::versions::Store;
use crate::util::timefmt;
use crate::workflow::Workflow;
use crate::workflow::layout;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A new draft made ready to be registered: all its plan is built from,
/// owned, so that drafts ready together can wait for one batch
/// (`super::batch`) or go at once (`Pipeline::register`).
pub(super) struct Ready {
    pub(super) abs: PathBuf,
    /// Relative to the root.
    pub(super) rel: String,
    meta: fs::Metadata,
    /// Who drafted it (their login).
    person: String,
    now: DateTime<Utc>,
    pub(super) data: FileData,
    pub(super) nl: NewLetter,
    /// Where it goes, and where a draft held back goes.
    dirs: (String, String),
    /// The drafting step, and the step it goes to.
    steps: (String, String),
    action: String,
    warnings: Option<String>,
    /// Its sidecar, taken from the share once it is registered.
    absorb: Vec<FsOp>,
}

/// Where a new draft was found and who drafted it.
pub(super) struct Drafted<'a> {
    pub(super) abs: &'a Path,
    pub(super) rel: &'a str,
    pub(super) meta: &'a fs::Metadata,
    pub(super) person: String,
    pub(super) now: DateTime<Utc>,
}

impl Pipeline {
    /// Makes a new draft ready: its bytes (and sidecar's) kept in `store`
    /// (not yet durable when it is a batch's), its
    /// letter and number request written out, and the room for its copy
    /// checked (a share that cannot take it makes the draft wait before it
    /// is given an id, see `fsops::room_for`).
    pub(super) fn ready(
        &mut self,
        by: Drafted,
        data: FileData,
        (letter_meta, sidecar): Draft,
        (to_step, dest, action): (String, Dest, String),
        store: &Store,
    ) -> Result<Ready> {
        let Drafted { abs, rel, meta, person, now } = by;
        let wf = self.wf.clone();
        store.put(data.on_share(), &data.bytes).context(KEEP)?;
        let mut absorb = Vec::new();
        if let Some((path, bytes)) = &sidecar {
            let sha = fsops::sha256_bytes(bytes);
            store.put(&sha, bytes).context(KEEP)?;
            let path = fsops::rel_path(&self.cfg.root, path).expect("under root");
            absorb.push(FsOp::Supersede { path, sha256: sha });
        }
        let subject = letter_meta.perihal.clone();
        let date = letter_meta.tanggal.unwrap_or_else(|| timefmt::date_wib(now));
        let number = NumberRequest {
            format: wf.number_format.clone(),
            unit: wf.office.unit_code.clone(),
            date,
            scope: wf.scope,
            last_used: wf.last_used.get(&wf.scope.key(date)).copied(),
        };
        let warnings = (!letter_meta.warnings.is_empty()).then(|| letter_meta.warnings.join("; "));
        let nl = NewLetter {
            meta: Some(letter_meta),
            number: Some(number),
            year: timefmt::year_wib(now),
            subject,
            drafter: Some(person.clone()),
            step: to_step.clone(),
            sha256: data.sha.clone(),
            size: meta.len() as i64,
            mtime_ns: mtime_ns(meta) as i64,
            at: timefmt::stored(now),
        };
        let dest_dir = self.dest_dir(&dest, None);
        fsops::room_for(&self.cfg.root.join(&dest_dir), data.bytes.len() as u64)
            .with_context(|| format!("cannot register {rel} now: the folder {dest_dir} cannot take it"))?;
        let entry = wf.entry().id.clone();
        let returns_dir = self.dest_dir(&Dest::Returns(entry.clone()), None);
        Ok(Ready {
            abs: abs.to_path_buf(),
            rel: rel.to_string(),
            meta: meta.clone(),
            person,
            now,
            data,
            nl,
            dirs: (dest_dir, returns_dir),
            steps: (entry, to_step),
            action,
            warnings,
            absorb,
        })
    }

    /// Registers a ready draft at once: its id and number come in the same
    /// database transaction as the intent (its stamped copy is made before
    /// that transaction, see `journal::register`); it goes on to its step,
    /// and its sidecar is absorbed. A Word draft the converter refuses is
    /// refused instead, and its number is not used.
    pub(super) fn register(&mut self, r: Ready) -> Result<Outcome> {
        let root = self.cfg.root.clone();
        // Still the file read (a batch checks its drafts itself).
        journal::still_same(&root, &r.rel, Some(r.data.on_share()))?;
        let (wf, store) = (self.wf.clone(), self.store.clone());
        let planner = Planner::new(&self.cfg, &self.converter, &wf, &store, &r);
        let built = journal::register(&mut self.db, &root, &wf.id_prefix, &r.nl, |id, number| planner.plan(id, number));
        let plan = match built {
            Ok(plan) => plan,
            Err(e) => {
                let Some(Refused(why)) = e.downcast_ref::<Refused>() else { return Err(e) };
                tracing::warn!(
                    file = r.rel,
                    reason = why.reason.code(),
                    "a Word draft is refused by the conversion stage; no number was used"
                );
                let place = layout::classify(&wf, &r.rel);
                self.reject(&r.rel, &r.meta, &place, None, why.reason, &why.detail.clone())?;
                return Ok(Outcome::Done);
            }
        };
        self.registered(&r, &plan)
    }

    /// Logs a registration carried out and tidies the folder it left.
    pub(super) fn registered(&mut self, r: &Ready, plan: &Plan) -> Result<Outcome> {
        let t = plan.record.transition.as_ref().context("a registration recorded no transition (internal error)")?;
        let number = self.db.letter(&t.letter_id)?.and_then(|l| l.number).unwrap_or_default();
        tracing::info!(letter = %t.letter_id, number = %number, file = r.rel, to = %t.path.as_deref().unwrap_or(""), actor = %t.actor, "registered a new letter");
        if t.action == Reason::NumberMissing.code() {
            tracing::info!(letter = %t.letter_id, number = %number, "held back before review: the draft does not carry its number; sent to the drafter with a note");
        }
        self.tidy(&r.abs);
        Ok(Outcome::Done)
    }
}

const KEEP: &str = "cannot keep the version in the store (is the disk beside the database full?)";

/// What a registration's plan is built from, once its id and number are
/// known (perhaps more than once, when another writer took them).
pub(super) struct Planner<'a> {
    wf: &'a Workflow,
    cfg: &'a Config,
    store: &'a Store,
    converter: &'a Converter,
    r: &'a Ready,
}

/// The letter's PDF: the draft itself, or a Word draft filled with its
/// number and converted (with the filled document and its placeholders).
struct LetterPdf {
    bytes: Arc<Vec<u8>>,
    sha: String,
    filled: Option<(String, Vec<u8>, usize)>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        cfg: &'a Config,
        converter: &'a Converter,
        wf: &'a Workflow,
        store: &'a Store,
        r: &'a Ready,
    ) -> Planner<'a> {
        Planner { wf, cfg, store, converter, r }
    }

    /// The draft's PDF once it has `number`: a Word draft is filled and
    /// converted here (a refusal is a [`Refused`] error), both kept.
    fn letter_pdf(&self, number: Option<&str>) -> Result<LetterPdf> {
        let data = &self.r.data;
        let Some(w) = data.word.as_ref().filter(|w| w.filled.is_none()) else {
            return Ok(LetterPdf { bytes: data.bytes.clone(), sha: data.sha.clone(), filled: None });
        };
        let tanggal = timefmt::date_wib(self.r.now);
        let c = word::fill_and_convert(self.converter, w.kind, &data.bytes, number, tanggal)?.map_err(Refused)?;
        let (sha, filled_sha) = (fsops::sha256_bytes(&c.pdf), fsops::sha256_bytes(&c.filled));
        self.store.put(&sha, &c.pdf).context("cannot keep the converted PDF in the store")?;
        self.store.put(&filled_sha, &c.filled).context("cannot keep the filled document in the store")?;
        Ok(LetterPdf { bytes: Arc::new(c.pdf), sha, filled: Some((filled_sha, c.filled, c.placeholders)) })
    }

    /// The registration's plan for the letter `id` with `number`.
    pub(super) fn plan(&self, id: &str, number: Option<&str>) -> Result<Plan> {
        let (wf, cfg, r) = (self.wf, self.cfg, self.r);
        let (root, rel, now) = (&cfg.root, r.rel.as_str(), r.now);
        let (entry, to_step) = (r.steps.0.as_str(), r.steps.1.as_str());
        crate::util::faults::hit_at("plan", rel);
        let pdf = self.letter_pdf(number)?;
        // The first review may check that the draft carries the number it
        // gets: in the text a reader sees (a Word draft's as converted).
        let carried = match decide::registration_reads_text(wf, to_step) {
            true => Some(inspect::contains_loosely(
                &text_of(&pdf.bytes, cfg.processing.timeout)?,
                number.unwrap_or_default(),
            )),
            false => None,
        };
        let held = decide::held_at_registration(wf, to_step, carried);
        let (to_step, dest_dir, action) = match held {
            Some(reason) => (entry, r.dirs.1.as_str(), reason.code()),
            None => (to_step, r.dirs.0.as_str(), r.action.as_str()),
        };
        let subject = &r.nl.subject;
        let sifat = r.nl.meta.as_ref().map(|m| m.sifat.as_str());
        let (_, target) = free_target(root, dest_dir, &names::letter_file_name(id, subject, sifat));
        let copy = Copy { to_step, from_step: entry, action, id, number, at: now };
        let derived = derive(wf, self.store, &copy, &pdf.bytes, &pdf.sha, cfg.processing.timeout)?;
        // A converted draft is placed as its PDF, stamped or not.
        let derived = match (derived, &pdf.filled) {
            (None, Some(_)) => Some(Derived::stored(self.store, &pdf.sha, pdf.bytes.len())),
            (d, _) => d,
        };
        // Held back: the system's note says what the number is and what to
        // do (for a Word draft with no place for it: how to mark one).
        let written = held.map(|reason| {
            let reason = decide::held_note_reason(reason, pdf.filled.as_ref().map(|f| f.2));
            let at = free_target(root, dest_dir, &names::note_file_name(id, 1, notes::SYSTEM)).1;
            let (text, alone) = reasons::held_note(wf, reason, (id, number.unwrap_or_default()), &target, now);
            (at, text, alone)
        });
        // The trail keeps the note file's text; people read the reason alone.
        let with = |t: &str| match &r.warnings {
            Some(w) => format!("{t}\n{w}"),
            None => t.to_string(),
        };
        let warnings = r.warnings.clone();
        let note = written.as_ref().map(|(_, t, _)| with(t)).or_else(|| warnings.clone());
        let told = written.as_ref().map(|(_, _, a)| with(a)).or(warnings);
        let mut rec = transit_record(&Transit {
            letter_id: id,
            from: entry,
            to: to_step,
            state: LetterState::Active.as_str(),
            path: &target,
            sha: &pdf.sha,
            meta: &r.meta,
            action,
            actor: (r.person.clone(), true),
            version_from: Some(rel),
            note,
            on_behalf: None,
            at: now,
        });
        let mut ops = vec![place_op(rel, r.data.on_share(), &target, derived.as_ref())];
        ops.extend(written.map(|(path, text, _)| FsOp::Write { path, text }));
        if let Some(d) = derived {
            d.record_in(&mut rec);
        }
        if let (Some((sha, bytes, _)), Some(w)) = (&pdf.filled, &r.data.word) {
            rec.versions.iter_mut().filter(|v| v.sha256 == pdf.sha).for_each(|v| v.size = pdf.bytes.len() as i64);
            rec.versions.push(word::source_version(sha, bytes.len(), rel, w));
            let source = self.store.path_of(sha).to_string_lossy().into_owned();
            ops.push(FsOp::CopyStored { source, to: word::beside(&target, w.kind.extension()) });
        }
        let about = About { id, number, subject, drafter: Some(&r.person), meta: r.nl.meta.as_ref() };
        rec.emails = emails_for(wf, cfg, &about, (&rec, told.as_deref()), None);
        ops.extend(r.absorb.iter().cloned());
        Ok(Plan { ops, record: rec })
    }
}
