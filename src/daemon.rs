//! `suratd run`: wires the watcher, the settle tracker and the pipeline
//! together. One loop, one file at a time (so numbers and moves never race),
//! with timers for settling, deferred files and the periodic safety scan.

use crate::config::Config;
use crate::mail::alerts::Alert;
use crate::ops::init;
use crate::pipeline::{self, Outcome, Pipeline};
use crate::watch::settle::{Seen, Tracker};
use crate::watch::{self, Change};
use crate::workflow::Workflow;
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Looks at a path now: `None` if it is gone.
fn look(p: &Path) -> Option<Seen> {
    std::fs::symlink_metadata(p).ok().map(|m| Seen { size: m.len(), mtime_ns: pipeline::mtime_ns(&m) })
}

struct Loop {
    pipeline: Pipeline,
    watching: watch::Watching,
    tracker: Tracker,
    /// Files handled, with their state then: a scan skips them while unchanged.
    handled: HashMap<PathBuf, Seen>,
    /// Consecutive failures per path, for back-off.
    failures: HashMap<PathBuf, u32>,
    /// Letters' recorded files seen gone, and since when (see
    /// `pipeline::missing`).
    vanished: HashMap<String, Instant>,
    /// Settled files still open for writing, logged once each.
    busy: std::collections::HashSet<PathBuf>,
    /// Folders that appeared (a folder dropped as a whole), to walk once
    /// more when due: files written into one before its kernel watch was
    /// in place send no event.
    new_dirs: Vec<(PathBuf, Instant)>,
    /// The workflow in use, for the web board (a reload replaces it).
    published: tokio::sync::watch::Sender<Arc<Workflow>>,
}

