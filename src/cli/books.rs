//! The registers and reports: `agenda`, `ekspedisi`, `report sla` and
//! `report retensi`, as tables or CSV; the agenda and the expedition book
//! also as PDF to print.

use super::output::{fail, print_rows};
use crate::records::{ekspedisi, printed, report};
use crate::store::db::Db;
use crate::util::timefmt;
use crate::workflow::Workflow;
use chrono::NaiveDate;
use std::path::Path;
use std::process::ExitCode;

pub(super) fn sla(db: &Db, wf: &Workflow, from: Option<NaiveDate>, to: Option<NaiveDate>, csv: bool) -> ExitCode {
    let today = crate::util::timefmt::date_wib(chrono::Utc::now());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - chrono::Duration::days(30));
    match db.all_transitions() {
        Ok(tr) => {
            let rows = report::sla(wf, &tr, from, to);
            let (headers, body) = report::sla_table(&rows);
            print_rows(&headers, &body, csv)
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

pub(super) fn retention(db: &Db, wf: &Workflow, csv: bool) -> ExitCode {
    match report::retention_due(db, wf, chrono::Utc::now()) {
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
            if body.is_empty() && !csv {
                println!("No letter is due for retention review.");
                return ExitCode::SUCCESS;
            }
            print_rows(&headers, &body, csv)
        }
        Err(e) => fail(format!("{e:#}")),
    }
}

pub(super) fn ekspedisi(
    db: &Db,
    wf: &Workflow,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    csv: bool,
    pdf: Option<&Path>,
) -> ExitCode {
    let today = crate::util::timefmt::date_wib(chrono::Utc::now());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - chrono::Duration::days(30));
    let lines = match ekspedisi::lines(db, wf, from, to) {
        Ok(l) => l,
        Err(e) => return fail(format!("{e:#}")),
    };
    if let Some(path) = pdf {
        let period = format!("Periode {} s.d. {}", timefmt::date_id(from), timefmt::date_id(to));
        if let Err(code) = write_pdf(path, &ekspedisi::book(&wf.office.name, &period, &lines)) {
            return code;
        }
    }
    let body: Vec<Vec<String>> = lines.iter().enumerate().map(|(i, l)| ekspedisi::cells(i, l)).collect();
    print_rows(&ekspedisi::HEADINGS, &body, csv)
}

/// Writes a printable book, or says why it could not.
fn write_pdf(path: &Path, book: &printed::Book) -> Result<(), ExitCode> {
    std::fs::write(path, printed::pdf(book)).map_err(|e| {
        fail(format!("cannot write the PDF to {}: {e}; give a path in a folder you can write to", path.display()))
    })
}

pub(super) fn agenda(db: &Db, wf: &Workflow, year: Option<i32>, csv: bool, pdf: Option<&Path>) -> ExitCode {
    let year = year.unwrap_or_else(|| timefmt::year_wib(chrono::Utc::now()));
    match report::agenda_rows(db, year) {
        Ok(rows) => {
            if let Some(path) = pdf
                && let Err(code) = write_pdf(path, &report::agenda_book(wf, year, &rows))
            {
                return code;
            }
            let (headers, body) = report::agenda_table(&rows);
            if body.is_empty() && !csv {
                println!("No letters numbered in {year}.");
                return ExitCode::SUCCESS;
            }
            print_rows(&headers, &body, csv)
        }
        Err(e) => fail(format!("{e:#}")),
    }
}
