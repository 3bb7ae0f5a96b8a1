//! *Kinerja* (`/kinerja`): per step, the median and 90th-percentile office
//! time against the SOP's standard, as an SVG chart and a table, and how
//! the median moved month by month over the last 12 months. Times are
//! counted as `suratd report sla` counts them ([`report::Stays`], office
//! hours by the workflow's calendar); the step changes are streamed from
//! the database, so only the durations are held in memory.

use super::chart::{durasi, standar};
use crate::records::report::{self, SlaRow, Stays};
use crate::web::{Ctx, layout};
use crate::workflow::Step;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The period (`?dari=YYYY-MM-DD&sampai=YYYY-MM-DD`, WIB dates, inclusive);
/// by default the last 90 days.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Periode {
    #[serde(default)]
    pub dari: String,
    #[serde(default)]
    pub sampai: String,
}

/// How many days the period covers by default.
const DEFAULT_DAYS: i64 = 90;
/// How many months the month-by-month chart covers.
const MONTHS: usize = 12;
const BULAN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

/// The period asked for and the months shown.
struct Window {
    from: NaiveDate,
    to: NaiveDate,
    /// (year, month), oldest first, ending with the month of `to`.
    months: Vec<(i32, u32)>,
}

fn window(ctx: &Ctx, q: &Periode) -> Result<Window, String> {
    let date = |s: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        match s.trim() {
            "" => Ok(None),
            s => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
                format!(
                    "Tanggal {what} \u{201c}{s}\u{201d} tidak dikenali; tulis sebagai TTTT-BB-HH, misalnya 2026-06-30."
                )
            }),
        }
    };
    let to = date(&q.sampai, "sampai")?.unwrap_or_else(|| crate::util::timefmt::date_wib(ctx.now));
    let from = date(&q.dari, "dari")?.unwrap_or(to - chrono::Duration::days(DEFAULT_DAYS - 1));
    if from > to {
        return Err(format!("Tanggal dari ({from}) jatuh sesudah tanggal sampai ({to}); tukar keduanya."));
    }
    let mut months = Vec::with_capacity(MONTHS);
    let (mut y, mut m) = (to.year(), to.month());
    for _ in 0..MONTHS {
        months.push((y, m));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    months.reverse();
    Ok(Window { from, to, months })
}

/// The office times of stays that ended in the period, and in each month
/// shown, per step.
#[derive(Default)]
struct Times {
    period: BTreeMap<String, Vec<Duration>>,
    monthly: BTreeMap<String, BTreeMap<(i32, u32), Vec<Duration>>>,
}

fn push<K: Ord>(map: &mut BTreeMap<K, Vec<Duration>>, key: K, d: Duration) {
    map.entry(key).or_default().push(d);
}

fn gather(ctx: &Ctx, w: &Window) -> anyhow::Result<Times> {
    let (first, last) = (w.months[0], w.months[MONTHS - 1]);
    let mut times = Times::default();
    let mut stays = Stays::default();
    let mut current = String::new();
    // Stays that end in the period or the months shown end in a move made
    // on or after the earlier of their first days (a day early: stored
    // times are UTC, the days WIB).
    let start = NaiveDate::from_ymd_opt(first.0, first.1, 1).unwrap_or(w.from).min(w.from);
    let since = (start - chrono::Duration::days(1)).to_string();
    ctx.db.each_step_change(&since, |letter, at, from, to| {
        if letter != current {
            stays.next_letter();
            current.clear();
            current.push_str(letter);
        }
        let Some((ended, took)) = stays.step_change(&ctx.wf, letter, at, from, to) else { return };
        let day = ended.with_timezone(&ctx.wf.calendar.tz).date_naive();
        if w.from <= day && day <= w.to {
            push(&mut times.period, from.to_string(), took);
        }
        let month = (day.year(), day.month());
        if first <= month && month <= last {
            push(times.monthly.entry(from.to_string()).or_default(), month, took);
        }
    })?;
    Ok(times)
}

/// The steps whose times are measured (all but the ends), in SOP order.
fn measured(ctx: &Ctx) -> impl Iterator<Item = &Step> {
    ctx.wf.steps.iter().filter(|s| !s.kind.is_terminal())
}

