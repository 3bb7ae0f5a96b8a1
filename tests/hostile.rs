//! Hostile input, on purpose: more than thirty kinds of bad names, bad
//! PDFs, bad sidecars and bad file-system objects, each with the outcome a
//! user should see, plus files that change or vanish mid-way, a full disk and
//! a database held locked by another process. In every case suratd keeps
//! running and nothing is lost: each file ends up registered, refused with a
//! specific reason (kept byte for byte in `_ditolak/`), or left where it was.

mod common;
use common::hostile;
use common::mount::{Mount, fill};
use common::smtp::Smtp;
use common::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// What should become of a dropped file.
#[derive(Debug, Clone)]
enum Expect {
    /// Registered into 02-verifikasi under a name ending in this subject.
    Registered(&'static str),
    /// Refused with this reason code; its reason file names `phrase`.
    Refused(&'static str, &'static str),
    /// Not suratd's business: left exactly where it was.
    LeftAlone,
}

struct Case {
    kind: &'static str,
    /// The name under 01-draf (bytes, since some are not UTF-8).
    name: Vec<u8>,
    bytes: Vec<u8>,
    expect: Expect,
}

fn case(kind: &'static str, name: &str, bytes: Vec<u8>, expect: Expect) -> Case {
    Case { kind, name: name.as_bytes().to_vec(), bytes, expect }
}

/// Drops a file whose name may be any bytes.
fn drop_raw(env: &Env, name: &[u8], bytes: &[u8]) {
    let tmp = env.dir.path().join("incoming.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    let to = env.p("01-draf").join(OsStr::from_bytes(name));
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::rename(&tmp, &to).unwrap();
}

fn docx() -> Vec<u8> {
    let mut d = b"PK\x03\x04".to_vec();
    d.extend_from_slice(b"\x14\x00\x06\x00[Content_Types].xml word/document.xml");
    d
}

fn rejection(env: &Env, original: &str) -> Option<(String, String)> {
    env.conn()
        .query_row(
            "SELECT reason_code, path FROM rejections WHERE original_path = ?1 ORDER BY id DESC LIMIT 1",
            [original],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

#[test]
fn thirty_kinds_of_hostile_input_each_get_their_own_outcome() {
    use Expect::*;
    let env = env("events");
    let mut d = env.start();
    let good = pdf("ok");
    let long_subject = "Sangat Panjang ".repeat(15);
    let mut cases = vec![
        // Names.
        case(
            "windows_illegal_chars",
            "KP.650 Rapat: \"Evaluasi\" <Q3>?*|.pdf",
            pdf("a1"),
            Registered(" Rapat Evaluasi Q3.pdf"),
        ),
        case("trailing_dots_and_spaces", "KP.650 Akhir Titik. . .pdf", pdf("a2"), Registered(" Akhir Titik.pdf")),
        case("control_characters", "KP.650 Baris\nBaru\tTab\u{7}.pdf", pdf("a3"), Registered(" Baris Baru Tab.pdf")),
        case("very_long_name", &format!("KP.650 {long_subject}Akhir.pdf"), pdf("a4"), Registered(" Sangat Panjang")),
        case("unicode_and_emoji", "KP.650 Undangan 📅 Ñoño Ω.pdf", pdf("a5"), Registered(" Undangan 📅 Ñoño Ω.pdf")),
        case("uppercase_extension", "KP.650 Huruf Besar.PDF", pdf("a6"), Registered(" Huruf Besar.pdf")),
        case("no_classification_in_name", "Tanpa Kode.pdf", pdf("a7"), Refused("no_klasifikasi", "klasifikasi")),
        // Contents that are not PDFs.
        case("empty_file", "KP.650 Kosong.pdf", vec![], Refused("empty", "kosong")),
        case("plain_text", "KP.650 Teks.pdf", b"Ini hanya teks biasa".to_vec(), Refused("not_pdf", "berkas teks")),
        case("png_image", "KP.650 Gambar.pdf", b"\x89PNG\r\n\x1a\nxxxx".to_vec(), Refused("not_pdf", "gambar PNG")),
        case("executable", "KP.650 Program.pdf", b"MZ\x90\x00\x03".to_vec(), Refused("not_pdf", "program")),
        case("word_document", "KP.650 Laporan.docx", docx(), Refused("not_a_document", "bukan dokumen Word")),
        // PDFs that are hostile or broken.
        case("truncated_pdf", "KP.650 Terpotong.pdf", good[..good.len() / 2].to_vec(), Refused("broken", "rusak")),
        case(
            "garbage_after_header",
            "KP.650 Sampah.pdf",
            b"%PDF-1.7\nsampah\n%%EOF\n".to_vec(),
            Refused("broken", "rusak"),
        ),
        case(
            "decompression_bomb",
            "KP.650 Bom.pdf",
            hostile::decompression_bomb(1 << 30),
            Refused("broken", "bom dekompresi"),
        ),
        case(
            "zero_pages",
            "KP.650 Nol Halaman.pdf",
            hostile::zero_pages(),
            Refused("broken", "tidak memiliki halaman"),
        ),
        case("page_tree_loop", "KP.650 Berputar.pdf", hostile::page_tree_loop(), Refused("broken", "rusak")),
        case("javascript", "KP.650 Skrip.pdf", hostile::javascript("js"), Refused("active_content", "JavaScript")),
        case(
            "launch_action",
            "KP.650 Luncur.pdf",
            hostile::launch_action("launch"),
            Refused("active_content", "Launch"),
        ),
        case("encrypted", "KP.650 Terkunci.pdf", hostile::encrypted("kunci"), Refused("encrypted", "kata sandi")),
        case("deep_nesting", "KP.650 Bersarang.pdf", hostile::deep_nesting(200_000), Registered(" Bersarang.pdf")),
        case(
            "broken_cross_reference",
            "KP.650 Xref Rusak.pdf",
            hostile::broken_xref("xref"),
            Registered(" Xref Rusak.pdf"),
        ),
        // Office and system files that are never letters.
        case("word_lock_file", "~$Laporan.docx", b"lock".to_vec(), LeftAlone),
        case("libreoffice_lock_file", ".~lock.Laporan.odt#", b"lock".to_vec(), LeftAlone),
        case("windows_thumbnail_cache", "Thumbs.db", b"cache".to_vec(), LeftAlone),
    ];
    // A name that is not UTF-8 (Latin-1 from an old program): renamed in place, then registered.
    cases.push(Case {
        kind: "non_utf8_name",
        name: b"KP.650 Surat Lama \xE9\xE8.pdf".to_vec(),
        bytes: pdf("latin1"),
        expect: Registered(" Surat Lama __.pdf"),
    });
    // Sidecars from users.
    let sidecars: Vec<(&'static str, &'static str, Vec<u8>)> = vec![
        ("huge_sidecar", "KP.650 Sidecar Besar", format!("perihal: \"{}\"\n", "x".repeat(100_000)).into_bytes()),
        ("alias_bomb_sidecar", "KP.650 Sidecar Bom", hostile::alias_bomb_yaml().into_bytes()),
        ("non_utf8_sidecar", "KP.650 Sidecar Latin", b"perihal: Caf\xE9\n".to_vec()),
        (
            "deeply_nested_sidecar",
            "KP.650 Sidecar Dalam",
            format!("tujuan: {}{}\n", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ),
        ("wrong_type_sidecar", "KP.650 Sidecar Salah", b"perihal: [1, 2]\nsifat: {a: b}\n".to_vec()),
        ("unknown_sifat_sidecar", "KP.650 Sidecar Sifat", b"sifat: Super Rahasia\n".to_vec()),
    ];
    for (kind, stem, yaml) in &sidecars {
        cases.push(case(kind, &format!("{stem}.pdf"), pdf(kind), Refused("bad_sidecar", "")));
        std::fs::write(env.p(&format!("01-draf/{stem}.yaml")), yaml).unwrap();
    }
    // A sidecar that is a link to a file outside the share: never read.
    let outside_yaml = env.dir.path().join("outside.yaml");
    std::fs::write(&outside_yaml, "perihal: Rahasia Di Luar\n").unwrap();
    std::os::unix::fs::symlink(&outside_yaml, env.p("01-draf/KP.650 Sidecar Tautan.yaml")).unwrap();
    cases.push(case(
        "symlinked_sidecar",
        "KP.650 Sidecar Tautan.pdf",
        pdf("symlinked_sidecar"),
        Refused("bad_sidecar", "tautan (symbolic link)"),
    ));

    // File-system objects.
    let outside = env.dir.path().join("outside.pdf");
    std::fs::write(&outside, pdf("rahasia di luar share")).unwrap();
    std::os::unix::fs::symlink(&outside, env.p("01-draf/KP.650 Tautan Keluar.pdf")).unwrap();
    std::os::unix::fs::symlink(env.dir.path(), env.p("01-draf/KP.650 Tautan Folder.pdf")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.pdf", env.p("01-draf/KP.650 Tautan Putus.pdf")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(env.p("01-draf/KP.650 Pipa.pdf")).status().unwrap().success());
    let sock = std::os::unix::net::UnixListener::bind(env.p("01-draf/KP.650 Soket.pdf")).unwrap();
    // Companions that are no plain files: a note that is a link, a sidecar that is a FIFO.
    std::os::unix::fs::symlink(&outside_yaml, env.p("01-draf/catatan tautan.txt")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(env.p("01-draf/pipa.yaml")).status().unwrap().success());
    // A hard link to a file outside the share: taken; the outside name is untouched.
    let outside_hard = env.dir.path().join("outside-hard.pdf");
    let hard_bytes = pdf("tautan keras");
    std::fs::write(&outside_hard, &hard_bytes).unwrap();
    std::fs::hard_link(&outside_hard, env.p("01-draf/KP.650 Tautan Keras.pdf")).unwrap();
    // Two names for one file inside the share: one letter, one duplicate.
    let twin = pdf("kembar");
    drop_raw(&env, b"KP.650 Kembar A.pdf", &twin);
    std::fs::hard_link(env.p("01-draf/KP.650 Kembar A.pdf"), env.p("01-draf/KP.650 Kembar B.pdf")).unwrap();
    // Folders: one dropped with a letter two levels down, one empty folder named like a PDF.
    std::fs::create_dir_all(env.dir.path().join("stage/Folder Baru/Sub")).unwrap();
    std::fs::write(env.dir.path().join("stage/Folder Baru/Sub/KP.650 Dalam Folder.pdf"), pdf("dalam")).unwrap();
    std::fs::rename(env.dir.path().join("stage/Folder Baru"), env.p("01-draf/Folder Baru")).unwrap();
    std::fs::create_dir(env.p("01-draf/KP.650 Map Kosong.pdf")).unwrap();

    for c in &cases {
        if !matches!(c.kind, k if k.ends_with("sidecar")) {
            drop_raw(&env, &c.name, &c.bytes);
        }
    }
    for c in cases.iter().filter(|c| c.kind.ends_with("sidecar")) {
        drop_raw(&env, &c.name, &c.bytes);
    }
    let extra_kinds = [
        "symlink_out_of_tree",
        "symlink_to_directory",
        "dangling_symlink",
        "fifo",
        "unix_socket",
        "symlinked_note",
        "fifo_sidecar",
        "hard_link_from_outside",
        "hard_link_inside",
        "folder_dropped",
        "empty_folder_named_pdf",
    ];
    let kinds = cases.len() + extra_kinds.len();
    assert!(kinds >= 30, "only {kinds} kinds");

    let registered = cases.iter().filter(|c| matches!(c.expect, Registered(_))).count() + 3; // hard link, twin, folder
    // 3 links, fifo, socket, twin, linked note, fifo sidecar
    let refused = cases.iter().filter(|c| matches!(c.expect, Refused(..))).count() + 8;
    let ok = wait_until(Duration::from_secs(60), || {
        env.count("SELECT COUNT(*) FROM letters") as usize == registered
            && env.count("SELECT COUNT(*) FROM rejections") as usize == refused
    });
    env.settled();
    assert!(
        ok,
        "letters {} of {registered}, rejections {} of {refused}\ntree: {:#?}\nlog:\n{}",
        env.count("SELECT COUNT(*) FROM letters"),
        env.count("SELECT COUNT(*) FROM rejections"),
        env.tree(),
        env.log()
    );

    let verif = env.files("02-verifikasi");
    for c in &cases {
        let shown = String::from_utf8_lossy(&c.name).into_owned();
        let original = format!("01-draf/{shown}");
        match &c.expect {
            Registered(suffix) => {
                let f =
                    verif.iter().find(|n| n.ends_with(suffix) || (c.kind == "very_long_name" && n.contains(suffix)));
                let f = f.unwrap_or_else(|| panic!("{}: no {suffix:?} in {verif:#?}", c.kind));
                assert!(f.chars().count() <= suratd::letter::names::MAX_NAME_CHARS, "{}: {f}", c.kind);
                assert!(!f.contains(['\\', ':', '*', '?', '"', '<', '>', '|', '\n', '\t']), "{}: {f}", c.kind);
                if c.kind != "broken_cross_reference" {
                    assert!(base(&env.p(&format!("02-verifikasi/{f}"))) == c.bytes, "{}: kept byte for byte", c.kind);
                } else {
                    assert!(text(&env.p(&format!("02-verifikasi/{f}"))).contains("xref"), "{}", c.kind);
                }
            }
            Refused(code, phrase) => {
                let (got, path) = rejection(&env, &original).unwrap_or_else(|| panic!("{}: no rejection", c.kind));
                assert_eq!(&got, code, "{}", c.kind);
                assert!(std::fs::read(env.p(&path)).unwrap() == c.bytes, "{}: kept byte for byte", c.kind);
                let reason = std::fs::read_to_string(env.p(&format!("{path}.alasan.txt"))).unwrap();
                assert!(reason.contains(phrase), "{}: {reason}", c.kind);
                if c.kind.ends_with("sidecar") {
                    // The sidecar goes along, unchanged, so the drafter finds both.
                    let dir = Path::new(&path).parent().unwrap().to_string_lossy().into_owned();
                    let stem = shown.trim_end_matches(".pdf");
                    assert!(
                        env.files(&dir).iter().any(|n| n.starts_with(stem) && n.ends_with(".yaml")),
                        "{}: sidecar kept beside it in {dir}: {:?}",
                        c.kind,
                        env.files(&dir)
                    );
                }
            }
            LeftAlone => {
                assert_eq!(std::fs::read(env.p(&original)).unwrap(), c.bytes, "{}: left in place", c.kind);
                assert!(rejection(&env, &original).is_none(), "{}", c.kind);
            }
        }
    }
    // Sidecar problems are specific: where, and what.
    let reason_of = |stem: &str| {
        let (_, path) = rejection(&env, &format!("01-draf/{stem}.pdf")).unwrap();
        std::fs::read_to_string(env.p(&format!("{path}.alasan.txt"))).unwrap()
    };
    assert!(reason_of("KP.650 Sidecar Besar").contains("terlalu besar"), "{}", reason_of("KP.650 Sidecar Besar"));
    assert!(reason_of("KP.650 Sidecar Latin").contains("UTF-8"));
    assert!(reason_of("KP.650 Sidecar Salah").contains("baris 1"), "{}", reason_of("KP.650 Sidecar Salah"));
    assert!(reason_of("KP.650 Sidecar Dalam").contains("terlalu rumit"), "{}", reason_of("KP.650 Sidecar Dalam"));
    assert!(reason_of("KP.650 Sidecar Sifat").contains("Super Rahasia"));

    // Links: the link itself was moved, never followed; targets untouched.
    for (name, target) in [
        ("KP.650 Tautan Keluar.pdf", outside.clone()),
        ("KP.650 Tautan Folder.pdf", env.dir.path().to_path_buf()),
        ("KP.650 Tautan Putus.pdf", "/nonexistent/x.pdf".into()),
    ] {
        let (code, path) = rejection(&env, &format!("01-draf/{name}")).unwrap();
        assert_eq!(code, "symlink", "{name}");
        assert_eq!(std::fs::read_link(env.p(&path)).unwrap(), target, "{name}");
    }
    assert!(outside.is_file());
    // Special files are never opened, just set aside.
    use std::os::unix::fs::FileTypeExt;
    let (code, fifo) = rejection(&env, "01-draf/KP.650 Pipa.pdf").unwrap();
    assert_eq!(code, "not_pdf");
    assert!(std::fs::symlink_metadata(env.p(&fifo)).unwrap().file_type().is_fifo());
    let (code, socket) = rejection(&env, "01-draf/KP.650 Soket.pdf").unwrap();
    assert_eq!(code, "not_pdf");
    assert!(std::fs::symlink_metadata(env.p(&socket)).unwrap().file_type().is_socket());
    drop(sock);
    let (code, note) = rejection(&env, "01-draf/catatan tautan.txt").unwrap();
    assert_eq!(code, "symlink");
    assert_eq!(std::fs::read_link(env.p(&note)).unwrap(), outside_yaml);
    let (code, fifo) = rejection(&env, "01-draf/pipa.yaml").unwrap();
    assert_eq!(code, "bad_sidecar");
    assert!(std::fs::symlink_metadata(env.p(&fifo)).unwrap().file_type().is_fifo());
    assert_eq!(
        env.count("SELECT COUNT(*) FROM letters WHERE subject LIKE '%Rahasia%'"),
        0,
        "a linked sidecar is never read"
    );
    // The hard link from outside: registered; the outside name still has the original bytes.
    assert!(verif.iter().any(|n| n.ends_with(" Tautan Keras.pdf")), "{verif:?}");
    assert_eq!(std::fs::read(&outside_hard).unwrap(), hard_bytes, "stamping never writes through a hard link");
    // Twins: exactly one registered, the other refused as a duplicate.
    let twins = verif.iter().filter(|n| n.contains(" Kembar ")).count();
    let dup = ["A", "B"]
        .iter()
        .filter(|x| rejection(&env, &format!("01-draf/KP.650 Kembar {x}.pdf")).is_some_and(|r| r.0 == "duplicate"))
        .count();
    assert_eq!((twins, dup), (1, 1), "{verif:?}");
    // The dropped folder's letter was taken and its emptied folders removed.
    assert!(verif.iter().any(|n| n.ends_with(" Dalam Folder.pdf")));
    assert!(!env.p("01-draf/Folder Baru").exists(), "{:?}", env.tree());
    assert!(env.p("01-draf/KP.650 Map Kosong.pdf").is_dir(), "an empty folder is left alone");
    // The not-UTF-8 name is gone from the drafts folder (renamed, then taken).
    assert!(std::fs::read_dir(env.p("01-draf")).unwrap().flatten().all(|e| e.file_name().to_str().is_some()));

    // Nothing else is anywhere: every dropped file is accounted for exactly once.
    assert_eq!(env.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'"), 0);
    assert!(d.alive(), "suratd is still running");
    env.drop_file("01-draf/KP.650 Setelahnya.pdf", &pdf("masih jalan"));
    assert!(wait_until(Duration::from_secs(10), || env
        .files("02-verifikasi")
        .iter()
        .any(|n| n.ends_with(" Setelahnya.pdf"))));
    env.assert_fsck_clean();
}

#[test]
fn an_alias_bomb_sidecar_is_refused_quickly() {
    let r = suratd::letter::metadata::parse_sidecar("bom.yaml", &hostile::alias_bomb_yaml());
    let e = r.expect_err("an alias bomb is refused");
    assert_eq!(e.code, "bad_sidecar");
    assert!(e.detail.starts_with("baris 1 kolom"), "{}", e.detail);
    // Valid in shape, but past the alias budget: refused before expanding.
    let e = suratd::letter::metadata::parse_sidecar("alias.yaml", &hostile::many_aliases_yaml())
        .expect_err("too many aliases");
    assert_eq!(e.code, "bad_sidecar");
    assert!(e.detail.contains("terlalu rumit"), "{}", e.detail);
}

/// Sets one `processing` value in the test config.
fn set_processing(env: &Env, key: &str, value: &str) {
    let text = std::fs::read_to_string(&env.config).unwrap();
    let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{key}:"))).unwrap().to_string();
    std::fs::write(&env.config, text.replace(&line, &format!("  {key}: {value}"))).unwrap();
}

#[test]
fn a_file_deleted_while_being_processed_leaves_no_trace() {
    let env = env("events");
    // Long enough to delete the draft while suratd waits for its sidecar.
    set_processing(&env, "sidecar_wait", "4s");
    let mut d = env.start();
    env.drop_file("01-draf/KP.650 Hilang.pdf", &pdf("hilang"));
    assert!(
        wait_until(Duration::from_secs(10), || env
            .log()
            .lines()
            .any(|l| l.contains("Hilang.pdf") && l.contains("not ready yet"))),
        "suratd saw the draft; log:\n{}",
        env.log()
    );
    std::fs::remove_file(env.p("01-draf/KP.650 Hilang.pdf"))
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{}", env.tree(), env.log()));
    // One deleted before it even settled.
    env.drop_file("01-draf/KP.650 Sekejap.pdf", &pdf("sekejap"));
    std::fs::remove_file(env.p("01-draf/KP.650 Sekejap.pdf")).unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'"), 0);
    assert!(env.tree().is_empty(), "{:?}", env.tree());
    assert!(d.alive());
    // A letter's file deleted after suratd took it: fsck names it; the
    // stored copy is still there for a person to put back.
    env.drop_file("01-draf/KP.650 Dihapus.pdf", &pdf("dihapus"));
    let name = env.wait_file("02-verifikasi", "SK-");
    std::fs::remove_file(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(d.alive());
    let out = env.cli(&["fsck"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(name.split(' ').next().unwrap()), "{text}");
    assert!(env.count("SELECT COUNT(*) FROM versions") >= 1);
}

#[test]
fn a_file_edited_in_place_after_suratd_took_it_is_refused_and_put_back() {
    let env = env("events");
    let mut d = env.start();
    env.drop_file("01-draf/KP.650 Diubah.pdf", &pdf("versi satu"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name.split(' ').next().unwrap().to_string();
    env.settled();
    let review_copy = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    // The reviewer saves an edit over the file in place.
    let edited = pdf("versi dua, diperbaiki di tempat");
    std::fs::write(env.p(&format!("02-verifikasi/{name}")), &edited).unwrap();
    let refused = || env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'letter_overwritten'");
    assert!(wait_until(Duration::from_secs(15), || refused() == 1), "tree {:?}\nlog:\n{}", env.tree(), env.log());
    env.settled();
    assert!(d.alive());
    // The letter's own copy is back; the edit is kept, nothing is lost.
    assert!(std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap() == review_copy);
    assert!(std::fs::read(env.p(&format!("_ditolak/{name}"))).unwrap() == edited);
    assert_eq!(env.letter(&id).0, "verifikasi");
    assert_eq!(env.actions(&id), ["register"]);
    // The edited file still belonged to suratd's user (this test runs as
    // it): who edited it is unknown, never suratd's user.
    let owner: String =
        env.conn().query_row("SELECT owner FROM rejections WHERE letter_id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(owner, "unknown");
}

#[test]
fn a_database_locked_by_another_process_delays_work_and_loses_nothing() {
    let env = env("events");
    let mut d = env.start();
    // Another program holds a write lock (an admin's sqlite3 shell in a transaction).
    let locker = rusqlite::Connection::open(&env.db).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let bytes = pdf("terkunci");
    env.drop_file("01-draf/KP.650 Saat Terkunci.pdf", &bytes);
    assert!(
        wait_until(Duration::from_secs(30), || env.log().contains("database is locked")),
        "suratd reports the lock; log:\n{}",
        env.log()
    );
    assert!(d.alive());
    assert_eq!(std::fs::read(env.p("01-draf/KP.650 Saat Terkunci.pdf")).unwrap(), bytes, "the draft waits in place");
    assert!(env.files("02-verifikasi").is_empty());
    locker.execute_batch("COMMIT").unwrap();
    drop(locker);
    let name = env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(60));
    assert!(base(&env.p(&format!("02-verifikasi/{name}"))) == bytes);
    assert!(env.files("_ditolak").is_empty(), "a lock is not the file's fault: {:?}", env.files("_ditolak"));
    assert!(env.emptied("01-draf"));
}

#[test]
fn a_full_disk_delays_work_and_loses_nothing() {
    let env = env_at("events", "disk/share", "disk/data/suratd.db", "");
    let _disk = Mount::tmpfs(&env.dir.path().join("disk"), "4m");
    let mut d = env.start();
    let filler = env.dir.path().join("disk/filler");
    fill(&filler);
    // Free just enough for the draft itself (a staff member's copy succeeds).
    let bytes = {
        let mut b = pdf("disk penuh");
        b.extend(std::iter::repeat_n(b'%', 0).chain(b"\n".iter().copied()));
        b
    };
    let len = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options().write(true).open(&filler).unwrap().set_len(len - 3 * 4096).unwrap();
    std::fs::write(env.p("01-draf/KP.650 Disk Penuh.pdf"), &bytes).unwrap();
    // Whatever room is left, take it too.
    fill(&env.dir.path().join("disk/filler2"));
    assert!(
        wait_until(Duration::from_secs(30), || env.log().contains("No space left")
            || env.log().contains("database or disk is full")),
        "suratd reports the full disk; log:\n{}",
        env.log()
    );
    assert!(d.alive());
    assert_eq!(std::fs::read(env.p("01-draf/KP.650 Disk Penuh.pdf")).unwrap(), bytes, "the draft waits in place");
    assert!(env.files("02-verifikasi").is_empty(), "no half-written copy: {:?}", env.tree());
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    // Space comes back: the draft goes through, once.
    std::fs::remove_file(&filler).unwrap();
    std::fs::remove_file(env.dir.path().join("disk/filler2")).unwrap();
    let name = env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(60));
    assert!(base(&env.p(&format!("02-verifikasi/{name}"))) == bytes);
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 1);
    assert!(env.files("_ditolak").is_empty(), "a full disk is not the file's fault: {:?}", env.files("_ditolak"));
    let fsck = env.cli(&["fsck"]);
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stdout));
}

/// Everything suratd recorded or sent, as one text: the audit trail's notes,
/// reason texts, queued emails, and what the SMTP server received.
fn everything_said(env: &Env, smtp: &Smtp) -> String {
    let c = env.conn();
    let mut all = String::new();
    for sql in [
        "SELECT COALESCE(note, '') FROM transitions",
        "SELECT reason FROM rejections",
        "SELECT subject || body FROM outbox",
    ] {
        let mut st = c.prepare(sql).unwrap();
        for s in st.query_map([], |r| r.get::<_, String>(0)).unwrap() {
            all.push_str(&s.unwrap());
        }
    }
    smtp.received().iter().for_each(|m| all.push_str(&m.data));
    all
}

#[test]
fn a_note_that_is_a_link_fifo_or_too_large_is_refused_unread() {
    use std::os::unix::fs::FileTypeExt;
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let secret = env.dir.path().join("smtp-password");
    std::fs::write(&secret, "RAHASIA-SMTP-4242").unwrap();
    let mut d = env.start();
    // A FIFO named like a note, alone: refused at once, never opened for reading.
    assert!(
        std::process::Command::new("mkfifo").arg(env.p("03-kelengkapan/revisi/pipa.txt")).status().unwrap().success()
    );
    env.drop_file("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();

    // Sent back by the secretary (the test's login has the role) with a
    // "note" that is a link to the SMTP password, named exactly like the
    // letter, appearing just after the letter itself.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/revisi");
    let link = format!("03-kelengkapan/revisi/{id} Surat Tugas.txt");
    std::os::unix::fs::symlink(&secret, env.p(&link)).unwrap();
    env.wait_file("01-draf/revisi", &format!("{id} Surat Tugas.pdf"));
    assert!(
        wait_until(Duration::from_secs(10), || rejection(&env, &link).is_some()),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let (code, path) = rejection(&env, &link).unwrap();
    assert_eq!(code, "symlink");
    assert_eq!(std::fs::read_link(env.p(&path)).unwrap(), secret, "the link itself is set aside, not followed");
    assert!(!env.files("01-draf/revisi").iter().any(|n| n.ends_with(".txt")), "no note went with the letter");
    assert!(wait_until(Duration::from_secs(10), || smtp.received().iter().any(|m| m.data.contains(&id))));

    // The fifo was refused as an unusable note.
    let (code, fifo) = rejection(&env, "03-kelengkapan/revisi/pipa.txt").expect("the fifo is refused");
    assert_eq!(code, "bad_note");
    assert!(std::fs::symlink_metadata(env.p(&fifo)).unwrap().file_type().is_fifo());
    let reason = std::fs::read_to_string(env.p(&format!("{fifo}.alasan.txt"))).unwrap();
    assert!(reason.contains("catatan (.txt)") && reason.contains("bukan berkas biasa"), "{reason}");

    // Corrected and sent back again, with a note past the 64 KiB limit:
    // refused with its reason; the letter goes back without it.
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf("Surat Tugas v2"));
    env.wait_file("02-verifikasi", &id);
    let big = format!("02-verifikasi/revisi/{id} Surat Tugas.txt");
    std::fs::write(env.p(&big), "Terlalu panjang. ".repeat(4000)).unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || rejection(&env, &big).is_some()), "{:?}\n{}", env.tree(), env.log());
    let (code, path) = rejection(&env, &big).unwrap();
    assert_eq!(code, "bad_note");
    let reason = std::fs::read_to_string(env.p(&format!("{path}.alasan.txt"))).unwrap();
    assert!(reason.contains("terlalu besar"), "{reason}");
    env.wait_file("01-draf/revisi", &format!("{id} Surat Tugas.pdf"));
    assert_eq!(env.actions(&id), ["register", "setuju", "revisi", "resubmit", "revisi"]);
    env.settled();
    assert!(!env.files("01-draf/revisi").iter().any(|n| n.ends_with(".txt")), "{:?}", env.tree());

    // Nothing of the linked file reached the history, a reason or an email.
    let said = everything_said(&env, &smtp);
    assert!(!said.contains("RAHASIA-SMTP"), "the password leaked:\n{said}");
    assert!(!said.contains("Terlalu panjang"), "the oversized note was not read");
    assert!(d.alive());
}

#[test]
fn a_sidecar_that_is_a_link_refuses_its_draft_unread() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let secret = env.dir.path().join("rahasia.yaml");
    std::fs::write(&secret, "perihal: RAHASIA-SIDECAR-77\nklasifikasi: KP.650\n").unwrap();
    let _d = env.start();
    std::os::unix::fs::symlink(&secret, env.p("01-draf/KP.650 Tautan.yaml")).unwrap();
    env.drop_file("01-draf/KP.650 Tautan.pdf", &pdf("tautan"));
    // A link dropped as a sidecar with no draft: refused as a link.
    std::os::unix::fs::symlink(&secret, env.p("01-draf/Sendiri.yaml")).unwrap();
    let ok = wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 2);
    env.settled();
    assert!(ok, "{:?}\n{}", env.tree(), env.log());
    let (code, path) = rejection(&env, "01-draf/KP.650 Tautan.pdf").unwrap();
    assert_eq!(code, "bad_sidecar");
    let reason = std::fs::read_to_string(env.p(&format!("{path}.alasan.txt"))).unwrap();
    assert!(reason.contains("tautan (symbolic link)"), "{reason}");
    // The link went along with its draft, still a link.
    assert_eq!(std::fs::read_link(env.p("_ditolak/KP.650 Tautan.yaml")).unwrap(), secret, "{:?}", env.tree());
    assert_eq!(rejection(&env, "01-draf/Sendiri.yaml").unwrap().0, "symlink");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert!(wait_until(Duration::from_secs(10), || smtp.received().len() >= 2), "the drafter is told twice");
    assert!(!everything_said(&env, &smtp).contains("RAHASIA-SIDECAR"));
}
