//! `keterangan.txt`, the record in a letter's archive folder, in plain
//! Indonesian from `templates.keterangan`: the letter's particulars, each
//! step with who took it (name and role) and when, the signer named in the
//! certificate, each dispatch with its method and receiver, and the
//! versions kept. No step ids, role ids or codes. Pure.

use super::people;
use crate::letter::metadata::{self, Party};
use crate::store::db::{DispatchLine, LetterRow, TransitionRec};
use crate::util::timefmt;
use crate::workflow::Workflow;
use crate::workflow::templates::render;

/// One version kept in the archive folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Its path in the archive folder (`versi/01-draf-1a2b3c4d.pdf`), or `-`
    /// for a version kept only on the server (a sidecar).
    pub file: String,
    /// `original`, `stamped`, `signing`, `signed` or `sidecar`.
    pub kind: String,
    /// When it was stored (stored UTC time).
    pub at: String,
    pub sha256: String,
}

/// What the record tells about a letter.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub letter: &'a LetterRow,
    /// The trail, oldest first, the archiving step included.
    pub trail: &'a [TransitionRec],
    /// Who signed, as their certificates name them.
    pub signers: &'a [String],
    pub dispatches: &'a [DispatchLine],
    pub versions: &'a [Version],
}

fn moment(stored: &str) -> String {
    timefmt::parse_stored(stored).map(timefmt::moment_id).unwrap_or_else(|| "-".into())
}

fn or_dash(s: String) -> String {
    if s.trim().is_empty() { "-".into() } else { s }
}

fn names(ps: &[Party]) -> String {
    or_dash(ps.iter().map(|p| p.nama.as_str()).collect::<Vec<_>>().join("; "))
}

/// The record's text.
pub fn render_text(wf: &Workflow, f: &Facts) -> String {
    let t = &wf.keterangan;
    let l = f.letter;
    let meta = l.meta();
    let team = l.drafter.as_deref().and_then(|d| wf.person(d)).and_then(|p| p.team.clone());
    let drafter_role = wf.entry().role.clone();
    let tanggal = l.tanggal.as_deref().and_then(|d| d.parse().ok()).map(timefmt::date_id);
    let text = render(
        &t.text,
        &[
            ("kantor", &wf.office.name),
            ("surat", &l.id),
            ("nomor", l.number.as_deref().unwrap_or("-")),
            ("tanggal", &tanggal.unwrap_or_else(|| "-".into())),
            ("perihal", &l.subject),
            ("sifat", l.sifat.as_deref().map(metadata::sifat_name).unwrap_or("-")),
            ("klasifikasi", l.klasifikasi.as_deref().unwrap_or("-")),
            ("tujuan", &meta.as_ref().map(|m| names(&m.tujuan)).unwrap_or_else(|| "-".into())),
            ("tembusan", &meta.as_ref().map(|m| names(&m.tembusan)).unwrap_or_else(|| "-".into())),
            ("lampiran", &or_dash(meta.as_ref().and_then(|m| m.lampiran.clone()).unwrap_or_default())),
            (
                "pembuat",
                &l.drafter
                    .as_deref()
                    .map(|d| people::display(wf, d, drafter_role.as_deref()))
                    .unwrap_or_else(|| "-".into()),
            ),
            ("penandatangan", &or_dash(f.signers.join("; "))),
            ("riwayat", &steps(wf, f.trail, team.as_deref())),
            ("pengiriman", &dispatches(wf, f)),
            ("versi", &versions(wf, f.versions)),
        ],
    );
    plain(text.trim_end()) + "\n"
}

/// Every character an editor may break a line at (Notepad breaks at a
/// carriage return alone; others at the Unicode separators).
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A note's lines, split at every kind of line break (a line of its own is
/// always indented under "Catatan:", never at the margin where suratd's
/// lines start), blank ones left out.
fn note_lines(note: &str) -> Vec<&str> {
    note.split(is_break).map(str::trim_end).filter(|l| !l.trim().is_empty()).collect()
}

/// The record with `\n` as its only line break and no other control
/// character: text from notes, sidecars and certificates cannot start a
/// line of its own.
fn plain(text: &str) -> String {
    text.chars().map(|c| if c != '\n' && (c.is_control() || is_break(c)) { ' ' } else { c }).collect()
}

/// What a transition did, as people read it (`templates.keterangan.actions`
/// by `step.action` or `action`, else "Ke tahap <step>").
pub fn action_label(wf: &Workflow, tr: &TransitionRec) -> String {
    let from = tr.from_step.as_deref().unwrap_or("");
    let to_name = tr.to_step.as_deref().and_then(|s| wf.step(s)).map(|s| s.name.as_str()).unwrap_or("-");
    let t = &wf.keterangan;
    t.actions
        .get(&format!("{from}.{}", tr.action))
        .or_else(|| t.actions.get(&tr.action))
        .cloned()
        .unwrap_or_else(|| format!("Ke tahap {to_name}"))
}

