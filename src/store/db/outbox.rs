//! The email outbox: queueing an email (with its fixed Message-ID), each
//! recipient's delivery state, and what the email worker reads and writes.

use super::Db;
use anyhow::Result;
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

/// One addressee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// A file attached from the version store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
}

/// An email to send, as queued in the outbox (and carried in a journal
/// record until its transition commits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub kind: String,
    pub to: Vec<Recipient>,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
}

/// One recipient's delivery state in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Delivery {
    pub name: String,
    pub email: String,
    /// pending | sent | refused
    pub state: String,
    pub error: Option<String>,
}

/// Queues an email; its Message-ID is made here, once.
pub(super) fn queue_email(tx: &Transaction, letter_id: Option<&str>, e: &Email) -> Result<()> {
    let now = crate::util::timefmt::stored(chrono::Utc::now());
    let seed = format!("{now}{letter_id:?}{}{}{}", e.kind, e.subject, tx.last_insert_rowid());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
    let message_id = format!(
        "<{}.{}.{}@{}>",
        letter_id.unwrap_or("suratd"),
        e.kind,
        &crate::store::fsops::sha256_bytes(seed.as_bytes())[..16],
        host.trim()
    );
    let recipients: Vec<Delivery> =
        e.to.iter()
            .map(|r| Delivery { name: r.name.clone(), email: r.email.clone(), state: "pending".into(), error: None })
            .collect();
    tx.execute(
        "INSERT INTO outbox (created_at, kind, letter_id, message_id, recipients, subject, body, attachment_sha256,
                             attachment_name, state, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?1)",
        params![
            now,
            e.kind,
            letter_id,
            message_id,
            serde_json::to_string(&recipients)?,
            e.subject,
            e.body,
            e.attachment.as_ref().map(|a| a.sha256.clone()),
            e.attachment.as_ref().map(|a| a.name.clone()),
        ],
    )?;
    Ok(())
}

/// An email due for delivery, as the email worker reads it.
pub(crate) struct OutboxRow {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) letter_id: Option<String>,
    pub(crate) message_id: String,
    pub(crate) recipients: Vec<Delivery>,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) attachment: Option<(String, String)>,
    pub(crate) attempts: i64,
}

/// One outbox entry for `suratd outbox`, with its times as stored.
pub(crate) struct OutboxEntry {
    pub(crate) id: i64,
    pub(crate) created_at: String,
    pub(crate) kind: String,
    pub(crate) letter_id: Option<String>,
    pub(crate) state: String,
    pub(crate) recipients: Vec<Delivery>,
    pub(crate) attempts: i64,
    pub(crate) next_attempt_at: String,
    pub(crate) last_error: Option<String>,
}

impl Db {
    /// Makes every pending email due at `now` (the worker's start).
    pub(crate) fn retry_pending_now(&self, now: &str) -> Result<()> {
        self.conn.execute("UPDATE outbox SET next_attempt_at = ?1 WHERE state = 'pending'", [now])?;
        Ok(())
    }

    /// Pending emails due at `now`, oldest first, at most 50.
    pub(crate) fn due_emails(&self, now: &str) -> Result<Vec<OutboxRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, kind, letter_id, message_id, recipients, subject, body, attachment_sha256, attachment_name, attempts
             FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 50",
        )?;
        let rows = st
            .query_map([now], |r| {
                let recipients: String = r.get(4)?;
                let sha: Option<String> = r.get(7)?;
                let name: Option<String> = r.get(8)?;
                Ok(OutboxRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    letter_id: r.get(2)?,
                    message_id: r.get(3)?,
                    recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                    subject: r.get(5)?,
                    body: r.get(6)?,
                    attachment: sha.zip(name),
                    attempts: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records the recipients' states of email `id` (at once after each one sent).
    pub(crate) fn set_recipients(&self, id: i64, recipients: &[Delivery]) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET recipients = ?2 WHERE id = ?1",
            params![id, serde_json::to_string(recipients)?],
        )?;
        Ok(())
    }

    /// Closes an email as `state` (sent or failed) and, given `dispatch_by`
    /// (the sender) for a letter's email, writes its line in the expedition
    /// book, in one transaction.
    pub(crate) fn email_finished(
        &mut self,
        row: &OutboxRow,
        state: &str,
        attempts: i64,
        error: Option<&str>,
        at: &str,
        dispatch_by: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET recipients = ?2, state = ?3, attempts = ?4, last_error = ?5, sent_at = ?6 WHERE id = ?1",
            params![row.id, serde_json::to_string(&row.recipients)?, state, attempts, error, at],
        )?;
        if let Some(sent_by) = dispatch_by
            && let Some(letter) = &row.letter_id
        {
            let to: Vec<&str> = row.recipients.iter().filter(|r| r.state == "sent").map(|r| r.email.as_str()).collect();
            tx.execute(
                "INSERT INTO dispatches (letter_id, at, method, recipients, sent_by, note) VALUES (?1, ?2, 'email', ?3, ?4, ?5)",
                params![letter, at, to.join(", "), sent_by, row.message_id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt at an email and when to try again.
    pub(crate) fn email_retry(&self, row: &OutboxRow, attempts: i64, error: Option<&str>, next: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET recipients = ?2, attempts = ?3, last_error = ?4, next_attempt_at = ?5 WHERE id = ?1",
            params![row.id, serde_json::to_string(&row.recipients)?, attempts, error, next],
        )?;
        Ok(())
    }

    /// Emails tried and still pending that were queued before `cutoff`: how
    /// many, and the greatest last error.
    pub(crate) fn stuck_emails(&self, cutoff: &str) -> Result<(i64, Option<String>)> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*), MAX(last_error) FROM outbox WHERE state = 'pending' AND attempts > 0 AND created_at < ?1",
            [cutoff],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Emails waiting or failed, and sent ones with a refused recipient.
    pub(crate) fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, created_at, kind, letter_id, state, recipients, attempts, next_attempt_at, last_error
             FROM outbox WHERE state != 'sent' OR recipients LIKE '%\"refused\"%' ORDER BY id",
        )?;
        let rows = st
            .query_map([], |r| {
                let recipients: String = r.get(5)?;
                Ok(OutboxEntry {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                    kind: r.get(2)?,
                    letter_id: r.get(3)?,
                    state: r.get(4)?,
                    recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                    attempts: r.get(6)?,
                    next_attempt_at: r.get(7)?,
                    last_error: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
