//! The audit trail: what a completed transition records (the letter's new
//! place, versions, transition, signatures, dispatch, emails, rejection).

use super::Db;
use super::letters::{LetterUpdate, VersionRec};
use super::outbox::queue_email;
use anyhow::Result;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

/// One audit-trail entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TransitionRec {
    pub letter_id: String,
    pub at: String,
    pub from_step: Option<String>,
    pub to_step: Option<String>,
    pub action: String,
    pub actor: String,
    pub actor_verified: bool,
    pub sha256: Option<String>,
    pub path: Option<String>,
    pub note: Option<String>,
    /// For an approval at a review step: the version approved (the file the
    /// reviewer put into the approving folder), whatever copy goes on.
    #[serde(default)]
    pub approved_sha256: Option<String>,
}

/// A refused file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RejectionRec {
    pub at: String,
    pub original_path: String,
    pub path: String,
    pub reason_code: String,
    pub reason: String,
    pub sha256: Option<String>,
    pub owner: Option<String>,
    pub letter_id: Option<String>,
}

/// What the database records when a transition completes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub update: Option<LetterUpdate>,
    /// New versions of the letter.
    pub versions: Vec<VersionRec>,
    pub transition: Option<TransitionRec>,
    pub rejection: Option<RejectionRec>,
    /// Signature checks of a signed file.
    #[serde(default)]
    pub signatures: Vec<SignatureRec>,
    /// Emails the transition causes, queued in the same transaction.
    #[serde(default)]
    pub emails: Vec<crate::store::db::Email>,
    /// A letter sent out by hand (for the expedition book).
    #[serde(default)]
    pub dispatch: Option<DispatchRec>,
    /// Notes and reason files the letter took off the share (kept in the
    /// version store, for its archive folder).
    #[serde(default)]
    pub companions: Vec<CompanionRec>,
}

/// A note or reason file a letter took along: its name and bytes' sha256.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompanionRec {
    pub name: String,
    pub sha256: String,
}

/// One line of the expedition book.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DispatchRec {
    /// kurir | pos | tangan | email
    pub method: String,
    pub recipients: String,
    pub sent_by: Option<String>,
    pub note: Option<String>,
}

/// One signature's check, for the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SignatureRec {
    pub sha256: String,
    pub signer: String,
    pub intact: bool,
    pub trusted: Option<bool>,
    pub problem: Option<String>,
}

/// A transition from `SELECT letter_id, at, from_step, to_step, action, actor,
/// actor_verified, sha256, path, note, approved_sha256`.
fn transition_from_row(r: &rusqlite::Row) -> rusqlite::Result<TransitionRec> {
    Ok(TransitionRec {
        letter_id: r.get(0)?,
        at: r.get(1)?,
        from_step: r.get(2)?,
        to_step: r.get(3)?,
        action: r.get(4)?,
        actor: r.get(5)?,
        actor_verified: r.get::<_, i64>(6)? != 0,
        sha256: r.get(7)?,
        path: r.get(8)?,
        note: r.get(9)?,
        approved_sha256: r.get(10)?,
    })
}

