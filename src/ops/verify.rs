//! `suratd verify FILE`: which letter and version a file is, whether it was
//! changed since suratd recorded it, and whether its signature holds.

use crate::config::Config;
use crate::pdf::signature::{self, Anchors};
use crate::store::db::Db;
use crate::workflow::Workflow;
use crate::{letter::names, pdf::stamp, store::fsops, util::timefmt};
use anyhow::{Context, Result};
use std::fmt::Write;
use std::path::Path;

/// The answer, as text for people, and whether everything holds.
pub struct Verdict {
    pub text: String,
    pub ok: bool,
}

fn when(stored: &str) -> String {
    timefmt::parse_stored(stored).map(timefmt::human_wib).unwrap_or_else(|| stored.to_string())
}

pub fn run(cfg: &Config, wf: &Workflow, file: &Path) -> Result<Verdict> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = Db::open_existing(&cfg.database)?;
    let sha = fsops::sha256_bytes(&bytes);
    let mut out = String::new();
    let _ = writeln!(out, "file:      {}", file.display());
    let _ = writeln!(out, "sha256:    {sha}");

    let recorded = db.versions_with(&sha)?;
    let mut ok = true;
    let letter_id = match recorded.first() {
        Some((id, _, _)) => Some(id.clone()),
        None => {
            // Not a recorded version: which letter does it claim to be?
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let base = fsops::sha256_bytes(stamp::base_of(&bytes));
            names::id_in_name(&wf.id_prefix, &name)
                .or_else(|| db.versions_with(&base).ok()?.first().map(|v| v.0.clone()))
                .or_else(|| stamp::read_key(&bytes, "SuratdLetter"))
        }
    };
    match letter_id.as_deref().map(|id| db.letter(id)).transpose()?.flatten() {
        Some(l) => {
            let _ = writeln!(
                out,
                "letter:    {} ({}) {} — step {}, {}",
                l.id,
                l.number.as_deref().unwrap_or("no number"),
                l.subject,
                l.step,
                l.state
            );
            let versions = db.versions_of(&l.id)?;
            match recorded.iter().find(|v| v.0 == l.id) {
                Some((_, kind, at)) => {
                    let n = versions.iter().position(|v| v.0 == sha).map(|i| i + 1).unwrap_or(0);
                    let _ = writeln!(out, "version:   {n} of {} ({kind}), recorded {}", versions.len(), when(at));
                    let latest = versions.last().map(|v| v.0 == sha).unwrap_or(false);
                    let _ = writeln!(
                        out,
                        "matches:   yes, byte for byte{}",
                        if latest { " (the latest version)" } else { " (a newer version exists)" }
                    );
                }
                None => {
                    ok = false;
                    let _ = writeln!(
                        out,
                        "matches:   NO: this file differs from every recorded version of {} ({} versions)",
                        l.id,
                        versions.len()
                    );
                }
            }
        }
        None => {
            ok = false;
            let _ = writeln!(out, "letter:    unknown: no letter has a version with these bytes");
        }
    }

    let anchors = Anchors::load(&cfg.trust_anchors)?;
    let report = signature::check(&bytes, &anchors);
    if report.is_signed() {
        let _ = writeln!(out, "signature: {}", report.summary());
        if !report.holds() {
            ok = false;
            let _ = writeln!(out, "           does NOT hold: {}", report.problem().unwrap_or_default());
        }
    } else {
        let _ = writeln!(out, "signature: none");
    }
    Ok(Verdict { text: out, ok })
}
