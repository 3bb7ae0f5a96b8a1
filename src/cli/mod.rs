//! The command line, as in SPEC.md: `run`, `init`, `check`, `status`,
//! `history`, `verify`, `fsck`, `backup`, `outbox`, `agenda`, `ekspedisi`, `report`.
//! Exit status: 0 success, 1 a finding or bad input, 2 a usage error.

mod admin;
mod books;
mod import;
mod letters;
mod output;
mod web;

use crate::config::{Config, Overrides};
use crate::store::db::Db;
use crate::util::yaml::Diagnostics;
use crate::workflow::Workflow;
use clap::{Parser, Subcommand};
use output::fail;
use std::path::PathBuf;
use std::process::ExitCode;

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
        /// With --samba: the user suratd runs as, who owns every folder and keeps full access
        /// (default: `suratd` if that user exists, else whoever runs this)
        #[arg(long, requires = "samba", value_name = "USER")]
        service_user: Option<String>,
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
        /// Also write an A4 landscape PDF to print and file
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
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
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// CSV (UTF-8 with BOM, `;`) on stdout
        #[arg(long)]
        csv: bool,
    },
    /// Compare the database and the folders; list differences (exit 1), fix the safe ones with --repair
    Fsck {
        #[arg(long)]
        repair: bool,
    },
    /// Copy the database and the version store into DIR while suratd runs (restore: README)
    Backup {
        /// The backup folder: empty, or an earlier backup of this database
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Does this file match the audit trail; does its signature hold (also without a database)
    Verify {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// One JSON object on stdout (`signature.holds`, `signature.reasons`)
        #[arg(long)]
        json: bool,
        /// Write each signer's certificate chain into DIR as PEM files (to install the root as a trust anchor)
        #[arg(long, value_name = "DIR")]
        export_chain: Option<PathBuf>,
    },
    /// Bring an existing register in: CSV `nomor;tanggal;perihal;tujuan;klasifikasi;sifat;status;berkas` and its PDFs
    Import {
        /// The register (UTF-8 CSV with a header row, `;` between fields)
        #[arg(long, value_name = "FILE.csv")]
        register: PathBuf,
        /// The folder the `berkas` paths are relative to
        #[arg(long, value_name = "DIR")]
        files: PathBuf,
        /// Only list the problems; write nothing
        #[arg(long)]
        check: bool,
    },
    /// The web board: set a person's password (`web passwd LOGIN`)
    Web {
        #[command(subcommand)]
        which: WebCmd,
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
pub enum WebCmd {
    /// Set the web board password of LOGIN (a person of workflow.yaml); asks twice on a terminal, else reads one line from stdin
    Passwd {
        #[arg(value_name = "LOGIN")]
        login: String,
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

fn load(cli: &Cli) -> Result<(Config, Workflow, Vec<crate::util::yaml::Diagnostic>), Diagnostics> {
    let ov = Overrides { root: cli.root.clone(), workflow: cli.workflow.clone(), database: cli.db.clone() };
    let cfg = Config::load(cli.config.as_deref(), &ov)?;
    let (wf, warnings) = Workflow::load(cfg.workflow.as_deref())?;
    Ok((cfg, wf, warnings))
}

/// Runs a command that reads the database, or says why there is none to
/// read (exit 1).
fn with_db(cfg: &Config, command: impl FnOnce(&Db) -> ExitCode) -> ExitCode {
    match Db::open_existing(&cfg.database) {
        Ok(db) => command(&db),
        Err(e) => fail(format!("{e:#}")),
    }
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
        Command::Check => admin::check(&cfg, &wf, &warnings),
        Command::Init { samba, service_user } => admin::init(&cfg, &wf, *samba, service_user.as_deref()),
        Command::Status { json } => with_db(&cfg, |db| letters::status(db, &wf, *json)),
        Command::History { letter, json } => with_db(&cfg, |db| letters::history(db, letter, *json)),
        Command::Report { which: ReportKind::Sla { from, to, csv } } => {
            with_db(&cfg, |db| books::sla(db, &wf, *from, *to, *csv))
        }
        Command::Report { which: ReportKind::Retensi { csv } } => with_db(&cfg, |db| books::retention(db, &wf, *csv)),
        Command::Ekspedisi { from, to, csv, pdf } => {
            with_db(&cfg, |db| books::ekspedisi(db, &wf, *from, *to, *csv, pdf.as_deref()))
        }
        Command::Agenda { year, csv, pdf } => with_db(&cfg, |db| books::agenda(db, &wf, *year, *csv, pdf.as_deref())),
        Command::Outbox { json, csv } => with_db(&cfg, |db| admin::outbox(db, *json, *csv)),
        Command::Fsck { repair } => admin::fsck(&cfg, &wf, *repair),
        Command::Backup { dir } => admin::backup(&cfg, dir),
        Command::Web { which: WebCmd::Passwd { login } } => web::passwd(&cfg, &wf, login),
        Command::Import { register, files, check } => import::import(&cfg, &wf, register, files, *check),
        Command::Verify { file, json, export_chain } => {
            letters::verify(&cfg, &wf, file, *json, export_chain.as_deref())
        }
        Command::Run => admin::run(cfg, wf, &warnings),
    }
}
