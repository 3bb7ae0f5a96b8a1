//! The web board in a real browser (headless Chromium over WebDriver),
//! served by the real daemon on 127.0.0.1 while letters move through the
//! share: cards change columns and the letter page gains steps without a
//! reload, logins are asked for, a Rahasia subject stays hidden from those
//! outside its steps, hostile subjects are shown as text and never run,
//! and every page renders. One daemon and one browser per test; the tests
//! take turns (each starts a Chromium on a small shared machine).

mod common;

use common::browser::{Browser, free_port, passwd, wait_listening, web_on};
use common::*;
use std::sync::Mutex;
use std::time::Duration;

/// One test at a time in this file.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

/// The board of the shipped workflow, running, and a browser: the turn,
/// the env, the daemon, the browser and the board's address (dropped in
/// the reverse order: the browser first).
fn plain_board() -> (std::sync::MutexGuard<'static, ()>, Env, Daemon, Browser, String) {
    let t = turn();
    let port = free_port();
    let env = env_with("events", &web_on(port));
    let d = env.start();
    wait_listening(port);
    (t, env, d, Browser::start(), format!("http://127.0.0.1:{port}"))
}

/// A workflow with people (`mail_env`'s: the test's own login drafts and is
/// the secretary; `kt` leads team umum, `kt2` team lain; `sek` is a
/// secretary), the board on a free port: the env and the board's address.
fn board_with_people() -> (Env, u16) {
    let port = free_port();
    (mail_env(None, &web_on(port)), port)
}

/// A draft PDF with its sidecar, dropped in `01-draf/`; the letter's id
/// once it is under review, and its file's name there.
fn draft(env: &Env, name: &str, sidecar: &str) -> (String, String) {
    if !sidecar.is_empty() {
        std::fs::write(env.p(&format!("01-draf/KP.650 {name}.yaml")), sidecar).unwrap();
    }
    let at = format!("01-draf/KP.650 {name}.pdf");
    env.drop_file(&at, &pdf(name));
    let (id, _) = registered_from(env, &at);
    let file = env.wait_file("02-verifikasi", &id);
    (id, file)
}

/// The card of letter `id` in the column of `step`.
fn card(step: &str, id: &str) -> String {
    format!("section.kolom[data-step={step}] a.kartu[data-letter={id}]")
}

/// Marks the page: a reload or a navigation forgets the mark. Returns the
/// page's last live update (`data-updated`), if any.
fn mark(b: &Browser) -> serde_json::Value {
    b.run("window.__sama = 1; return document.body.dataset.updated || null;")
}

/// The page still holds the mark (no reload) and was updated live since
/// `before`.
fn assert_updated_in_place(b: &Browser, before: &serde_json::Value) {
    assert_eq!(b.run("return window.__sama || null;"), serde_json::json!(1), "the page was reloaded");
    let now = b.run("return document.body.dataset.updated || null;");
    assert!(!now.is_null() && &now != before, "no live update: {before} then {now}");
}

#[test]
fn a_card_moves_to_the_next_column_and_the_letter_page_gains_the_step_without_a_reload() {
    let _t = turn();
    let port = free_port();
    let env = env_with("events", &web_on(port));
    let _d = env.start();
    // Its text carries its number: it may go on to the signature.
    let (id, name) =
        into_review(&env, "01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"), |n| format!("Nomor: {n}"));
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{port}");
    wait_listening(port);

    // Without a users file, the server's admin on loopback sees the board.
    b.open(&format!("{base}/"));
    b.wait_for(&card("verifikasi", &id));
    assert_eq!(b.text(&format!("{} .perihal", card("verifikasi", &id))), "Undangan Rapat");
    let before = mark(&b);
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    b.wait_for(&card("kelengkapan", &id));
    assert!(!b.has(&card("verifikasi", &id)), "the card left its old column");
    assert_updated_in_place(&b, &before);

    // The letter page, open while the secretary approves: the new step
    // joins its trail and its current step.
    b.open(&format!("{base}/surat/{id}"));
    b.wait_for("tr[data-step=kelengkapan]");
    assert!(!b.has("tr[data-step=ajukan_tte]"));
    let before = mark(&b);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    b.wait_for("tr[data-step=ajukan_tte]");
    b.wait_for("td[data-step=ajukan_tte]");
    assert_updated_in_place(&b, &before);
}

