//! Threads for work that must finish within a time limit (every reading
//! of a PDF, every read of the share): a few are kept between jobs, so a
//! burst of drafts does not start (and map a deep stack for) a thread for
//! each check. A worker goes back to the idle ones when its job is done; one
//! whose job overruns its caller's limit is simply not there until it
//! returns (a read that never returns keeps its thread, as before), so a
//! hostile file or a dead share still cannot hang the daemon.

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

/// A job for a worker.
pub type Job = Box<dyn FnOnce() + Send>;

/// Idle workers, each a thread waiting for its next job.
struct Pool {
    idle: Mutex<Vec<Sender<Job>>>,
}

/// suratd's workers.
static POOL: Pool = Pool { idle: Mutex::new(Vec::new()) };
/// How many idle workers are kept.
const KEEP: usize = 4;
/// PDF parsers recurse: a deep stack for each worker (mapped, used only as
/// deep as a file makes it go).
const STACK: usize = 64 * 1024 * 1024;

/// Runs `work` on a worker, catching panics (`Some(None)`), and gives up
/// after `limit` (`None`: the worker is left to finish alone).
pub fn limited<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> Option<Option<T>> {
    POOL.limited(limit, work)
}

/// Hands `job` to an idle worker, or to a new one; false when no thread
/// could be started for it. The job must catch its own panics.
pub fn run(job: Job) -> bool {
    POOL.run(job)
}

impl Pool {
    fn limited<T: Send + 'static>(
        &'static self,
        limit: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<Option<T>> {
        let (tx, rx) = channel();
        let started = self.run(Box::new(move || {
            let v = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
            let _ = tx.send(v);
        }));
        if !started {
            return None;
        }
        crate::util::heartbeat::recv_timeout(&rx, limit).ok()
    }

    fn run(&'static self, job: Job) -> bool {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let job = match idle {
            Some(w) => match w.send(job) {
                Ok(()) => return true,
                // Its thread is gone: a new one takes the job.
                Err(e) => e.0,
            },
            None => job,
        };
        let (tx, rx) = channel::<Job>();
        let me = tx.clone();
        let spawned = std::thread::Builder::new().name("worker".into()).stack_size(STACK).spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() >= KEEP {
                    return;
                }
                idle.push(me.clone());
            }
        });
        spawned.is_ok() && tx.send(job).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_reused_and_an_overrun_one_is_left_behind() {
        // A pool of its own: other tests' checks do not take its workers.
        let pool: &'static Pool = Box::leak(Box::new(Pool { idle: Mutex::new(Vec::new()) }));
        let name = || std::thread::current().id();
        let a = pool.limited(Duration::from_secs(5), name).unwrap().unwrap();
        // The worker puts itself back just after it answered.
        let idle = (0..500).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            pool.idle.lock().unwrap().len() == 1
        });
        assert!(idle, "the worker is idle again");
        assert_eq!(pool.limited(Duration::from_secs(5), name), Some(Some(a)), "an idle worker is reused");
        assert_eq!(pool.limited(Duration::from_millis(100), || std::thread::sleep(Duration::from_secs(2))), None);
        assert_eq!(pool.limited(Duration::from_secs(5), || -> u8 { panic!("a hostile file") }), Some(None));
        assert_eq!(pool.limited(Duration::from_secs(5), || 7), Some(Some(7)));
    }
}