impl Loop {
    fn consider(&mut self, p: &Path, now: Instant, from_scan: bool) {
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => {
                if !from_scan {
                    self.new_dirs.push((p.to_path_buf(), now + self.pipeline.cfg.watch.settle * 2));
                }
                let mut files = Vec::new();
                watch::walk(p, &mut files);
                for f in files {
                    self.consider(&f, now, from_scan);
                }
            }
            Ok(_) => {
                if !self.pipeline.wants(p) {
                    return;
                }
                let seen = look(p);
                if from_scan && seen.is_some() && self.handled.get(p) == seen.as_ref() && !self.tracker.contains(p) {
                    return;
                }
                self.tracker.observe(p, seen, now);
            }
            Err(_) => {
                self.tracker.observe(p, None, now);
                self.handled.remove(p);
                self.busy.remove(p);
                if let Some(rel) = crate::store::fsops::rel_path(self.pipeline.root(), p)
                    && self.pipeline.is_letter_file(&rel)
                {
                    self.vanished.entry(rel).or_insert(now);
                }
            }
        }
    }

    /// Notes letters in flight whose recorded file is gone (a delete the
    /// watcher did not report: a poll that never saw the file, a delete
    /// while suratd was down).
    fn look_for_missing(&mut self, now: Instant) {
        match self.pipeline.missing_files() {
            Ok(gone) => gone.into_iter().for_each(|rel| {
                self.vanished.entry(rel).or_insert(now);
            }),
            Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot look for letters whose file is gone"),
        }
    }

    /// Puts back the letters' files that have been gone longer than a move
    /// takes to show up elsewhere.
    fn put_back_vanished(&mut self, now: Instant) {
        let grace = self.pipeline.missing_grace();
        let due: Vec<String> = self
            .vanished
            .iter()
            .filter(|(_, since)| now.duration_since(**since) >= grace)
            .map(|(r, _)| r.clone())
            .collect();
        for rel in due {
            self.vanished.remove(&rel);
            if let Err(e) = self.pipeline.put_back_missing(&rel) {
                tracing::error!(file = %rel, error = %format!("{e:#}"), "cannot put back a letter's missing file");
            }
        }
    }

    fn full_scan(&mut self, now: Instant) {
        // Someone may have deleted a workflow folder: put it back.
        let mut recreated = false;
        match init::ensure_tree(self.pipeline.root(), &self.pipeline.wf) {
            Ok(created) if !created.is_empty() => {
                tracing::warn!(folders = ?created, "recreated missing folders");
                recreated = true;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot recreate missing folders"),
        }
        // A folder made anew has lost its kernel watch (and polling never
        // watched one missing when it started).
        if !self.watching.effective.polling || recreated {
            self.watching.rewatch(self.pipeline.root(), &self.pipeline.wf);
        }
        let files = watch::scan(self.pipeline.root(), &self.pipeline.wf);
        self.look_for_missing(now);
        let present: std::collections::HashSet<&PathBuf> = files.iter().collect();
        self.handled.retain(|p, _| present.contains(p));
        for f in &files {
            self.consider(f, now, true);
        }
    }

    /// The loop's regular chores: reminders due, the watcher's health, the
    /// Samba audit log.
    fn every_two_seconds(&mut self) {
        let p = &mut self.pipeline;
        if let Err(e) = crate::mail::reminders::run_once(&mut p.db, &p.wf, &p.cfg.share_path, chrono::Utc::now()) {
            tracing::error!(error = %format!("{e:#}"), "cannot queue reminders");
        }
        self.watch_health();
        self.pipeline.poll_audit();
    }

    /// Re-looks at every candidate, then processes those that have settled.
    fn tick(&mut self, now: Instant) {
        let (due, later) = std::mem::take(&mut self.new_dirs).into_iter().partition(|(_, at)| *at <= now);
        self.new_dirs = later;
        for (dir, _) in due {
            self.consider(&dir, now, true);
        }
        for p in self.tracker.paths() {
            self.tracker.observe(&p, look(&p), now);
        }
        let mut ready = Vec::new();
        for (p, seen) in self.tracker.due(now) {
            // Unchanged for the settle time, but still open for writing: a
            // copy stalled on a slow network, or an editor holding it.
            // Opening the file can block on a share that stopped answering.
            let limit = self.pipeline.cfg.processing.timeout;
            let q = p.clone();
            let mount = watch::mounts::mount_point(&p);
            let busy = crate::util::stall::within(limit, &p.display().to_string(), &mount, move || {
                watch::busy::open_for_writing(&q)
            });
            if let Err(e) = &busy {
                tracing::error!(file = %p.display(), error = %e, "the share does not answer; trying the file again later");
                self.share_stalled(&p, &anyhow::Error::new(e.clone()));
                self.tracker.defer(&p, now + limit.max(self.pipeline.cfg.watch.settle));
                continue;
            }
            if busy == Ok(Some(true)) {
                if self.busy.insert(p.clone()) {
                    tracing::info!(file = %p.display(), "waiting: the file is still open for writing (a copy in progress, or a program holds it)");
                }
                self.tracker.defer(&p, now + self.pipeline.cfg.watch.settle);
                continue;
            }
            self.busy.remove(&p);
            ready.push((p, seen));
        }
        // Drafts ready together are registered as one batch, in the order
        // they were dropped (their numbers follow it).
        ready.sort_by(|(a, sa), (b, sb)| sa.mtime_ns.cmp(&sb.mtime_ns).then_with(|| a.cmp(b)));
        let mut results = Vec::with_capacity(ready.len());
        let mut started = Instant::now();
        self.pipeline.process_all(&ready, |p, result| {
            crate::util::timing::file_processed(started.elapsed());
            started = Instant::now();
            // A batch of files is a long, healthy wait for the watchdog.
            crate::util::heartbeat::beat();
            results.push((p.to_path_buf(), result));
        });
        for (p, result) in results {
            self.processed(p, result);
        }
    }

    /// Follows up on what became of a file.
    fn processed(&mut self, p: PathBuf, result: Result<Outcome>) {
        match result {
            Ok(Outcome::Done | Outcome::Skipped | Outcome::Queued) => {
                self.tracker.remove(&p);
                self.failures.remove(&p);
                if let Some(s) = look(&p) {
                    self.handled.insert(p.clone(), s);
                }
            }
            Ok(Outcome::Defer(d)) => {
                tracing::debug!(file = %p.display(), wait = ?d, "not ready yet; looking again later");
                self.tracker.defer(&p, Instant::now() + d)
            }
            Err(e) => {
                let n = self.failures.entry(p.clone()).or_insert(0);
                *n += 1;
                let wait = Duration::from_secs(2u64.saturating_pow((*n).min(8)));
                tracing::error!(file = %p.display(), error = %format!("{e:#}"), retry_in = ?wait, "could not process a file; will try again");
                self.tracker.defer(&p, Instant::now() + wait);
                if crate::pipeline::disk_fault(&e) {
                    self.disk_fault(&p, &e);
                } else if crate::pipeline::stalled(&e) {
                    self.share_stalled(&p, &e);
                }
            }
        }
    }
}

