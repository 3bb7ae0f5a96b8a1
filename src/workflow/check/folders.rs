//! Folders on the share: names Windows can show, each folder owned by one
//! thing (a step, an outcome, the rejected folder), none inside another step's.

use super::context::{Ctx, Parts};
use crate::workflow::raw::RawWorkflow;
use serde_saphyr::Location;

/// Why `folder` cannot be a folder name on the share, if it cannot.
pub fn folder_problem(folder: &str) -> Option<String> {
    if folder.is_empty() {
        return Some("folder is empty".into());
    }
    if folder.starts_with('/') || folder.contains('\\') {
        return Some(format!("folder {folder:?} must be relative to the share root, with / between parts"));
    }
    for part in folder.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Some(format!("folder {folder:?} has an empty, '.' or '..' part"));
        }
        if let Some(c) = part.chars().find(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()) {
            return Some(format!("folder {folder:?} contains {c:?}, which Windows cannot show"));
        }
        if part.ends_with('.') || part.ends_with(' ') || part.starts_with(' ') {
            return Some(format!("folder {folder:?} has a part that starts or ends with a space or ends with a dot"));
        }
    }
    None
}

/// Where refused files go; it is the first folder claimed.
pub(super) fn rejected_folder(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let rejected_folder = raw.rejected_folder.as_ref().map(|s| s.value.clone()).unwrap_or_else(|| "_ditolak".into());
    if let Some(rf) = &raw.rejected_folder
        && let Some(p) = folder_problem(&rf.value)
    {
        cx.err(&rf.referenced, p);
    }
    parts.folders.insert(rejected_folder.clone(), "rejected_folder".into());
    parts.rejected_folder = rejected_folder;
}

/// Claims `folder` for `what`: it must be a usable name, not claimed before.
pub(super) fn claim(cx: &mut Ctx, parts: &mut Parts, folder: &str, at: &Location, what: String) {
    if let Some(p) = folder_problem(folder) {
        cx.err(at, p);
    } else if let Some(other) = parts.folders.get(folder) {
        cx.err(at, format!("folder {folder:?} is used twice: by {other} and by {what}"));
    } else {
        parts.folders.insert(folder.to_string(), what);
    }
}

/// Folders inside other steps' folders make a file's place ambiguous.
pub(super) fn nested(cx: &mut Ctx, raw: &RawWorkflow, _parts: &mut Parts) {
    for s in &raw.steps {
        for t in &raw.steps {
            let (a, b) = (&s.value.folder.value, &t.value.folder.value);
            if a != b && a.starts_with(&format!("{b}/")) {
                cx.err(
                    &s.value.folder.referenced,
                    format!(
                        "folder {a:?} is inside {b:?}, the folder of step {:?}; give each step its own folder",
                        t.value.id.value
                    ),
                );
            }
        }
    }
}
