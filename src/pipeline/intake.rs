//! Intake: where a settled file is, what is in it (conversion stage, PDF
//! checks), which letter it belongs to, and a new draft's metadata.

use super::companions::{check_note, find_note, find_sidecar, is_companion, read_sidecar, unusable_reason};
use super::places::file_name;
use super::{FileData, Outcome, Pipeline};
use crate::decide::{Content, Note, Signed};
use crate::letter::metadata::{self, Metadata};
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::letter::{names, numbering};
use crate::pdf::inspect::{self, Verdict};
use crate::pdf::signature;
use crate::store::db::LetterRow;
use crate::store::fsops;
use crate::util::{stall, timefmt};
use crate::workflow::StepKind;
use crate::workflow::layout::{Area, Place};
use anyhow::{Context, Result};
use chrono::Utc;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A new draft's metadata, with its sidecar (path and bytes) if it had one.
pub(super) type Draft = (Metadata, Option<(PathBuf, Vec<u8>)>);

/// A new draft's metadata, or why it is unusable.
pub(super) type Described = std::result::Result<Draft, metadata::Problem>;

/// Everything known about one settled file, for the decision.
pub(super) struct Arrival<'a, 'w> {
    pub(super) abs: &'a Path,
    pub(super) rel: &'a str,
    pub(super) meta: &'a fs::Metadata,
    pub(super) place: &'a Place<'w>,
    pub(super) letter: Option<LetterRow>,
    pub(super) content: Content,
    pub(super) data: Option<FileData>,
    pub(super) note: Note,
    pub(super) described: Option<Described>,
    /// The signature check of a signed drop, and its report.
    pub(super) signed: (Signed, Option<signature::Report>),
}

/// How long ago the file last changed (status change time: copy tools can
/// preserve the modification time, but not this).
pub(super) fn age_of(meta: &fs::Metadata) -> Duration {
    let changed = SystemTime::UNIX_EPOCH
        + Duration::from_secs(meta.ctime().max(0) as u64)
        + Duration::from_nanos(meta.ctime_nsec().max(0) as u64);
    SystemTime::now().duration_since(changed).unwrap_or_default()
}

impl Pipeline {
    /// A name that is not UTF-8 (written by an old program or a mount with
    /// another character set) cannot be shown on the share or kept in the
    /// database. The first such part of the path is renamed in place, bad
    /// bytes becoming `_`; the renamed file comes back as a new event.
    pub(super) fn readable_name(&self, abs: &Path) -> Result<Option<Outcome>> {
        let Ok(rel) = abs.strip_prefix(&self.cfg.root) else { return Ok(None) };
        let mut at = self.cfg.root.clone();
        for part in rel.components() {
            let part = part.as_os_str();
            at.push(part);
            if part.to_str().is_some() {
                continue;
            }
            let readable = part.to_string_lossy().replace('\u{FFFD}', "_");
            let dir = at.parent().unwrap_or(&self.cfg.root).to_path_buf();
            let to = fsops::free_name(&dir, &readable, &[]);
            fsops::move_noreplace(&at, &to)?;
            tracing::warn!(
                file = %at.to_string_lossy(),
                to = %fsops::rel_path(&self.cfg.root, &to).unwrap_or_default(),
                "renamed a name that is not UTF-8"
            );
            return Ok(Some(Outcome::Done));
        }
        Ok(None)
    }

    /// A file's bytes from the share, within the processing time limit: a
    /// share that stops answering is an environmental error (the file is
    /// tried again later, not counted against it); see [`stall`].
    pub(super) fn read_share(&self, abs: &Path, rel: &str) -> Result<Vec<u8>> {
        let path = abs.to_path_buf();
        // Named by its absolute path, as the check whether it is still
        // being written names it: a file whose read or open is stuck is
        // not touched again until that returns.
        let mount = crate::watch::mounts::mount_point(abs);
        stall::within(self.cfg.processing.timeout, &abs.display().to_string(), &mount, move || fs::read(path))?
            .with_context(|| format!("cannot read {rel}"))
    }

