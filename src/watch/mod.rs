//! Noticing files: kernel events where they work, polling where they do not
//! (network mounts), and full scans at start-up, after an event overflow and
//! periodically, so nothing dropped while suratd was down or missed by the
//! kernel is lost. Reports paths; deciding when a file has arrived is
//! `settle`'s job.

pub mod audit;
pub mod busy;
pub mod mounts;
pub mod settle;

use crate::config::WatchMode;
use crate::workflow::{StepKind, Workflow};
use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher as _};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Something changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Look at this path (a file or a folder).
    Path(PathBuf),
    /// Events may have been lost: look at everything.
    Rescan,
}

/// How the folders are actually watched, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub polling: bool,
    pub why: String,
}

/// Resolves `auto` from the mount table.
pub fn effective_mode(mode: WatchMode, root: &Path) -> Effective {
    match mode {
        WatchMode::Events => Effective { polling: false, why: "watch.mode is events".into() },
        WatchMode::Poll => Effective { polling: true, why: "watch.mode is poll".into() },
        WatchMode::Auto => match mounts::fs_type(root) {
            Some(t) if mounts::is_network_fs(&t) => Effective {
                polling: true,
                why: format!("the share is on a {t} mount, where file events from other machines do not arrive"),
            },
            Some(t) => Effective { polling: false, why: format!("the share is on a local {t} file system") },
            None => Effective { polling: true, why: "the share's file system type is unknown".into() },
        },
    }
}

/// The folders watched: every step folder except the archive (suratd's own
/// output; staff only read it).
pub fn watched_folders(root: &Path, wf: &Workflow) -> Vec<PathBuf> {
    wf.steps.iter().filter(|s| s.kind != StepKind::Archive).map(|s| root.join(&s.folder)).collect()
}

/// Keeps the underlying watcher alive.
pub struct Watching {
    watcher: Box<dyn notify::Watcher + Send>,
    pub effective: Effective,
}

impl Watching {
    /// Watches every folder again: a folder deleted and created anew (by a
    /// person, or by suratd putting it back) has lost its kernel watch.
    pub fn rewatch(&mut self, root: &Path, wf: &Workflow) {
        for dir in watched_folders(root, wf) {
            let _ = self.watcher.unwatch(&dir);
            if let Err(e) = self.watcher.watch(&dir, RecursiveMode::Recursive) {
                tracing::warn!(folder = %dir.display(), error = %e, "cannot watch a folder; the periodic scan still covers it");
            }
        }
    }
}

/// Starts watching the workflow's folders; changes go to `tx`.
pub fn start(
    root: &Path,
    wf: &Workflow,
    mode: WatchMode,
    poll_interval: Duration,
    tx: UnboundedSender<Change>,
) -> Result<Watching> {
    let effective = effective_mode(mode, root);
    let handler = move |res: notify::Result<notify::Event>| match res {
        Ok(ev) => {
            if ev.need_rescan() {
                let _ = tx.send(Change::Rescan);
                return;
            }
            if matches!(ev.kind, EventKind::Access(_)) {
                return;
            }
            for p in ev.paths {
                let _ = tx.send(Change::Path(p));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "file watcher error; rescanning");
            let _ = tx.send(Change::Rescan);
        }
    };
    let mut watcher: Box<dyn notify::Watcher + Send> = if effective.polling {
        Box::new(notify::PollWatcher::new(handler, notify::Config::default().with_poll_interval(poll_interval))?)
    } else {
        Box::new(notify::RecommendedWatcher::new(handler, notify::Config::default())?)
    };
    for dir in watched_folders(root, wf) {
        if let Err(e) = watcher.watch(&dir, RecursiveMode::Recursive) {
            // Deleted since the tree was made (someone at work in the
            // share): the first full scan makes it again and watches it.
            if fs::symlink_metadata(&dir).is_err() {
                tracing::warn!(folder = %dir.display(), "a folder disappeared before it could be watched; the first scan makes it again");
                continue;
            }
            return Err(e).with_context(|| {
                format!(
                    "cannot watch {} (on Linux, raise fs.inotify.max_user_watches, or set watch.mode: poll)",
                    dir.display()
                )
            });
        }
    }
    Ok(Watching { watcher, effective })
}

/// Every file (and symlink) under `dir`, without following links.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

/// Every file in the watched folders.
pub fn scan(root: &Path, wf: &Workflow) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in watched_folders(root, wf) {
        walk(&dir, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_deleted_before_it_is_watched_is_left_to_the_first_scan() {
        let (wf, _) = Workflow::load(None).unwrap();
        let d = tempfile::tempdir().unwrap();
        crate::ops::init::ensure_tree(d.path(), &wf).unwrap();
        std::fs::remove_dir_all(d.path().join("04-ajukan-tte")).unwrap();
        for mode in [WatchMode::Events, WatchMode::Poll] {
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let started = start(d.path(), &wf, mode, Duration::from_millis(200), tx);
            assert!(started.is_ok(), "{mode:?}: {:#}", started.err().unwrap());
        }
        // Even the whole tree gone: the first scan makes it again.
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        std::fs::remove_dir_all(d.path()).unwrap();
        let started = start(d.path(), &wf, WatchMode::Events, Duration::from_millis(200), tx);
        assert!(started.is_ok(), "{:#}", started.err().unwrap());
    }
}
