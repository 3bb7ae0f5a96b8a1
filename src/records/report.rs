//! What the command line prints: letters in flight (`status`) and one
//! letter's audit trail (`history`), as a table for people or as JSON for
//! scripts (field names are part of the contract in SPEC.md).

use crate::store::db::{AgendaLetter, Db, LetterRow, TransitionRec};
use crate::util::timefmt;
use crate::workflow::Workflow;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of `suratd status --json`.
#[derive(Debug, Serialize)]
pub struct StatusRow {
    pub id: String,
    pub number: Option<String>,
    pub subject: String,
    pub step: String,
    pub path: Option<String>,
    pub since: Option<String>,
    pub due: Option<String>,
    pub overdue: Option<bool>,
}

/// One row of `suratd history LETTER --json`.
#[derive(Debug, Serialize)]
pub struct HistoryRow {
    pub time: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub action: String,
    pub actor: String,
    pub actor_verified: bool,
    pub sha256: Option<String>,
    pub path: Option<String>,
    pub note: Option<String>,
    /// For an approval: the version approved.
    pub approved_sha256: Option<String>,
}

fn wib(stored: &str) -> Option<String> {
    timefmt::parse_stored(stored).map(timefmt::iso_wib)
}

/// When the letter's time at its step runs out (office hours), if the step
/// has a standard time.
pub fn due_of(wf: &Workflow, l: &LetterRow) -> Option<chrono::DateTime<chrono::Utc>> {
    due_at(wf, &l.step, &l.step_since)
}

/// When a letter at `step` since `step_since` (as stored) is due.
pub fn due_at(wf: &Workflow, step: &str, step_since: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let time = wf.step(step)?.time?;
    let since = timefmt::parse_stored(step_since)?;
    Some(wf.calendar.due(since, time))
}

pub fn status_rows(db: &Db, wf: &Workflow, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<StatusRow>> {
    Ok(db
        .in_flight()?
        .into_iter()
        .map(|l: LetterRow| {
            let due = due_of(wf, &l);
            StatusRow {
                since: wib(&l.step_since),
                due: due.map(timefmt::iso_wib),
                overdue: due.map(|d| now > d),
                id: l.id,
                number: l.number,
                subject: l.subject,
                step: l.step,
                path: l.path,
            }
        })
        .collect())
}

pub fn history_rows(trail: Vec<TransitionRec>) -> Vec<HistoryRow> {
    trail
        .into_iter()
        .map(|t| HistoryRow {
            time: wib(&t.at),
            from: t.from_step,
            to: t.to_step,
            action: t.action,
            actor: t.actor,
            actor_verified: t.actor_verified,
            sha256: t.sha256,
            path: t.path,
            note: t.note,
            approved_sha256: t.approved_sha256,
        })
        .collect()
}

/// Formats rows as an aligned text table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    // Control characters from untrusted text (a sidecar's subject, a
    // note) never reach the terminal: they could erase or forge lines.
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| printable(c)).collect()).collect();
    let rows = rows.as_slice();
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out.push_str(&line(r.clone()));
    }
    out
}

/// `text` with each control character (escape sequences, carriage
/// returns, line breaks) shown as a space.
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

pub fn status_table(rows: &[StatusRow], wf: &Workflow) -> String {
    if rows.is_empty() {
        return "No letters in flight.\n".into();
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.number.clone().unwrap_or_else(|| "-".into()),
                wf.step(&r.step).map(|s| s.id.clone()).unwrap_or(r.step.clone()),
                r.since.clone().map(|s| s.replace('T', " ")).unwrap_or_default(),
                match (&r.due, r.overdue) {
                    (Some(d), Some(true)) => format!("{} OVERDUE", d.replace('T', " ")),
                    (Some(d), _) => d.replace('T', " "),
                    _ => "-".into(),
                },
                r.subject.clone(),
            ]
        })
        .collect();
    table(&["ID", "NUMBER", "STEP", "SINCE", "DUE", "SUBJECT"], &body)
}

