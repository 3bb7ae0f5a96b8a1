//! Edits made in a PDF editor (issue 14.10): a reviewer who saves the copy
//! under review with an incremental save (Acrobat's default: comments,
//! highlights) adds to the file after suratd's stamp. Every such edit is
//! kept as a version; one that changes what the letter shows sends the
//! letter back to its drafter with the edited copy as the reviewer's
//! comments; the copies that go on are built from the drafter's version.
//! The updates are written by lopdf's incremental writer (tests/common).

mod common;
use common::smtp::Smtp;
use common::*;
use std::time::Duration;

/// A draft registered and waiting in 02-verifikasi: (id, file name,
/// draft, the stamped copy under review).
fn in_review(env: &Env, perihal: &str) -> (String, String, Vec<u8>, Vec<u8>) {
    let draft = pdf(&format!("Undangan {perihal}"));
    env.drop_file(&format!("01-draf/KP.650 {perihal}.pdf"), &draft);
    let name = env.wait_file("02-verifikasi", "SK-");
    env.settled();
    let copy = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    (name[..12].to_string(), name, draft, copy)
}

/// A draft approved at 02-verifikasi and waiting in 03-kelengkapan: (id,
/// file name, draft, the stamped copy there).
fn approved_once(env: &Env, perihal: &str) -> (String, String, Vec<u8>, Vec<u8>) {
    let (id, name, draft, _) = in_review(env, perihal);
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    let copy = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    (id, name, draft, copy)
}

/// `copy` with page 1 showing `line` instead, saved incrementally.
fn with_page_text(copy: &[u8], line: &str) -> Vec<u8> {
    use lopdf::{Stream, dictionary};
    saved_incrementally(copy, |inc| {
        let page = *inc.get_prev_documents().get_pages().get(&1).unwrap();
        let text = format!("BT /F1 12 Tf 72 760 Td ({line}) Tj ET");
        let c = inc.new_document.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        inc.opt_clone_object_to_new_document(page).unwrap();
        inc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap().set("Contents", c);
    })
}

/// The kind of the version with these bytes.
fn kind_of(env: &Env, bytes: &[u8]) -> Option<String> {
    env.conn().query_row("SELECT kind FROM versions WHERE sha256 = ?1", [sha256(bytes)], |r| r.get(0)).ok()
}

