//! Samba's audit records (`vfs_full_audit`): who renamed, created or
//! deleted which file on the share. Pure parsing here; `tail` follows the
//! log files smbd writes them to.
//!
//! With the settings `suratd init --samba` prints (`full_audit:prefix =
//! %u|%I`, `full_audit:syslog = false`), smbd writes each record into its
//! `log file` as a header line, then the record indented by two spaces:
//!
//! ```text
//! [2026/11/29 21:01:44.655598,  1] ../../source3/modules/vfs_full_audit.c:643(do_log)
//!   budi|127.0.0.1|renameat|ok|/srv/share/02-verifikasi/a.pdf|/srv/share/02-verifikasi/setuju/a.pdf
//! ```
//!
//! The lines are untrusted input: a name could hold `|`, a line break or
//! bytes that are not UTF-8. A record is only the single line right after
//! such a header, followed by another header (a record whose path went on
//! into a next line is dropped); paths are bytes, compared as bytes; a path
//! with a control character, or outside the share, drops its record; a
//! rename whose paths hold `|` is split where the destination starts with
//! the share's root, and dropped when that is ambiguous.

pub mod tail;

use chrono::NaiveDateTime;
use std::net::IpAddr;

/// What a record says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `renameat`: moved or renamed from `from` to `path`.
    Rename,
    /// `openat` for writing: a file created or written at `path`.
    Write,
    /// `unlinkat`: `path` deleted.
    Unlink,
    /// `mkdirat`: a folder made at `path`.
    Mkdir,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The header's time: the server's local time.
    pub at: NaiveDateTime,
    /// The Samba login (`%u`).
    pub user: String,
    pub op: Op,
    /// The file's absolute path (a rename's destination), as bytes.
    pub path: Vec<u8>,
    /// A rename's source.
    pub from: Option<Vec<u8>>,
}

/// Why a line that looked like a record was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Not the fields of a record (`user|address|op|status|…`).
    Malformed,
    /// A control character in a path or the login.
    Control,
    /// A path outside the share (or with `.`/`..` parts).
    Outside,
    /// A rename whose paths hold `|` so that where the destination starts
    /// cannot be told.
    Ambiguous,
}

/// What one line was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A record line (after a header).
    Record(Record),
    /// A record line of an operation suratd does not follow (`openat r`,
    /// a failure).
    Skipped,
    Dropped(Dropped),
}

/// The share's root as audit paths start with it: the path as configured
/// and its canonical form (smbd logs its resolved share path), without a
/// trailing `/`.
#[derive(Debug, Clone)]
pub struct Roots(Vec<Vec<u8>>);

impl Roots {
    pub fn new(root: &std::path::Path) -> Roots {
        use std::os::unix::ffi::OsStrExt;
        let mut v = Vec::new();
        let abs = if root.is_absolute() {
            root.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(root)
        };
        for p in [Some(abs.clone()), std::fs::canonicalize(&abs).ok()].into_iter().flatten() {
            let mut b = p.as_os_str().as_bytes().to_vec();
            while b.len() > 1 && b.ends_with(b"/") {
                b.pop();
            }
            if !v.contains(&b) {
                v.push(b);
            }
        }
        Roots(v)
    }

    /// Whether `path` is inside the share: below a root, with no empty,
    /// `.` or `..` part.
    fn inside(&self, path: &[u8]) -> bool {
        self.0.iter().any(|r| {
            path.strip_prefix(r.as_slice()).and_then(|rest| rest.strip_prefix(b"/")).is_some_and(|rest| {
                !rest.is_empty() && rest.split(|b| *b == b'/').all(|part| !matches!(part, b"" | b"." | b".."))
            })
        })
    }

    /// Where in `rest` (`SRC|DST`) the destination begins: the one `|`
    /// followed by a root and `/`, if there is exactly one.
    fn split_rename<'a>(&self, rest: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), Dropped> {
        let cuts: Vec<usize> = (0..rest.len())
            .filter(|&i| rest[i] == b'|')
            .filter(|&i| {
                let after = &rest[i + 1..];
                self.0.iter().any(|r| after.strip_prefix(r.as_slice()).is_some_and(|a| a.starts_with(b"/")))
            })
            .collect();
        match cuts.as_slice() {
            [i] => Ok((&rest[..*i], &rest[i + 1..])),
            [] if rest.contains(&b'|') => Err(Dropped::Outside),
            [] => Err(Dropped::Malformed),
            _ => Err(Dropped::Ambiguous),
        }
    }
}

