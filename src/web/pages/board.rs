//! *Papan* (`/`): one column per step in SOP order, a card per letter in
//! flight (number, subject, drafter, since, due), overdue cards marked,
//! counts per column; filtered by team and by person.

use super::{moment, person_name};
use crate::records::report::due_of;
use crate::store::db::LetterRow;
use crate::web::{Ctx, access, layout};
use crate::workflow::StepKind;
use maud::{Markup, html};
use serde::Deserialize;

/// The board's filter (`?tim=…&orang=…`): empty means all.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    #[serde(default)]
    pub tim: String,
    #[serde(default)]
    pub orang: String,
}

/// Whether the letter waits on `login`: the holder of its step's role (of
/// its team, for a per-team role), or its drafter while it is back with them.
fn waits_on(ctx: &Ctx, l: &LetterRow, login: &str) -> bool {
    let wf = &ctx.wf;
    let Some(step) = wf.step(&l.step) else { return false };
    if step.kind == StepKind::Drop {
        return l.drafter.as_deref() == Some(login);
    }
    let (Some(role), Some(p)) = (step.role.as_deref(), wf.person(login)) else { return false };
    let per_team = wf.roles.iter().any(|r| r.id == role && r.per_team);
    p.roles.iter().any(|r| r == role) && (!per_team || p.team.as_deref() == access::team_of(wf, l))
}

fn matches(ctx: &Ctx, f: &Filter, l: &LetterRow) -> bool {
    let team_ok = f.tim.is_empty() || access::team_of(&ctx.wf, l) == Some(f.tim.as_str());
    let person_ok = f.orang.is_empty() || l.drafter.as_deref() == Some(f.orang.as_str()) || waits_on(ctx, l, &f.orang);
    team_ok && person_ok
}

/// The filter form: plain GET, works without a script.
fn filter_form(ctx: &Ctx, f: &Filter) -> Markup {
    html! {
        form.saring method="get" action="/" {
            label { "Tim"
                select name="tim" {
                    option value="" { "Semua tim" }
                    @for t in &ctx.wf.teams { option value=(t.id) selected[t.id == f.tim] { (t.name) } }
                }
            }
            label { "Orang"
                select name="orang" {
                    option value="" { "Semua orang" }
                    @for p in &ctx.wf.people { option value=(p.login) selected[p.login == f.orang] { (p.name) } }
                }
            }
            button type="submit" { "Saring" }
        }
    }
}

fn card(ctx: &Ctx, l: &LetterRow) -> Markup {
    let due = due_of(&ctx.wf, l);
    let late = due.is_some_and(|d| ctx.now > d);
    html! {
        a.kartu.terlambat[late] href={ "/surat/" (l.id) } data-letter=(l.id) {
            div.nomor { (l.number.as_deref().unwrap_or(&l.id)) }
            div.perihal { (access::subject(&ctx.wf, &ctx.viewer, l)) }
            div.rinci { "Penyusun: " (person_name(ctx, l.drafter.as_deref())) }
            div.rinci { "Sejak " (moment(&l.step_since)) }
            @if let Some(d) = due {
                div.rinci { "Batas " (crate::util::timefmt::moment_id(d))
                    @if late { " " span.tanda-terlambat { "TERLAMBAT" } } }
            }
        }
    }
}

/// The board page.
pub(crate) fn page(ctx: &Ctx, f: &Filter) -> anyhow::Result<Markup> {
    let letters: Vec<LetterRow> = ctx.db.in_flight()?.into_iter().filter(|l| matches(ctx, f, l)).collect();
    let steps: Vec<_> =
        ctx.wf.steps.iter().filter(|s| !matches!(s.kind, StepKind::Archive | StepKind::Cancel)).collect();
    let late = letters.iter().filter(|l| due_of(&ctx.wf, l).is_some_and(|d| ctx.now > d)).count();
    let body = html! {
        h1 { "Papan Surat Keluar" }
        p.kecil { (letters.len()) " surat dalam proses" @if late > 0 { ", " span.tanda-terlambat { (late) " terlambat" } } "." }
        (filter_form(ctx, f))
        div.papan {
            @for step in &steps {
                @let here: Vec<&LetterRow> = letters.iter().filter(|l| l.step == step.id).collect();
                section.kolom data-step=(step.id) {
                    h2 { span { (step.name) } span.jumlah title="jumlah surat" { (here.len()) } }
                    @for l in &here { (card(ctx, l)) }
                }
            }
        }
    };
    Ok(layout::page(ctx, "Papan", "/", true, body))
}
