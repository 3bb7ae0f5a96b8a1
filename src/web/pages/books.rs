//! *Agenda* and *Ekspedisi*: the registers by year or period, as on the
//! command line (`suratd agenda`, `suratd ekspedisi`), with the same CSV
//! and PDF downloads. A Rahasia letter's subject, addressees and delivery notes are
//! shown only to those who may see them, in the downloads too.

use crate::records::{ekspedisi, printed, report};
use crate::util::timefmt;
use crate::web::{Ctx, access, layout};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

/// A register as a download: its file name, content type and bytes.
pub(crate) struct Download {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// `?tahun=2026&halaman=3` (default: this year in WIB, its last page).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Year {
    pub tahun: Option<i32>,
    pub halaman: Option<usize>,
}

/// Agenda rows on one page (the downloads hold the whole year).
const PER_PAGE: usize = 500;

/// `?dari=2026-06-01&sampai=2026-06-30` (default: the last 30 days).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Period {
    pub dari: Option<NaiveDate>,
    pub sampai: Option<NaiveDate>,
}

impl Period {
    fn resolve(&self, now: chrono::DateTime<chrono::Utc>) -> (NaiveDate, NaiveDate) {
        let to = self.sampai.unwrap_or_else(|| timefmt::date_wib(now));
        (self.dari.unwrap_or(to - chrono::Duration::days(30)), to)
    }
}

/// Whether the viewer may see this letter's subject (a letter that cannot
/// be read: no).
fn open(ctx: &Ctx, letter_id: &str) -> bool {
    match ctx.db.letter(letter_id) {
        Ok(Some(l)) => access::sees(&ctx.wf, &ctx.viewer, &l),
        _ => false,
    }
}

fn agenda_rows(ctx: &Ctx, year: i32) -> anyhow::Result<Vec<report::AgendaRow>> {
    let mut rows = report::agenda_rows(&ctx.db, year)?;
    for r in rows.iter_mut().filter(|r| r.sifat == "R") {
        if !open(ctx, &r.id) {
            r.subject = access::HIDDEN.into();
            r.addressee = access::HIDDEN.into();
        }
    }
    Ok(rows)
}

