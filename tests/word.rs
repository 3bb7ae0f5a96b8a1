//! Word and OpenDocument drafts through the real daemon and the real
//! LibreOffice (never skipped: `.ci/run` installs it): numbered, filled,
//! converted, reviewed as PDFs, their filled document beside the letter at
//! every step into the archive; held for their number without a place for
//! it; refused with their reason when hostile, when the converter is
//! missing (the admins told once) or fails; set aside when it hangs.

mod common;
use common::office::pdf_text;
use common::smtp::Smtp;
use common::*;
use std::time::Duration;

/// An entry of a zip (a `.docx`), as text.
fn entry(zip: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

/// The number `B-001/…` as the docx's XML writes it, and its text.
fn filled_with(docx: &[u8], number: &str) -> bool {
    let xml = entry(docx, "word/document.xml");
    xml.contains(number) && !xml.contains("nomor}}")
}

/// The Indonesian date of today (WIB), as `{{tanggal}}` is filled.
fn today_id() -> String {
    suratd::util::timefmt::date_id(suratd::util::timefmt::date_wib(chrono::Utc::now()))
}

/// Where the letter's document and PDF lie: both in `dir`, one base name.
fn pair_in(env: &Env, dir: &str, id: &str) -> (String, String) {
    let pdf = env.wait_file(dir, &format!("{id} Undangan Rapat.pdf"));
    let docx = pdf.replace(".pdf", ".docx");
    let at = env.p(&format!("{dir}/{docx}"));
    assert!(
        wait_until(Duration::from_secs(10), || at.is_file()),
        "no {docx} in {dir}: {:?}\n{}",
        env.tree(),
        env.log()
    );
    (format!("{dir}/{pdf}"), format!("{dir}/{docx}"))
}

#[test]
fn a_word_draft_is_numbered_filled_converted_and_its_document_goes_with_the_letter_into_the_archive() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.docx";
    env.drop_file(draft, &docx_fixture("split-runs.docx"));
    let (id, number) = registered_from(&env, draft);

    // Filled and converted: the number the reader sees is in the PDF's own
    // text (under the stamp), so it goes straight to review.
    let (pdf, docx) = pair_in(&env, "02-verifikasi", &id);
    let seen = pdf_text(&base(&env.p(&pdf)));
    assert!(seen.contains(&number) && seen.contains(&today_id()) && !seen.contains("{{"), "{seen}");
    assert!(filled_with(&std::fs::read(env.p(&docx)).unwrap(), &number));
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
    assert_eq!(env.actions(&id), ["register"]);

    // A revision in Word: a new version, filled again, converted, reviewed.
    env.drop_file(&format!("01-draf/{id} perbaikan.docx"), &docx_fixture("content-control.docx"));
    assert!(wait_until(Duration::from_secs(20), || env.actions(&id).len() == 2), "{}", env.log());
    assert_eq!(env.actions(&id), ["register", "replace"]);
    let (pdf, docx) = pair_in(&env, "02-verifikasi", &id);
    assert!(pdf_text(&base(&env.p(&pdf))).contains(&number));
    let beside = std::fs::read(env.p(&docx)).unwrap();
    assert!(entry(&beside, "word/document.xml").contains(&number) && beside != docx_fixture("split-runs.docx"));
    assert!(env.emptied("01-draf"), "{:?}", env.tree());

    // Approved twice (the first time the document is moved along with the
    // PDF, as Explorer users select both), submitted, signed, dispatched:
    // the document goes along, and is never taken for the letter.
    env.mv(&pdf, "02-verifikasi/setuju");
    env.mv(&docx, "02-verifikasi/setuju");
    let (pdf, _) = pair_in(&env, "03-kelengkapan", &id);
    assert!(env.emptied("02-verifikasi/setuju") && env.files("_ditolak").is_empty(), "{:?}", env.tree());
    env.mv(&pdf, "03-kelengkapan/setuju");
    let (pdf, _) = pair_in(&env, "04-ajukan-tte", &id);
    env.mv(&pdf, "05-menunggu-tte");
    let (pdf, _) = pair_in(&env, "05-menunggu-tte", &id);
    let signed = sign_like_a_portal(&std::fs::read(env.p(&pdf)).unwrap(), "Kepala", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let (pdf, _) = pair_in(&env, "07-distribusi", &id);
    std::fs::write(env.p("07-distribusi/terkirim/kirim.txt"), "kurir\n").unwrap();
    env.mv(&pdf, "07-distribusi/terkirim");
    let arsip = format!("arsip/{}/{id} Undangan Rapat", year());
    let (_, docx) = pair_in(&env, &arsip, &id);
    assert_eq!(env.letter(&id).1, "finished");
    assert!(std::fs::read(env.p(&docx)).unwrap() == beside, "the last filled document is archived");
    let tree: Vec<String> = env.tree().into_iter().filter(|p| !p.starts_with("arsip/")).collect();
    assert!(tree.is_empty(), "nothing left behind: {tree:?}");
    let keterangan = std::fs::read_to_string(env.p(&format!("{arsip}/keterangan.txt"))).unwrap();
    assert!(keterangan.contains("dokumen Word/ODT dari penyusun"), "{keterangan}");

    // `history` lists the versions: the PDFs and the filled documents.
    let out = env.cli(&["history", &id]);
    let history = said(&out);
    let kinds = |k: &str| history.lines().filter(|l| l.split_whitespace().nth(3) == Some(k)).count();
    assert_eq!((kinds("source"), kinds("original")), (2, 2), "{history}");
    // `verify` knows the document: which letter, which version.
    let out = env.cli(&["verify", env.p(&docx).to_str().unwrap()]);
    let said = said(&out);
    assert!(out.status.success() && said.contains(&id) && said.contains("(source)"), "{said}");
    env.assert_fsck_clean();
}

#[test]
fn a_word_draft_without_a_place_for_its_number_is_held_with_a_note_on_how_to_mark_one() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    let scratch = tempfile::tempdir().unwrap();
    let plain =
        common::office::saved_as(&common::office::fodt(&["Nomor : ", "Undangan Rapat"]), "docx", scratch.path());
    let draft = "01-draf/KP.650 Undangan Rapat.docx";
    env.drop_file(draft, &plain);
    let (id, number) = registered_from(&env, draft);
    env.settled();
    assert_eq!(env.actions(&id), ["number_missing"]);
    let (pdf, _) = pair_in(&env, "01-draf/revisi", &id);
    assert_eq!(env.letter(&id).2.unwrap(), pdf);
    let note = std::fs::read_to_string(env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (sistem).txt"))).unwrap();
    assert!(note.contains(&number) && note.contains("[nomor]") && note.contains("tidak memuat tempat nomor"), "{note}");
    assert!(env.files("02-verifikasi").is_empty(), "{:?}", env.tree());

    // Both moved back into 01-draf as they are: the PDF is the letter (held
    // again, still without its number), the document goes back beside it;
    // never is the document taken for the letter's file.
    let docx = pdf.replace(".pdf", ".docx");
    env.mv(&docx, "01-draf");
    env.mv(&pdf, "01-draf");
    let round2 = env.p(&format!("01-draf/revisi/{id} catatan putaran 2 (sistem).txt"));
    assert!(wait_until(Duration::from_secs(20), || round2.is_file()), "{:?}\n{}", env.tree(), env.log());
    let (pdf, _) = pair_in(&env, "01-draf/revisi", &id);
    assert!(pdf_text(&base(&env.p(&pdf))).contains("Undangan Rapat"));
    assert!(env.emptied("01-draf") && env.files("_ditolak").is_empty(), "{:?}", env.tree());

    // Corrected in Word with a place for the number: filled, converted, on
    // to review; nothing of the held rounds left in 01-draf/revisi.
    env.drop_file(&format!("01-draf/{id} perbaikan.docx"), &docx_fixture("split-runs.docx"));
    let (pdf, docx) = pair_in(&env, "02-verifikasi", &id);
    assert_eq!(env.actions(&id).last().unwrap(), "resubmit");
    assert!(pdf_text(&base(&env.p(&pdf))).contains(&number));
    assert!(filled_with(&std::fs::read(env.p(&docx)).unwrap(), &number));
    assert!(env.emptied("01-draf/revisi"), "{:?}", env.tree());
}

/// The reason a file dropped at `rel` was refused with, once it is.
fn refused(env: &Env, rel: &str) -> String {
    let q = "SELECT reason_code FROM rejections WHERE original_path = ?1";
    let found = || env.conn().query_row(q, [rel], |r| r.get::<_, String>(0)).ok();
    assert!(wait_until(Duration::from_secs(20), || found().is_some()), "{:?}\n{}", env.tree(), env.log());
    found().unwrap()
}

#[test]
fn a_macro_document_and_one_with_a_linked_picture_are_refused_with_their_reasons_and_get_no_number() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Makro.docm", &docx_fixture("macro.docm"));
    let scratch = tempfile::tempdir().unwrap();
    let linked = common::office::fodt_raw(&common::office::linked_image("http://127.0.0.1:9/logo.png"));
    env.drop_file("01-draf/KP.650 Gambar.odt", &common::office::saved_as(&linked, "odt", scratch.path()));
    assert_eq!(refused(&env, "01-draf/KP.650 Makro.docm"), "macro_document");
    assert_eq!(refused(&env, "01-draf/KP.650 Gambar.odt"), "external_reference");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert!(
        env.files("_ditolak").iter().any(|f| f.contains("Makro") && f.ends_with(".alasan.txt")),
        "{:?}",
        env.tree()
    );
}

