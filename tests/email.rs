//! Email against a real SMTP server on 127.0.0.1 (tests/common/smtp.rs):
//! who is told what, step 9 with the signed PDF attached, a refused
//! recipient, the server down for a while, a restart with emails pending,
//! header injection, and the .eml outbox when no SMTP server is configured.

mod common;
use base64::Engine;
use common::smtp::{Received, Smtp};
use common::*;
use std::time::Duration;

fn wait_mail(smtp: &Smtp, n: usize) -> Vec<Received> {
    let ok = wait_until(Duration::from_secs(15), || smtp.received().len() >= n);
    let got = smtp.received();
    assert!(
        ok,
        "expected {n} emails, got {}: {:#?}",
        got.len(),
        got.iter().map(|m| (&m.rcpt, m.header("Subject"))).collect::<Vec<_>>()
    );
    got
}

fn to(m: &Received) -> String {
    m.rcpt.join(",")
}

fn attachment(m: &Received) -> Vec<u8> {
    let at = m.data.find("Content-Disposition: attachment").expect("an attachment");
    let rest = &m.data[at..];
    let body_start = rest.find("\r\n\r\n").unwrap() + 4;
    let body = &rest[body_start..];
    let end = body.find("\r\n--").unwrap();
    let b64: String = body[..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

/// A letter from the draft folder to 05-menunggu-tte, its number in its
/// text. Dated in 2026, so its number and text are those the signed
/// fixtures hold, in any year.
fn to_signature(env: &Env, sidecar: &str) -> (String, String) {
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), format!("tanggal: 2026-01-15\n{sidecar}")).unwrap();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi")));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    env.approve_to_signing(&id, &name);
    (id, name)
}

