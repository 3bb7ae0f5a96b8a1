//! Late sidecars, end to end through the real daemon: a `.yaml` that
//! arrives alone after its draft was registered updates the letter (subject,
//! addressees, copies, enclosure) while it waits for its first review, from
//! its drafter only; otherwise it is refused with a reason, never left in
//! `01-draf/`.

mod common;
use common::*;
use std::time::Duration;

/// A registered draft `01-draf/{draft}.pdf`: the letter's id and the name
/// of its file in 02-verifikasi.
fn registered(env: &Env, draft: &str) -> (String, String) {
    env.drop_file(&format!("01-draf/{draft}.pdf"), &pdf(draft));
    let name = env.wait_file("02-verifikasi", "SK-");
    (name[..12].to_string(), name)
}

fn subject(env: &Env, id: &str) -> String {
    env.conn().query_row("SELECT subject FROM letters WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

/// Waits for the refusal of `file` (in 01-draf) and returns its reason code
/// and reason text; the file is in `_ditolak/` and gone from 01-draf.
fn refused(env: &Env, file: &str) -> (String, String) {
    let reason = env.p(&format!("_ditolak/{file}.alasan.txt"));
    assert!(wait_until(Duration::from_secs(15), || reason.is_file()), "{:#?}\n{}", env.tree(), env.log());
    env.settled();
    let code: String = env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE original_path = ?1", [format!("01-draf/{file}")], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(env.p(&format!("_ditolak/{file}")).is_file(), "{:?}", env.tree());
    assert!(!env.p(&format!("01-draf/{file}")).exists(), "{:?}", env.tree());
    (code, std::fs::read_to_string(reason).unwrap())
}

#[test]
fn a_late_sidecar_updates_the_subject_and_addressees_of_a_letter_in_its_first_review() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, name) = registered(&env, "KP.650 Undangan");
    let under_review = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    // Forgotten, and dropped a minute later under the draft's own name.
    let late = "perihal: Undangan Rapat Koordinasi\nsifat: Biasa\ntujuan:\n  - nama: Kepala BPS Kabupaten Kaur\n    email: kaur@bps.go.id\ntembusan:\n  - Arsip\nlampiran: 1 berkas\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan.yaml"), late).unwrap();
    assert!(
        wait_until(Duration::from_secs(15), || subject(&env, &id) == "Undangan Rapat Koordinasi"),
        "{:#?}\n{}",
        env.tree(),
        env.log()
    );
    env.settled();
    let meta: String = env.conn().query_row("SELECT metadata FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["tujuan"][0]["email"], "kaur@bps.go.id");
    assert_eq!((meta["tembusan"][0]["nama"].as_str(), meta["lampiran"].as_str()), (Some("Arsip"), Some("1 berkas")));
    // The sidecar left the share, is in the version store, and the trail
    // names it; the letter stays where it was, its copy untouched.
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
    let sha = sha256(late.as_bytes());
    assert!(env.dir.path().join("data/store").join(&sha[..2]).join(&sha).is_file());
    assert_eq!(env.actions(&id), ["register", "sidecar"]);
    assert_eq!(env.letter(&id).0, "verifikasi");
    assert!(std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap() == under_review);
    let out = env.cli(&["history", &id, "--json"]);
    let trail: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &trail[1];
    assert_eq!((t["action"].as_str(), t["sha256"].as_str()), (Some("sidecar"), Some(sha.as_str())), "{trail}");
    assert_eq!(t["actor"], me());
    assert!(t["note"].as_str().unwrap().contains("Perihal surat diubah"), "{t}");
    // `status` and the agenda show the new subject.
    let out = env.cli(&["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["subject"], "Undangan Rapat Koordinasi");
    let agenda = String::from_utf8(env.cli(&["agenda", "--csv"]).stdout).unwrap();
    assert!(agenda.contains(";Undangan Rapat Koordinasi;Kepala BPS Kabupaten Kaur;"), "{agenda}");

    // One named with the letter's id at its start does the same.
    std::fs::write(env.p(&format!("01-draf/{id} keterangan.yaml")), "tujuan:\n  - Kepala Dinas Kominfo\n").unwrap();
    assert!(wait_until(Duration::from_secs(15), || env.actions(&id).len() == 3), "{}", env.log());
    env.settled();
    let meta: String = env.conn().query_row("SELECT metadata FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert!(meta.contains("Kepala Dinas Kominfo") && !meta.contains("kaur@bps.go.id"), "{meta}");
    assert_eq!(subject(&env, &id), "Undangan Rapat Koordinasi");
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
}

#[test]
fn a_late_sidecar_that_changes_sifat_is_refused_cancel_and_draft_again() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, _) = registered(&env, "KP.650 Surat Edaran");
    std::fs::write(env.p("01-draf/KP.650 Surat Edaran.yaml"), "perihal: Edaran Rahasia\nsifat: Rahasia\n").unwrap();
    let (code, text) = refused(&env, "KP.650 Surat Edaran.yaml");
    assert_eq!(code, "sidecar_fixed_field");
    assert!(text.contains("mengubah sifat surat") && text.contains(&id), "{text}");
    assert!(text.contains("batalkan surat") && text.contains("draf baru"), "{text}");
    // Nothing changed for the letter.
    assert_eq!(subject(&env, &id), "Surat Edaran");
    assert_eq!(env.actions(&id), ["register"]);
    let sifat: String = env.conn().query_row("SELECT sifat FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(sifat, "B");
}

#[test]
fn a_late_sidecar_after_the_first_review_is_refused() {
    let env = mail_env(None, "");
    let _d = env.start();
    let (id, name) = registered(&env, "KP.650 Surat Tugas");
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    std::fs::write(env.p("01-draf/KP.650 Surat Tugas.yaml"), "perihal: Surat Tugas Lain\n").unwrap();
    let (code, text) = refused(&env, "KP.650 Surat Tugas.yaml");
    assert_eq!(code, "sidecar_too_late");
    assert!(text.contains("sudah melewati verifikasi Ketua Tim") && text.contains(&id), "{text}");
    assert_eq!(subject(&env, &id), "Surat Tugas");
    assert_eq!(env.actions(&id), ["register", "setuju"]);
}

/// Another person (a drafter too, who may write 01-draf) drops a sidecar
/// under the letter's draft name: refused, logged as a security event.
#[test]
fn a_late_sidecar_from_someone_other_than_the_drafter_is_refused() {
    needs_root("to give a file another owner");
    let env = mail_env(None, "");
    let nobody = nobody_is(&env, "name: Budi Lain, roles: [anggota_tim], team: umum");
    let _d = env.start();
    let (id, _) = registered(&env, "KP.650 Nota Dinas");
    env.drop_file_as("01-draf/KP.650 Nota Dinas.yaml", b"perihal: Nota Dinas Palsu\n", 65534);
    let (code, text) = refused(&env, "KP.650 Nota Dinas.yaml");
    assert_eq!(code, "not_drafter");
    assert!(text.contains("Dewi Drafter"), "{text}");
    assert_eq!(subject(&env, &id), "Nota Dinas");
    assert_eq!(env.actions(&id), ["register"]);
    let log = env.log();
    let line = log.lines().find(|l| l.contains("late sidecar is refused")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains(&id) && line.contains(&nobody) && line.contains("security"), "{line}");
}

/// A sidecar that names no letter, and hostile ones (huge, an alias bomb,
/// deep nesting) for a registered letter: each refused with its reason,
/// none left in 01-draf, the letter unchanged.
#[test]
fn unmatched_and_hostile_late_sidecars_are_refused_not_left() {
    let env = mail_env(None, "");
    let _d = env.start();
    std::fs::write(env.p("01-draf/Tidak Ada Drafnya.yaml"), "perihal: Yatim\n").unwrap();
    let (code, text) = refused(&env, "Tidak Ada Drafnya.yaml");
    assert_eq!(code, "sidecar_unmatched");
    assert!(text.contains("tidak cocok dengan surat mana pun"), "{text}");

    let (id, _) = registered(&env, "KP.650 Laporan");
    std::fs::write(env.p(&format!("01-draf/{id} besar.yaml")), format!("perihal: {}\n", "x".repeat(70_000))).unwrap();
    let (code, text) = refused(&env, &format!("{id} besar.yaml"));
    assert_eq!((code.as_str(), text.contains("terlalu besar")), ("bad_sidecar", true), "{text}");
    let mut bomb = String::from("perihal: &a Laporan\ntujuan:\n");
    for _ in 0..100 {
        bomb.push_str("  - *a\n");
    }
    std::fs::write(env.p(&format!("01-draf/{id} bom.yaml")), bomb).unwrap();
    let (code, text) = refused(&env, &format!("{id} bom.yaml"));
    assert_eq!((code.as_str(), text.contains("terlalu rumit")), ("bad_sidecar", true), "{text}");
    // Under the draft's own name, nested 5000 deep.
    let deep = format!("tujuan: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    std::fs::write(env.p("01-draf/KP.650 Laporan.yaml"), deep).unwrap();
    assert_eq!(refused(&env, "KP.650 Laporan.yaml").0, "bad_sidecar");
    assert_eq!(env.actions(&id), ["register"]);
    assert_eq!(subject(&env, &id), "Laporan");
    assert!(env.emptied("01-draf"), "{:?}", env.tree());
}