#[test]
fn without_libreoffice_a_word_draft_is_refused_saying_so_and_the_admins_are_told_once() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "convert:\n  soffice: /nonexistent/soffice\n");
    let _d = env.start();
    for n in ["Satu", "Dua"] {
        env.drop_file(&format!("01-draf/KP.650 {n}.docx"), &docx_fixture("split-runs.docx"));
        assert_eq!(refused(&env, &format!("01-draf/KP.650 {n}.docx")), "conversion_unavailable");
    }
    let reason = env.files("_ditolak").into_iter().find(|f| f.ends_with(".alasan.txt")).unwrap();
    let text = std::fs::read_to_string(env.p(&format!("_ditolak/{reason}"))).unwrap();
    assert!(text.contains("LibreOffice") && text.contains("belum terpasang"), "{text}");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    // Both refused (each queued its emails with its refusal): one alert.
    let queued = env.count("SELECT COUNT(*) FROM outbox WHERE recipients LIKE '%admin@bps.go.id%'");
    assert_eq!(queued, 1, "told once");
    let to_admin =
        || smtp.received().into_iter().filter(|m| m.rcpt.iter().any(|r| r == "admin@bps.go.id")).collect::<Vec<_>>();
    assert!(wait_until(Duration::from_secs(15), || !to_admin().is_empty()), "{}", env.log());
    let subject = to_admin()[0].header("Subject").unwrap_or_default();
    assert!(subject.contains("Pengubah dokumen Word belum terpasang"), "{subject}");
}

