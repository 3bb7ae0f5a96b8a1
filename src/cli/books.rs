//! The registers and reports: `agenda`, `ekspedisi`, `report sla` and
//! `report retensi`, as tables or CSV.

use super::output::{fail, print_rows};
use crate::records::report;
use crate::store::db::Db;
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
    let lines = match crate::records::ekspedisi::lines(db, from, to) {
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
    print_rows(&headers, &body, csv)
}

pub(super) fn agenda(db: &Db, year: Option<i32>, csv: bool) -> ExitCode {
    let year = year.unwrap_or_else(|| crate::util::timefmt::year_wib(chrono::Utc::now()));
    match report::agenda_rows(db, year) {
        Ok(rows) => {
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