/// One line per step of the trail.
fn steps(wf: &Workflow, trail: &[TransitionRec], team: Option<&str>) -> String {
    let t = &wf.keterangan;
    let lines: Vec<String> = trail
        .iter()
        .enumerate()
        .map(|(i, tr)| {
            let from_step = wf.step(tr.from_step.as_deref().unwrap_or(""));
            let action = action_label(wf, tr);
            let role = from_step.and_then(|s| s.role.as_deref());
            let oleh = people::display_in_team(wf, &tr.actor, role, team);
            // Only a reviewer's words are a note for people; the system's
            // returns say why in their action, and other notes (signature
            // checks, dispatch notes, the trail's English) are told
            // elsewhere in the record or not at all.
            let note = match tr.note.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() && ["revisi", "note"].contains(&tr.action.as_str()) => {
                    render(&t.note, &[("isi", &note_lines(n).join("\n            "))])
                }
                _ => String::new(),
            };
            let no = (i + 1).to_string();
            render(
                &t.step,
                &[("no", &no), ("waktu", &moment(&tr.at)), ("tindakan", &action), ("oleh", &oleh), ("catatan", &note)],
            )
        })
        .collect();
    or_dash(lines.join("\n"))
}

/// One line per dispatch, addressed as the expedition book shows it.
fn dispatches(wf: &Workflow, f: &Facts) -> String {
    let t = &wf.keterangan;
    let emailed = super::ekspedisi::emailed(f.dispatches);
    let lines: Vec<String> = f
        .dispatches
        .iter()
        .filter_map(|d| Some((d, super::ekspedisi::line(wf, d, &emailed)?)))
        .map(|(d, line)| {
            let cara = t.methods.get(&d.method).cloned().unwrap_or_else(|| d.method.clone());
            let receiver = line.note.strip_prefix("diterima:").map(str::trim);
            let penerima = receiver.map(|r| render(&t.receiver, &[("nama", r)])).unwrap_or_default();
            render(
                &t.dispatch,
                &[
                    ("waktu", &moment(&d.at)),
                    ("cara", &cara),
                    ("tujuan", &or_dash(line.addressee)),
                    ("penerima", &penerima),
                    ("oleh", &or_dash(line.sent_by)),
                ],
            )
        })
        .collect();
    or_dash(lines.join("\n"))
}

