//! The guarantees under stress: files dropped while suratd is stopped,
//! transitions interrupted by a crash, files still being copied, bad input
//! of every kind, files moved to the wrong folder, and files that fail again
//! and again. Assertions read the folders and the SQLite file.

mod common;
use common::*;
use std::time::Duration;
use suratd::store::db::{Db, LetterUpdate, NewLetter, Record, TransitionRec, VersionRec};
use suratd::store::journal::{FsOp, Plan};

#[test]
fn files_dropped_while_stopped_are_processed_once() {
    let env = env("events");
    assert!(env.start().stop().success(), "SIGTERM ends suratd cleanly");
    for i in 1..=3 {
        env.drop_file(&format!("01-draf/KP.650 Surat {i}.pdf"), &pdf(&format!("Surat {i}")));
    }
    {
        let _d = env.start();
        assert!(wait_until(Duration::from_secs(15), || env.files("02-verifikasi").len() == 3), "{:?}", env.tree());
    }
    // A second start finds nothing new to do.
    {
        let _d = env.start();
        std::thread::sleep(Duration::from_millis(1500));
    }
    assert_eq!(env.files("02-verifikasi").len(), 3);
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 3);
    assert_eq!(env.count("SELECT COUNT(*) FROM transitions"), 3);
    assert!(env.emptied("01-draf"));
}

/// Writes an intent that registers `01-draf/<name>` into 02-verifikasi, as
/// the daemon would just before touching the file system.
fn write_intent(env: &Env, name: &str, bytes: &[u8]) -> (String, String) {
    let mut db = Db::open(&env.db).unwrap();
    let sha = sha256(bytes);
    let nl = NewLetter {
        year: year(),
        subject: "Memo".into(),
        drafter: Some("budi".into()),
        step: "verifikasi".into(),
        sha256: sha.clone(),
        size: bytes.len() as i64,
        mtime_ns: 0,
        at: "2026-01-05T01:00:00.000Z".into(),
        meta: None,
        number: None,
    };
    let mut target = String::new();
    let (_, id) = db
        .begin_intent("SK", None, Some(&nl), |lid, _| {
            let id = lid.unwrap().to_string();
            target = format!("02-verifikasi/{id} Memo.pdf");
            let plan = Plan {
                ops: vec![FsOp::Move {
                    from: format!("01-draf/{name}"),
                    to: target.clone(),
                    sha256: Some(sha.clone()),
                }],
                record: Record {
                    update: Some(LetterUpdate {
                        letter_id: id.clone(),
                        step: "verifikasi".into(),
                        state: "active".into(),
                        path: target.clone(),
                        sha256: sha.clone(),
                        size: bytes.len() as i64,
                        mtime_ns: 0,
                        step_changed: true,
                        metadata: None,
                    }),
                    versions: vec![VersionRec {
                        sha256: sha.clone(),
                        size: bytes.len() as i64,
                        source: format!("01-draf/{name}"),
                        kind: "original".into(),
                        base_sha256: None,
                    }],
                    transition: Some(TransitionRec {
                        letter_id: id,
                        at: "2026-01-05T01:00:00.000Z".into(),
                        from_step: Some("draf".into()),
                        to_step: Some("verifikasi".into()),
                        action: "register".into(),
                        actor: "budi".into(),
                        actor_verified: true,
                        sha256: Some(sha.clone()),
                        path: Some(target.clone()),
                        note: None,
                        approved_sha256: None,
                    }),
                    rejection: None,
                    signatures: vec![],
                    emails: vec![],
                    dispatch: None,
                    companions: vec![],
                },
            };
            Ok(serde_json::to_string(&plan).unwrap())
        })
        .unwrap();
    (id.unwrap(), target)
}

