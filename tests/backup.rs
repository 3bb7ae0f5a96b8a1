//! `suratd backup DIR` beside a running daemon, and the restore steps of
//! README.md ("Backup and restore") into an empty server folder, checked by
//! `suratd fsck`; a backup folder it must not use is refused.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

/// Letters dropped and registered; one approved once, one approved twice
/// and sent back (its text lacks its number).
fn letters_in_several_steps(env: &Env) {
    for n in ["Satu", "Dua", "Tiga"] {
        env.drop_file(&format!("01-draf/KP.650 {n}.pdf"), &pdf(n));
        assert!(wait_until(Duration::from_secs(15), || env.files("01-draf").is_empty()), "{}", env.log());
    }
    assert!(wait_until(Duration::from_secs(15), || env.files("02-verifikasi").len() == 3), "{:?}", env.tree());
    let names = env.files("02-verifikasi");
    for name in &names[..2] {
        env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
        env.wait_file("03-kelengkapan", &name[..12]);
    }
    env.mv(&format!("03-kelengkapan/{}", names[0]), "03-kelengkapan/setuju");
    env.wait_file("01-draf/revisi", &names[0]);
}

#[test]
fn a_backup_taken_while_suratd_runs_restores_into_an_empty_server_that_fsck_finds_in_agreement() {
    let env = env("events");
    let d = env.start();
    letters_in_several_steps(&env);
    let dir = env.dir.path().join("backup");
    let out = env.cli(&["backup", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Backed up 3 letters"), "{}", said(&out));
    // The daemon went on; a later backup into the same folder adds only
    // the new versions.
    env.drop_file("01-draf/KP.650 Empat.pdf", &pdf("Empat"));
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM letters") == 4), "{}", env.log());
    env.wait_file("02-verifikasi", &format!("SK-{}-0004", year()));
    let out = env.cli(&["backup", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Backed up 4 letters") && !said(&out).contains("(0 already there)"), "{}", said(&out));
    assert!(d.stop().success());

    // Restore (README): the database and the store beside it, the share.
    let restored = env_at("events", "share", "srv/suratd.db", "");
    std::fs::create_dir_all(restored.db.parent().unwrap()).unwrap();
    std::fs::copy(dir.join("suratd.db"), &restored.db).unwrap();
    copy_tree(&dir.join("store"), &restored.db.parent().unwrap().join("store"));
    copy_tree(&env.root, &restored.root);
    let out = restored.cli(&["fsck"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(said(&out).contains("The database and the folders agree."), "{}", said(&out));
    let records = |e: &Env| -> Vec<(String, Option<String>, String, String)> {
        let c = e.conn();
        let mut st = c.prepare("SELECT id, number, step, sha256 FROM letters ORDER BY id").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(records(&restored), records(&env));
    assert_eq!(records(&env).len(), 4);

    // fsck would have seen a store that was not restored.
    let store = restored.db.parent().unwrap().join("store");
    let sub = std::fs::read_dir(&store).unwrap().flatten().next().unwrap().path();
    std::fs::remove_dir_all(&sub).unwrap();
    let out = restored.cli(&["fsck"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("is missing from the version store"), "{}", said(&out));
}

#[test]
fn a_backup_folder_that_cannot_be_written_or_holds_something_else_is_refused_and_left_as_it_is() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Satu.pdf", &pdf("Satu"));
    env.wait_file("02-verifikasi", "SK-");
    let backup = |dir: &Path| env.cli(&["backup", dir.to_str().unwrap()]);

    // Not a folder that can be written.
    let file = env.dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = backup(&file.join("backup"));
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("cannot create the backup folder"), "{}", said(&out));

    // A folder holding other files.
    let other = env.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "x").unwrap();
    let out = backup(&other);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("is not empty and holds no suratd backup"), "{}", said(&out));
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    // Another database's backup (its first letter is not this one's).
    let dir = env.dir.path().join("backup");
    assert!(backup(&dir).status.success());
    let theirs = rusqlite::Connection::open(dir.join("suratd.db")).unwrap();
    theirs.execute("UPDATE letters SET created_at = '2020-01-02T03:04:05.000Z'", []).unwrap();
    let out = backup(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("holds a backup of another database"), "{}", said(&out));
    let kept: i64 = theirs
        .query_row("SELECT COUNT(*) FROM letters WHERE created_at = '2020-01-02T03:04:05.000Z'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "the other backup is left as it was");

    // A newer backup of this database (more records than it has).
    let live: String = env.conn().query_row("SELECT created_at FROM letters", [], |r| r.get(0)).unwrap();
    theirs.execute("UPDATE letters SET created_at = ?1", [&live]).unwrap();
    theirs.execute("UPDATE transitions SET id = id + 1000", []).unwrap();
    drop(theirs);
    let out = backup(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("holds a newer backup of this database"), "{}", said(&out));
}
