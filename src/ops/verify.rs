//! `suratd verify FILE`: which letter and version a file is, whether it was
//! changed since suratd recorded it, and whether its signature holds. The
//! signature is checked without a database too (the letter part then says
//! there is none). The answer is one `Verdict`, shown as text for people or
//! as one JSON object for scripts (`signature.holds`, `signature.reasons`).

use crate::config::Config;
use crate::pdf::signature::{self, Anchors};
use crate::store::db::Db;
use crate::workflow::Workflow;
use crate::{letter::names, pdf::stamp, store::fsops, util::timefmt};
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// The answer; `ok` when everything checked holds.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub file: String,
    pub sha256: String,
    /// Why the letter part was not checked (no database), else null.
    pub database: Option<String>,
    /// The letter the file is (or claims to be); null when unknown or not checked.
    pub letter: Option<LetterPart>,
    pub signature: SignaturePart,
    pub ok: bool,
}

/// The file against the audit trail.
#[derive(Debug, Serialize)]
pub struct LetterPart {
    pub id: String,
    pub number: Option<String>,
    pub subject: String,
    pub step: String,
    pub state: String,
    /// The file is one of the letter's recorded versions, byte for byte.
    pub matches: bool,
    /// Which version (1-based) and of how many; null when it matches none.
    pub version: Option<usize>,
    pub versions: usize,
    pub kind: Option<String>,
    /// When that version was recorded (ISO 8601, WIB).
    pub recorded: Option<String>,
    pub latest: bool,
}

/// The file's signatures.
#[derive(Debug, Serialize)]
pub struct SignaturePart {
    pub signed: bool,
    pub holds: bool,
    /// Why it does not hold, each a plain sentence (Indonesian); empty when it holds.
    pub reasons: Vec<String>,
    pub summary: String,
    pub signatures: Vec<SignatureLine>,
}

#[derive(Debug, Serialize)]
pub struct SignatureLine {
    pub signer: String,
    pub timestamp: bool,
    pub intact: bool,
    pub trusted: Option<bool>,
    pub problem: Option<String>,
}

/// Reads a regular file; a FIFO, socket, device or folder is refused
/// without waiting on it.
fn read_regular(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    if !f.metadata().with_context(|| format!("cannot read {}", file.display()))?.is_file() {
        anyhow::bail!(
            "{} is not a regular file (a pipe, socket, device or folder); give the path of a PDF",
            file.display()
        );
    }
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(bytes)
}

pub fn run(cfg: &Config, wf: &Workflow, file: &Path) -> Result<Verdict> {
    let bytes = read_regular(file)?;
    let sha256 = fsops::sha256_bytes(&bytes);
    let anchors = Anchors::load(&cfg.trust_anchors)?;
    let limit = cfg.processing.timeout;
    let owned = bytes.clone();
    let mut report = crate::pdf::inspect::limited(limit, move || signature::check(&owned, &anchors))
        .with_context(|| {
            format!(
                "checking the signature of {} took longer than processing.timeout ({}): the file may be built \
                 to stall PDF readers; it is not verified",
                file.display(),
                humantime::format_duration(limit)
            )
        })?
        .with_context(|| format!("the PDF reader failed on {}: it is not verified", file.display()))?;
    let wrong_signer = wrong_signer(wf, &mut report);
    let mut signature = signature_part(&report);
    if let Some(why) = wrong_signer {
        signature.holds = false;
        signature.reasons.push(why);
    }
    let (database, letter, letter_ok) = if cfg.database.exists() {
        let db = Db::open_existing(&cfg.database)?;
        let owned = bytes.clone();
        let key =
            crate::pdf::inspect::limited(limit, move || stamp::read_key(&owned, "SuratdLetter")).flatten().flatten();
        let letter = letter_part(&db, wf, file, &bytes, &sha256, key)?;
        let ok = letter.as_ref().is_some_and(|l| l.matches);
        (None, letter, ok)
    } else {
        let why = format!("no database at {}, so only the signature is checked", cfg.database.display());
        (Some(why), None, true)
    };
    // Without a database only the signature is checked, and must hold; with
    // one, an unsigned file that is a recorded version is fine.
    let signature_ok = match database {
        Some(_) => signature.holds,
        None => signature.holds || !signature.signed,
    };
    // A file brought in from the old register was never seen by suratd
    // going through the steps: only its own signature can vouch for it.
    let imported = letter.as_ref().is_some_and(|l| l.kind.as_deref() == Some("imported"));
    let ok = letter_ok && signature_ok && (!imported || signature.holds);
    Ok(Verdict { file: file.display().to_string(), sha256, database, letter, signature, ok })
}

