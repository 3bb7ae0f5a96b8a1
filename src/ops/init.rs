//! The share's folder tree, made from the workflow: every step folder, its
//! outcome and returns sub-folders, and the folder of refused files.

use crate::store::fsops;
use crate::workflow::Workflow;
use anyhow::{Context, Result};
use std::path::Path;

/// Creates what is missing; returns the folders created (relative). Safe to
/// run again: existing folders and files are left as they are.
pub fn ensure_tree(root: &Path, wf: &Workflow) -> Result<Vec<String>> {
    let mut created = Vec::new();
    if !root.is_dir() {
        fsops::create_dirs(root).with_context(|| format!("cannot create the share folder {}", root.display()))?;
        created.push(".".to_string());
    }
    for f in wf.folders() {
        let p = root.join(&f);
        if !p.is_dir() {
            fsops::create_dirs(&p).with_context(|| format!("cannot create {}", p.display()))?;
            created.push(f);
        }
    }
    Ok(created)
}
