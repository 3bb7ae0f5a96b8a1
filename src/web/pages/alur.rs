//! *Alur* (`/alur`): the workflow in use drawn as SVG (steps in SOP order
//! with their role, SOP step numbers, standard time and folder; arrows for
//! `next` and for each outcome, labelled; the archive and cancel steps).
//! So an admin sees an edit before and after saving it: when workflow.yaml
//! on disk differs from the one in use, its version is drawn too, under a
//! heading saying it is not in use yet, or its errors are listed when it
//! does not pass the checks (read with the same size limit as at start).

use super::chart::{arrowhead, standar};
use crate::web::{Ctx, layout};
use crate::workflow::{Step, StepKind, Workflow};
use maud::{Markup, html};

pub(crate) fn page(ctx: &Ctx) -> anyhow::Result<Markup> {
    let in_use = drawing(&ctx.wf, "panah-dipakai");
    let body = html! {
        h1 { "Alur Surat" }
        p.kecil { "Alur yang sedang dipakai suratd, dari " code { (ctx.wf.source) } ". Panah bertulisan adalah subfolder keputusan; panah tanpa tulisan adalah langkah berikutnya." }
        (in_use)
        (on_disk(ctx))
    };
    Ok(layout::page(ctx, "Alur", "/alur", false, body))
}

/// The workflow file on disk, when it is not the one drawn above: its
/// drawing, or why it cannot be used.
fn on_disk(ctx: &Ctx) -> Markup {
    let Some(path) = ctx.cfg.workflow.as_deref() else { return html! {} };
    match Workflow::load(Some(path)) {
        Err(diags) => html! {
            h2.galat { "Perubahan workflow.yaml belum dapat dipakai" }
            p { "Berkas " code { (path.display()) } " tidak lolos pemeriksaan, jadi suratd tetap memakai alur di atas. Perbaiki kesalahan berikut lalu simpan lagi:" }
            ul.galat-daftar { @for d in &diags.0 { li { code { (d) } } } }
        },
        Ok((file_wf, _)) => {
            let drawn = drawing(&file_wf, "panah-berkas");
            if drawn.0 == drawing(&ctx.wf, "panah-berkas").0 {
                return html! {};
            }
            html! {
                h2 { "Versi di disk, belum dipakai" }
                p { "Berkas " code { (path.display()) } " berbeda dari alur yang dipakai. suratd memakainya setelah memuat ulang (otomatis saat berkas disimpan, atau saat suratd dijalankan ulang)." }
                (drawn)
            }
        }
    }
}

// The drawing's geometry (SVG user units).
const BOX_W: f64 = 430.0;
const BOX_H: f64 = 86.0;
const GAP: f64 = 48.0;
const TOP: f64 = 12.0;
/// Room beside a box for an arrow's label, and between two lanes.
const LABEL_ROOM: f64 = 74.0;
const LANE: f64 = 22.0;

/// An arrow from step `from` to step `to` (indexes in SOP order).
struct Arrow {
    from: usize,
    to: usize,
    label: Option<String>,
}

fn arrows(wf: &Workflow) -> Vec<Arrow> {
    let at = |id: &str| wf.steps.iter().position(|s| s.id == id);
    let mut out = Vec::new();
    for (i, s) in wf.steps.iter().enumerate() {
        if let Some(to) = s.next.as_deref().and_then(at) {
            out.push(Arrow { from: i, to, label: None });
        }
        for o in &s.outcomes {
            if let Some(to) = at(&o.to) {
                out.push(Arrow { from: i, to, label: Some(o.name.clone()) });
            }
        }
    }
    out
}

/// Where each arrow runs: straight down to the step just below, or along
/// a lane on the right (forward) or the left (back).
enum Route {
    Down(usize),
    Right(usize),
    Left(usize),
}

fn routes(arrows: &[Arrow]) -> (Vec<Route>, usize, usize) {
    let (mut right, mut left) = (0, 0);
    let mut down = std::collections::BTreeMap::<usize, usize>::new();
    let r = arrows
        .iter()
        .map(|a| {
            if a.to == a.from + 1 {
                let k = down.entry(a.from).or_default();
                *k += 1;
                Route::Down(*k - 1)
            } else if a.to > a.from {
                right += 1;
                Route::Right(right - 1)
            } else {
                left += 1;
                Route::Left(left - 1)
            }
        })
        .collect();
    (r, left, right)
}