fn ekspedisi_lines(ctx: &Ctx, from: NaiveDate, to: NaiveDate) -> anyhow::Result<Vec<ekspedisi::Line>> {
    let mut lines = ekspedisi::lines(&ctx.db, &ctx.wf, from, to)?;
    for l in lines.iter_mut() {
        if !open(ctx, &l.letter_id) {
            l.subject = access::HIDDEN.into();
            l.addressee = access::HIDDEN.into();
            // A hand delivery's note names who received it.
            if !l.note.is_empty() {
                l.note = access::HIDDEN.into();
            }
        }
    }
    Ok(lines)
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> Markup {
    html! {
        table {
            thead { tr { @for h in headers { th { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
    }
}

fn this_year(ctx: &Ctx, y: &Year) -> i32 {
    y.tahun.unwrap_or_else(|| timefmt::year_wib(ctx.now))
}

pub(crate) fn agenda(ctx: &Ctx, y: &Year) -> anyhow::Result<Markup> {
    let year = this_year(ctx, y);
    let rows = agenda_rows(ctx, year)?;
    let (headers, body) = report::agenda_table(&rows);
    let pages = body.len().div_ceil(PER_PAGE).max(1);
    let page_no = y.halaman.unwrap_or(pages).clamp(1, pages);
    let shown = &body[((page_no - 1) * PER_PAGE).min(body.len())..(page_no * PER_PAGE).min(body.len())];
    let page = html! {
        h1 { "Agenda Surat Keluar " (year) }
        form.saring method="get" action="/agenda" {
            label { "Tahun" input type="number" name="tahun" value=(year) min="2000" max="2100"; }
            button type="submit" { "Tampilkan" }
        }
        div.unduh {
            a href={ "/agenda.csv?tahun=" (year) } { "Unduh CSV" }
            a href={ "/agenda.pdf?tahun=" (year) } { "Unduh PDF" }
        }
        @if body.is_empty() { p { "Belum ada surat bernomor pada tahun " (year) "." } }
        @else {
            (pager(year, page_no, pages, body.len()))
            (table(&headers, shown))
        }
    };
    Ok(layout::page(ctx, "Agenda", "/agenda", true, page))
}

/// Which page of the year's agenda this is, and the way to the others.
fn pager(year: i32, page: usize, pages: usize, rows: usize) -> Markup {
    html! {
        p.kecil.halaman {
            (rows) " surat; halaman " (page) " dari " (pages) "."
            @if page > 1 { " " a href={ "/agenda?tahun=" (year) "&halaman=" (page - 1) } { "« Sebelumnya" } }
            @if page < pages { " " a href={ "/agenda?tahun=" (year) "&halaman=" (page + 1) } { "Berikutnya »" } }
        }
    }
}

pub(crate) fn agenda_file(ctx: &Ctx, y: &Year, pdf: bool) -> anyhow::Result<Download> {
    let year = this_year(ctx, y);
    let rows = agenda_rows(ctx, year)?;
    Ok(if pdf {
        let bytes = printed::pdf(&report::agenda_book(&ctx.wf, year, &rows));
        Download { name: format!("agenda-{year}.pdf"), content_type: "application/pdf", bytes }
    } else {
        let (headers, body) = report::agenda_table(&rows);
        let bytes = report::csv(&headers, &body)?;
        Download { name: format!("agenda-{year}.csv"), content_type: "text/csv; charset=utf-8", bytes }
    })
}

pub(crate) fn ekspedisi(ctx: &Ctx, p: &Period) -> anyhow::Result<Markup> {
    let (from, to) = p.resolve(ctx.now);
    let lines = ekspedisi_lines(ctx, from, to)?;
    let body: Vec<Vec<String>> = lines.iter().enumerate().map(|(i, l)| ekspedisi::cells(i, l)).collect();
    let q = format!("dari={from}&sampai={to}");
    let page = html! {
        h1 { "Buku Ekspedisi" }
        form.saring method="get" action="/ekspedisi" {
            label { "Dari" input type="date" name="dari" value=(from); }
            label { "Sampai" input type="date" name="sampai" value=(to); }
            button type="submit" { "Tampilkan" }
        }
        p.kecil { "Periode " (timefmt::date_id(from)) " s.d. " (timefmt::date_id(to)) "." }
        div.unduh {
            a href={ "/ekspedisi.csv?" (q) } { "Unduh CSV" }
            a href={ "/ekspedisi.pdf?" (q) } { "Unduh PDF" }
        }
        @if body.is_empty() { p { "Tidak ada pengiriman pada periode ini." } }
        @else { (table(&ekspedisi::HEADINGS, &body)) }
    };
    Ok(layout::page(ctx, "Ekspedisi", "/ekspedisi", true, page))
}

pub(crate) fn ekspedisi_file(ctx: &Ctx, p: &Period, pdf: bool) -> anyhow::Result<Download> {
    let (from, to) = p.resolve(ctx.now);
    let lines = ekspedisi_lines(ctx, from, to)?;
    Ok(if pdf {
        let period = format!("Periode {} s.d. {}", timefmt::date_id(from), timefmt::date_id(to));
        let bytes = printed::pdf(&ekspedisi::book(&ctx.wf.office.name, &period, &lines));
        Download { name: format!("ekspedisi-{from}-{to}.pdf"), content_type: "application/pdf", bytes }
    } else {
        let body: Vec<Vec<String>> = lines.iter().enumerate().map(|(i, l)| ekspedisi::cells(i, l)).collect();
        let bytes = report::csv(&ekspedisi::HEADINGS, &body)?;
        Download { name: format!("ekspedisi-{from}-{to}.csv"), content_type: "text/csv; charset=utf-8", bytes }
    })
}
