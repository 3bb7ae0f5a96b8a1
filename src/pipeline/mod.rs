//! One settled file, from arrival to its next place. The parts, in the
//! order a file meets them:
//!
//! 1. `Pipeline::process` (here): leaves out what is not suratd's business
//!    and counts attempts, so a file that fails again and again is set
//!    aside instead of trapping the service.
//! 2. `intake`: where the file is, what is in it (`crate::convert`, the
//!    conversion stage: Word/ODT to PDF; inspect: is it a good PDF), which letter it belongs
//!    to, a new draft's metadata. With it: `companions` (a draft's `.yaml`
//!    sidecar, a reviewer's `.txt` note), `signed` (a signed file from the
//!    portal: its signature, its letter), `owner` (who placed it), and
//!    `late`: a sidecar that came after its draft was registered (it
//!    updates its letter or is refused), and `notes`: a reviewer's note
//!    that came after its letter was sent back (it joins that return or is
//!    refused), a return's note named for its round, and the notes and
//!    reason files a letter takes along when it leaves a folder. And
//!    `word`: a Word or OpenDocument draft inspected, filled with its
//!    number and converted to PDF (a new one by `register`, a corrected one
//!    here), its filled document beside the letter wherever it goes.
//! 3. `facts`: what `crate::decide` (pure) is told, and its decision.
//! 4. `Pipeline::act` (here) hands the decision to one transition:
//!    - `register`: a new draft becomes a letter (id, number);
//!    - `advance`: a letter moves on to its next step, or is recorded in
//!      place (renamed, new version);
//!    - `returns`: sent back to the drafter by a check, or put back when
//!      moved by hand where its step does not lead;
//!    - `refuse`: to the rejected folder, with a reason file.
//! 5. What the transitions share: `copies` (stamped and signing copies),
//!    `edits` (a reviewer's incremental save of a copy: kept as a version,
//!    never what a copy is built from),
//!    `record` (the database record and emails), `archive` (a finished
//!    letter's folder), `places` (destination folders, free names, tidying),
//!    and here `keep` (a version into the store) and `execute` (journal).
//!
//! Every transition is carried out through `store::journal`: intent, file
//! operations, commit. A new kind of transition: a `Decision` variant in
//! `crate::decide`, a module here, and an arm in `act`.

mod actors;
mod advance;
mod archive;
mod batch;
mod companions;
mod copies;
mod edits;
mod facts;
mod intake;
mod late;
mod missing;
mod notes;
pub(crate) mod owner;
mod places;
pub(crate) mod reasons;
mod record;
mod refuse;
mod register;
mod returns;
mod signed;
pub(crate) mod signers;
mod word;

use crate::config::Config;
use crate::decide::{Content, Decision, WaitFor};
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::pdf::signature::{self, Anchors};
use crate::store::db::{Db, Record};
use crate::store::fsops;
use crate::store::journal::{self, FsOp, Plan};
use crate::store::versions::Store;
use crate::watch::settle::Seen;
use crate::workflow::Workflow;
use crate::workflow::layout;
use advance::Move;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use companions::is_companion;
use facts::Judged;
use intake::Arrival;
use places::file_name;
use register::Drafted;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use word::Word;

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Handled (moved, recorded, refused), or nothing to do.
    Done,
    /// Look again after this long.
    Defer(Duration),
    /// Not suratd's business (outside the workflow, a temporary file, gone).
    Skipped,
    /// A new draft waiting for its batch (`process_all`), which says what
    /// became of it.
    Queued,
}

/// Processes settled files one at a time: the configuration, the workflow,
/// the database and the version store it works with.
pub(crate) struct Pipeline {
    pub(crate) cfg: Config,
    pub(crate) wf: Arc<Workflow>,
    pub(crate) db: Db,
    pub(crate) store: Store,
    /// Certificates a signer's chain must reach (none configured: only the
    /// signatures themselves are checked).
    pub(crate) anchors: Arc<Anchors>,
    /// Samba's audit log, followed (`samba.audit_log`), for verified actors.
    pub(crate) audit: Option<crate::watch::audit::tail::Tail>,
    /// The Samba login the audit log names for the file being processed
    /// (set by `act`, cleared for each file): a refusal's owner.
    verified_actor: Option<String>,
    /// Files already joined with their audit record.
    joined: actors::Joined,
    /// LibreOffice, for Word and OpenDocument drafts.
    pub(crate) converter: Arc<crate::convert::soffice::Converter>,
    /// New drafts waiting to be registered together (`process_all`).
    batch: Option<Vec<register::Ready>>,
    /// The file being processed is tried for the first time.
    first_try: bool,
}

