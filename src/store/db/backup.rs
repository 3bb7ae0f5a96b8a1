//! The database's side of `suratd backup`: a read-only connection beside
//! the running daemon, SQLite's online backup into one self-contained file,
//! and what tells one database's backups from another's.

use super::Db;
use anyhow::{Context, Result, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;
use std::time::Duration;

/// How long a snapshot waits for a database that stays busy.
const BUSY_TRIES: u32 = 600;

impl Db {
    /// Opens an existing database for reading only: no pragma, no
    /// migration, no lock, so the running daemon is not disturbed.
    pub fn open_read_only(path: &Path) -> Result<Db> {
        if !path.is_file() {
            bail!(
                "no database at {}: suratd has not run with this configuration yet (check `database` in the config, or pass --db)",
                path.display()
            );
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .with_context(|| format!("cannot open the database {} for reading", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(Db { conn })
    }

    /// Writes a consistent copy of the whole database to `to` (a new file,
    /// in rollback-journal mode so that it is one file), checks it, and
    /// syncs it to disk. The copy is of one moment: SQLite's online backup,
    /// in one step, under a read transaction the daemon's writes do not wait
    /// for (WAL).
    pub fn snapshot(&self, to: &Path) -> Result<()> {
        let mut dst = Connection::open(to).with_context(|| format!("cannot create {}", to.display()))?;
        {
            let backup = Backup::new(&self.conn, &mut dst)
                .with_context(|| format!("cannot start the backup into {}", to.display()))?;
            let mut tries = 0;
            loop {
                match backup.step(-1).with_context(|| format!("the backup into {} failed", to.display()))? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    StepResult::Busy | StepResult::Locked if tries < BUSY_TRIES => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    _ => bail!("the database stayed busy for a minute; try the backup again"),
                }
            }
        }
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        let check: String = dst.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            bail!("the copy {} fails SQLite's check ({check}); the disk of the backup may be failing", to.display());
        }
        drop(dst);
        std::fs::File::open(to).and_then(|f| f.sync_all()).with_context(|| format!("cannot sync {}", to.display()))
    }

    /// The first letter ever recorded (id, created at): the same in every
    /// copy of one database, and in none of another's.
    pub fn first_letter(&self) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row("SELECT id, created_at FROM letters ORDER BY created_at, id LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// Whether the letter `id` was created at `created_at` here.
    pub fn has_letter_created(&self, id: &str, created_at: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM letters WHERE id = ?1 AND created_at = ?2", [id, created_at], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The last transition recorded (0 for none): transitions are only ever
    /// added, so a later copy of one database never has a smaller one.
    pub fn last_transition(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COALESCE(MAX(id), 0) FROM transitions", [], |r| r.get(0))?)
    }

    /// How many letters are recorded.
    pub fn letter_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM letters", [], |r| r.get(0))?)
    }
}