pub(crate) fn page(ctx: &Ctx, q: &Periode) -> anyhow::Result<Markup> {
    let w = match window(ctx, q) {
        Ok(w) => w,
        Err(why) => {
            let body = html! { h1 { "Kinerja" } p.galat { (why) } (period_form(q.dari.trim(), q.sampai.trim())) };
            return Ok(layout::page(ctx, "Kinerja", "/kinerja", false, body));
        }
    };
    let times = gather(ctx, &w)?;
    let rows = report::sla_rows(&ctx.wf, times.period);
    let medians = monthly_medians(ctx, &w, times.monthly);
    let body = html! {
        h1 { "Kinerja per Langkah" }
        p.kecil {
            "Waktu kerja (jam kantor menurut kalender alur) setiap surat pada tiap langkah, untuk langkah yang selesai "
            "antara " (crate::util::timefmt::date_id(w.from)) " dan " (crate::util::timefmt::date_id(w.to))
            ", dibandingkan dengan waktu standar SOP. Dihitung seperti " code { "suratd report sla" } "."
        }
        (period_form(&w.from.to_string(), &w.to.to_string()))
        (bars(&rows))
        (sla_table(&rows))
        h2 { "Perkembangan per bulan (median)" }
        p.kecil { "Median waktu kerja pada tiap langkah, menurut bulan selesainya, 12 bulan terakhir sampai " (BULAN[w.to.month0() as usize]) " " (w.to.year()) "." }
        div.kecil-kecil { @for (step, m) in measured(ctx).zip(&medians) { (trend(step, &w.months, m)) } }
        (trend_table(ctx, &w.months, &medians))
    };
    Ok(layout::page(ctx, "Kinerja", "/kinerja", false, body))
}

fn period_form(from: &str, to: &str) -> Markup {
    html! {
        form.saring method="get" action="/kinerja" {
            label { "Dari" input type="date" name="dari" value=(from); }
            label { "Sampai" input type="date" name="sampai" value=(to); }
            button type="submit" { "Tampilkan" }
        }
    }
}

/// Per step (SOP order), per month shown: the median in minutes and how
/// many stays it is of.
fn monthly_medians(
    ctx: &Ctx,
    w: &Window,
    mut monthly: BTreeMap<String, BTreeMap<(i32, u32), Vec<Duration>>>,
) -> Vec<Vec<Option<(f64, usize)>>> {
    measured(ctx)
        .map(|s| {
            let mut of_step = monthly.remove(&s.id).unwrap_or_default();
            w.months
                .iter()
                .map(|m| {
                    let mut v = of_step.remove(m)?;
                    v.sort();
                    Some((report::median_minutes(&v)?, v.len()))
                })
                .collect()
        })
        .collect()
}

// The bar chart's geometry (SVG user units).
const LABEL_W: f64 = 250.0;
const PLOT_W: f64 = 430.0;
const ROW_H: f64 = 52.0;
const TOP: f64 = 34.0;

