//! Attacks on issue 15 (late notes, round-named notes, notes and reason
//! files in the archive, the number held before review, the printed books
//! and keterangan.txt), each a hole found in review: the test reproduces
//! it, and passes once it is closed.

mod common;
use common::*;
use std::time::Duration;

/// A Ketua Tim of another team plants a note under the letter's own name in
/// `02-verifikasi/revisi/` while the letter still waits for its own Ketua
/// Tim (a note there waits for its letter): when that Ketua Tim sends the
/// letter back, the planted text becomes their return's note, in the
/// trail under their name and in the drafter's email.
#[test]
fn attack_a_note_planted_by_another_team_becomes_the_returns_note() {
    needs_root("files owned by another user");
    let env = mail_env(None, "");
    nobody_is(&env, "name: Ketua Lain Dua, email: kl@bps.go.id, roles: [ketua_tim], team: lain");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan Rapat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let planted = format!("02-verifikasi/revisi/{}.txt", name.trim_end_matches(".pdf"));
    env.drop_file_as(&planted, b"Batalkan saja surat ini.", 65534);
    std::thread::sleep(Duration::from_millis(1500));
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "draf"));
    env.settled();
    let q = format!("SELECT COALESCE(note, '') FROM transitions WHERE letter_id = '{id}' AND action = 'revisi'");
    let note: String = env.conn().query_row(&q, [], |r| r.get(0)).unwrap();
    assert!(!note.contains("Batalkan"), "another team's words recorded as the return's note: {note:?}");
    let reason = env.p(&format!("_ditolak/{}.txt.alasan.txt", name.trim_end_matches(".pdf")));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
}

/// A team leader who also drafts writes the "reviewer's" late note on their
/// own letter (they may write into `02-verifikasi/revisi/` as Ketua Tim):
/// the drafter's words filed as the review of their own letter.
#[test]
fn attack_a_drafter_who_leads_a_team_writes_the_late_note_on_their_own_letter() {
    needs_root("files owned by another user");
    let env = mail_env(None, "");
    nobody_is(&env, "name: Rani Ketua, email: rani@bps.go.id, roles: [anggota_tim, ketua_tim], team: umum");
    let _d = env.start();
    env.drop_file_as("01-draf/KP.650 Nota Sendiri.pdf", &pdf("Nota Sendiri"), 65534);
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "draf"));
    env.settled();
    env.drop_file_as(&format!("02-verifikasi/revisi/{id} catatan.txt"), b"Sudah diperiksa, baik.", 65534);
    let reason = env.p(&format!("_ditolak/{id} catatan.txt.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    assert!(std::fs::read_to_string(reason).unwrap().contains("suratnya sendiri"));
    assert_eq!(env.count(&format!("SELECT COUNT(*) FROM transitions WHERE letter_id = '{id}' AND action = 'note'")), 0);
}

/// A Ketua Tim of another team writes a late note for a letter the
/// drafter's own Ketua Tim sent back: the drafter finds it beside the
/// letter as `… catatan putaran 1 (Ketua Tim).txt`, mailed as their
/// reviewer's note, although that person may not decide on the letter at
/// all (a move by them is put back as `other_team`).
#[test]
fn attack_a_late_note_from_another_teams_leader_joins_the_return() {
    needs_root("files owned by another user");
    let env = mail_env(None, "");
    let other = nobody_is(&env, "name: Ketua Lain Dua, email: kl@bps.go.id, roles: [ketua_tim], team: lain");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan Rapat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    env.wait_file("01-draf/revisi", &id);
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "draf"));
    env.settled();

    env.drop_file_as(&format!("02-verifikasi/revisi/{id} catatan.txt"), b"Ganti semua tujuan surat.", 65534);
    assert!(
        wait_until(Duration::from_secs(10), || env.files("02-verifikasi/revisi").is_empty()),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let attached = env.count(&format!(
        "SELECT COUNT(*) FROM transitions WHERE letter_id = '{id}' AND action = 'note' AND actor = '{other}'"
    ));
    assert_eq!(attached, 0, "another team's leader put a note on the letter: {:?}", env.tree());
    assert!(
        env.files("01-draf/revisi").iter().all(|n| !n.contains("catatan")),
        "a note beside the letter: {:?}",
        env.tree()
    );
    let reason = env.p(&format!("_ditolak/{id} catatan.txt.alasan.txt"));
    assert!(reason.is_file(), "{:?}", env.tree());
    let text = std::fs::read_to_string(reason).unwrap();
    assert!(text.contains("tim lain") && text.contains(&id), "{text}");
}

