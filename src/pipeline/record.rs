//! The database record of a transition (`store::db::Record`: the letter's
//! update, its versions, the transition, the expedition-book line) and the
//! emails it causes. (Not `crate::records`, the office's registers.)

use super::{Pipeline, mtime_ns};
use crate::config::Config;
use crate::letter::metadata::Metadata;
use crate::mail::compose::{self, Email};
use crate::pdf::signature;
use crate::store::db::{LetterRow, LetterUpdate, Record, SignatureRec, TransitionRec, VersionRec};
use crate::util::timefmt;
use crate::workflow::Workflow;
use chrono::Utc;
use std::fs;

/// A letter's transition, before it is written as a database record.
pub(super) struct Transit<'a> {
    pub(super) letter_id: &'a str,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) state: &'a str,
    /// Where the file ends up, relative to the root.
    pub(super) path: &'a str,
    pub(super) sha: &'a str,
    pub(super) meta: &'a fs::Metadata,
    pub(super) action: &'a str,
    pub(super) actor: (String, bool),
    /// For a new version: where it was found.
    pub(super) version_from: Option<&'a str>,
    pub(super) note: Option<String>,
    /// A move made standing in for another person: their login.
    pub(super) on_behalf: Option<&'a str>,
    pub(super) at: chrono::DateTime<Utc>,
}

pub(super) fn transit_record(t: &Transit) -> Record {
    let size = t.meta.len() as i64;
    Record {
        update: Some(LetterUpdate {
            letter_id: t.letter_id.into(),
            step: t.to.into(),
            state: t.state.into(),
            path: t.path.into(),
            sha256: t.sha.into(),
            size,
            mtime_ns: mtime_ns(t.meta) as i64,
            step_changed: t.from != t.to,
            metadata: None,
        }),
        versions: t
            .version_from
            .map(|src| VersionRec {
                sha256: t.sha.to_string(),
                size,
                source: src.to_string(),
                kind: "original".into(),
                base_sha256: None,
            })
            .into_iter()
            .collect(),
        transition: Some(TransitionRec {
            letter_id: t.letter_id.into(),
            at: timefmt::stored(t.at),
            from_step: Some(t.from.into()),
            to_step: Some(t.to.into()),
            action: t.action.into(),
            actor: t.actor.0.clone(),
            actor_verified: t.actor.1,
            sha256: Some(t.sha.into()),
            path: Some(t.path.into()),
            note: match (t.note.clone(), t.on_behalf) {
                (note, None) => note,
                (None, Some(whom)) => Some(format!("a.n. {whom}")),
                (Some(n), Some(whom)) => Some(format!("a.n. {whom}\n{n}")),
            },
            approved_sha256: None,
        }),
        rejection: None,
        signatures: vec![],
        emails: vec![],
        dispatch: None,
        companions: vec![],
    }
}

/// An expedition-book line from the note Bagian Umum dropped with the letter:
/// `metode: kurir` (or pos, tangan) and `penerima: …` lines, or a single word.
fn dispatch_from_note(note: Option<&str>, tujuan: String, by: Option<String>) -> crate::store::db::DispatchRec {
    let mut method = None;
    let mut receiver = None;
    for line in note.unwrap_or("").lines() {
        let (k, v) = match line.split_once(':') {
            Some((k, v)) => (k.trim().to_lowercase(), v.trim().to_string()),
            None => (String::new(), line.trim().to_string()),
        };
        match k.as_str() {
            "metode" | "cara" | "method" => method = Some(v.to_lowercase()),
            "penerima" | "diterima" | "receiver" => receiver = Some(v),
            "" if method.is_none() && ["kurir", "pos", "tangan"].contains(&v.to_lowercase().as_str()) => {
                method = Some(v.to_lowercase())
            }
            _ => {}
        }
    }
    crate::store::db::DispatchRec {
        method: method.unwrap_or_else(|| "-".into()),
        recipients: tujuan,
        sent_by: by,
        note: receiver.map(|r| format!("diterima: {r}")),
    }
}