/// Median and p90 per step as bars, the standard as a dashed line, every
/// figure written beside its mark (readable in black and white).
fn bars(rows: &[SlaRow]) -> Markup {
    let most = rows
        .iter()
        .flat_map(|r| [r.median_minutes, r.p90_minutes, r.standard_minutes.map(|m| m as f64)])
        .flatten()
        .fold(1.0_f64, f64::max);
    let x = |minutes: f64| LABEL_W + 10.0 + PLOT_W * minutes / most;
    let height = TOP + ROW_H * rows.len() as f64 + 10.0;
    let width = LABEL_W + PLOT_W + 190.0;
    html! {
        svg.grafik role="img" aria-labelledby="kinerja-judul" viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) font-family="Liberation Sans, Arial, sans-serif" font-size="12" {
            title #kinerja-judul { "Median dan persentil ke-90 waktu kerja per langkah, dibandingkan dengan standar SOP" }
            rect x=(LABEL_W + 10.0) y="6" width="12" height="10" fill="#0b4f8a" {}
            text x=(LABEL_W + 26.0) y="15" { "median" }
            rect x=(LABEL_W + 90.0) y="6" width="12" height="10" fill="#ffffff" stroke="#0b4f8a" stroke-width="1.5" {}
            text x=(LABEL_W + 106.0) y="15" { "persentil ke-90 (p90)" }
            line x1=(LABEL_W + 250.0) y1="11" x2=(LABEL_W + 270.0) y2="11" stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3" {}
            text x=(LABEL_W + 276.0) y="15" { "standar SOP" }
            @for (i, r) in rows.iter().enumerate() {
                @let y = TOP + ROW_H * i as f64;
                g data-step=(r.step) {
                    text x=(LABEL_W) y=(y + 17.0) text-anchor="end" font-weight="bold" { (r.name) }
                    text x=(LABEL_W) y=(y + 33.0) text-anchor="end" fill="#5b6472" {
                        "standar " (standar(r.standard_minutes.map(|m| Duration::from_secs(m * 60)))) " · " (r.count) " surat"
                    }
                    @match (r.median_minutes, r.p90_minutes) {
                        (Some(med), Some(p90)) => {
                            rect x=(LABEL_W + 10.0) y=(y + 6.0) width=(x(med) - LABEL_W - 10.0) height="15" fill="#0b4f8a" {}
                            text x=(x(med) + 5.0) y=(y + 18.0) { "median " (durasi(med)) (over(med, r)) }
                            rect x=(LABEL_W + 10.0) y=(y + 24.0) width=(x(p90) - LABEL_W - 10.0) height="15" fill="#ffffff" stroke="#0b4f8a" stroke-width="1.5" {}
                            text x=(x(p90) + 5.0) y=(y + 36.0) { "p90 " (durasi(p90)) (over(p90, r)) }
                        }
                        _ => { text x=(LABEL_W + 14.0) y=(y + 25.0) fill="#5b6472" { "belum ada surat yang selesai di langkah ini pada periode ini" } }
                    }
                    @if let Some(std) = r.standard_minutes {
                        line x1=(x(std as f64)) y1=(y + 2.0) x2=(x(std as f64)) y2=(y + 43.0) stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3" {}
                    }
                    line x1=(LABEL_W + 10.0) y1=(y + ROW_H - 4.0) x2=(LABEL_W + 10.0 + PLOT_W) y2=(y + ROW_H - 4.0) stroke="#e6eaf0" {}
                }
            }
        }
    }
}

/// ` (lewat standar)` when a time exceeds the step's standard: said in
/// words, not by colour alone.
fn over(minutes: f64, r: &SlaRow) -> &'static str {
    match r.standard_minutes {
        Some(s) if minutes > s as f64 => " (lewat standar)",
        _ => "",
    }
}

fn sla_table(rows: &[SlaRow]) -> Markup {
    let t = |m: Option<f64>| m.map(durasi).unwrap_or_else(|| "-".into());
    html! {
        table.kinerja {
            thead { tr { th { "Langkah" } th { "Standar" } th { "Jumlah" } th { "Median" } th { "P90" } th { "Sesuai standar" } } }
            tbody {
                @for r in rows {
                    tr data-step=(r.step) {
                        td { (r.name) }
                        td { (standar(r.standard_minutes.map(|m| Duration::from_secs(m * 60)))) }
                        td { (r.count) }
                        td { (t(r.median_minutes)) }
                        td { (t(r.p90_minutes)) }
                        td { (r.within_percent.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "-".into())) }
                    }
                }
            }
        }
    }
}

fn month_label(&(y, m): &(i32, u32)) -> String {
    format!("{} {}", BULAN[m as usize - 1], y % 100)
}

// A month-by-month panel's geometry.
const PANEL_W: f64 = 380.0;
const PANEL_H: f64 = 150.0;
const PANEL_PLOT: (f64, f64, f64, f64) = (34.0, 30.0, 360.0, 110.0); // left, top, right, bottom