#[test]
fn off_loopback_the_board_needs_a_password_and_the_browser_logs_in_and_out() {
    let _t = turn();
    let port = free_port();
    let env = mail_env(None, &format!("web:\n  listen: 0.0.0.0:{port}\n"));
    // No one has a password: refused at start, saying how to set one.
    let mut run = std::process::Command::new(Env::bin())
        .arg("--config")
        .arg(&env.config)
        .arg("run")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let exited = wait_until(Duration::from_secs(20), || run.try_wait().unwrap().is_some());
    if !exited {
        let _ = run.kill();
    }
    let out = run.wait_with_output().unwrap();
    assert!(exited, "suratd run went on without a users file: {}", said(&out));
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("suratd web passwd"), "{}", said(&out));

    passwd(&env, "kt", "kata-sandi-kt");
    let _d = env.start();
    wait_listening(port);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{port}");
    // Loopback is a client like any other once passwords exist.
    b.open(&format!("{base}/agenda"));
    b.wait_for("form.masuk");
    assert!(b.url().starts_with(&format!("{base}/masuk")), "{}", b.url());

    let try_password = |password: &str| {
        b.fill("form.masuk input[name=login]", "kt");
        b.fill("form.masuk input[name=password]", password);
        b.click("form.masuk button[type=submit]");
    };
    try_password("salah-sekali");
    assert_eq!(b.text("form.masuk .galat"), "Nama pengguna atau kata sandi salah.");
    assert!(!b.has("header.atas"));

    // The right one: on to the page asked for, then the board.
    try_password("kata-sandi-kt");
    b.wait_for("header.atas");
    assert_eq!(b.url(), format!("{base}/agenda"));
    assert!(b.text("header .siapa").contains("Ketua Umum"), "{}", b.text("header .siapa"));
    b.open(&format!("{base}/"));
    b.wait_for("section.kolom");
    // A second tab with the board.
    let first = b.tabs()[0].clone();
    b.new_tab();
    b.open(&format!("{base}/"));
    b.wait_for("section.kolom");
    let second = b.tabs().into_iter().find(|t| *t != first).unwrap();

    b.switch_to(first);
    b.log_out();
    assert!(b.url().starts_with(&format!("{base}/masuk")), "{}", b.url());
    // The session is over: the board asks again, and the other tab, open
    // on a live page, is sent to the login by itself.
    b.open(&format!("{base}/"));
    b.wait_for("form.masuk");
    assert!(!b.has("section.kolom"));
    b.switch_to(second);
    b.wait_for("form.masuk");
    assert!(b.url().starts_with(&format!("{base}/masuk")), "{}", b.url());
}

