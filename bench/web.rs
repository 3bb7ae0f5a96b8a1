//! The web board's memory and time per page with 100,000 letters in the
//! database, measured on the real release binary: `cargo bench --bench web`.
//!
//! A database is filled (in one transaction) with `LETTERS` letters (default
//! 100,000) spread over the last four years, each with its trail through
//! the steps of the shipped workflow, its agenda number, two versions, a
//! dispatch when finished and, for one in ten, an email in the outbox; one in a hundred is still in flight. `suratd run`
//! starts on it twice: with the board off (the daemon's own memory), then
//! with the board on, where VmRSS and VmHWM (/proc/PID/status) are read
//! before any request and after each page has been loaded `ROUNDS` times
//! (default 5), with the time each load took.

#[path = "proc.rs"]
mod proc;
use proc::{env_n, status_kib};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The steps of the shipped workflow a finished letter passes through.
const WALK: [(&str, &str, &str); 8] = [
    ("register", "", "draf"),
    ("kirim", "draf", "verifikasi"),
    ("setuju", "verifikasi", "kelengkapan"),
    ("setuju", "kelengkapan", "ajukan_tte"),
    ("ajukan", "ajukan_tte", "menunggu_tte"),
    ("tte", "menunggu_tte", "sudah_tte"),
    ("unggah", "sudah_tte", "distribusi"),
    ("terkirim", "distribusi", "arsip"),
];