#[test]
fn a_converter_that_hangs_is_tried_again_then_the_draft_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let hang = dir.path().join("hanging-soffice");
    std::fs::write(&hang, "#!/bin/sh\nsleep 60\n").unwrap();
    std::fs::set_permissions(&hang, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let env = env_with("events", &format!("convert:\n  soffice: {}\n  timeout: 1s\n", hang.display()));
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.docx";
    env.drop_file(draft, &docx_fixture("split-runs.docx"));
    assert_eq!(refused(&env, draft), "failed_repeatedly");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters WHERE state != 'void'"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 0, "no number used");
}

#[test]
fn a_document_libreoffice_cannot_convert_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let failing = dir.path().join("failing-soffice");
    std::fs::write(&failing, "#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&failing, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let env = env_with("events", &format!("convert:\n  soffice: {}\n", failing.display()));
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.docx";
    env.drop_file(draft, &docx_fixture("split-runs.docx"));
    assert_eq!(refused(&env, draft), "conversion_failed");
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 0, "no number used");
    let reason = env.files("_ditolak").into_iter().find(|f| f.ends_with(".alasan.txt")).unwrap();
    let text = std::fs::read_to_string(env.p(&format!("_ditolak/{reason}"))).unwrap();
    assert!(text.contains("tidak dapat diubah menjadi PDF") && text.contains("LibreOffice gagal"), "{text}");
}

