//! The command line (`suratd run|init|check|status|history`), as in SPEC.md.
//! Exit status: 0 success, 1 a finding or bad input, 2 a usage error.

use crate::config::{Config, Overrides};
use crate::store::db::Db;
use crate::util::yaml::Diagnostics;
use crate::workflow::Workflow;
use crate::{daemon, ops::init, ops::logging, records::report};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(name = "suratd", version, about = "Folder-driven workflow for official letters (SOP-024)")]
pub struct Cli {
    /// Configuration file [default: /etc/suratd/suratd.yaml when it exists, else built-in defaults]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The share's root folder (overrides `root`)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The workflow file (overrides `workflow`)
    #[arg(long, global = true, value_name = "FILE")]
    pub workflow: Option<PathBuf>,
    /// The SQLite database (overrides `database`)
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon in the foreground (systemd runs this)
    Run,
    /// Create the folder tree of the workflow; safe to run again
    Init {
        /// Also print the Samba share section and set each folder's ACL from the workflow
        #[arg(long)]
        samba: bool,
    },
    /// Validate workflow.yaml and the config; errors as FILE:LINE:COL: message
    Check,
    /// Letters in flight: id, number, subject, step, path, since, due, overdue
    Status {
        /// One JSON array on stdout
        #[arg(long)]
        json: bool,
    },
    /// The register of outgoing letters (agenda)
    Agenda {
        /// The year of the letters' dates [default: this year]
        #[arg(long)]
        year: Option<i32>,
        /// CSV (UTF-8 with BOM, `;`) on stdout
        #[arg(long)]
        csv: bool,
    },
    /// The dispatch register (expedition book)
    Ekspedisi {
        /// First day (YYYY-MM-DD) [default: 30 days ago]
        #[arg(long, value_parser = parse_date)]
        from: Option<chrono::NaiveDate>,
        /// Last day (YYYY-MM-DD) [default: today]
        #[arg(long, value_parser = parse_date)]
        to: Option<chrono::NaiveDate>,
        /// CSV (UTF-8 with BOM, `;`) on stdout
        #[arg(long)]
        csv: bool,
        /// Also write an A4 landscape PDF to print for the courier
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
    },
    /// Reports: SOP times met per step (sla)
    Report {
        #[command(subcommand)]
        which: ReportKind,
    },
    /// Emails waiting or failed, with the last error
    Outbox {
        /// One JSON array on stdout
        #[arg(long)]
        json: bool,
    },
    /// Compare the database and the folders; list differences (exit 1), fix the safe ones with --repair
    Fsck {
        #[arg(long)]
        repair: bool,
    },
    /// Does this file match the audit trail; is its signature intact
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// One letter's audit trail (LETTER is its id or its number)
    History {
        #[arg(value_name = "LETTER")]
        letter: String,
        /// One JSON array on stdout
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// Per step: count, median and 90th-percentile office time, share within the SOP's standard
    Sla {
        /// First day (YYYY-MM-DD) [default: 30 days ago]
        #[arg(long, value_parser = parse_date)]
        from: Option<chrono::NaiveDate>,
        /// Last day (YYYY-MM-DD) [default: today]
        #[arg(long, value_parser = parse_date)]
        to: Option<chrono::NaiveDate>,
        /// CSV (UTF-8 with BOM, `;`) on stdout
        #[arg(long)]
        csv: bool,
    },
    /// Finished letters whose retention period has passed (for review; nothing is deleted)
    Retensi {
        /// CSV (UTF-8 with BOM, `;`) on stdout
        #[arg(long)]
        csv: bool,
    },
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date like 2025-06-02"))
}

/// Prints a table, or CSV when asked.
fn print_rows(headers: &[&str], body: &[Vec<String>], csv: bool) -> ExitCode {
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

fn load(cli: &Cli) -> Result<(Config, Workflow, Vec<crate::util::yaml::Diagnostic>), Diagnostics> {
    let ov = Overrides { root: cli.root.clone(), workflow: cli.workflow.clone(), database: cli.db.clone() };
    let cfg = Config::load(cli.config.as_deref(), &ov)?;
    let (wf, warnings) = Workflow::load(cfg.workflow.as_deref())?;
    Ok((cfg, wf, warnings))
}

/// The database for a reading command, or the exit status after saying why not.
fn open_db(cfg: &Config) -> Result<Db, ExitCode> {
    Db::open_existing(&cfg.database).map_err(|e| fail(format!("{e:#}")))
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("suratd: {msg}");
    ExitCode::from(1)
}

/// Runs the command line; returns the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let (cfg, wf, warnings) = match load(&cli) {
        Ok(x) => x,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::from(1);
        }
    };
    match &cli.command {
        Command::Check => {
            for w in &warnings {
                println!("{w}");
            }
            if let Err(e) = crate::pdf::signature::Anchors::load(&cfg.trust_anchors) {
                let file = cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                eprintln!("{file}: trust_anchors: {e:#}");
                return ExitCode::from(1);
            }
            println!(
                "ok: config {} and workflow {}: {} steps, {} roles, {} people",
                cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "<built-in defaults>".into()),
                wf.source,
                wf.steps.len(),
                wf.roles.len(),
                wf.people.len()
            );
            ExitCode::SUCCESS
        }
        Command::Init { samba } => {
            match init::ensure_tree(&cfg.root, &wf) {
                Ok(created) if created.is_empty() => {
                    println!("{}: every folder already exists; nothing changed", cfg.root.display());
                }
                Ok(created) => {
                    for c in created {
                        println!("created {}", cfg.root.join(c).display());
                    }
                }
                Err(e) => return fail(format!("{e:#}")),
            }
            if *samba {
                let name = cfg.share_path.rsplit(['\\', '/']).find(|s| !s.is_empty()).unwrap_or("SuratKeluar");
                println!("\n# smb.conf share section:\n{}", crate::ops::samba::share_section(&wf, &cfg.root, name));
                println!("# folder ACLs:");
                for line in crate::ops::samba::apply(&wf, &cfg.root) {
                    println!("{line}");
                }
            }
            ExitCode::SUCCESS
        }
        Command::Status { json } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            match report::status_rows(&db, &wf, chrono::Utc::now()) {
                Ok(rows) if *json => {
                    println!("{}", serde_json::to_string_pretty(&rows).expect("json"));
                    ExitCode::SUCCESS
                }
                Ok(rows) => {
                    print!("{}", report::status_table(&rows, &wf));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::History { letter, json } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
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
                    if *json {
                        println!("{}", serde_json::to_string_pretty(&rows).expect("json"));
                    } else {
                        println!("{}  {}  (step {}, {})", found.id, found.subject, found.step, found.state);
                        print!("{}", report::history_table(&rows));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::Report { which: ReportKind::Sla { from, to, csv } } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            let today = crate::util::timefmt::date_wib(chrono::Utc::now());
            let to = to.unwrap_or(today);
            let from = from.unwrap_or(to - chrono::Duration::days(30));
            match db.all_transitions() {
                Ok(tr) => {
                    let rows = report::sla(&wf, &tr, from, to);
                    let (headers, body) = report::sla_table(&rows);
                    print_rows(&headers, &body, *csv)
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::Report { which: ReportKind::Retensi { csv } } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            match report::retention_due(&db, &wf, chrono::Utc::now()) {
                Ok(rows) => {
                    let headers = ["Surat", "Nomor", "Perihal", "Klasifikasi", "Diarsipkan", "Jatuh tempo", "Lokasi"];
                    let body: Vec<Vec<String>> = rows
                        .into_iter()
                        .map(|r| {
                            vec![
                                r.id,
                                r.number.unwrap_or_default(),
                                r.subject,
                                r.klasifikasi.unwrap_or_default(),
                                r.archived.unwrap_or_default(),
                                r.review_due.unwrap_or_default(),
                                r.path.unwrap_or_default(),
                            ]
                        })
                        .collect();
                    if body.is_empty() && !*csv {
                        println!("No letter is due for retention review.");
                        return ExitCode::SUCCESS;
                    }
                    print_rows(&headers, &body, *csv)
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::Ekspedisi { from, to, csv, pdf } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            let today = crate::util::timefmt::date_wib(chrono::Utc::now());
            let to = to.unwrap_or(today);
            let from = from.unwrap_or(to - chrono::Duration::days(30));
            let lines = match crate::records::ekspedisi::lines(&db, from, to) {
                Ok(l) => l,
                Err(e) => return fail(format!("{e:#}")),
            };
            if let Some(path) = pdf {
                let bytes = crate::records::ekspedisi::pdf(
                    &format!("Buku Ekspedisi Surat Keluar - {}", wf.office.name),
                    &format!("Periode {from} s.d. {to}"),
                    &lines,
                );
                if let Err(e) = std::fs::write(path, bytes) {
                    return fail(format!("cannot write {}: {e}", path.display()));
                }
            }
            let body: Vec<Vec<String>> =
                lines.iter().enumerate().map(|(i, l)| crate::records::ekspedisi::cells(i, l)).collect();
            let mut headers = crate::records::ekspedisi::HEADINGS.to_vec();
            headers[7] = "Keterangan";
            print_rows(&headers, &body, *csv)
        }
        Command::Agenda { year, csv } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            let year = year.unwrap_or_else(|| crate::util::timefmt::year_wib(chrono::Utc::now()));
            match report::agenda_rows(&db, year) {
                Ok(rows) => {
                    let (headers, body) = report::agenda_table(&rows);
                    if *csv {
                        match report::csv(&headers, &body) {
                            Ok(bytes) => {
                                use std::io::Write;
                                let _ = std::io::stdout().write_all(&bytes);
                            }
                            Err(e) => return fail(format!("{e:#}")),
                        }
                    } else if body.is_empty() {
                        println!("No letters numbered in {year}.");
                    } else {
                        print!("{}", report::table(&headers, &body));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::Outbox { json } => {
            let db = match open_db(&cfg) {
                Ok(db) => db,
                Err(code) => return code,
            };
            match crate::mail::outbox::list(&db) {
                Ok(rows) if *json => {
                    println!("{}", serde_json::to_string_pretty(&rows).expect("json"));
                    ExitCode::SUCCESS
                }
                Ok(rows) if rows.is_empty() => {
                    println!("The outbox is empty: every email was sent.");
                    ExitCode::SUCCESS
                }
                Ok(rows) => {
                    let body: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.id.to_string(),
                                r.state.clone(),
                                r.kind.clone(),
                                r.letter.clone().unwrap_or_else(|| "-".into()),
                                r.recipients
                                    .iter()
                                    .map(|d| format!("{} ({})", d.email, d.state))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                r.attempts.to_string(),
                                r.next_attempt.clone().unwrap_or_else(|| "-".into()),
                                r.last_error
                                    .clone()
                                    .or_else(|| r.recipients.iter().find_map(|d| d.error.clone()))
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    print!(
                        "{}",
                        report::table(
                            &["ID", "STATE", "KIND", "LETTER", "TO", "TRIES", "NEXT TRY", "LAST ERROR"],
                            &body
                        )
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(format!("{e:#}")),
            }
        }
        Command::Fsck { repair } => match crate::ops::fsck::run(&cfg, &wf, *repair) {
            Ok(findings) if findings.is_empty() => {
                println!("The database and the folders agree.");
                ExitCode::SUCCESS
            }
            Ok(findings) => {
                for f in &findings {
                    println!("{}{}", f.what, if f.repaired { "  [repaired]" } else { "" });
                }
                ExitCode::from(1)
            }
            Err(e) => fail(format!("{e:#}")),
        },
        Command::Verify { file } => match crate::ops::verify::run(&cfg, &wf, file) {
            Ok(v) => {
                print!("{}", v.text);
                if v.ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
            }
            Err(e) => fail(format!("{e:#}")),
        },
        Command::Run => {
            let _guard = logging::init(&cfg.log);
            for w in &warnings {
                tracing::warn!("{w}");
            }
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(format!("cannot start the runtime: {e}")),
            };
            match rt.block_on(daemon::run(cfg, Arc::new(wf), daemon::shutdown_signal())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "suratd stopped");
                    fail(format!("{e:#}"))
                }
            }
        }
    }
}
