//! Reviewers' notes through the real daemon: a note that comes after its
//! letter was sent back (past `processing.note_wait`) still reaches the
//! drafter, beside the letter, in the trail and by email; and a letter's
//! notes and reason files leave the working folders with it and end in its
//! archive folder.

mod common;
use common::smtp::Smtp;
use common::*;
use std::time::Duration;

#[test]
fn a_note_written_after_the_return_joins_it_and_is_mailed_to_the_drafter() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let kt = nobody_is(&env, "name: Ketua Dua, email: kt-dua@bps.go.id, roles: [ketua_tim], team: umum");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan Rapat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();

    // Sent back without a note; the return is done and mailed before the note is written.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    env.wait_file("01-draf/revisi", &id);
    assert!(wait_until(Duration::from_secs(15), || smtp.received().iter().any(|m| m.text().contains("dikembalikan"))));
    env.drop_file_as("02-verifikasi/revisi/catatan.txt", b"Tanggal rapat salah, mohon diperbaiki.", 65534);

    let note = env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (Ketua Tim).txt"));
    assert!(wait_until(Duration::from_secs(10), || note.is_file()), "{:?}\n{}", env.tree(), env.log());
    env.settled(); // the file is placed before its transition is committed
    assert_eq!(std::fs::read_to_string(&note).unwrap(), "Tanggal rapat salah, mohon diperbaiki.");
    assert!(env.files("02-verifikasi/revisi").is_empty(), "{:?}", env.files("02-verifikasi/revisi"));
    let (actor, text): (String, String) = env
        .conn()
        .query_row("SELECT actor, note FROM transitions WHERE letter_id = ?1 AND action = 'note'", [&id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((actor.as_str(), text.as_str()), (kt.as_str(), "Tanggal rapat salah, mohon diperbaiki."));
    assert!(wait_until(Duration::from_secs(15), || smtp.received().iter().any(|m| m.text().contains("Tanggal rapat"))));
    let got = smtp.received();
    let follow = got.iter().find(|m| m.text().contains("Tanggal rapat")).unwrap();
    assert_eq!(follow.rcpt, ["drafter@bps.go.id"]);
    let subject = follow.header("Subject").unwrap();
    assert!(subject.contains("Catatan perbaikan susulan: Undangan Rapat"), "{subject}");
    assert!(follow.text().contains("Ketua Dua (Ketua Tim) menambahkan catatan perbaikan"), "{}", follow.text());
    assert_eq!(env.letter(&id).0, "draf");
}

#[test]
fn a_note_for_no_letter_sent_back_is_refused_with_a_reason() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Nota.pdf", &pdf("Nota"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    // Named for a letter still under review (it waits for the letter), which
    // is approved instead: the note names a letter never sent back.
    env.drop_file(&format!("02-verifikasi/revisi/{id} catatan.txt"), b"Perbaiki perihal.");
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    let reason = env.p(&format!("_ditolak/{id} catatan.txt.alasan.txt"));
    assert!(wait_until(Duration::from_secs(10), || reason.is_file()), "{:?}\n{}", env.tree(), env.log());
    let text = std::fs::read_to_string(&reason).unwrap();
    assert!(text.contains("tidak sedang dikembalikan") && text.contains(&id), "{text}");
    assert!(env.files("02-verifikasi/revisi").is_empty());
}

#[test]
fn notes_and_reason_files_follow_the_letter_into_its_archive_folder() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Edaran.pdf", &pdf("Surat Edaran"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();

    // Moved where its step does not lead: put back, with a reason file beside it.
    env.mv(&format!("02-verifikasi/{name}"), "04-ajukan-tte");
    let reason = format!("02-verifikasi/{name}.alasan.txt");
    assert!(wait_until(Duration::from_secs(10), || env.p(&reason).is_file()), "{:?}", env.tree());
    // Sent back with a note: the reason file leaves 02-verifikasi with the letter.
    std::fs::write(env.p(&format!("02-verifikasi/revisi/{id} Surat Edaran.txt")), "Tambahkan nomor.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    let note = format!("{id} catatan putaran 1 (Ketua Tim).txt");
    assert!(wait_until(Duration::from_secs(10), || env.p(&format!("01-draf/revisi/{note}")).is_file()));
    assert!(wait_until(Duration::from_secs(5), || env.files("02-verifikasi").is_empty()), "{:?}", env.tree());

    // Corrected: the note leaves 01-draf/revisi with the letter.
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Surat Edaran")));
    env.wait_file("02-verifikasi", &id);
    assert!(wait_until(Duration::from_secs(5), || env.files("01-draf/revisi").is_empty()), "{:?}", env.tree());
    // Put back once more: a reason file of the same name, kept as well.
    env.mv(&format!("02-verifikasi/{name}"), "04-ajukan-tte");
    assert!(wait_until(Duration::from_secs(10), || env.p(&reason).is_file()), "{:?}", env.tree());
    env.settled();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    assert!(wait_until(Duration::from_secs(5), || env.files("02-verifikasi").is_empty()), "{:?}", env.tree());
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let in07 = env.wait_file("07-distribusi", &id);
    std::fs::write(env.p("07-distribusi/terkirim/kirim.txt"), "metode: kurir\npenerima: Pak Amir\n").unwrap();
    env.mv(&format!("07-distribusi/{in07}"), "07-distribusi/terkirim");

    let arsip = format!("arsip/{}/{}", year(), name.trim_end_matches(".pdf"));
    env.wait_file(&arsip, &name);
    let kept = format!("{arsip}/catatan");
    assert!(wait_until(Duration::from_secs(5), || env.files(&kept).len() == 3), "{:?}", env.tree());
    assert_eq!(std::fs::read_to_string(env.p(&format!("{kept}/{note}"))).unwrap(), "Tambahkan nomor.");
    for file in [format!("{name}.alasan.txt"), format!("{name}.alasan (2).txt")] {
        let moved = std::fs::read_to_string(env.p(&format!("{kept}/{file}"))).unwrap();
        assert!(moved.contains(&id), "{moved}");
    }
    // Nothing left in the working folders.
    let tree: Vec<String> = env.tree().into_iter().filter(|p| !p.starts_with("arsip/")).collect();
    assert!(tree.is_empty(), "{tree:?}");
}
