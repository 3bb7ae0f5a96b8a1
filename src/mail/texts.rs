//! The emails as people read them, one golden file per kind
//! (`tests/golden/email-*.txt`): each rendered from the shipped workflow
//! with fixed values, compared with the committed text (any change is a
//! visible diff; `SURATD_BLESS=1` writes them), and read for words of the
//! log and the code (`util::golden::assert_for_people`). Tests only.

use crate::letter::metadata::{Metadata, Party};
use crate::mail::alerts::Alert;
use crate::mail::compose::{self, Email, Event, Fill, Settings};
use crate::mail::reminders;
use crate::store::db::LetterRow;
use crate::util::golden;
use crate::workflow::Workflow;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

const SHARE: &str = "\\\\server\\SuratKeluar";
const ADMINS: &[&str] = &["admin@bps.go.id"];

/// The shipped workflow with an office's people, each with an address.
fn office() -> Workflow {
    let people = "people:
  - { login: rhidayat, name: Rahmat Hidayat, email: rahmat.hidayat@bps.go.id, roles: [anggota_tim], team: ipds }
  - { login: bsantoso, name: Budi Santoso, email: budi.santoso@bps.go.id, roles: [ketua_tim], team: ipds }
  - { login: lmarlina, name: Lina Marlina, email: lina.marlina@bps.go.id, roles: [sekretaris] }
  - { login: wrizal, name: Dr. Win Rizal, email: win.rizal@bps.go.id, roles: [kepala] }
  - { login: dlestari, name: Dewi Lestari, email: dewi.lestari@bps.go.id, roles: [bagian_umum] }";
    let yaml = crate::workflow::BUILTIN
        .replace("people: []", people)
        .replace("teams:\n  - id: umum\n", "teams:\n  - id: ipds\n    name: Tim IPDS\n  - id: umum\n");
    Workflow::from_text("test", &yaml).unwrap().0
}

/// The ids and logins no text may show: role, step and team ids that are
/// not also words of the texts (`verifikasi`, `kepala`, `umum` are: the
/// golden files show where they stand), and the people's logins.
fn ids(wf: &Workflow) -> Vec<String> {
    let mut ids: Vec<String> = wf.roles.iter().map(|r| r.id.clone()).collect();
    ids.extend(wf.steps.iter().map(|s| s.id.clone()));
    ids.extend(wf.teams.iter().map(|t| t.id.clone()));
    ids.retain(|i| i.contains('_') || i == "ipds");
    ids.extend(wf.people.iter().map(|p| p.login.clone()));
    ids
}

/// The email as its reader sees it: recipients, subject, body.
fn shown(m: &Email) -> String {
    let to: Vec<String> = m.to.iter().map(|r| format!("{} <{}>", r.name, r.email)).collect();
    format!("To: {}\nSubject: {}\n\n{}", to.join(", "), m.subject, m.body)
}

/// Compares `m` with its golden file and reads it for log words and ids.
fn check(name: &str, m: &Email) {
    let wf = office();
    let ids = ids(&wf);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let text = shown(m);
    // Admins know the program: its name may stand in their emails.
    let read = format!("{}\n{}", m.subject, m.body);
    let read = if m.kind == "admin" { read.replace("suratd", "") } else { read };
    golden::assert_for_people(name, &read, &ids);
    golden::check(&format!("email-{name}.txt"), &text);
}

fn meta() -> Metadata {
    Metadata {
        perihal: "Undangan Rapat Koordinasi".into(),
        sifat: "B".into(),
        klasifikasi: "KP.650".into(),
        tanggal: None,
        tujuan: vec![
            Party { nama: "Kepala BPS Kabupaten Kaur".into(), email: Some("kaur@bps.go.id".into()) },
            Party { nama: "Dinas Kominfo Provinsi Bengkulu".into(), email: None },
        ],
        tembusan: vec![Party { nama: "Arsip".into(), email: None }],
        lampiran: None,
        warnings: vec![],
    }
}

fn event<'a>(meta: &'a Metadata, (action, from, to): (&'a str, &'a str, &'a str), actor: &'a str) -> Event<'a> {
    // Where the letter's file is once it reached `to`.
    let path = match to {
        "draf" => "01-draf/revisi/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
        "verifikasi" => "02-verifikasi/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
        "ajukan_tte" => "04-ajukan-tte/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
        "menunggu_tte" => "05-menunggu-tte/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
        "sudah_tte" => "06-sudah-tte/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
        _ => "07-distribusi/SK-2026-0012 Undangan Rapat Koordinasi.pdf",
    };
    Event {
        letter_id: "SK-2026-0012",
        number: Some("B-012/17000/KP.650/2026"),
        perihal: "Undangan Rapat Koordinasi",
        drafter: Some("rhidayat"),
        meta: Some(meta),
        from,
        to,
        action,
        path,
        note: None,
        actor,
        signed: None,
        due: Some("Senin, 30 November 2026 pukul 10.15 WIB".into()),
    }
}

fn set() -> Settings<'static> {
    static ADMIN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let admins = ADMIN.get_or_init(|| ADMINS.iter().map(|a| a.to_string()).collect());
    Settings { share_path: SHARE, max_attachment: 10_000_000, admins }
}

fn one(out: Vec<Email>, kind: &str) -> Email {
    out.into_iter().find(|m| m.kind == kind).unwrap_or_else(|| panic!("no {kind} email"))
}