    /// Reads the file and finds out what it is and which letter it belongs
    /// to, then acts on it (a link is never read; a file still being
    /// written, or a draft whose sidecar may still come, waits).
    pub(super) fn handle(&mut self, abs: &Path, rel: &str, meta: &fs::Metadata, place: &Place) -> Result<Outcome> {
        let wf = self.wf.clone();
        let name = file_name(abs);
        let id_in_name = names::id_in_name(&wf.id_prefix, &name);

        if meta.file_type().is_symlink() {
            let letter = match &id_in_name {
                Some(id) => self.db.letter(id)?,
                None => None,
            };
            return self.act(Arrival {
                abs,
                rel,
                meta,
                place,
                letter,
                content: Content::Symlink,
                data: None,
                note: Note::Missing,
                described: None,
                signed: (Signed::Unchecked, None),
            });
        }
        if !meta.is_file() {
            // FIFOs, sockets, devices: never opened.
            let code = if is_companion(&name) { unusable_reason(&name) } else { Reason::NotPdf };
            self.reject(rel, meta, place, None, code, "bukan berkas biasa")?;
            return Ok(Outcome::Done);
        }

        // A sidecar alone in a drafting folder, or a note alone in an
        // outcome folder (`process` lets no other plain companion through).
        if is_companion(&name) {
            if self.note_alone(abs, place) == Some(true) {
                return self.late_note(abs, rel, meta, place);
            }
            return self.late_sidecar(abs, rel, meta, place);
        }

        let bytes = self.read_share(abs, rel)?;
        if bytes.len() as u64 != meta.len() {
            return Ok(Outcome::Defer(self.cfg.watch.settle));
        }
        let sha = fsops::sha256_bytes(&bytes);
        let mut letter = self.letter_of(id_in_name.as_deref(), rel, &sha)?;
        if let Some(done) = self.source_copy(rel, &sha, letter.as_ref())? {
            return Ok(done);
        }
        let signed = self.signed_drop(place, &bytes, &mut letter)?;

        let age = age_of(meta);
        let mut data = FileData::plain(sha, bytes);
        let content = match &letter {
            Some(l) if self.db.has_version(&l.id, &data.sha)? => Content::Known,
            _ => match self.word_draft(&name, place, letter.as_ref(), &mut data)? {
                Some(c) => c,
                None => self.examine(data.bytes.clone(), age)?,
            },
        };
        let note = match place {
            Place::Step { area: Area::Outcome(_), .. } => match self.usable_note(abs, place)? {
                Some(_) => Note::Found,
                None if age < self.cfg.processing.note_wait => Note::MaybeLater,
                None => Note::Missing,
            },
            _ => Note::Missing,
        };
        // A draft: what it is about (file name, sidecar, defaults), or what
        // the sidecar of a corrected draft changes.
        let described = match (place, &content) {
            (Place::Step { step, area: Area::Inbox }, Content::Pdf) if step.kind == StepKind::Drop => {
                let sidecar = find_sidecar(abs);
                if sidecar.is_none() && age < self.cfg.processing.sidecar_wait {
                    return Ok(Outcome::Defer(self.cfg.processing.sidecar_wait - age));
                }
                match (&letter, sidecar) {
                    (None, sidecar) => Some(self.numberable(self.describe(&name, sidecar.as_deref()))?),
                    (Some(l), Some(sidecar)) => Some(self.amended(l, &sidecar, metadata::Amending::Correction)),
                    (Some(_), None) => None,
                }
            }
            _ => None,
        };
        self.act(Arrival { abs, rel, meta, place, letter, content, data: Some(data), note, described, signed })
    }

    /// The reviewer's note beside a file in an outcome folder, if there is
    /// one that can be used; a note that cannot (too large, or no longer a
    /// plain file) is refused with its reason, unread.
    fn usable_note(&mut self, abs: &Path, place: &Place) -> Result<Option<PathBuf>> {
        let Some(n) = find_note(abs)? else { return Ok(None) };
        let Err(problem) = check_note(&n) else { return Ok(Some(n)) };
        let (Some(rel), Ok(meta)) = (fsops::rel_path(&self.cfg.root, &n), fs::symlink_metadata(&n)) else {
            return Ok(None);
        };
        let code = if problem.link { Reason::Symlink } else { Reason::BadNote };
        tracing::warn!(file = %rel, problem = %problem.detail, "a note cannot be used");
        self.reject(&rel, &meta, place, None, code, &problem.detail)?;
        Ok(None)
    }

    /// The letter a file belongs to: by the id in its name, else by the path
    /// recorded for a letter, else by its bytes; a letter still pending or
    /// void does not count.
    fn letter_of(&self, id_in_name: Option<&str>, rel: &str, sha: &str) -> Result<Option<LetterRow>> {
        let letter = match id_in_name {
            Some(id) => self.db.letter(id)?,
            None => None,
        };
        let letter = match letter {
            Some(l) => Some(l),
            None => match self.db.letter_at_path(rel)? {
                Some(l) => Some(l),
                None => self.db.letter_by_version(sha)?,
            },
        };
        Ok(letter.filter(|l| !matches!(LetterState::parse(&l.state), LetterState::Pending | LetterState::Void)))
    }