fn versions(wf: &Workflow, versions: &[Version]) -> String {
    let t = &wf.keterangan;
    let lines: Vec<String> = versions
        .iter()
        .map(|v| {
            let kind = t.kinds.get(&v.kind).cloned().unwrap_or_else(|| v.kind.clone());
            render(
                &t.version,
                &[("berkas", &v.file), ("jenis", &kind), ("waktu", &moment(&v.at)), ("sha256", &v.sha256)],
            )
        })
        .collect();
    or_dash(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(at: &str, from: &str, to: &str, action: &str, actor: &str, note: Option<&str>) -> TransitionRec {
        TransitionRec {
            letter_id: "SK-2026-0012".into(),
            at: at.into(),
            from_step: Some(from.into()),
            to_step: Some(to.into()),
            action: action.into(),
            actor: actor.into(),
            actor_verified: !actor.starts_with("role:"),
            sha256: None,
            path: None,
            note: note.map(str::to_string),
            approved_sha256: None,
        }
    }

    fn dispatch(at: &str, method: &str, recipients: &str, by: &str, note: &str) -> DispatchLine {
        DispatchLine {
            at: at.into(),
            letter_id: "SK-2026-0012".into(),
            number: Some("B-012/17000/KP.650/2026".into()),
            subject: String::new(),
            metadata: Some(META.into()),
            method: method.into(),
            recipients: recipients.into(),
            sent_by: Some(by.into()),
            note: Some(note.into()),
        }
    }

    const META: &str = r#"{"perihal":"Undangan Rapat Koordinasi Persiapan Sensus Ekonomi 2026","sifat":"B",
        "klasifikasi":"KP.650","tanggal":"2026-06-02",
        "tujuan":[{"nama":"Kepala BPS Kabupaten Kaur","email":"kaur@bps.go.id"},{"nama":"Kepala Dinas Kominfo Provinsi Bengkulu"}],
        "tembusan":[{"nama":"Sekretaris Utama BPS"}],"lampiran":null}"#;

    /// A letter walked through every step of the shipped workflow: sent back
    /// once with a note, signed, emailed to one addressee and taken by
    /// courier to the other.
    fn walked() -> (LetterRow, Vec<TransitionRec>, Vec<DispatchLine>, Vec<Version>) {
        let letter = LetterRow {
            id: "SK-2026-0012".into(),
            year: 2026,
            seq: 12,
            number: Some("B-012/17000/KP.650/2026".into()),
            subject: "Undangan Rapat Koordinasi Persiapan Sensus Ekonomi 2026".into(),
            drafter: Some("rahmat".into()),
            state: "finished".into(),
            step: "arsip".into(),
            path: None,
            sha256: "f".repeat(64),
            size: 1,
            mtime_ns: 0,
            created_at: "2026-06-02T01:05:00.000Z".into(),
            step_since: "2026-06-03T07:40:00.000Z".into(),
            sifat: Some("B".into()),
            klasifikasi: Some("KP.650".into()),
            tanggal: Some("2026-06-02".into()),
            metadata: Some(META.into()),
        };
        let signature = "signed by Kepala BPS Provinsi Bengkulu (intact, trusted)";
        let trail = vec![
            step("2026-06-02T01:05:00.000Z", "draf", "verifikasi", "register", "rahmat", None),
            step(
                "2026-06-02T01:30:00.000Z",
                "verifikasi",
                "draf",
                "revisi",
                "role:ketua_tim",
                Some("Tanggal rapat salah.\nLampiran belum ada."),
            ),
            step("2026-06-02T02:10:00.000Z", "draf", "verifikasi", "resubmit", "rahmat", None),
            step("2026-06-02T02:25:00.000Z", "verifikasi", "kelengkapan", "setuju", "role:ketua_tim", None),
            step("2026-06-02T03:00:00.000Z", "kelengkapan", "ajukan_tte", "setuju", "lina", None),
            step("2026-06-02T03:08:00.000Z", "ajukan_tte", "menunggu_tte", "forward", "role:sekretaris", None),
            step("2026-06-02T06:50:00.000Z", "menunggu_tte", "distribusi", "signed", "lina", Some(signature)),
            step(
                "2026-06-03T07:40:00.000Z",
                "distribusi",
                "arsip",
                "terkirim",
                "role:bagian_umum",
                Some("metode: kurir\npenerima: Pak Amir"),
            ),
        ];
        let dispatches = vec![
            dispatch(
                "2026-06-02T07:00:00.000Z",
                "email",
                "kaur@bps.go.id",
                "suratd@localhost",
                "<SK-2026-0012.9@suratd>",
            ),
            dispatch(
                "2026-06-03T07:40:00.000Z",
                "kurir",
                "Kepala BPS Kabupaten Kaur; Kepala Dinas Kominfo Provinsi Bengkulu",
                "role:bagian_umum",
                "diterima: Pak Amir",
            ),
        ];
        let versions = [
            ("original", "draf", "01:05"),
            ("stamped", "draf-bercap", "01:05"),
            ("original", "draf", "02:10"),
            ("signing", "untuk-tte", "03:00"),
            ("signed", "sudah-tte", "06:50"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (kind, word, at))| Version {
            file: format!("versi/{:02}-{word}-{:08x}.pdf", i + 1, 0x1a2b3c4d + i),
            kind: kind.to_string(),
            at: format!("2026-06-02T{at}:00.000Z"),
            sha256: format!("{:064x}", 0x1a2b3c4d + i),
        })
        .collect();
        (letter, trail, dispatches, versions)
    }

    #[test]
    fn the_archive_record_of_a_letter_through_every_step_reads_as_the_golden_file() {
        let wf = super::super::people::office_workflow();
        let (letter, trail, dispatches, versions) = walked();
        let signers = ["Dr. Win Rizal".to_string()];
        let facts =
            Facts { letter: &letter, trail: &trail, signers: &signers, dispatches: &dispatches, versions: &versions };
        let text = render_text(&wf, &facts);
        crate::util::golden::check("keterangan.txt", &text);
        let ids: Vec<&str> = wf
            .roles
            .iter()
            .map(|r| r.id.as_str())
            .chain(wf.steps.iter().map(|s| s.id.as_str()))
            .filter(|id| id.contains('_'))
            .collect();
        crate::util::golden::assert_for_people("keterangan.txt", &text, &ids);
        // What people must not read: internal codes, ids and English.
        for bad in [
            "role:",
            "->",
            "ketua_tim",
            "bagian_umum",
            "suratd@localhost",
            "signed by",
            "intact",
            "Sifat           : B\n",
            "menunggu_tte",
            "<SK-",
        ] {
            assert!(!text.contains(bad), "{bad:?} in\n{text}");
        }
    }
}
