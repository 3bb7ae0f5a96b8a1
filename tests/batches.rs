//! Group commit: drafts that settle together are registered as one batch.
//! suratd is stopped dead (`SURATD_FAULT`, an abort: no clean-up, as a
//! crash) inside a batch at each of its stages, then started again: every
//! draft ends up registered exactly once, numbers without gaps, nothing
//! half written, `fsck` clean. A poison file in the middle of a batch (one
//! that is refused, one that crashes suratd every time it is planned) never
//! holds back or fails the others.

mod common;
use common::*;
use std::collections::HashMap;
use std::time::Duration;

/// Drafts written beside the share, then renamed in together (so they
/// settle together and make one batch).
fn drop_together(env: &Env, names: &[String]) -> Vec<(String, Vec<u8>)> {
    let stage = env.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let drafts: Vec<(String, Vec<u8>)> =
        names.iter().map(|n| (n.clone(), pdf(&format!("Surat {n} untuk uji batch")))).collect();
    for (name, bytes) in &drafts {
        std::fs::write(stage.join(name), bytes).unwrap();
    }
    for (name, _) in &drafts {
        std::fs::rename(stage.join(name), env.p(&format!("01-draf/{name}"))).unwrap();
    }
    drafts
}

fn names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("KP.650 Surat Batch {i:02}.pdf")).collect()
}

/// Waits for a daemon stopped by its fault point.
fn dies(env: &Env, d: &mut Daemon) {
    assert!(
        wait_until(Duration::from_secs(30), || !d.alive()),
        "suratd did not stop at the fault; log:\n{}",
        env.log()
    );
    assert!(env.log().contains("SURATD_FAULT="), "stopped by the fault point:\n{}", env.log());
}

/// Everything settled: `n` letters, no intent pending, the drafting folder
/// empty.
fn settled(env: &Env, n: usize) {
    let ok = wait_until(Duration::from_secs(60), || {
        env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'") as usize == n
            && env.count("SELECT COUNT(*) FROM intents WHERE state = 'pending'") == 0
            && env.files("01-draf").is_empty()
    });
    assert!(ok, "letters {}, tree {:?}\nlog:\n{}", env.count("SELECT COUNT(*) FROM letters"), env.tree(), env.log());
}

/// Each draft registered once: its review copy in `02-verifikasi/` exactly
/// once, numbers 1..=n, no temporary file left anywhere.
fn each_once(env: &Env, drafts: &[(String, Vec<u8>)]) {
    let tree = env.tree();
    assert!(tree.iter().all(|r| !r.contains(".tmp")), "no temporary file left: {tree:?}");
    let mut found: HashMap<String, usize> = HashMap::new();
    for rel in tree.iter().filter(|r| r.starts_with("02-verifikasi/") && r.ends_with(".pdf")) {
        *found.entry(sha256(&base(&env.p(rel)))).or_default() += 1;
    }
    for (name, bytes) in drafts {
        assert_eq!(found.get(&sha256(bytes)), Some(&1), "{name} is in 02-verifikasi exactly once: {tree:?}");
    }
    let c = env.conn();
    let mut st = c.prepare("SELECT number FROM letters WHERE state = 'active'").unwrap();
    let mut seqs: Vec<usize> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|n| n.unwrap().trim_start_matches("B-").split('/').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort();
    assert_eq!(seqs, (1..=drafts.len()).collect::<Vec<_>>(), "numbers without gaps or repeats");
    assert_eq!(env.count("SELECT COUNT(*) FROM transitions WHERE action = 'register'"), drafts.len() as i64);
    env.assert_fsck_clean();
}

/// Stops suratd at `point` inside a batch of 12 drafts, starts it again.
fn crash_at(point: &str) {
    crash_at_then(point, |_| {});
}

/// [`crash_at`], with `while_down` done to the share before the restart.
fn crash_at_then(point: &str, while_down: impl FnOnce(&Env)) {
    let env = env("events");
    let mut d = env.start_with_env(&[("SURATD_FAULT", point)]);
    let drafts = drop_together(&env, &names(12));
    dies(&env, &mut d);
    while_down(&env);
    let d = env.start();
    settled(&env, 12);
    each_once(&env, &drafts);
    assert!(d.stop().success());
}

#[test]
fn a_crash_after_the_plans_of_a_batch_loses_nothing() {
    crash_at("batch-planned");
}

#[test]
fn a_crash_after_the_intents_of_a_batch_loses_nothing() {
    crash_at("batch-intents");
}

#[test]
fn a_crash_half_way_through_placing_a_batch_loses_nothing() {
    crash_at("batch-half-placed");
}

#[test]
fn a_crash_before_the_record_of_a_batch_loses_nothing() {
    crash_at("batch-placed");
}

#[test]
fn drafts_that_settle_together_are_registered_as_one_batch() {
    let env = env("events");
    let d = env.start();
    let drafts = drop_together(&env, &names(20));
    settled(&env, 20);
    each_once(&env, &drafts);
    assert!(env.log().contains("registered a batch of drafts"), "{}", env.log());
    let batches = env.log().lines().filter(|l| l.contains("registered a batch of drafts")).count();
    assert!(batches < 20, "fewer batches than drafts: {batches}");
    assert!(d.stop().success());
}