#[test]
fn each_step_tells_the_next_people_and_step_9_sends_the_signed_letter() {
    let smtp = Smtp::start(0, &["ditolak@luar.go.id"]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    let sidecar = "tanggal: 2026-01-15\ntujuan:\n  - nama: BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n  - nama: Alamat Ditolak\n    email: ditolak@luar.go.id\ntembusan:\n  - nama: Arsip\n    email: arsip@bps.go.id\n  - nama: Salah Ketik\n    email: salah-ketik.bps.go.id\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), sidecar).unwrap();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();

    // Registration: the drafter gets the number; the drafter's own team leader is told.
    let got = wait_mail(&smtp, 2);
    let reg = got.iter().find(|m| to(m) == "drafter@bps.go.id").expect("registration email");
    assert!(reg.header("Subject").unwrap().contains(&number), "{:?}", reg.header("Subject"));
    // A bad address in the sidecar is explained to the drafter; the letter goes on.
    assert!(reg.text().contains("salah-ketik.bps.go.id") && reg.text().contains("tidak sah"), "{}", reg.text());
    let arr = got.iter().find(|m| to(m) == "kt@bps.go.id").expect("the team leader is told");
    assert!(!got.iter().any(|m| to(m) == "kt2@bps.go.id"), "not the other team's leader");
    assert!(
        arr.text().contains("\\\\server\\SuratKeluar\\02-verifikasi\\"),
        "the location on the share: {}",
        arr.text()
    );
    assert!(arr.text().contains("Batas waktu    : ") && arr.text().contains(" WIB\n"), "the due time: {}", arr.text());
    assert!(arr.header("Message-ID").unwrap().contains(&id));

    // Revisi: the drafter gets the reviewer's note.
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Tanggal salah.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    let got = wait_mail(&smtp, 3);
    let ret = &got[2];
    assert_eq!(to(ret), "drafter@bps.go.id");
    assert!(ret.text().contains("Tanggal salah."), "{}", ret.text());
    drop(got);

    // Back through the steps to the signature, then the signed file.
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi")));
    env.wait_file("02-verifikasi", &id);
    env.approve_to_signing(&id, &name);
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    env.wait_file("07-distribusi", &id);

    // Step 9: each addressee with an address gets the signed PDF, byte for byte;
    // the refused one is recorded and does not stop the others.
    assert!(wait_until(Duration::from_secs(15), || smtp
        .received()
        .iter()
        .filter(|m| to(m) == "arsip@bps.go.id")
        .count()
        == 1));
    let got = smtp.received();
    for addr in ["kaur@bps.go.id", "arsip@bps.go.id"] {
        let m = got.iter().find(|m| to(m) == addr).unwrap_or_else(|| panic!("no dispatch to {addr}"));
        assert!(attachment(m) == signed, "the attachment is the signed file");
        assert_eq!(m.from, "sekretaris@bps.go.id");
    }
    assert!(!got.iter().any(|m| to(m) == "ditolak@luar.go.id"));
    assert!(got.iter().any(|m| to(m) == "umum@bps.go.id"), "Bagian Umum is told it arrived");
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM dispatches WHERE method = 'email'")
        == 1));
    let recipients: String = env.conn().query_row("SELECT recipients FROM dispatches", [], |r| r.get(0)).unwrap();
    assert!(recipients.contains("kaur@bps.go.id") && !recipients.contains("ditolak"), "{recipients}");
    let out = env.cli(&["outbox"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ditolak@luar.go.id (refused)") && text.contains("550"), "{text}");
    assert_each_once(&got);
}

/// Step 9 read as its recipients read it: a letter sent back once (with a
/// note), then taken to the signature, signed and sent out. Every email it
/// caused (the number, arrivals, the return, the dispatch to the outside
/// addressee) is in Indonesian, names people and roles, and carries no word
/// of the log (signed, intact, trusted), no role or step id and no login.
#[test]
fn every_email_of_a_letter_to_step_9_reads_as_indonesian_without_ids_or_logins() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    let sidecar = "tanggal: 2026-01-15\ntujuan:\n  - nama: BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), sidecar).unwrap();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Tanggal rapat salah.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    env.wait_file("01-draf/revisi", &format!("{id} Undangan"));
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi")));
    env.approve_to_signing(&id, &name);
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    env.wait_file("07-distribusi", &id);
    let sent_out = || {
        smtp.received().iter().any(|m| to(m) == "kaur@bps.go.id")
            && smtp.received().iter().any(|m| to(m) == "umum@bps.go.id")
    };
    assert!(wait_until(Duration::from_secs(15), sent_out), "{:#?}", smtp.received().iter().map(to).collect::<Vec<_>>());
    // The trail keeps the check's English summary; no email carries it.
    let trail: String = env
        .conn()
        .query_row("SELECT note FROM transitions WHERE letter_id = ?1 AND action = 'signed'", [&id], |r| r.get(0))
        .unwrap();
    assert!(trail.contains("intact"), "{trail}");

    let got = smtp.received();
    let mut ids: Vec<&str> = vec!["anggota_tim", "ketua_tim", "bagian_umum", "ajukan_tte", "menunggu_tte", "sudah_tte"];
    let me = me();
    ids.extend(["kt", "kt2", "sek", me.as_str()]);
    for m in &got {
        let read = format!("{}\n{}", m.header("Subject").unwrap_or_default(), m.text());
        suratd::util::golden::assert_for_people(&format!("the email to {}", to(m)), &read, &ids);
    }
    let kinds = |addr: &str| got.iter().filter(|m| to(m) == addr).count();
    assert!(kinds("drafter@bps.go.id") >= 2 && kinds("kt@bps.go.id") >= 2 && kinds("sek@bps.go.id") >= 1, "{got:#?}");
    let dispatch = got.iter().find(|m| to(m) == "kaur@bps.go.id").unwrap().text();
    assert!(
        dispatch.contains("ditandatangani secara elektronik") && !dispatch.contains("Kepala BPS Provinsi Bengkulu ("),
        "{dispatch}"
    );
    let returned = got.iter().find(|m| m.text().contains("Tanggal rapat salah.")).expect("the return, with its note");
    assert!(returned.text().contains("dikembalikan oleh Ketua Tim untuk diperbaiki"), "{}", returned.text());
}

