//! Agenda numbers where a register is easiest to get wrong, as a drafter and
//! the secretary meet them: letters dated in an earlier year (or in the
//! future), and who may give a letter a sifat other than Biasa (SOP-024).

mod common;
use common::*;
use std::time::Duration;

/// The shipped workflow with the office's last numbers (`last_used`).
fn env_with_last_used(last_used: &str) -> Env {
    let env = env_with("events", "workflow: workflow.yaml\n");
    let wf = SHIPPED.replace("    last_used: {}", &format!("    last_used: {last_used}"));
    std::fs::write(env.dir.path().join("workflow.yaml"), wf).unwrap();
    env
}

/// A draft with its sidecar in the drafting folder.
fn draft(env: &Env, perihal: &str, sidecar: &str) {
    std::fs::write(env.p(&format!("01-draf/KP.650 {perihal}.yaml")), sidecar).unwrap();
    env.drop_file(&format!("01-draf/KP.650 {perihal}.pdf"), &pdf(perihal));
}

fn reason_of(env: &Env, perihal: &str) -> String {
    std::fs::read_to_string(env.p(&format!("_ditolak/KP.650 {perihal}.pdf.alasan.txt"))).unwrap()
}

#[test]
fn a_letter_dated_in_an_earlier_year_is_inserted_in_that_years_agenda_only_when_its_last_number_is_known() {
    let y = year();
    let env = env_with_last_used(&format!("{{{}: 140}}", y - 1));
    let _d = env.start();
    // Last year's register ended at 140: inserted after it, never 141.
    draft(&env, "Susulan", &format!("tanggal: {}-12-20\n", y - 1));
    let name = env.wait_file("02-verifikasi", "SK-");
    let number: String =
        env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&name[..12]], |r| r.get(0)).unwrap();
    assert_eq!(number, format!("B-140A/17000/KP.650/{}", y - 1));

    // Two years back nothing is known; next year has not come: no number.
    draft(&env, "Lama Sekali", &format!("tanggal: {}-06-01\n", y - 2));
    draft(&env, "Tahun Depan", &format!("tanggal: {}-01-05\n", y + 1));
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 2),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let old = reason_of(&env, "Lama Sekali");
    assert!(
        old.contains(&format!("bertanggal 1 Juni {}", y - 2))
            && old.contains("minta admin sistem mencatat nomor terakhir"),
        "{old}"
    );
    let code: String = env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE original_path LIKE '%Lama Sekali.pdf'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(code, "sequence_unknown");
    assert!(reason_of(&env, "Tahun Depan").contains("belum tiba"), "{}", reason_of(&env, "Tahun Depan"));
    for f in ["Lama Sekali.yaml", "Tahun Depan.yaml"] {
        assert!(env.p(&format!("_ditolak/KP.650 {f}")).is_file(), "{f}: {:?}", env.files("_ditolak"));
    }
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 1, "no number for the refused drafts");

    // The agenda lists it under its own year, not this one.
    let agenda =
        |year: i32| String::from_utf8(env.cli(&["agenda", "--year", &year.to_string(), "--csv"]).stdout).unwrap();
    assert!(agenda(y - 1).contains(&number), "{}", agenda(y - 1));
    assert!(!agenda(y).contains(&number), "{}", agenda(y));
}

/// A workflow where the test's own login (every file's owner) holds
/// `roles`, with the drafter's email.
fn env_as(roles: &str) -> Env {
    let env = mail_env(None, "");
    let path = env.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&path).unwrap();
    let wf = wf.replace("roles: [anggota_tim, sekretaris], team: umum", &format!("roles: [{roles}], team: umum"));
    std::fs::write(&path, wf).unwrap();
    env
}

#[test]
fn a_drafter_asking_for_rahasia_is_refused_before_a_number_and_the_secretary_may() {
    let env = env_as("anggota_tim");
    let d = env.start();
    draft(&env, "Rahasia", "sifat: Rahasia\n");
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 1),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let r = reason_of(&env, "Rahasia");
    assert!(r.contains("Rahasia hanya dapat ditetapkan oleh Sekretaris"), "{r}");
    assert!(env.p("_ditolak/KP.650 Rahasia.yaml").is_file(), "{:?}", env.files("_ditolak"));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 0, "no number is used up");
    assert!(
        wait_until(Duration::from_secs(10), || env
            .count("SELECT COUNT(*) FROM outbox WHERE kind = 'rejected' AND recipients LIKE '%drafter@bps.go.id%'")
            >= 1),
        "the drafter is told"
    );
    drop(d);

    // The secretary (who also drafts) places it: a Rahasia number.
    let env = env_as("anggota_tim, sekretaris");
    let _d = env.start();
    draft(&env, "Rahasia", "sifat: Rahasia\n");
    let name = env.wait_file("02-verifikasi", "SK-");
    let number: String =
        env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&name[..12]], |r| r.get(0)).unwrap();
    assert_eq!(number, format!("R-001/17000/KP.650/{}", year()));
}