#[test]
fn interrupted_transitions_are_completed_or_undone_at_start() {
    let env = env("events");
    assert!(env.cli(&["init"]).status.success());
    // A: the intent was written, the file not moved yet: the move is redone.
    let a = pdf("Memo A");
    env.drop_file("01-draf/Memo A.pdf", &a);
    let (id_a, target_a) = write_intent(&env, "Memo A.pdf", &a);
    // B: the file was moved, the commit did not happen: it is completed.
    let b = pdf("Memo B");
    env.drop_file("01-draf/Memo B.pdf", &b);
    let (id_b, target_b) = write_intent(&env, "Memo B.pdf", &b);
    std::fs::rename(env.p("01-draf/Memo B.pdf"), env.p(&target_b)).unwrap();
    // C: the file vanished before it was moved: the intent is undone.
    let c = pdf("Memo C");
    env.drop_file("01-draf/Memo C.pdf", &c);
    let (id_c, _) = write_intent(&env, "Memo C.pdf", &c);
    std::fs::remove_file(env.p("01-draf/Memo C.pdf")).unwrap();

    let _d = env.start();
    assert!(
        wait_until(Duration::from_secs(10), || env.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'") == 0)
    );
    std::thread::sleep(Duration::from_millis(1000));
    assert!(std::fs::read(env.p(&target_a)).unwrap() == a);
    assert!(std::fs::read(env.p(&target_b)).unwrap() == b);
    assert_eq!(env.letter(&id_a).1, "active");
    assert_eq!(env.letter(&id_b).1, "active");
    assert_eq!(env.letter(&id_c).1, "void", "an undone registration keeps its id, marked void");
    assert_eq!(env.actions(&id_a), ["register"]);
    assert_eq!(env.actions(&id_b), ["register"]);
    assert!(env.actions(&id_c).is_empty());
    // Nothing was registered twice and nothing is left behind.
    assert_eq!(env.files("02-verifikasi").len(), 2);
    assert!(env.emptied("01-draf"));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'"), 2);
}

#[test]
fn a_file_still_being_copied_is_taken_only_when_complete() {
    use std::io::Write;
    let env = env("events");
    let _d = env.start();
    let bytes = pdf(&"Laporan panjang ".repeat(2000));
    let path = env.p("01-draf/KP.650 Laporan.pdf");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunks: Vec<&[u8]> = bytes.chunks(bytes.len() / 6 + 1).collect();
    for (i, c) in chunks.iter().enumerate() {
        f.write_all(c).unwrap();
        f.flush().unwrap();
        // One pause longer than the settle time: the daemon sees a PDF
        // without its end and must wait, not refuse it.
        std::thread::sleep(Duration::from_millis(if i == 2 { 700 } else { 120 }));
    }
    drop(f);
    let name = env.wait_file("02-verifikasi", "SK-");
    assert!(base(&env.p(&format!("02-verifikasi/{name}"))) == bytes, "complete file taken");
    assert!(env.files("_ditolak").is_empty(), "{:?}", env.files("_ditolak"));
}

#[test]
fn bad_input_is_refused_with_a_reason_and_kept_byte_for_byte() {
    let env = env("events");
    let mut d = env.start();
    let outside = env.dir.path().join("outside.pdf");
    std::fs::write(&outside, pdf("rahasia di luar share")).unwrap();
    let good = pdf("ok");
    let truncated = good[..good.len() / 2].to_vec();
    let mut docx = b"PK\x03\x04".to_vec();
    docx.extend_from_slice(b"\x14\x00\x06\x00[Content_Types].xml word/document.xml");
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("bukan.pdf", b"Ini hanya teks biasa".to_vec(), "not_pdf", "bukan berkas PDF"),
        ("kosong.pdf", vec![], "empty", "kosong"),
        ("potong.pdf", truncated, "broken", "terpotong"),
        ("rusak.pdf", b"%PDF-1.7\nsampah\n%%EOF\n".to_vec(), "broken", "rusak"),
        ("gambar.pdf", b"\x89PNG\r\n\x1a\nxxxx".to_vec(), "not_pdf", "gambar PNG"),
        ("Laporan.docx", docx, "not_a_document", "bukan dokumen Word"),
    ];
    for (name, bytes, _, _) in &cases {
        env.drop_file(&format!("01-draf/{name}"), bytes);
    }
    std::os::unix::fs::symlink(&outside, env.p("01-draf/tautan.pdf")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(env.p("01-draf/pipa.pdf")).status().unwrap().success());
    // A folder dropped as a whole: its PDF is taken, the rest refused.
    env.drop_file("01-draf/Folder Baru/KP.650 Dalam Folder.pdf", &pdf("dalam folder"));
    env.drop_file("01-draf/Folder Baru/foto.jpg", b"\xFF\xD8\xFF\xE0 jpeg");
    // Encrypted, from the real-world corpus when it is here.
    let encrypted = corpus().map(|c| std::fs::read(c.join("libreoffice-writer-password.pdf")).unwrap());
    if let Some(e) = &encrypted {
        env.drop_file("01-draf/terkunci.pdf", e);
    }

    let expected = cases.len() + 3 + usize::from(encrypted.is_some());
    let ok = wait_until(Duration::from_secs(20), || {
        env.count("SELECT COUNT(*) FROM rejections") as usize == expected && env.files("02-verifikasi").len() == 1
    });
    assert!(ok, "tree: {:#?}\nlog:\n{}", env.tree(), env.log());

    let reason_of = |original: &str| -> (String, String) {
        env.conn()
            .query_row("SELECT reason_code, path FROM rejections WHERE original_path = ?1", [original], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap_or_else(|_| panic!("no rejection for {original}"))
    };
    for (name, bytes, code, phrase) in &cases {
        let (got, path) = reason_of(&format!("01-draf/{name}"));
        assert_eq!(&got, code, "{name}");
        assert!(&std::fs::read(env.p(&path)).unwrap() == bytes, "{name} kept byte for byte");
        let reason = std::fs::read_to_string(env.p(&format!("{path}.alasan.txt"))).unwrap();
        assert!(reason.contains(phrase), "{name}: {reason}");
        assert!(reason.contains(&format!("Nama berkas   : {name}")), "{reason}");
    }
    let (code, path) = reason_of("01-draf/tautan.pdf");
    assert_eq!(code, "symlink");
    let link = env.p(&path);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link itself moved, not followed");
    assert_eq!(std::fs::read_link(&link).unwrap(), outside);
    assert!(outside.is_file(), "the link's target is untouched");
    assert_eq!(reason_of("01-draf/pipa.pdf").0, "not_pdf");
    assert_eq!(reason_of("01-draf/Folder Baru/foto.jpg").0, "not_pdf");
    if encrypted.is_some() {
        assert_eq!(reason_of("01-draf/terkunci.pdf").0, "encrypted");
    }
    // The good PDF from the folder was registered; the emptied folder is gone.
    assert!(env.files("02-verifikasi")[0].ends_with("Dalam Folder.pdf"));
    assert!(!env.p("01-draf/Folder Baru").exists());
    // suratd keeps running and keeps working.
    assert!(d.alive());
    env.drop_file("01-draf/KP.650 Setelahnya.pdf", &pdf("masih jalan"));
    assert!(wait_until(Duration::from_secs(10), || env.files("02-verifikasi").len() == 2));
}

#[test]
fn waiting_for_a_copy_to_finish_is_not_counted_as_failing() {
    // One attempt allowed, and a grace long enough for several looks: a
    // truncated PDF that never completes is refused as broken, not set aside.
    let env = env("events");
    let text = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(
        &env.config,
        text.replace("attempts: 3", "attempts: 1").replace("parse_grace: 1s", "parse_grace: 5s"),
    )
    .unwrap();
    let _d = env.start();
    let good = pdf("Memo yang terpotong");
    env.drop_file("01-draf/Terpotong.pdf", &good[..good.len() - 40]);
    assert!(
        wait_until(Duration::from_secs(20), || env.count("SELECT COUNT(*) FROM rejections") == 1),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let code: String = env.conn().query_row("SELECT reason_code FROM rejections", [], |r| r.get(0)).unwrap();
    assert_eq!(code, "broken");
}

#[test]
fn the_periodic_scan_finds_what_events_missed() {
    // A step folder deleted and made anew by a person loses its kernel
    // watch: files dropped there are found by the periodic scan.
    let env = env("events");
    let text = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(&env.config, text.replace("rescan: 1h", "rescan: 1s")).unwrap();
    let _d = env.start();
    std::fs::remove_dir_all(env.p("04-ajukan-tte")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // (The periodic scan may already have put it back itself.)
    std::fs::create_dir_all(env.p("04-ajukan-tte")).unwrap();
    env.drop_file("04-ajukan-tte/Asing.pdf", &pdf("tidak dikenal"));
    assert!(
        wait_until(Duration::from_secs(10), || env.files("_ditolak").contains(&"Asing.pdf".to_string())),
        "{:?}",
        env.tree()
    );
    // A deleted outcome folder is put back.
    std::fs::remove_dir_all(env.p("02-verifikasi/setuju")).unwrap();
    assert!(wait_until(Duration::from_secs(10), || env.p("02-verifikasi/setuju").is_dir()));
}

#[test]
fn wrong_moves_are_put_back_and_strangers_refused() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Edaran.pdf", &pdf("Surat Edaran"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();

    // Skipping steps: from verification straight to signing.
    env.mv(&format!("02-verifikasi/{name}"), "04-ajukan-tte");
    let reason_file = env.p(&format!("02-verifikasi/{name}.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || env.files("02-verifikasi").contains(&name) && reason_file.is_file()));
    env.settled();
    assert!(env.files("04-ajukan-tte").is_empty());
    let reason = std::fs::read_to_string(&reason_file).unwrap();
    assert!(reason.contains("tidak dapat dipindahkan"), "{reason}");
    assert_eq!(env.letter(&id).0, "verifikasi");
    assert_eq!(env.actions(&id), ["register", "returned"]);

    // A copy (not a move) into an outcome folder does not move the letter.
    std::fs::copy(env.p(&format!("02-verifikasi/{name}")), env.p("02-verifikasi/setuju/salinan.pdf")).unwrap();
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'duplicate'")
        == 1));
    assert_eq!(env.letter(&id).0, "verifikasi");
    assert!(env.files("02-verifikasi").contains(&name));

    // A new file outside the drafting folder is refused.
    env.drop_file("03-kelengkapan/Asing.pdf", &pdf("asing"));
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'unknown_file'")
        == 1));
    assert!(env.files("_ditolak").contains(&"Asing.pdf".to_string()));
    // Temporary files are never touched.
    env.drop_file("01-draf/~$Undangan.docx", b"lock");
    env.drop_file("01-draf/Thumbs.db", b"thumbs");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(env.files("01-draf"), ["Thumbs.db", "~$Undangan.docx"]);
}

