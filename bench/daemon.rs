//! suratd end to end, measured on the real release binary against a real
//! folder tree and SQLite file (durability on: `synchronous=FULL`, fsync of
//! files and folders). Run `bench/run` (installs what it needs, runs all of
//! them) or one part: `cargo bench --bench daemon -- <part>`, with parts
//!
//! - `latency`: from a draft settling to its arrival in 02-verifikasi, one
//!   draft at a time, in event and in polling mode (p50, p99, max);
//! - `burst`: 1,000 drafts dropped at once, side by side with two Python
//!   scripts (`bench/baseline.py`: watchdog, pypdf merge_page stamp, SQLite
//!   insert, move; `bench/baseline_annot.py`: the same done another way,
//!   a FreeText annotation), then the disk's floor (files synced one by
//!   one, and together);
//! - `idle`: CPU used by an idle daemon over a minute;
//! - `memory`: resident memory with 100,000 letters in the database;
//! - `poll`: one polling pass over 50,000 archived files;
//! - `import`: `suratd import` of a 10,000-letter register with its PDFs;
//! - `big`: one 100 MB draft through the daemon, its peak memory.
//!
//! Sizes can be lowered for a quick look: `SAMPLES`, `BURST`, `LETTERS`,
//! `FILES`, `IDLE_SECS`, `IMPORT` in the environment.

#[path = "pdfs.rs"]
#[allow(dead_code)]
mod pdfs;
#[path = "proc.rs"]
mod proc;
use proc::{env_n, status_kib};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A temporary share, database and config; the daemon runs while `child` lives.
struct Bench {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Bench {
    fn new(mode: &str, settle: &str, poll: &str) -> Bench {
        let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
        std::fs::write(
            dir.path().join("suratd.yaml"),
            format!(
                "root: share\ndatabase: data/suratd.db\nworkflow: workflow.yaml\nwatch:\n  mode: {mode}\n  settle: {settle}\n  poll_interval: {poll}\nprocessing:\n  sidecar_wait: {settle}\nlog:\n  level: warn\n"
            ),
        )
        .unwrap();
        // The shipped workflow, except that the first review does not
        // check the number in the text: the benchmark's drafts cannot know
        // theirs, and every draft should take the whole way (numbered,
        // stamped, stored, moved on), not be held back.
        let shipped = include_str!("../workflow.yaml");
        let workflow = shipped.replace("    checks: [number_in_text]\n", "");
        assert_ne!(workflow, shipped, "the number check is in the shipped workflow");
        std::fs::write(dir.path().join("workflow.yaml"), workflow).unwrap();
        Bench { dir, child: None }
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join("share").join(rel)
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("data/suratd.db")
    }

