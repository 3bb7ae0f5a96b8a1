//! *Surat* (`/surat/{id}`): one letter's trail (time, step, what was done,
//! by whom and whether that was verified, the note, SHA-256), its versions
//! (each downloadable), its signature checks and its emails. `/surat`
//! searches by id, number or subject.

use super::{moment, person_name};
use crate::records::{keterangan, people};
use crate::store::db::LetterRow;
use crate::web::{Ctx, access, layout};
use maud::{Markup, html};

/// What a version kind is called on the page.
fn kind_name(kind: &str) -> &str {
    match kind {
        "original" => "Draf",
        "source" => "Dokumen Word/ODT",
        "stamped" => "Draf bercap",
        "signing" => "Untuk TTE",
        "signed" => "Sudah TTE",
        "edit" => "Suntingan pemeriksa",
        "comments" => "Komentar pemeriksa",
        other => other,
    }
}

fn step_name<'a>(ctx: &'a Ctx, id: Option<&'a str>) -> &'a str {
    id.map(|s| ctx.wf.step(s).map(|x| x.name.as_str()).unwrap_or(s)).unwrap_or("-")
}

fn parties(ps: &[crate::letter::metadata::Party]) -> String {
    ps.iter().map(|p| p.nama.as_str()).collect::<Vec<_>>().join("; ")
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn trail(ctx: &Ctx, l: &LetterRow, open: bool) -> anyhow::Result<Markup> {
    let team = access::team_of(&ctx.wf, l);
    let rows = ctx.db.history(&l.id)?;
    Ok(html! {
        h2 { "Riwayat" }
        table {
            thead { tr { th { "Waktu" } th { "Dari" } th { "Ke" } th { "Tindakan" } th { "Oleh" } th { "Catatan" } th { "SHA-256" } } }
            tbody {
                @for t in &rows {
                    @let role = t.from_step.as_deref().and_then(|s| ctx.wf.step(s)).and_then(|s| s.role.as_deref());
                    tr data-step=(t.to_step.as_deref().unwrap_or("")) {
                        td.waktu { (moment(&t.at)) }
                        td.tahap { (step_name(ctx, t.from_step.as_deref())) }
                        td.tahap { (step_name(ctx, t.to_step.as_deref())) }
                        td { (keterangan::action_label(&ctx.wf, t)) }
                        td { (people::display_in_team(&ctx.wf, &t.actor, role, team))
                            br; @if t.actor_verified { span.ok.kecil { "terverifikasi" } }
                            @else { span.kecil { "tidak terverifikasi" } } }
                        td.catatan { @if open { (t.note.as_deref().unwrap_or("")) } @else { "-" } }
                        td.sha title=(t.sha256.as_deref().unwrap_or("")) { (short(t.sha256.as_deref().unwrap_or("-"))) }
                    }
                }
            }
        }
    })
}

fn versions(ctx: &Ctx, l: &LetterRow, open: bool) -> anyhow::Result<Markup> {
    let rows = ctx.db.versions_of(&l.id)?;
    Ok(html! {
        h2 { "Versi berkas" }
        table {
            thead { tr { th { "Ditambahkan" } th { "Jenis" } th { "SHA-256" } th { "Unduh" } } }
            tbody {
                @for (sha, kind, at) in &rows {
                    tr {
                        td { (moment(at)) }
                        td { (kind_name(kind)) }
                        td.sha { (sha) }
                        td { @if open { a href={ "/surat/" (l.id) "/versi/" (sha) } { "unduh" } } @else { "(Rahasia)" } }
                    }
                }
            }
        }
    })
}

fn signatures(ctx: &Ctx, l: &LetterRow) -> anyhow::Result<Markup> {
    let rows = ctx.db.signatures_of(&l.id)?;
    Ok(html! {
        h2 { "Pemeriksaan tanda tangan elektronik" }
        @if rows.is_empty() { p.kecil { "Belum ada berkas bertanda tangan." } }
        @else {
            table {
                thead { tr { th { "Diperiksa" } th { "Penanda tangan" } th { "Utuh" } th { "Tepercaya" } th { "Masalah" } th { "SHA-256" } } }
                tbody {
                    @for s in &rows {
                        tr {
                            td { (moment(&s.checked_at)) }
                            td { (s.signer) }
                            td { @if s.intact { span.ok { "ya" } } @else { span.tidak { "tidak" } } }
                            td { @match s.trusted { Some(true) => span.ok { "ya" }, Some(false) => span.tidak { "tidak" }, None => "tidak diperiksa (tanpa trust anchor)" } }
                            td { (s.problem.as_deref().unwrap_or("-")) }
                            td.sha title=(s.sha256) { (short(&s.sha256)) }
                        }
                    }
                }
            }
        }
    })
}

fn emails(ctx: &Ctx, l: &LetterRow, open: bool) -> anyhow::Result<Markup> {
    let rows = ctx.db.emails_of(&l.id)?;
    let state = |s: &str| {
        match s {
            "sent" => "terkirim",
            "pending" => "menunggu",
            "failed" => "gagal",
            "refused" => "ditolak server",
            other => other,
        }
        .to_string()
    };
    Ok(html! {
        h2 { "Email" }
        @if rows.is_empty() { p.kecil { "Belum ada email." } }
        @else {
            table {
                thead { tr { th { "Dibuat" } th { "Subjek" } th { "Kepada" } th { "Status" } } }
                tbody {
                    @for e in &rows {
                        tr {
                            td { (moment(&e.created_at)) }
                            td { @if open { (e.subject) } @else { "(Rahasia)" } }
                            td { @for r in &e.recipients { div { (r.name) " <" (r.email) "> " span.kecil { (state(&r.state)) } } } }
                            td { (state(&e.state)) @if let Some(err) = &e.last_error { br; span.kecil { (err) } } }
                        }
                    }
                }
            }
        }
    })
}

/// The letter page; `None` when no letter has this id.
pub(crate) fn page(ctx: &Ctx, id: &str) -> anyhow::Result<Option<Markup>> {
    let Some(l) = ctx.db.letter(id)? else { return Ok(None) };
    let open = access::sees(&ctx.wf, &ctx.viewer, &l);
    let meta = l.meta().filter(|_| open);
    let body = html! {
        h1 { (l.number.as_deref().unwrap_or(&l.id)) " · " (access::subject(&ctx.wf, &ctx.viewer, &l)) }
        table {
            tr { th { "Kode surat" } td { (l.id) } }
            tr { th { "Nomor" } td { (l.number.as_deref().unwrap_or("(belum bernomor)")) } }
            tr { th { "Tahap sekarang" } td data-step=(l.step) { (step_name(ctx, Some(&l.step))) " sejak " (moment(&l.step_since)) } }
            tr { th { "Penyusun" } td { (person_name(ctx, l.drafter.as_deref())) } }
            tr { th { "Sifat" } td { (l.sifat.as_deref().map(crate::letter::metadata::sifat_name).unwrap_or("-")) } }
            tr { th { "Klasifikasi" } td { (l.klasifikasi.as_deref().unwrap_or("-")) } }
            @if let Some(m) = &meta {
                tr { th { "Tujuan" } td { (parties(&m.tujuan)) } }
                @if !m.tembusan.is_empty() { tr { th { "Tembusan" } td { (parties(&m.tembusan)) } } }
            }
        }
        (trail(ctx, &l, open)?)
        (versions(ctx, &l, open)?)
        (signatures(ctx, &l)?)
        (emails(ctx, &l, open)?)
    };
    let title = if open { l.number.clone().unwrap_or_else(|| l.id.clone()) } else { l.id.clone() };
    Ok(Some(layout::page(ctx, &title, "", true, body)))
}

/// `/surat?q=…`: find letters by id, number or subject (a Rahasia subject
/// matches only for those who may see it).
pub(crate) fn search(ctx: &Ctx, q: &str) -> anyhow::Result<Markup> {
    let q = q.trim();
    let found: Vec<LetterRow> = if q.is_empty() {
        Vec::new()
    } else {
        let rows = ctx.db.search_letters(q, 200)?;
        let by_id = |l: &LetterRow| {
            l.id.to_lowercase().contains(&q.to_lowercase())
                || l.number.as_deref().is_some_and(|n| n.to_lowercase().contains(&q.to_lowercase()))
        };
        rows.into_iter().filter(|l| by_id(l) || access::sees(&ctx.wf, &ctx.viewer, l)).collect()
    };
    let body = html! {
        h1 { "Cari surat" }
        form.saring method="get" action="/surat" {
            label { "Kode, nomor atau perihal" input type="search" name="q" value=(q) autofocus; }
            button type="submit" { "Cari" }
        }
        @if !q.is_empty() {
            p.kecil { (found.len()) " surat ditemukan." }
            table {
                thead { tr { th { "Kode" } th { "Nomor" } th { "Perihal" } th { "Tahap" } } }
                tbody { @for l in &found { tr {
                    td { a href={ "/surat/" (l.id) } { (l.id) } }
                    td { (l.number.as_deref().unwrap_or("-")) }
                    td { (access::subject(&ctx.wf, &ctx.viewer, l)) }
                    td { (step_name(ctx, Some(&l.step))) }
                } } }
            }
        }
    };
    Ok(layout::page(ctx, "Cari surat", "/surat", false, body))
}
