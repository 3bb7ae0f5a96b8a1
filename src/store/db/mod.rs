//! The audit database (SQLite, WAL, on local disk): letters with their
//! current step and file, every version and transition, refused files, and
//! the journal of transitions under way. Schema changes are numbered
//! migrations applied at open.

use crate::letter::state::{LetterState, LetterView};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
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
];

pub struct Db {
    pub conn: Connection,
}

/// One letter as stored.
#[derive(Debug, Clone, Serialize)]
pub struct LetterRow {
    pub id: String,
    pub year: i32,
    pub seq: i64,
    pub number: Option<String>,
    pub subject: String,
    pub drafter: Option<String>,
    pub state: String,
    pub step: String,
    pub path: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub created_at: String,
    pub step_since: String,
    pub sifat: Option<String>,
    pub klasifikasi: Option<String>,
    pub tanggal: Option<String>,
    /// JSON of [`crate::letter::metadata::Metadata`].
    pub metadata: Option<String>,
}

impl LetterRow {
    pub fn meta(&self) -> Option<crate::letter::metadata::Metadata> {
        self.metadata.as_deref().and_then(|m| serde_json::from_str(m).ok())
    }

    pub fn view(&self) -> LetterView {
        LetterView {
            id: self.id.clone(),
            step: self.step.clone(),
            state: LetterState::parse(&self.state),
            path: self.path.clone().unwrap_or_default(),
            year: self.year,
        }
    }
}

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
}

/// A letter's new place, written when a transition completes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LetterUpdate {
    pub letter_id: String,
    pub step: String,
    pub state: String,
    pub path: String,
    pub sha256: String,
    pub size: i64,
    pub mtime_ns: i64,
    /// The step changed (so `step_since` restarts).
    pub step_changed: bool,
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

/// A letter being registered (written with its intent, as `pending`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewLetter {
    pub year: i32,
    pub subject: String,
    pub drafter: Option<String>,
    pub step: String,
    pub sha256: String,
    pub size: i64,
    pub mtime_ns: i64,
    pub at: String,
    pub meta: Option<crate::letter::metadata::Metadata>,
    pub number: Option<NumberRequest>,
}

/// What the agenda number of a new letter is made from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NumberRequest {
    pub format: String,
    pub unit: String,
    /// The letter's date (WIB): its sequence and its place in it.
    pub date: chrono::NaiveDate,
    pub scope: crate::letter::numbering::Scope,
    /// The office's last number before suratd in this sequence.
    pub last_used: i64,
}

/// A version of a letter's file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VersionRec {
    pub sha256: String,
    pub size: i64,
    /// Where it was found, or how suratd made it.
    pub source: String,
    /// `original` (from a person), `stamped` (review copy), `signing` (the
    /// clean copy for the e-signature portal), `signed`.
    pub kind: String,
    /// For a copy suratd made: the version it was made from.
    pub base_sha256: Option<String>,
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
    pub emails: Vec<crate::mail::compose::Email>,
    /// A letter sent out by hand (for the expedition book).
    #[serde(default)]
    pub dispatch: Option<DispatchRec>,
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
/// actor_verified, sha256, path, note`.
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
    })
}