#[test]
fn a_file_that_keeps_failing_is_set_aside() {
    let env = env("events");
    assert!(env.cli(&["init"]).status.success());
    let bytes = pdf("Berkas bermasalah");
    env.drop_file("01-draf/Bermasalah.pdf", &bytes);
    // As if suratd had crashed three times while processing this very file.
    let meta = std::fs::metadata(env.p("01-draf/Bermasalah.pdf")).unwrap();
    let db = Db::open(&env.db).unwrap();
    db.conn
        .execute(
            "INSERT INTO attempts (path, size, mtime_ns, count, last_error, updated_at) VALUES (?1, ?2, ?3, 3, 'crash', 'x')",
            rusqlite::params!["01-draf/Bermasalah.pdf", meta.len() as i64, suratd::pipeline::mtime_ns(&meta) as i64],
        )
        .unwrap();
    drop(db);
    let _d = env.start();
    assert!(
        wait_until(Duration::from_secs(10), || env
            .files("_ditolak")
            .contains(&"Bermasalah.pdf.alasan.txt".to_string())),
        "{:?}",
        env.tree()
    );
    env.settled();
    assert!(std::fs::read(env.p("_ditolak/Bermasalah.pdf")).unwrap() == bytes);
    let reason = std::fs::read_to_string(env.p("_ditolak/Bermasalah.pdf.alasan.txt")).unwrap();
    assert!(reason.contains("beberapa kali gagal diproses (sudah dicoba"), "{reason}");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM attempts"), 0);
}

