//! The audit database (SQLite, WAL, on local disk): letters with their
//! current step and file, every version and transition, refused files, and
//! the journal of transitions under way. Schema changes are numbered
//! migrations applied at open; queries live in one submodule per table family.

mod attempts;
mod backup;
mod board;
mod books;
mod counts;
#[cfg(test)]
mod fixtures;
mod imports;
mod intents;
mod letters;
mod outbox;
mod reminders;
mod transitions;

pub use board::{LetterEmail, SignatureCheck};
pub use books::DispatchLine;
#[cfg(test)]
pub(crate) use fixtures::TestLetter;
pub use imports::{GivenNumber, ImportedLetter};
pub use intents::Registered;
pub(crate) use letters::AgendaLetter;
#[cfg(test)]
pub(crate) use letters::tests::numbered;
pub use letters::{LetterRow, LetterUpdate, NewLetter, NumberRequest, VersionRec};
pub(crate) use outbox::OutboxRow;
pub use outbox::{Attachment, Delivery, Email, Recipient};
pub use transitions::{CompanionRec, DispatchRec, Record, RejectionRec, SignatureRec, TransitionRec};

use anyhow::{Context, Result};
use rusqlite::Connection;
use std::path::Path;

/// Numbered schema migrations; `PRAGMA user_version` is how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE letters (
    id          TEXT PRIMARY KEY,       -- SK-2026-0001
    year        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    number      TEXT UNIQUE,            -- agenda number, when given
    subject     TEXT NOT NULL,
    drafter     TEXT,                   -- login of the drafter
    state       TEXT NOT NULL,          -- pending | active | finished | cancelled | void
    step        TEXT NOT NULL,
    path        TEXT,                   -- relative to the share root
    sha256      TEXT NOT NULL,          -- current version
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,          -- UTC, RFC 3339
    step_since  TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX letters_path ON letters(path);
