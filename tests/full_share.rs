//! The share failing under suratd while the database is fine (issue 14.1):
//! a full disk (a small tmpfs for the share, the database elsewhere) and
//! folders that cannot be written (read-only bind mounts, which stop root
//! too). Drafts wait where they are, without being refused, losing
//! anything or using a number; the admins are told once; when the share is
//! fixed they are registered with numbers that leave no gap in the agenda.
//! These tests mount, so they need root (as here and in CI).

mod common;
use common::mount::{Mount, fill};
use common::*;
use std::fs;
use std::time::Duration;

/// The admins are known; only the alert about the failing share is sent
/// (never the one about free space running low).
const CONFIG: &str = "admins: [admin@bps.go.id]\nalerts:\n  disk_min_free: 0\n";

/// How many times suratd failed to process a file and will try again.
fn failures(env: &Env) -> usize {
    env.log().matches("could not process a file; will try again").count()
}

/// The alerts about a failing disk queued for the admins.
fn disk_alerts(env: &Env) -> i64 {
    env.count("SELECT COUNT(*) FROM outbox WHERE body LIKE '%disk penuh atau hanya-baca%'")
}

/// The agenda numbers of the year, in order (`suratd agenda --csv`).
fn agenda(env: &Env) -> Vec<String> {
    let out = env.cli(&["agenda", "--csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout[3..]).into_owned();
    text.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| l.split(';').next().unwrap().to_string()).collect()
}

fn numbers(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("B-{i:03}/17000/KP.650/{}", year())).collect()
}

/// Waits until suratd failed `n` times in all and told the admins, then
/// checks that nothing moved: the drafts are where they were, nothing was
/// refused or placed (no half-written copy either), no number was given.
fn assert_waiting(env: &Env, n: usize, drafts: &[String]) {
    let failed = wait_until(Duration::from_secs(60), || failures(env) >= n && disk_alerts(env) >= 1);
    assert!(failed, "expected {n} failures and an alert; log:\n{}", env.log());
    assert_eq!(env.files("01-draf"), drafts, "the drafts wait where they are");
    assert_eq!(env.files("_ditolak"), Vec::<String>::new(), "nothing refused");
    assert_eq!(env.files("02-verifikasi"), Vec::<String>::new(), "nothing placed");
    assert!(env.tree().iter().all(|f| !f.contains(".suratd-")), "nothing half written: {:?}", env.tree());
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 0, "no number used");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters WHERE state NOT IN ('void')"), 0);
}

/// No letter id was used either: the share was found unable to take the
/// copy before the registration began.
fn assert_no_id_used(env: &Env) {
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0, "no letter id used while waiting");
}

/// Waits until `n` letters are in 02-verifikasi, and checks the agenda and
/// that the admins were told once.
fn assert_registered(env: &Env, n: usize) {
    let done = wait_until(Duration::from_secs(90), || env.files("02-verifikasi").len() >= n);
    assert!(done, "not registered after the share was fixed: {:#?}\n{}", env.tree(), env.log());
    env.settled();
    assert_eq!(env.files("02-verifikasi").len(), n, "{:#?}", env.tree());
    assert!(env.files("02-verifikasi").iter().all(|f| f.starts_with("SK-")), "{:#?}", env.tree());
    assert_eq!(env.files("01-draf"), Vec::<String>::new());
    assert_eq!(env.files("_ditolak"), Vec::<String>::new());
    assert_eq!(agenda(env), numbers(n), "numbers 1.. without a gap");
    assert_eq!(disk_alerts(env), 1, "the admins are told once");
}

#[test]
fn drafts_wait_while_the_share_is_full_and_take_gapless_numbers_when_space_returns() {
    let env = env_with("events", CONFIG);
    let _share = Mount::tmpfs(&env.root, "4m");
    let _d = env.start();
    // Drafts written on the share beforehand (outside the workflow's
    // folders), then dropped into 01-draf once the share is full.
    let staging = env.p("staging");
    fs::create_dir(&staging).unwrap();
    let drafts: Vec<String> = (1..=3).map(|i| format!("KP.650 Surat {i}.pdf")).collect();
    for (i, d) in drafts.iter().enumerate() {
        fs::write(staging.join(d), pdf(&format!("Surat {i}"))).unwrap();
    }
    let filler = staging.join("filler");
    fill(&filler);
    for d in &drafts {
        fs::rename(staging.join(d), env.p(&format!("01-draf/{d}"))).unwrap();
    }
    // Each draft tried twice at least (the wait grows in between).
    assert_waiting(&env, 6, &drafts);
    assert_no_id_used(&env);
    fs::remove_file(filler).unwrap();
    assert_registered(&env, 3);
}

#[test]
fn a_copy_placed_before_a_failure_is_taken_back() {
    let env = env_with("events", CONFIG);
    assert!(env.start().stop().success(), "the tree is made");
    env.drop_file("01-draf/KP.650 Undangan.pdf", &pdf("Undangan"));
    // The stamped copy can be written to 02-verifikasi, but the draft
    // cannot be taken from 01-draf afterwards.
    let drafts = Mount::read_only(&env.p("01-draf"));
    let _d = env.start();
    assert_waiting(&env, 2, &["KP.650 Undangan.pdf".to_string()]);
    drop(drafts);
    assert_registered(&env, 1);
}

#[test]
fn drafts_wait_while_the_next_folder_cannot_be_written() {
    let env = env_with("events", CONFIG);
    let _d = env.start();
    let target = Mount::read_only(&env.p("02-verifikasi"));
    env.drop_file("01-draf/KP.650 Undangan.pdf", &pdf("Undangan"));
    assert_waiting(&env, 2, &["KP.650 Undangan.pdf".to_string()]);
    assert_no_id_used(&env);
    drop(target);
    assert_registered(&env, 1);
}
