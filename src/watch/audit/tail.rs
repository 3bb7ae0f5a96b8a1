//! Following the files smbd writes its audit records to (`samba.audit_log`,
//! a path or glob, rotated `.old` files included). Each file is followed
//! by its (device, inode) and the offset read so far, so a rotation (smbd
//! renames `log.smbd` to `log.smbd.old` and opens a new `log.smbd`) neither
//! loses nor repeats a record. Memory is bounded: the newest records are
//! kept in a ring, reads are limited per look, over-long lines are skipped.

use super::{Counts, Parser, Record, Roots};
use chrono::NaiveDateTime;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Bytes of records kept (the newest; about 100,000 records of ordinary
/// paths). A move looks for its record within seconds; a flood of
/// operations that pushes out records not yet joined is reported.
const BUDGET: usize = 16 << 20;
/// A longer line is no record (and is skipped, counted).
const MAX_LINE: usize = 16 * 1024;
/// At most this much is read from one file per look; the rest next time.
const CHUNK: u64 = 8 << 20;
/// A record with nothing after it yet is taken once nothing has followed
/// it for this long (its path cannot go on into a next line later: smbd
/// writes a record with one write).
const SETTLED: Duration = Duration::from_millis(200);

/// One log file being followed.
#[derive(Debug, Default)]
struct Follow {
    path: PathBuf,
    offset: u64,
    /// The start of a line whose end has not been written yet.
    partial: Vec<u8>,
    /// Inside a line longer than `MAX_LINE`: skip to its end.
    skipping: bool,
    parser: Parser,
    /// Since when the parser's pending record has had nothing after it.
    pending_since: Option<Instant>,
}

/// The audit log files, followed.
#[derive(Debug)]
pub struct Tail {
    pattern: String,
    roots: Roots,
    files: HashMap<(u64, u64), Follow>,
    ring: Ring,
    counts: Counts,
    /// Counts already reported in the log.
    reported: Counts,
}

/// The newest records, within a byte budget.
#[derive(Debug)]
struct Ring {
    records: VecDeque<Record>,
    bytes: usize,
    budget: usize,
    /// The time of the newest record pushed out for room.
    evicted: Option<NaiveDateTime>,
}

impl Ring {
    fn push(&mut self, r: Record) {
        self.bytes += size(&r);
        self.records.push_back(r);
        while self.bytes > self.budget
            && let Some(old) = self.records.pop_front()
        {
            self.bytes -= size(&old);
            self.evicted = self.evicted.max(Some(old.at));
        }
    }
}

/// What a record takes in memory, roughly.
fn size(r: &Record) -> usize {
    r.path.len() + r.from.as_ref().map_or(0, Vec::len) + r.user.len() + 64
}

impl Tail {
    /// Follows the files matching `pattern` (a path or glob); `root` is the
    /// share's folder (records outside it are dropped).
    pub fn new(pattern: &str, root: &Path) -> Tail {
        Tail::with_budget(pattern, root, BUDGET)
    }

    /// `new`, keeping at most `budget` bytes of records.
    pub fn with_budget(pattern: &str, root: &Path, budget: usize) -> Tail {
        Tail {
            pattern: pattern.to_string(),
            roots: Roots::new(root),
            files: HashMap::new(),
            ring: Ring { records: VecDeque::new(), bytes: 0, budget, evicted: None },
            counts: Counts::default(),
            reported: Counts::default(),
        }
    }

    /// Reads what was written since the last look. Files that cannot be
    /// read are logged (with what to do) and tried again next time.
    pub fn poll(&mut self) {
        let mut listed: Vec<(SystemTime, PathBuf)> = match glob::glob(&self.pattern) {
            Ok(paths) => paths
                .flatten()
                .filter_map(|p| {
                    let m = std::fs::metadata(&p).ok().filter(|m| m.is_file())?;
                    Some((m.modified().unwrap_or(SystemTime::UNIX_EPOCH), p))
                })
                .collect(),
            Err(e) => {
                tracing::error!(pattern = %self.pattern, error = %e, "samba.audit_log is not a valid glob; fix it in suratd.yaml");
                return;
            }
        };
        // Older files first (a rotated `.old` before the current log).
        listed.sort();
        let mut present = Vec::new();
        for (_, path) in listed {
            match self.read_file(&path) {
                Ok(key) => present.push(key),
                Err(e) => tracing::warn!(file = %path.display(), error = %e,
                    "cannot read the Samba audit log; give suratd's user read access (the group that owns smbd's log, see systemd/INSTALL.md)"),
            }
        }
        // A file gone (a rotated log removed or overwritten) is forgotten.
        self.files.retain(|k, _| present.contains(k));
        self.report();
    }

    /// Reads one file from where it was left; returns its key.
    fn read_file(&mut self, path: &Path) -> std::io::Result<(u64, u64)> {
        let mut f = File::open(path)?;
        let meta = f.metadata()?;
        let key = (meta.dev(), meta.ino());
        let follow = self.files.entry(key).or_default();
        follow.path = path.to_path_buf();
        if meta.len() < follow.offset {
            // Truncated in place (copytruncate): start again.
            *follow = Follow { path: path.to_path_buf(), ..Follow::default() };
        }
        let mut buf = Vec::new();
        f.seek(SeekFrom::Start(follow.offset))?;
        f.take(CHUNK).read_to_end(&mut buf)?;
        follow.offset += buf.len() as u64;
        let fed = feed(follow, &self.roots, &buf, &mut self.counts, &mut self.ring);
        let now = Instant::now();
        if fed {
            follow.pending_since = follow.parser.has_pending().then_some(now);
        } else if follow.pending_since.is_some_and(|t| now.duration_since(t) >= SETTLED)
            && let Some(r) = follow.parser.flush()
        {
            follow.pending_since = None;
            self.ring.push(r);
        }
        Ok(key)
    }

    /// Logs lines that were not records once, and dropped records (they
    /// may be an attempt to forge one) each time more come.
    fn report(&mut self) {
        let c = self.counts;
        if c.other > 0 && self.reported.other == 0 {
            tracing::warn!(pattern = %self.pattern, lines = c.other,
                "the Samba audit log holds lines that are not audit records (smbd's other messages); they are ignored");
        }
        if c.dropped > self.reported.dropped {
            tracing::warn!(security = true, pattern = %self.pattern, dropped = c.dropped - self.reported.dropped,
                "audit records that do not parse as records of the share (control characters, paths outside the share, a path with | that cannot be split) were ignored");
        }
        self.reported = c;
    }

    /// Takes the newest record of a file created at, or moved or renamed to,
    /// `rel` (relative to the share's root) no earlier than `not_before`
    /// (the server's local time); each record is taken once.
    pub fn take(&mut self, rel: &[u8], not_before: NaiveDateTime) -> Option<Record> {
        let wanted: Vec<Vec<u8>> = self.roots.0.iter().map(|r| [r.as_slice(), b"/", rel].concat()).collect();
        let ring = &mut self.ring;
        let i = ring.records.iter().rposition(|r| {
            matches!(r.op, super::Op::Rename | super::Op::Write) && r.at >= not_before && wanted.contains(&r.path)
        })?;
        let r = ring.records.remove(i)?;
        ring.bytes -= size(&r);
        Some(r)
    }

    /// Takes the newest record of `rel` (relative to the share's root)
    /// deleted no earlier than `not_before` (the server's local time).
    pub fn take_removal(&mut self, rel: &[u8], not_before: NaiveDateTime) -> Option<Record> {
        let wanted: Vec<Vec<u8>> = self.roots.0.iter().map(|r| [r.as_slice(), b"/", rel].concat()).collect();
        let ring = &mut self.ring;
        let i = ring
            .records
            .iter()
            .rposition(|r| r.op == super::Op::Unlink && r.at >= not_before && wanted.contains(&r.path))?;
        let r = ring.records.remove(i)?;
        ring.bytes -= size(&r);
        Some(r)
    }

    /// Whether records written at or after `t` were pushed out before they
    /// could be joined (a record looked for may have been among them).
    pub fn evicted_since(&self, t: NaiveDateTime) -> bool {
        self.ring.evicted.is_some_and(|e| e >= t)
    }

    /// How many lines were not taken, so far.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn counts(&self) -> Counts {
        self.counts
    }
}