/// Fills the database at `db` with `n` letters ending about now; returns
/// the id of a letter in flight.
fn fill(db: &Path, n: usize) -> String {
    drop(suratd::store::db::Db::open(db).unwrap()); // the schema
    let mut c = rusqlite::Connection::open(db).unwrap();
    let t = c.transaction().unwrap();
    let now = chrono::Utc::now();
    let span = chrono::Duration::days(4 * 365);
    let mut seqs = std::collections::HashMap::<i32, i64>::new();
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |m: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % m
    };
    let mut in_flight = String::new();
    {
        let mut letter = t.prepare(
            "INSERT INTO letters (id, year, seq, number, subject, drafter, state, step, path, sha256, size, mtime_ns, created_at, step_since, sifat, klasifikasi, tanggal)
             VALUES (?1, ?2, ?3, ?4, ?5, 'budi', ?6, ?7, ?8, ?9, 40000, 0, ?10, ?11, 'B', 'KP.650', ?12)").unwrap();
        let mut version = t.prepare(
            "INSERT INTO versions (letter_id, sha256, size, added_at, source, kind) VALUES (?1, ?2, 40000, ?3, '01-draf/x.pdf', ?4)").unwrap();
        let mut transition = t.prepare(
            "INSERT INTO transitions (letter_id, at, from_step, to_step, action, actor, actor_verified, path, sha256, note)
             VALUES (?1, ?2, NULLIF(?3, ''), ?4, ?5, 'budi', 1, ?6, ?7, NULL)").unwrap();
        let mut email = t.prepare(
            "INSERT INTO outbox (created_at, kind, letter_id, message_id, recipients, subject, body, state, attempts, next_attempt_at)
             VALUES (?1, 'review', ?2, ?3, '[{\"name\":\"Ketua Tim\",\"email\":\"ketua@example.go.id\",\"state\":\"sent\"}]', ?4, 'Yth. Ketua Tim, ...', ?5, 1, ?1)").unwrap();
        let mut number_row =
            t.prepare("INSERT INTO numbers (scope, seq, number, letter_id, date) VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
        let mut dispatch = t
            .prepare(
                "INSERT INTO dispatches (letter_id, at, method, recipients, sent_by) VALUES (?1, ?2, 'email', 'Kepala BPS Kabupaten Kaur', 'umum')",
            )
            .unwrap();
        for i in 0..n {
            let created = now - span + span * i as i32 / n as i32;
            let year = chrono::Datelike::year(&created);
            let seq = *seqs.entry(year).and_modify(|s| *s += 1).or_insert(1);
            let id = format!("SK-{year}-{seq:05}");
            let sha = format!("{i:064x}");
            // One in a hundred still in flight, somewhere before signing.
            let steps = if i % 100 == 0 { 2 + next(4) as usize } else { WALK.len() };
            let mut at = created;
            let mut stamps = Vec::with_capacity(steps);
            for _ in 0..steps {
                at += chrono::Duration::minutes(5 + next(240) as i64);
                stamps.push(at.to_rfc3339());
            }
            let (state, step) = if steps == WALK.len() { ("finished", "arsip") } else { ("active", WALK[steps - 1].2) };
            if state == "active" {
                in_flight = id.clone();
            }
            let path = format!("{step}/{id} Undangan rapat koordinasi {i}.pdf");
            let created_s = created.to_rfc3339();
            let number = format!("B-{seq:03}/17000/KP.650/{year}");
            let subject = format!("Undangan rapat koordinasi statistik sektoral nomor {i}");
            let tanggal = created.format("%Y-%m-%d").to_string();
            letter
                .execute(rusqlite::params![
                    id,
                    year,
                    seq,
                    number,
                    subject,
                    state,
                    step,
                    path,
                    sha,
                    created_s,
                    stamps[steps - 1],
                    tanggal
                ])
                .unwrap();
            number_row.execute(rusqlite::params![year.to_string(), seq, number, id, tanggal]).unwrap();
            if state == "finished" {
                dispatch.execute(rusqlite::params![id, stamps[steps - 2]]).unwrap();
            }
            version.execute(rusqlite::params![id, sha, created_s, "original"]).unwrap();
            version.execute(rusqlite::params![id, format!("{:064x}", i + n), stamps[0], "stamped"]).unwrap();
            for ((action, from, to), at) in WALK.iter().zip(&stamps) {
                transition.execute(rusqlite::params![id, at, from, to, action, path, sha]).unwrap();
            }
            if i % 10 == 0 {
                let state = if i % 1000 == 0 { "failed" } else { "sent" };
                email.execute(rusqlite::params![stamps[0], id, format!("<{id}@suratd>"), subject, state]).unwrap();
            }
        }
    }
    t.commit().unwrap();
    in_flight
}

/// `suratd run` on the bench's folder; stopped when dropped.
struct Daemon(Child);

impl Daemon {
    fn start(dir: &Path, web: &str) -> Daemon {
        let config = dir.join("suratd.yaml");
        std::fs::write(&config, format!("root: share\ndatabase: data/suratd.db\nlog:\n  level: warn\nweb:\n{web}"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_suratd"))
            .arg("--config")
            .arg(&config)
            .arg("run")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while !dir.join("share/01-draf/revisi").is_dir() {
            assert!(t.elapsed() < Duration::from_secs(120), "suratd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Daemon(child)
    }

    fn memory(&self) -> (u64, u64) {
        (status_kib(self.0.id(), "VmRSS:"), status_kib(self.0.id(), "VmHWM:"))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// GET `path` (HTTP/1.1, connection closed after): status line and body size.
fn get(port: u16, path: &str) -> (String, usize) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(buf.len());
    let status = String::from_utf8_lossy(&buf[..buf.iter().position(|b| *b == b'\r').unwrap_or(0)]).into_owned();
    (status, buf.len().saturating_sub(head_end + 4))
}

fn main() {
    let n = env_n("LETTERS", 100_000);
    let rounds = env_n("ROUNDS", 5);
    let dir = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/var/tmp".into())).unwrap();
    let db: PathBuf = dir.path().join("data/suratd.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let t = Instant::now();
    let letter = fill(&db, n);
    let mb = std::fs::metadata(&db).unwrap().len() / 1_000_000;
    println!("web: {n} letters written in {:.1} s; database {mb} MB", t.elapsed().as_secs_f64());

    let settle = Duration::from_secs(5);
    let off = Daemon::start(dir.path(), "  enabled: false\n");
    std::thread::sleep(settle);
    let (rss_off, hwm_off) = off.memory();
    drop(off);
    println!("board off:             VmRSS {rss_off:>7} KiB  VmHWM {hwm_off:>7} KiB");

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let on = Daemon::start(dir.path(), &format!("  listen: 127.0.0.1:{port}\n"));
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(60), "the board did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(settle);
    let (rss, hwm) = on.memory();
    println!("board on, no request:  VmRSS {rss:>7} KiB  VmHWM {hwm:>7} KiB");
    let letter_page = format!("/surat/{letter}");
    let pages = ["/", "/agenda", "/ekspedisi", "/kinerja", "/alur", "/api/letters", letter_page.as_str()];
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "page", "first ms", "median ms", "KiB", "VmRSS KiB", "VmHWM KiB"
    );
    for page in pages {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let (status, bytes) = get(port, page);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(status.contains(" 200 "), "{page}: {status}");
            size = bytes;
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        let (rss, hwm) = on.memory();
        println!("{page:<22} {first:>9.1} {:>9.1} {:>9} {rss:>10} {hwm:>10}", times[times.len() / 2], size / 1024);
    }
    let (rss, hwm) = on.memory();
    println!(
        "board on, after all pages: VmRSS {rss} KiB (+{} KiB over the board off), VmHWM {hwm} KiB (+{} KiB)",
        rss as i64 - rss_off as i64,
        hwm as i64 - hwm_off as i64
    );
}