impl Pipeline {
    pub(crate) fn open(cfg: Config, wf: Arc<Workflow>) -> Result<Pipeline> {
        let db = Db::open(&cfg.database)?;
        let store = Store::new(cfg.store_dir());
        let anchors = Arc::new(Anchors::load(&cfg.trust_anchors)?);
        let audit = cfg.samba.audit_log.as_ref().map(|p| crate::watch::audit::tail::Tail::new(p.as_str(), &cfg.root));
        let converter =
            Arc::new(crate::convert::soffice::Converter::new(crate::convert::soffice::Settings::from_config(&cfg)));
        Ok(Pipeline {
            cfg,
            wf,
            db,
            store,
            anchors,
            audit,
            verified_actor: None,
            joined: Default::default(),
            converter,
            batch: None,
            first_try: true,
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.cfg.root
    }

    /// Completes or undoes transitions a crash left half done.
    pub(crate) fn recover(&mut self) -> Result<Vec<journal::Recovered>> {
        let root = self.cfg.root.clone();
        journal::recover(&mut self.db, &root)
    }

    /// Whether suratd should look at files under `abs` at all.
    pub(crate) fn wants(&self, abs: &Path) -> bool {
        let Some(rel) = fsops::rel_path(&self.cfg.root, abs) else {
            return false;
        };
        let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if self.cfg.ignored(&name) || name.starts_with(".") && name.ends_with(".tmp") {
            return false;
        }
        layout::classify(&self.wf, &rel).is_watched()
    }

    /// Processes one settled file (`seen` is its state when it settled).
    pub(crate) fn process(&mut self, abs: &Path, seen: Seen) -> Result<Outcome> {
        self.verified_actor = None;
        if let Some(renamed) = self.readable_name(abs)? {
            return Ok(renamed);
        }
        let Some(rel) = fsops::rel_path(&self.cfg.root, abs) else {
            return Ok(Outcome::Skipped);
        };
        let wf = self.wf.clone();
        let place = layout::classify(&wf, &rel);
        if !place.is_watched() {
            return Ok(Outcome::Skipped);
        }
        let Ok(meta) = fs::symlink_metadata(abs) else {
            return Ok(Outcome::Skipped);
        };
        if meta.is_dir() {
            return Ok(Outcome::Skipped);
        }
        let name = file_name(abs);
        if self.cfg.ignored(&name) {
            return Ok(Outcome::Skipped);
        }
        // Sidecars and notes are read with their letter; a link or special
        // file among them is refused (below) and never read. A sidecar
        // beside its draft waits for it (the draft takes it, or leaves it
        // behind as a late sidecar); one alone is a late sidecar (below).
        if is_companion(&name) {
            match self.sidecar_in_drafts(abs, &place) {
                late::Sidecar::WithDraft => {
                    return Ok(Outcome::Defer(self.cfg.watch.settle.max(self.cfg.processing.sidecar_wait)));
                }
                late::Sidecar::Late => {}
                // A reviewer's note alone where letters are sent back from
                // is a late note (below); beside a PDF, the PDF takes it.
                late::Sidecar::No if meta.is_file() => match self.note_alone(abs, &place) {
                    Some(true) => {}
                    Some(false) => {
                        return Ok(Outcome::Defer(self.cfg.processing.note_wait.max(Duration::from_secs(1))));
                    }
                    None => return Ok(Outcome::Skipped),
                },
                late::Sidecar::No => {}
            }
        }

        // Where suratd put it, unchanged since: nothing to read or count.
        if let Some(l) = self.db.letter_at_path(&rel)?
            && l.size == meta.len() as i64
            && l.mtime_ns == mtime_ns(&meta) as i64
            && LetterState::parse(&l.state) == LetterState::Active
        {
            return Ok(Outcome::Done);
        }

        let attempts = self.db.bump_attempt(&rel, seen.size as i64, seen.mtime_ns as i64)?;
        if attempts > self.cfg.processing.attempts {
            let last = self.db.last_attempt_error(&rel)?.unwrap_or_else(|| "stopped without a message".into());
            tracing::error!(file = %rel, attempts, error = %last, "setting the file aside after repeated failures");
            // The error is the log's (English); people read how often it was tried.
            let tried = format!("sudah dicoba {} kali", attempts - 1);
            self.reject(&rel, &meta, &place, None, Reason::FailedRepeatedly, &tried)?;
            self.db.clear_attempts(&rel)?;
            return Ok(Outcome::Done);
        }
        self.first_try = attempts == 1;
        match self.handle(abs, &rel, &meta, &place) {
            // Counted once its batch is registered.
            Ok(Outcome::Queued) => Ok(Outcome::Queued),
            // Waiting (still copying, a note to come) is not a failure; a
            // full disk or a locked database is not the file's fault: it
            // is tried again (the daemon backs off) without counting.
            result => self.count_attempt(&rel, result),
        }
    }

    /// Decides what becomes of an arrival and hands it to that transition.
    fn act(&mut self, a: Arrival) -> Result<Outcome> {
        let audited = match self.audited(&a) {
            actors::Audited::Wait(d) => return Ok(Outcome::Defer(d)),
            actors::Audited::By(login) => Some(login),
            actors::Audited::Unverified => None,
        };
        self.verified_actor = audited.clone();
        let Judged { decision, original_present, on_behalf, edit: (edit, edit_on) } =
            self.judge(&a, audited.as_deref())?;
        let Arrival { abs, rel, meta, place, letter, content, data, described, signed: (_, report), .. } = a;
        let now = Utc::now();
        let login = audited.clone().unwrap_or_else(|| owner::login_of(meta));
        let person = self.wf.person(&login).map(|p| p.login.clone()).unwrap_or(login.clone());
        // A letter's file suratd wrote, edited where it lies (or edited, then
        // moved): its owner is the service user, which names nobody.
        let suratds_file = letter.as_ref().is_some_and(|l| l.path.as_deref() == Some(rel) || !original_present);
        let person = if audited.is_none() && content != Content::Known && suratds_file && owner::is_service_user(meta) {
            owner::UNKNOWN_ACTOR.to_string()
        } else {
            person
        };
        let job = Job {
            abs,
            rel,
            meta,
            data: data.as_ref(),
            new_content: content != Content::Known,
            original_present,
            report: report.as_ref(),
            person,
            verified: audited.is_some(),
            on_behalf,
            edit,
            edit_on,
            now,
        };
        // `decide` names a transition of a letter only for a file whose
        // letter it was told of, and one that needs the bytes only for a
        // file that was read; otherwise it is an error, not a guess.
        let letter = letter.as_ref();
        let known = || {
            letter.with_context(|| {
                format!("internal error: {rel} was decided on as a letter's file, but it has no letter")
            })
        };
        let read = || job.data.with_context(|| format!("internal error: {rel} was decided on without reading it"));
        match decision {
            Decision::Nothing => Ok(Outcome::Done),
            Decision::NeedText => anyhow::bail!("internal error: undecided ({decision:?})"),
            Decision::Wait(WaitFor::Copying) => Ok(Outcome::Defer(Duration::from_secs(2))),
            Decision::Wait(WaitFor::Note) => Ok(Outcome::Defer(Duration::from_millis(500))),
            Decision::Reject { reason, detail } => {
                self.reject(rel, meta, place, letter, reason, &detail)?;
                Ok(Outcome::Done)
            }
            Decision::Register { to_step, dest, action } => {
                let Some(Ok(draft)) = described else {
                    anyhow::bail!("a registration without metadata (internal error)");
                };
                // The draft's bytes go with it (to wait for a batch).
                let by = Drafted { abs, rel, meta, person: job.person.clone(), now: job.now };
                let data = data.with_context(|| format!("internal error: {rel} was registered without reading it"))?;
                self.register_or_queue(by, data, draft, (to_step, dest, action))
            }
            Decision::Move { to_step, dest, action, state, take_note } => {
                // A corrected draft's sidecar amends the letter (its addressees).
                let amended = described.and_then(Result::ok);
                let mv = Move { to_step, dest, action, state, take_note, written_note: None, amended };
                self.advance(&job, known()?, mv)
            }
            Decision::SendBack { reason } => self.send_back(&job, known()?, reason),
            Decision::Track => self.track(&job, known()?, read()?),
            Decision::Return { reason } => self.put_back(&job, known()?, reason),
        }
    }

    /// Keeps a version's bytes in the store (before anything moves).
    fn keep(&self, data: &FileData) -> Result<()> {
        self.store
            .put(&data.sha, &data.bytes)
            .map(|_| ())
            .context("cannot keep the version in the store (is the disk beside the database full?)")
    }

    /// Journals and carries out a transition of an existing letter.
    fn execute(&mut self, letter_id: &str, ops: Vec<FsOp>, record: Record) -> Result<()> {
        let root = self.cfg.root.clone();
        journal::execute(&mut self.db, &root, Some(letter_id), Plan { ops, record })?;
        Ok(())
    }
}

/// A file's bytes, read once, and their SHA-256 (of a Word draft once
/// converted: its PDF's).
struct FileData {
    sha: String,
    /// Shared, never copied: the checks and the stamp run on threads of
    /// their own (within the time limit) with the same bytes.
    bytes: Arc<Vec<u8>>,
    /// A Word or OpenDocument draft: the document behind the bytes.
    word: Option<Word>,
}

impl FileData {
    fn plain(sha: String, bytes: Vec<u8>) -> FileData {
        FileData { sha, bytes: Arc::new(bytes), word: None }
    }

    /// The SHA-256 of the file as it lies on the share.
    fn on_share(&self) -> &str {
        self.word.as_ref().map_or(&self.sha, |w| &w.dropped)
    }
}

/// A decided file, as the transitions see it.
struct Job<'a> {
    abs: &'a Path,
    /// Relative to the root.
    rel: &'a str,
    meta: &'a fs::Metadata,
    /// Its bytes and their hash (none for a link).
    data: Option<&'a FileData>,
    /// Its bytes are not yet a version of its letter.
    new_content: bool,
    /// Its letter's recorded file still exists (so this file is another one).
    original_present: bool,
    /// The signature check of a file in a signed-drop folder.
    report: Option<&'a signature::Report>,
    /// Who placed it: their login in workflow.yaml, else the owner's login
    /// (or the login of its audit record).
    person: String,
    /// `person` comes from Samba's audit log.
    verified: bool,
    /// For a move made standing in for another: their login.
    on_behalf: Option<String>,
    /// Whether it is a reviewer's edit, and of which copy (its sha256).
    edit: crate::decide::Edit,
    edit_on: Option<String>,
    now: DateTime<Utc>,
}

/// Modification time in nanoseconds since the epoch.
pub fn mtime_ns(meta: &fs::Metadata) -> i128 {
    meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128
}

/// Whether an error comes from the machine rather than the file: a full or
/// read-only disk, or a database another process holds locked.
fn environmental(e: &anyhow::Error) -> bool {
    disk_fault(e) || stalled(e) || e.chain().any(crate::store::db::is_environmental)
}

/// Whether an error is a read of the share that did not answer in time.
pub(crate) fn stalled(e: &anyhow::Error) -> bool {
    use crate::util::stall::Stalled;
    e.chain().any(|c| c.downcast_ref::<Stalled>().is_some_and(|s| !matches!(s, Stalled::Panicked { .. })))
}

/// Whether an error is a full or read-only disk (the share's, or the one
/// beside the database): files wait for the admin, who is told.
pub(crate) fn disk_fault(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(io.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::ReadOnlyFilesystem)
                || io.raw_os_error().is_some_and(|n| {
                    use rustix::io::Errno;
                    [Errno::NOSPC, Errno::DQUOT, Errno::ROFS].iter().any(|e| e.raw_os_error() == n)
                })
        })
    })
}