/// Why the signers may sign at none of the workflow's signed-drop steps
/// (the signed drop's own answer), or `None` when they may at one, or the
/// signature does not hold anyway.
fn wrong_signer(wf: &Workflow, report: &mut signature::Report) -> Option<String> {
    if !report.holds() {
        return None;
    }
    let mut why = None;
    for step in wf.steps.iter().filter(|s| s.kind == crate::workflow::StepKind::SignedDrop) {
        match crate::pipeline::signers::refusal(wf, step, report) {
            None => return None,
            Some(w) => why = why.or(Some(w)),
        }
    }
    why
}

fn signature_part(r: &signature::Report) -> SignaturePart {
    SignaturePart {
        signed: r.is_signed(),
        holds: r.holds(),
        reasons: r.reasons(),
        summary: r.summary(),
        signatures: r
            .signatures
            .iter()
            .map(|s| SignatureLine {
                signer: s.signer.clone(),
                timestamp: s.timestamp,
                intact: s.intact,
                trusted: s.trusted,
                problem: s.problem.clone(),
            })
            .collect(),
    }
}

/// Which letter the file is a version of, else which it claims to be (its
/// name, its unstamped base, the `key` suratd wrote into it, read within
/// the time limit).
fn letter_part(
    db: &Db,
    wf: &Workflow,
    file: &Path,
    bytes: &[u8],
    sha: &str,
    key: Option<String>,
) -> Result<Option<LetterPart>> {
    let recorded = db.versions_with(sha)?;
    let letter_id = match recorded.first() {
        Some((id, _, _)) => Some(id.clone()),
        None => {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let base = fsops::sha256_bytes(stamp::base_of(bytes));
            names::id_in_name(&wf.id_prefix, &name)
                .or_else(|| db.versions_with(&base).ok()?.first().map(|v| v.0.clone()))
                .or(key)
        }
    };
    let Some(l) = letter_id.as_deref().map(|id| db.letter(id)).transpose()?.flatten() else {
        return Ok(None);
    };
    let versions = db.versions_of(&l.id)?;
    let mine = recorded.iter().find(|v| v.0 == l.id);
    let version = mine.and_then(|_| versions.iter().position(|v| v.0 == sha)).map(|i| i + 1);
    Ok(Some(LetterPart {
        matches: mine.is_some(),
        version,
        versions: versions.len(),
        kind: mine.map(|v| v.1.clone()),
        recorded: mine.map(|v| timefmt::parse_stored(&v.2).map(timefmt::iso_wib).unwrap_or_else(|| v.2.clone())),
        latest: mine.is_some() && versions.last().is_some_and(|v| v.0 == sha),
        id: l.id,
        number: l.number,
        subject: l.subject,
        step: l.step,
        state: l.state,
    }))
}