/// Refuses to start beside a share holding letters the database never
/// registered (a database restored from an older backup): the ids and
/// numbers given since would be given again to new letters.
fn not_behind_the_share(cfg: &Config, wf: &Workflow) -> Result<()> {
    let db = crate::store::db::Db::open_existing(&cfg.database)?;
    let beyond = crate::ops::fsck::ids_beyond(cfg, wf, &db)?;
    let Some((file, id)) = beyond.first() else { return Ok(()) };
    anyhow::bail!(
        "the share holds {} file(s) of letters the database {} never registered, from {id} ({file}) on: the database \
         was perhaps restored from an older backup, and the ids and numbers given since would be given again. Take \
         these files off the share and set letters.sequence.last_used to the last number given (README: Backup and \
         restore), then start suratd again",
        beyond.len(),
        cfg.database.display()
    )
}

/// Makes the tree if missing, resolves the root, opens the pipeline,
/// removes half-written copies a killed suratd left (on the share and in
/// the store) and completes or undoes interrupted transitions.
fn prepare(cfg: &mut Config, wf: &Arc<Workflow>) -> Result<Pipeline> {
    let created = init::ensure_tree(&cfg.root, wf)?;
    if !created.is_empty() {
        tracing::info!(root = %cfg.root.display(), folders = ?created, "created missing folders");
    }
    // Watchers report absolute paths; work with the root's canonical form.
    cfg.root = std::fs::canonicalize(&cfg.root)
        .with_context(|| format!("cannot resolve the share folder {}", cfg.root.display()))?;
    let mut pipeline = Pipeline::open(cfg.clone(), wf.clone())?;
    not_behind_the_share(cfg, wf)?;
    if let Some(problem) = cfg.samba.audit_log.as_ref().and_then(|p| crate::watch::audit::tail::problem(p.as_str())) {
        tracing::warn!("{problem}");
    }
    for dir in [cfg.root.clone(), cfg.store_dir()] {
        for p in crate::store::fsops::remove_stale_temps(&dir) {
            tracing::warn!(file = %p.display(), "removed a temporary file left by an interrupted run");
        }
    }
    for r in pipeline.recover()? {
        tracing::warn!(?r, "recovered a transition interrupted by a crash");
    }
    Ok(pipeline)
}

/// A timer that ticks every `period` (first at once, or after one period
/// when `later`), and after a slow tick waits a full period again.
fn every(period: Duration, later: bool) -> tokio::time::Interval {
    let mut t = if later {
        tokio::time::interval_at(tokio::time::Instant::now() + period, period)
    } else {
        tokio::time::interval(period)
    };
    t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    t
}

