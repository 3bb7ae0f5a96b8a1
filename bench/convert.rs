//! Word draft to review copy: the time LibreOffice takes to convert a
//! two-page letter through suratd's converter (`src/convert/soffice.rs`,
//! with its sandbox: own profile, network namespace, time limit), cold
//! (the first conversion, on a new profile LibreOffice sets up) and warm
//! (later conversions, the profile set up; each still starts LibreOffice).
//! `cargo bench --bench convert` (or `--profile dev` to reuse a debug
//! build: the time is LibreOffice's, not suratd's). `RUNS` warm runs
//! (default 10) per format.

#[path = "../tests/common/office.rs"]
mod office;

use std::time::{Duration, Instant};
use suratd::convert::soffice::{Converter, Settings, isolation};

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let letter = office::two_page_letter("B-012/17000/KP.650/2026");
    let scratch = tempfile::tempdir().unwrap();
    let docx = office::saved_as(&letter, "docx", scratch.path());
    let odt = office::saved_as(&letter, "odt", scratch.path());
    println!("isolation: {:?}; {} warm runs per format", isolation(), runs);
    for (name, bytes) in [("surat.docx", docx), ("surat.odt", odt)] {
        let state = tempfile::tempdir_in("/var/tmp").unwrap();
        let conv = Converter::new(Settings {
            program: None,
            state_dir: state.path().to_path_buf(),
            max_parallel: 1,
            timeout: Duration::from_secs(60),
        });
        let (cold, pdf) = timed(|| conv.convert(name, &bytes).unwrap());
        assert_eq!(pages(&pdf), 2, "a two-page letter");
        assert!(office::pdf_text(&pdf).contains("B-012/17000/KP.650/2026"));
        let mut warm: Vec<Duration> = (0..runs).map(|_| timed(|| conv.convert(name, &bytes).unwrap()).0).collect();
        warm.sort();
        println!(
            "{name} ({} bytes, 2 pages): cold {:.2} s; warm median {:.2} s, min {:.2} s, max {:.2} s",
            bytes.len(),
            cold.as_secs_f64(),
            warm[warm.len() / 2].as_secs_f64(),
            warm[0].as_secs_f64(),
            warm[warm.len() - 1].as_secs_f64()
        );
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed(), v)
}

/// Pages of a PDF, as pdfinfo counts them.
fn pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo").arg(&p).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}