/// A reviewer's note with a carriage return alone (Notepad, like most
/// Windows editors, shows it as a line break) writes lines of its own into
/// the archive's keterangan.txt, starting at the margin like suratd's: a
/// forged step of the "Riwayat" and a forged "Ditandatangani" line.
#[test]
fn attack_a_note_with_bare_carriage_returns_forges_lines_in_keterangan() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Edaran.pdf", &pdf("Surat Edaran"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();

    let forged = "Tambahkan nomor.\r3. 2 Juni 2026 pukul 09.00 WIB: Kelengkapan diperiksa dan disetujui, oleh \
                  Lina Marlina (Sekretaris).\u{2028}Penanda tangan  : Orang Lain\u{0B}\u{0C}\u{85}Palsu";
    std::fs::write(env.p(&format!("02-verifikasi/revisi/{id} Surat Edaran.txt")), forged).unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || env.p(&format!("01-draf/revisi/{name}")).is_file()));
    env.settled();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Surat Edaran")));
    env.wait_file("02-verifikasi", &id);
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let in07 = env.wait_file("07-distribusi", &id);
    env.mv(&format!("07-distribusi/{in07}"), "07-distribusi/terkirim");
    let arsip = format!("arsip/{}/{}", year(), name.trim_end_matches(".pdf"));
    let path = env.p(&format!("{arsip}/keterangan.txt"));
    assert!(wait_until(Duration::from_secs(10), || path.is_file()), "{:?}\n{}", env.tree(), env.log());
    let text = std::fs::read_to_string(&path).unwrap();
    // Every line break an editor may show, and any other control character.
    let breaks = |c: char| matches!(c, '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}');
    assert!(!text.chars().any(|c| breaks(c) || (c.is_control() && c != '\n')), "{text:?}");
    for line in text.split(['\n', '\r', '\u{0B}', '\u{0C}', '\u{85}', '\u{2028}', '\u{2029}']) {
        assert!(!line.starts_with("Penanda tangan  : Orang"), "a forged line: {line:?}\n{text}");
        assert!(!line.starts_with("3. 2 Juni 2026 pukul 09.00"), "a forged step: {line:?}\n{text}");
        assert!(!line.starts_with("Palsu"), "a forged line: {line:?}\n{text}");
    }
    assert!(text.contains("Tambahkan nomor."), "{text}");
}

/// The drafter puts words in the reviewer's mouth: a `.txt` they drop into
/// their own returns folder, named like the reviewer's note of a round,
/// travels with the letter when it moves on and is filed in the archive's
/// `catatan/` as the Ketua Tim's note.
#[test]
fn attack_a_drafters_own_note_is_filed_in_the_archive_as_the_reviewers() {
    needs_root("files owned by another user");
    let env = mail_env(None, "");
    nobody_is(&env, "name: Drafter Dua, email: d2@bps.go.id, roles: [anggota_tim], team: umum");
    let _d = env.start();
    env.drop_file_as("01-draf/KP.650 Nota Dinas.pdf", &pdf("Nota Dinas"), 65534);
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Perbaiki tanggal.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || env.p(&format!("01-draf/revisi/{name}")).is_file()));
    env.settled();

    let fake = format!("01-draf/revisi/{id} catatan putaran 2 (Ketua Tim).txt");
    env.drop_file_as(&fake, b"Sudah benar, tidak perlu diperiksa lagi. Langsung setujui.", 65534);
    env.settled();
    env.drop_file_as(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Nota Dinas")), 65534);
    env.wait_file("02-verifikasi", &id);
    env.settled();
    let taken = env.count(&format!(
        "SELECT COUNT(*) FROM companions WHERE letter_id = '{id}' AND name LIKE '%putaran 2 (Ketua Tim)%'"
    ));
    assert_eq!(taken, 0, "the drafter's own text kept as the Ketua Tim's note: {:?}", env.tree());
    // The Ketua Tim's own note still goes along; the drafter's stays where they put it.
    let real = env.count(&format!(
        "SELECT COUNT(*) FROM companions WHERE letter_id = '{id}' AND name LIKE '%putaran 1 (Ketua Tim)%'"
    ));
    assert_eq!(real, 1, "{:?}", env.tree());
    assert!(env.p(&fake).is_file(), "{:?}", env.tree());
}

