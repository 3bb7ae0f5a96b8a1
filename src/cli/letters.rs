//! The commands about letters: `status` (letters in flight), `history` (one
//! letter's audit trail) and `verify` (a file against the audit trail, and
//! its signature).

use super::output::{fail, print_json};
use crate::config::Config;
use crate::records::report;
use crate::store::db::Db;
use crate::workflow::Workflow;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn status(db: &Db, wf: &Workflow, json: bool) -> ExitCode {
    match report::status_rows(db, wf, chrono::Utc::now()) {
        Ok(rows) if json => {
            print_json(&rows);
            ExitCode::SUCCESS
        }
        Ok(rows) => {
            print!("{}", report::status_table(&rows, wf));
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

pub(super) fn history(db: &Db, letter: &str, json: bool) -> ExitCode {
    let found = match db.find_letter(letter.trim()) {
        Ok(Some(l)) => l,
        Ok(None) => {
            return fail(format!(
                "no letter with id or number {letter:?}; `suratd status` lists the letters in flight"
            ));
        }
        Err(e) => return fail(format!("{e:#}")),
    };
    match db.history(&found.id) {
        Ok(trail) => {
            let rows = report::history_rows(trail);
            if json {
                print_json(&rows);
            } else {
                println!("{}  {}  (step {}, {})", found.id, found.subject, found.step, found.state);
                print!("{}", report::history_table(&rows));
                match db.versions_of(&found.id) {
                    Ok(v) => print!("\n{}", report::versions_table(&v)),
                    Err(e) => return fail(format!("{e:#}")),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

/// `verify`: text, or one JSON object with `--json`; exit 1 unless
/// everything checked holds.
pub(super) fn verify(cfg: &Config, wf: &Workflow, file: &Path, json: bool, export: Option<&Path>) -> ExitCode {
    if let Some(dir) = export {
        // With --json, stdout stays one JSON object: the files go to stderr.
        match crate::ops::verify::export_chain(file, dir) {
            Ok(lines) if json => lines.iter().for_each(|l| eprintln!("{l}")),
            Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
            Err(e) => return fail(format!("{e:#}")),
        }
    }
    match crate::ops::verify::run(cfg, wf, file) {
        Ok(v) => {
            if json {
                print_json(&v);
            } else {
                print!("{}", v.text());
            }
            if v.ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
        }
        Err(e) => fail(format!("{e:#}")),
    }
}