#[test]
fn an_odt_draft_is_filled_and_an_rtf_draft_converted_as_it_is_and_held_for_its_number() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Undangan Rapat.odt", &docx_fixture("span-split.odt"));
    let (id, number) = registered_from(&env, "01-draf/KP.650 Undangan Rapat.odt");
    let pdf = env.wait_file("02-verifikasi", &format!("{id} Undangan Rapat.pdf"));
    assert!(pdf_text(&base(&env.p(&format!("02-verifikasi/{pdf}")))).contains(&number));
    let odt = env.p(&format!("02-verifikasi/{id} Undangan Rapat.odt"));
    assert!(wait_until(Duration::from_secs(10), || odt.is_file()), "{:?}", env.tree());
    assert!(entry(&std::fs::read(&odt).unwrap(), "content.xml").contains(&number));

    let scratch = tempfile::tempdir().unwrap();
    let rtf = common::office::saved_as(&common::office::fodt(&["Nomor : {{nomor}}", "Rapat"]), "rtf", scratch.path());
    env.drop_file("01-draf/KP.650 Rapat Lama.rtf", &rtf);
    let (id, _) = registered_from(&env, "01-draf/KP.650 Rapat Lama.rtf");
    env.settled();
    assert_eq!(env.actions(&id), ["number_missing"]);
    let beside = env.p(&format!("01-draf/revisi/{id} Rapat Lama.rtf"));
    assert!(wait_until(Duration::from_secs(10), || beside.is_file()), "{:?}", env.tree());
    assert!(std::fs::read(&beside).unwrap() == rtf, "never filled");
    let note = std::fs::read_to_string(env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (sistem).txt"))).unwrap();
    assert!(note.contains(".rtf tidak dapat diisi otomatis"), "{note}");
}

/// Attack: a letter drafted in Word, then corrected with a PDF that says
/// something else. The PDF is reviewed and signed; the Word document beside
/// it must not stay there as if it were the letter's source (people open
/// the `.docx` of a letter in the archive to reuse or check it).
#[test]
fn attack_a_pdf_correction_of_a_word_letter_does_not_keep_the_old_document_beside_it() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.docx";
    env.drop_file(draft, &docx_fixture("split-runs.docx"));
    let (id, number) = registered_from(&env, draft);
    let (_, docx) = pair_in(&env, "02-verifikasi", &id);
    let old = std::fs::read(env.p(&docx)).unwrap();

    env.drop_file(&format!("01-draf/{id} perbaikan.pdf"), &pdf(&format!("Nomor : {number} ISI LAIN SAMA SEKALI")));
    assert!(wait_until(Duration::from_secs(20), || env.actions(&id).len() == 2), "{}", env.log());
    assert_eq!(env.actions(&id), ["register", "replace"]);
    env.settled();
    let pdf_name = env.wait_file("02-verifikasi", &format!("{id} Undangan Rapat.pdf"));
    assert!(pdf_text(&base(&env.p(&format!("02-verifikasi/{pdf_name}")))).contains("ISI LAIN SAMA SEKALI"));
    let beside = env.p(&docx);
    assert!(
        !beside.is_file() || std::fs::read(&beside).unwrap() != old,
        "the Word document of the first draft still lies beside a letter that no longer says what it says: {:?}",
        env.tree()
    );
    env.assert_fsck_clean();
}

/// Attack (odd names): a Word document named as another kind (`.rtf`, as
/// Word itself saves RTF named `.doc` and people rename files) is taken by
/// its bytes; its filled document must lie beside the letter under its own
/// kind's extension at every step, not under the dropped name's.
#[test]
fn attack_a_docx_named_rtf_keeps_its_filled_document_named_docx_beside_the_letter_at_the_next_step() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.rtf";
    env.drop_file(draft, &docx_fixture("split-runs.docx"));
    let (id, _) = registered_from(&env, draft);
    let (pdf, docx) = pair_in(&env, "02-verifikasi", &id);
    let filled = std::fs::read(env.p(&docx)).unwrap();
    env.mv(&pdf, "02-verifikasi/setuju");
    let (_, docx) = pair_in(&env, "03-kelengkapan", &id);
    assert_eq!(std::fs::read(env.p(&docx)).unwrap(), filled);
    env.settled();
    let tree = env.tree();
    assert!(tree.iter().all(|p| !p.ends_with(".rtf")) && env.files("02-verifikasi").is_empty(), "{tree:?}");
    env.assert_fsck_clean();
}
