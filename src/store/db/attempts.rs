//! Attempts at a file: how often suratd tried a file in its current state,
//! and the last error, so that a file that keeps failing is set aside.

use super::Db;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

impl Db {
    /// Runs `f` with commits that reach the operating system but are not
    /// flushed to the disk: they survive a crash of suratd (what attempt
    /// counting is for) though not a power cut, and cost no fsync.
    fn unflushed<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let r = f(&self.conn);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        r
    }

    /// Counts one more attempt at `path` in this state (a changed file starts
    /// again at 1) and returns the count, committed before the work starts
    /// so that a crash while processing still counts.
    pub fn bump_attempt(&self, path: &str, size: i64, mtime_ns: i64) -> Result<u32> {
        self.unflushed(|c| Self::bump_attempt_in(c, path, size, mtime_ns))
    }

    fn bump_attempt_in(conn: &Connection, path: &str, size: i64, mtime_ns: i64) -> Result<u32> {
        let now = crate::util::timefmt::stored(chrono::Utc::now());
        conn.execute(
            "INSERT INTO attempts (path, size, mtime_ns, count, updated_at) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT(path) DO UPDATE SET
               count = CASE WHEN size = excluded.size AND mtime_ns = excluded.mtime_ns THEN count + 1 ELSE 1 END,
               size = excluded.size, mtime_ns = excluded.mtime_ns, updated_at = excluded.updated_at",
            params![path, size, mtime_ns, now],
        )?;
        let n: u32 = conn.query_row("SELECT count FROM attempts WHERE path = ?1", [path], |r| r.get(0))?;
        Ok(n)
    }

    pub fn attempt_failed(&self, path: &str, error: &str) -> Result<()> {
        self.conn.execute("UPDATE attempts SET last_error = ?2 WHERE path = ?1", params![path, error])?;
        Ok(())
    }

    pub fn last_attempt_error(&self, path: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT last_error FROM attempts WHERE path = ?1", [path], |r| r.get(0))
            .optional()?
            .flatten())
    }

    pub fn clear_attempts(&self, path: &str) -> Result<()> {
        self.unflushed(|c| {
            c.execute("DELETE FROM attempts WHERE path = ?1", [path])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_count_per_file_state() {
        let d = tempfile::tempdir().unwrap();
        let db = Db::open(&d.path().join("s.db")).unwrap();
        assert_eq!(db.bump_attempt("01-draf/a.pdf", 1, 1).unwrap(), 1);
        assert_eq!(db.bump_attempt("01-draf/a.pdf", 1, 1).unwrap(), 2);
        assert_eq!(db.bump_attempt("01-draf/a.pdf", 2, 1).unwrap(), 1);
        db.clear_attempts("01-draf/a.pdf").unwrap();
        assert_eq!(db.bump_attempt("01-draf/a.pdf", 2, 1).unwrap(), 1);
    }
}