#[test]
fn registered_and_arrived_at_each_kind_of_step() {
    let (wf, meta) = (office(), meta());
    let out = compose::compose(&wf, &set(), &event(&meta, ("register", "draf", "verifikasi"), "rhidayat"));
    check("registered", &one(out.clone(), "registered"));
    check("arrived-review", &one(out, "arrived"));
    let steps = [
        ("kelengkapan", "ajukan_tte", "arrived-waiting"),
        ("ajukan_tte", "menunggu_tte", "arrived-signature"),
        ("menunggu_tte", "sudah_tte", "arrived-signed-drop"),
    ];
    for (from, to, name) in steps {
        let out = compose::compose(&wf, &set(), &event(&meta, ("setuju", from, to), "role:sekretaris"));
        check(name, &one(out, "arrived"));
    }
}

#[test]
fn step_9_the_dispatch_and_the_arrival_at_distribution() {
    let (wf, meta) = (office(), meta());
    let mut ev = event(&meta, ("signed", "sudah_tte", "distribusi"), "lmarlina");
    ev.signed = Some(("ab", 50_000, "SK-2026-0012 Undangan Rapat Koordinasi.pdf"));
    let out = compose::compose(&wf, &set(), &ev);
    check("arrived-dispatch", &one(out.clone(), "arrived"));
    check("dispatch", &one(out, "dispatch"));
}

#[test]
fn returned_by_a_reviewer_and_by_the_system_and_a_late_note() {
    let (wf, meta) = (office(), meta());
    let mut ev = event(&meta, ("revisi", "verifikasi", "draf"), "bsantoso");
    ev.note = Some("Tanggal rapat belum sesuai undangan Kepala.");
    check("returned", &one(compose::compose(&wf, &set(), &ev), "returned"));
    let mut ev = event(&meta, ("number_missing", "draf", "draf"), "rhidayat");
    ev.note = Some("Nomor surat B-012/17000/KP.650/2026 belum tercantum di dalam surat.");
    check("returned-by-system", &one(compose::compose(&wf, &set(), &ev), "returned"));
    let letter = letter("draf", "2026-11-30T02:00:00.000Z");
    let note = compose::LateNote {
        from_step: "verifikasi",
        author: "bsantoso",
        text: "Lampiran daftar peserta belum ada.",
        path: "01-draf/revisi/SK-2026-0012 catatan putaran 1 (Ketua Tim).txt",
    };
    check("note", &compose::late_note(&wf, SHARE, &letter, &note).unwrap());
}

#[test]
fn rejected_and_admin_alerts() {
    let wf = office();
    let alasan = "Berkas ini bukan berkas PDF (dokumen teks).";
    let m = compose::rejected(&wf, &set(), "rhidayat", "Undangan.txt", "_ditolak/Undangan.txt", alasan, None);
    check("rejected", &m.unwrap());
    let detail = "Server email tidak dapat dihubungi: 3 email menunggu lebih dari 30m (kesalahan terakhir: connection refused). Email tetap tersimpan dan dikirim ulang.";
    let admins: Vec<String> = ADMINS.iter().map(|a| a.to_string()).collect();
    check("admin", &compose::admin_alert(&wf, &admins, Alert::MailUnreachable, detail, &Fill::default()).unwrap());
    let about = Fill::default()
        .letter("SK-2026-0012", Some("B-012/17000/KP.650/2026"), "Undangan Rapat Koordinasi", Some("B"))
        .set("lokasi", compose::on_share(SHARE, "02-verifikasi/SK-2026-0012 Undangan Rapat Koordinasi.pdf"));
    let detail = "Budi Santoso (Ketua Tim) tidak berwenang memindahkan surat ini; berkas dikembalikan.";
    check("admin-letter", &compose::admin_alert(&wf, &admins, Alert::Unauthorized, detail, &about).unwrap());
}

fn letter(step: &str, since: &str) -> LetterRow {
    LetterRow {
        id: "SK-2026-0012".into(),
        year: 2026,
        seq: 12,
        number: Some("B-012/17000/KP.650/2026".into()),
        subject: "Undangan Rapat Koordinasi".into(),
        drafter: Some("rhidayat".into()),
        state: "active".into(),
        step: step.into(),
        path: Some("02-verifikasi/SK-2026-0012 Undangan Rapat Koordinasi.pdf".into()),
        sha256: "x".into(),
        size: 1,
        mtime_ns: 1,
        created_at: since.into(),
        step_since: since.into(),
        sifat: Some("B".into()),
        klasifikasi: Some("KP.650".into()),
        tanggal: None,
        metadata: Some(serde_json::to_string(&meta()).unwrap()),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn reminder_escalation_and_digest() {
    let wf = office();
    // At verification since Monday 30 November 2026, 09:00 WIB (due 09:20).
    let l = vec![letter("verifikasi", "2026-11-30T02:00:00.000Z")];
    let due = reminders::plan(&wf, SHARE, &l, &HashSet::new(), at("2026-11-30T11:00:00+07:00"));
    let of = |kind: &str| due.iter().find(|d| d.email.kind == kind).map(|d| d.email.clone()).unwrap();
    check("reminder", &of("reminder"));
    check("escalation", &of("escalation"));
    check("digest", &of("digest"));
}
