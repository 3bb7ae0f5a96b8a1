//! End to end: the real daemon moves letters through SOP-024, in event and
//! in polling mode. Assertions read the folders, the SQLite file and, for
//! who is told, a real SMTP server.

mod common;
use common::smtp::{Received, Smtp};
use common::*;
use std::time::Duration;

fn full_path(mode: &str) {
    let env = env(mode);
    let _d = env.start();
    let draft = pdf("Undangan Rapat Koordinasi");
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &draft);

    // Registered, renamed with its id, and sent to the team leader.
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    assert_eq!(id, format!("SK-{}-0001", year()));
    assert_eq!(name, format!("{id} Undangan Rapat.pdf"));
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(number, format!("B-001/17000/KP.650/{}", year()));
    assert!(env.emptied("01-draf"));
    // The review copy is the draft with a stamp added (the draft's bytes
    // stay its prefix): number and state, readable as text.
    let in02 = env.p(&format!("02-verifikasi/{name}"));
    assert!(base(&in02) == draft, "the draft is the stamped copy's base");
    let t = text(&in02);
    assert!(t.contains(&format!("DRAF - {number} - didaftarkan")), "{t}");
    // The version is in the store beside the database.
    let sha = sha256(&draft);
    assert!(env.dir.path().join("data/store").join(&sha[..2]).join(&sha).is_file());

    // The drafter puts the number into the letter and drops the corrected
    // PDF back (the id at the start of its name): it takes the place of the
    // copy under review.
    let corrected = pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi"));
    env.drop_file(&format!("01-draf/{id} dengan nomor.pdf"), &corrected);
    let here = env.p(&format!("02-verifikasi/{name}"));
    assert!(
        // The copy under review is replaced first and the drop taken away
        // after it: wait for both.
        wait_until(std::time::Duration::from_secs(10), || {
            here.is_file() && base(&here) == corrected && env.files("01-draf").is_empty()
        }),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    assert_eq!(env.files("02-verifikasi"), std::slice::from_ref(&name));

    // Ketua Tim approves; Sekretaris approves.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    // The copy for the e-signature portal is clean: no stamp, only an
    // invisible key for matching.
    let in04 = env.p(&format!("04-ajukan-tte/{name}"));
    assert!(base(&in04) == corrected);
    assert!(!text(&in04).contains("DRAF"), "{}", text(&in04));
    assert_eq!(
        suratd::pdf::stamp::read_key(&std::fs::read(&in04).unwrap(), "SuratdLetter").as_deref(),
        Some(id.as_str())
    );
    // Submitted to the portal; the secretary moves it on by hand.
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    wait_until(std::time::Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte");
    assert_eq!(env.letter(&id).0, "menunggu_tte");

    // The signed PDF comes back from the portal and is dropped in 06.
    // (A file signed with pyHanko; its name carries the letter's id.)
    let signed = signed_fixture("signed.pdf");
    env.drop_file(&format!("06-sudah-tte/{id} signed.pdf"), &signed);
    let in07 = env.wait_file("07-distribusi", &id);
    let signer: String =
        env.conn().query_row("SELECT signer FROM signatures WHERE letter_id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(signer, "Kepala BPS Provinsi Bengkulu");
    assert!(
        std::fs::read(env.p(&format!("07-distribusi/{in07}"))).unwrap() == signed,
        "a signed file is never rewritten"
    );
    // The unsigned copy left in 05 was superseded (its bytes are in the store).
    assert!(env.files("05-menunggu-tte").is_empty(), "{:?}", env.files("05-menunggu-tte"));
    assert!(env.files("06-sudah-tte").is_empty());

    // Bagian Umum dispatches it by courier (a note says how): archived by year.
    std::fs::write(env.p("07-distribusi/terkirim/kirim.txt"), "metode: kurir\npenerima: Pak Amir\n").unwrap();
    env.mv(&format!("07-distribusi/{in07}"), "07-distribusi/terkirim");
    // Its own folder in the year's archive: the letter, every version, a note.
    let arsip = format!("arsip/{}/{}", year(), name.trim_end_matches(".pdf"));
    env.wait_file(&arsip, &name);
    assert!(wait_until(std::time::Duration::from_secs(5), || env.p(&format!("{arsip}/keterangan.txt")).is_file()));
    let (step, state, path) = env.letter(&id);
    assert_eq!((step.as_str(), state.as_str()), ("arsip", "finished"));
    assert_eq!(path.unwrap(), format!("{arsip}/{name}"));
    let note = std::fs::read_to_string(env.p(&format!("{arsip}/keterangan.txt"))).unwrap();
    assert!(note.contains(&format!("Nomor surat     : {number}")) && note.contains("surat diarsipkan"), "{note}");
    let versions = env.files(&format!("{arsip}/versi"));
    assert_eq!(versions.len(), 7, "{versions:?}");
    assert!(versions.iter().any(|v| v.contains("-sudah-tte-")) && versions.iter().any(|v| v.contains("-draf-")));
    assert_eq!(env.actions(&id), ["register", "replace", "setuju", "setuju", "forward", "signed", "terkirim"]);
    let kinds = |k: &str| env.count(&format!("SELECT COUNT(*) FROM versions WHERE kind = '{k}'"));
    assert_eq!(
        (kinds("original"), kinds("signing"), kinds("signed")),
        (2, 1, 1),
        "draft, corrected; for signing; signed"
    );
    assert_eq!(kinds("stamped"), 3, "registered, replaced, verified");
    assert_eq!(env.count("SELECT COUNT(*) FROM intents WHERE state != 'done'"), 0);
    // Nothing left anywhere else.
    let tree: Vec<String> = env.tree().into_iter().filter(|p| !p.starts_with("arsip/")).collect();
    assert!(tree.is_empty(), "{tree:?}");

    // `suratd verify`: the archived file is the signed version, intact.
    let archived = env.p(&format!("{arsip}/{name}"));
    let out = env.cli(&["verify", archived.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&id) && text.contains("(signed)") && text.contains("matches:   yes"), "{text}");
    assert!(text.contains("signed by Kepala BPS Provinsi Bengkulu (intact"), "{text}");
    // A copy with one byte changed is not what was recorded, and its signature breaks.
    let mut changed = std::fs::read(&archived).unwrap();
    let at = changed.windows(8).position(|w| w == b"Undangan").unwrap();
    changed[at] = b'u';
    let copy = env.dir.path().join(format!("{id} salinan.pdf"));
    std::fs::write(&copy, &changed).unwrap();
    let out = env.cli(&["verify", copy.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("matches:   NO") && text.contains("does NOT hold"), "{text}");

    // Retention: KP letters are kept 5 years before review; nothing is due yet.
    let out = env.cli(&["report", "retensi"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No letter is due"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    env.conn().execute("UPDATE letters SET step_since = '2019-01-01T00:00:00.000Z' WHERE id = ?1", [&id]).unwrap();
    let out = env.cli(&["report", "retensi", "--csv"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains(&format!("{id};{number};")) && text.contains("2024-01-01"), "{text}");
    assert!(env.p(&format!("{arsip}/{name}")).is_file(), "nothing is deleted");

    // The expedition book: one line, by courier, as CSV and as a printable PDF.
    let book = env.dir.path().join("ekspedisi.pdf");
    let out = env.cli(&["ekspedisi", "--csv", "--pdf", book.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout[3..]).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "No.;Tanggal;Nomor Surat;Perihal;Tujuan;Cara Kirim;Pengirim;Keterangan");
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(&number) && lines[1].contains(";kurir;Bagian Umum;diterima: Pak Amir"), "{}", lines[1]);
    let pdftext = std::process::Command::new("pdftotext").args(["-layout"]).arg(&book).arg("-").output();
    if let Ok(o) = pdftext {
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains("Tanda Tangan Penerima") && t.contains(&number) && t.contains("Buku Ekspedisi"), "{t}");
        let png = env.dir.path().join("ekspedisi");
        let r =
            std::process::Command::new("pdftoppm").args(["-r", "30", "-png"]).arg(&book).arg(&png).status().unwrap();
        assert!(r.success(), "the book renders");
    }

    // The SLA report counts one stay at each step the letter went through.
    let out = env.cli(&["report", "sla", "--csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout[3..]).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Langkah;Nama;Standar (menit);Jumlah;Median (menit);P90 (menit);Sesuai standar (%)");
    let verif = lines.iter().find(|l| l.starts_with("verifikasi;")).unwrap();
    assert!(verif.starts_with("verifikasi;Verifikasi Ketua Tim;20;1;"), "{verif}");
    assert!(lines.iter().any(|l| l.starts_with("distribusi;Pengiriman Surat;195;1;")), "{text}");

    // The audit trail through the CLI, as JSON.
    let out = env.cli(&["history", &id, "--json"]);
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0]["action"], "register");
    assert_eq!(rows[2]["from"], "verifikasi");
    assert_eq!(rows[2]["to"], "kelengkapan");
    assert_eq!(rows[2]["actor"], "role:ketua_tim");
    assert_eq!(rows[2]["actor_verified"], false);
    assert_eq!(rows[0]["actor_verified"], true);
    assert_eq!(rows[1]["actor_verified"], true, "a new file names its owner");
    assert_eq!(rows[5]["sha256"], sha256(&signed));
    assert!(rows[0]["time"].as_str().unwrap().ends_with("+07:00"));
}

#[test]
fn full_path_with_file_events() {
    full_path("events");
}

#[test]
fn full_path_with_polling() {
    full_path("poll");
}

#[test]
fn revisi_with_file_events() {
    revisi_path("events");
}

#[test]
fn revisi_with_polling() {
    revisi_path("poll");
}

/// Sent back with a note, corrected by the drafter, sent back again: each
/// round's note has its own name (round, reviewer), and the first leaves
/// the returns folder with the corrected letter.
fn revisi_path(mode: &str) {
    let env = env(mode);
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();

    // The team leader sends it back with a note (dropped after the PDF).
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Perbaiki tanggal surat.").unwrap();
    env.wait_file("01-draf/revisi", &format!("{id} Surat Tugas.pdf"));
    let note = env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (Ketua Tim).txt"));
    assert!(wait_until(std::time::Duration::from_secs(5), || note.is_file()));
    assert_eq!(std::fs::read_to_string(&note).unwrap(), "Perbaiki tanggal surat.");
    assert!(env.files("02-verifikasi/revisi").is_empty());
    let stored_note: String = env
        .conn()
        .query_row("SELECT note FROM transitions WHERE letter_id = ?1 AND action = 'revisi'", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(stored_note, "Perbaiki tanggal surat.");
    assert_eq!(env.letter(&id).0, "draf");

    // The drafter drops the corrected PDF (the id in its name) into 01-draf.
    let corrected = pdf("Surat Tugas - tanggal diperbaiki");
    env.drop_file(&format!("01-draf/{id} Surat Tugas v2.pdf"), &corrected);
    let back = env.wait_file("02-verifikasi", &id);
    assert_eq!(back, format!("{id} Surat Tugas.pdf"), "same letter, same name");
    assert!(base(&env.p(&format!("02-verifikasi/{back}"))) == corrected);
    // The returned copy was superseded; the same letter has two versions.
    assert!(wait_until(std::time::Duration::from_secs(5), || !env
        .files("01-draf/revisi")
        .iter()
        .any(|f| f.ends_with(".pdf"))));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM versions WHERE kind = 'original'"), 2, "draft and correction");
    assert_eq!(env.actions(&id), ["register", "revisi", "resubmit"]);

    // Sent back a second time by the secretary, after the team leader's approval.
    env.mv(&format!("02-verifikasi/{back}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    std::fs::write(env.p(&format!("03-kelengkapan/revisi/{id} Surat Tugas.txt")), "Lampiran kurang.").unwrap();
    env.mv(&format!("03-kelengkapan/{back}"), "03-kelengkapan/revisi");
    env.wait_file("01-draf/revisi", &format!("{id} Surat Tugas.pdf"));
    let second = env.p(&format!("01-draf/revisi/{id} catatan putaran 2 (Sekretaris).txt"));
    assert!(wait_until(std::time::Duration::from_secs(5), || second.is_file()), "{:?}", env.tree());
    assert_eq!(std::fs::read_to_string(&second).unwrap(), "Lampiran kurang.");
    // Only the current round's note is in the folder (the first is kept for the archive).
    let txts: Vec<String> = env.files("01-draf/revisi").into_iter().filter(|f| f.ends_with(".txt")).collect();
    assert_eq!(txts, [format!("{id} catatan putaran 2 (Sekretaris).txt")]);
    let kept: Vec<String> = env
        .conn()
        .prepare("SELECT name FROM companions WHERE letter_id = ?1")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kept, [format!("{id} catatan putaran 1 (Ketua Tim).txt")]);
    assert_eq!(env.letter(&id).0, "draf");
    assert_eq!(env.actions(&id), ["register", "revisi", "resubmit", "setuju", "revisi"]);
}

#[test]
fn status_lists_letters_in_flight_as_json() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/HM.340 Nota Dinas.pdf", &pdf("Nota Dinas"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let out = env.cli(&["status", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &rows.as_array().unwrap()[0];
    assert_eq!(r["id"], name[..12].to_string());
    assert_eq!(r["step"], "verifikasi");
    assert_eq!(r["subject"], "Nota Dinas");
    assert_eq!(r["path"], format!("02-verifikasi/{name}"));
    assert_eq!(r["number"], format!("B-001/17000/HM.340/{}", year()));
    // Verification has a standard time of 20 minutes in office hours.
    let since = chrono::DateTime::parse_from_rfc3339(r["since"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(r["due"].as_str().unwrap()).unwrap();
    assert!(due - since >= chrono::Duration::minutes(20), "{since} -> {due}");
    assert!(r["due"].as_str().unwrap().ends_with("+07:00"));
    assert!(r["overdue"].is_boolean());
    assert!(r["since"].as_str().unwrap().ends_with("+07:00"));
    // The plain table names it too; an unknown letter is a finding (exit 1).
    let out = env.cli(&["status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&name[..12]));
    let out = env.cli(&["history", "SK-1999-0001"]);
    assert_eq!(out.status.code(), Some(1));
}

fn mails_to(smtp: &Smtp, addr: &str) -> Vec<Received> {
    smtp.received().into_iter().filter(|m| m.rcpt.iter().any(|r| r == addr)).collect()
}

/// Approvals cannot be skipped: a corrected draft dropped after the team
/// leader approved sends the letter back to verification as a new version;
/// the approved copy leaves 03-kelengkapan (its bytes stay in the store) and
/// the team leader is told as at any arrival. The addressees are part of
/// what is approved: shown to the reviewers, changed only with a corrected
/// draft (its sidecar), so a change after an approval goes back too.
#[test]
fn a_corrected_draft_after_an_approval_goes_back_to_the_first_review() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    std::fs::write(env.p("01-draf/KP.650 Surat Tugas.yaml"), "tujuan:\n  - Kepala BPS Kabupaten Kaur\n").unwrap();
    env.drop_file("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    assert!(wait_until(Duration::from_secs(15), || mails_to(&smtp, "kt@bps.go.id").len() == 1));
    let first = mails_to(&smtp, "kt@bps.go.id").pop().unwrap();
    assert!(first.text().contains("Tujuan         : Kepala BPS Kabupaten Kaur\n"), "{}", first.text());
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "kelengkapan"));
    let approved = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();

    let corrected = pdf("Surat Tugas - isi diubah setelah disetujui");
    let sidecar = "tujuan:\n  - nama: Kepala BPS Kabupaten Kaur\n    email: kaur@bps.go.id\ntembusan:\n  - Arsip\n";
    std::fs::write(env.p(&format!("01-draf/{id} Surat Tugas v2.yaml")), sidecar).unwrap();
    env.drop_file(&format!("01-draf/{id} Surat Tugas v2.pdf"), &corrected);
    assert!(
        wait_until(Duration::from_secs(10), || env.letter(&id).0 == "verifikasi"),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let here = env.p(&format!("02-verifikasi/{name}"));
    assert!(base(&here) == corrected, "the new version is under review");
    assert!(text(&here).contains("diperbaiki"), "{}", text(&here));
    assert!(env.files("03-kelengkapan").is_empty(), "{:?}", env.tree());
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
    // The approved copy's bytes stay in the store, as a version of the letter.
    let sha = sha256(&approved);
    assert!(env.dir.path().join("data/store").join(&sha[..2]).join(&sha).is_file());
    assert_eq!(env.count(&format!("SELECT COUNT(*) FROM versions WHERE sha256 = '{sha}' AND letter_id = '{id}'")), 1);
    assert_eq!(env.actions(&id), ["register", "setuju", "resubmit"]);
    let (from, actor): (String, String) = env
        .conn()
        .query_row("SELECT from_step, actor FROM transitions WHERE action = 'resubmit'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((from.as_str(), actor.as_str()), ("kelengkapan", me().as_str()));
    // The new addressees are the letter's; the sidecar left the share.
    let meta: String = env.conn().query_row("SELECT metadata FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert!(meta.contains("kaur@bps.go.id") && meta.contains("Arsip"), "{meta}");

    // The team leader is told again, by the same email as any arrival.
    assert!(wait_until(Duration::from_secs(15), || mails_to(&smtp, "kt@bps.go.id").len() == 2));
    let told = mails_to(&smtp, "kt@bps.go.id").pop().unwrap();
    // (The harness unfolds long headers without their space: compare without.)
    let subject = told.header("Subject").unwrap().replace(' ', "");
    assert!(subject.starts_with("[SuratKeluar]VerifikasiKetuaTim:SuratTugas-B-"), "{subject}");
    assert!(told.text().contains("Diteruskan oleh: Dewi Drafter (Anggota Tim)\n"), "{}", told.text());
    assert!(told.text().contains("\\02-verifikasi\\"), "{}", told.text());
    assert!(told.text().contains("Tujuan         : Kepala BPS Kabupaten Kaur <kaur@bps.go.id>"), "{}", told.text());
    assert!(
        told.text().contains("Tembusan       : Arsip") && told.text().contains("diubah oleh penyusun"),
        "{}",
        told.text()
    );

    // Its approval is needed again before completeness is checked.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    assert_eq!(env.actions(&id), ["register", "setuju", "resubmit", "setuju"]);
}

/// Only the drafter may send a corrected version: another person's (a
/// drafter too, with the right to write 01-draf) is refused, logged as a
/// security event, and the copy under review stays.
#[test]
fn a_corrected_draft_from_someone_who_is_not_the_drafter_is_refused() {
    needs_root("to give a file another owner");
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    nobody_is(&env, "name: Budi Lain, email: budi@bps.go.id, roles: [anggota_tim], team: umum");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.settled();
    let under_review = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();

    let tmp = env.dir.path().join("oleh-budi.pdf");
    std::fs::write(&tmp, pdf("Surat Tugas - diubah orang lain")).unwrap();
    std::os::unix::fs::chown(&tmp, Some(65534), None).unwrap();
    std::fs::rename(&tmp, env.p(&format!("01-draf/{id} diubah.pdf"))).unwrap();
    let reason = env.p(&format!("_ditolak/{id} diubah.pdf.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    let r = std::fs::read_to_string(&reason).unwrap();
    assert!(r.contains("penyusunnya") && r.contains("Dewi Drafter"), "{r}");
    // The reason file is written before the refusal is committed.
    assert!(wait_until(Duration::from_secs(5), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'not_drafter'")
        == 1));
    assert!(env.p(&format!("_ditolak/{id} diubah.pdf")).is_file());
    // Nothing changed for the letter.
    assert_eq!(env.letter(&id).0, "verifikasi");
    assert!(std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap() == under_review);
    assert_eq!(env.actions(&id), ["register"]);
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
    let log = env.log();
    let line = log.lines().find(|l| l.contains("not the letter's drafter")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("security") && line.contains(&id), "{line}");
    // The one who dropped it is told why.
    assert!(wait_until(Duration::from_secs(15), || !mails_to(&smtp, "budi@bps.go.id").is_empty()));
    let told = mails_to(&smtp, "budi@bps.go.id").pop().unwrap();
    assert!(told.header("Subject").unwrap().contains("tidak dapat diproses"), "{:?}", told.header("Subject"));

    // The drafter's own correction may change the addressees, not what the
    // number was made from: refused with its sidecar, explained.
    std::fs::write(env.p(&format!("01-draf/{id} v3.yaml")), "klasifikasi: HM.340\n").unwrap();
    env.drop_file(&format!("01-draf/{id} v3.pdf"), &pdf("Surat Tugas - klasifikasi lain"));
    let reason = env.p(&format!("_ditolak/{id} v3.pdf.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    let r = std::fs::read_to_string(&reason).unwrap();
    assert!(r.contains("klasifikasi tidak dapat diubah"), "{r}");
    assert!(env.p(&format!("_ditolak/{id} v3.yaml")).is_file(), "{:?}", env.tree());

    // The drafter's own correction still replaces the copy under review.
    let own = pdf("Surat Tugas - diperbaiki penyusun");
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &own);
    let here = env.p(&format!("02-verifikasi/{name}"));
    assert!(wait_until(Duration::from_secs(10), || here.is_file() && base(&here) == own), "{}", env.log());
    assert_eq!(env.actions(&id), ["register", "replace"]);

    // Sent back; the other person saves over the returned copy: refused,
    // and the letter's own copy is put back in its place.
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Perbaiki.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    let returned = format!("01-draf/revisi/{name}");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "draf" && env.p(&returned).is_file()));
    env.settled();
    let returned_bytes = std::fs::read(env.p(&returned)).unwrap();
    let tmp = env.dir.path().join("disimpan-budi.pdf");
    std::fs::write(&tmp, pdf("Surat Tugas - disimpan orang lain")).unwrap();
    std::os::unix::fs::chown(&tmp, Some(65534), None).unwrap();
    std::fs::rename(&tmp, env.p(&returned)).unwrap();
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'not_drafter'")
        == 2));
    env.settled();
    assert!(wait_until(Duration::from_secs(5), || std::fs::read(env.p(&returned)).ok() == Some(returned_bytes.clone())));
    assert_eq!(env.letter(&id).0, "draf");
    assert_eq!(env.actions(&id), ["register", "replace", "revisi"]);
}

/// A letter's file saved over in place past drafting (its owner is still
/// suratd's user: who did it is unknown) is refused: the edit is kept in
/// the rejected folder, the letter's own version put back, the letter stays.
#[test]
fn an_edit_saved_over_a_letter_in_review_is_refused_and_the_letter_put_back() {
    let env = env_with("events", "admins: [admin@bps.go.id]\n");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Nota.pdf", &pdf("Nota"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    let approved = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    let edited = pdf("Nota - diubah di tempat setelah disetujui");
    std::fs::write(env.p(&format!("03-kelengkapan/{name}")), &edited).unwrap();
    let reason = env.p(&format!("_ditolak/{name}.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert!(std::fs::read_to_string(&reason).unwrap().contains("disimpan langsung di tempatnya"));
    assert!(std::fs::read(env.p(&format!("_ditolak/{name}"))).unwrap() == edited, "the edit is kept");
    assert!(std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap() == approved, "put back");
    assert_eq!(env.letter(&id).0, "kelengkapan");
    assert_eq!(env.actions(&id), ["register", "setuju"]);
    let owner: String = env
        .conn()
        .query_row("SELECT owner FROM rejections WHERE reason_code = 'letter_overwritten'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(owner, "unknown");
    // A security event, and the admins are told.
    let log = env.log();
    let line = log.lines().find(|l| l.contains("changed in place past drafting")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("security") && line.contains(&id), "{line}");
    let admin: String = env.conn().query_row("SELECT body FROM outbox WHERE kind = 'admin'", [], |r| r.get(0)).unwrap();
    assert!(admin.contains(&id) && admin.contains("disimpan langsung di tempatnya"), "{admin}");
}

/// New bytes for a letter never take an approved letter's place: dropped
/// into a later step's folder they are refused (the letter keeps its file);
/// the letter's file changed and put into `setuju/` is refused too.
#[test]
fn changed_bytes_are_never_approved_nor_handed_on() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    let approved = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();

    env.drop_file(&format!("04-ajukan-tte/{id} Memo.pdf"), &pdf("Memo - isi lain"));
    let reason = env.p(&format!("_ditolak/{id} Memo.pdf.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'letter_elsewhere'"), 1);
    assert_eq!(env.letter(&id).0, "kelengkapan");
    assert!(std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap() == approved);
    assert!(env.files("04-ajukan-tte").is_empty(), "{:?}", env.tree());

    // Edited (still suratd's file), then moved into setuju: refused, and
    // the approved copy put back where it was.
    let edited = pdf("Memo - diubah lalu disetujui");
    std::fs::remove_file(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    env.drop_file(&format!("03-kelengkapan/setuju/{name}"), &edited);
    let refused = || env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'letter_overwritten'");
    assert!(wait_until(Duration::from_secs(10), || refused() == 1), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert_eq!(env.letter(&id).0, "kelengkapan");
    assert!(std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap() == approved);
    assert!(env.files("04-ajukan-tte").is_empty() && env.files("03-kelengkapan/setuju").is_empty());
    assert_eq!(env.actions(&id), ["register", "setuju"]);
}

/// What was signed is what was approved: a signed letter whose text differs
/// from the copy submitted for signing by one word is refused, the reason
/// quoting the line; nothing is distributed or emailed out. A file of the
/// same text signed anew is the letter, and a signed file for a letter no
/// longer waiting for its signature is refused, never put beside it.
#[test]
fn a_signed_letter_whose_text_differs_from_the_approved_copy_by_one_word() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    std::fs::write(env.p("01-draf/KP.650 Rapat.yaml"), "tujuan:\n  - nama: BPS Kaur\n    email: kaur@bps.go.id\n")
        .unwrap();
    env.drop_file("01-draf/KP.650 Rapat.pdf", &pdf("Rapat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    let approved = format!("Nomor: {number} Rapat koordinasi pada hari Senin");
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&approved));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    let mut reviewed = vec![];
    for (from, to) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.settled();
        reviewed.push(std::fs::read(env.p(&format!("{from}/{name}"))).unwrap());
        env.mv(&format!("{from}/{name}"), to);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    let waiting = format!("05-menunggu-tte/{name}");
    // Each approval records the version approved; the copy for signing is
    // the approved letter, clean.
    let approvals: Vec<Option<String>> = {
        let c = env.conn();
        let mut st = c.prepare("SELECT approved_sha256 FROM transitions WHERE action = 'setuju' ORDER BY id").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(approvals, reviewed.iter().map(|b| Some(sha256(b))).collect::<Vec<_>>());
    let history = env.cli(&["history", &id, "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    let approved_2 = rows.as_array().unwrap().iter().find(|r| r["action"] == "setuju").unwrap();
    assert_eq!(approved_2["approved_sha256"], sha256(&reviewed[0]));
    let copy = std::fs::read(env.p(&waiting)).unwrap();
    assert!(suratd::pdf::stamp::base_of(&copy) == suratd::pdf::stamp::base_of(&reviewed[1]));

    // One word changed, signed by the portal: refused, the line quoted.
    let changed = sign_like_a_portal(&pdf(&approved.replace("Senin", "Selasa")), "Kepala", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &changed);
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 1),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let (code, letter_id): (String, String) = env
        .conn()
        .query_row("SELECT reason_code, letter_id FROM rejections", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((code.as_str(), letter_id.as_str()), ("signed_text_differs", id.as_str()));
    let reason = std::fs::read_to_string(env.p(&format!("_ditolak/{id} ttd.pdf.alasan.txt"))).unwrap();
    assert!(reason.contains(&format!("\"{approved}\"")), "{reason}");
    assert!(reason.contains(&format!("\"{}\"", approved.replace("Senin", "Selasa"))), "{reason}");
    assert!(std::fs::read(env.p(&format!("_ditolak/{id} ttd.pdf"))).unwrap() == changed, "kept byte for byte");
    // The letter still waits for its signature; nothing was distributed.
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    assert!(env.p(&waiting).is_file());
    assert!(env.files("07-distribusi").is_empty(), "{:?}", env.tree());
    assert!(!env.actions(&id).contains(&"signed".to_string()));
    // The secretary who dropped it is told why; the addressee gets nothing.
    assert!(wait_until(Duration::from_secs(15), || {
        mails_to(&smtp, "drafter@bps.go.id")
            .iter()
            .any(|m| m.header("Subject").unwrap_or_default().contains("tidak dapat diproses"))
    }));
    assert!(mails_to(&smtp, "kaur@bps.go.id").is_empty());

    // The same text, signed anew (other bytes, no key): the signed letter.
    let genuine = sign_like_a_portal(&pdf(&approved), "Kepala", true);
    env.drop_file(&format!("06-sudah-tte/{id} ttd ulang.pdf"), &genuine);
    let in07 = env.wait_file("07-distribusi", &id);
    assert!(std::fs::read(env.p(&format!("07-distribusi/{in07}"))).unwrap() == genuine);
    assert!(env.actions(&id).contains(&"signed".to_string()));
    assert!(wait_until(Duration::from_secs(15), || !mails_to(&smtp, "kaur@bps.go.id").is_empty()));

    // Signed again once it is signed: refused, not put beside the letter.
    let again = sign_like_a_portal(&pdf(&approved), "Kepala", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd lagi.pdf"), &again);
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 2));
    let code: String = env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE original_path LIKE '%ttd lagi.pdf'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(code, "not_awaiting_signature");
    let reason = std::fs::read_to_string(env.p(&format!("_ditolak/{id} ttd lagi.pdf.alasan.txt"))).unwrap();
    assert!(reason.contains("tidak sedang menunggu tanda tangan") && reason.contains("Pengiriman Surat"), "{reason}");
    // Without the id in its name: found by the number in its text, refused the same way.
    env.drop_file("06-sudah-tte/hasil portal.pdf", &sign_like_a_portal(&pdf(&approved), "Kepala", false));
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 3));
    let (code, of): (String, String) = env
        .conn()
        .query_row(
            "SELECT reason_code, letter_id FROM rejections WHERE original_path = '06-sudah-tte/hasil portal.pdf'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((code.as_str(), of.as_str()), ("not_awaiting_signature", id.as_str()));
    env.settled();
    assert_eq!(env.files("07-distribusi"), [in07], "{:?}", env.tree());
    assert_eq!(env.actions(&id).iter().filter(|a| *a == "signed").count(), 1);
}

/// The copy for signing must be a version every review step approved: an
/// older version put into 03-kelengkapan/setuju/ in place of the one the
/// team leader approved last goes on, but its signed file is refused,
/// naming the step whose approval it lacks.
#[test]
fn a_copy_for_signing_that_a_review_step_did_not_approve_is_not_signed() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Rapat.pdf", &pdf("Rapat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number} Rapat hari Senin")));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    env.settled();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    let old = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    // A corrected version goes back to the team leader, who approves it.
    env.drop_file(&format!("01-draf/{id} v3.pdf"), &pdf(&format!("Nomor: {number} Rapat hari Selasa")));
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "verifikasi"));
    env.settled();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    // The old version, approved at 03 instead of the new one.
    std::fs::remove_file(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    env.drop_file(&format!("03-kelengkapan/setuju/{name}"), &old);
    env.wait_file("04-ajukan-tte", &id);
    env.settled();
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    let copy = std::fs::read(env.p(&format!("05-menunggu-tte/{name}"))).unwrap();
    assert!(text(&env.p(&format!("05-menunggu-tte/{name}"))).contains("Senin"), "the old version goes on");

    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&copy, "Kepala", false));
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 1),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let code: String = env.conn().query_row("SELECT reason_code FROM rejections", [], |r| r.get(0)).unwrap();
    assert_eq!(code, "copy_not_approved");
    let reason = std::fs::read_to_string(env.p(&format!("_ditolak/{id} ttd.pdf.alasan.txt"))).unwrap();
    assert!(reason.contains("Verifikasi Ketua Tim"), "{reason}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    assert!(env.files("07-distribusi").is_empty());
}
