//! Attacks on issue 14 (late sidecars, numbers, sifat, reviewers' edits),
//! each a hole found in review: the test reproduces it, and passes once it
//! is closed.

mod common;
use common::*;
use std::time::Duration;

/// A registered draft `01-draf/{draft}.pdf`: the letter's id and the name
/// of its file in 02-verifikasi.
fn registered(env: &Env, draft: &str) -> (String, String) {
    env.drop_file(&format!("01-draf/{draft}.pdf"), &pdf(draft));
    let name = env.wait_file("02-verifikasi", "SK-");
    let name = env.files("02-verifikasi").into_iter().find(|n| n.contains(draft)).unwrap_or(name);
    (name[..12].to_string(), name)
}

fn metadata(env: &Env, id: &str) -> String {
    env.conn().query_row("SELECT COALESCE(metadata, '') FROM letters WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

/// The bodies of the `arrived` emails about `id`, oldest first.
fn arrived(env: &Env, id: &str) -> Vec<String> {
    let c = env.conn();
    let mut st = c.prepare("SELECT body FROM outbox WHERE letter_id = ?1 AND kind = 'arrived' ORDER BY id").unwrap();
    st.query_map([id], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
}

/// A hostile drafter: the Ketua Tim was told the letter's addressees (the
/// `arrived` email lists them: "what the reviewers approve includes the
/// addressees"); the drafter then drops a late sidecar that sends the
/// letter to another address. Nobody at the review step is told, and the
/// Ketua Tim's approval covers addressees they were never shown (step 9
/// emails the signed letter to them).
#[test]
fn attack_a_late_sidecar_changes_the_addressees_the_reviewer_was_never_shown() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, _) = registered(&env, "KP.650 Undangan Rapat");
    assert!(wait_until(Duration::from_secs(10), || arrived(&env, &id).len() == 1), "{}", env.log());
    assert!(arrived(&env, &id)[0].contains("Tujuan         : -"), "{:?}", arrived(&env, &id));
    let late = "tujuan:\n  - nama: Kepala BPS Kabupaten Kaur\n    email: bocor@contoh.com\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), late).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || env.actions(&id).contains(&"sidecar".to_string())),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    assert!(metadata(&env, &id).contains("bocor@contoh.com"));
    // The reviewer is told the new addressees before deciding.
    let told = arrived(&env, &id);
    assert_eq!(told.len(), 2, "the Ketua Tim was not told that the addressees changed: {told:?}");
    assert!(told[1].contains("bocor@contoh.com") && told[1].contains("diubah oleh penyusun"), "{}", told[1]);
}

/// A careless drafter reuses a common draft name: "KP.650 Undangan.pdf"
/// was registered last week and waits for its review; today a new letter
/// of the same name is written, its sidecar saved into 01-draf a moment
/// before its PDF (saved from Notepad, then exported from Word). The
/// sidecar, alone for a moment, is taken as a late sidecar of the OLD
/// letter at once (a sidecar that names no letter waits for its draft; one
/// that names an older letter does not): the old letter gets the new
/// letter's subject and addressees, and the new one is registered without.
#[test]
fn attack_a_sidecar_just_before_its_draft_rewrites_an_older_letter_of_the_same_name() {
    let env = mail_env(None, "");
    // The office's usual wait for a sidecar (the test default is 300ms).
    let cfg = std::fs::read_to_string(&env.config).unwrap().replace("sidecar_wait: 300ms", "sidecar_wait: 3s");
    std::fs::write(&env.config, cfg).unwrap();
    let _d = env.start();
    let (old, _) = registered(&env, "KP.650 Undangan");
    env.settled();
    let before = metadata(&env, &old);
    let sidecar = "perihal: Undangan Rapat Evaluasi\ntujuan:\n  - nama: Kepala BPS Kabupaten Seluma\n    email: seluma@bps.go.id\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan.yaml"), sidecar).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    env.drop_file("01-draf/KP.650 Undangan.pdf", &pdf("Undangan Rapat Evaluasi"));
    assert!(
        wait_until(Duration::from_secs(20), || env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'") == 2
            && env.files("01-draf").is_empty()),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    assert_eq!(env.actions(&old), ["register"], "the older letter was changed by the new letter's sidecar");
    assert_eq!(metadata(&env, &old), before);
    let new: String = env
        .conn()
        .query_row("SELECT id FROM letters WHERE state = 'active' AND id != ?1", [&old], |r| r.get(0))
        .unwrap();
    let subject: String =
        env.conn().query_row("SELECT subject FROM letters WHERE id = ?1", [&new], |r| r.get(0)).unwrap();
    assert_eq!(subject, "Undangan Rapat Evaluasi");
    assert!(metadata(&env, &new).contains("seluma@bps.go.id"));
}

