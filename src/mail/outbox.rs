//! Sending the outbox: every email a transition queued (in the same SQLite
//! transaction) is delivered by this worker, over SMTP (none, STARTTLS or
//! implicit TLS, login with a password from a file, a time limit on every
//! attempt) or, with no SMTP configured, as `.eml` files in a local folder.
//! An email is marked sent only after the server accepted it; each
//! recipient is delivered on its own, so one refused address does not stop
//! the others; failures are retried with a growing delay. The Message-ID is
//! fixed when the email is queued, so a repeat (only possible if suratd dies
//! between the server's acceptance and its own record) is recognisable. A
//! delivery state that meets a busy database (another `suratd` command
//! writing) is written again after a growing wait, and remembered until it
//! is: an email the server accepted is not sent again.

use crate::config::{Config, SmtpTls};
use crate::store::db::{Db, Delivery, OutboxRow};
use crate::store::versions::Store;
use crate::util::timefmt;
use anyhow::{Context, Result};
use chrono::Utc;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, address::Envelope};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// How often a delivery state is written before the worker gives up for
/// this round (it stays remembered), and the first and longest waits.
const BUSY_TRIES: u32 = 8;
const BUSY_FIRST_WAIT: Duration = Duration::from_millis(250);
const BUSY_MAX_WAIT: Duration = Duration::from_secs(8);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Delivers what is due in the outbox.
pub struct Worker {
    db: Db,
    store: Store,
    transport: Transport,
    from: Mailbox,
    retry: Duration,
    /// Limit for one delivery attempt, whatever the server does.
    timeout: Duration,
    /// Recipients' states not yet written (the database was busy), by
    /// email: what the next round starts from.
    unrecorded: HashMap<i64, Vec<Delivery>>,
}