/// One step's monthly medians as a small line chart, each point with its
/// figure, the standard as a dashed line.
fn trend(step: &Step, months: &[(i32, u32)], medians: &[Option<(f64, usize)>]) -> Markup {
    let (l, t, r, b) = PANEL_PLOT;
    let std = step.time.map(|d| d.as_secs_f64() / 60.0);
    let most = medians.iter().flatten().map(|(m, _)| *m).chain(std).fold(1.0_f64, f64::max);
    let px = |i: usize| l + (r - l) * i as f64 / (months.len() - 1).max(1) as f64;
    let py = |m: f64| b - (b - t) * m / most;
    // Lines join consecutive months with data; a month without is a gap.
    let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, m) in medians.iter().enumerate() {
        match m {
            Some((v, _)) => segments.last_mut().unwrap().push((px(i), py(*v))),
            None if !segments.last().unwrap().is_empty() => segments.push(Vec::new()),
            None => {}
        }
    }
    let points = |s: &Vec<(f64, f64)>| s.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    html! {
        svg.tren role="img" viewBox={ "0 0 " (PANEL_W) " " (PANEL_H) } width=(PANEL_W) height=(PANEL_H) font-family="Liberation Sans, Arial, sans-serif" font-size="10" data-step=(step.id) {
            title { "Median per bulan: " (step.name) }
            text x="4" y="14" font-size="12" font-weight="bold" { (step.name) }
            line x1=(l) y1=(b) x2=(r) y2=(b) stroke="#5b6472" {}
            text x=(l - 4.0) y=(t + 4.0) text-anchor="end" fill="#5b6472" { (durasi(most)) }
            text x=(l - 4.0) y=(b) text-anchor="end" fill="#5b6472" { "0" }
            @if let Some(s) = std {
                line x1=(l) y1=(py(s)) x2=(r) y2=(py(s)) stroke="#b3261e" stroke-width="1.5" stroke-dasharray="4 3" {}
                text x=(r) y=(py(s) - 3.0) text-anchor="end" fill="#b3261e" { "standar " (durasi(s)) }
            }
            @for s in segments.iter().filter(|s| s.len() > 1) {
                polyline points=(points(s)) fill="none" stroke="#0b4f8a" stroke-width="2" {}
            }
            @for (i, m) in medians.iter().enumerate() {
                @if let Some((v, _)) = m {
                    circle cx=(px(i)) cy=(py(*v)) r="3" fill="#0b4f8a" {}
                    text x=(px(i)) y=(py(*v) - 5.0) text-anchor="middle" { (v.round()) }
                }
                @if i % 2 == 0 || i + 1 == months.len() {
                    text x=(px(i)) y=(b + 13.0) text-anchor="middle" fill="#5b6472" { (month_label(&months[i])) }
                }
            }
            text x=(r) y=(PANEL_H - 2.0) text-anchor="end" fill="#5b6472" { "angka pada titik: median dalam menit" }
        }
    }
}