/// A careless secretary saves the letter the Kepala signed on the portal
/// into the folder where it waits (05-menunggu-tte/) instead of
/// 06-sudah-tte/. The signed file begins with the copy for signing, so it
/// is taken for a reviewer's edit that shows (the signature's widget): the
/// signed letter is sent back to the drafter as "reviewer's comments", and
/// the letter starts again from drafting: the Kepala's signature is thrown
/// away.
#[test]
fn attack_a_signed_letter_saved_into_the_waiting_folder_is_not_a_reviewers_edit() {
    needs_root("to give a file another owner");
    let env = mail_env(None, "");
    // The secretary is not the drafter (in mail_env the test's login is both).
    nobody_is(&env, "name: Sekretaris Dua, roles: [sekretaris]");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Enam");
    let copy = copy_for_signing(&env, &id);
    let signed = sign_visibly_like_a_portal(&copy, "Kepala");
    env.drop_file_as(&format!("05-menunggu-tte/{id} ttd.pdf"), &signed, 65534);
    // Whatever becomes of it, within a few seconds.
    let before = env.actions(&id).len();
    assert!(
        wait_until(Duration::from_secs(15), || env.actions(&id).len() > before
            || env.files("_ditolak").iter().any(|n| n.starts_with(&id))),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let actions = env.actions(&id);
    assert!(
        !actions.iter().any(|a| a == "reviewer_edited"),
        "the signed letter went back to the drafter: {actions:?}\n{:#?}",
        env.tree()
    );
    // It waits for its signature still; the signed file is not lost.
    assert_eq!(env.letter(&id).0, "menunggu_tte", "{:#?}", env.tree());
    let kept = env.dir.path().join("data/store").join(&sha256(&signed)[..2]).join(sha256(&signed));
    assert!(kept.is_file() || env.files("_ditolak").iter().any(|n| n.starts_with(&id)), "{:#?}", env.tree());
}

/// Files that suratd's own user
/// owns are "owners nobody knows" (`unknown_owner: allow`, the default),
/// which meet no person's rule, yet staff make such files at will: a
/// letter's copy suratd placed keeps suratd's user as its owner when it is
/// saved over in place (Notepad, `copy /y`, many editors) and when it is
/// renamed. Without `samba.audit_log`, a drafter without the secretary's
/// role saves new content over the copy of their letter sent back to
/// `01-draf/revisi/`, renames it into `01-draf/` as a new draft, and asks
/// for Rahasia. Where the workflow lists people, an owner who is none of
/// them may not choose a sifat: refused (the access and drafter rules for
/// such files are still `unknown_owner`'s; see the README).
#[test]
fn attack_a_copy_suratd_placed_saved_over_and_renamed_is_nobodys_and_gets_rahasia() {
    needs_root("to give a file another owner");
    let env = mail_env(None, "");
    // suratd's user (the test's) is nobody in workflow.yaml, as on a server.
    let wf_path = env.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&wf_path).unwrap().replace(&format!("login: {}", me()), "login: dewi");
    std::fs::write(&wf_path, wf).unwrap();
    nobody_is(&env, "name: Rani Drafter, roles: [anggota_tim], team: umum");
    let _d = env.start();
    env.drop_file_as("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas"), 65534);
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Perbaiki.").unwrap();
    let back = env.p(&format!("01-draf/revisi/{id} Surat Tugas.pdf"));
    assert!(wait_until(Duration::from_secs(10), || back.is_file()), "{:#?}\n{}", env.tree(), env.log());
    env.settled();
    // Rani saves other content over it in place, and renames it in.
    std::fs::write(&back, pdf("Surat Rahasia Negara")).unwrap();
    std::fs::write(env.p("01-draf/KP.650 Rahasia Negara.yaml.tmp"), "sifat: Rahasia\n").unwrap();
    std::os::unix::fs::chown(env.p("01-draf/KP.650 Rahasia Negara.yaml.tmp"), Some(65534), None).unwrap();
    std::fs::rename(env.p("01-draf/KP.650 Rahasia Negara.yaml.tmp"), env.p("01-draf/KP.650 Rahasia Negara.yaml"))
        .unwrap();
    std::fs::rename(&back, env.p("01-draf/KP.650 Rahasia Negara.pdf")).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || !env.p("01-draf/KP.650 Rahasia Negara.pdf").exists()),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let rahasia = env.count("SELECT COUNT(*) FROM letters WHERE number LIKE 'R-%'");
    assert_eq!(rahasia, 0, "a Rahasia number for a drafter without the secretary's role:\n{:#?}", env.tree());
}