#[test]
fn every_real_world_pdf_is_taken_or_refused_with_a_specific_reason() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/real-world is not here");
        return;
    };
    let env = env("events");
    let _d = env.start();
    let mut names = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        env.drop_file(&format!("01-draf/KA.110 {name}"), &std::fs::read(&p).unwrap());
        names.push(name);
    }
    assert!(
        wait_until(Duration::from_secs(60), || env.files("01-draf").is_empty()),
        "left: {:?}\n{}",
        env.files("01-draf"),
        env.log()
    );
    // The last file is placed before its transition is committed.
    env.settled();
    let registered = env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'") as usize;
    let refused = env.count("SELECT COUNT(*) FROM rejections") as usize;
    assert_eq!(registered + refused, names.len());
    let c = env.conn();
    let mut st = c.prepare("SELECT original_path, reason_code FROM rejections").unwrap();
    let rows: Vec<(String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    for (path, code) in &rows {
        assert!(["encrypted", "broken"].contains(&code.as_str()), "{path}: {code}");
    }
    // Most real PDFs are fine; the known bad ones are refused for what they are.
    assert!(registered >= names.len() - 3, "only {registered} of {} taken: {rows:?}", names.len());
    assert!(rows.iter().any(|(p, c)| p.ends_with("libreoffice-writer-password.pdf") && c == "encrypted"));
}

