//! The administrator's commands: `check`, `init`, `outbox`, `fsck`, `backup`, and
//! `run` (the daemon in the foreground).

use super::output::{fail, print_json, print_rows};
use crate::config::Config;
use crate::convert::soffice::{Converter, Settings};
use crate::store::db::Db;
use crate::util::yaml::Diagnostic;
use crate::workflow::Workflow;
use crate::{daemon, ops::init, ops::logging};
use std::process::ExitCode;
use std::sync::Arc;

pub(super) fn check(cfg: &Config, wf: &Workflow, warnings: &[Diagnostic]) -> ExitCode {
    for w in warnings {
        println!("{w}");
    }
    if let Err(e) = crate::pdf::signature::Anchors::load(&cfg.trust_anchors) {
        let file = cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        eprintln!("{file}: trust_anchors: {e:#}");
        return ExitCode::from(1);
    }
    let file = cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "<built-in defaults>".into());
    match crate::ops::watchdog::room(cfg.processing.timeout, &crate::ops::watchdog::find()) {
        Some((crate::ops::watchdog::Severity::Error, why)) => {
            eprintln!("{file}: error: {why}");
            return ExitCode::from(1);
        }
        Some((crate::ops::watchdog::Severity::Warning, why)) => println!("{file}: warning: {why}"),
        None => {}
    }
    if let Err(e) = crate::web::server::precheck(cfg) {
        eprintln!("{file}: error: {e}");
        return ExitCode::from(1);
    }
    for w in crate::web::auth::warnings(cfg, wf) {
        println!("{file}: warning: {w}");
    }
    let audit = cfg.samba.audit_log.as_ref().and_then(|p| crate::watch::audit::tail::problem(p.as_str()));
    let no_sender = no_sender(cfg, &file);
    for w in no_anchors(cfg)
        .into_iter()
        .chain(no_renderer(wf))
        .chain(audit.map(|a| format!("{file}: warning: {a}")))
        .chain(no_sender)
    {
        println!("{w}");
    }
    for w in converter(cfg).warnings() {
        println!("warning: {w}");
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

/// The warning for a config that names no sender's address (`sender.address`
/// or `smtp.from`): emails then come from an address nobody reads.
fn no_sender(cfg: &Config, file: &str) -> Option<String> {
    let (address, configured) = cfg.sender_address();
    (!configured).then(|| {
        format!(
            "{file}: warning: no `sender.address` (or `smtp.from`) configured: emails come from {address}; \
             write the office's mailbox, e.g. `sender: {{name: Surat Keluar BPS Provinsi Bengkulu, address: surat@bps.go.id}}`"
        )
    })
}

/// The warning for a config without `trust_anchors`: every signed letter
/// is then refused at the signed drop.
fn no_anchors(cfg: &Config) -> Option<String> {
    let file = cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "<built-in defaults>".into());
    cfg.trust_anchors.is_empty().then(|| {
        format!(
            "{file}: warning: no `trust_anchors` configured: signed letters cannot be checked against the \
             e-signature authority's root and are refused at the signed drop; install the root \
             (`suratd verify --export-chain FILE DIR` on a signed letter, see README \"Signed letters\")"
        )
    })
}

/// The warning for a workflow that takes signed letters on a server
/// without pdftoppm: every signed letter is then refused, because what it
/// shows cannot be compared with the copy submitted for signing.
fn no_renderer(wf: &Workflow) -> Option<String> {
    let signs = wf.steps.iter().any(|s| s.kind == crate::workflow::StepKind::SignedDrop);
    let missing = crate::pdf::render::unavailable()?;
    signs.then(|| {
        format!(
            "warning: {missing}: signed letters cannot be compared page by page with the copy submitted \
             for signing and are refused at the signed drop; install it (`apt-get install poppler-utils`)"
        )
    })
}

/// LibreOffice as suratd.yaml sets it up (`convert.*`).
fn converter(cfg: &Config) -> Converter {
    Converter::new(Settings::from_config(cfg))
}

