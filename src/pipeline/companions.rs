//! The files that travel with a letter instead of being letters: a new
//! draft's `.yaml` sidecar and a reviewer's `.txt` note.
//!
//! Both are untrusted and only ever read as plain files: each is opened
//! without following a symbolic link and without waiting on a FIFO, checked
//! to be a regular file on the open handle, and read only up to its limit.
//! A link, a FIFO or anything else is never read; it is refused on its own
//! (or, a sidecar, with its draft) with a reason.

use crate::letter::metadata;
use crate::letter::reason::Reason;
use anyhow::Result;
use rustix::fs::{FileType, Mode, OFlags};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions that travel with a letter instead of being letters.
const COMPANIONS: &[&str] = &["txt", "yaml", "yml"];

/// Largest reviewer's note read.
pub(super) const MAX_NOTE_BYTES: u64 = 64 * 1024;

pub(super) fn is_companion(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| COMPANIONS.iter().any(|c| ext.eq_ignore_ascii_case(c)))
}

/// Whether the name is a sidecar's (`.yaml`, `.yml`) rather than a note's.
pub(super) fn is_sidecar_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// The reason a companion that is not a regular file is refused with: a
/// sidecar's or a note's (links are refused as links before this).
pub(super) fn unusable_reason(name: &str) -> Reason {
    if is_sidecar_name(name) { Reason::BadSidecar } else { Reason::BadNote }
}

/// Why a companion could not be read. `detail` is Indonesian, for the
/// reason file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unreadable {
    /// A symbolic link (refused as a link, never followed).
    pub(super) link: bool,
    pub(super) detail: String,
}

/// Opens `p` as a plain file and reads at most `limit` bytes of it: a
/// symbolic link is not followed, a FIFO not waited on, anything but a
/// regular file (checked on the open handle) or a file over `limit` is
/// refused without being read.
pub(super) fn read_plain(p: &Path, limit: u64) -> std::result::Result<Vec<u8>, Unreadable> {
    let fail = |detail: String| Unreadable { link: false, detail };
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = match rustix::fs::open(p, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(e) if e == rustix::io::Errno::LOOP => {
            return Err(Unreadable { link: true, detail: "tautan (symbolic link), tidak dibaca".into() });
        }
        Err(e) => return Err(fail(unreadable("dibuka", std::io::Error::from(e)))),
    };
    let st = rustix::fs::fstat(&fd).map_err(|e| fail(unreadable("dibaca", std::io::Error::from(e))))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(fail("bukan berkas biasa (pipa, soket, perangkat atau folder)".into()));
    }
    // A hard link is a regular file that is also another file, perhaps one
    // only suratd may read.
    if st.st_nlink > 1 {
        return Err(fail("tautan keras (hard link) ke berkas lain, tidak dibaca".into()));
    }
    let too_large = |size: u64| fail(format!("terlalu besar ({size} byte; paling besar {limit} byte)"));
    let size = st.st_size.max(0) as u64;
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    fs::File::from(fd).take(limit + 1).read_to_end(&mut bytes).map_err(|e| fail(unreadable("dibaca", e)))?;
    // It grew after the check.
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Why a file could not be opened or read, for people: the system's own
/// message (English) goes to the log, not into the reason file.
fn unreadable(what: &str, e: std::io::Error) -> String {
    tracing::debug!(error = %e, "a companion file cannot be {what}");
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => format!("tidak dapat {what}, karena hak aksesnya tidak mengizinkan"),
        _ => format!("tidak dapat {what}"),
    }
}

/// The sidecar of a PDF: `<same name>.yaml` or `.yml`, whatever kind of
/// file it is (reading it refuses all but a plain file).
pub(super) fn find_sidecar(pdf: &Path) -> Option<PathBuf> {
    ["yaml", "yml", "YAML", "YML"].iter().map(|e| pdf.with_extension(e)).find(|p| fs::symlink_metadata(p).is_ok())
}

