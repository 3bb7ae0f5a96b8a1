//! What the printed books and the archive record read: dispatches (with the
//! letter they belong to) and the signers found on a letter's signed file.

use super::Db;
use anyhow::Result;

/// One dispatch as the expedition book reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchLine {
    pub at: String,
    pub letter_id: String,
    pub number: Option<String>,
    pub subject: String,
    /// The letter's metadata as stored (JSON), for its addressees.
    pub metadata: Option<String>,
    /// `email`, `kurir`, `pos`, `tangan`, or `-` when the note named none.
    pub method: String,
    pub recipients: String,
    pub sent_by: Option<String>,
    pub note: Option<String>,
}

const SELECT: &str =
    "SELECT d.at, d.letter_id, l.number, l.subject, l.metadata, d.method, d.recipients, d.sent_by, d.note
     FROM dispatches d JOIN letters l ON l.id = d.letter_id";

fn line(r: &rusqlite::Row) -> rusqlite::Result<DispatchLine> {
    Ok(DispatchLine {
        at: r.get(0)?,
        letter_id: r.get(1)?,
        number: r.get(2)?,
        subject: r.get(3)?,
        metadata: r.get(4)?,
        method: r.get(5)?,
        recipients: r.get(6)?,
        sent_by: r.get(7)?,
        note: r.get(8)?,
    })
}

impl Db {
    /// The expedition book between two instants (stored UTC times), in order.
    pub fn dispatches(&self, from: &str, to: &str) -> Result<Vec<DispatchLine>> {
        let mut st = self.conn.prepare(&format!("{SELECT} WHERE d.at >= ?1 AND d.at < ?2 ORDER BY d.at, d.id"))?;
        let rows = st.query_map([from, to], line)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every dispatch of one letter, in order.
    pub fn dispatches_of(&self, letter_id: &str) -> Result<Vec<DispatchLine>> {
        let mut st = self.conn.prepare(&format!("{SELECT} WHERE d.letter_id = ?1 ORDER BY d.at, d.id"))?;
        let rows = st.query_map([letter_id], line)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The signers of a letter's signed files as checked, each once, in the
    /// order they were first found.
    pub fn signers_of(&self, letter_id: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("SELECT signer FROM signatures WHERE letter_id = ?1 ORDER BY id")?;
        let mut out: Vec<String> = Vec::new();
        for s in st.query_map([letter_id], |r| r.get::<_, String>(0))? {
            let s = s?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(out)
    }
}