    /// Metadata of a new draft from its name, its sidecar and the defaults.
    fn describe(&self, name: &str, sidecar: Option<&Path>) -> Described {
        let wf = &self.wf;
        let stem = names::subject_from_name(&wf.id_prefix, name);
        let from_name = metadata::from_name(&wf.filename_pattern, &stem);
        let parsed = match sidecar {
            None => None,
            Some(p) => match read_sidecar(p) {
                Ok((text, bytes)) => match metadata::parse_sidecar(&file_name(p), &text) {
                    Ok(sc) => Some((sc, bytes)),
                    Err(e) => return Err(e),
                },
                Err(e) => return Err(e),
            },
        };
        let today = timefmt::date_wib(Utc::now());
        let (sc, sc_bytes) = match parsed {
            Some((sc, b)) => (Some(sc), Some(b)),
            None => (None, None),
        };
        let meta = metadata::combine(from_name, sc, &wf.defaults, today)?;
        Ok((meta, sidecar.map(Path::to_path_buf).zip(sc_bytes)))
    }

    /// A new draft dated in an earlier year whose last number is not known
    /// gets no number: refused, naming its date.
    fn numberable(&self, described: Described) -> Result<Described> {
        let wf = &self.wf;
        let Ok((Metadata { tanggal: Some(date), .. }, _)) = &described else { return Ok(described) };
        let closed = numbering::closed(wf.scope, *date, timefmt::year_wib(Utc::now()));
        let key = wf.scope.key(*date);
        if numbering::known(closed, closed && self.db.numbers_given(&key)?, wf.last_used.get(&key).copied()) {
            return Ok(described);
        }
        tracing::info!(date = %date, "a draft dated in an earlier year whose last number is not known");
        Ok(Err(metadata::Problem { code: Reason::SequenceUnknown, detail: timefmt::date_id(*date) }))
    }

    /// A registered letter's metadata as a corrected draft's or a late
    /// sidecar amends it (see [`metadata::amend`]): read and parsed within
    /// their limits.
    pub(super) fn amended(&self, letter: &LetterRow, sidecar: &Path, how: metadata::Amending) -> Described {
        let (text, bytes) = read_sidecar(sidecar)?;
        let mut sc = metadata::parse_sidecar(&file_name(sidecar), &text)?;
        // A letter registered without a date was numbered by the day it was
        // registered: a sidecar that names that day changes nothing.
        let numbered_on = timefmt::parse_stored(&letter.created_at).map(timefmt::date_wib);
        if letter.meta().is_some_and(|m| m.tanggal.is_none())
            && sc.tanggal.as_deref().and_then(|t| chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok())
                == numbered_on
        {
            sc.tanggal = None;
        }
        let current = letter.meta().unwrap_or_else(|| Metadata {
            perihal: letter.subject.clone(),
            sifat: letter.sifat.clone().unwrap_or_default(),
            klasifikasi: letter.klasifikasi.clone().unwrap_or_default(),
            tanggal: letter.tanggal.as_deref().and_then(|t| t.parse().ok()),
            tujuan: vec![],
            tembusan: vec![],
            lampiran: None,
            warnings: vec![],
        });
        let meta = metadata::amend(&current, sc, timefmt::date_wib(Utc::now()), how)?;
        Ok((meta, Some((sidecar.to_path_buf(), bytes))))
    }

    /// The PDF checks (after the conversion stage, `word`).
    fn examine(&self, bytes: Arc<Vec<u8>>, age: Duration) -> Result<Content> {
        let limit = self.cfg.processing.timeout;
        let verdict = inspect::inspect_with_limit(bytes, limit).ok_or_else(|| {
            anyhow::anyhow!("checking the PDF took longer than {}", humantime::format_duration(limit))
        })?;
        let young = age < self.cfg.processing.parse_grace;
        Ok(match verdict {
            Verdict::Pdf { .. } => Content::Pdf,
            Verdict::Empty => Content::Empty { may_still_be_copying: young },
            Verdict::NotPdf { detail } => Content::NotPdf { detail },
            Verdict::Encrypted => Content::Encrypted,
            Verdict::ActiveContent { detail } => Content::ActiveContent { detail },
            Verdict::Truncated => Content::Broken {
                detail: "berkas terpotong, tanda akhir PDF tidak ada".into(),
                may_still_be_copying: young,
            },
            Verdict::Broken { detail } => Content::Broken { detail, may_still_be_copying: young },
        })
    }
}