impl Worker {
    /// A worker for `cfg`; `office` names the sender when `sender.name` does not.
    pub fn new(cfg: &Config, office: &str) -> Result<Worker> {
        let db = Db::open_for_mail(&cfg.database)?;
        let timeout = cfg.smtp.as_ref().and_then(|s| s.timeout).map(|t| t.0).unwrap_or(Duration::from_secs(30));
        let (transport, retry) = match &cfg.smtp {
            Some(smtp) => {
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host);
                if smtp.tls != SmtpTls::None {
                    let mut params = TlsParameters::builder(smtp.host.clone());
                    if let Some(ca) = &smtp.ca_file {
                        let pem =
                            std::fs::read(ca).with_context(|| format!("cannot read smtp.ca_file {}", ca.display()))?;
                        let cert = Certificate::from_pem(&pem)
                            .with_context(|| format!("smtp.ca_file {} is not a PEM certificate", ca.display()))?;
                        params = params.add_root_certificate(cert);
                    }
                    let params = params.build_rustls().context("cannot set up TLS for the mail server")?;
                    b = b.port(if smtp.tls == SmtpTls::Tls { 465 } else { 587 });
                    b = b.tls(if smtp.tls == SmtpTls::Tls { Tls::Wrapper(params) } else { Tls::Required(params) });
                }
                if let Some(p) = smtp.port {
                    b = b.port(p);
                }
                b = b.timeout(Some(timeout));
                if let Some(user) = &smtp.username {
                    let password = match &smtp.password_file {
                        Some(f) => std::fs::read_to_string(f)
                            .with_context(|| format!("cannot read smtp.password_file {}", f.display()))?
                            .trim_end_matches(['\r', '\n'])
                            .to_string(),
                        None => String::new(),
                    };
                    b = b.credentials(Credentials::new(user.clone(), password));
                }
                (Transport::Smtp(b.build()), smtp.retry.map(|r| r.0).unwrap_or(Duration::from_secs(30)))
            }
            None => (Transport::Files(cfg.outbox_dir.clone()), Duration::from_secs(30)),
        };
        let from = sender(cfg, office)?;
        // A (re)start tries what is pending at once: the admin may just have
        // fixed the mail server or the configuration.
        db.retry_pending_now(&timefmt::stored(Utc::now()))?;
        Ok(Worker {
            db,
            store: Store::new(cfg.store_dir()),
            transport,
            from,
            retry,
            timeout,
            unrecorded: HashMap::new(),
        })
    }

    fn due(&self) -> Result<Vec<OutboxRow>> {
        self.db.due_emails(&timefmt::stored(Utc::now()))
    }

    fn message(&self, row: &OutboxRow) -> Result<Message> {
        let mut b = Message::builder()
            .from(self.from.clone())
            .subject(crate::mail::compose::one_line(&row.subject))
            .message_id(Some(row.message_id.clone()))
            .date_now();
        for r in &row.recipients {
            if let Ok(addr) = r.email.parse::<Address>() {
                b = b.to(Mailbox::new(Some(crate::mail::compose::one_line(&r.name)), addr));
            }
        }
        let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(row.body.clone());
        Ok(match &row.attachment {
            Some((sha, name)) => {
                let bytes = std::fs::read(self.store.path_of(sha))
                    .with_context(|| format!("the attachment {sha} is missing from the version store"))?;
                let pdf = ContentType::parse("application/pdf").expect("static content type");
                b.multipart(
                    MultiPart::mixed().singlepart(text).singlepart(Attachment::new(name.clone()).body(bytes, pdf)),
                )?
            }
            None => b.singlepart(text)?,
        })
    }

    /// Sends every email that is due; returns how many were finished.
    pub async fn deliver_due(&mut self) -> Result<usize> {
        let mut finished = 0;
        for mut row in self.due()? {
            if let Some(known) = self.unrecorded.get(&row.id) {
                row.recipients = known.clone();
            }
            let message = match self.message(&row) {
                Ok(m) => m,
                Err(e) => {
                    self.record(&mut row, Some(format!("{e:#}")), true).await?;
                    continue;
                }
            };
            let raw = message.formatted();
            let mut last_error = None;
            match &self.transport {
                Transport::Files(dir) => {
                    let path = dir.join(format!("{:06}-{}.eml", row.id, row.kind));
                    match crate::store::fsops::write_new(&path, &raw) {
                        Ok(()) => row.recipients.iter_mut().for_each(|r| r.state = "sent".into()),
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                            row.recipients.iter_mut().for_each(|r| r.state = "sent".into())
                        }
                        Err(e) => last_error = Some(format!("cannot write {}: {e}", path.display())),
                    }
                }
                Transport::Smtp(smtp) => {
                    let from = self.from.email.clone();
                    for i in 0..row.recipients.len() {
                        if row.recipients[i].state != "pending" {
                            continue;
                        }
                        let r = &mut row.recipients[i];
                        let Ok(to) = r.email.parse::<Address>() else {
                            r.state = "refused".into();
                            r.error = Some("not an email address".into());
                            continue;
                        };
                        let envelope = Envelope::new(Some(from.clone()), vec![to]).expect("one recipient");
                        // lettre's own timeout does not cover a server that
                        // accepts the connection and never greets.
                        let attempt = tokio::time::timeout(self.timeout, smtp.send_raw(&envelope, &raw)).await;
                        let Ok(attempt) = attempt else {
                            let e = format!(
                                "no answer from the mail server within {}",
                                humantime::format_duration(self.timeout)
                            );
                            r.error = Some(e.clone());
                            last_error = Some(format!("{}: {e}", r.email));
                            continue;
                        };
                        match attempt {
                            Ok(_) => {
                                r.state = "sent".into();
                                r.error = None;
                                // Recorded at once: a crash now repeats no one.
                                let recipients = row.recipients.clone();
                                persist(&mut self.db, &mut self.unrecorded, &row, |db| {
                                    db.set_recipients(row.id, &recipients)
                                })
                                .await?;
                            }
                            Err(e) if e.is_permanent() => {
                                r.state = "refused".into();
                                r.error = Some(e.to_string());
                                tracing::warn!(letter = row.letter_id.as_deref().unwrap_or("-"), to = %r.email, error = %e, "the mail server refused a recipient");
                            }
                            Err(e) => {
                                r.error = Some(e.to_string());
                                last_error = Some(format!("{}: {e}", r.email));
                            }
                        }
                    }
                }
            }
            if self.record(&mut row, last_error, false).await? {
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// Writes the attempt's result; returns whether the email is finished.
    async fn record(&mut self, row: &mut OutboxRow, error: Option<String>, give_up: bool) -> Result<bool> {
        let now = Utc::now();
        let attempts = row.attempts + 1;
        let pending = row.recipients.iter().any(|r| r.state == "pending");
        let any_sent = row.recipients.iter().any(|r| r.state == "sent");
        let done = !pending || give_up;
        if done {
            let state = if any_sent { "sent" } else { "failed" };
            // A letter sent by email gets its line in the expedition book.
            let sent_by = self.from.email.to_string();
            let dispatch_by = (row.kind == "dispatch" && any_sent).then_some(sent_by.as_str());
            let at = timefmt::stored(now);
            persist(&mut self.db, &mut self.unrecorded, row, |db| {
                db.email_finished(row, state, attempts, error.as_deref(), &at, dispatch_by)
            })
            .await?;
            tracing::info!(letter = row.letter_id.as_deref().unwrap_or("-"), kind = %row.kind, state, "email finished");
        } else {
            let wait =
                self.retry.saturating_mul(1u32 << (attempts - 1).clamp(0, 7) as u32).min(Duration::from_secs(3600));
            let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
            let next = timefmt::stored(next);
            persist(&mut self.db, &mut self.unrecorded, row, |db| {
                db.email_retry(row, attempts, error.as_deref(), &next)
            })
            .await?;
            tracing::warn!(letter = row.letter_id.as_deref().unwrap_or("-"), kind = %row.kind, error = error.as_deref().unwrap_or(""), retry_in = ?wait, "email not sent yet; will retry");
        }
        Ok(done)
    }
}

/// Writes an email's delivery state with `write`. A database another
/// process holds locked (a `suratd` command) is waited out, with a
/// growing wait; meanwhile and after, the recipients' states are
/// remembered, so no recipient the server accepted is sent it again.
async fn persist(
    db: &mut Db,
    unrecorded: &mut HashMap<i64, Vec<Delivery>>,
    row: &OutboxRow,
    mut write: impl FnMut(&mut Db) -> Result<()>,
) -> Result<()> {
    unrecorded.insert(row.id, row.recipients.clone());
    let letter = row.letter_id.as_deref().unwrap_or("-");
    let mut wait = BUSY_FIRST_WAIT;
    for attempt in 1.. {
        match write(db) {
            Ok(()) => {
                unrecorded.remove(&row.id);
                return Ok(());
            }
            Err(e) if attempt < BUSY_TRIES && e.chain().any(crate::store::db::is_environmental) => {
                tracing::warn!(letter, email = row.id, attempt, retry_in = ?wait, error = %format!("{e:#}"), "cannot record the email's delivery yet: the database is busy; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(BUSY_MAX_WAIT);
            }
            Err(e) => {
                return Err(e.context(format!(
                    "cannot record the delivery of email {} (remembered: it is not sent again while suratd runs)",
                    row.id
                )));
            }
        }
    }
    unreachable!("the loop returns")
}

/// The office's mailbox: `sender.name` (else "Surat Keluar " and the
/// office's name) and [`Config::sender_address`].
pub fn sender(cfg: &Config, office: &str) -> Result<Mailbox> {
    let (address, _) = cfg.sender_address();
    let name = cfg.sender.name.clone().unwrap_or_else(|| format!("Surat Keluar {office}"));
    let address: Address =
        address.parse().with_context(|| format!("the sender's address {address:?} is not an email address"))?;
    Ok(Mailbox::new(Some(crate::mail::compose::one_line(&name)), address))
}

/// Runs the worker until `stop` resolves; `office` names the sender.
/// A database another process holds locked at the start is waited for.
pub async fn run(cfg: Config, office: String, stop: tokio::sync::watch::Receiver<bool>) {
    let mut stop = stop;
    let mut worker = loop {
        match Worker::new(&cfg, &office) {
            Ok(w) => break w,
            Err(e) if e.chain().any(crate::store::db::is_environmental) => {
                tracing::warn!(error = %format!("{e:#}"), retry_in = ?BUSY_MAX_WAIT, "the email worker cannot start yet: the database is busy; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(BUSY_MAX_WAIT) => {}
                    _ = stop.changed() => return,
                }
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "the email worker cannot start; emails stay in the outbox");
                return;
            }
        }
    };
    loop {
        if let Err(e) = worker.deliver_due().await {
            tracing::error!(error = %format!("{e:#}"), "email delivery failed; will try again");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// One outbox row for `suratd outbox`.
#[derive(Debug, serde::Serialize)]
pub struct Listed {
    pub id: i64,
    pub created: Option<String>,
    pub kind: String,
    pub letter: Option<String>,
    pub state: String,
    pub recipients: Vec<Delivery>,
    pub attempts: i64,
    pub next_attempt: Option<String>,
    pub last_error: Option<String>,
}

/// Emails waiting or failed, and sent ones with a refused recipient.
pub fn list(db: &crate::store::db::Db) -> Result<Vec<Listed>> {
    let rows = db
        .outbox_entries()?
        .into_iter()
        .map(|e| Listed {
            id: e.id,
            created: timefmt::parse_stored(&e.created_at).map(timefmt::iso_wib),
            kind: e.kind,
            letter: e.letter_id,
            next_attempt: (e.state == "pending")
                .then(|| timefmt::parse_stored(&e.next_attempt_at).map(timefmt::iso_wib))
                .flatten(),
            state: e.state,
            recipients: e.recipients,
            attempts: e.attempts,
            last_error: e.last_error,
        })
        .collect();
    Ok(rows)
}
