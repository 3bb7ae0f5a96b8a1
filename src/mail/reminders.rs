//! Reminders, escalations and the daily digest: which are due at a given
//! moment (pure, from the letters, the workflow and the clock), and queuing
//! each one once. Each is keyed by what it is about (the letter, its step
//! and since when; or the person and the day), recorded with the email in
//! one transaction, so a restart sends none twice.

use crate::mail::compose::{self, Email, Fill};
use crate::records::report::due_of;
use crate::store::db::{Db, LetterRow};
use crate::util::timefmt;
use crate::workflow::Workflow;
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// An email that is due, with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub key: String,
    pub letter_id: Option<String>,
    pub email: Email,
}

/// A late letter's values: where it waits and since when it is due.
fn values(wf: &Workflow, share: &str, l: &LetterRow, due: &str) -> Fill {
    let meta = l.meta();
    let step = wf.step(&l.step);
    Fill::default()
        .letter(&l.id, l.number.as_deref(), &l.subject, l.sifat.as_deref())
        .set("langkah", step.map(|s| s.name.clone()).unwrap_or_else(|| l.step.clone()))
        .set("lokasi", l.path.as_deref().map(|p| compose::on_share(share, p)).unwrap_or_default())
        .set("batas_waktu", due)
        .set("pengirim", wf.templates.system_name.as_str())
        .set("tujuan", compose::parties(&meta.as_ref().map(|m| m.tujuan.clone()).unwrap_or_default()))
        .set("tembusan", compose::parties(&meta.as_ref().map(|m| m.tembusan.clone()).unwrap_or_default()))
}

/// What is due at `now` and was not sent yet.
pub fn plan(wf: &Workflow, share: &str, letters: &[LetterRow], sent: &HashSet<String>, now: DateTime<Utc>) -> Vec<Due> {
    let mut out = Vec::new();
    for l in letters.iter().filter(|l| l.state == "active") {
        let (Some(step), Some(due)) = (wf.step(&l.step), due_of(wf, l)) else { continue };
        if now <= due {
            continue;
        }
        let due_text = timefmt::day_moment_id(due);
        let v = values(wf, share, l, &due_text);
        let key = format!("reminder:{}:{}:{}", l.id, l.step, l.step_since);
        if !sent.contains(&key)
            && let Some(role) = &step.role
            && let Some(email) = compose::write(wf, "reminder", compose::people_of(wf, role, l.drafter.as_deref()), &v)
        {
            out.push(Due { key, letter_id: Some(l.id.clone()), email });
        }
        let key = format!("escalation:{}:{}:{}", l.id, l.step, l.step_since);
        if let Some(role) = &wf.reminders.escalate_to
            && now > wf.calendar.due(due, wf.reminders.escalate_after)
            && !sent.contains(&key)
            && let Some(email) = compose::write(wf, "escalation", compose::people_of(wf, role, None), &v)
        {
            out.push(Due { key, letter_id: Some(l.id.clone()), email });
        }
    }
    out.extend(digests(wf, share, letters, sent, now));
    out
}