/// Feeds the complete lines of `buf` (after what was left of the last
/// read) to the file's parser; returns whether any line was fed.
fn feed(f: &mut Follow, roots: &Roots, buf: &[u8], counts: &mut Counts, ring: &mut Ring) -> bool {
    let mut fed = false;
    let mut rest = buf;
    while let Some(nl) = rest.iter().position(|b| *b == b'\n') {
        let (piece, after) = (&rest[..nl], &rest[nl + 1..]);
        rest = after;
        if f.skipping || f.partial.len() + piece.len() > MAX_LINE {
            f.skipping = false;
            f.partial.clear();
            // An over-long line breaks the header-record pairing.
            if f.parser.flush().is_some() {
                counts.dropped += 1;
            }
            f.parser = Parser::default();
            counts.other += 1;
            fed = true;
            continue;
        }
        let line = if f.partial.is_empty() {
            piece.to_vec()
        } else {
            [std::mem::take(&mut f.partial), piece.to_vec()].concat()
        };
        if let Some(r) = f.parser.line(roots, &line, counts) {
            ring.push(r);
        }
        fed = true;
    }
    if !f.skipping {
        f.partial.extend_from_slice(rest);
        if f.partial.len() > MAX_LINE {
            f.partial.clear();
            f.skipping = true;
        }
    }
    fed
}

/// What is wrong with `samba.audit_log` as this user sees it, if anything:
/// no file matches it, or a file cannot be read.
pub fn problem(pattern: &str) -> Option<String> {
    let files: Vec<PathBuf> = glob::glob(pattern).ok()?.flatten().filter(|p| p.is_file()).collect();
    if files.is_empty() {
        return Some(format!(
            "samba.audit_log {pattern:?} matches no file: moves stay unverified until smbd writes its audit \
             records there; set it to smbd's `log file` (see systemd/INSTALL.md, \"Who did it\")"
        ));
    }
    let unreadable: Vec<String> =
        files.iter().filter(|f| File::open(f).is_err()).map(|f| f.display().to_string()).collect();
    (!unreadable.is_empty()).then(|| {
        format!(
            "samba.audit_log: cannot read {}: give suratd's user read access (the adm group, or an ACL on \
             smbd's log folder; see systemd/INSTALL.md)",
            unreadable.join(", ")
        )
    })
}

/// A time on this machine as the server's local time (what audit headers
/// are written in).
pub fn local(t: SystemTime) -> NaiveDateTime {
    chrono::DateTime::<chrono::Local>::from(t).naive_local()
}