/// Runs until `shutdown` resolves. The tree is created if missing, pending
/// intents are recovered, then every folder is scanned and watched.
pub async fn run(mut cfg: Config, wf: Arc<Workflow>, shutdown: impl Future<Output = ()>) -> Result<()> {
    // The workflow file as it was loaded: an edit saved while suratd starts
    // (recovery and the first scan take a while) is taken once running.
    let mut workflow_seen = cfg.workflow.as_deref().and_then(modified);
    crate::web::server::precheck(&cfg)?;
    let _one_per_database = crate::store::lock::take(&cfg.database, "suratd run")?;
    let pipeline = prepare(&mut cfg, &wf)?;
    // Emails queued by transitions are sent by their own task; the web
    // board is served by another.
    let (stop_tasks, tasks_stop) = tokio::sync::watch::channel(false);
    let mailer = tokio::spawn(crate::mail::outbox::run(cfg.clone(), wf.office.name.clone(), tasks_stop.clone()));
    let (published, in_use) = tokio::sync::watch::channel(wf.clone());
    crate::util::timing::tick(); // alive for `/healthz`: the first scan has the stall bound
    let board = cfg.web.enabled.then(|| tokio::spawn(crate::web::serve(Arc::new(cfg.clone()), in_use, tasks_stop)));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let watching = watch::start(&cfg.root, &wf, cfg.watch.mode, cfg.watch.poll_interval, tx)?;
    tracing::info!(
        root = %cfg.root.display(),
        database = %cfg.database.display(),
        workflow = %wf.source,
        polling = watching.effective.polling,
        why = %watching.effective.why,
        "suratd is running"
    );
    let mut lp = Loop {
        pipeline,
        watching,
        tracker: Tracker::new(cfg.watch.settle),
        handled: HashMap::new(),
        failures: HashMap::new(),
        vanished: HashMap::new(),
        busy: Default::default(),
        new_dirs: Vec::new(),
        published,
    };
    lp.full_scan(Instant::now());
    // Ready once the tree has been scanned (systemd Type=notify).
    let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]);
    // Watchdog pings come from this loop: if processing hangs, they stop
    // and systemd restarts the service.
    let watchdog = watchdog_interval();
    // Long but healthy waits (a batch of files, a slow PDF within its time
    // limit) keep the watchdog fed too.
    if let Some(every) = watchdog {
        crate::util::heartbeat::start(every);
    }
    let mut dog = every(watchdog.unwrap_or(Duration::from_secs(3600)).max(Duration::from_millis(100)), false);
    let mut reload = every(Duration::from_secs(2), false);

    let mut ticker = every((cfg.watch.settle / 4).clamp(Duration::from_millis(50), Duration::from_millis(500)), false);
    let mut remind = every(Duration::from_secs(2), false);
    let mut rescan = every(cfg.watch.rescan, true);
    // Letters' files are few: looking for missing ones is cheap.
    let mut missing = every(MISSING_CHECK, true);
    tokio::pin!(shutdown);

    loop {
        // A sign of life for `/healthz` each time round (at least every 2 s:
        // the `remind` timer).
        crate::util::timing::tick();
        let due = lp.tracker.next_due();
        let due_soon = due.is_some();
        let next_due = tokio::time::Instant::from_std(due.unwrap_or_else(Instant::now));
        tokio::select! {
            biased;
            _ = &mut shutdown => {
                tracing::info!("stopping: shutdown requested");
                let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Stopping]);
                break;
            }
            _ = dog.tick(), if watchdog.is_some() => crate::util::heartbeat::ping(),
            _ = reload.tick(), if cfg.workflow.is_some() => {
                let path = cfg.workflow.clone().expect("checked");
                let now_seen = modified(&path);
                if now_seen != workflow_seen {
                    workflow_seen = now_seen;
                    tokio::task::block_in_place(|| lp.reload_workflow(&path));
                }
            }
            Some(ch) = rx.recv() => {
                let now = Instant::now();
                match ch {
                    Change::Path(p) => lp.consider(&p, now, false),
                    Change::Rescan => {
                        tracing::info!("rescanning every folder (events may have been lost)");
                        lp.full_scan(now);
                    }
                }
            }
            // A file is taken the moment it has settled; the regular tick
            // re-looks at candidates that are still changing.
            _ = tokio::time::sleep_until(next_due), if due_soon => {
                tokio::task::block_in_place(|| lp.tick(Instant::now()));
            }
            _ = ticker.tick() => {
                if !lp.tracker.is_empty() {
                    tokio::task::block_in_place(|| lp.tick(Instant::now()));
                }
                if !lp.vanished.is_empty() {
                    tokio::task::block_in_place(|| lp.put_back_vanished(Instant::now()));
                }
            }
            _ = remind.tick() => tokio::task::block_in_place(|| lp.every_two_seconds()),
            _ = missing.tick() => {
                tokio::task::block_in_place(|| lp.look_for_missing(Instant::now()));
            }
            _ = rescan.tick() => {
                tokio::task::block_in_place(|| lp.full_scan(Instant::now()));
            }
        }
    }
    let _ = stop_tasks.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), mailer).await;
    if let Some(b) = board {
        let _ = tokio::time::timeout(Duration::from_secs(5), b).await;
    }
    Ok(())
}