CREATE INDEX letters_state ON letters(state);
CREATE TABLE id_counters (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE versions (
    letter_id   TEXT NOT NULL REFERENCES letters(id),
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    source      TEXT,                   -- where the file was found
    PRIMARY KEY (letter_id, sha256)
);
CREATE INDEX versions_sha ON versions(sha256);
CREATE TABLE transitions (
    id              INTEGER PRIMARY KEY,
    letter_id       TEXT NOT NULL REFERENCES letters(id),
    at              TEXT NOT NULL,
    from_step       TEXT,
    to_step         TEXT,
    action          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    actor_verified  INTEGER NOT NULL,
    sha256          TEXT,
    path            TEXT,
    note            TEXT
);
CREATE INDEX transitions_letter ON transitions(letter_id, id);
CREATE TABLE rejections (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    original_path   TEXT NOT NULL,
    path            TEXT NOT NULL,
    reason_code     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    sha256          TEXT,
    owner           TEXT,
    letter_id       TEXT
);
CREATE TABLE intents (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    letter_id   TEXT,
    plan        TEXT NOT NULL,          -- JSON, see journal.rs
    state       TEXT NOT NULL           -- pending | done | undone
);
CREATE INDEX intents_pending ON intents(state) WHERE state = 'pending';
CREATE TABLE attempts (
    path        TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    last_error  TEXT,
    updated_at  TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE letters ADD COLUMN sifat TEXT;
ALTER TABLE letters ADD COLUMN klasifikasi TEXT;
ALTER TABLE letters ADD COLUMN tanggal TEXT;          -- the letter's date, YYYY-MM-DD (WIB)
ALTER TABLE letters ADD COLUMN metadata TEXT;         -- JSON: tujuan, tembusan, lampiran, warnings
CREATE TABLE numbers (
    scope       TEXT NOT NULL,                        -- the sequence: a year, or 'all'
    seq         INTEGER NOT NULL,
    suffix      TEXT NOT NULL DEFAULT '',             -- 'A', 'B' for inserted numbers
    number      TEXT NOT NULL UNIQUE,
    letter_id   TEXT NOT NULL REFERENCES letters(id),
    date        TEXT NOT NULL,
    PRIMARY KEY (scope, seq, suffix)
);
ALTER TABLE versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'original';  -- original | stamped | signing | signed
ALTER TABLE versions ADD COLUMN base_sha256 TEXT;     -- for a stamped or signing copy: the version it was made from
"#,
    r#"
CREATE TABLE signatures (
    id          INTEGER PRIMARY KEY,
    letter_id   TEXT NOT NULL REFERENCES letters(id),
    sha256      TEXT NOT NULL,                        -- the signed file
    signer      TEXT NOT NULL,
    intact      INTEGER NOT NULL,
    trusted     INTEGER,                              -- NULL: no trust anchors configured
    problem     TEXT,
    checked_at  TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    letter_id       TEXT,
    message_id      TEXT NOT NULL UNIQUE,             -- stable across retries
    recipients      TEXT NOT NULL,                    -- JSON: [{name, email, state, error}]
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attachment_sha256 TEXT,
    attachment_name TEXT,
    state           TEXT NOT NULL,                    -- pending | sent | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE TABLE dispatches (
    id          INTEGER PRIMARY KEY,
    letter_id   TEXT NOT NULL REFERENCES letters(id),
    at          TEXT NOT NULL,
    method      TEXT NOT NULL,                        -- email | kurir | pos | tangan
    recipients  TEXT NOT NULL,
    sent_by     TEXT,
    note        TEXT
);
"#,
    r#"
CREATE TABLE reminders_sent (
    key     TEXT PRIMARY KEY,                         -- what it is about: kind, letter, step, since / person, day
    at      TEXT NOT NULL
);
"#,
    r#"
ALTER TABLE transitions ADD COLUMN approved_sha256 TEXT;  -- an approval: the version approved (the file put into setuju/)
"#,
    r#"
CREATE TABLE companions (                               -- notes and reason files a letter took off the share
    id          INTEGER PRIMARY KEY,
    letter_id   TEXT NOT NULL REFERENCES letters(id),
    name        TEXT NOT NULL,                          -- its file name on the share
    sha256      TEXT NOT NULL,                          -- its bytes, in the version store
    at          TEXT NOT NULL
);
CREATE INDEX companions_letter ON companions(letter_id);
"#,
    r#"
CREATE INDEX letters_active ON letters(state, year, seq);    -- the board and `status`: letters in flight
CREATE INDEX outbox_letter ON outbox(letter_id);             -- one letter's emails
CREATE INDEX signatures_letter ON signatures(letter_id);
"#,
    r#"
CREATE INDEX numbers_by_date ON numbers(scope, date);        -- a new number: the latest date of its sequence
ALTER TABLE intents ADD COLUMN batch INTEGER;                -- registrations written together (store/batch.rs): the batch's first intent
"#,
];

pub struct Db {
    pub conn: Connection,
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
        let conn = Connection::open(path).with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("cannot switch {} to WAL mode; is it on a network share?", path.display()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut db = Db { conn };
        db.migrate().with_context(|| format!("cannot update the schema of {}", path.display()))?;
        Ok(db)
    }

    /// Opens an existing database for reading (commands like `status`).
    pub fn open_existing(path: &Path) -> Result<Db> {
        if !path.exists() {
            anyhow::bail!(
                "no database at {}: suratd has not run with this configuration yet (start it with `suratd run`, or pass --db)",
                path.display()
            );
        }
        Db::open(path)
    }

    /// Opens the database as it is, with the busy timeout and nothing else
    /// (no pragma, no migration): the email worker's own connection.
    pub(crate) fn open_for_mail(path: &Path) -> Result<Db> {
        let conn = Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Db { conn })
    }

    fn migrate(&mut self) -> Result<()> {
        let have: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let have = have.max(0) as usize;
        if have > MIGRATIONS.len() {
            anyhow::bail!(
                "the database has schema version {have}, newer than this suratd knows ({}); use a newer suratd",
                MIGRATIONS.len()
            );
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(have) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }
}

/// Whether an error is the database's and comes from the machine rather than
/// the data: a full or read-only disk, or a database another process holds
/// locked.
pub fn is_environmental(e: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        e.downcast_ref::<rusqlite::Error>(),
        Some(rusqlite::Error::SqliteFailure(f, _)) if matches!(
            f.code,
            rusqlite::ErrorCode::DiskFull
                | rusqlite::ErrorCode::DatabaseBusy
                | rusqlite::ErrorCode::DatabaseLocked
                | rusqlite::ErrorCode::ReadOnly
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_keeps_the_schema_version() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.db");
        drop(Db::open(&p).unwrap());
        let db = Db::open(&p).unwrap();
        let v: i64 = db.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        let mode: String = db.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
}