pub fn history_table(rows: &[HistoryRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.time.clone().map(|s| s.replace('T', " ")).unwrap_or_default(),
                r.from.clone().unwrap_or_else(|| "-".into()),
                r.to.clone().unwrap_or_else(|| "-".into()),
                r.action.clone(),
                format!("{}{}", r.actor, if r.actor_verified { "" } else { " (unverified)" }),
                r.sha256.as_deref().map(|s| s[..12.min(s.len())].to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["TIME", "FROM", "TO", "ACTION", "ACTOR", "SHA256"], &body)
}

/// A letter's versions (sha256, kind, recorded at; oldest first) as a
/// text table: its PDFs and, for a Word draft, the filled document
/// (`source`), so a file's sha256 can be told apart.
pub fn versions_table(versions: &[(String, String, String)]) -> String {
    let body: Vec<Vec<String>> = versions
        .iter()
        .enumerate()
        .map(|(i, (sha, kind, at))| {
            let at = wib(at).map(|s| s.replace('T', " ")).unwrap_or_default();
            vec![(i + 1).to_string(), at, kind.clone(), sha.clone()]
        })
        .collect();
    table(&["VERSION", "RECORDED", "KIND", "SHA256"], &body)
}

/// One line of the agenda (the register of outgoing letters).
#[derive(Debug, Serialize)]
pub struct AgendaRow {
    pub number: String,
    pub date: String,
    pub subject: String,
    pub addressee: String,
    pub sifat: String,
    pub klasifikasi: String,
    pub state: String,
    pub id: String,
    /// The step of a letter in flight.
    #[serde(skip)]
    pub step: String,
}

/// Letters with a number dated in `year`, in number order.
pub fn agenda_rows(db: &Db, year: i32) -> Result<Vec<AgendaRow>> {
    let mut out = Vec::new();
    for row in db.agenda_letters(year)? {
        let AgendaLetter { id, number, tanggal: date, subject, metadata: meta, sifat, klasifikasi: klas, state, step } =
            row;
        let meta: Option<crate::letter::metadata::Metadata> = meta.and_then(|m| serde_json::from_str(&m).ok());
        let addressee =
            meta.map(|m| m.tujuan.iter().map(|p| p.nama.clone()).collect::<Vec<_>>().join(", ")).unwrap_or_default();
        let state = match state.as_str() {
            "active" => format!("dalam proses ({step})"),
            "finished" => "selesai".into(),
            "cancelled" => "batal".into(),
            "void" => "batal (tidak terdaftar)".into(),
            other => other.into(),
        };
        out.push(AgendaRow {
            number: number.unwrap_or_default(),
            date: date.unwrap_or_default(),
            subject,
            addressee,
            sifat: sifat.unwrap_or_default(),
            klasifikasi: klas.unwrap_or_default(),
            state,
            id,
            step,
        });
    }
    Ok(out)
}

/// CSV as Excel in an Indonesian locale expects it: UTF-8 with a BOM, `;`.
/// Every cell is made spreadsheet-safe (`spreadsheet_safe`): subjects,
/// addressees and notes come from the share, so from anyone.
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w =
            ::csv::WriterBuilder::new().delimiter(b';').terminator(::csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(headers.iter().map(|h| spreadsheet_safe(h).into_owned()))?;
        for r in rows {
            w.write_record(r.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// A CSV cell a spreadsheet shows as text instead of running it as a
/// formula ("CSV injection", as OWASP describes it): a cell that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The agenda to print: one section for the year, dates and sifat written
/// out, a letter in flight with the name of its step.
pub fn agenda_book(wf: &Workflow, year: i32, rows: &[AgendaRow]) -> super::printed::Book {
    use super::printed::{Book, Column, Section};
    let spec = [
        ("No.", 24.0),
        ("Nomor Surat", 110.0),
        ("Tanggal", 70.0),
        ("Perihal", 220.0),
        ("Tujuan", 170.0),
        ("Sifat", 50.0),
        ("Klasifikasi", 58.0),
        ("Keadaan", 80.0),
    ];
    let body = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let date = r.date.parse().map(timefmt::date_id).unwrap_or_else(|_| r.date.clone());
            let state = match wf.step(&r.step) {
                Some(step) if r.state.starts_with("dalam proses") => format!("dalam proses ({})", step.name),
                _ => r.state.clone(),
            };
            let sifat = crate::letter::metadata::sifat_name(&r.sifat).to_string();
            vec![
                (i + 1).to_string(),
                r.number.clone(),
                date,
                r.subject.clone(),
                r.addressee.clone(),
                sifat,
                r.klasifikasi.clone(),
                state,
            ]
        })
        .collect();
    Book {
        title: "Agenda Surat Keluar".into(),
        office: wf.office.name.clone(),
        period: format!("Tahun {year}"),
        sections: vec![Section {
            heading: format!("Surat keluar bernomor tahun {year}"),
            columns: spec.iter().map(|(t, w)| Column { title: t.to_string(), width: *w }).collect(),
            rows: body,
            empty: format!("Belum ada surat bernomor pada tahun {year}."),
            min_row: 0.0,
        }],
    }
}

/// The agenda as table rows (Indonesian headings, as in the office's register).
pub fn agenda_table(rows: &[AgendaRow]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let headers = vec!["Nomor", "Tanggal", "Perihal", "Tujuan", "Sifat", "Klasifikasi", "Keadaan", "ID"];
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.number.clone(),
                r.date.clone(),
                r.subject.clone(),
                r.addressee.clone(),
                r.sifat.clone(),
                r.klasifikasi.clone(),
                r.state.clone(),
                r.id.clone(),
            ]
        })
        .collect();
    (headers, body)
}