impl Db {
    /// The notes and reason files a letter took off the share, oldest first.
    pub fn companions_of(&self, letter_id: &str) -> Result<Vec<CompanionRec>> {
        let mut st = self.conn.prepare("SELECT name, sha256 FROM companions WHERE letter_id = ?1 ORDER BY at, id")?;
        let rows = st
            .query_map([letter_id], |r| Ok(CompanionRec { name: r.get(0)?, sha256: r.get(1)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The letter sent back most recently from step `from` to step `to`.
    pub fn last_returned(&self, from: &str, to: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT letter_id FROM transitions WHERE from_step = ?1 AND to_step = ?2 ORDER BY id DESC LIMIT 1",
                [from, to],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A letter's audit trail, oldest first.
    pub fn history(&self, letter_id: &str) -> Result<Vec<TransitionRec>> {
        let mut st = self.conn.prepare(
            "SELECT letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note,
                    approved_sha256
             FROM transitions WHERE letter_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([letter_id], transition_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every transition, by letter and in order.
    pub fn all_transitions(&self) -> Result<Vec<TransitionRec>> {
        let mut st = self.conn.prepare(
            "SELECT letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note,
                    approved_sha256
             FROM transitions ORDER BY letter_id, id",
        )?;
        let rows = st.query_map([], transition_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn rejections(&self) -> Result<Vec<RejectionRec>> {
        let mut st = self.conn.prepare(
            "SELECT at, original_path, path, reason_code, reason, sha256, owner, letter_id FROM rejections ORDER BY id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(RejectionRec {
                    at: r.get(0)?,
                    original_path: r.get(1)?,
                    path: r.get(2)?,
                    reason_code: r.get(3)?,
                    reason: r.get(4)?,
                    sha256: r.get(5)?,
                    owner: r.get(6)?,
                    letter_id: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records something that touches no file (a correction by `fsck`).
    pub fn record(&mut self, rec: &Record) -> Result<()> {
        let tx = self.conn.transaction()?;
        apply_record(&tx, rec)?;
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn apply_record(tx: &Transaction, rec: &Record) -> Result<()> {
    if let Some(u) = &rec.update {
        let at = rec
            .transition
            .as_ref()
            .map(|t| t.at.clone())
            .unwrap_or_else(|| crate::util::timefmt::stored(chrono::Utc::now()));
        tx.execute(
            "UPDATE letters SET step = ?2, state = ?3, path = ?4, sha256 = ?5, size = ?6, mtime_ns = ?7,
               step_since = CASE WHEN ?8 THEN ?9 ELSE step_since END, metadata = COALESCE(?10, metadata),
               subject = COALESCE(json_extract(?10, '$.perihal'), subject)
             WHERE id = ?1",
            params![u.letter_id, u.step, u.state, u.path, u.sha256, u.size, u.mtime_ns, u.step_changed, at, u.metadata],
        )?;
    }
    if let Some(t) = &rec.transition {
        for v in &rec.versions {
            tx.execute(
                "INSERT OR IGNORE INTO versions (letter_id, sha256, size, added_at, source, kind, base_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t.letter_id, v.sha256, v.size, t.at, v.source, v.kind, v.base_sha256],
            )?;
        }
    }
    if let Some(t) = &rec.transition {
        tx.execute(
            "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note,
                                      approved_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                t.letter_id,
                t.at,
                t.from_step,
                t.to_step,
                t.action,
                t.actor,
                t.actor_verified,
                t.sha256,
                t.path,
                t.note,
                t.approved_sha256
            ],
        )?;
    }
    if let Some(t) = &rec.transition {
        for g in &rec.signatures {
            tx.execute(
                "INSERT INTO signatures (letter_id, sha256, signer, intact, trusted, problem, checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t.letter_id, g.sha256, g.signer, g.intact, g.trusted, g.problem, t.at],
            )?;
        }
    }
    if let Some(t) = &rec.transition {
        for c in &rec.companions {
            tx.execute(
                "INSERT INTO companions (letter_id, name, sha256, at) VALUES (?1, ?2, ?3, ?4)",
                params![t.letter_id, c.name, c.sha256, t.at],
            )?;
        }
    }
    if let (Some(d), Some(t)) = (&rec.dispatch, &rec.transition) {
        tx.execute(
            "INSERT INTO dispatches (letter_id, at, method, recipients, sent_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![t.letter_id, t.at, d.method, d.recipients, d.sent_by, d.note],
        )?;
    }
    let letter_of = rec
        .transition
        .as_ref()
        .map(|t| t.letter_id.clone())
        .or_else(|| rec.rejection.as_ref().and_then(|r| r.letter_id.clone()));
    for e in &rec.emails {
        queue_email(tx, letter_of.as_deref(), e)?;
    }
    if let Some(r) = &rec.rejection {
        tx.execute(
            "INSERT INTO rejections (at, original_path, path, reason_code, reason, sha256, owner, letter_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![r.at, r.original_path, r.path, r.reason_code, r.reason, r.sha256, r.owner, r.letter_id],
        )?;
    }
    Ok(())
}
