//! Signed letters changed after signing (tests/fixtures/signed/forge.py),
//! end to end: `suratd verify` without a database, text and `--json`; and
//! the real daemon, where each forgery dropped as the signed letter is
//! refused into `_ditolak/` with a reason naming what changed, the same
//! reason `suratd verify` gives, and nothing is emailed; a document
//! timestamp after the signature still goes out.

mod common;
use common::smtp::Smtp;
use common::*;
use std::time::Duration;

/// Each forgery and what its reason must name.
const FORGERIES: &[(&str, &str)] = &[
    ("forged-new-root.pdf", "katalog dokumen diganti"),
    ("forged-new-page.pdf", "/Pages/Kids: halaman berubah"),
    ("forged-cropbox.pdf", "halaman 1, /CropBox: ukuran atau putaran halaman ditambahkan"),
    ("forged-content.pdf", "halaman 1, /Contents: isi halaman berubah"),
    ("forged-resources.pdf", "halaman 1, /Resources/Font/F1/BaseFont: font berubah"),
    ("forged-annot-direct.pdf", "halaman 1, /Annots[1]: anotasi (/Square) ditambahkan"),
    ("forged-annot-indirect.pdf", "halaman 1, /Annots[1]: anotasi (/Square) ditambahkan"),
    ("forged-appearance.pdf", "/AP: tampilan (appearance stream) ditambahkan"),
    ("forged-empty-sigfield.pdf", "bidang tanda tangan tanpa nilai ditambahkan"),
    ("forged-form-field.pdf", "bidang formulir (/Tx) ditambahkan"),
    ("forged-openaction.pdf", "katalog, /OpenAction"),
    ("forged-aa.pdf", "katalog, /AA"),
    ("forged-names.pdf", "katalog, /Names"),
    ("forged-outlines.pdf", "katalog, /Outlines"),
    ("forged-change-then-timestamp.pdf", "halaman 1, /Contents: isi halaman berubah"),
];

const GENUINE: &[&str] = &["signed.pdf", "signed-dss.pdf", "signed-timestamp.pdf", "signed-dss-timestamp.pdf"];

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/signed/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// An environment whose trust anchors are the fixtures' test root and the
/// test TSA of the document timestamps (one PEM file).
fn with_anchor(env: Env) -> Env {
    let pem = [std::fs::read(fixture_path("root-ca.pem")).unwrap(), std::fs::read(fixture_path("tsa.pem")).unwrap()];
    std::fs::write(env.dir.path().join("anchors.pem"), pem.concat()).unwrap();
    env
}

fn verify_json(env: &Env, file: &str) -> (Option<i32>, serde_json::Value) {
    let out = env.cli(&["verify", "--json", file]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code(), v)
}