/// A one-page PDF showing `shown`, with `hidden` written on the page in
/// invisible text (rendering mode 3, as OCR layers are): every text
/// extractor reads it, no reader or printer shows it.
fn pdf_with_invisible(shown: &str, hidden: &str) -> Vec<u8> {
    use lopdf::Object;
    use lopdf::content::Operation;
    let text = |x: i64, y: i64, mode: i64, s: &str| {
        vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Tr", vec![mode.into()]),
            Operation::new("Td", vec![x.into(), y.into()]),
            Operation::new("Tj", vec![Object::string_literal(s)]),
            Operation::new("ET", vec![]),
        ]
    };
    let mut operations = text(72, 760, 0, shown);
    operations.extend(text(72, 740, 3, hidden));
    pdf_of(operations)
}

/// The number held before review is read from text nobody sees: a
/// correction whose number is in invisible text (rendering mode 3) passes
/// the check and goes to the Ketua Tim, and on to signing, with no number
/// a reader or the printed letter shows (the review copies show one, in
/// suratd's stamp, which makes it easy to miss). Closed for invisible
/// rendering modes (3 and 7); white text, text clipped away or outside the
/// page still count.
#[test]
fn attack_a_number_in_invisible_text_passes_the_number_check() {
    let env = mail_env_on(SHIPPED_AS_IS, None, "");
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.pdf";
    env.drop_file(draft, &pdf("Undangan Rapat Koordinasi"));
    let (id, number) = registered_from(&env, draft);
    env.settled();
    assert_eq!(env.letter(&id).0, "draf");
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf_with_invisible("Undangan Rapat Koordinasi", &number));
    let held = || env.actions(&id).iter().filter(|a| *a == "number_missing").count() == 2;
    let decided = || held() || env.letter(&id).0 != "draf";
    assert!(wait_until(Duration::from_secs(10), decided), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert_eq!(env.letter(&id).0, "draf", "a letter with no visible number reached review: {:?}", env.actions(&id));
}

/// A Rahasia letter's file dropped again under a name with its perihal (as
/// the emails suggest, "SK-… perbaikan.pdf", a drafter writes the subject
/// after the code), and refused: suratd wrote that name into `_ditolak/`,
/// the folder everyone reads, named the perihal in the reason file there,
/// and put it in the refusal email's subject.
#[test]
fn attack_a_rahasia_letters_perihal_named_in_ditolak_and_a_refusal_subject() {
    let smtp = common::smtp::Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    let sidecar = "tanggal: 2026-01-15\nperihal: Temuan Audit Internal\nsifat: Rahasia\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), sidecar).unwrap();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"));
    let mut id = String::new();
    assert!(wait_until(Duration::from_secs(15), || {
        id = env.conn().query_row("SELECT COALESCE(MAX(id), '') FROM letters", [], |r| r.get(0)).unwrap();
        !id.is_empty()
    }));
    env.settled();
    env.drop_file(&format!("01-draf/{id} Temuan Audit Internal.pdf"), b"bukan sebuah PDF\n");
    assert!(
        wait_until(Duration::from_secs(15), || env.tree().iter().any(|p| p.starts_with("_ditolak/"))),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let tree = env.tree();
    assert!(!tree.iter().any(|p| p.contains("Audit")), "the perihal in a name suratd wrote: {tree:#?}");
    for p in tree.iter().filter(|p| p.starts_with("_ditolak/") && p.ends_with(".alasan.txt")) {
        let text = std::fs::read_to_string(env.p(p)).unwrap();
        assert!(!text.contains("Audit"), "the perihal in {p}, which everyone reads:\n{text}");
    }
    assert!(wait_until(Duration::from_secs(15), || smtp.received().iter().any(|m| m.text().contains("_ditolak"))));
    for m in smtp.received() {
        let subject = m.header("Subject").unwrap();
        assert!(!subject.contains("Audit"), "{subject}");
    }
}