#[test]
fn a_refused_file_in_the_middle_of_a_batch_does_not_hold_back_the_others() {
    let env = env("events");
    let d = env.start();
    let stage = env.dir.path().join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(stage.join("KP.650 Rusak.pdf"), b"bukan PDF sama sekali").unwrap();
    let drafts: Vec<_> = drop_together(&env, &names(10));
    std::fs::rename(stage.join("KP.650 Rusak.pdf"), env.p("01-draf/KP.650 Rusak.pdf")).unwrap();
    settled(&env, 10);
    each_once(&env, &drafts);
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 1);
    assert!(env.files("_ditolak").iter().any(|f| f.contains("Rusak")), "{:?}", env.tree());
    assert!(d.stop().success());
}

#[test]
fn a_draft_that_crashes_suratd_in_a_batch_is_set_aside_and_the_others_registered() {
    let env = env("events");
    let poison = "KP.650 Surat Batch 05.pdf";
    let fault = format!("plan:01-draf/{poison}");
    let vars = [("SURATD_FAULT", fault.as_str())];
    let mut d = env.start_with_env(&vars);
    let drafts = drop_together(&env, &names(10));
    dies(&env, &mut d);
    // It crashes suratd every time it is planned: started again each time
    // (as systemd would), the others go on alone, it is set aside.
    let mut restarts = 0;
    let mut d = env.start_with_env(&vars);
    while !wait_until(Duration::from_secs(8), || {
        env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'") == 9 && env.files("01-draf").is_empty()
    }) {
        assert!(!d.alive(), "not settled and not crashed; log:\n{}", env.log());
        restarts += 1;
        assert!(restarts <= 5, "still crashing after {restarts} restarts; log:\n{}", env.log());
        d = env.start_with_env(&vars);
    }
    let others: Vec<_> = drafts.into_iter().filter(|(n, _)| n != poison).collect();
    let c = env.conn();
    let numbers: Vec<String> = {
        let mut st = c.prepare("SELECT number FROM letters WHERE state = 'active' ORDER BY number").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(numbers.len(), 9, "{numbers:?}");
    assert_eq!(others.len(), 9);
    let tree = env.tree();
    for (name, bytes) in &others {
        let found = tree
            .iter()
            .filter(|r| r.starts_with("02-verifikasi/") && sha256(&base(&env.p(r))) == sha256(bytes))
            .count();
        assert_eq!(found, 1, "{name} registered once: {tree:?}");
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'failed_repeatedly'"), 1, "{tree:?}");
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections"), 1, "no other draft was refused");
    assert!(env.files("_ditolak").iter().any(|f| f.contains("Batch 05")), "{tree:?}");
    env.assert_fsck_clean();
    assert!(d.stop().success());
}

#[test]
fn the_same_draft_dropped_twice_in_one_batch_is_one_letter() {
    let env = env("events");
    let d = env.start();
    let drafts = drop_together(&env, &names(4));
    std::fs::write(env.dir.path().join("stage/copy.pdf"), &drafts[1].1).unwrap();
    std::fs::rename(env.dir.path().join("stage/copy.pdf"), env.p("01-draf/KP.650 Salinan.pdf")).unwrap();
    settled(&env, 4);
    each_once(&env, &drafts);
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'duplicate'"), 1, "{:?}", env.tree());
    assert!(d.stop().success());
}

#[test]
fn a_draft_renamed_while_suratd_was_down_after_its_batch_was_numbered_leaves_no_gap() {
    // The drafter renames the third draft while suratd is down: its
    // registration is undone, and so are those after it in the batch
    // (their numbers, all higher, given back); all are registered again.
    crash_at_then("batch-intents", |env| {
        std::fs::rename(env.p("01-draf/KP.650 Surat Batch 03.pdf"), env.p("01-draf/KP.650 Surat Batch 03 baru.pdf"))
            .unwrap();
    });
}

#[test]
fn a_draft_tried_before_does_not_become_a_second_letter_of_the_same_bytes() {
    let env = env("events");
    assert!(env.start().stop().success(), "the tree and database are made");
    // B was tried once before (its batch was under way at a crash), so it
    // goes alone; A, the same bytes, settles with it.
    let bytes = pdf("Surat yang sama");
    std::fs::write(env.p("01-draf/KP.650 Sama B.pdf"), &bytes).unwrap();
    let m = std::fs::metadata(env.p("01-draf/KP.650 Sama B.pdf")).unwrap();
    use std::os::unix::fs::MetadataExt;
    let mtime_ns = m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128;
    env.conn()
        .execute(
            "INSERT INTO attempts (path, size, mtime_ns, count, updated_at) VALUES ('01-draf/KP.650 Sama B.pdf', ?1, ?2, 1, '2026-01-01T00:00:00.000Z')",
            rusqlite::params![m.len() as i64, mtime_ns as i64],
        )
        .unwrap();
    let d = env.start();
    std::fs::write(env.dir.path().join("a.pdf"), &bytes).unwrap();
    std::fs::rename(env.dir.path().join("a.pdf"), env.p("01-draf/KP.650 Sama A.pdf")).unwrap();
    settled(&env, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM letters WHERE state = 'active'"), 1, "{:?}", env.tree());
    assert_eq!(env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'duplicate'"), 1, "{:?}", env.tree());
    assert!(d.stop().success());
}