/// The time of a `vfs_full_audit.c:N(do_log)` header line, if it is one:
/// `[YYYY/MM/DD HH:MM:SS.ffffff,  L] …/vfs_full_audit.c:N(do_log)`.
pub fn header(line: &[u8]) -> Option<NaiveDateTime> {
    let line = std::str::from_utf8(line).ok()?;
    let rest = line.strip_prefix('[')?;
    let (stamp, tail) = rest.split_once("] ")?;
    let (time, rest) = stamp.split_once(',')?;
    // The level, then what `debug pid` or `debug uid` add (`, pid=12,
    // effective(0, 0), real(0, 0)`).
    let (level, extra) = rest.split_once(',').unwrap_or((rest, ""));
    let extra_ok = extra.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "=(), ".contains(c));
    if level.trim().is_empty() || !level.trim().chars().all(|c| c.is_ascii_digit()) || !extra_ok {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(time.trim(), "%Y/%m/%d %H:%M:%S%.f").ok()?;
    let (file, line_no) = tail.strip_suffix("(do_log)")?.rsplit_once(':')?;
    let ok = (file == "vfs_full_audit.c" || file.ends_with("/vfs_full_audit.c"))
        && !file.contains(char::is_whitespace)
        && !line_no.is_empty()
        && line_no.chars().all(|c| c.is_ascii_digit());
    ok.then_some(at)
}

/// A record line (without its line break), the header's time given.
pub fn record(roots: &Roots, line: &[u8], at: NaiveDateTime) -> Line {
    let Some(line) = line.strip_prefix(b"  ") else {
        return Line::Dropped(Dropped::Malformed);
    };
    let mut fields = line.splitn(5, |b| *b == b'|');
    let (Some(user), Some(addr), Some(op), Some(status), Some(rest)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Line::Dropped(Dropped::Malformed);
    };
    let Some(user) = login(user) else {
        return Line::Dropped(if user.iter().any(u8::is_ascii_control) {
            Dropped::Control
        } else {
            Dropped::Malformed
        });
    };
    if std::str::from_utf8(addr).ok().and_then(|a| a.parse::<IpAddr>().ok()).is_none() {
        return Line::Dropped(Dropped::Malformed);
    }
    if status != b"ok" {
        return Line::Skipped;
    }
    if rest.iter().any(|b| b.is_ascii_control()) {
        return Line::Dropped(Dropped::Control);
    }
    let (op, path, from) = match op {
        b"renameat" => match roots.split_rename(rest) {
            Ok((src, dst)) => (Op::Rename, dst, Some(src)),
            Err(d) => return Line::Dropped(d),
        },
        b"openat" => match rest.split_first() {
            Some((b'w', p)) if p.first() == Some(&b'|') => (Op::Write, &p[1..], None),
            Some((b'r', p)) if p.first() == Some(&b'|') => return Line::Skipped,
            _ => return Line::Dropped(Dropped::Malformed),
        },
        b"unlinkat" => (Op::Unlink, rest, None),
        b"mkdirat" => (Op::Mkdir, rest, None),
        _ => return Line::Skipped,
    };
    if !roots.inside(path) || from.is_some_and(|f| !roots.inside(f)) {
        return Line::Dropped(Dropped::Outside);
    }
    Line::Record(Record { at, user, op, path: path.to_vec(), from: from.map(<[u8]>::to_vec) })
}

/// A Samba login as the record names it: UTF-8, no control character or
/// space, at most 256 bytes.
fn login(b: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(b).ok()?;
    let ok = !s.is_empty() && s.len() <= 256 && !s.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| s.to_string())
}

/// Reads one log file's lines in order: a record counts only right after
/// a header and when the next line is a header again (or nothing has
/// followed it for a while: the caller flushes it).
#[derive(Debug, Default)]
pub struct Parser {
    /// The time of the header just read.
    header: Option<NaiveDateTime>,
    /// A record waiting for the line after it.
    pending: Option<Record>,
}

/// How many lines of each kind were not taken.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub other: u64,
    pub dropped: u64,
}

impl Parser {
    /// Feeds one line (without its line break); returns a record it completes.
    pub fn line(&mut self, roots: &Roots, line: &[u8], counts: &mut Counts) -> Option<Record> {
        let header = header(line);
        let done = match (self.pending.take(), header.is_some()) {
            (Some(r), true) => Some(r),
            (Some(_), false) => {
                counts.dropped += 1;
                None
            }
            (None, _) => None,
        };
        if let Some(at) = header {
            self.header = Some(at);
            return done;
        }
        match self.header.take() {
            Some(at) => match record(roots, line, at) {
                Line::Record(r) => self.pending = Some(r),
                Line::Dropped(_) => counts.dropped += 1,
                _ => {}
            },
            None if done.is_none() => counts.other += 1,
            None => {}
        }
        done
    }

    /// The record waiting for its next line, taken as complete (nothing
    /// followed it for a while).
    pub fn flush(&mut self) -> Option<Record> {
        self.pending.take()
    }

    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }
}

#[cfg(test)]
mod tests;