/// The workflow as SVG; `marker` names the arrowhead (one per drawing on
/// a page).
fn drawing(wf: &Workflow, marker: &'static str) -> Markup {
    let arrows = arrows(wf);
    let (routes, left, right) = routes(&arrows);
    let bx = 10.0 + LABEL_ROOM + LANE * left as f64;
    let width = bx + BOX_W + LABEL_ROOM + LANE * right as f64 + 10.0;
    let height = TOP + (BOX_H + GAP) * wf.steps.len() as f64;
    let top = |i: usize| TOP + (BOX_H + GAP) * i as f64;
    let (mut out_slot, mut in_slot) = (vec![0usize; wf.steps.len()], vec![0usize; wf.steps.len()]);
    let marker_end = format!("url(#{marker})");
    html! {
        svg.alur role="img" viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) font-family="Liberation Sans, Arial, sans-serif" font-size="12" {
            title { "Alur surat keluar: langkah, peran, waktu standar dan keputusan" }
            (arrowhead(marker))
            @for (i, s) in wf.steps.iter().enumerate() { (step_box(wf, s, bx, top(i))) }
            @for (a, route) in arrows.iter().zip(&routes) {
                @let (d, label, anchor) = match route {
                    Route::Down(k) => {
                        let x = bx + BOX_W / 2.0 + 110.0 * *k as f64;
                        (format!("M{x},{} V{}", top(a.from) + BOX_H, top(a.to) - 2.0), (x + 6.0, top(a.from) + BOX_H + GAP / 2.0 + 4.0), "start")
                    }
                    Route::Right(k) | Route::Left(k) => {
                        let on_right = matches!(route, Route::Right(_));
                        let edge = if on_right { bx + BOX_W } else { bx };
                        let lane = if on_right { edge + LABEL_ROOM + LANE * *k as f64 } else { edge - LABEL_ROOM - LANE * *k as f64 };
                        let sy = top(a.from) + 16.0 + 16.0 * next_slot(&mut out_slot, a.from) as f64;
                        let ey = top(a.to) + BOX_H - 10.0 - 14.0 * next_slot(&mut in_slot, a.to) as f64;
                        let lx = if on_right { edge + 5.0 } else { edge - 5.0 };
                        (format!("M{edge},{sy} H{lane} V{ey} H{}", edge + if on_right { 2.0 } else { -2.0 }), (lx, sy - 4.0), if on_right { "start" } else { "end" })
                    }
                };
                g.panah data-from=(wf.steps[a.from].id) data-to=(wf.steps[a.to].id) {
                    path d=(d) fill="none" stroke="#1c2430" stroke-width="1.5" marker-end=(marker_end) {}
                    @if let Some(l) = &a.label {
                        text x=(label.0) y=(label.1) text-anchor=(anchor) font-style="italic" { (l) }
                    }
                }
            }
        }
    }
}

fn next_slot(slots: &mut [usize], i: usize) -> usize {
    slots[i] += 1;
    (slots[i] - 1).min(3)
}

/// One step's box: name, role, SOP step numbers, standard time, folder,
/// and what happens there.
fn step_box(wf: &Workflow, s: &Step, x: f64, y: f64) -> Markup {
    let role = s.role.as_deref().map(|r| wf.roles.iter().find(|x| x.id == r).map(|x| x.name.as_str()).unwrap_or(r));
    let sop = s.sop.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    let end = s.kind.is_terminal();
    html! {
        g.langkah data-step=(s.id) {
            rect x=(x) y=(y) width=(BOX_W) height=(BOX_H) rx="6" fill=(if end { "#f4f6f9" } else { "#ffffff" }) stroke="#0b4f8a" stroke-width="1.5" stroke-dasharray=(if end { "6 4" } else { "none" }) {}
            text x=(x + 10.0) y=(y + 20.0) font-size="14" font-weight="bold" { (s.name) }
            text x=(x + 10.0) y=(y + 38.0) {
                "Peran: " (role.unwrap_or("-"))
                @if !sop.is_empty() { " · SOP langkah " (sop) }
            }
            text x=(x + 10.0) y=(y + 55.0) {
                @if !end { "Waktu standar: " (standar(s.time)) " · " }
                "Folder: " (s.folder) "/"
            }
            text x=(x + 10.0) y=(y + 72.0) fill="#5b6472" { (what_happens(wf, s)) }
        }
    }
}