fn history(env: &Env, id: &str) -> String {
    let out = env.cli(&["history", id, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_highlight_saved_in_place_sends_the_letter_back_with_the_reviewers_copy() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    let (id, name, draft, copy) = in_review(&env, "Rapat");
    // The team leader highlights a line and saves (the copy still suratd's file).
    let edited = with_highlight(&copy);
    std::fs::write(env.p(&format!("02-verifikasi/{name}")), &edited).unwrap();
    assert!(wait_until(Duration::from_secs(15), || env.letter(&id).0 == "draf"), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    // The letter's file for the drafter is the drafter's version, stamped;
    // the edited copy lies beside it, named as the reviewer's comments.
    let stem = name.strip_suffix(".pdf").unwrap();
    let comments = env.p(&format!("01-draf/revisi/{stem} (catatan pemeriksa).pdf"));
    assert!(std::fs::read(&comments).unwrap() == edited, "{:?}", env.tree());
    assert!(base(&env.p(&format!("01-draf/revisi/{name}"))) == draft, "{:?}", env.tree());
    assert!(env.files("02-verifikasi").is_empty(), "{:?}", env.tree());
    assert_eq!(env.actions(&id), ["register", "reviewer_edited"]);
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0, "{}", env.log());
    // Kept as a version, listed with its sha256.
    assert_eq!(kind_of(&env, &edited).as_deref(), Some("comments"));
    assert!(history(&env, &id).contains(&sha256(&edited)));
    // The drafter is told why, and where the comments are.
    let told = || {
        smtp.received().into_iter().find(|m| m.rcpt == ["drafter@bps.go.id"] && m.text().contains("catatan pemeriksa"))
    };
    assert!(
        wait_until(Duration::from_secs(15), || told().is_some()),
        "{:#?}",
        smtp.received().iter().map(|m| &m.data).collect::<Vec<_>>()
    );
    // The comments stay where they are for the drafter to read, and the
    // records agree with the share.
    assert!(comments.is_file(), "{:?}", env.tree());
    assert_eq!(env.letter(&id).0, "draf");
    env.assert_fsck_clean();
}

#[test]
fn a_metadata_only_save_is_kept_and_the_approval_builds_on_the_drafters_version() {
    let env = env("events");
    let _d = env.start();
    let (id, name, draft, copy) = in_review(&env, "Judul");
    let edited = with_title(&copy, "Judul dari penyunting PDF");
    std::fs::write(env.p(&format!("02-verifikasi/{name}")), &edited).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || kind_of(&env, &edited).is_some()),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    assert_eq!(kind_of(&env, &edited).as_deref(), Some("edit"));
    assert!(history(&env, &id).contains(&sha256(&edited)));
    assert_eq!(env.letter(&id).0, "verifikasi");
    // Approved as it is: the next stamp is built from the drafter's version.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.settled();
    let next = std::fs::read(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    assert!(base(&env.p(&format!("03-kelengkapan/{name}"))) == draft);
    assert!(!next.windows(9).any(|w| w == b"penyuntin"), "the reviewer's bytes are not in the next copy");
    assert_eq!(env.actions(&id), ["register", "version", "setuju"]);
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0, "{}", env.log());
}

/// Someone appends an update that changes the letter's text to the
/// approved copy and moves it on at once: it never reaches signing as the
/// letter; the letter goes back to its drafter with their own version.
#[test]
fn an_update_changing_the_text_is_never_signed_as_the_letter() {
    let env = env("events");
    let _d = env.start();
    let (id, name, draft, copy) = approved_once(&env, "Anggaran");
    let forged = with_page_text(&copy, "Anggaran Rp 900.000.000");
    std::fs::remove_file(env.p(&format!("03-kelengkapan/{name}"))).unwrap();
    env.drop_file(&format!("03-kelengkapan/setuju/{name}"), &forged);
    assert!(wait_until(Duration::from_secs(15), || env.letter(&id).0 == "draf"), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert!(env.files("04-ajukan-tte").is_empty(), "{:?}", env.tree());
    assert!(base(&env.p(&format!("01-draf/revisi/{name}"))) == draft, "{:?}", env.tree());
    assert!(!text(&env.p(&format!("01-draf/revisi/{name}"))).contains("900.000.000"));
    assert_eq!(kind_of(&env, &forged).as_deref(), Some("comments"));
    assert_eq!(env.actions(&id), ["register", "setuju", "reviewer_edited"]);
}

/// Highlighted and sent back with a note at once: a return as any other,
/// with the note, and the highlighted copy beside the drafter's version.
#[test]
fn a_highlighted_copy_sent_back_with_a_note_keeps_the_highlights_for_the_drafter() {
    let env = env("events");
    let _d = env.start();
    let (id, name, draft, copy) = in_review(&env, "Sorotan");
    let edited = with_highlight(&copy);
    let stem = name.strip_suffix(".pdf").unwrap();
    env.drop_file(&format!("02-verifikasi/revisi/{stem}.txt"), b"Tanggal rapat salah.");
    std::fs::remove_file(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    env.drop_file(&format!("02-verifikasi/revisi/{name}"), &edited);
    assert!(wait_until(Duration::from_secs(15), || env.letter(&id).0 == "draf"), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert!(base(&env.p(&format!("01-draf/revisi/{name}"))) == draft, "{:?}", env.tree());
    let comments = env.p(&format!("01-draf/revisi/{stem} (catatan pemeriksa).pdf"));
    assert!(std::fs::read(&comments).unwrap() == edited, "{:?}", env.tree());
    let note =
        std::fs::read_to_string(env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (Ketua Tim).txt"))).unwrap();
    assert!(note.contains("Tanggal rapat salah."), "{note}");
    assert_eq!(env.actions(&id), ["register", "revisi"]);
    assert_eq!(kind_of(&env, &edited).as_deref(), Some("comments"));
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0, "{}", env.log());
}

/// An update that shows the number (and other text), then suratd's stamp
/// marker, then an update that shows the copy again: a reader sees the
/// copy, but a reader of the bytes before the last marker sees the other
/// revision. The number check and the copies read the letter's own
/// version: the letter without its number goes back to its drafter.
#[test]
fn a_hidden_revision_behind_a_stamp_marker_is_never_read_as_the_letter() {
    let env = env("events");
    let _d = env.start();
    let (id, name, draft, copy) = approved_once(&env, "Tersembunyi");
    let at = env.p(&format!("03-kelengkapan/{name}"));
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    let page = {
        let d = lopdf::Document::load_mem(&copy).unwrap();
        let id = *d.get_pages().get(&1).unwrap();
        (id, d.get_object(id).unwrap().clone())
    };
    let mut forged = with_page_text(&copy, &format!("Nomor: {number} Anggaran Rp 900.000.000"));
    forged.extend_from_slice(b"\n%suratd-stamp\n");
    let forged = saved_incrementally(&forged, |inc| inc.new_document.set_object(page.0, page.1.clone()));
    std::fs::write(&at, &forged).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || kind_of(&env, &forged).is_some()),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    assert!(wait_until(Duration::from_secs(15), || env.letter(&id).0 == "draf"), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert!(env.files("04-ajukan-tte").is_empty(), "{:?}", env.tree());
    assert_eq!(env.actions(&id), ["register", "setuju", "version", "number_missing"]);
    assert!(base(&env.p(&format!("01-draf/revisi/{name}"))) == draft, "{:?}", env.tree());
}