    fn start(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_suratd"))
            .arg("--config")
            .arg(self.dir.path().join("suratd.yaml"))
            .arg("run")
            .env("SURATD_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let t = Instant::now();
        while !(self.db().exists() && self.p("01-draf/revisi").is_dir()) {
            assert!(t.elapsed() < Duration::from_secs(60), "suratd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        // Start-up scan and first ticks.
        std::thread::sleep(Duration::from_millis(500));
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A one-page letter, about the size of a short official letter (3 KB).
fn letter_pdf(i: usize) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let mut ops = vec![Operation::new("BT", vec![]), Operation::new("Tf", vec!["F1".into(), 11.into()])];
    ops.push(Operation::new("Td", vec![72.into(), 780.into()]));
    ops.push(Operation::new("Tj", vec![Object::string_literal(format!("Surat nomor {i}"))]));
    for line in 0..40 {
        ops.push(Operation::new("Td", vec![0.into(), (-16).into()]));
        ops.push(Operation::new(
            "Tj",
            vec![Object::string_literal(format!("Baris {line} isi surat dinas untuk keperluan uji kinerja."))],
        ));
    }
    ops.push(Operation::new("ET", vec![]));
    let content_id = doc.add_object(Stream::new(dictionary! {}, Content { operations: ops }.encode().unwrap()));
    let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Arrival times of files in a folder, from inotify (the bench's own watcher).
struct Arrivals {
    _w: notify::RecommendedWatcher,
    rx: mpsc::Receiver<(PathBuf, Instant)>,
}

impl Arrivals {
    fn watch(dir: &Path) -> Arrivals {
        use notify::Watcher;
        let (tx, rx) = mpsc::channel();
        let mut w = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let now = Instant::now();
            if let Ok(ev) = ev
                && matches!(
                    ev.kind,
                    notify::EventKind::Create(_) | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
                )
            {
                for p in ev.paths {
                    let _ = tx.send((p, now));
                }
            }
        })
        .unwrap();
        w.watch(dir, notify::RecursiveMode::NonRecursive).unwrap();
        Arrivals { _w: w, rx }
    }

    /// Waits for a new file whose name ends with `suffix`.
    fn wait(&self, suffix: &str, limit: Duration) -> Option<Instant> {
        let end = Instant::now() + limit;
        while let Ok((p, t)) = self.rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
            if p.to_string_lossy().ends_with(suffix) && p.exists() {
                return Some(t);
            }
        }
        None
    }

    /// Waits until `n` distinct files ending in `.pdf` arrived; the last time.
    fn wait_count(&self, n: usize, limit: Duration) -> Option<Instant> {
        let end = Instant::now() + limit;
        let mut seen = HashSet::new();
        let mut last = None;
        while seen.len() < n {
            let (p, t) = self.rx.recv_timeout(end.saturating_duration_since(Instant::now())).ok()?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.ends_with(".pdf") && !name.starts_with('.') && seen.insert(name) {
                last = Some(t);
            }
        }
        last
    }
}

/// Writes `bytes` beside the share and renames it in: the moment it is complete.
fn drop_in(stage: &Path, to: &Path, bytes: &[u8]) -> Instant {
    let tmp = stage.join(to.file_name().unwrap());
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, to).unwrap();
    Instant::now()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn latency(mode: &str) {
    let samples = env_n("SAMPLES", 100);
    let (settle, poll) = (Duration::from_millis(500), "500ms");
    let mut b = Bench::new(mode, "500ms", poll);
    b.start();
    let stage = b.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let arrivals = Arrivals::watch(&b.p("02-verifikasi"));
    let mut past_settle = Vec::new();
    for i in 1..=samples {
        let name = format!("KP.650 Latensi {i:04}.pdf");
        let dropped = drop_in(&stage, &b.p(&format!("01-draf/{name}")), &letter_pdf(i));
        let arrived = arrivals.wait(&format!(" Latensi {i:04}.pdf"), Duration::from_secs(30)).expect("arrived");
        past_settle.push(arrived.duration_since(dropped).saturating_sub(settle));
        // Spread the drops over the polling phase.
        std::thread::sleep(Duration::from_millis(50 + (i as u64 * 137) % 500));
    }
    past_settle.sort();
    // In polling mode the settle time starts when a poll first sees the
    // file, so this includes the wait for that poll (0 to poll_interval).
    println!(
        "latency {mode:6}: {samples} drafts, settle 500 ms, poll interval {poll}; arrival - drop - settle: p50 {}, p99 {}, max {}",
        ms(percentile(&past_settle, 0.5)),
        ms(percentile(&past_settle, 0.99)),
        ms(*past_settle.last().unwrap())
    );
}

fn burst() {
    let n = env_n("BURST", 1000);
    let drafts: Vec<(String, Vec<u8>)> = (1..=n).map(|i| (format!("KP.650 Burst {i:04}.pdf"), letter_pdf(i))).collect();

    // suratd
    let settle = Duration::from_millis(500);
    let mut b = Bench::new("events", "500ms", "2s");
    b.start();
    let stage = b.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let arrivals = Arrivals::watch(&b.p("02-verifikasi"));
    for (name, bytes) in &drafts {
        std::fs::write(stage.join(name), bytes).unwrap();
    }
    let cpu0 = cpu_ticks(b.pid());
    let first = Instant::now();
    for (name, _) in &drafts {
        std::fs::rename(stage.join(name), b.p(&format!("01-draf/{name}"))).unwrap();
    }
    let last = arrivals.wait_count(n, Duration::from_secs(600)).expect("all arrived");
    let cpu = (cpu_ticks(b.pid()) - cpu0) as f64 / clock_ticks();
    let wall = last.duration_since(first);
    let work = wall.saturating_sub(settle);
    let ours = n as f64 / work.as_secs_f64();
    println!(
        "burst suratd : {n} drafts in {:.2} s from first drop ({:.2} s after settling): {ours:.0} drafts/s; CPU {cpu:.1} s",
        wall.as_secs_f64(),
        work.as_secs_f64()
    );
    let letters: i64 = rusqlite::Connection::open(b.db())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM letters", [], |r| r.get(0))
        .unwrap();
    assert_eq!(letters as usize, n);
    b.stop();

    // Two Python scripts, same drafts, same disk.
    for script in ["baseline.py", "baseline_annot.py"] {
        let theirs = python_burst(script, &drafts);
        println!("burst ratio  : suratd {:.1}x {script}", ours / theirs);
    }
    fsync_floor();
}

/// One Python script of `bench/` on the same drafts: drafts per second.
fn python_burst(script: &str, drafts: &[(String, Vec<u8>)]) -> f64 {
    let n = drafts.len();
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
    let (inbox, outbox, stage) = (dir.path().join("inbox"), dir.path().join("outbox"), dir.path().join("stage"));
    for d in [&inbox, &outbox, &stage] {
        std::fs::create_dir_all(d).unwrap();
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench").join(script);
    let mut py = Command::new("python3")
        .arg(&path)
        .arg(&inbox)
        .arg(&outbox)
        .arg(dir.path().join("baseline.db"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(py.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "bench/{script} needs watchdog and pypdf (pip install watchdog pypdf)");
    }
    let arrivals = Arrivals::watch(&outbox);
    for (name, bytes) in drafts {
        std::fs::write(stage.join(name), bytes).unwrap();
    }
    let first = Instant::now();
    for (name, _) in drafts {
        std::fs::rename(stage.join(name), inbox.join(name)).unwrap();
    }
    let last = arrivals.wait_count(n, Duration::from_secs(1800)).expect("python: all arrived");
    let wall = last.duration_since(first);
    let theirs = n as f64 / wall.as_secs_f64();
    println!("burst {script}: {n} drafts in {:.2} s (no settle wait): {theirs:.0} drafts/s", wall.as_secs_f64());
    let _ = py.kill();
    let _ = py.wait();
    theirs
}

/// What the disk under the benchmark allows, whatever the program: 1,000
/// files of 3 KB each made durable one by one (write, fsync of the file and
/// of its folder: the least a program that keeps each letter safe before
/// the next does), and the same files made durable together (one `syncfs`
/// for all), one and three files per draft (suratd writes three: the
/// draft's version, the stamped version and the placed copy).
fn fsync_floor() {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let n = env_n("BURST", 1000);
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
    let data = letter_pdf(1);
    let write = |name: String, sync: bool| {
        let mut f =
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o644).open(dir.path().join(name)).unwrap();
        f.write_all(&data).unwrap();
        if sync {
            f.sync_all().unwrap();
            std::fs::File::open(dir.path()).unwrap().sync_all().unwrap();
        }
    };
    let t = Instant::now();
    (0..n).for_each(|i| write(format!("a{i}"), true));
    let each = n as f64 / t.elapsed().as_secs_f64();
    let together = |per: usize, tag: &str| {
        let t = Instant::now();
        (0..n * per).for_each(|i| write(format!("{tag}{i}"), false));
        let d = std::fs::File::open(dir.path()).unwrap();
        rustix::fs::syncfs(&d).unwrap();
        n as f64 / t.elapsed().as_secs_f64()
    };
    let one = together(1, "b");
    let three = together(3, "c");
    println!(
        "floor: one file synced per draft {each:.0} drafts/s; synced together: 1 file/draft {one:.0} drafts/s, 3 files/draft {three:.0} drafts/s"
    );
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn clock_ticks() -> f64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(100.0)
}

fn idle_cpu(b: &Bench, label: &str) {
    let secs = env_n("IDLE_SECS", 60) as u64;
    std::thread::sleep(Duration::from_secs(3));
    let c0 = cpu_ticks(b.pid());
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let cpu = (cpu_ticks(b.pid()) - c0) as f64 / clock_ticks();
    println!(
        "idle {label}: {:.2} s CPU in {:.0} s = {:.3}% of one core; RSS {} KiB",
        cpu,
        t0.elapsed().as_secs_f64(),
        100.0 * cpu / t0.elapsed().as_secs_f64(),
        status_kib(b.pid(), "VmRSS:")
    );
}

fn idle() {
    for mode in ["events", "poll"] {
        let mut b = Bench::new(mode, "2s", "2s");
        b.start();
        idle_cpu(&b, &format!("{mode:6} (default settle and poll interval, empty tree)"));
    }
}

/// Fills the database with `n` letters as years of use leave them: most
/// archived with their history, some still under way, a version each, six
/// transitions each, and their emails sent.
fn fill_database(b: &mut Bench, n: usize) {
    b.start();
    b.stop();
    let mut c = rusqlite::Connection::open(b.db()).unwrap();
    let t = c.transaction().unwrap();
    {
        let mut letter = t
            .prepare(
                "INSERT INTO letters (id, year, seq, number, subject, drafter, state, step, path, sha256, size, mtime_ns, created_at, step_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'budi', ?6, ?7, ?8, ?9, 40000, 0, '2025-03-01T02:00:00Z', '2025-03-02T02:00:00Z')",
            )
            .unwrap();
        let mut version = t
            .prepare("INSERT INTO versions (letter_id, sha256, size, added_at, source) VALUES (?1, ?2, 40000, '2025-03-01T02:00:00Z', '01-draf/x.pdf')")
            .unwrap();
        let mut transition = t
            .prepare(
                "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified, path, sha256, note)
                 VALUES (?1, '2025-03-01T02:00:00Z', 'draf', 'verifikasi', ?2, 'budi', 1, ?3, ?4, NULL)",
            )
            .unwrap();
        for i in 0..n {
            let year = 2020 + (i / 20_000) as i32;
            let seq = (i % 20_000) as i64 + 1;
            let id = format!("SK-{year}-{seq:05}");
            let active = i % 100 == 0;
            let (state, step) = if active { ("active", "verifikasi") } else { ("finished", "arsip") };
            let path = if active {
                format!("02-verifikasi/{id} Surat {i}.pdf")
            } else {
                format!("arsip/{year}/{id} Surat {i}/{id} Surat {i}.pdf")
            };
            let sha = format!("{:064x}", i);
            letter
                .execute(rusqlite::params![
                    id,
                    year,
                    seq,
                    format!("B-{seq:03}/17000/KP.650/{year}"),
                    format!("Surat {i}"),
                    state,
                    step,
                    path,
                    sha
                ])
                .unwrap();
            version.execute(rusqlite::params![id, sha]).unwrap();
            for action in ["register", "setuju", "setuju", "ajukan", "tte", "terkirim"] {
                transition.execute(rusqlite::params![id, action, path, sha]).unwrap();
            }
        }
    }
    t.commit().unwrap();
}

fn memory() {
    let n = env_n("LETTERS", 100_000);
    let mut b = Bench::new("events", "2s", "2s");
    let t = Instant::now();
    fill_database(&mut b, n);
    let size = std::fs::metadata(b.db()).unwrap().len();
    println!("memory: {n} letters written in {:.1} s; database {} MB", t.elapsed().as_secs_f64(), size / 1_000_000);
    b.start();
    idle_cpu(&b, &format!("events with {n} letters"));
    // Work arrives: 100 drafts, then look again.
    let stage = b.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let arrivals = Arrivals::watch(&b.p("02-verifikasi"));
    for i in 0..100 {
        drop_in(&stage, &b.p(&format!("01-draf/KP.650 Memori {i:03}.pdf")), &letter_pdf(i));
    }
    arrivals.wait_count(100, Duration::from_secs(120)).expect("arrived");
    std::thread::sleep(Duration::from_secs(3));
    println!(
        "memory with {n} letters: RSS {} KiB after 100 more drafts; peak (VmHWM) {} KiB",
        status_kib(b.pid(), "VmRSS:"),
        status_kib(b.pid(), "VmHWM:")
    );
}

fn poll() {
    let files = env_n("FILES", 50_000);
    // 1. The daemon in polling mode over a share whose archive holds `files` letters.
    let mut b = Bench::new("poll", "2s", "2s");
    b.start();
    b.stop();
    let t = Instant::now();
    for i in 0..files {
        let dir = b.p(&format!("arsip/2025/SK-2025-{i:05} Surat {i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("SK-2025-{i:05} Surat {i}.pdf")), b"%PDF-1.4\n%%EOF\n").unwrap();
    }
    println!("poll: {files} archived files made in {:.1} s", t.elapsed().as_secs_f64());
    b.start();
    idle_cpu(&b, &format!("poll   with {files} archived files (poll interval 2 s)"));
    b.stop();

    // 2. The same watcher suratd uses (notify's PollWatcher, same config)
    //    over `files` files in a polled folder: the cost of one pass.
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
    for i in 0..files {
        let d = dir.path().join(format!("{:03}", i % 500));
        if i < 500 {
            std::fs::create_dir_all(&d).unwrap();
        }
        std::fs::write(d.join(format!("SK-2025-{i:05} Surat {i}.pdf")), b"%PDF-1.4\n%%EOF\n").unwrap();
    }
    use notify::Watcher;
    let (tx, rx) = mpsc::channel();
    let mut w = notify::PollWatcher::new(
        move |_| {
            let _ = tx.send(());
        },
        notify::Config::default().with_poll_interval(Duration::from_secs(3600)),
    )
    .unwrap();
    let me = std::process::id();
    let (c0, t0) = (cpu_ticks(me), Instant::now());
    w.watch(dir.path(), notify::RecursiveMode::Recursive).unwrap(); // the first pass builds the index
    let first = t0.elapsed();
    let first_cpu = (cpu_ticks(me) - c0) as f64 / clock_ticks();
    // poll() only asks the watcher's thread; a pass is over when this
    // process stops using CPU.
    let passes = 5;
    let (mut wall, mut cpu) = (Duration::ZERO, 0u64);
    for _ in 0..passes {
        let (c, t) = (cpu_ticks(me), Instant::now());
        w.poll().unwrap();
        let mut last = c;
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let now = cpu_ticks(me);
            if now == last && now > c {
                break;
            }
            last = now;
        }
        wall += t.elapsed().saturating_sub(Duration::from_millis(50));
        cpu += cpu_ticks(me) - c;
    }
    while rx.try_recv().is_ok() {}
    println!(
        "poll pass over {files} files (notify PollWatcher, as suratd uses it): first pass {:.0} ms ({first_cpu:.2} s CPU); then {:.0} ms wall, {:.0} ms CPU per pass",
        first.as_secs_f64() * 1000.0,
        wall.as_secs_f64() * 1000.0 / passes as f64,
        cpu as f64 / clock_ticks() * 1000.0 / passes as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let all = args.is_empty() || args.iter().any(|a| a == "all");
    let want = |p: &str| all || args.iter().any(|a| a == p);
    println!(
        "machine: {} cores, {}; suratd {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().map(str::to_string))
            .unwrap_or_default(),
        env!("CARGO_PKG_VERSION")
    );
    if want("latency") {
        latency("events");
        latency("poll");
    }
    if want("burst") {
        burst();
    }
    if want("idle") {
        idle();
    }
    if want("memory") {
        memory();
    }
    if want("poll") {
        poll();
    }
    if want("import") {
        import();
    }
    if want("big") {
        big();
    }
}

/// One 100 MB draft through the running daemon (read, checked, numbered,
/// stamped, kept, placed): the daemon's peak memory before and after.
fn big() {
    let mut b = Bench::new("events", "500ms", "2s");
    b.start();
    let before = status_kib(b.pid(), "VmHWM:");
    let stage = b.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let bytes = pdfs::big_pdf(100);
    let name = "KP.650 Laporan Besar.pdf";
    std::fs::write(stage.join(name), &bytes).unwrap();
    let arrivals = Arrivals::watch(&b.p("02-verifikasi"));
    let t = Instant::now();
    std::fs::rename(stage.join(name), b.p(&format!("01-draf/{name}"))).unwrap();
    arrivals.wait_count(1, Duration::from_secs(300)).expect("the big draft arrived");
    let after = status_kib(b.pid(), "VmHWM:");
    println!(
        "big draft: {:.1} MB registered in {:.2} s; daemon peak RSS {} MB before, {} MB after",
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        before / 1024,
        after / 1024
    );
    b.stop();
}

/// `suratd import` of an old register of `IMPORT` one-page letters (10,000),
/// each with its PDF: letters per second and the peak memory of the
/// import (`/usr/bin/time -f %M`).
fn import() {
    let n = env_n("IMPORT", 10_000);
    let b = Bench::new("events", "1s", "1s");
    let files = b.dir.path().join("lama");
    std::fs::create_dir_all(&files).unwrap();
    let mut csv = String::from("nomor;tanggal;perihal;tujuan;klasifikasi;sifat;status;berkas\n");
    for i in 1..=n {
        std::fs::write(files.join(format!("{i}.pdf")), letter_pdf(i)).unwrap();
        csv += &format!(
            "B-{i:05}/17000/KP.650/2024;2024-03-01;Surat lama {i};Kepala BPS Kabupaten Kaur;KP.650;Biasa;terkirim;{i}.pdf\n"
        );
    }
    let register = b.dir.path().join("agenda.csv");
    std::fs::write(&register, csv).unwrap();
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_suratd"))
        .arg("--config")
        .arg(b.dir.path().join("suratd.yaml"))
        .args(["import", "--register"])
        .arg(&register)
        .arg("--files")
        .arg(&files)
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let peak_kb: u64 =
        String::from_utf8_lossy(&out.stderr).lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    println!(
        "import: {n} letters in {:.2} s = {:.0} letters/s; peak RSS {} MB",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        peak_kb / 1024
    );
}