/// Issue 14.2: a cancelled letter stays in `batal/`, across restarts and
/// rescans.
#[test]
fn a_cancelled_letter_stays_cancelled_across_restarts() {
    let env = env("events");
    let id = {
        let _d = env.start();
        env.drop_file("01-draf/KP.650 Dibatalkan.pdf", &pdf("Dibatalkan"));
        let name = env.wait_file("02-verifikasi", "SK-");
        let id = name[..12].to_string();
        env.settled();
        env.mv(&format!("02-verifikasi/{name}"), "batal");
        assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "batal"), "{}", env.log());
        env.settled();
        id
    };
    for _ in 0..2 {
        let _d = env.start();
        std::thread::sleep(Duration::from_millis(2500));
    }
    assert_eq!(env.letter(&id).0, "batal");
    assert!(env.files("batal").iter().any(|n| n.starts_with(&id)), "{:?}", env.tree());
    assert!(env.files("_ditolak").is_empty(), "{:?}", env.tree());
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0);
}

/// Issue 14.6: one suratd per database. A second `suratd run` on the same
/// database exits with a clear message; `fsck --repair` refuses while the
/// daemon runs, and works once it has stopped.
#[test]
fn a_second_daemon_on_the_same_database_exits_and_fsck_repair_waits_its_turn() {
    let env = env("events");
    let d = env.start();
    let second = std::process::Command::new(Env::bin()).arg("--config").arg(&env.config).arg("run").output().unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{said}");
    assert!(said.contains("another suratd is running on the database"), "{said}");
    let out = env.cli(&["fsck", "--repair"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("another suratd is running"), "{said}");
    // Plain fsck only reads: it runs beside the daemon.
    assert!(env.cli(&["fsck"]).status.success());
    assert!(d.stop().success());
    assert!(env.cli(&["fsck", "--repair"]).status.success());
}