fn what_happens(wf: &Workflow, s: &Step) -> String {
    let outcomes = s.outcomes.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let decided = |verb: &str| format!("{verb} subfolder: {outcomes}");
    match s.kind {
        StepKind::Drop => match &s.returns {
            Some(r) => format!("Draf baru diletakkan di sini; yang dikembalikan menunggu di {}/{r}/", s.folder),
            None => "Draf baru diletakkan di sini".into(),
        },
        StepKind::Review => decided("Diputuskan dengan memindah ke"),
        StepKind::Waiting if outcomes.is_empty() => "Menunggu; dipindah ke langkah berikutnya".into(),
        StepKind::Waiting => decided("Menunggu; atau dipindah ke"),
        StepKind::SignedDrop => {
            let who = wf.signers_of(s).iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
            format!("PDF ber-TTE diletakkan di sini; penanda tangan: {}", if who.is_empty() { "-" } else { &who })
        }
        StepKind::Dispatch => decided("Dikirim; dicatat dengan memindah ke"),
        StepKind::Archive => "Akhir alur: surat selesai, diarsipkan per tahun".into(),
        StepKind::Cancel => "Dari langkah mana pun: surat dipindah ke sini, nomornya tetap terpakai".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::pages::chart::testing::Board;
    use crate::workflow::BUILTIN;

    fn render(b: &Board) -> String {
        page(&b.ctx).unwrap().into_string()
    }

    #[test]
    fn every_step_is_drawn_with_its_arrows_and_labelled_outcomes() {
        let b = Board::new(BUILTIN, "2026-06-30T08:00:00Z");
        let html = render(&b);
        for s in &b.ctx.wf.steps {
            assert!(html.contains(&format!("<g class=\"langkah\" data-step=\"{}\">", s.id)), "{}", s.id);
            assert!(html.contains(&format!(">{}</text>", s.name)), "{}", s.name);
        }
        // A labelled outcome forward, one back to the drafter, a plain `next`.
        for (from, to, label) in [
            ("verifikasi", "kelengkapan", Some("setuju")),
            ("verifikasi", "draf", Some("revisi")),
            ("distribusi", "arsip", Some("terkirim")),
            ("ajukan_tte", "menunggu_tte", None),
        ] {
            let g = format!("<g class=\"panah\" data-from=\"{from}\" data-to=\"{to}\">");
            let arrow = html.split(&g).nth(1).unwrap_or_else(|| panic!("no arrow {from} → {to}"));
            let arrow = &arrow[..arrow.find("</g>").unwrap()];
            match label {
                Some(l) => assert!(arrow.contains(&format!(">{l}</text>")), "{arrow}"),
                None => assert!(!arrow.contains("<text"), "{arrow}"),
            }
        }
        assert!(html.contains("Peran: Ketua Tim · SOP langkah 4"), "{html}");
        assert!(html.contains("Waktu standar: 3 j 15 mnt · Folder: 07-distribusi/"), "{html}");
        assert!(html.contains("yang dikembalikan menunggu di 01-draf/revisi/"), "{html}");
        assert!(html.contains("Dari langkah mana pun"), "{html}");
        // The file on disk is the one in use: drawn once.
        assert_eq!(html.matches("<svg class=\"alur\"").count(), 1);
    }

    #[test]
    fn a_workflow_file_that_fails_its_checks_shows_its_errors_by_line() {
        let b = Board::new(BUILTIN, "2026-06-30T08:00:00Z");
        let broken = BUILTIN.replace("next: verifikasi\n", "next: verifikasii\n");
        let line = broken.lines().position(|l| l.contains("next: verifikasii")).unwrap() + 1;
        std::fs::write(b.workflow_file(), &broken).unwrap();
        let html = render(&b);
        assert!(html.contains("Perubahan workflow.yaml belum dapat dipakai"), "{html}");
        let where_ = format!("{}:{line}:", b.workflow_file().display());
        assert!(html.contains(&where_), "no {where_} in {html}");
        assert_eq!(html.matches("<svg class=\"alur\"").count(), 1);
    }

    #[test]
    fn a_valid_edited_file_is_drawn_as_not_in_use_yet() {
        let b = Board::new(BUILTIN, "2026-06-30T08:00:00Z");
        let step = "  - id: paraf\n    name: Paraf Kepala Subbagian\n    sop: [5]\n    folder: 03a-paraf\n    kind: review\n    role: sekretaris\n    time: 15m\n    outcomes:\n      setuju: ajukan_tte\n      revisi: draf\n\n  - id: ajukan_tte\n";
        let edited = BUILTIN
            .replacen("      setuju: ajukan_tte\n", "      setuju: paraf\n", 1)
            .replace("  - id: ajukan_tte\n", step);
        std::fs::write(b.workflow_file(), edited).unwrap();
        let html = render(&b);
        let (in_use, on_disk) = html.split_once("Versi di disk, belum dipakai").expect("the edit is drawn");
        assert!(!in_use.contains("Paraf Kepala Subbagian"));
        assert!(on_disk.contains("<g class=\"langkah\" data-step=\"paraf\">"), "{on_disk}");
        assert!(on_disk.contains("<g class=\"panah\" data-from=\"kelengkapan\" data-to=\"paraf\">"), "{on_disk}");
    }
}