fn reasons(v: &serde_json::Value) -> Vec<String> {
    v["signature"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect()
}

#[test]
fn verify_checks_a_signature_without_a_database() {
    let env = with_anchor(env_with("poll", "trust_anchors: [anchors.pem]\n"));
    for (name, what) in FORGERIES {
        let (code, v) = verify_json(&env, &fixture_path(name));
        assert_eq!(code, Some(1), "{name}: {v}");
        assert_eq!(v["signature"]["holds"], false, "{name}: {v}");
        assert!(v["letter"].is_null() && v["database"].as_str().unwrap().contains("no database"), "{v}");
        let r = reasons(&v);
        assert!(r.len() == 1 && r[0].starts_with("berkas diubah setelah ditandatangani: "), "{name}: {r:?}");
        assert!(r[0].contains(what), "{name}: {r:?}");
    }
    for name in GENUINE {
        let (code, v) = verify_json(&env, &fixture_path(name));
        assert_eq!(code, Some(0), "{name}: {v}");
        assert_eq!(v["signature"]["holds"], true, "{name}: {v}");
        assert!(reasons(&v).is_empty(), "{v}");
    }
    let (code, v) = verify_json(&env, &fixture_path("unsigned.pdf"));
    assert_eq!((code, &v["signature"]["signed"], &v["signature"]["holds"]), (Some(1), &false.into(), &false.into()));

    // The text says the same, and that the letter part was not checked.
    let out = env.cli(&["verify", &fixture_path("forged-annot-indirect.pdf")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("letter:    not checked: no database"), "{text}");
    assert!(text.contains("does NOT hold: berkas diubah setelah ditandatangani: halaman 1, /Annots[1]"), "{text}");
    let out = env.cli(&["verify", &fixture_path("signed-timestamp.pdf")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("document timestamp by TSA Test (intact, trusted, at "), "{text}");

    // Without the TSA among the anchors the timestamp is a reason.
    std::fs::copy(fixture_path("root-ca.pem"), env.dir.path().join("anchors.pem")).unwrap();
    let (code, v) = verify_json(&env, &fixture_path("signed-timestamp.pdf"));
    assert_eq!((code, &v["signature"]["holds"]), (Some(1), &false.into()), "{v}");
    let r = reasons(&v);
    assert!(r.len() == 1 && r[0].contains("stempel waktu dokumen dari TSA Test tidak berasal dari"), "{r:?}");
}

#[test]
fn verify_refuses_a_pipe_instead_of_waiting_on_it() {
    let env = env_with("poll", "");
    let fifo = env.dir.path().join("surat.pdf");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // env.cli waits for the command; a suratd that opened the pipe for
    // reading would wait for a writer for ever, so a writer-less pipe is
    // the test: the command must end on its own, refusing the file.
    let out = env.cli(&["verify", fifo.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

/// A letter walked to 05-menunggu-tte, with an outside addressee to email;
/// dated in 2026, so its number and text are those the signed fixtures hold.
fn to_signature(env: &Env) -> (String, String) {
    let sidecar = "tanggal: 2026-01-15\ntujuan:\n  - nama: BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n";
    std::fs::write(env.p("01-draf/KP.650 Undangan Rapat.yaml"), sidecar).unwrap();
    env.drop_file("01-draf/KP.650 Undangan Rapat.pdf", &pdf("Undangan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat Koordinasi")));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    for (from, next) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.mv(&format!("{from}/{name}"), next);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    (id, name)
}

#[test]
fn forgeries_are_refused_at_the_signed_drop_and_never_emailed() {
    let smtp = Smtp::start(0, &[]);
    let env = with_anchor(mail_env(Some(smtp.port), "trust_anchors: [anchors.pem]\n"));
    let _d = env.start();
    let (id, _) = to_signature(&env);

    for (i, (name, _)) in FORGERIES.iter().enumerate() {
        env.drop_file(&format!("06-sudah-tte/{id} ttd-{i}.pdf"), &signed_fixture(name));
    }
    // A document timestamp on the unsigned letter is no signature.
    env.drop_file(&format!("06-sudah-tte/{id} stempel.pdf"), &signed_fixture("timestamp-only.pdf"));
    assert!(
        wait_until(Duration::from_secs(30), || env.count("SELECT COUNT(*) FROM rejections")
            == FORGERIES.len() as i64 + 1),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    for (i, (name, what)) in FORGERIES.iter().enumerate() {
        let file = format!("{id} ttd-{i}.pdf");
        let code: String = env
            .conn()
            .query_row(
                "SELECT reason_code FROM rejections WHERE original_path = ?1",
                [format!("06-sudah-tte/{file}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(code, "signature_invalid", "{name}");
        let reason = std::fs::read_to_string(env.p(&format!("_ditolak/{file}.alasan.txt"))).unwrap();
        assert!(reason.contains(what), "{name}: {reason}");
        // `suratd verify` on the refused file gives the same reason.
        let (code, v) = verify_json(&env, env.p(&format!("_ditolak/{file}")).to_str().unwrap());
        assert_eq!((code, &v["signature"]["holds"]), (Some(1), &false.into()), "{name}: {v}");
        assert!(reasons(&v).iter().all(|r| reason.contains(r.as_str())), "{name}: {v}\n{reason}");
    }
    let stamp: String = env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE original_path LIKE '%stempel.pdf'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stamp, "not_signed");
    assert_eq!(env.letter(&id).0, "menunggu_tte", "the letter still waits");
    assert_eq!(env.count("SELECT COUNT(*) FROM dispatches"), 0);
    assert!(!smtp.received().iter().any(|m| m.rcpt.iter().any(|r| r == "kaur@bps.go.id")), "nothing went out");

    // A document timestamp after the signature is allowed: the letter goes out.
    let genuine = signed_fixture("signed-timestamp.pdf");
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &genuine);
    env.wait_file("07-distribusi", &id);
    assert!(wait_until(Duration::from_secs(15), || smtp
        .received()
        .iter()
        .any(|m| m.rcpt.iter().any(|r| r == "kaur@bps.go.id"))));
    let note: String = env
        .conn()
        .query_row("SELECT note FROM transitions WHERE letter_id = ?1 AND action = 'signed'", [&id], |r| r.get(0))
        .unwrap();
    assert!(note.contains("document timestamp by TSA Test (intact, trusted") && !note.contains("changed"), "{note}");
}
