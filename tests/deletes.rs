//! A letter's file deleted (or moved out of the share) is put back from the
//! version store, with a reason file, a `restore` in its history, a
//! security event and an email to the admins; the letter stays where it
//! was. In event and polling mode, and for a delete while suratd was down.

mod common;
use common::*;
use std::time::Duration;

/// A draft registered and waiting in 02-verifikasi: (id, file name).
fn under_review(env: &Env) -> (String, String) {
    env.drop_file("01-draf/KP.650 Rapat Anggaran.pdf", &pdf("Rapat Anggaran"));
    let name = env.wait_file("02-verifikasi", "SK-");
    (name[..12].to_string(), name)
}

/// What a put-back leaves: the file back with the letter's own bytes, the
/// reason file, the history, the security event, the admins' email.
fn assert_put_back(env: &Env, id: &str, name: &str, bytes: &[u8]) {
    let back = env.p(&format!("02-verifikasi/{name}"));
    assert!(wait_until(Duration::from_secs(30), || back.is_file()), "{:?}\n{}", env.tree(), env.log());
    assert!(std::fs::read(&back).unwrap() == bytes, "the letter's own version is back");
    let reason = env.p(&format!("_ditolak/{name}.alasan.txt"));
    assert!(wait_until(Duration::from_secs(5), || reason.is_file()), "{:?}", env.tree());
    let r = std::fs::read_to_string(&reason).unwrap();
    assert!(r.contains("dihapus atau dipindahkan") && r.contains(id), "{r}");
    assert!(wait_until(Duration::from_secs(5), || env.actions(id).contains(&"restore".to_string())));
    assert_eq!(env.letter(id).0, "verifikasi");
    let line = env.log().lines().find(|l| l.contains("its own version was put back")).map(str::to_string);
    assert!(line.as_deref().is_some_and(|l| l.contains("security") && l.contains(id)), "{line:?}");
    let admin: String = env.conn().query_row("SELECT body FROM outbox WHERE kind = 'admin'", [], |r| r.get(0)).unwrap();
    assert!(admin.contains(id) && admin.contains("dihapus"), "{admin}");
    let n = env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'letter_deleted'");
    assert_eq!(n, 1, "put back once");
}

fn deleted_letter_is_put_back(mode: &str) {
    let env = env_with(mode, "admins: [admin@bps.go.id]\n");
    let _d = env.start();
    let (id, name) = under_review(&env);
    env.settled();
    let bytes = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    std::fs::remove_file(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    assert_put_back(&env, &id, &name, &bytes);
}

#[test]
fn a_deleted_letter_is_put_back_with_file_events() {
    deleted_letter_is_put_back("events");
}

#[test]
fn a_deleted_letter_is_put_back_with_polling() {
    deleted_letter_is_put_back("poll");
}

#[test]
fn a_letter_deleted_while_suratd_was_down_is_put_back_at_start() {
    let env = env_with("events", "admins: [admin@bps.go.id]\n");
    let (id, name, bytes) = {
        let _d = env.start();
        let (id, name) = under_review(&env);
        env.settled();
        let bytes = std::fs::read(env.p(&format!("02-verifikasi/{name}"))).unwrap();
        (id, name, bytes)
    };
    std::fs::remove_file(env.p(&format!("02-verifikasi/{name}"))).unwrap();
    let _d = env.start();
    assert_put_back(&env, &id, &name, &bytes);
}

#[test]
fn an_approval_is_a_move_not_a_delete() {
    let env = env_with("events", "admins: [admin@bps.go.id]\n");
    let _d = env.start();
    let (id, name) = under_review(&env);
    env.settled();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    // Longer than the grace period of a vanished file.
    std::thread::sleep(Duration::from_secs(8));
    assert!(!env.actions(&id).contains(&"restore".to_string()), "{:?}", env.actions(&id));
    assert!(env.files("02-verifikasi").is_empty(), "{:?}", env.tree());
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 0);
}

#[test]
fn a_letter_cancelled_while_suratd_was_down_is_not_put_back() {
    let env = env_with("events", "admins: [admin@bps.go.id]\n");
    let (id, name) = {
        let _d = env.start();
        let r = under_review(&env);
        env.settled();
        r
    };
    env.mv(&format!("02-verifikasi/{name}"), "batal");
    let _d = env.start();
    assert!(wait_until(Duration::from_secs(15), || env.letter(&id).0 != "verifikasi"), "{}", env.log());
    std::thread::sleep(Duration::from_secs(8));
    assert!(!env.actions(&id).contains(&"restore".to_string()), "{:?}", env.actions(&id));
    assert!(env.files("02-verifikasi").is_empty(), "{:?}", env.tree());
}