/// A Rahasia letter (placed by the secretary, who may give that sifat):
/// its perihal is in no email subject (its code stands there) and in no
/// name suratd gives, from registration to the archive.
#[test]
fn a_rahasia_letters_perihal_is_in_no_subject_and_no_file_name() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    let sidecar = "perihal: Temuan Audit Internal\nsifat: Rahasia\ntujuan:\n  - nama: BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n";
    let (id, name) = to_signature(&env, sidecar);
    assert_eq!(name, format!("{id}.pdf"));
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let placed = env.wait_file("07-distribusi", &id);
    assert_eq!(placed, format!("{id}.pdf"));
    assert!(wait_until(Duration::from_secs(15), || smtp.received().iter().any(|m| to(m) == "kaur@bps.go.id")));
    env.mv(&format!("07-distribusi/{placed}"), "07-distribusi/terkirim");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).1 == "finished"), "{:?}", env.letter(&id));
    env.settled();
    let tree = env.tree();
    let filed = format!("/{id}/{id}.pdf");
    assert!(tree.iter().any(|p| p.starts_with("arsip/") && p.ends_with(&filed)), "{tree:#?}");
    assert!(!tree.iter().any(|p| p.contains("Audit")), "{tree:#?}");
    let got = smtp.received();
    assert!(got.len() >= 5, "{got:#?}");
    for m in &got {
        let subject = m.header("Subject").unwrap();
        assert!(!subject.contains("Audit"), "{subject}");
        // Staff read the letter's code; the addressees (step 9) the word
        // Rahasia.
        let dispatch = subject.starts_with("Surat BPS Provinsi Bengkulu Nomor");
        assert!(subject.replace(' ', "").contains(&id) || dispatch && subject.ends_with(": Rahasia"), "{subject}");
    }
}

/// Every email went out once to each of its recipients.
fn assert_each_once(got: &[Received]) {
    let ids: Vec<String> = got.iter().map(|m| format!("{}{}", m.header("Message-ID").unwrap(), to(m))).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no repeats: {ids:?}");
}

/// A letter registered while the mail server is down: suratd with its two
/// emails tried and waiting.
fn emails_waiting(smtp: &mut Smtp) -> (Env, Daemon) {
    smtp.stop();
    let env = mail_env(Some(smtp.port), "");
    let d = env.start();
    env.drop_file("01-draf/KP.650 Nota Dinas.pdf", &pdf("Nota"));
    env.wait_file("02-verifikasi", "SK-");
    assert!(wait_until(Duration::from_secs(10), || env.count("SELECT COUNT(*) FROM outbox WHERE attempts > 0") == 2));
    (env, d)
}

#[test]
fn emails_wait_while_the_server_is_down_and_survive_a_restart() {
    let mut smtp = Smtp::start(0, &[]);
    let (env, d) = emails_waiting(&mut smtp);
    let out = env.cli(&["outbox", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["state"], "pending");
    assert!(rows[0]["last_error"].as_str().unwrap_or("").len() > 3, "{rows}");
    // Stopped with emails pending; started again with the server up.
    assert!(d.stop().success());
    smtp.restart();
    let _d = env.start();
    if !wait_until(Duration::from_secs(15), || smtp.received().len() >= 2) {
        panic!(
            "not delivered after the restart: {}\n{}",
            String::from_utf8_lossy(&env.cli(&["outbox"]).stdout),
            env.log()
        );
    }
    let got = smtp.received();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(smtp.received().len(), 2, "each email once: {:?}", got.iter().map(to).collect::<Vec<_>>());
    assert_eq!(env.count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), 2);
}