/// The draft PDF a sidecar belongs to, if it is beside it.
pub(super) fn pdf_of_sidecar(sidecar: &Path) -> Option<PathBuf> {
    ["pdf", "PDF", "Pdf"].iter().map(|e| sidecar.with_extension(e)).find(|p| fs::symlink_metadata(p).is_ok())
}

/// A sidecar's text and bytes, refusing links, special files, huge files
/// and non-UTF-8.
pub(super) fn read_sidecar(p: &Path) -> std::result::Result<(String, Vec<u8>), metadata::Problem> {
    let bad = |d: String| metadata::Problem { code: Reason::BadSidecar, detail: d };
    let bytes = read_plain(p, metadata::MAX_SIDECAR_BYTES).map_err(|u| bad(u.detail))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| bad("bukan teks UTF-8; simpan sebagai UTF-8".into()))?;
    Ok((text, bytes))
}

/// The reviewer's note for the PDF at `pdf`: a plain `.txt` with the same
/// base name, or the only plain `.txt` when the PDF is the only one in its
/// folder. Links and special files are never notes (each is refused on its
/// own).
pub(super) fn find_note(pdf: &Path) -> Result<Option<PathBuf>> {
    let Some(dir) = pdf.parent() else {
        return Ok(None);
    };
    let same = pdf.with_extension("txt");
    if fs::symlink_metadata(&same).is_ok_and(|m| m.is_file()) {
        return Ok(Some(same));
    }
    let mut txts = Vec::new();
    let mut pdfs = 0;
    for e in fs::read_dir(dir)? {
        let e = e?;
        let n = e.file_name().to_string_lossy().into_owned();
        let lower = n.to_ascii_lowercase();
        if !e.file_type()?.is_file() || lower.ends_with(".alasan.txt") {
            continue;
        }
        if lower.ends_with(".txt") {
            txts.push(e.path());
        } else if lower.ends_with(".pdf") {
            pdfs += 1;
        }
    }
    Ok(if txts.len() == 1 && pdfs == 1 { txts.pop() } else { None })
}

/// Whether a note can be used, without reading it: a plain file within
/// the limit. Otherwise why not.
pub(super) fn check_note(p: &Path) -> std::result::Result<(), Unreadable> {
    read_plain(p, MAX_NOTE_BYTES).map(|_| ())
}

/// A note's text as UTF-8 (Windows Notepad may write UTF-16 or legacy code
/// pages; these are read lossily). A note that cannot be read as a plain
/// file within the limit (checked when it was found; this is a change
/// since) gives an empty text and a warning in the log.
pub(super) fn read_note(p: &Path) -> String {
    let bytes = match read_plain(p, MAX_NOTE_BYTES) {
        Ok(b) => b,
        Err(u) => {
            tracing::warn!(file = %p.display(), problem = %u.detail, "a note changed after it was checked; not read");
            return String::new();
        }
    };
    note_text(&bytes)
}

