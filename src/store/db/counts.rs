//! Counts for monitoring (`/metrics`): where the letters in flight are,
//! transitions by action, refusals by reason code, emails by state. Each a
//! single query over the table; nothing is decided here.

use super::Db;
use anyhow::Result;

impl Db {
    /// Whether the database answers a trivial question within `limit`
    /// (waiting on a writer's lock at most that long).
    pub fn answers(&self, limit: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(limit)?;
        self.conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    /// Each letter in flight as (step, since when, as stored).
    pub fn in_flight_steps(&self) -> Result<Vec<(String, String)>> {
        self.pairs("SELECT step, step_since FROM letters WHERE state = 'active'")
    }

    /// Transitions recorded, per action.
    pub fn transitions_by_action(&self) -> Result<Vec<(String, i64)>> {
        self.pairs("SELECT action, COUNT(*) FROM transitions GROUP BY action ORDER BY action")
    }

    /// Refused files recorded, per reason code.
    pub fn rejections_by_reason(&self) -> Result<Vec<(String, i64)>> {
        self.pairs("SELECT reason_code, COUNT(*) FROM rejections GROUP BY reason_code ORDER BY reason_code")
    }

    /// Emails in the outbox, per state (pending, sent, failed).
    pub fn outbox_by_state(&self) -> Result<Vec<(String, i64)>> {
        self.pairs("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
    }

    fn pairs<T: rusqlite::types::FromSql>(&self, sql: &str) -> Result<Vec<(String, T)>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
