//! What the commands share to print: tables or CSV, JSON, and the error
//! line with its exit status.

use crate::records::report;
use std::process::ExitCode;

/// Prints a table, or CSV when asked.
pub(super) fn print_rows(headers: &[&str], body: &[Vec<String>], csv: bool) -> ExitCode {
    if csv {
        match report::csv(headers, body) {
            Ok(bytes) => {
                use std::io::Write;
                let _ = std::io::stdout().write_all(&bytes);
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("{e:#}")),
        }
    } else {
        print!("{}", report::table(headers, body));
        ExitCode::SUCCESS
    }
}

/// Prints `rows` as one pretty JSON value.
pub(super) fn print_json(rows: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(rows).expect("json"));
}

pub(super) fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("suratd: {msg}");
    ExitCode::from(1)
}