/// A note's bytes as text.
pub(super) fn note_text(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let units: Vec<u16> = bytes[2..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units).trim().to_string();
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(p: &Path) {
        rustix::fs::mknodat(rustix::fs::CWD, p, FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
    }

    #[test]
    fn only_plain_files_within_the_limit_are_read() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("smtp-password");
        fs::write(&secret, "rahasia").unwrap();
        let plain = d.path().join("catatan.txt");
        fs::write(&plain, "Tanggal salah.").unwrap();
        assert_eq!(read_plain(&plain, 64).unwrap(), b"Tanggal salah.");

        let link = d.path().join("tautan.txt");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let u = read_plain(&link, 64).unwrap_err();
        assert!(u.link && u.detail.contains("symbolic link"), "{u:?}");

        // A FIFO nobody writes to: refused at once, not waited on.
        let pipe = d.path().join("pipa.txt");
        fifo(&pipe);
        let u = read_plain(&pipe, 64).unwrap_err();
        assert!(!u.link && u.detail.contains("bukan berkas biasa"), "{u:?}");
        let u = read_plain(d.path(), 64).unwrap_err();
        assert!(u.detail.contains("bukan berkas biasa"), "a folder: {u:?}");

        let big = d.path().join("besar.txt");
        fs::write(&big, vec![b'x'; 65]).unwrap();
        assert_eq!(read_plain(&big, 65).unwrap().len(), 65, "exactly the limit is fine");
        let u = read_plain(&big, 64).unwrap_err();
        assert!(u.detail.contains("terlalu besar (65 byte; paling besar 64 byte)"), "{u:?}");
        assert!(read_plain(&d.path().join("tidak-ada.txt"), 64).unwrap_err().detail.contains("tidak dapat dibuka"));
    }

    #[test]
    fn a_sidecar_that_is_a_link_or_a_fifo_is_a_bad_sidecar_and_never_read() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("rahasia.yaml");
        fs::write(&secret, "perihal: Rahasia\n").unwrap();
        let link = d.path().join("KP.650 Tautan.yaml");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let e = read_sidecar(&link).unwrap_err();
        assert_eq!(e.code, Reason::BadSidecar);
        assert!(e.detail.contains("tautan"), "{}", e.detail);
        let pipe = d.path().join("KP.650 Pipa.yaml");
        fifo(&pipe);
        assert!(read_sidecar(&pipe).unwrap_err().detail.contains("bukan berkas biasa"));
        let big = d.path().join("KP.650 Besar.yaml");
        fs::write(&big, vec![b'#'; metadata::MAX_SIDECAR_BYTES as usize + 1]).unwrap();
        assert!(read_sidecar(&big).unwrap_err().detail.contains("terlalu besar"));
        assert!(read_sidecar(&secret).is_ok());
        assert_eq!(unusable_reason("a.YML"), Reason::BadSidecar);
        assert_eq!(unusable_reason("catatan.txt"), Reason::BadNote);
    }

    #[test]
    fn links_and_special_files_are_never_notes() {
        let d = tempfile::tempdir().unwrap();
        let secret = d.path().join("smtp-password");
        fs::write(&secret, "rahasia").unwrap();
        let dir = d.path().join("revisi");
        fs::create_dir(&dir).unwrap();
        let pdf = dir.join("SK-2026-0001 Surat.pdf");
        fs::write(&pdf, "%PDF").unwrap();
        // The same name, as a link: not a note, and not the only one either.
        std::os::unix::fs::symlink(&secret, dir.join("SK-2026-0001 Surat.txt")).unwrap();
        assert_eq!(find_note(&pdf).unwrap(), None);
        fifo(&dir.join("catatan.txt"));
        assert_eq!(find_note(&pdf).unwrap(), None);
        fs::remove_file(dir.join("catatan.txt")).unwrap();
        fs::write(dir.join("catatan.txt"), "\u{FEFF}Perbaiki tanggal.\n").unwrap();
        let n = find_note(&pdf).unwrap().unwrap();
        assert!(check_note(&n).is_ok());
        assert_eq!(read_note(&n), "Perbaiki tanggal.");
        // Replaced by a link after it was found: not read.
        fs::remove_file(&n).unwrap();
        std::os::unix::fs::symlink(&secret, &n).unwrap();
        assert!(check_note(&n).unwrap_err().link);
        assert_eq!(read_note(&n), "");
        fs::remove_file(&n).unwrap();
        fs::write(&n, vec![b'x'; MAX_NOTE_BYTES as usize + 1]).unwrap();
        assert!(check_note(&n).unwrap_err().detail.contains("terlalu besar"));
    }

    #[test]
    fn utf16_notes_are_read() {
        let mut b = vec![0xFF, 0xFE];
        b.extend("Salah ketik".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(note_text(&b), "Salah ketik");
    }
}