#[test]
fn a_rahasia_subject_is_hidden_from_another_teams_leader_and_shown_to_the_secretary() {
    let _t = turn();
    let (env, port) = board_with_people();
    passwd(&env, "kt2", "kata-sandi-kt2");
    passwd(&env, "sek", "kata-sandi-sek");
    let _d = env.start();
    // The secretary (the test's login) drafts it and may place Rahasia.
    let (id, name) = draft(&env, "Mutasi Pegawai", "perihal: Mutasi Pegawai Rahasia\nsifat: Rahasia\n");
    let sifat: String = env.conn().query_row("SELECT sifat FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(sifat, "R");
    wait_listening(port);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{port}");
    let subject = format!("{} .perihal", card("verifikasi", &id));

    // The leader of another team sees where it is, not what it is about.
    b.log_in(&base, "kt2", "kata-sandi-kt2");
    assert_eq!(b.text(&subject), "(Rahasia)");
    assert!(!b.source().contains("Mutasi Pegawai"), "the subject is in the page");
    b.open(&format!("{base}/surat/{id}"));
    assert!(b.text("h1").contains("(Rahasia)"), "{}", b.text("h1"));
    assert!(!b.source().contains("Mutasi Pegawai"), "the subject is in the letter page");
    b.open(&format!("{base}/surat?q=Mutasi"));
    assert_eq!(b.text("p.kecil"), "0 surat ditemukan.");
    b.open(&format!("{base}/"));
    b.log_out();

    // The secretary, of a step it passes through, sees it; and the
    // board follows the letter live for a logged-in person too.
    b.log_in(&base, "sek", "kata-sandi-sek");
    assert_eq!(b.text(&subject), "Mutasi Pegawai Rahasia");
    let before = mark(&b);
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    b.wait_for(&card("kelengkapan", &id));
    assert_updated_in_place(&b, &before);
    assert_eq!(b.text(&format!("{} .perihal", card("kelengkapan", &id))), "Mutasi Pegawai Rahasia");
    b.open(&format!("{base}/surat/{id}"));
    assert!(b.text("h1").contains("Mutasi Pegawai Rahasia"), "{}", b.text("h1"));
}

/// Subjects that would run if a page put them into HTML unescaped.
const HOSTILE: [(&str, &str); 2] =
    [("Skrip", "<script>window.__pwned=1</script>"), ("Gambar", "\"><svg onload=\"window.__pwned=2\">")];

#[test]
fn hostile_subjects_are_shown_as_text_and_never_run() {
    let (_t, env, _d, b, base) = plain_board();
    // Open first: the hostile cards arrive by the live update, then again
    // with the page loaded whole.
    b.open(&format!("{base}/"));
    b.wait_for("section.kolom[data-step=verifikasi]");
    let mut ids = Vec::new();
    for (name, perihal) in HOSTILE {
        let yaml = format!("perihal: '{}'\n", perihal.replace('\'', "''"));
        let (id, _) = draft(&env, name, &yaml);
        let stored: String =
            env.conn().query_row("SELECT subject FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
        assert_eq!(stored, perihal, "the sidecar's subject was taken as it is");
        ids.push(id);
    }
    let check = |b: &Browser| {
        for (id, (_, perihal)) in ids.iter().zip(HOSTILE) {
            assert_eq!(b.text(&format!("{} .perihal", card("verifikasi", id))), perihal);
        }
        assert_eq!(b.run("return typeof window.__pwned;"), serde_json::json!("undefined"));
        assert!(!b.has("#isi script, #isi svg"), "markup from a subject is in the page");
    };
    check(&b);
    b.open(&format!("{base}/"));
    check(&b);
    for (id, (_, perihal)) in ids.iter().zip(HOSTILE) {
        b.open(&format!("{base}/surat/{id}"));
        assert!(b.text("h1").ends_with(perihal), "{}", b.text("h1"));
        assert_eq!(b.run("return typeof window.__pwned;"), serde_json::json!("undefined"));
        assert!(!b.has("#isi script, #isi svg"), "markup from a subject is in the letter page");
    }
}

#[test]
fn every_page_renders_in_the_browser_and_its_screenshot_is_not_blank() {
    let _t = turn();
    let (env, port) = board_with_people();
    passwd(&env, "sek", "kata-sandi-sek");
    let _d = env.start();
    let (id, _) = draft(&env, "Undangan Rapat", "");
    wait_listening(port);
    let b = Browser::start();
    let base = format!("http://127.0.0.1:{port}");
    let shots = env.dir.path().join("layar");
    std::fs::create_dir(&shots).unwrap();

    // The check tells a blank window from a page.
    b.open("about:blank");
    assert!(common::browser::distinct_colours(&b.png()) < 16);

    b.log_in(&base, "sek", "kata-sandi-sek");
    let pages = [
        ("papan", "/".to_string(), Some(card("verifikasi", &id))),
        ("surat", format!("/surat/{id}"), Some("tr[data-step=verifikasi]".to_string())),
        ("cari", "/surat?q=Undangan".to_string(), Some(format!("#isi a[href='/surat/{id}']"))),
        ("agenda", "/agenda".to_string(), Some("#isi h1".to_string())),
        ("ekspedisi", "/ekspedisi".to_string(), Some("#isi h1".to_string())),
        ("kinerja", "/kinerja".to_string(), None),
        ("alur", "/alur".to_string(), None),
    ];
    for (name, path, shows) in &pages {
        b.open(&format!("{base}{path}"));
        // The frame, and what the page is for where it is settled (the
        // pages Kinerja and Alur are still being written: their frame).
        b.wait_for("header.atas nav");
        b.wait_for("main#isi");
        if let Some(css) = shows {
            b.wait_for(css);
        }
        b.screenshot(&shots.join(format!("{name}.png")));
    }
    // The board's counts are badges of one line, whether the column's
    // title takes one line or two.
    b.open(&format!("{base}/"));
    let heights =
        b.run("return [...document.querySelectorAll('.kolom h2 .jumlah')].map(e => e.getBoundingClientRect().height);");
    let heights: Vec<f64> = heights.as_array().unwrap().iter().map(|h| h.as_f64().unwrap()).collect();
    assert!(
        heights.len() > 2 && heights.iter().all(|h| *h == heights[0]),
        "count badges of different heights: {heights:?}"
    );
    b.log_out();
    b.screenshot(&shots.join("masuk.png"));
    // For a person to look at.
    let _ = std::fs::copy(shots.join("papan.png"), "/tmp/board.png");
    assert_eq!(std::fs::read_dir(&shots).unwrap().count(), pages.len() + 1, "a screenshot is missing");
}

#[test]
fn many_open_boards_leave_the_browser_free_to_load_pages() {
    let (_t, env, _d, b, base) = plain_board();
    // A browser opens at most six connections to one address: boards in
    // seven tabs must not each keep one for their live updates.
    for tab in 0..7 {
        if tab > 0 {
            b.new_tab();
        }
        b.open(&format!("{base}/"));
        b.wait_for("section.kolom");
    }
    b.new_tab();
    b.open(&format!("{base}/agenda"));
    b.wait_for("#isi h1");
    // And every one of them still follows the letters.
    let (id, _) = draft(&env, "Undangan Rapat", "");
    for tab in b.tabs() {
        b.switch_to(tab);
        if b.url().ends_with("/agenda") {
            continue;
        }
        b.wait_for(&card("verifikasi", &id));
    }
}
