//! What the web board reads and nothing else does: one letter's emails and
//! signature checks, a search over letters, the step changes for the step
//! times (streamed), and whether anything changed since the last look
//! (SQLite's `data_version`).

use super::Db;
use super::letters::letter_from_row;
use super::{Delivery, LetterRow};
use anyhow::Result;
use rusqlite::params;

/// An email about one letter, as the outbox holds it.
#[derive(Debug, Clone)]
pub struct LetterEmail {
    pub created_at: String,
    pub kind: String,
    pub subject: String,
    /// pending | sent | failed
    pub state: String,
    pub recipients: Vec<Delivery>,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

/// One signature check of a signed file.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    pub sha256: String,
    pub signer: String,
    pub intact: bool,
    /// `None`: no trust anchors were configured.
    pub trusted: Option<bool>,
    pub problem: Option<String>,
    pub checked_at: String,
}

impl Db {
    /// The emails queued about a letter, oldest first.
    pub fn emails_of(&self, letter_id: &str) -> Result<Vec<LetterEmail>> {
        let mut st = self.conn.prepare(
            "SELECT created_at, kind, subject, state, recipients, sent_at, last_error
             FROM outbox WHERE letter_id = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([letter_id], |r| {
                let recipients: String = r.get(4)?;
                Ok(LetterEmail {
                    created_at: r.get(0)?,
                    kind: r.get(1)?,
                    subject: r.get(2)?,
                    state: r.get(3)?,
                    recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                    sent_at: r.get(5)?,
                    last_error: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The signature checks recorded for a letter, oldest first.
    pub fn signatures_of(&self, letter_id: &str) -> Result<Vec<SignatureCheck>> {
        let mut st = self.conn.prepare(
            "SELECT sha256, signer, intact, trusted, problem, checked_at FROM signatures WHERE letter_id = ?1 ORDER BY id",
        )?;
        let rows = st
            .query_map([letter_id], |r| {
                Ok(SignatureCheck {
                    sha256: r.get(0)?,
                    signer: r.get(1)?,
                    intact: r.get::<_, i64>(2)? != 0,
                    trusted: r.get::<_, Option<i64>>(3)?.map(|t| t != 0),
                    problem: r.get(4)?,
                    checked_at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Letters whose id, number or subject contains `text` (case aside),
    /// newest first, at most `limit`.
    pub fn search_letters(&self, text: &str, limit: usize) -> Result<Vec<LetterRow>> {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        let mut st = self.conn.prepare(
            "SELECT * FROM letters WHERE id LIKE ?1 ESCAPE '\\' OR number LIKE ?1 ESCAPE '\\' OR subject LIKE ?1 ESCAPE '\\'
             ORDER BY year DESC, seq DESC LIMIT ?2",
        )?;
        let rows =
            st.query_map(params![pattern, limit as i64], letter_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every step change (a transition from one step to another) of the
    /// letters that moved on or after `since` (a UTC date, `YYYY-MM-DD`),
    /// letter by letter and in the order recorded, handed to `each` as
    /// (letter, at, from, to) one row at a time: nothing is collected, and
    /// letters done before `since` are not read, so the step times of
    /// 100,000 letters are read in little memory and time.
    pub fn each_step_change(&self, since: &str, mut each: impl FnMut(&str, &str, &str, &str)) -> Result<()> {
        let mut st = self.conn.prepare(
            "SELECT letter_id, at, from_step, to_step FROM transitions
             WHERE from_step IS NOT NULL AND to_step IS NOT NULL AND from_step <> to_step
               AND letter_id IN (SELECT letter_id FROM transitions WHERE at >= ?1)
             ORDER BY letter_id, id",
        )?;
        let mut rows = st.query([since])?;
        while let Some(r) = rows.next()? {
            let text = |i: usize| r.get_ref(i).and_then(|v| v.as_str().map_err(Into::into));
            each(text(0)?, text(1)?, text(2)?, text(3)?);
        }
        Ok(())
    }

    /// A number that changes whenever another connection commits (SQLite's
    /// `PRAGMA data_version`, for this connection).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