/// One step's line of the SLA report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlaRow {
    pub step: String,
    pub name: String,
    /// The SOP's standard time, in minutes.
    pub standard_minutes: Option<u64>,
    /// Stays at the step that ended in the period.
    pub count: usize,
    /// Office time at the step, in minutes.
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    /// Share of stays within the standard time, in percent.
    pub within_percent: Option<f64>,
}

/// Time at each step (office hours) for stays that ended between `from`
/// and `to` (WIB dates, inclusive): count, median, 90th percentile, and the
/// share within the SOP's standard. Pure.
pub fn sla(
    wf: &Workflow,
    transitions: &[TransitionRec],
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Vec<SlaRow> {
    let mut stays: BTreeMap<String, Vec<std::time::Duration>> = BTreeMap::new();
    let mut tracker = Stays::default();
    for t in transitions {
        let (Some(f), Some(to_step)) = (&t.from_step, &t.to_step) else { continue };
        if let Some((ended, took)) = tracker.step_change(wf, &t.letter_id, &t.at, f, to_step) {
            let day = ended.with_timezone(&wf.calendar.tz).date_naive();
            if from <= day && day <= to {
                stays.entry(f.clone()).or_default().push(took);
            }
        }
    }
    sla_rows(wf, stays)
}

/// Follows letters through their step changes (in the order recorded) and
/// says, for each change, how long the letter stayed at the step it left
/// (office time by the workflow's calendar). Feed it one letter after
/// another and [`Stays::next_letter`] between them to keep it small.
#[derive(Debug, Default)]
pub struct Stays {
    entered: BTreeMap<(String, String), chrono::DateTime<chrono::Utc>>,
}

impl Stays {
    /// A letter moved from `from` to `to` at `at` (as stored): when the
    /// stay at `from` ended and its office time, if its start is known.
    pub fn step_change(
        &mut self,
        wf: &Workflow,
        letter: &str,
        at: &str,
        from: &str,
        to: &str,
    ) -> Option<(chrono::DateTime<chrono::Utc>, std::time::Duration)> {
        let at = timefmt::parse_stored(at)?;
        if from == to {
            return None;
        }
        let ended = self
            .entered
            .remove(&(letter.to_string(), from.to_string()))
            .map(|start| (at, wf.calendar.working_between(start, at)));
        self.entered.insert((letter.to_string(), to.to_string()), at);
        ended
    }

    /// Forgets the letters seen so far (the next changes are another's).
    pub fn next_letter(&mut self) {
        self.entered.clear();
    }
}

/// The median of sorted durations, in minutes.
pub fn median_minutes(sorted: &[std::time::Duration]) -> Option<f64> {
    let minutes = |d: &std::time::Duration| d.as_secs_f64() / 60.0;
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(minutes(&sorted[n / 2])),
        _ => Some((minutes(&sorted[n / 2 - 1]) + minutes(&sorted[n / 2])) / 2.0),
    }
}

/// One line per step that is not an end (SOP order) from the stays at
/// each step: count, median, 90th percentile, share within the standard.
pub fn sla_rows(wf: &Workflow, mut stays: BTreeMap<String, Vec<std::time::Duration>>) -> Vec<SlaRow> {
    let minutes = |d: &std::time::Duration| d.as_secs_f64() / 60.0;
    wf.steps
        .iter()
        .filter(|s| !s.kind.is_terminal())
        .map(|s| {
            let mut v = stays.remove(&s.id).unwrap_or_default();
            v.sort();
            let pick = |q: f64| -> Option<f64> {
                if v.is_empty() {
                    return None;
                }
                let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
                Some(minutes(&v[i]))
            };
            let within = match (s.time, v.is_empty()) {
                (Some(t), false) => Some(100.0 * v.iter().filter(|d| **d <= t).count() as f64 / v.len() as f64),
                _ => None,
            };
            SlaRow {
                step: s.id.clone(),
                name: s.name.clone(),
                standard_minutes: s.time.map(|t| t.as_secs() / 60),
                count: v.len(),
                median_minutes: median_minutes(&v),
                p90_minutes: pick(0.9),
                within_percent: within,
            }
        })
        .collect()
}