#[test]
fn names_and_subjects_cannot_inject_headers() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    std::fs::write(env.p("01-draf/KP.650 Surat.yaml"), "perihal: \"Undangan\\r\\nBcc: korban@jahat.com\"\n").unwrap();
    env.drop_file("01-draf/KP.650 Surat.pdf", &pdf("Surat"));
    let got = wait_mail(&smtp, 2);
    for m in &got {
        assert!(m.header("Bcc").is_none(), "{}", m.data);
        assert!(!m.rcpt.iter().any(|r| r.contains("jahat")));
        assert!(m.header("Subject").unwrap().contains("Undangan"));
    }
}

#[test]
fn without_smtp_emails_are_written_as_eml_files() {
    let env = mail_env(None, "");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    env.wait_file("02-verifikasi", "SK-");
    let outbox = env.dir.path().join("data/outbox");
    assert!(wait_until(Duration::from_secs(10), || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0) == 2));
    // Both are whole messages; one of them (in no set order) is the drafter's.
    let texts: Vec<String> =
        std::fs::read_dir(&outbox).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    for text in &texts {
        assert!(text.contains("To: ") && text.contains("Message-ID: <SK-"), "{text}");
    }
    assert!(texts.iter().any(|t| t.contains("drafter@bps.go.id")), "{texts:?}");
    // The file is written before the email is recorded as sent.
    let sent = || env.count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 2;
    assert!(wait_until(Duration::from_secs(10), sent), "both emails recorded as sent");
}

/// Emails come from the office's mailbox: `sender` names it; without it,
/// "Surat Keluar" and the office's name, at `smtp.from`.
#[test]
fn emails_come_from_the_offices_mailbox_by_name_and_address() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "sender:\n  name: Sekretariat BPS Bengkulu\n  address: surat@bps.go.id\n");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    for m in wait_mail(&smtp, 2) {
        assert_eq!(m.from, "surat@bps.go.id", "the envelope's sender");
        let from = m.header("From").unwrap();
        assert!(from.contains("Sekretariat BPS Bengkulu") && from.contains("<surat@bps.go.id>"), "{from}");
    }
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    for m in wait_mail(&smtp, 2) {
        let from = m.header("From").unwrap();
        assert!(
            from.contains("Surat Keluar BPS Provinsi Bengkulu") && from.contains("<sekretaris@bps.go.id>"),
            "{from}"
        );
    }
}

/// With no address configured (no `sender.address`, no `smtp.from`): the
/// emails name the office, never `localhost`, and `suratd check` says what
/// to set; an address that is not one is refused.
#[test]
fn without_a_configured_sender_check_warns_and_no_email_comes_from_localhost() {
    let env = mail_env(None, "");
    let out = env.cli(&["check"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("warning: no `sender.address` (or `smtp.from`) configured"), "{}", said(&out));
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Memo.pdf", &pdf("Memo"));
    let outbox = env.dir.path().join("data/outbox");
    assert!(wait_until(Duration::from_secs(10), || std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0) == 2));
    for e in std::fs::read_dir(&outbox).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let from = text.lines().find(|l| l.starts_with("From: ")).unwrap();
        assert!(from.contains("Surat Keluar BPS Provinsi Bengkulu") && from.contains("<surat-keluar@"), "{from}");
        assert!(!from.contains("localhost") && !from.contains("suratd"), "{from}");
    }
    let bad = mail_env(None, "sender:\n  address: sekretariat bps\n");
    let out = bad.cli(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("sender.address \"sekretariat bps\" is not an email address"), "{}", said(&out));
}