/// A careless secretary opens the clean copy in 04-ajukan-tte/ in Acrobat
/// and saves it (a new title: metadata only, kept as the letter's version
/// where it lies), then moves it on to 05-menunggu-tte/ and uploads it to
/// the portal as usual. The Kepala signs it; the signed letter must be
/// accepted: its signed text is the approved letter's.
#[test]
fn attack_a_metadata_save_before_signing_still_lets_the_signed_letter_in() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Rapat Sembilan.pdf", &pdf("Undangan Rapat Sembilan -"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}")));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    for (from, to) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.mv(&format!("{from}/{name}"), to);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.settled();
    let at04 = env.p(&format!("04-ajukan-tte/{name}"));
    let saved = with_title(&std::fs::read(&at04).unwrap(), "Undangan (final)");
    std::fs::write(&at04, &saved).unwrap();
    assert!(
        wait_until(Duration::from_secs(10), || env.actions(&id).len() == 5),
        "{:?}\n{}",
        env.actions(&id),
        env.log()
    );
    env.settled();
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"), "{:#?}", env.tree());
    env.settled();
    let uploaded = copy_for_signing(&env, &id);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&uploaded, "Kepala", false));
    assert!(
        wait_until(Duration::from_secs(15), || env.files("07-distribusi").iter().any(|n| n.starts_with(&id))),
        "the signed letter was not accepted: {:?}\n{:#?}\n{}",
        env.actions(&id),
        env.tree(),
        env.files("_ditolak")
            .iter()
            .filter(|n| n.ends_with(".txt"))
            .map(|n| std::fs::read_to_string(env.p(&format!("_ditolak/{n}"))).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A careless drafter: the forgotten sidecar, dropped a minute after its
/// draft was registered, says `tanggal:` today (the day the letter was
/// numbered, as the drafter wrote it before dropping the PDF). That
/// changes nothing the number was made from, yet it was refused as
/// "changing tanggal: cancel the letter and draft it again".
#[test]
fn attack_a_late_sidecar_repeating_todays_date_is_not_a_change_of_date() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, _) = registered(&env, "KP.650 Undangan Pelatihan");
    env.settled();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let late = format!("perihal: Undangan Pelatihan Petugas\ntanggal: {today}\nsifat: Biasa\nklasifikasi: KP.650\n");
    std::fs::write(env.p("01-draf/KP.650 Undangan Pelatihan.yaml"), late).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || env.files("01-draf").is_empty()),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let refused: Vec<String> = env.files("_ditolak");
    assert_eq!(env.actions(&id), ["register", "sidecar"], "refused: {refused:?}");
    let subject: String =
        env.conn().query_row("SELECT subject FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(subject, "Undangan Pelatihan Petugas");
}

