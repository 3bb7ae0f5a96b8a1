//! Stamping throughput against `qpdf --overlay`, and peak memory when
//! stamping a 100 MB PDF. Run with `cargo bench --bench stamp`; results go
//! into BENCHMARKS.md by hand (with the machine's details).
//!
//! Throughput: every PDF of ../shared/corpus/real-world that suratd accepts
//! (or generated letters when the corpus is absent), stamped in process by
//! suratd and by `qpdf --overlay` (one process per file, which is how a
//! daemon would use it).

#[path = "pdfs.rs"]
#[allow(dead_code)]
mod pdfs;
use pdfs::blank_page;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const TEXT: &str = "DRAF - B-012/17000/KP.650/2026 - diverifikasi Ketua Tim 2026-06-02 10:15 WIB";

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn inputs(tmp: &Path) -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real-world");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&corpus) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(_) => (0..20)
            .map(|i| {
                let p = tmp.join(format!("gen-{i}.pdf"));
                std::fs::write(&p, blank_page()).unwrap();
                p
            })
            .collect(),
    };
    files.sort();
    files.retain(|p| {
        matches!(suratd::pdf::inspect::inspect(&std::fs::read(p).unwrap()), suratd::pdf::inspect::Verdict::Pdf { .. })
    });
    files
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Child mode: stamp one file and report this process's peak memory.
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        // As the daemon does: the file read once, the stamp made as an
        // update, and the stamped file written out in its parts.
        use std::io::Write;
        let bytes = std::fs::read(&args[i + 1]).unwrap();
        let update = suratd::pdf::stamp::stamp_update(&bytes, TEXT).unwrap();
        let mut out = std::fs::File::create(&args[i + 2]).unwrap();
        update.parts(&bytes).iter().for_each(|p| out.write_all(p).unwrap());
        println!("{}", peak_rss_kib());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let files = inputs(tmp.path());
    let rounds = 5;

    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let out = suratd::pdf::stamp::stamp(&bytes, TEXT).unwrap();
            std::hint::black_box(out);
            n += 1;
        }
    }
    let ours = start.elapsed();
    println!(
        "suratd stamp:   {n} stamps in {:.2?}: {:.1} files/s, {:.2} ms/file",
        ours,
        n as f64 / ours.as_secs_f64(),
        ours.as_secs_f64() * 1000.0 / n as f64
    );

    let overlay = tmp.path().join("overlay.pdf");
    std::fs::write(&overlay, suratd::pdf::stamp::stamp(&blank_page(), TEXT).unwrap().bytes).unwrap();
    let qpdf_ok = Command::new("qpdf").arg("--version").output().is_ok();
    if qpdf_ok {
        let start = Instant::now();
        let mut m = 0;
        for _ in 0..rounds {
            for f in &files {
                let out = tmp.path().join("q.pdf");
                let s = Command::new("qpdf")
                    .arg(f)
                    .arg("--overlay")
                    .arg(&overlay)
                    .arg("--to=1")
                    .arg("--")
                    .arg(&out)
                    .status()
                    .unwrap();
                // qpdf exits 3 when it repaired the input with warnings.
                assert!(matches!(s.code(), Some(0) | Some(3)), "qpdf failed on {}", f.display());
                m += 1;
            }
        }
        let theirs = start.elapsed();
        println!(
            "qpdf --overlay: {m} stamps in {:.2?}: {:.1} files/s, {:.2} ms/file",
            theirs,
            m as f64 / theirs.as_secs_f64(),
            theirs.as_secs_f64() * 1000.0 / m as f64
        );
        println!(
            "ratio:          suratd is {:.1}x qpdf's throughput",
            theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)
        );
    } else {
        println!("qpdf --overlay: skipped (qpdf not installed)");
    }

    // Peak memory on a 100 MB PDF, in a child process of its own: one
    // image of 100 MB, and 100 images of 1 MB.
    let big = tmp.path().join("big.pdf");
    for (images, file) in [(100, "big-100.pdf"), (1, "big.pdf")] {
        let path = tmp.path().join(file);
        std::fs::write(&path, pdfs::big_pdf_in(100, images)).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        let start = Instant::now();
        let out =
            Command::new(&args[0]).arg("--peak").arg(&path).arg(tmp.path().join("big-stamped.pdf")).output().unwrap();
        let took = start.elapsed();
        let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
        println!(
            "100 MB PDF:     {:.1} MB ({images} image(s)) stamped in {:.2?}; peak RSS {:.1} MB",
            size as f64 / 1e6,
            took,
            kib as f64 / 1024.0
        );
    }
    if qpdf_ok && Path::new("/usr/bin/time").exists() {
        let o = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg("qpdf")
            .arg(&big)
            .arg("--overlay")
            .arg(&overlay)
            .arg("--to=1")
            .arg("--")
            .arg(tmp.path().join("q-big.pdf"))
            .output()
            .unwrap();
        let kib: u64 =
            String::from_utf8_lossy(&o.stderr).lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
        println!("qpdf, same file: peak RSS {:.1} MB", kib as f64 / 1024.0);
    }
}