#[test]
fn a_letter_too_large_to_attach_goes_to_staff_as_a_location_and_the_admin_is_told() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "max_attachment: 1KB\n");
    let _d = env.start();
    let (id, _) = to_signature(
        &env,
        "tujuan:\n  - nama: Luar\n    email: luar@kabupaten.go.id\n  - nama: Sekretaris\n    email: sek@bps.go.id\n",
    );
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    env.wait_file("07-distribusi", &id);
    assert!(wait_until(Duration::from_secs(15), || smtp.received().iter().any(|m| to(m) == "admin@bps.go.id")));
    let got = smtp.received();
    let staff =
        got.iter().find(|m| to(m) == "sek@bps.go.id" && m.header("Subject").unwrap().contains("Nomor")).unwrap();
    assert!(!staff.data.contains("Content-Disposition: attachment"));
    assert!(!got.iter().any(|m| to(m) == "luar@kabupaten.go.id"));
    let admin = got.iter().find(|m| to(m) == "admin@bps.go.id").unwrap();
    assert!(admin.text().contains("luar@kabupaten.go.id"), "{}", admin.text());
}

#[test]
fn emails_arrive_once_when_the_server_comes_back() {
    let mut smtp = Smtp::start(0, &[]);
    smtp.stop();
    let env = mail_env(Some(smtp.port), "");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Edaran.pdf", &pdf("Edaran"));
    env.wait_file("02-verifikasi", "SK-");
    assert!(wait_until(Duration::from_secs(10), || env.count("SELECT COUNT(*) FROM outbox WHERE attempts >= 2") == 2));
    smtp.restart();
    assert!(wait_until(Duration::from_secs(30), || env.count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 2));
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(smtp.received().len(), 2, "each email once");
}

/// Mail over STARTTLS and over implicit TLS, with a login whose password
/// comes from a file, trusting the office's own CA (`smtp.ca_file`).
fn secure_delivery(implicit: bool) {
    let (ca_pem, tls) = common::smtp::test_tls();
    let security = if implicit { common::smtp::Security::Implicit(tls) } else { common::smtp::Security::StartTls(tls) };
    let smtp = Smtp::secure(security, "suratd", "rahasia-123");
    let dir = tempfile::tempdir().unwrap();
    let (ca, pw) = (dir.path().join("ca.pem"), dir.path().join("smtp-password"));
    std::fs::write(&ca, ca_pem).unwrap();
    std::fs::write(&pw, "rahasia-123\n").unwrap();
    let mode = if implicit { "tls" } else { "starttls" };
    let env = mail_env(
        None,
        &format!(
            "smtp:\n  host: 127.0.0.1\n  port: {}\n  tls: {mode}\n  username: suratd\n  password_file: {}\n  ca_file: {}\n  from: sekretaris@bps.go.id\n  retry: 200ms\n  timeout: 5s\n",
            smtp.port,
            pw.display(),
            ca.display()
        ),
    );
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Rahasia.pdf", &pdf("Rahasia"));
    let got = wait_mail(&smtp, 2);
    for m in &got {
        assert!(m.tls, "sent encrypted");
        assert_eq!(m.user.as_deref(), Some("suratd"), "logged in with the password from the file");
    }
}

#[test]
fn mail_goes_over_starttls_with_a_login() {
    secure_delivery(false);
}

#[test]
fn mail_goes_over_implicit_tls_with_a_login() {
    secure_delivery(true);
}

