//! Where things go on the share: the folder a destination stands for, a free
//! name in it, and tidying up the empty folders a file leaves behind.

use super::Pipeline;
use crate::decide::Dest;
use crate::letter::names;
use crate::store::db::LetterRow;
use crate::store::fsops;
use crate::workflow::layout::{self, Area};
use std::fs;
use std::path::{Path, PathBuf};

/// A free name for `name` in the folder `dir_rel`: the absolute path and
/// the path relative to the root.
pub(super) fn free_target(root: &Path, dir_rel: &str, name: &str) -> (PathBuf, String) {
    let abs = fsops::free_name(&root.join(dir_rel), name, &[]);
    let rel = fsops::rel_path(root, &abs).expect("a target under the root");
    (abs, rel)
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

impl Pipeline {
    /// The folder (relative to the root) a destination stands for.
    pub(super) fn dest_dir(&self, dest: &Dest, letter: Option<&LetterRow>) -> String {
        match dest {
            Dest::Inbox(step) => self.wf.step(step).map(|s| s.folder.clone()).unwrap_or_default(),
            Dest::Returns(step) => self.wf.step(step).map(|s| layout::folder_of(s, &Area::Returns)).unwrap_or_default(),
            Dest::Archive { year } => {
                let arsip = self
                    .wf
                    .step_of_kind(crate::workflow::StepKind::Archive)
                    .map(|s| s.folder.clone())
                    .unwrap_or_else(|| "arsip".into());
                // Each letter has its own folder: the letter, its versions, a note.
                let folder = letter
                    .map(|l| {
                        names::letter_file_name(&l.id, &l.subject, l.sifat.as_deref())
                            .trim_end_matches(".pdf")
                            .to_string()
                    })
                    .unwrap_or_default();
                format!("{arsip}/{year}/{folder}")
            }
            Dest::Back => letter
                .and_then(|l| l.path.as_deref())
                .and_then(|p| p.rsplit_once('/').map(|(d, _)| d.to_string()))
                .unwrap_or_else(|| self.wf.entry().folder.clone()),
        }
    }

    /// Removes the now-empty folders a person dropped inside a workflow
    /// folder (never a workflow folder itself).
    pub(super) fn tidy(&self, abs: &Path) {
        let keep: Vec<PathBuf> = self.wf.folders().iter().map(|f| self.cfg.root.join(f)).collect();
        let mut dir = abs.parent();
        while let Some(d) = dir {
            if d == self.cfg.root || keep.iter().any(|k| k == d) || !d.starts_with(&self.cfg.root) {
                break;
            }
            if fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}
