//! Letters brought in from an office's old register (`suratd import`):
//! which numbers are in use already, the ids the next imported letters of a
//! year will get, and the insert of a batch in one transaction (letter,
//! number kept as written, version, one `import` transition each).

use super::Db;
use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, params};

/// One letter of the old register, ready to insert.
#[derive(Debug, Clone)]
pub struct ImportedLetter {
    /// Its id, as [`Db::next_import_ids`] gave it.
    pub id: String,
    pub year: i32,
    pub seq_in_year: i64,
    pub number: String,
    pub subject: String,
    pub sifat: String,
    pub klasifikasi: String,
    pub tanggal: Option<String>,
    /// JSON of the letter's metadata.
    pub metadata: String,
    /// `finished` or `cancelled`.
    pub state: String,
    pub step: String,
    /// Its file on the share and the file's bytes, when it has one.
    pub path: Option<String>,
    pub sha256: String,
    pub size: i64,
    /// The sequence it belongs to (`numbers.scope`), its place in it (a
    /// number without one: 0 and the number itself as suffix), its date.
    pub scope: String,
    pub seq: i64,
    pub suffix: String,
    pub number_date: String,
    /// Where it came from: `REGISTER.csv:LINE`.
    pub source: String,
}

/// A number given, as `suratd import` compares the register with it.
#[derive(Debug, Clone)]
pub struct GivenNumber {
    pub scope: String,
    pub seq: i64,
    pub suffix: String,
    pub number: String,
    pub letter_id: String,
    pub date: String,
    pub imported: bool,
}

impl Db {
    /// Every number given: (sequence, number, suffix, the number as
    /// written, letter id, date, whether it was imported).
    pub fn numbers_given_all(&self) -> Result<Vec<GivenNumber>> {
        let mut st = self.conn.prepare(
            "SELECT n.scope, n.seq, n.suffix, n.number, n.letter_id, n.date,
                    EXISTS (SELECT 1 FROM transitions t WHERE t.letter_id = n.letter_id AND t.action = 'import')
             FROM numbers n",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(GivenNumber {
                    scope: r.get(0)?,
                    seq: r.get(1)?,
                    suffix: r.get(2)?,
                    number: r.get(3)?,
                    letter_id: r.get(4)?,
                    date: r.get(5)?,
                    imported: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The last letter id counter of `year` (0 when none was given).
    pub fn last_id_of(&self, year: i32) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT last FROM id_counters WHERE year = ?1", [year], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Inserts a batch of imported letters in one transaction; `at` is the
    /// time of the import and `actor` who ran it.
    pub fn insert_imported(&mut self, batch: &[ImportedLetter], at: &str, actor: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        for l in batch {
            tx.execute(
                "INSERT INTO letters (id, year, seq, number, subject, drafter, state, step, path, sha256, size, mtime_ns,
                                      created_at, step_since, sifat, klasifikasi, tanggal, metadata)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?11, ?12, ?13, ?14, ?15)",
                params![
                    l.id, l.year, l.seq_in_year, l.number, l.subject, l.state, l.step, l.path, l.sha256, l.size, at,
                    l.sifat, l.klasifikasi, l.tanggal, l.metadata
                ],
            )
            .with_context(|| format!("cannot record {} ({})", l.number, l.source))?;
            tx.execute(
                "INSERT INTO id_counters (year, last) VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE SET last = MAX(last, ?2)",
                params![l.year, l.seq_in_year],
            )?;
            tx.execute(
                "INSERT INTO numbers (scope, seq, suffix, number, letter_id, date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![l.scope, l.seq, l.suffix, l.number, l.id, l.number_date],
            )
            .with_context(|| format!("the number {} is already taken ({})", l.number, l.source))?;
            if !l.sha256.is_empty() {
                tx.execute(
                    "INSERT OR IGNORE INTO versions (letter_id, sha256, size, added_at, source, kind, base_sha256)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'imported', NULL)",
                    params![l.id, l.sha256, l.size, at, l.source],
                )?;
            }
            tx.execute(
                "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note)
                 VALUES (?1, ?2, NULL, ?3, 'import', ?4, 0, ?5, ?6, ?7)",
                params![
                    l.id,
                    at,
                    l.step,
                    actor,
                    Some(&l.sha256).filter(|s| !s.is_empty()),
                    l.path,
                    format!("imported from {}", l.source)
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
