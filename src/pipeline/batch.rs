//! Drafts that settle together are registered together: `process_all`
//! takes the files the loop found ready, processes each as `process` does,
//! but a new PDF draft ready to be registered waits in the batch instead of
//! being registered at once; the batch is then registered through
//! `store::batch` (one intent transaction, one sync per file system, one
//! commit). One draft alone goes the single way, as fast as before.
//!
//! A batch holds at most [`BATCH_LIMIT`] drafts and [`BYTES_LIMIT`] bytes.
//! What stays out of a batch, registered at once: a Word or OpenDocument
//! draft (its conversion takes seconds), a file larger than
//! [`FILE_LIMIT`], and a file tried before (after a crash while its batch
//! was under way, each of its drafts goes alone, so that one that crashes
//! suratd is set aside by its own attempts without taking the others with
//! it).

use super::intake::Draft;
use super::register::{Drafted, Planner, Ready};
use super::{FileData, Outcome, Pipeline, environmental};
use crate::decide::Dest;
use crate::store::batch::{self, Registration};
use crate::watch::settle::Seen;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most drafts in one batch (their bytes are held until it is done).
const BATCH_LIMIT: usize = 256;
/// The most bytes of drafts one batch holds.
const BYTES_LIMIT: usize = 64 << 20;
/// The largest draft that waits for a batch (bigger ones go at once).
pub(super) const FILE_LIMIT: usize = 4 << 20;
/// When a draft is put back because one before it in its batch failed.
const AGAIN: Duration = Duration::from_millis(200);

impl Pipeline {
    /// Processes settled files, in order; `done` is told what became of
    /// each (a batched draft once its batch is registered).
    pub(crate) fn process_all(&mut self, files: &[(PathBuf, Seen)], mut done: impl FnMut(&Path, Result<Outcome>)) {
        self.batch = (files.len() > 1).then(Vec::new);
        for (p, seen) in files {
            let r = self.process(p, *seen);
            if matches!(r, Ok(Outcome::Queued)) {
                let full = |b: &Vec<Ready>| {
                    b.len() >= BATCH_LIMIT || b.iter().map(|r| r.data.bytes.len()).sum::<usize>() >= BYTES_LIMIT
                };
                if self.batch.as_ref().is_some_and(full) {
                    self.flush(&mut done);
                }
                continue;
            }
            done(p, r);
        }
        self.flush(&mut done);
        self.batch = None;
    }

    /// Registers a new draft now, or queues it for the batch.
    pub(super) fn register_or_queue(
        &mut self,
        by: Drafted,
        data: FileData,
        draft: Draft,
        target: (String, Dest, String),
    ) -> Result<Outcome> {
        // The same bytes dropped twice: the second is looked at once the
        // first is a letter (and refused as its duplicate, as when alone).
        if self.batch.iter().flatten().any(|r| r.data.sha == data.sha) {
            return Ok(Outcome::Defer(AGAIN));
        }
        let joins = self.batch.is_some() && self.first_try && data.word.is_none() && data.bytes.len() <= FILE_LIMIT;
        if !joins {
            let store = self.store.clone();
            let r = self.ready(by, data, draft, target, &store)?;
            return self.register(r);
        }
        let store = self.store.batched();
        let r = self.ready(by, data, draft, target, &store)?;
        self.batch.as_mut().expect("batching").push(r);
        Ok(Outcome::Queued)
    }

    /// Registers the drafts waiting in the batch.
    fn flush(&mut self, done: &mut impl FnMut(&Path, Result<Outcome>)) {
        let ready = match self.batch.as_mut() {
            Some(b) if !b.is_empty() => std::mem::take(b),
            _ => return,
        };
        if let [_] = ready[..] {
            let r = ready.into_iter().next().expect("one");
            let (abs, rel) = (r.abs.clone(), r.rel.clone());
            // Its versions were kept without waiting for the disk.
            let result = self.store.sync().map_err(anyhow::Error::from).and_then(|()| self.register(r));
            done(&abs, self.count_attempt(&rel, result));
            return;
        }
        let root = self.cfg.root.clone();
        let (wf, store) = (self.wf.clone(), self.store.batched());
        let letters: Vec<_> = ready.iter().map(|r| &r.nl).collect();
        let (cfg, converter) = (&self.cfg, &self.converter);
        let result = batch::register(&mut self.db, &root, &wf.id_prefix, &store, &letters, |i, id, number| {
            crate::util::heartbeat::beat();
            Planner::new(cfg, converter, &wf, &store, &ready[i]).plan(id, number)
        });
        match result {
            Ok(each) => self.finish_batch(ready, each, done),
            Err(e) => self.batch_failed(ready, e, done),
        }
    }

    /// Logs and answers for each draft of a registered batch.
    fn finish_batch(
        &mut self,
        ready: Vec<Ready>,
        each: Vec<Registration>,
        done: &mut impl FnMut(&Path, Result<Outcome>),
    ) {
        let registered = each.iter().filter(|r| matches!(r, Registration::Done(_))).count();
        tracing::info!(drafts = ready.len(), registered, "registered a batch of drafts");
        for (r, outcome) in ready.into_iter().zip(each) {
            let result = match outcome {
                Registration::Done(plan) => self.registered(&r, &plan),
                Registration::Failed(e) => Err(e),
                Registration::Later => {
                    let _ = self.db.clear_attempts(&r.rel);
                    done(&r.abs, Ok(Outcome::Defer(AGAIN)));
                    continue;
                }
            };
            done(&r.abs, self.count_attempt(&r.rel, result));
        }
    }

    /// A batch that failed as a whole (the database, or a sync): each of
    /// its drafts is tried again, counted against it unless the machine is
    /// at fault. The first carries the error itself, for the admin's alert.
    fn batch_failed(&mut self, ready: Vec<Ready>, e: anyhow::Error, done: &mut impl FnMut(&Path, Result<Outcome>)) {
        let message = format!("{e:#}");
        let mut first = Some(e);
        for r in ready {
            let err = first.take().unwrap_or_else(|| anyhow::anyhow!("{message}"));
            done(&r.abs, self.count_attempt(&r.rel, Err(err)));
        }
    }

    /// What `process` does after the work: a success or a wait clears the
    /// file's attempts, a failure of the file is counted against it, one of
    /// the machine is not.
    pub(super) fn count_attempt(&self, rel: &str, result: Result<Outcome>) -> Result<Outcome> {
        match result {
            Ok(o) => {
                self.db.clear_attempts(rel)?;
                Ok(o)
            }
            Err(e) if environmental(&e) => {
                let _ = self.db.clear_attempts(rel);
                Err(e)
            }
            Err(e) => {
                self.db.attempt_failed(rel, &format!("{e:#}"))?;
                Err(e)
            }
        }
    }
}