/// Once a working day, after `digest_at`: each person, what waits for them.
fn digests(wf: &Workflow, share: &str, letters: &[LetterRow], sent: &HashSet<String>, now: DateTime<Utc>) -> Vec<Due> {
    let Some(at) = wf.reminders.digest_at else { return vec![] };
    let local = now.with_timezone(&wf.calendar.tz);
    let today = local.date_naive();
    if local.time() < at || wf.calendar.hours_on(today).is_none() {
        return vec![];
    }
    let mut out = Vec::new();
    for p in &wf.people {
        let Some(email) = &p.email else { continue };
        let key = format!("digest:{}:{today}", p.login);
        if sent.contains(&key) {
            continue;
        }
        let mine: Vec<String> = letters
            .iter()
            .filter(|l| l.state == "active")
            .filter(|l| {
                let Some(role) = wf.step(&l.step).and_then(|s| s.role.as_deref()) else { return false };
                compose::people_of(wf, role, l.drafter.as_deref()).iter().any(|r| r.email == *email)
            })
            .map(|l| {
                let due = due_of(wf, l).map(|d| {
                    let late = if now > d { " (TERLAMBAT)" } else { "" };
                    format!("; batas waktu {}{late}", timefmt::day_moment_id(d))
                });
                format!(
                    "- {} - {} (kode surat {})\n  Tahap {}{}\n  Lokasi: {}",
                    l.subject,
                    l.number.as_deref().unwrap_or("-"),
                    l.id,
                    wf.step(&l.step).map(|s| s.name.as_str()).unwrap_or(&l.step),
                    due.unwrap_or_default(),
                    l.path.as_deref().map(|p| compose::on_share(share, p)).unwrap_or_default()
                )
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let list = mine.join("\n");
        let vals = Fill::default().set("catatan", list).set("pengirim", wf.templates.system_name.as_str());
        let to = vec![compose::Recipient { name: p.name.clone(), email: email.clone() }];
        if let Some(email) = compose::write(wf, "digest", to, &vals) {
            out.push(Due { key, letter_id: None, email });
        }
    }
    out
}

/// Queues what is due now; returns how many emails were queued.
pub fn run_once(db: &mut Db, wf: &Workflow, share: &str, now: DateTime<Utc>) -> Result<usize> {
    let letters = db.in_flight()?;
    let due = plan(wf, share, &letters, &HashSet::new(), now);
    let sent = db.reminder_keys_among(due.iter().map(|d| d.key.as_str()))?;
    let mut n = 0;
    for d in due.into_iter().filter(|d| !sent.contains(&d.key)) {
        if db.queue_once(&d.key, d.letter_id.as_deref(), &d.email)? {
            tracing::info!(letter = d.letter_id.as_deref().unwrap_or("-"), key = %d.key, "queued a reminder");
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        let text = crate::workflow::BUILTIN.replace(
            "people: []",
            "people:
  - {login: budi, name: Budi, email: budi@bps.go.id, roles: [anggota_tim], team: umum}
  - {login: kt, name: Ketua, email: kt@bps.go.id, roles: [ketua_tim], team: umum}
  - {login: kepala, name: Kepala, email: kepala@bps.go.id, roles: [kepala]}",
        );
        Workflow::from_text("t", &text).unwrap().0
    }

    fn letter(step: &str, since: &str) -> LetterRow {
        LetterRow {
            id: "SK-2025-0001".into(),
            year: 2025,
            seq: 1,
            number: Some("B-001/17000/KP.650/2025".into()),
            subject: "Undangan".into(),
            drafter: Some("budi".into()),
            state: "active".into(),
            step: step.into(),
            path: Some("02-verifikasi/SK-2025-0001 Undangan.pdf".into()),
            sha256: "x".into(),
            size: 1,
            mtime_ns: 1,
            created_at: since.into(),
            step_since: since.into(),
            sifat: None,
            klasifikasi: None,
            tanggal: None,
            metadata: None,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_late_letter_gets_a_reminder_then_an_escalation_each_once() {
        let wf = wf();
        // Reached verification Monday 10:00 WIB; 20 minutes standard time.
        let l = vec![letter("verifikasi", "2025-06-02T03:00:00.000Z")];
        let mut sent = HashSet::new();
        // (The day's digest is another matter: tested below.)
        let plan = |wf: &Workflow, s: &str, l: &[LetterRow], sent: &HashSet<String>, now| -> Vec<Due> {
            plan(wf, s, l, sent, now).into_iter().filter(|d| d.email.kind != "digest").collect()
        };
        assert!(plan(&wf, "\\s", &l, &sent, at("2025-06-02T10:15:00+07:00")).is_empty(), "not due yet");
        let due = plan(&wf, "\\s", &l, &sent, at("2025-06-02T10:25:00+07:00"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].email.kind, "reminder");
        assert_eq!(due[0].email.to[0].email, "kt@bps.go.id");
        assert!(due[0].email.body.contains("Senin, 2 Juni 2025 pukul 10.20 WIB"), "{}", due[0].email.body);
        sent.insert(due[0].key.clone());
        assert!(plan(&wf, "\\s", &l, &sent, at("2025-06-02T10:30:00+07:00")).is_empty(), "once");
        // One office hour past the due time: escalated to the head.
        let due = plan(&wf, "\\s", &l, &sent, at("2025-06-02T11:21:00+07:00"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].email.kind, "escalation");
        assert_eq!(due[0].email.to[0].email, "kepala@bps.go.id");
    }

    #[test]
    fn the_digest_comes_once_a_working_day_after_its_time() {
        let wf = wf();
        let l = vec![letter("verifikasi", "2025-06-02T03:00:00.000Z")];
        let mut sent = HashSet::new();
        let digests = |sent: &HashSet<String>, t: &str| -> Vec<Due> {
            plan(&wf, "\\s", &l, sent, at(t)).into_iter().filter(|d| d.email.kind == "digest").collect()
        };
        assert!(digests(&sent, "2025-06-03T07:00:00+07:00").is_empty(), "before 07:30");
        let d = digests(&sent, "2025-06-03T07:31:00+07:00");
        assert_eq!(d.len(), 1, "only the team leader has something waiting");
        assert_eq!(d[0].email.to[0].email, "kt@bps.go.id");
        assert!(
            d[0].email.body.contains("SK-2025-0001") && d[0].email.body.contains("TERLAMBAT"),
            "{}",
            d[0].email.body
        );
        sent.insert(d[0].key.clone());
        assert!(digests(&sent, "2025-06-03T15:00:00+07:00").is_empty(), "once a day");
        assert!(digests(&sent, "2025-06-07T08:00:00+07:00").is_empty(), "not on Saturday");
        assert_eq!(digests(&sent, "2025-06-09T08:00:00+07:00").len(), 1, "again on Monday");
    }
}