fn letter_from_row(r: &rusqlite::Row) -> rusqlite::Result<LetterRow> {
    Ok(LetterRow {
        id: r.get("id")?,
        year: r.get("year")?,
        seq: r.get("seq")?,
        number: r.get("number")?,
        subject: r.get("subject")?,
        drafter: r.get("drafter")?,
        state: r.get("state")?,
        step: r.get("step")?,
        path: r.get("path")?,
        sha256: r.get("sha256")?,
        size: r.get("size")?,
        mtime_ns: r.get("mtime_ns")?,
        created_at: r.get("created_at")?,
        step_since: r.get("step_since")?,
        sifat: r.get("sifat")?,
        klasifikasi: r.get("klasifikasi")?,
        tanggal: r.get("tanggal")?,
        metadata: r.get("metadata")?,
    })
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

    pub fn letter(&self, id: &str) -> Result<Option<LetterRow>> {
        Ok(self.conn.query_row("SELECT * FROM letters WHERE id = ?1", [id], letter_from_row).optional()?)
    }

    /// A letter by id or by agenda number.
    pub fn find_letter(&self, key: &str) -> Result<Option<LetterRow>> {
        Ok(self
            .conn
            .query_row("SELECT * FROM letters WHERE id = ?1 COLLATE NOCASE OR number = ?1", [key], letter_from_row)
            .optional()?)
    }

    /// The most recent letter (not pending or void) with a version of these bytes.
    pub fn letter_by_version(&self, sha256: &str) -> Result<Option<LetterRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT l.* FROM letters l JOIN versions v ON v.letter_id = l.id
                 WHERE v.sha256 = ?1 AND l.state NOT IN ('pending', 'void')
                 ORDER BY (l.state = 'active') DESC, v.added_at DESC LIMIT 1",
                [sha256],
                letter_from_row,
            )
            .optional()?)
    }

    pub fn letter_at_path(&self, rel: &str) -> Result<Option<LetterRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM letters WHERE path = ?1 AND state NOT IN ('pending', 'void')",
                [rel],
                letter_from_row,
            )
            .optional()?)
    }

    pub fn has_version(&self, letter_id: &str, sha256: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM versions WHERE letter_id = ?1 AND sha256 = ?2", [letter_id, sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Letters still moving through the workflow, oldest first.
    pub fn in_flight(&self) -> Result<Vec<LetterRow>> {
        let mut st = self.conn.prepare("SELECT * FROM letters WHERE state = 'active' ORDER BY year, seq")?;
        let rows = st.query_map([], letter_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn all_letters(&self) -> Result<Vec<LetterRow>> {
        let mut st = self.conn.prepare("SELECT * FROM letters ORDER BY year, seq")?;
        let rows = st.query_map([], letter_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn history(&self, letter_id: &str) -> Result<Vec<TransitionRec>> {
        let mut st = self.conn.prepare(
            "SELECT letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note
             FROM transitions WHERE letter_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([letter_id], transition_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Recorded versions with these bytes: (letter id, kind, added at).
    pub fn versions_with(&self, sha256: &str) -> Result<Vec<(String, String, String)>> {
        let mut st =
            self.conn.prepare("SELECT letter_id, kind, added_at FROM versions WHERE sha256 = ?1 ORDER BY added_at")?;
        let rows =
            st.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A letter's versions, oldest first: (sha256, kind, added at).
    pub fn versions_of(&self, letter_id: &str) -> Result<Vec<(String, String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT sha256, kind, added_at FROM versions WHERE letter_id = ?1 ORDER BY added_at, rowid")?;
        let rows = st
            .query_map([letter_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every transition, by letter and in order.
    pub fn all_transitions(&self) -> Result<Vec<TransitionRec>> {
        let mut st = self.conn.prepare(
            "SELECT letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note
             FROM transitions ORDER BY letter_id, id",
        )?;
        let rows = st.query_map([], transition_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The expedition book between two instants (stored UTC times), in order:
    /// (at, letter id, number, subject, method, recipients, sent by, note).
    #[allow(clippy::type_complexity)]
    pub fn dispatches(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, Option<String>, String, String, String, Option<String>, Option<String>)>> {
        let mut st = self.conn.prepare(
            "SELECT d.at, d.letter_id, l.number, l.subject, d.method, d.recipients, d.sent_by, d.note
             FROM dispatches d JOIN letters l ON l.id = d.letter_id WHERE d.at >= ?1 AND d.at < ?2 ORDER BY d.at, d.id",
        )?;
        let rows = st
            .query_map([from, to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
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

    // --- The journal -------------------------------------------------------

    /// Writes an intent (and, for a registration, the pending letter with the
    /// next id of its year) in one transaction. Returns the intent id and the
    /// new letter id.
    pub fn begin_intent(
        &mut self,
        prefix: &str,
        letter_id: Option<&str>,
        register: Option<&NewLetter>,
        plan: impl FnOnce(Option<&str>, Option<&str>) -> Result<String>,
    ) -> Result<(i64, Option<String>)> {
        let tx = self.conn.transaction()?;
        let (new_id, number) = match register {
            Some(nl) => {
                let (id, number) = insert_pending_letter(&tx, prefix, nl)?;
                (Some(id), number)
            }
            None => (None, None),
        };
        let lid = new_id.as_deref().or(letter_id);
        let plan_json = plan(lid, number.as_deref())?;
        tx.execute(
            "INSERT INTO intents (created_at, letter_id, plan, state) VALUES (?1, ?2, ?3, 'pending')",
            params![crate::util::timefmt::stored(chrono::Utc::now()), lid, plan_json],
        )?;
        let intent = tx.last_insert_rowid();
        tx.commit()?;
        Ok((intent, new_id))
    }

    /// Records a completed transition and closes its intent, atomically.
    pub fn finish_intent(&mut self, intent: i64, rec: &Record) -> Result<()> {
        let tx = self.conn.transaction()?;
        apply_record(&tx, rec)?;
        tx.execute("UPDATE intents SET state = 'done' WHERE id = ?1", [intent])?;
        tx.commit()?;
        Ok(())
    }

    /// Records something that touches no file (a correction by `fsck`).
    pub fn record(&mut self, rec: &Record) -> Result<()> {
        let tx = self.conn.transaction()?;
        apply_record(&tx, rec)?;
        tx.commit()?;
        Ok(())
    }

    /// Closes an intent that could not be carried out; a letter it was
    /// registering becomes void (its id stays used, never reused).
    pub fn undo_intent(&mut self, intent: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE letters SET state = 'void' WHERE state = 'pending' AND id = (SELECT letter_id FROM intents WHERE id = ?1)",
            [intent],
        )?;
        tx.execute("UPDATE intents SET state = 'undone' WHERE id = ?1", [intent])?;
        tx.commit()?;
        Ok(())
    }

    pub fn pending_intents(&self) -> Result<Vec<(i64, String)>> {
        let mut st = self.conn.prepare("SELECT id, plan FROM intents WHERE state = 'pending' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Queues `email` unless one with `key` was queued before; true if queued.
    pub fn queue_once(
        &mut self,
        key: &str,
        letter_id: Option<&str>,
        email: &crate::mail::compose::Email,
    ) -> Result<bool> {
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

    // --- Attempts at a file ----------------------------------------------------

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

/// Inserts a letter being registered, with its id and (when asked) its
/// number; returns both.
fn insert_pending_letter(tx: &Transaction, prefix: &str, nl: &NewLetter) -> Result<(String, Option<String>)> {
    let seq: i64 = tx.query_row(
        "INSERT INTO id_counters (year, last) VALUES (?1, 1)
         ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
        [nl.year],
        |r| r.get(0),
    )?;
    let id = crate::letter::names::letter_id(prefix, nl.year, seq);
    let meta = nl.meta.as_ref();
    tx.execute(
        "INSERT INTO letters (id, year, seq, subject, drafter, state, step, path, sha256, size, mtime_ns, created_at, step_since,
                              sifat, klasifikasi, tanggal, metadata)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, NULL, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            nl.year,
            seq,
            nl.subject,
            nl.drafter,
            nl.step,
            nl.sha256,
            nl.size,
            nl.mtime_ns,
            nl.at,
            meta.map(|m| m.sifat.clone()),
            meta.map(|m| m.klasifikasi.clone()),
            nl.number.as_ref().map(|n| n.date.to_string()),
            meta.map(|m| serde_json::to_string(m).expect("metadata serialises")),
        ],
    )?;
    let mut number = None;
    if let (Some(req), Some(meta)) = (&nl.number, meta) {
        let n = insert_number(tx, &id, req, meta)?;
        tx.execute("UPDATE letters SET number = ?2 WHERE id = ?1", params![id, n])?;
        number = Some(n);
    }
    Ok((id, number))
}

/// Gives the letter the next number of its sequence (or an inserted one
/// for a back-dated letter), inside the registering transaction.
fn insert_number(
    tx: &Transaction,
    id: &str,
    req: &NumberRequest,
    meta: &crate::letter::metadata::Metadata,
) -> Result<String> {
    use crate::letter::numbering;
    let key = req.scope.key(req.date);
    let issued: Vec<numbering::Issued> = {
        let mut st = tx.prepare("SELECT seq, suffix, date FROM numbers WHERE scope = ?1")?;
        st.query_map([&key], |r| {
            let date: String = r.get(2)?;
            Ok(numbering::Issued { seq: r.get(0)?, suffix: r.get(1)?, date: date.parse().unwrap_or(req.date) })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let (seq, suffix) = numbering::allocate(&issued, req.date, req.last_used);
    let number = numbering::format(
        &req.format,
        &numbering::Parts {
            sifat: &meta.sifat,
            seq,
            suffix: &suffix,
            unit: &req.unit,
            klasifikasi: &meta.klasifikasi,
            date: req.date,
        },
    );
    tx.execute(
        "INSERT INTO numbers (scope, seq, suffix, number, letter_id, date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![key, seq, suffix, number, id, req.date.to_string()],
    )
    .with_context(|| format!("the number {number} is already taken"))?;
    Ok(number)
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
fn queue_email(tx: &Transaction, letter_id: Option<&str>, e: &crate::mail::compose::Email) -> Result<()> {
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

fn apply_record(tx: &Transaction, rec: &Record) -> Result<()> {
    if let Some(u) = &rec.update {
        let at = rec
            .transition
            .as_ref()
            .map(|t| t.at.clone())
            .unwrap_or_else(|| crate::util::timefmt::stored(chrono::Utc::now()));
        tx.execute(
            "UPDATE letters SET step = ?2, state = ?3, path = ?4, sha256 = ?5, size = ?6, mtime_ns = ?7,
               step_since = CASE WHEN ?8 THEN ?9 ELSE step_since END
             WHERE id = ?1",
            params![u.letter_id, u.step, u.state, u.path, u.sha256, u.size, u.mtime_ns, u.step_changed, at],
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
            "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified, sha256, path, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![t.letter_id, t.at, t.from_step, t.to_step, t.action, t.actor, t.actor_verified, t.sha256, t.path, t.note],
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

#[cfg(test)]
mod tests {
    use super::*;

    fn nl() -> NewLetter {
        NewLetter {
            year: 2026,
            subject: "Undangan".into(),
            drafter: Some("budi".into()),
            step: "verifikasi".into(),
            sha256: "ab".repeat(32),
            size: 10,
            mtime_ns: 1,
            at: "2026-01-01T00:00:00.000Z".into(),
            meta: None,
            number: None,
        }
    }

    fn numbered(date: &str) -> NewLetter {
        NewLetter {
            meta: Some(crate::letter::metadata::Metadata {
                perihal: "Undangan".into(),
                sifat: "B".into(),
                klasifikasi: "KP.650".into(),
                tanggal: None,
                tujuan: vec![],
                tembusan: vec![],
                lampiran: None,
                warnings: vec![],
            }),
            number: Some(NumberRequest {
                format: "{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}".into(),
                unit: "17000".into(),
                date: date.parse().unwrap(),
                scope: crate::letter::numbering::Scope::Year,
                last_used: 57,
            }),
            ..nl()
        }
    }

    #[test]
    fn numbers_are_given_in_order_and_inserted_for_back_dated_letters() {
        let d = tempfile::tempdir().unwrap();
        let mut db = Db::open(&d.path().join("s.db")).unwrap();
        let num = |db: &Db, id: &str| db.letter(id).unwrap().unwrap().number.unwrap();
        let (_, a) = db.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok("{}".into())).unwrap();
        let (_, b) = db.begin_intent("SK", None, Some(&numbered("2025-06-03")), |_, _| Ok("{}".into())).unwrap();
        let (_, c) = db.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok("{}".into())).unwrap();
        let (_, e) = db.begin_intent("SK", None, Some(&numbered("2026-01-02")), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(num(&db, &a.unwrap()), "B-058/17000/KP.650/2025");
        assert_eq!(num(&db, &b.unwrap()), "B-059/17000/KP.650/2025");
        assert_eq!(num(&db, &c.unwrap()), "B-058A/17000/KP.650/2025");
        // A new year starts a new sequence (last_used applies to every year here).
        assert_eq!(num(&db, &e.unwrap()), "B-058/17000/KP.650/2026");
    }

    #[test]
    fn ids_are_sequential_per_year_and_never_reused() {
        let d = tempfile::tempdir().unwrap();
        let mut db = Db::open(&d.path().join("s.db")).unwrap();
        let (i1, a) = db.begin_intent("SK", None, Some(&nl()), |_, _| Ok("{}".into())).unwrap();
        let (i2, b) = db.begin_intent("SK", None, Some(&nl()), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(a.as_deref(), Some("SK-2026-0001"));
        assert_eq!(b.as_deref(), Some("SK-2026-0002"));
        db.undo_intent(i1).unwrap();
        db.finish_intent(i2, &Record::default()).unwrap();
        let (_, c) = db.begin_intent("SK", None, Some(&nl()), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(c.as_deref(), Some("SK-2026-0003"));
        assert_eq!(db.letter("SK-2026-0001").unwrap().unwrap().state, "void");
        assert_eq!(db.pending_intents().unwrap().len(), 1);
    }

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
