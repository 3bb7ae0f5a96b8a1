//! SOP-024's order for the number: the number (step 2) comes before the
//! upload for review (step 3). Through the real daemon and a real SMTP
//! server: a new draft without its number is held back in `01-draf/revisi/`
//! with suratd's note and email, and reaches the team leader only with the
//! number in it; a draft that carries it goes straight on; no reviewer
//! approves twice for the number.

mod common;
use common::smtp::{Received, Smtp};
use common::*;
use std::time::Duration;

/// `mail_env`'s people and SMTP, on the workflow as shipped (the number
/// checked on entry to the first review).
fn shipped_env(smtp_port: Option<u16>) -> Env {
    mail_env_on(SHIPPED_AS_IS, smtp_port, "")
}

fn mails_to(smtp: &Smtp, addr: &str) -> Vec<Received> {
    smtp.received().into_iter().filter(|m| m.rcpt.iter().any(|r| r == addr)).collect()
}

#[test]
fn a_draft_without_its_number_is_held_before_review_until_it_carries_it() {
    let smtp = Smtp::start(0, &[]);
    let env = shipped_env(Some(smtp.port));
    let _d = env.start();
    let draft = "01-draf/KP.650 Undangan Rapat.pdf";
    env.drop_file(draft, &pdf("Undangan Rapat Koordinasi"));
    let (id, number) = registered_from(&env, draft);
    env.settled();

    // Registered (its number given), but held back with suratd's note.
    let (step, state, path) = env.letter(&id);
    assert_eq!((step.as_str(), state.as_str()), ("draf", "active"));
    assert_eq!(path.unwrap(), format!("01-draf/revisi/{id} Undangan Rapat.pdf"));
    assert!(env.files("02-verifikasi").is_empty(), "{:?}", env.tree());
    let note = std::fs::read_to_string(env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (sistem).txt"))).unwrap();
    assert!(note.contains(&number) && note.contains("belum tercantum"), "{note}");
    assert_eq!(env.actions(&id), ["number_missing"]);
    // The drafter is told, by suratd; the team leader is not (nothing to review yet).
    assert!(wait_until(Duration::from_secs(15), || !mails_to(&smtp, "drafter@bps.go.id").is_empty()));
    let told = &mails_to(&smtp, "drafter@bps.go.id")[0];
    let text = told.text();
    assert!(text.contains("dikembalikan oleh Sistem Surat Keluar (pemeriksaan otomatis) untuk"), "{text}");
    assert!(text.contains("belum tercantum") && !text.contains("suratd"), "{text}");
    assert!(!text.contains("Sekretaris"), "not the reviewer's return: {text}");
    assert!(mails_to(&smtp, "kt@bps.go.id").is_empty());

    // A correction still without it goes back again (round 2, the old note gone).
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf("Undangan Rapat Koordinasi, diperbaiki"));
    let second = env.p(&format!("01-draf/revisi/{id} catatan putaran 2 (sistem).txt"));
    assert!(wait_until(Duration::from_secs(10), || second.is_file()), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    let txts: Vec<String> = env.files("01-draf/revisi").into_iter().filter(|f| f.ends_with(".txt")).collect();
    assert_eq!(txts, [format!("{id} catatan putaran 2 (sistem).txt")]);

    // With the number: on to the team leader, who is told now.
    env.drop_file(&format!("01-draf/{id} v3.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi")));
    let name = env.wait_file("02-verifikasi", &id);
    assert!(env.files("01-draf/revisi").is_empty(), "{:?}", env.tree());
    assert!(wait_until(Duration::from_secs(15), || !mails_to(&smtp, "kt@bps.go.id").is_empty()));
    assert_eq!(env.actions(&id), ["number_missing", "number_missing", "resubmit"]);

    // Each reviewer approves once: nothing checks the number after review.
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    assert_eq!(env.actions(&id), ["number_missing", "number_missing", "resubmit", "setuju", "setuju"]);
}

#[test]
fn a_draft_that_carries_its_number_goes_straight_to_review() {
    let env = shipped_env(None);
    let _d = env.start();
    // The first letter of the year gets B-001 (a Word draft whose placeholder
    // suratd filled would carry it the same way).
    let number = format!("B-001/17000/KP.650/{}", year());
    let draft = "01-draf/KP.650 Nota Dinas.pdf";
    env.drop_file(draft, &pdf(&format!("Nomor: {number}  Nota Dinas")));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    assert_eq!(registered_from(&env, draft), (id.clone(), number));
    assert_eq!(env.actions(&id), ["register"]);
    assert!(env.files("01-draf/revisi").is_empty());
}

#[test]
fn an_office_may_keep_the_number_check_before_signing() {
    // What the other tests run on: the number checked before signing.
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    // Sent back before signing, by suratd.
    let note = env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (sistem).txt"));
    assert!(wait_until(Duration::from_secs(10), || note.is_file()), "{:?}\n{}", env.tree(), env.log());
    env.settled();
    assert_eq!(env.actions(&id), ["register", "setuju", "number_missing"]);
}