pub(super) fn init(cfg: &Config, wf: &Workflow, samba: bool, service_user: Option<&str>) -> ExitCode {
    match init::ensure_tree(&cfg.root, wf) {
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
    if samba {
        let name = cfg.share_path.rsplit(['\\', '/']).find(|s| !s.is_empty()).unwrap_or("SuratKeluar");
        println!("\n# smb.conf share section:\n{}", crate::ops::samba::share_section(wf, &cfg.root, name));
        let service = service_user.map(String::from).unwrap_or_else(default_service_user);
        println!("# folder ACLs (service user {service}: owner of every folder, full access):");
        let mut failed = false;
        for line in crate::ops::samba::apply(wf, &cfg.root, &service) {
            match line {
                Ok(done) => println!("{done}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed = true;
                }
            }
        }
        let audit_log = cfg.samba.audit_log.as_ref().map(|p| p.as_str().to_string());
        println!(
            "\n# suratd.yaml, for verified actors (the files smbd's `log file` writes, rotated .old included):\nsamba:\n  audit_log: {}\n  audit_wait: {}",
            audit_log.unwrap_or_else(|| "/var/log/samba/log.*".into()),
            humantime::format_duration(cfg.samba.audit_wait)
        );
        if failed {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The user suratd runs as: `suratd` (systemd/INSTALL.md) where it exists,
/// else whoever runs the command.
fn default_service_user() -> String {
    if uzers::get_user_by_name("suratd").is_some() {
        return "suratd".into();
    }
    uzers::get_current_username().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "root".into())
}

pub(super) fn outbox(db: &Db, json: bool, csv: bool) -> ExitCode {
    match crate::mail::outbox::list(db) {
        Ok(rows) if json => {
            print_json(&rows);
            ExitCode::SUCCESS
        }
        Ok(rows) if rows.is_empty() && !csv => {
            println!("The outbox is empty: every email was sent.");
            ExitCode::SUCCESS
        }
        Ok(rows) => {
            let body: Vec<Vec<String>> = rows.iter().map(outbox_cells).collect();
            print_rows(&["ID", "STATE", "KIND", "LETTER", "TO", "TRIES", "NEXT TRY", "LAST ERROR"], &body, csv)
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

/// One email of the outbox as a table row.
fn outbox_cells(r: &crate::mail::outbox::Listed) -> Vec<String> {
    vec![
        r.id.to_string(),
        r.state.clone(),
        r.kind.clone(),
        r.letter.clone().unwrap_or_else(|| "-".into()),
        r.recipients.iter().map(|d| format!("{} ({})", d.email, d.state)).collect::<Vec<_>>().join(", "),
        r.attempts.to_string(),
        r.next_attempt.clone().unwrap_or_else(|| "-".into()),
        r.last_error.clone().or_else(|| r.recipients.iter().find_map(|d| d.error.clone())).unwrap_or_default(),
    ]
}

pub(super) fn fsck(cfg: &Config, wf: &Workflow, repair: bool) -> ExitCode {
    match crate::ops::fsck::run(cfg, wf, repair) {
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
    }
}

pub(super) fn backup(cfg: &Config, dir: &std::path::Path) -> ExitCode {
    match crate::ops::backup::run(cfg, dir) {
        Ok(s) => {
            println!(
                "Backed up {} letters into {}, and {} new versions into its store ({} already there).",
                s.letters,
                s.database.display(),
                s.copied,
                s.kept
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

pub(super) fn run(cfg: Config, wf: Workflow, warnings: &[Diagnostic]) -> ExitCode {
    let _guard = logging::init(&cfg.log);
    for w in warnings {
        tracing::warn!("{w}");
    }
    for w in no_anchors(&cfg).into_iter().chain(no_renderer(&wf)).chain(converter(&cfg).warnings()) {
        tracing::warn!("{w}");
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the runtime: {e}")),
    };
    let stop = {
        let _in_runtime = rt.enter();
        daemon::shutdown_signal()
    };
    match rt.block_on(daemon::run(cfg, Arc::new(wf), stop)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "suratd stopped");
            fail(format!("{e:#}"))
        }
    }
}
