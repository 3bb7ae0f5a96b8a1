//! The copies suratd places instead of the file: a stamped review copy, or
//! the clean copy with the letter's keys for signing (kept in the store).

use crate::pdf::{inspect, signature, stamp};
use crate::store::db::{Record, VersionRec};
use crate::store::fsops;
use crate::store::journal::FsOp;
use crate::store::versions::Store;
use crate::util::timefmt;
use crate::workflow::templates;
use crate::workflow::{StepKind, Workflow};
use anyhow::{Context, Result};
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What a copy of a letter's file is for: the transition that places it.
pub(super) struct Copy<'a> {
    pub(super) to_step: &'a str,
    pub(super) from_step: &'a str,
    pub(super) action: &'a str,
    pub(super) id: &'a str,
    pub(super) number: Option<&'a str>,
    pub(super) at: chrono::DateTime<Utc>,
}

/// A copy suratd made of a letter's file (already in the version store).
pub(super) struct Derived {
    sha: String,
    size: i64,
    kind: &'static str,
    base_sha: String,
    source: PathBuf,
    note: Option<String>,
    /// Not a version yet (a copy just made).
    new_version: bool,
}

impl Derived {
    /// Records the copy as the letter's current file and as a version.
    pub(super) fn record_in(self, rec: &mut Record) {
        if let Some(u) = rec.update.as_mut() {
            u.sha256 = self.sha.clone();
            u.size = self.size;
            // Not known until written: the next look reads the file once.
            u.mtime_ns = 0;
        }
        if let Some(t) = rec.transition.as_mut() {
            t.sha256 = Some(self.sha.clone());
            if let Some(n) = self.note {
                t.note = Some(match t.note.take() {
                    Some(old) => format!("{old}; {n}"),
                    None => n,
                });
            }
        }
        if !self.new_version {
            return;
        }
        rec.versions.push(VersionRec {
            sha256: self.sha,
            size: self.size,
            source: format!("suratd:{}", self.kind),
            kind: self.kind.into(),
            base_sha256: Some(self.base_sha),
        });
    }
}

/// The copy of a letter's file to place at the next step: a stamped review
/// copy for a review (or the drafter), the clean copy with matching keys
/// for a step that waits for the signature, otherwise the file as it is
/// (`None`, also when the copy would be the same bytes). A file that cannot
/// be stamped goes on unstamped, with a note; it is never blocked by this,
/// nor by one whose stamping takes longer than `limit`.
pub(super) fn derive(
    wf: &Workflow,
    store: &Store,
    c: &Copy,
    bytes: &Arc<Vec<u8>>,
    sha: &str,
    limit: Duration,
) -> Result<Option<Derived>> {
    let Some(step) = wf.step(c.to_step) else { return Ok(None) };
    // A signed PDF is never rewritten.
    if signature::looks_signed(bytes) {
        return Ok(None);
    }
    let made = match step.kind {
        StepKind::Review | StepKind::Drop => {
            let peran = wf.step(c.from_step).and_then(|s| s.role.as_deref()).map(|r| wf.role_name(r)).unwrap_or("");
            let langkah = wf.step(c.from_step).map(|s| s.name.as_str()).unwrap_or("");
            let state = templates::render(
                wf.templates.stamp_state(c.from_step, c.action),
                &[("peran", peran), ("langkah", langkah)],
            );
            let waktu = timefmt::moment_id(c.at);
            let line = templates::render(
                &wf.templates.stamp,
                &[("nomor", c.number.unwrap_or(c.id)), ("surat", c.id), ("keadaan", &state), ("waktu", &waktu)],
            );
            let owned = bytes.clone();
            limited_stamp(limit, move || stamp::stamp_update(&owned, &line)).map(|s| ("stamped", s))
        }
        StepKind::Waiting => {
            let mut keys = vec![("SuratdLetter".to_string(), c.id.to_string())];
            if let Some(n) = c.number {
                keys.push(("SuratdNumber".into(), n.into()));
            }
            let owned = bytes.clone();
            limited_stamp(limit, move || {
                let keys: Vec<(&str, &str)> = keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                stamp::keys_update(&owned, &keys)
            })
            .map(|s| ("signing", s))
        }
        _ => return Ok(None),
    };
    let (kind, stamped) = match made {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(letter = c.id, error = %e, "cannot stamp this PDF; it goes on as it is");
            return Ok(None);
        }
    };
    // Written out in its parts: the draft's bytes are not copied again.
    let parts = stamped.parts(bytes);
    let new_sha = fsops::sha256_parts(&parts);
    if new_sha == sha {
        return Ok(None);
    }
    let source = store.put_parts(&new_sha, &parts).context("cannot keep the stamped copy in the store")?;
    let base = stamp::base_of(bytes);
    Ok(Some(Derived {
        size: stamped.len() as i64,
        sha: new_sha,
        kind,
        base_sha: if base.len() == bytes.len() { sha.to_string() } else { fsops::sha256_bytes(base) },
        source,
        note: stamped
            .repaired
            .is_some()
            .then(|| "the PDF's cross-reference table was repaired before stamping".to_string()),
        new_version: true,
    }))
}

/// Stamps on a thread within the processing time limit, like every other
/// reading of a PDF; a stamp that fails, panics or times out is an error.
fn limited_stamp(
    limit: Duration,
    work: impl FnOnce() -> Result<stamp::Update, stamp::StampError> + Send + 'static,
) -> Result<stamp::Update, String> {
    match inspect::limited(limit, work) {
        Some(Some(r)) => r.map_err(|e| e.to_string()),
        Some(None) => Err("the PDF reader failed on this file".into()),
        None => Err(format!("stamping took longer than {}", humantime::format_duration(limit))),
    }
}

impl Derived {
    /// A version already kept, placed as it is (the letter's own version
    /// under a reviewer's edit, when no stamp or keys are due).
    pub(super) fn stored(store: &Store, sha: &str, size: usize) -> Derived {
        Derived {
            sha: sha.into(),
            size: size as i64,
            kind: "original",
            base_sha: sha.into(),
            source: store.path_of(sha),
            note: None,
            new_version: false,
        }
    }
}

/// Moves the file on, or places suratd's copy of it instead.
pub(super) fn place_op(from: &str, from_sha: &str, to: &str, derived: Option<&Derived>) -> FsOp {
    match derived {
        None => FsOp::Move { from: from.into(), to: to.into(), sha256: Some(from_sha.into()) },
        Some(d) => FsOp::PlaceCopy {
            from: from.into(),
            from_sha256: from_sha.into(),
            to: to.into(),
            sha256: d.sha.clone(),
            source: d.source.to_string_lossy().into_owned(),
        },
    }
}