/// The same approval of one's own letter without `samba.audit_log` (the
/// default install): a metadata-only save of the copy, saved as a new
/// file straight into `02-verifikasi/setuju/` by its drafter who also
/// leads a team, approved the letter. A new file's owner names who saved
/// it, audit log or not.
#[test]
fn attack_a_metadata_only_save_as_into_setuju_by_its_drafter_is_refused_without_an_audit_log() {
    needs_root("to give a file another owner");
    let env = mail_env(None, "");
    let rani = nobody_is(&env, "name: Rani, roles: [anggota_tim, ketua_tim], team: umum");
    let _d = env.start();
    env.drop_file_as("01-draf/KP.650 Rapat Dua Belas.pdf", &pdf("Rapat Dua Belas"), 65534);
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.settled();
    assert_eq!(
        env.conn().query_row("SELECT drafter FROM letters WHERE id = ?1", [&id], |r| r.get::<_, String>(0)).unwrap(),
        rani
    );
    let copy = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    env.drop_file_as(&format!("02-verifikasi/setuju/{name}"), &with_title(&copy, "Rapat (final)"), 65534);
    assert!(
        wait_until(Duration::from_secs(15), || env.letter(&id).0 != "verifikasi"
            || env.files("02-verifikasi/setuju").is_empty()),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    assert_eq!(env.letter(&id).0, "verifikasi", "approved by its own drafter: {:?}", env.actions(&id));
    let code: String = env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE letter_id = ?1", [&id], |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(code, "own_letter", "{:#?}", env.tree());
}

/// A Ketua Tim approves with a metadata-only Save As straight into
/// `setuju/` (not moving the copy): the letter goes on, and the copy left
/// behind in 02-verifikasi/ must not pull it back or be mistaken for it.
#[test]
fn attack_a_save_as_approval_leaves_no_second_copy_that_moves_the_letter() {
    needs_root("to give a file another owner");
    let env = mail_env(None, "");
    nobody_is(&env, "name: Ketua Dua, roles: [ketua_tim], team: umum");
    let _d = env.start();
    let (id, name) = registered(&env, "KP.650 Rapat Tiga Belas");
    env.settled();
    let copy = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    env.drop_file_as(&format!("02-verifikasi/setuju/{name}"), &with_title(&copy, "Rapat (final)"), 65534);
    assert!(
        wait_until(Duration::from_secs(15), || env.letter(&id).0 == "kelengkapan"),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    std::thread::sleep(Duration::from_secs(2));
    env.settled();
    assert_eq!(env.letter(&id).0, "kelengkapan", "{:?}", env.actions(&id));
    assert_eq!(env.files("03-kelengkapan").iter().filter(|n| n.starts_with(&id)).count(), 1, "{:#?}", env.tree());
}

/// A hostile drafter's sidecar (late, or with the draft) gives the letter
/// a subject with terminal control sequences (YAML's "\e"): `suratd
/// status` and `agenda` print it raw in the admin's terminal, where it can
/// erase lines and print others (hide a letter, show a false state).
#[test]
fn attack_a_subject_with_terminal_escapes_reaches_the_admins_terminal() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, _) = registered(&env, "KP.650 Undangan Biasa");
    let late = "perihal: \"Undangan\\e[2K\\rSK-2026-9999  selesai\\e]0;judul\\a\"\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Biasa.yaml"), late).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || env.files("01-draf").is_empty()),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    for args in [&["status"][..], &["agenda"], &["history", &id]] {
        let out = env.cli(args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{args:?} prints control characters: {text:?}");
    }
}
