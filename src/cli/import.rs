//! `suratd import`: the register brought in, with a progress bar on a
//! terminal and a summary at the end; `--check` lists the problems only.

use super::output::fail;
use crate::config::Config;
use crate::workflow::Workflow;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn import(cfg: &Config, wf: &Workflow, register: &Path, files: &Path, check: bool) -> ExitCode {
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} letters ({per_sec}, {eta} left)")
                .expect("a valid template"),
        );
        b
    });
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let result = crate::ops::import::run(cfg, wf, register, files, check, &progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let s = match result {
        Ok(s) => s,
        Err(e) => return fail(format!("{e:#}")),
    };
    for p in &s.problems {
        println!("{}: {p}", register.display());
    }
    let left_out = s.left_out();
    if check {
        println!(
            "check: {} rows; {} would be imported ({} with their PDF), {} left out, {} already imported; {} problem(s) listed. Nothing was written.",
            s.rows,
            s.rows - left_out - s.already,
            s.with_file,
            left_out,
            s.already,
            s.problems.len()
        );
        return if s.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    }
    println!(
        "imported {} letters ({} with their PDF) into {}; {} already imported before; {} row(s) left out; {} problem(s) listed.",
        s.imported,
        s.with_file,
        cfg.root.display(),
        s.already,
        left_out,
        s.problems.len()
    );
    if left_out > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
