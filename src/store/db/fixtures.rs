//! Rows put straight into the tables, for tests of what reads them (the
//! web board): a numbered letter in flight with one version, a transition,
//! a refused file, an email.

use super::Db;
use rusqlite::params;

/// A letter in flight, numbered and dated `date` (YYYY-MM-DD).
pub(crate) struct TestLetter<'a> {
    pub id: &'a str,
    pub seq: i64,
    pub number: &'a str,
    pub date: &'a str,
    pub subject: &'a str,
    pub sifat: &'a str,
    pub drafter: &'a str,
    pub step: &'a str,
    /// At its step since (stored UTC).
    pub since: &'a str,
    /// Its one version.
    pub sha256: &'a str,
}

impl Db {
    pub(crate) fn put_letter(&self, l: &TestLetter) {
        let year: i32 = l.date[..4].parse().unwrap();
        self.conn
            .execute(
                "INSERT INTO letters (id, year, seq, number, subject, drafter, state, step, sha256, size, mtime_ns,
                                      created_at, step_since, sifat, klasifikasi, tanggal)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, 10, 1, ?9, ?9, ?10, 'KP.650', ?11)",
                params![l.id, year, l.seq, l.number, l.subject, l.drafter, l.step, l.sha256, l.since, l.sifat, l.date],
            )
            .unwrap();
        self.conn
            .execute(
                "INSERT INTO numbers (scope, seq, number, letter_id, date) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![year.to_string(), l.seq, l.number, l.id, l.date],
            )
            .unwrap();
        self.conn
            .execute(
                "INSERT INTO versions (letter_id, sha256, size, added_at, kind) VALUES (?1, ?2, 10, ?3, 'original')",
                params![l.id, l.sha256, l.since],
            )
            .unwrap();
    }

    pub(crate) fn put_transition(&self, letter_id: &str, at: &str, action: &str) {
        self.conn
            .execute(
                "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified)
                 VALUES (?1, ?2, 'verifikasi', 'kelengkapan', ?3, 'budi', 1)",
                params![letter_id, at, action],
            )
            .unwrap();
    }

    pub(crate) fn put_rejection(&self, at: &str, reason_code: &str) {
        self.conn
            .execute(
                "INSERT INTO rejections (at, original_path, path, reason_code, reason)
                 VALUES (?1, 'a.txt', '_ditolak/a.txt', ?2, 'x')",
                params![at, reason_code],
            )
            .unwrap();
    }

    pub(crate) fn put_email(&self, at: &str, message_id: &str, state: &str) {
        self.conn
            .execute(
                "INSERT INTO outbox (created_at, kind, message_id, recipients, subject, body, state, next_attempt_at)
                 VALUES (?1, 'notify', ?2, '[]', 's', 'b', ?3, ?1)",
                params![at, message_id, state],
            )
            .unwrap();
    }

    /// Puts the letter's file (and its transitions') at `path`, with `note`
    /// on its transitions.
    pub(crate) fn put_path_and_note(&self, letter_id: &str, path: &str, note: &str) {
        self.conn.execute("UPDATE letters SET path = ?1 WHERE id = ?2", params![path, letter_id]).unwrap();
        self.conn
            .execute("UPDATE transitions SET path = ?1, note = ?2 WHERE letter_id = ?3", params![path, note, letter_id])
            .unwrap();
    }

    /// Puts in a hand delivery of the letter at `at`, with `note`.
    pub(crate) fn put_hand_delivery(&self, letter_id: &str, at: &str, note: &str) {
        self.conn
            .execute(
                "INSERT INTO dispatches (letter_id, at, method, recipients, sent_by, note)
                 VALUES (?1, ?2, 'tangan', 'Kepala BKD', 'lina', ?3)",
                params![letter_id, at, note],
            )
            .unwrap();
    }
}