/// A signed file's check in the record: the version is the signed one, the
/// transition notes the check, and each signature is kept.
pub(super) fn record_signatures(rec: &mut Record, r: &signature::Report, sha: &str) {
    for v in rec.versions.iter_mut().filter(|v| v.sha256 == sha) {
        v.kind = "signed".into();
    }
    if let Some(t) = rec.transition.as_mut() {
        t.note = Some(r.summary());
    }
    rec.signatures = r
        .signatures
        .iter()
        .map(|c| SignatureRec {
            sha256: sha.to_string(),
            signer: c.signer.clone(),
            intact: c.intact,
            trusted: c.trusted,
            problem: c.problem.clone(),
        })
        .collect();
}

/// A letter sent out from a dispatch step: its line in the expedition book,
/// from the transition's note.
pub(super) fn record_dispatch(rec: &mut Record, letter: &LetterRow) {
    let tujuan = letter.meta().map(|m| m.tujuan.iter().map(|p| p.nama.clone()).collect::<Vec<_>>().join("; "));
    rec.dispatch = Some(dispatch_from_note(
        rec.transition.as_ref().and_then(|t| t.note.as_deref()),
        tujuan.unwrap_or_default(),
        rec.transition.as_ref().map(|t| t.actor.clone()),
    ));
}

/// The letter as the emails describe it.
pub(super) struct About<'a> {
    pub(super) id: &'a str,
    pub(super) number: Option<&'a str>,
    pub(super) subject: &'a str,
    pub(super) drafter: Option<&'a str>,
    pub(super) meta: Option<&'a Metadata>,
}

/// The emails a recorded transition causes, composed from its record.
/// `note` is what people are told (a reviewer's note, a return's reason),
/// never the trail's note (English, for the audit).
pub(super) fn emails_for(
    wf: &Workflow,
    cfg: &Config,
    about: &About,
    (rec, note): (&Record, Option<&str>),
    signed: Option<(&str, u64, &str)>,
) -> Vec<Email> {
    let Some(t) = &rec.transition else { return vec![] };
    let settings =
        compose::Settings { share_path: &cfg.share_path, max_attachment: cfg.max_attachment, admins: &cfg.admins };
    let to_step = t.to_step.as_deref().and_then(|s| wf.step(s));
    let due = match (to_step.and_then(|s| s.time), timefmt::parse_stored(&t.at)) {
        (Some(time), Some(at)) => Some(timefmt::day_moment_id(wf.calendar.due(at, time))),
        _ => None,
    };
    let event = compose::Event {
        letter_id: about.id,
        number: about.number,
        perihal: about.subject,
        drafter: about.drafter,
        meta: about.meta,
        from: t.from_step.as_deref().unwrap_or(""),
        to: t.to_step.as_deref().unwrap_or(""),
        action: &t.action,
        path: t.path.as_deref().unwrap_or(""),
        note,
        actor: &t.actor,
        signed,
        due,
    };
    compose::compose(wf, &settings, &event)
}

/// The emails a transition of an existing letter causes.
pub(super) fn letter_emails(
    wf: &Workflow,
    cfg: &Config,
    letter: &LetterRow,
    told: (&Record, Option<&str>),
    signed: Option<(&str, u64, &str)>,
) -> Vec<Email> {
    let meta = letter.meta();
    let about = About {
        id: &letter.id,
        number: letter.number.as_deref(),
        subject: &letter.subject,
        drafter: letter.drafter.as_deref(),
        meta: meta.as_ref(),
    };
    emails_for(wf, cfg, &about, told, signed)
}

impl Pipeline {
    /// Who did it: the login of the file's Samba audit record when there is
    /// one (verified); else a person who wrote a new file is its owner; a file suratd
    /// wrote and someone edited has an unknown actor (`owner` is then
    /// `owner::UNKNOWN_ACTOR`), unverified; a move keeps the owner, so the
    /// actor is the role of the step the letter was at, unverified.
    pub(super) fn actor(&self, letter: &LetterRow, job: &super::Job) -> (String, bool) {
        let (new_file, owner) = (job.new_content, job.person.as_str());
        if job.verified {
            return (owner.to_string(), true);
        }
        if new_file {
            return (owner.to_string(), owner != super::owner::UNKNOWN_ACTOR);
        }
        let role = self.wf.step(&letter.step).and_then(|s| s.role.clone()).unwrap_or_else(|| "unknown".into());
        (format!("role:{role}"), false)
    }
}