/// How often letters in flight are checked for a missing file.
const MISSING_CHECK: Duration = Duration::from_secs(10);

/// Half of systemd's watchdog time, when the watchdog is on for this
/// process (`WATCHDOG_USEC`, and `WATCHDOG_PID` absent or ours, as
/// sd_watchdog_enabled(3) reads them).
fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    match std::env::var("WATCHDOG_PID").ok().map(|p| p.parse::<u32>()) {
        Some(Ok(pid)) if pid != std::process::id() => None,
        Some(Err(_)) => None,
        _ => (usec > 0).then(|| Duration::from_micros(usec / 2)),
    }
}

/// A file's modification time and size, to notice edits.
fn modified(p: &Path) -> Option<(std::time::SystemTime, u64)> {
    std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())))
}

impl Loop {
    /// Takes a saved workflow.yaml into use, or refuses it: the running
    /// workflow stays, the errors are logged as FILE:LINE:COL and emailed to
    /// the admins. Letters at steps the edit removed are reported.
    fn reload_workflow(&mut self, path: &Path) {
        let p = &mut self.pipeline;
        match Workflow::load(Some(path)) {
            Ok((wf, warnings)) => {
                for w in &warnings {
                    tracing::warn!("{w}");
                }
                let wf = Arc::new(wf);
                let orphans: Vec<String> =
                    p.db.in_flight()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|l| wf.step(&l.step).is_none())
                        .map(|l| {
                            format!(
                                "{} ({}) at removed step {:?}: {}",
                                l.id,
                                l.number.unwrap_or_default(),
                                l.step,
                                l.path.unwrap_or_default()
                            )
                        })
                        .collect();
                p.wf = wf;
                self.published.send_replace(p.wf.clone());
                if let Err(e) = init::ensure_tree(&p.cfg.root, &p.wf) {
                    tracing::error!(error = %format!("{e:#}"), "cannot create the new workflow's folders");
                }
                self.watching.rewatch(&p.cfg.root, &p.wf);
                tracing::info!(workflow = %path.display(), steps = p.wf.steps.len(), "workflow reloaded");
                if !orphans.is_empty() {
                    for o in &orphans {
                        tracing::warn!(letter = %o, "a letter is at a step the new workflow no longer has; it stays where it is");
                    }
                    self.alert(&format!("workflow-orphans:{}", orphans.join("|")), Alert::WorkflowOrphans, &format!(
                        "Setelah workflow.yaml diubah, surat berikut berada di langkah yang sudah tidak ada dan tidak akan bergerak sampai dipindahkan oleh admin: {}",
                        orphans.join("; ")
                    ));
                }
            }
            Err(d) => {
                for e in &d.0 {
                    tracing::error!("{e}");
                }
                tracing::error!(workflow = %path.display(), "the edited workflow is refused; the running workflow stays");
                let stamp = modified(path).map(|(t, n)| format!("{t:?}{n}")).unwrap_or_default();
                self.alert(
                    &format!("workflow-refused:{stamp}"),
                    Alert::WorkflowRefused,
                    &format!(
                        "Perubahan {} ditolak; workflow yang berjalan tetap dipakai. Kesalahan: {}",
                        path.display(),
                        d
                    ),
                );
            }
        }
    }

    /// Tells the admins (once a day each) when email has not gone out for
    /// a while, or free space runs low on the share or beside the database.
    fn watch_health(&mut self) {
        let p = &self.pipeline;
        let today = crate::util::timefmt::date_wib(chrono::Utc::now());
        let cutoff = crate::util::timefmt::stored(
            chrono::Utc::now() - chrono::Duration::from_std(p.cfg.alerts.mail_after).unwrap_or_default(),
        );
        let stuck: Option<(i64, Option<String>)> = p.db.stuck_emails(&cutoff).ok();
        let mut alerts = Vec::new();
        if let Some((n, err)) = stuck
            && n > 0
        {
            let err = err.unwrap_or_default();
            tracing::error!(emails = n, error = %err, "the mail server has been unreachable for a while; emails wait in the outbox");
            alerts.push((
                format!("mail-unreachable:{today}"),
                Alert::MailUnreachable,
                format!(
                    "Server email tidak dapat dihubungi: {n} email menunggu lebih dari {} (kesalahan terakhir: {err}). Email tetap tersimpan dan dikirim ulang.",
                    humantime::format_duration(p.cfg.alerts.mail_after)
                ),
            ));
        }
        let db_dir = p.cfg.database.parent().map(Path::to_path_buf).unwrap_or_default();
        for dir in [p.cfg.root.clone(), db_dir] {
            if let Ok(st) = rustix::fs::statvfs(&dir) {
                let free = st.f_bavail.saturating_mul(st.f_frsize);
                if free < p.cfg.alerts.disk_min_free {
                    tracing::error!(folder = %dir.display(), free_bytes = free, "disk nearly full");
                    alerts.push((
                        format!("disk:{}:{today}", dir.display()),
                        Alert::DiskLow,
                        format!("Ruang disk hampir penuh di {}: tersisa {} MB.", dir.display(), free / (1024 * 1024)),
                    ));
                }
            }
        }
        for (key, kind, text) in alerts {
            self.alert(&key, kind, &text);
        }
    }

    /// Tells the admins (once a day) that files wait because a disk is full
    /// or read-only: they are neither refused nor numbered until it is fixed.
    fn disk_fault(&mut self, file: &Path, e: &anyhow::Error) {
        let today = crate::util::timefmt::date_wib(chrono::Utc::now());
        let text = format!(
            "File {} tidak dapat diproses karena disk penuh atau hanya-baca ({e:#}). File menunggu di tempatnya, tidak ditolak dan tidak memakai nomor; suratd mencobanya lagi sampai ruang disk atau izin folder dipulihkan.",
            file.display()
        );
        self.alert(&format!("disk-fault:{today}"), Alert::DiskFault, &text);
    }

    /// Tells the admins (once a day) that reads of the share do not
    /// answer: files wait, and with enough reads stuck none is read at all.
    fn share_stalled(&mut self, file: &Path, e: &anyhow::Error) {
        let today = crate::util::timefmt::date_wib(chrono::Utc::now());
        let text = format!(
            "Share tidak menjawab: membaca {} tidak selesai dalam processing.timeout ({e:#}). File menunggu di tempatnya, tidak ditolak dan tidak memakai nomor; suratd mencobanya lagi. Periksa mount share (server jaringan, NFS/CIFS); bila pembacaan tetap macet, suratd berhenti membaca share sama sekali sampai salah satunya kembali atau suratd dijalankan ulang.",
            file.display()
        );
        self.alert(&format!("share-stalled:{today}"), Alert::ShareStalled, &text);
    }

    /// Emails the admins once per `key`.
    fn alert(&mut self, key: &str, kind: Alert, alasan: &str) {
        let p = &mut self.pipeline;
        let fill = crate::mail::compose::Fill::default();
        if let Some(email) = crate::mail::compose::admin_alert(&p.wf, &p.cfg.admins, kind, alasan, &fill)
            && let Err(e) = p.db.queue_once(key, None, &email)
        {
            tracing::error!(error = %format!("{e:#}"), "cannot queue an alert for the admins");
        }
    }
}

/// Resolves on SIGTERM or SIGINT. The handlers are in place from this call
/// on (inside the runtime), so a stop while suratd is still starting (the
/// tree, recovery, the first scan) ends it cleanly instead of killing it.
pub fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered now, not when first awaited: a SIGTERM during start-up
    // (recovery, the first scan) is then a clean stop once the loop runs,
    // not the default action's abrupt end. Needs the runtime entered.
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
}
