//! `suratd backup DIR` tried as an admin on a bad day and as someone who
//! would like a copy of every letter: a backup folder on the share, files
//! others can read, links planted in the folder, a backup cut short, two
//! backups at once, and the README's restore steps followed literally.

mod common;
use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

fn backup(env: &Env, dir: &Path) -> Output {
    env.cli(&["backup", dir.to_str().unwrap()])
}

/// A daemon with one registered letter.
fn one_letter(env: &Env) -> Daemon {
    let d = env.start();
    env.drop_file("01-draf/KP.650 Satu.pdf", &pdf("Satu"));
    env.wait_file("02-verifikasi", "SK-");
    d
}

/// Every file and folder under `dir`, the folder itself included.
fn all_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(all_under(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn attack_a_backup_folder_on_the_share_is_refused() {
    let env = env("events");
    let _d = one_letter(&env);
    // Straight into a folder staff read, and through a link that leads there.
    let inside = env.p("arsip/cadangan");
    let out = backup(&env, &inside);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("is inside the share"), "{}", said(&out));
    assert!(!inside.exists(), "nothing is written on the share");
    let link = env.dir.path().join("backup-link");
    std::os::unix::fs::symlink(env.p("_ditolak"), &link).unwrap();
    let out = backup(&env, &link.join("cadangan"));
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("is inside the share"), "{}", said(&out));
    assert!(env.files("_ditolak").is_empty(), "{:?}", env.files("_ditolak"));
}

#[test]
fn attack_a_backup_is_readable_by_its_owner_only() {
    let env = env("events");
    let _d = one_letter(&env);
    // cron's umask (022), and a folder made beforehand by the admin.
    let dir = env.dir.path().join("backup");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = backup(&env, &dir);
    assert!(out.status.success(), "{}", said(&out));
    let open: Vec<String> = all_under(&dir)
        .into_iter()
        .filter(|p| std::fs::metadata(p).unwrap().mode() & 0o077 != 0 && !p.starts_with(dir.join("store")))
        .map(|p| format!("{} {:o}", p.display(), std::fs::metadata(&p).unwrap().mode() & 0o777))
        .collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
    let stored: Vec<_> = all_under(&dir.join("store")).into_iter().filter(|p| p.is_file()).collect();
    assert!(!stored.is_empty());
    for p in stored {
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o077, 0, "{}", p.display());
    }
}

#[test]
fn attack_links_planted_in_the_backup_folder_are_not_followed() {
    let env = env("events");
    let d = one_letter(&env);
    let dir = env.dir.path().join("backup");
    assert!(backup(&env, &dir).status.success());
    // Someone who could write into the folder plants links where the next
    // backup writes its temporary files.
    let victim = env.dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    for name in [".SURATD-BACKUP.txt.tmp", ".suratd.db.backup-tmp"] {
        std::os::unix::fs::symlink(&victim, dir.join(name)).unwrap();
    }
    env.drop_file("01-draf/KP.650 Dua.pdf", &pdf("Dua"));
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM letters") == 2), "{}", env.log());
    env.wait_file("02-verifikasi", &format!("SK-{}-0002", year()));
    let store = env.db.parent().unwrap().join("store");
    for p in all_under(&store).into_iter().filter(|p| p.is_file()) {
        let sha = p.file_name().unwrap().to_str().unwrap().to_string();
        let sub = dir.join("store").join(&sha[..2]);
        if !sub.join(&sha).exists() {
            std::fs::create_dir_all(&sub).unwrap();
            std::os::unix::fs::symlink(&victim, sub.join(format!(".{sha}.backup-tmp"))).unwrap();
        }
    }
    let out = backup(&env, &dir);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Backed up 2 letters"), "{}", said(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    drop(d);
}

#[test]
fn attack_a_backup_cut_short_leaves_the_earlier_one_whole() {
    let env = env("events");
    let _d = one_letter(&env);
    let dir = env.dir.path().join("backup");
    assert!(backup(&env, &dir).status.success());
    env.drop_file("01-draf/KP.650 Dua.pdf", &pdf("Dua"));
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM letters") == 2), "{}", env.log());
    env.wait_file("02-verifikasi", &format!("SK-{}-0002", year()));
    // The copy of a new version fails (a folder where its file goes: as a
    // full or failing backup disk, or a kill, would stop it there).
    let store = env.db.parent().unwrap().join("store");
    let new: Vec<String> = all_under(&store)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .filter(|sha| !dir.join("store").join(&sha[..2]).join(sha).exists())
        .collect();
    assert!(!new.is_empty());
    let blocked = dir.join("store").join(&new[0][..2]).join(&new[0]);
    std::fs::create_dir_all(blocked.join("x")).unwrap();
    let out = backup(&env, &dir);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    // The database copy in the folder names only versions its store holds.
    let copy = rusqlite::Connection::open(dir.join("suratd.db")).unwrap();
    let mut st = copy.prepare("SELECT sha256 FROM versions").unwrap();
    let named: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let missing: Vec<&String> =
        named.iter().filter(|sha| !dir.join("store").join(&sha[..2]).join(sha.as_str()).is_file()).collect();
    assert!(missing.is_empty(), "the backup's database names versions its store lacks: {missing:?}");
    let letters: i64 = copy.query_row("SELECT COUNT(*) FROM letters", [], |r| r.get(0)).unwrap();
    assert_eq!(letters, 1, "the earlier backup stays");
    // Once the disk is fine again, the next backup completes.
    std::fs::remove_dir_all(&blocked).unwrap();
    let out = backup(&env, &dir);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Backed up 2 letters"), "{}", said(&out));
}

