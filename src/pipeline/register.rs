//! Registration: a new draft in the drafting folder becomes a letter, with
//! an id and a number, its metadata (and sidecar) kept, and goes on.

use super::copies::{Copy, derive, place_op};
use super::intake::{Draft, FileData};
use super::places::free_target;
use super::reasons;
use super::record::{About, Transit, emails_for, transit_record};
use super::{Job, Outcome, Pipeline, mtime_ns};
use crate::decide::notes;
use crate::decide::{self, Dest};
use crate::letter::names;
use crate::letter::state::LetterState;
use crate::pdf::inspect;
use crate::store::db::{NewLetter, NumberRequest};
use crate::store::fsops;
use crate::store::journal::{self, FsOp, Plan};
use crate::util::timefmt;
use anyhow::{Context, Result};

impl Pipeline {
    /// Registers a new draft: its id and number come in the same database
    /// transaction as the intent (its stamped copy is made before that
    /// transaction, see `journal::register`); it goes on to `to_step`
    /// (`dest`), and its sidecar is absorbed.
    pub(super) fn register(
        &mut self,
        job: &Job,
        data: &FileData,
        (letter_meta, sidecar): Draft,
        to_step: String,
        dest: Dest,
        action: String,
    ) -> Result<Outcome> {
        let Job { abs, rel, meta, ref person, now, .. } = *job;
        let wf = self.wf.clone();
        self.keep(data)?;
        journal::still_same(&self.cfg.root, rel, Some(&data.sha))?;
        let mut absorb = Vec::new();
        if let Some((path, bytes)) = &sidecar {
            let sha = fsops::sha256_bytes(bytes);
            self.keep(&FileData { sha: sha.clone(), bytes: bytes.clone() })?;
            let path = fsops::rel_path(&self.cfg.root, path).expect("under root");
            absorb.push(FsOp::Supersede { path, sha256: sha });
        }
        let subject = letter_meta.perihal.clone();
        let sifat = letter_meta.sifat.clone();
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
            subject: subject.clone(),
            drafter: Some(person.clone()),
            step: to_step.clone(),
            sha256: data.sha.clone(),
            size: meta.len() as i64,
            mtime_ns: mtime_ns(meta) as i64,
            at: timefmt::stored(now),
        };
        let dest_dir = self.dest_dir(&dest, None);
        // A share that cannot take the copy makes the draft wait before it
        // is given an id (see `fsops::room_for`).
        fsops::room_for(&self.cfg.root.join(&dest_dir), data.bytes.len() as u64)
            .with_context(|| format!("cannot register {rel} now: the folder {dest_dir} cannot take it"))?;
        let entry = wf.entry().id.clone();
        let root = self.cfg.root.clone();
        let store = self.store.clone();
        let cfg = self.cfg.clone();
        // The first review may check that the draft carries the number it
        // is about to get: its text is read once, before the number is.
        let text = match decide::registration_reads_text(&wf, &to_step) {
            true => Some(self.letter_text(&data.bytes)?),
            false => None,
        };
        let returns_dir = self.dest_dir(&Dest::Returns(entry.clone()), None);
        let plan = journal::register(&mut self.db, &root, &wf.id_prefix, &nl, |id, number| {
            let carried = text.as_deref().map(|t| inspect::contains_loosely(t, number.unwrap_or_default()));
            let held = decide::held_at_registration(&wf, &to_step, carried);
            let (to_step, dest_dir, action) = match held {
                Some(reason) => (entry.as_str(), returns_dir.as_str(), reason.code()),
                None => (to_step.as_str(), dest_dir.as_str(), action.as_str()),
            };
            let (_, target) = free_target(&root, dest_dir, &names::letter_file_name(id, &subject, Some(&sifat)));
            let copy = Copy { to_step, from_step: &entry, action, id, number, at: now };
            let derived = derive(&wf, &store, &copy, &data.bytes, &data.sha, cfg.processing.timeout)?;
            // Held back: the system's note says what the number is and what to do.
            let written = held.map(|reason| {
                let at = free_target(&root, dest_dir, &names::note_file_name(id, 1, notes::SYSTEM)).1;
                let (text, alone) = reasons::held_note(&wf, reason, (id, number.unwrap_or_default()), &target, now);
                (at, text, alone)
            });
            // The trail keeps the note file's text; people read the reason alone.
            let with = |t: &str| match &warnings {
                Some(w) => format!("{t}\n{w}"),
                None => t.to_string(),
            };
            let note = written.as_ref().map(|(_, t, _)| with(t)).or_else(|| warnings.clone());
            let told = written.as_ref().map(|(_, _, a)| with(a)).or_else(|| warnings.clone());
            let mut rec = transit_record(&Transit {
                letter_id: id,
                from: &entry,
                to: to_step,
                state: LetterState::Active.as_str(),
                path: &target,
                sha: &data.sha,
                meta,
                action,
                actor: (person.clone(), true),
                version_from: Some(rel),
                note,
                on_behalf: None,
                at: now,
            });
            let mut ops = vec![place_op(rel, &data.sha, &target, derived.as_ref())];
            ops.extend(written.map(|(path, text, _)| FsOp::Write { path, text }));
            if let Some(d) = derived {
                d.record_in(&mut rec);
            }
            let about = About { id, number, subject: &subject, drafter: Some(person), meta: nl.meta.as_ref() };
            rec.emails = emails_for(&wf, &cfg, &about, (&rec, told.as_deref()), None);
            ops.extend(absorb.iter().cloned());
            Ok(Plan { ops, record: rec })
        })?;
        let t = plan.record.transition.as_ref().context("a registration recorded no transition (internal error)")?;
        let number = self.db.letter(&t.letter_id)?.and_then(|l| l.number).unwrap_or_default();
        tracing::info!(letter = %t.letter_id, number = %number, file = rel, to = %t.path.as_deref().unwrap_or(""), actor = %t.actor, "registered a new letter");
        if t.action == crate::letter::reason::Reason::NumberMissing.code() {
            tracing::info!(letter = %t.letter_id, number = %number, "held back before review: the draft does not carry its number; sent to the drafter with a note");
        }
        self.tidy(abs);
        Ok(Outcome::Done)
    }
}