fn trend_table(ctx: &Ctx, months: &[(i32, u32)], medians: &[Vec<Option<(f64, usize)>>]) -> Markup {
    html! {
        table.tren {
            thead { tr { th { "Langkah" } @for m in months { th { (month_label(m)) } } } }
            tbody {
                @for (step, row) in measured(ctx).zip(medians) {
                    tr data-step=(step.id) {
                        td { (step.name) }
                        @for cell in row {
                            td { @match cell { Some((v, n)) => { (durasi(*v)) br; span.kecil { (n) " surat" } } None => "-" } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::pages::chart::testing::{Board, has_raw_injection};
    use crate::workflow::BUILTIN;

    /// Monday 1 June 2026, 09:00 WIB, plus `minutes`.
    fn june(minutes: i64) -> String {
        let start = chrono::DateTime::parse_from_rfc3339("2026-06-01T09:00:00+07:00").unwrap();
        (start + chrono::Duration::minutes(minutes)).to_rfc3339()
    }

    /// Five letters that stayed 10, 20, 30, 40 and 50 office minutes at
    /// verification (standard 20 minutes), and one whose stay ended in May.
    fn board(yaml: &str, subject: &str) -> Board {
        let b = Board::new(yaml, "2026-06-30T08:00:00Z");
        for k in 1..=5 {
            let (a, z) = (june(0), june(10 * k));
            b.letter(
                &format!("SK-2026-000{k}"),
                subject,
                &[(&a, "draf", "verifikasi"), (&z, "verifikasi", "kelengkapan")],
            );
        }
        b.letter(
            "SK-2026-0009",
            subject,
            &[
                ("2026-05-04T09:00:00+07:00", "draf", "verifikasi"),
                ("2026-05-04T11:00:00+07:00", "verifikasi", "kelengkapan"),
            ],
        );
        b
    }

    fn render(b: &Board, dari: &str) -> String {
        page(&b.ctx, &Periode { dari: dari.into(), sampai: String::new() }).unwrap().into_string()
    }

    #[test]
    fn median_and_p90_of_known_stays_are_drawn_and_tabled() {
        let b = board(BUILTIN, "Undangan rapat");
        let html = render(&b, "2026-06-01");
        // Chart: the figures beside the bars, the p90 past the standard said in words.
        assert!(html.contains("median 30 mnt (lewat standar)"), "{html}");
        assert!(html.contains("p90 50 mnt (lewat standar)"), "{html}");
        assert!(html.contains("standar 20 mnt · 5 surat"), "{html}");
        // Table: standard, count, median, p90, share within the standard (10 and 20 of 50).
        let row = html.split("<tr data-step=\"verifikasi\">").nth(1).unwrap();
        let row = &row[..row.find("</tr>").unwrap()];
        assert_eq!(
            row,
            "<td>Verifikasi Ketua Tim</td><td>20 mnt</td><td>5</td><td>30 mnt</td><td>50 mnt</td><td>40%</td>"
        );
        // Month by month: June's median is 30 minutes of 5 letters; May's, 2 hours of 1.
        let trend = html.split("<table class=\"tren\">").nth(1).unwrap();
        let row = trend.split("<tr data-step=\"verifikasi\">").nth(1).unwrap();
        assert!(row.contains("<td>2 j<br><span class=\"kecil\">1 surat</span></td><td>30 mnt<br><span class=\"kecil\">5 surat</span></td></tr>"), "{row}");
    }

    #[test]
    fn a_period_counts_only_stays_that_ended_in_it() {
        let b = board(BUILTIN, "Undangan rapat");
        let html = render(&b, "2026-05-01");
        assert!(html.contains("standar 20 mnt · 6 surat"), "{html}");
        assert!(html.contains("p90 2 j (lewat standar)"), "{html}");
        let bad = render(&b, "2026-13-01");
        assert!(bad.contains("Tanggal dari \u{201c}2026-13-01\u{201d} tidak dikenali"), "{bad}");
    }

    #[test]
    fn a_stay_begun_long_before_the_months_shown_is_counted_when_it_ends_in_the_period() {
        let b = Board::new(BUILTIN, "2026-06-30T08:00:00Z");
        let end = june(0);
        b.letter(
            "SK-2024-0001",
            "Lama",
            &[("2024-01-02T09:00:00+07:00", "draf", "verifikasi"), (&end, "verifikasi", "kelengkapan")],
        );
        b.letter(
            "SK-2024-0002",
            "Selesai dulu",
            &[
                ("2024-01-02T09:00:00+07:00", "draf", "verifikasi"),
                ("2024-01-02T09:10:00+07:00", "verifikasi", "kelengkapan"),
            ],
        );
        let html = render(&b, "");
        assert!(html.contains("standar 20 mnt · 1 surat"), "{html}");
    }

    #[test]
    fn every_step_is_in_the_chart_and_in_the_monthly_charts() {
        let b = board(BUILTIN, "Undangan rapat");
        let html = render(&b, "");
        let (bars, months) = html.split_once("Perkembangan per bulan").unwrap();
        let bars = &bars[bars.find("<svg class=\"grafik\"").unwrap()..bars.find("</svg>").unwrap()];
        for s in b.ctx.wf.steps.iter().filter(|s| !s.kind.is_terminal()) {
            assert!(bars.contains(&format!("<g data-step=\"{}\"><text", s.id)), "{} not in the chart", s.id);
            assert!(bars.contains(&format!(">{}</text>", s.name)), "{} not named in the chart", s.id);
            let panel = format!(
                "<svg class=\"tren\" role=\"img\" viewBox=\"0 0 380 150\" width=\"380\" height=\"150\" font-family=\"Liberation Sans, Arial, sans-serif\" font-size=\"10\" data-step=\"{}\">",
                s.id
            );
            assert!(months.contains(&panel), "{} has no monthly chart", s.id);
        }
        assert!(!bars.contains("data-step=\"arsip\""));
    }

    #[test]
    fn hostile_step_names_and_subjects_come_out_escaped() {
        let evil = "<script>alert(1)</script>\"><svg onload=x>";
        let yaml = BUILTIN.replace("name: Verifikasi Ketua Tim", &format!("name: '{evil}'"));
        let b = board(&yaml, evil);
        for html in [render(&b, ""), crate::web::pages::alur::page(&b.ctx).unwrap().into_string()] {
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;svg onload=x&gt;"), "{html}");
            assert!(!has_raw_injection(&html), "{html}");
        }
    }
}
