//! The files that travel with a letter instead of being letters: a new
//! draft's `.yaml` sidecar and a reviewer's `.txt` note.

use crate::letter::metadata;
use crate::letter::reason::Reason;
use anyhow::Result;
use std::fs;
use std::path::{Path, PathBuf};

/// File extensions that travel with a letter instead of being letters.
const COMPANIONS: &[&str] = &["txt", "yaml", "yml"];

pub(super) fn is_companion(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| COMPANIONS.iter().any(|c| ext.eq_ignore_ascii_case(c)))
}

/// The sidecar of a PDF: `<same name>.yaml` or `.yml`.
pub(super) fn find_sidecar(pdf: &Path) -> Option<PathBuf> {
    ["yaml", "yml", "YAML", "YML"].iter().map(|e| pdf.with_extension(e)).find(|p| fs::symlink_metadata(p).is_ok())
}

/// A sidecar's text and bytes, refusing links, huge files and non-UTF-8.
pub(super) fn read_sidecar(p: &Path) -> std::result::Result<(String, Vec<u8>), metadata::Problem> {
    let bad = |d: String| metadata::Problem { code: Reason::BadSidecar, detail: d };
    let m = fs::symlink_metadata(p).map_err(|e| bad(format!("tidak dapat dibaca ({e})")))?;
    if !m.is_file() {
        return Err(bad("bukan berkas biasa (tautan atau folder)".into()));
    }
    if m.len() > metadata::MAX_SIDECAR_BYTES {
        return Err(bad(format!(
            "terlalu besar ({} byte; paling besar {} byte)",
            m.len(),
            metadata::MAX_SIDECAR_BYTES
        )));
    }
    let bytes = fs::read(p).map_err(|e| bad(format!("tidak dapat dibaca ({e})")))?;
    let text = String::from_utf8(bytes.clone()).map_err(|_| bad("bukan teks UTF-8; simpan sebagai UTF-8".into()))?;
    Ok((text, bytes))
}

/// The reviewer's note for the PDF at `pdf`: a `.txt` with the same base
/// name, or the only `.txt` when the PDF is the only one in its folder.
pub(super) fn find_note(pdf: &Path) -> Result<Option<PathBuf>> {
    let Some(dir) = pdf.parent() else {
        return Ok(None);
    };
    let same = pdf.with_extension("txt");
    if same.is_file() {
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

/// A note's text, at most 64 KiB, as UTF-8 (Windows Notepad may write
/// UTF-16 or legacy code pages; these are read lossily).
pub(super) fn read_note(p: &Path) -> String {
    let bytes = fs::read(p).unwrap_or_default();
    let bytes = &bytes[..bytes.len().min(64 * 1024)];
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let units: Vec<u16> = bytes[2..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units).trim().to_string();
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).trim().to_string()
}
