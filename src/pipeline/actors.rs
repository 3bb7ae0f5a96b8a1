//! Who moved or placed a file, from Samba's audit records
//! (`samba.audit_log`): the record of a file created at, or moved or
//! renamed to, the file's path, looked for while the file is younger than
//! `samba.audit_wait`; found, its login is the verified actor.

use super::Pipeline;
use super::intake::Arrival;
use crate::decide::Content;
use crate::watch::audit::tail;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime};

/// A record older than the file's last change by more than this is of an
/// earlier move (smbd may change the file's attributes just after it).
const SLACK: Duration = Duration::from_secs(30);

/// Files whose record was taken, remembered (for a file looked at again)
/// up to this many.
const JOINED: usize = 4096;

/// The login a file's record named, by the file's path and status-change
/// time (each record is taken from the log once).
pub(super) type Joined = std::collections::HashMap<(String, i64, i64), String>;

/// What the audit log says about an arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Audited {
    /// Nothing to look for (no audit log configured, or a file where suratd
    /// put it), or no record came within the wait: unverified, as without it.
    Unverified,
    /// The Samba login that made the move or wrote the file.
    By(String),
    /// No record yet, and the file is young: look again after this long.
    Wait(Duration),
}

impl Pipeline {
    /// Reads what smbd wrote since the last look (every few seconds, so a
    /// rotation of its log never removes records not yet read).
    pub(crate) fn poll_audit(&mut self) {
        if let Some(t) = self.audit.as_mut() {
            t.poll();
        }
    }

    /// Looks for the audit record of an arrival: a new file or new bytes, or
    /// a letter's file away from where suratd recorded it.
    pub(super) fn audited(&mut self, a: &Arrival) -> Audited {
        let moved = a.letter.as_ref().is_some_and(|l| l.path.as_deref() != Some(a.rel));
        if a.content == Content::Known && !moved {
            return Audited::Unverified;
        }
        self.audited_file(a.rel, a.meta, a.letter.as_ref().map(|l| l.id.as_str()))
    }

    /// Who placed the file at `rel` that belongs to no letter yet (a late
    /// sidecar or note): the audit record's login (verified), else the
    /// file's owner; `Err` with how long to wait for a record still due.
    pub(super) fn placed_by(
        &mut self,
        rel: &str,
        meta: &std::fs::Metadata,
    ) -> std::result::Result<(Option<String>, String), std::time::Duration> {
        let audited = match self.audited_file(rel, meta, None) {
            Audited::Wait(d) => return Err(d),
            Audited::By(login) => Some(login),
            Audited::Unverified => None,
        };
        self.verified_actor = audited.clone();
        let placed_by = audited.clone().unwrap_or_else(|| super::owner::login_of(meta));
        Ok((audited, placed_by))
    }

    /// Looks for the audit record of the file at `rel` (of `letter`, if
    /// known) that placed it there.
    pub(super) fn audited_file(&mut self, rel: &str, meta: &std::fs::Metadata, letter: Option<&str>) -> Audited {
        let wait = self.cfg.samba.audit_wait;
        let Some(tail) = self.audit.as_mut() else { return Audited::Unverified };
        let joined = &mut self.joined;
        let letter = letter.unwrap_or("-");
        // Looked at before (the decision waited for a note, say): the same
        // record, as long as the file did not change since.
        let key = (rel.to_string(), meta.ctime(), meta.ctime_nsec());
        if let Some(login) = joined.get(&key) {
            return Audited::By(login.clone());
        }
        tail.poll();
        let changed = SystemTime::UNIX_EPOCH
            + Duration::from_secs(meta.ctime().max(0) as u64)
            + Duration::from_nanos(meta.ctime_nsec().max(0) as u64);
        let not_before = tail::local(changed.checked_sub(SLACK).unwrap_or(SystemTime::UNIX_EPOCH));
        if let Some(r) = tail.take(rel.as_bytes(), not_before) {
            tracing::debug!(letter, file = rel, login = %r.user, op = ?r.op, "the audit log names who placed the file");
            if joined.len() >= JOINED {
                joined.clear();
            }
            joined.insert(key, r.user.clone());
            return Audited::By(r.user);
        }
        let age = SystemTime::now().duration_since(changed).unwrap_or_default();
        if age < wait {
            return Audited::Wait((wait - age).min(Duration::from_millis(500)));
        }
        if tail.evicted_since(not_before) {
            tracing::warn!(
                security = true,
                letter,
                file = rel,
                "Samba audit records were pushed out of memory before they could be joined (a flood of operations on the share?); the file's actor cannot be verified"
            );
        } else {
            tracing::info!(letter, file = rel, wait = ?wait, "no Samba audit record for the file within samba.audit_wait; its actor stays unverified");
        }
        Audited::Unverified
    }
}
