//! Arrival detection: a file has arrived only when its size and modification
//! time have not changed for the settle time. Pure bookkeeping over
//! observations and a clock; the daemon feeds it what it sees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a look at a path found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub size: u64,
    pub mtime_ns: i128,
}

#[derive(Debug)]
struct Entry {
    seen: Seen,
    stable_since: Instant,
    not_before: Instant,
}

/// Candidate files and how long each has been unchanged.
#[derive(Debug)]
pub struct Tracker {
    settle: Duration,
    entries: HashMap<PathBuf, Entry>,
}

impl Tracker {
    pub fn new(settle: Duration) -> Tracker {
        Tracker { settle, entries: HashMap::new() }
    }

    /// Records a look at `path`: `None` if it is gone.
    pub fn observe(&mut self, path: &Path, seen: Option<Seen>, now: Instant) {
        match seen {
            None => {
                self.entries.remove(path);
            }
            Some(s) => match self.entries.get_mut(path) {
                Some(e) if e.seen == s => {}
                Some(e) => {
                    e.seen = s;
                    e.stable_since = now;
                }
                None => {
                    self.entries.insert(path.to_path_buf(), Entry { seen: s, stable_since: now, not_before: now });
                }
            },
        }
    }

    /// Paths unchanged for the settle time and not deferred, oldest first.
    pub fn due(&self, now: Instant) -> Vec<(PathBuf, Seen)> {
        let mut v: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, e)| now.duration_since(e.stable_since) >= self.settle && now >= e.not_before)
            .map(|(p, e)| (p.clone(), e.seen, e.stable_since))
            .collect();
        v.sort_by_key(|(p, _, t)| (*t, p.clone()));
        v.into_iter().map(|(p, s, _)| (p, s)).collect()
    }

    /// When the next path will be due (if nothing changes before then).
    pub fn next_due(&self) -> Option<Instant> {
        self.entries.values().map(|e| (e.stable_since + self.settle).max(e.not_before)).min()
    }

    /// Takes `path` out (it was handled).
    pub fn remove(&mut self, path: &Path) {
        self.entries.remove(path);
    }

    /// Looks at `path` again no earlier than `until`.
    pub fn defer(&mut self, path: &Path, until: Instant) {
        if let Some(e) = self.entries.get_mut(path) {
            e.not_before = until;
        }
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.entries.contains_key(path)
    }

    pub fn paths(&self) -> Vec<PathBuf> {
        self.entries.keys().cloned().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_due_moment_is_the_earliest_settle_or_deferral() {
        let t0 = Instant::now();
        let mut t = Tracker::new(Duration::from_secs(2));
        assert_eq!(t.next_due(), None);
        let s = Seen { size: 1, mtime_ns: 1 };
        t.observe(Path::new("a"), Some(s), t0);
        t.observe(Path::new("b"), Some(s), t0 + Duration::from_secs(1));
        assert_eq!(t.next_due(), Some(t0 + Duration::from_secs(2)));
        t.defer(Path::new("a"), t0 + Duration::from_secs(10));
        assert_eq!(t.next_due(), Some(t0 + Duration::from_secs(3)));
    }

    #[test]
    fn a_growing_file_is_not_due_until_it_stops() {
        let t0 = Instant::now();
        let s = Duration::from_secs(2);
        let mut tr = Tracker::new(s);
        let p = Path::new("/x/a.pdf");
        tr.observe(p, Some(Seen { size: 10, mtime_ns: 1 }), t0);
        assert!(tr.due(t0 + Duration::from_secs(1)).is_empty());
        tr.observe(p, Some(Seen { size: 20, mtime_ns: 2 }), t0 + Duration::from_secs(1));
        assert!(tr.due(t0 + Duration::from_secs(2)).is_empty());
        tr.observe(p, Some(Seen { size: 20, mtime_ns: 2 }), t0 + Duration::from_secs(2));
        assert_eq!(tr.due(t0 + Duration::from_secs(3)).len(), 1);
        tr.defer(p, t0 + Duration::from_secs(10));
        assert!(tr.due(t0 + Duration::from_secs(5)).is_empty());
        assert_eq!(tr.due(t0 + Duration::from_secs(10)).len(), 1);
        tr.observe(p, None, t0 + Duration::from_secs(11));
        assert!(tr.is_empty());
    }
}
