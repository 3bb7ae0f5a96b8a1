//! The email outbox: queueing an email (with its fixed Message-ID) and
//! each recipient's delivery state.

use anyhow::Result;
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

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
pub(super) fn queue_email(tx: &Transaction, letter_id: Option<&str>, e: &crate::mail::compose::Email) -> Result<()> {
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
