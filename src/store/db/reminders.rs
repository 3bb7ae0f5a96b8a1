//! Reminders sent: each reminder's key is written with its email, so that
//! it goes out once.

use super::Db;
use super::outbox::queue_email;
use anyhow::Result;
use rusqlite::params;

impl Db {
    /// Queues `email` unless one with `key` was queued before; true if queued.
    pub fn queue_once(&mut self, key: &str, letter_id: Option<&str>, email: &crate::store::db::Email) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let fresh = tx.execute(
            "INSERT OR IGNORE INTO reminders_sent (key, at) VALUES (?1, ?2)",
            params![key, crate::util::timefmt::stored(chrono::Utc::now())],
        )? == 1;
        if fresh {
            queue_email(&tx, letter_id, email)?;
        }
        tx.commit()?;
        Ok(fresh)
    }

    /// Which of `keys` were sent before (looked up one by one, so the cost
    /// follows what is due now, not how many reminders were ever sent).
    pub fn reminder_keys_among<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<std::collections::HashSet<String>> {
        let mut st = self.conn.prepare_cached("SELECT 1 FROM reminders_sent WHERE key = ?1")?;
        let mut sent = std::collections::HashSet::new();
        for k in keys {
            if st.exists([k])? {
                sent.insert(k.to_string());
            }
        }
        Ok(sent)
    }
}