#[test]
fn attack_two_backups_into_one_folder_at_once_do_not_share_a_temporary_file() {
    let env = env("events");
    let _d = one_letter(&env);
    let dir = env.dir.path().join("backup");
    assert!(backup(&env, &dir).status.success());
    // Another backup (last night's cron, still running) holds the folder.
    let held = std::fs::File::open(&dir).unwrap();
    rustix::fs::flock(&held, rustix::fs::FlockOperation::NonBlockingLockExclusive).unwrap();
    let out = backup(&env, &dir);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("another `suratd backup` is writing into"), "{}", said(&out));
    drop(held);
    assert!(backup(&env, &dir).status.success());
}

/// Last night's backup restored (README's steps) beside the share as it is
/// now, which holds a letter registered after the backup.
fn restored_after_a_later_letter() -> (Env, Env, String) {
    let env = env("events");
    let d = one_letter(&env);
    let dir = env.dir.path().join("backup");
    assert!(backup(&env, &dir).status.success());
    // The day goes on: a second letter gets its number; then the
    // database's disk dies.
    env.drop_file("01-draf/KP.650 Dua.pdf", &pdf("Dua"));
    env.wait_file("02-verifikasi", &format!("SK-{}-0002", year()));
    let number: String =
        env.conn().query_row("SELECT number FROM letters WHERE subject = 'Dua'", [], |r| r.get(0)).unwrap();
    assert!(d.stop().success());
    let restored = env_at("events", "share", "srv/suratd.db", "");
    std::fs::create_dir_all(restored.db.parent().unwrap()).unwrap();
    std::fs::copy(dir.join("suratd.db"), &restored.db).unwrap();
    copy_tree(&dir.join("store"), &restored.db.parent().unwrap().join("store"));
    copy_tree(&env.root, &restored.root);
    (env, restored, number)
}

#[test]
fn attack_fsck_after_a_restore_names_letters_registered_after_the_backup() {
    let (_old, restored, _) = restored_after_a_later_letter();
    let out = restored.cli(&["fsck"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let id = format!("SK-{}-0002", year());
    assert!(
        said(&out).contains(&format!("carries the letter id {id}, which the database does not know"))
            && !said(&out).contains("is not taken in yet"),
        "{}",
        said(&out)
    );
}

/// The restored database does not know the later letter, nor its number:
/// suratd refuses to start beside it (exit 1, naming the file) rather than
/// give that id and number again. Once the admin follows README's steps
/// (the file off the share, `letters.sequence.last_used` set), the next
/// draft gets the next number.
#[test]
fn attack_a_restore_from_last_nights_backup_never_gives_a_number_twice() {
    let (_old, restored, number) = restored_after_a_later_letter();
    let id = format!("SK-{}-0002", year());
    let mut d = restored.start();
    assert!(wait_until(Duration::from_secs(20), || !d.alive()), "suratd started beside the later letter");
    assert_eq!(d.stop().code(), Some(1));
    let log = restored.log();
    assert!(log.contains("never registered") && log.contains(&id), "{log}");
    // README, step 6: the later letter off the share, its number noted.
    let later = restored.files("02-verifikasi").into_iter().find(|n| n.starts_with(&id)).unwrap();
    std::fs::rename(restored.p(&format!("02-verifikasi/{later}")), restored.dir.path().join(&later)).unwrap();
    let seq: i64 = number[2..5].parse().unwrap();
    let wf_path = restored.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&wf_path).unwrap_or_else(|_| SHIPPED.to_string());
    assert!(wf.contains("    last_used: {}"), "the harness's workflow sets no last_used");
    std::fs::write(&wf_path, wf.replace("    last_used: {}", &format!("    last_used: {{{}: {seq}}}", year())))
        .unwrap();
    let config = std::fs::read_to_string(&restored.config).unwrap();
    if !config.contains("\nworkflow:") {
        std::fs::write(&restored.config, format!("{config}workflow: workflow.yaml\n")).unwrap();
    }
    let _d = restored.start();
    restored.drop_file("01-draf/KP.650 Tiga.pdf", &pdf("Tiga"));
    assert!(wait_until(Duration::from_secs(20), || restored.files("01-draf").is_empty()), "{}", restored.log());
    restored.settled();
    let given: String =
        restored.conn().query_row("SELECT number FROM letters WHERE subject = 'Tiga'", [], |r| r.get(0)).unwrap();
    assert_ne!(given, number, "a number already on a letter sent before the restore, given again");
    assert!(given.starts_with(&format!("B-{:03}/", seq + 1)), "{given}");
}

#[test]
fn attack_a_backup_folder_of_another_user_or_with_suratd_stopped() {
    let env = env("events");
    let d = one_letter(&env);
    // A folder someone else owns (planted, or a link to theirs).
    let theirs = env.dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    let link = env.dir.path().join("nightly");
    std::os::unix::fs::symlink(&theirs, &link).unwrap();
    for dir in [&theirs, &link] {
        let out = backup(&env, dir);
        assert_eq!(out.status.code(), Some(1), "{}", said(&out));
        assert!(said(&out).contains("belongs to another user"), "{}", said(&out));
    }
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 0);
    // Before an upgrade: suratd stopped, its WAL checkpointed away.
    assert!(d.stop().success());
    let dir = env.dir.path().join("backup");
    let out = backup(&env, &dir);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Backed up 1 letters"), "{}", said(&out));
}