#[test]
fn a_server_that_never_answers_times_out_and_is_retried() {
    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = held.clone();
    std::thread::spawn(move || {
        for c in silent.incoming().flatten() {
            h.lock().unwrap().push(c);
        }
    });
    let env = mail_env(
        None,
        &format!("smtp:\n  host: 127.0.0.1\n  port: {port}\n  tls: none\n  timeout: 500ms\n  retry: 200ms\n"),
    );
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Sunyi.pdf", &pdf("Sunyi"));
    env.wait_file("02-verifikasi", "SK-");
    assert!(wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM outbox WHERE attempts >= 2") == 2));
    let err: String = env.conn().query_row("SELECT last_error FROM outbox LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(err.contains("no answer from the mail server within 500ms"), "{err}");
    assert_eq!(env.count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 2, "kept, not dropped");
}

#[test]
fn a_late_letter_brings_one_reminder_and_one_escalation_also_across_a_restart() {
    let smtp = Smtp::start(0, &[]);
    let env = mail_env(Some(smtp.port), "");
    // Very short standard times, office open around the clock, no digest.
    let wf = std::fs::read_to_string(env.dir.path().join("workflow.yaml")).unwrap();
    let all_day = "  hours:\n    mon: \"00:00-23:59\"\n    tue: \"00:00-23:59\"\n    wed: \"00:00-23:59\"\n    thu: \"00:00-23:59\"\n    fri: \"00:00-23:59\"\n    sat: \"00:00-23:59\"\n    sun: \"00:00-23:59\"\n";
    let wf = wf
        .replace(
            "    time: 20m\n    outcomes:\n      setuju: kelengkapan",
            "    time: 1s\n    outcomes:\n      setuju: kelengkapan",
        )
        .replace("  escalate_after: 1h", "  escalate_after: 2s");
    let start = wf.find("\n  hours:").unwrap() + 1;
    let end = wf.find("  # National holidays").unwrap();
    let wf = format!("{}{all_day}{}", &wf[..start], &wf[end..]);
    std::fs::write(env.dir.path().join("workflow.yaml"), wf).unwrap();
    let d = env.start();
    env.drop_file("01-draf/KP.650 Lambat.pdf", &pdf("Lambat"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let kinds =
        |k: &str| smtp.received().iter().filter(|m| m.header("Subject").unwrap_or_default().contains(k)).count();
    assert!(
        wait_until(Duration::from_secs(20), || kinds("Pengingat") == 1 && kinds("Laporan keterlambatan") == 1),
        "{}",
        env.log()
    );
    let got = smtp.received();
    assert!(got.iter().any(|m| to(m) == "kt@bps.go.id" && m.header("Subject").unwrap().contains("Pengingat")));
    assert!(
        got.iter()
            .any(|m| to(m) == "kepala@bps.go.id" && m.header("Subject").unwrap().contains("Laporan keterlambatan"))
    );
    // A restart sends neither again.
    assert!(d.stop().success());
    let _d = env.start();
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!((kinds("Pengingat"), kinds("Laporan keterlambatan")), (1, 1));
    // The status says it is overdue.
    let out = env.cli(&["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["overdue"], true, "{rows}");
    assert!(name.starts_with("SK-"));
}

#[test]
fn an_email_accepted_while_the_database_is_busy_is_sent_once() {
    let mut smtp = Smtp::start(0, &[]);
    let (env, _d) = emails_waiting(&mut smtp);
    // Another process (a `suratd` command) holds the database's write lock
    // while the mail server comes back and accepts the emails.
    let lock = env.conn();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    smtp.restart();
    wait_mail(&smtp, 1);
    let waited = wait_until(Duration::from_secs(30), || env.log().contains("the database is busy; trying again"));
    lock.execute_batch("COMMIT").unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || env.count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'") == 2),
        "{}",
        env.log()
    );
    let got = smtp.received();
    assert_each_once(&got);
    let recipients = env.count("SELECT SUM(json_array_length(recipients)) FROM outbox");
    assert_eq!(got.len() as i64, recipients, "every recipient got the email");
    assert!(waited, "the worker met the busy database and waited: {}", env.log());
}

#[test]
fn the_email_worker_waits_for_a_database_busy_at_start() {
    let mut smtp = Smtp::start(0, &[]);
    let (env, d) = emails_waiting(&mut smtp);
    assert!(d.stop().success());
    // Started again while another process holds the database's write lock.
    let lock = env.conn();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    smtp.restart();
    let _d = env.start();
    let waited = wait_until(Duration::from_secs(30), || env.log().contains("the email worker cannot start yet"));
    lock.execute_batch("COMMIT").unwrap();
    assert_each_once(&wait_mail(&smtp, 2));
    assert!(waited, "the worker waited for the database: {}", env.log());
}