/// The SLA report as table rows (Indonesian headings).
pub fn sla_table(rows: &[SlaRow]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let f = |x: Option<f64>| x.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
    let headers =
        vec!["Langkah", "Nama", "Standar (menit)", "Jumlah", "Median (menit)", "P90 (menit)", "Sesuai standar (%)"];
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.step.clone(),
                r.name.clone(),
                r.standard_minutes.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
                r.count.to_string(),
                f(r.median_minutes),
                f(r.p90_minutes),
                f(r.within_percent),
            ]
        })
        .collect();
    (headers, body)
}

/// A finished letter whose retention period has passed.
#[derive(Debug, Serialize)]
pub struct RetentionRow {
    pub id: String,
    pub number: Option<String>,
    pub subject: String,
    pub klasifikasi: Option<String>,
    pub archived: Option<String>,
    pub review_due: Option<String>,
    pub path: Option<String>,
}

/// Finished letters due for retention review at `now` (nothing is deleted).
pub fn retention_due(db: &Db, wf: &Workflow, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<RetentionRow>> {
    let mut out = Vec::new();
    for l in db.all_letters()?.into_iter().filter(|l| l.state == "finished") {
        let Some(keep) = wf.retention_of(l.klasifikasi.as_deref().unwrap_or("")) else { continue };
        let Some(archived) = timefmt::parse_stored(&l.step_since) else { continue };
        let due = archived + chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
        if due <= now {
            out.push(RetentionRow {
                archived: Some(timefmt::iso_wib(archived)),
                review_due: Some(timefmt::iso_wib(due)),
                id: l.id,
                number: l.number,
                subject: l.subject,
                klasifikasi: l.klasifikasi,
                path: l.path,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(letter: &str, at: &str, from: &str, to: &str) -> TransitionRec {
        TransitionRec {
            letter_id: letter.into(),
            at: chrono::DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&chrono::Utc).to_rfc3339(),
            from_step: Some(from.into()),
            to_step: Some(to.into()),
            action: "x".into(),
            actor: "a".into(),
            actor_verified: false,
            sha256: None,
            path: None,
            note: None,
            approved_sha256: None,
        }
    }

    #[test]
    fn sla_counts_office_time_per_step() {
        let wf = Workflow::load(None).unwrap().0;
        let tr = vec![
            // A: 10 minutes at verification, within 20.
            t("A", "2025-06-02T10:00:00+07:00", "draf", "verifikasi"),
            t("A", "2025-06-02T10:10:00+07:00", "verifikasi", "kelengkapan"),
            // B: Monday 15:50 to Tuesday 08:10: 10 + 40 office minutes, over.
            t("B", "2025-06-02T15:50:00+07:00", "draf", "verifikasi"),
            t("B", "2025-06-03T08:10:00+07:00", "verifikasi", "kelengkapan"),
            // C: a stay ending outside the period is not counted.
            t("C", "2025-05-30T09:00:00+07:00", "draf", "verifikasi"),
            t("C", "2025-05-30T09:05:00+07:00", "verifikasi", "kelengkapan"),
        ];
        let rows = sla(&wf, &tr, "2025-06-01".parse().unwrap(), "2025-06-30".parse().unwrap());
        let v = rows.iter().find(|r| r.step == "verifikasi").unwrap();
        assert_eq!(v.count, 2);
        assert_eq!(v.standard_minutes, Some(20));
        assert_eq!(v.median_minutes, Some(30.0));
        assert_eq!(v.p90_minutes, Some(50.0));
        assert_eq!(v.within_percent, Some(50.0));
        assert_eq!(rows.iter().find(|r| r.step == "kelengkapan").unwrap().count, 0);
        assert!(!rows.iter().any(|r| r.step == "arsip"));
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
        for bad in ["=HYPERLINK(\"http://x\",\"klik\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-"] {
            assert_eq!(spreadsheet_safe(bad), format!("'{bad}"), "{bad:?}");
        }
        for ok in ["B-001/17000/KP.650/2026", "Undangan =Rapat", "2026-06-02", "", " =1", "'sudah"] {
            assert_eq!(spreadsheet_safe(ok), ok, "{ok:?}");
        }
        let bytes =
            csv(&["Perihal", "Nomor"], &[vec!["=HYPERLINK(\"http://x\",\"klik\")".into(), "B-001".into()]]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        // BOM, `;`, CRLF unchanged; the formula is text, its quotes doubled.
        assert_eq!(text, "\u{FEFF}Perihal;Nomor\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\";B-001\r\n");
    }
}
