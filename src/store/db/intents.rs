//! The journal's intents: a transition under way is written before any file
//! moves, and closed (done or undone) when it has completed or been undone.

use super::Db;
use super::letters::{NewLetter, insert_pending_letter};
use super::transitions::{Record, apply_record};
use anyhow::Result;
use rusqlite::params;

/// A registered letter's id and number (none in an office without numbers).
pub type Registered = (String, Option<String>);

impl Db {
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

    /// The id and number a letter registered now would get: the same insert
    /// as `begin_intent`'s, rolled back at once (the write lock is held
    /// only for that). `begin_intent` confirms them.
    pub fn next_registration(&mut self, prefix: &str, register: &NewLetter) -> Result<(String, Option<String>)> {
        let tx = self.conn.transaction()?;
        let next = insert_pending_letter(&tx, prefix, register)?;
        tx.rollback()?;
        Ok(next)
    }

    /// The ids and numbers letters registered now, in this order, would
    /// get (a batch's `next_registration`): the same inserts, rolled back.
    pub fn next_registrations(&mut self, prefix: &str, letters: &[&NewLetter]) -> Result<Vec<Registered>> {
        let tx = self.conn.transaction()?;
        let next = letters.iter().map(|nl| insert_pending_letter(&tx, prefix, nl)).collect::<Result<Vec<_>>>()?;
        tx.rollback()?;
        Ok(next)
    }

    /// A batch's intents in one transaction: each letter gets its id and
    /// number, and its plan is written, only if they are the ones it was
    /// planned with (`planned`); if any is not (another writer took one),
    /// nothing is written and the answer is `None`.
    pub fn begin_registrations(
        &mut self,
        prefix: &str,
        batch: &[(&NewLetter, &Registered, String)],
    ) -> Result<Option<Vec<i64>>> {
        let tx = self.conn.transaction()?;
        let now = crate::util::timefmt::stored(chrono::Utc::now());
        // The batch is named by its first intent's id (the next rowid).
        let key: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM intents", [], |r| r.get(0))?;
        let mut intents = Vec::with_capacity(batch.len());
        for (nl, planned, plan_json) in batch {
            let got = insert_pending_letter(&tx, prefix, nl)?;
            if got != **planned {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO intents (created_at, letter_id, plan, state, batch) VALUES (?1, ?2, ?3, 'pending', ?4)",
                params![now, got.0, plan_json, key],
            )?;
            intents.push(tx.last_insert_rowid());
        }
        tx.commit()?;
        Ok(Some(intents))
    }

    /// Records a batch of completed transitions and closes their intents,
    /// in one transaction.
    pub fn finish_intents(&mut self, done: &[(i64, &Record)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (intent, rec) in done {
            apply_record(&tx, rec)?;
            tx.execute("UPDATE intents SET state = 'done' WHERE id = ?1", [intent])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a completed transition and closes its intent, atomically.
    pub fn finish_intent(&mut self, intent: i64, rec: &Record) -> Result<()> {
        let tx = self.conn.transaction()?;
        apply_record(&tx, rec)?;
        tx.execute("UPDATE intents SET state = 'done' WHERE id = ?1", [intent])?;
        tx.commit()?;
        Ok(())
    }

    /// Closes an intent that could not be carried out; a letter it was
    /// registering becomes void (its id stays used, never reused) and gives
    /// its number back: nobody saw it (a registration is recorded, and its
    /// emails queued, only once it is carried out), and the agenda keeps
    /// no gap (a draft renamed or deleted while suratd took it).
    pub fn undo_intent(&mut self, intent: i64) -> Result<()> {
        self.undo_intents(&[intent])
    }

    /// [`Db::undo_intent`] for several, in one transaction (the tail of a
    /// batch: all its numbers are given back, or none).
    pub fn undo_intents(&mut self, intents: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for &intent in intents {
            Self::undo_in(&tx, intent)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn undo_in(tx: &rusqlite::Transaction, intent: i64) -> Result<()> {
        tx.execute(
            "DELETE FROM numbers WHERE letter_id = (SELECT l.id FROM letters l JOIN intents i ON i.letter_id = l.id WHERE i.id = ?1 AND l.state = 'pending')",
            [intent],
        )?;
        tx.execute(
            "UPDATE letters SET state = 'void', number = NULL WHERE state = 'pending' AND id = (SELECT letter_id FROM intents WHERE id = ?1)",
            [intent],
        )?;
        tx.execute("UPDATE intents SET state = 'undone' WHERE id = ?1", [intent])?;
        Ok(())
    }

    /// Pending intents, in order, with the batch each was written in.
    pub fn pending_intents_in_batches(&self) -> Result<Vec<(i64, String, Option<i64>)>> {
        let mut st = self.conn.prepare("SELECT id, plan, batch FROM intents WHERE state = 'pending' ORDER BY id")?;
        let rows =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn pending_intents(&self) -> Result<Vec<(i64, String)>> {
        let mut st = self.conn.prepare("SELECT id, plan FROM intents WHERE state = 'pending' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
