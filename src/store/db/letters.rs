//! Letters and their versions: the letter rows, lookups by id, number, path
//! or bytes, and the insert of a registered letter with its id and number.

use super::Db;
use crate::letter::state::{LetterState, LetterView};
use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

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
            drafter: self.drafter.clone(),
        }
    }
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
    /// New metadata (JSON of [`crate::letter::metadata::Metadata`]); `None`
    /// keeps it.
    #[serde(default)]
    pub metadata: Option<String>,
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
    /// The office's last number before suratd in this sequence, if the
    /// workflow gives one (`letters.sequence.last_used`).
    pub last_used: Option<i64>,
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

pub(super) fn letter_from_row(r: &rusqlite::Row) -> rusqlite::Result<LetterRow> {
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

/// A letter with a number dated in the agenda's year, as the agenda shows it.
pub(crate) struct AgendaLetter {
    pub(crate) id: String,
    pub(crate) number: Option<String>,
    pub(crate) tanggal: Option<String>,
    pub(crate) subject: String,
    pub(crate) metadata: Option<String>,
    pub(crate) sifat: Option<String>,
    pub(crate) klasifikasi: Option<String>,
    pub(crate) state: String,
    pub(crate) step: String,
}

impl Db {
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

    /// Letters (not pending or void) with a version first found at `rel`,
    /// whatever its case (a draft's original name), most recent first.
    pub fn letters_drafted_as(&self, rel: &str) -> Result<Vec<LetterRow>> {
        let mut st = self.conn.prepare(
            "SELECT l.* FROM letters l JOIN versions v ON v.letter_id = l.id
             WHERE v.source = ?1 COLLATE NOCASE AND l.state NOT IN ('pending', 'void')
             GROUP BY l.id ORDER BY MAX(v.added_at) DESC, l.year DESC, l.seq DESC",
        )?;
        let rows = st.query_map([rel], letter_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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

    /// A letter's version with these bytes: its kind and the version it
    /// was made from.
    pub fn version_of(&self, letter_id: &str, sha256: &str) -> Result<Option<(String, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT kind, base_sha256 FROM versions WHERE letter_id = ?1 AND sha256 = ?2",
                [letter_id, sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
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

    /// Recorded versions with these bytes: (letter id, kind, added at).
    pub fn versions_with(&self, sha256: &str) -> Result<Vec<(String, String, String)>> {
        let mut st =
            self.conn.prepare("SELECT letter_id, kind, added_at FROM versions WHERE sha256 = ?1 ORDER BY added_at")?;
        let rows =
            st.query_map([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A letter's newest version of `kind` (e.g. `source`, the filled Word
    /// document): its sha256 and where it came from.
    pub fn latest_version(&self, letter_id: &str, kind: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sha256, source FROM versions WHERE letter_id = ?1 AND kind = ?2 ORDER BY added_at DESC, rowid DESC LIMIT 1",
                [letter_id, kind],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Where a letter's versions of `kind` came from (their `source`),
    /// oldest first, with the other versions' kinds in between: (kind,
    /// sha256, source) in the order they were kept.
    pub fn version_trail(&self, letter_id: &str) -> Result<Vec<(String, String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT kind, sha256, source FROM versions WHERE letter_id = ?1 ORDER BY added_at, rowid")?;
        let rows = st
            .query_map([letter_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
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

    /// Whether any number was given in the sequence `key` (a year, or `all`).
    pub fn numbers_given(&self, key: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM numbers WHERE scope = ?1 LIMIT 1", [key], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Letters with a number dated in `year`, in number order (not those
    /// still being registered: their numbers may yet be given back).
    pub(crate) fn agenda_letters(&self, year: i32) -> Result<Vec<AgendaLetter>> {
        let mut st = self.conn.prepare(
            "SELECT l.*, n.seq AS n_seq, n.suffix AS n_suffix FROM letters l JOIN numbers n ON n.letter_id = l.id
             WHERE n.date LIKE ?1 AND l.state <> 'pending' ORDER BY n.seq, length(n.suffix), n.suffix",
        )?;
        let rows = st
            .query_map([format!("{year}-%")], |r| {
                Ok(AgendaLetter {
                    id: r.get::<_, String>("id")?,
                    number: r.get::<_, Option<String>>("number")?,
                    tanggal: r.get::<_, Option<String>>("tanggal")?,
                    subject: r.get::<_, String>("subject")?,
                    metadata: r.get::<_, Option<String>>("metadata")?,
                    sifat: r.get::<_, Option<String>>("sifat")?,
                    klasifikasi: r.get::<_, Option<String>>("klasifikasi")?,
                    state: r.get::<_, String>("state")?,
                    step: r.get::<_, String>("step")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// Inserts a letter being registered, with its id and (when asked) its
/// number; returns both.
pub(super) fn insert_pending_letter(
    tx: &Transaction,
    prefix: &str,
    nl: &NewLetter,
) -> Result<(String, Option<String>)> {
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
        let n = insert_number(tx, &id, req, meta, nl.year)?;
        tx.execute("UPDATE letters SET number = ?2 WHERE id = ?1", params![id, n])?;
        number = Some(n);
    }
    Ok((id, number))
}

/// The numbers of a sequence that decide the next one (`numbering::allocate`
/// gives the same answer for them as for the whole sequence, read in a few
/// indexed lookups instead of every number of the year): the highest, the
/// latest dated, and every one sharing the highest sequence dated on or
/// before `date`, or else `last_used` (the base of an inserted number,
/// with its suffixes).
fn deciding_numbers(
    tx: &Transaction,
    key: &str,
    date: chrono::NaiveDate,
    last_used: Option<i64>,
) -> Result<Vec<crate::letter::numbering::Issued>> {
    let mut st = tx.prepare_cached(
        "SELECT seq, suffix, date FROM (SELECT * FROM numbers WHERE scope = ?1 ORDER BY seq DESC LIMIT 1)
         UNION ALL SELECT seq, suffix, date FROM (SELECT * FROM numbers WHERE scope = ?1 ORDER BY date DESC LIMIT 1)
         UNION ALL SELECT seq, suffix, date FROM numbers WHERE scope = ?1
           AND seq = (SELECT MAX(seq) FROM numbers WHERE scope = ?1 AND date <= ?2)
         UNION ALL SELECT seq, suffix, date FROM numbers WHERE scope = ?1 AND seq = ?3",
    )?;
    let rows = st.query_map(params![key, date.to_string(), last_used], |r| {
        let day: String = r.get(2)?;
        Ok(crate::letter::numbering::Issued { seq: r.get(0)?, suffix: r.get(1)?, date: day.parse().unwrap_or(date) })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Gives the letter the next number of its sequence (or an inserted one
/// for a back-dated letter), inside the registering transaction
/// (`this_year`: the year it is registered in).
fn insert_number(
    tx: &Transaction,
    id: &str,
    req: &NumberRequest,
    meta: &crate::letter::metadata::Metadata,
    this_year: i32,
) -> Result<String> {
    use crate::letter::numbering;
    let key = req.scope.key(req.date);
    let issued = deciding_numbers(tx, &key, req.date, req.last_used)?;
    let closed = numbering::closed(req.scope, req.date, this_year);
    let Some((seq, suffix)) = numbering::allocate(&issued, req.date, req.last_used, closed) else {
        anyhow::bail!(
            "no number for a letter dated {}: the last number of {key} is not known (set letters.sequence.last_used)",
            req.date
        );
    };
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::db::Record;

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

    /// A letter to register, with a number dated `date` (B-…/KP.650, after 57).
    pub(crate) fn numbered(date: &str) -> NewLetter {
        NewLetter {
            year: date[..4].parse().unwrap(),
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
                last_used: Some(57),
            }),
            ..nl()
        }
    }

    /// `deciding_numbers` reads a few rows of a sequence; `allocate` must
    /// give the same number from them as from all of it, whatever the
    /// sequence (inserted numbers, dates out of order, closed years,
    /// `last_used` below, at or above what was given).
    #[test]
    fn the_deciding_numbers_give_the_same_number_as_the_whole_sequence() {
        use crate::letter::numbering::{Issued, allocate};
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE numbers (scope TEXT, seq INTEGER, suffix TEXT, number TEXT, letter_id TEXT, date TEXT,
             PRIMARY KEY (scope, seq, suffix)); CREATE INDEX numbers_by_date ON numbers(scope, date);",
        )
        .unwrap();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut below = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let day = |d: u64| chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(d);
        for round in 0..400 {
            let tx = c.transaction().unwrap();
            tx.execute("DELETE FROM numbers", []).unwrap();
            let mut all = Vec::new();
            for _ in 0..below(12) {
                let (seq, suffix) = (1 + below(8) as i64, ["", "A", "B"][below(3) as usize].to_string());
                let date = day(below(40));
                let fresh = tx
                    .execute(
                        "INSERT OR IGNORE INTO numbers VALUES ('2024', ?1, ?2, ?3, 'x', ?4)",
                        params![seq, suffix, format!("{seq}{suffix}"), date.to_string()],
                    )
                    .unwrap();
                if fresh == 1 {
                    all.push(Issued { seq, suffix, date });
                }
            }
            let date = day(below(40));
            let last_used = [None, Some(below(10) as i64)][below(2) as usize];
            let closed = round % 2 == 0;
            let few = deciding_numbers(&tx, "2024", date, last_used).unwrap();
            assert_eq!(
                allocate(&few, date, last_used, closed),
                allocate(&all, date, last_used, closed),
                "round {round}: {date} last_used {last_used:?} closed {closed}"
            );
            tx.commit().unwrap();
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
    fn a_letter_of_an_earlier_year_is_inserted_or_refused_when_that_year_is_unknown() {
        let d = tempfile::tempdir().unwrap();
        let mut db = Db::open(&d.path().join("s.db")).unwrap();
        let num = |db: &Db, id: &str| db.letter(id).unwrap().unwrap().number.unwrap();
        let late = |date: &str, last_used| NewLetter {
            year: 2026,
            number: numbered(date).number.map(|n| NumberRequest { last_used, ..n }),
            ..numbered(date)
        };
        // 2025 closed with the office's last number 140: inserted after it.
        let (_, a) = db.begin_intent("SK", None, Some(&late("2025-12-20", Some(140))), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(num(&db, &a.unwrap()), "B-140A/17000/KP.650/2025");
        assert!(db.numbers_given("2025").unwrap() && !db.numbers_given("2024").unwrap());
        // 2025 is known now from its numbers in the database.
        let (_, b) = db.begin_intent("SK", None, Some(&late("2025-12-30", None)), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(num(&db, &b.unwrap()), "B-140B/17000/KP.650/2025");
        // 2024: nothing known, no number, nothing written.
        let err = db.begin_intent("SK", None, Some(&late("2024-03-01", None)), |_, _| Ok("{}".into())).unwrap_err();
        assert!(err.to_string().contains("last_used"), "{err:#}");
        assert!(!db.numbers_given("2024").unwrap());
    }

    #[test]
    fn an_undone_registration_gives_its_number_back_but_not_its_id() {
        let d = tempfile::tempdir().unwrap();
        let mut db = Db::open(&d.path().join("s.db")).unwrap();
        let num = |db: &Db, id: &str| db.letter(id).unwrap().unwrap().number;
        let (i1, a) = db.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(num(&db, a.as_deref().unwrap()).as_deref(), Some("B-058/17000/KP.650/2025"));
        db.undo_intent(i1).unwrap();
        assert_eq!(num(&db, a.as_deref().unwrap()), None, "the void letter holds no number");
        let (_, b) = db.begin_intent("SK", None, Some(&numbered("2025-06-02")), |_, _| Ok("{}".into())).unwrap();
        assert_eq!(b.as_deref(), Some("SK-2025-0002"), "the id stays used");
        assert_eq!(num(&db, b.as_deref().unwrap()).as_deref(), Some("B-058/17000/KP.650/2025"));
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
}