impl Verdict {
    /// The answer as text for people (English, like the other commands).
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "file:      {}", self.file);
        let _ = writeln!(out, "sha256:    {}", self.sha256);
        match (&self.database, &self.letter) {
            (Some(why), _) => {
                let _ = writeln!(out, "letter:    not checked: {why} (pass --db for the audit trail)");
            }
            (None, None) => {
                let _ = writeln!(out, "letter:    unknown: no letter has a version with these bytes");
            }
            (None, Some(l)) => letter_text(&mut out, l),
        }
        let s = &self.signature;
        if self.letter.as_ref().is_some_and(|l| l.kind.as_deref() == Some("imported")) {
            let _ = writeln!(
                out,
                "imported:  brought in from the old register (suratd import): suratd did not see it through the \
                 workflow; only a signature that holds vouches for it"
            );
        }
        if s.signed {
            let _ = writeln!(out, "signature: {}", s.summary);
            if !s.holds {
                let _ = writeln!(out, "           does NOT hold: {}", s.reasons.join("; "));
            }
        } else {
            let _ = writeln!(out, "signature: none");
        }
        out
    }
}

/// `--export-chain DIR`: writes each signature's certificate chain from
/// `file` into `dir` as PEM files (`tte1-1-NAME.pem` the signer, then its
/// issuers; a self-signed one is the root, `-root` in its name) and says
/// for each what it is, with its SHA-256 fingerprint to compare with the
/// authority's. An existing file with other content is never overwritten.
pub fn export_chain(file: &Path, dir: &Path) -> Result<Vec<String>> {
    use crate::pdf::chain;
    let bytes = read_regular(file)?;
    let chains = chain::chains(&bytes)?;
    if chains.iter().all(Vec::is_empty) {
        anyhow::bail!("{} carries no signer certificate (is it signed?)", file.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut lines = Vec::new();
    for (i, certs) in chains.iter().enumerate() {
        for (j, c) in certs.iter().enumerate() {
            let root = chain::is_self_signed(c);
            let cn = signature::subject_of(c)
                .into_iter()
                .find(|(k, _)| k == "CN")
                .map(|(_, v)| v)
                .unwrap_or_else(|| "certificate".into());
            let safe: String = cn.chars().map(|ch| if ch.is_alphanumeric() { ch } else { '-' }).collect();
            let name = format!("tte{}-{}-{safe}{}.pem", i + 1, j + 1, if root { "-root" } else { "" });
            let path = dir.join(&name);
            let pem = c.to_pem()?;
            match std::fs::read(&path) {
                Ok(old) if old == pem => {}
                Ok(_) => anyhow::bail!("{} exists with other content; choose an empty folder", path.display()),
                Err(_) => fsops::write_new(&path, &pem).with_context(|| format!("cannot write {}", path.display()))?,
            }
            let what = match (j, root) {
                (0, _) => "signer".to_string(),
                (_, true) => "ROOT (self-signed): install as a trust anchor once its fingerprint is confirmed".into(),
                _ => "intermediate".into(),
            };
            lines.push(format!("{}: {what}: {cn}; SHA-256 {}", path.display(), chain::fingerprint(c)));
        }
        if let Some(top) = certs.last().filter(|c| !chain::is_self_signed(c)) {
            let issuer = format!("{:?}", top.issuer_name());
            lines.push(format!(
                "signature {}: the file does not carry the root; its issuer is {issuer}: get that certificate from the e-signature authority",
                i + 1
            ));
        }
    }
    Ok(lines)
}

fn letter_text(out: &mut String, l: &LetterPart) {
    let number = l.number.as_deref().unwrap_or("no number");
    let _ = writeln!(out, "letter:    {} ({number}) {} — step {}, {}", l.id, l.subject, l.step, l.state);
    if l.matches {
        let when = l.recorded.as_deref().and_then(|r| chrono::DateTime::parse_from_rfc3339(r).ok());
        let when = when.map(|t| timefmt::human_wib(t.to_utc())).unwrap_or_default();
        let kind = l.kind.as_deref().unwrap_or("?");
        let _ = writeln!(out, "version:   {} of {} ({kind}), recorded {when}", l.version.unwrap_or(0), l.versions);
        let newest = if l.latest { " (the latest version)" } else { " (a newer version exists)" };
        let _ = writeln!(out, "matches:   yes, byte for byte{newest}");
    } else {
        let _ = writeln!(
            out,
            "matches:   NO: this file differs from every recorded version of {} ({} versions)",
            l.id, l.versions
        );
    }
}
