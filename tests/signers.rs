//! Issue 12, points 2 and 3, through the real daemon: who may sign (the
//! signed-drop step's `signers` and people's `signing` identities), "signer
//! not pinned" on a fresh install, and no trust without `trust_anchors`.

mod common;
use common::*;
use std::time::Duration;

fn signed_note(env: &Env, id: &str) -> String {
    env.conn()
        .query_row("SELECT note FROM transitions WHERE letter_id = ?1 AND action = 'signed'", [id], |r| r.get(0))
        .unwrap()
}

/// The Kepala pinned by subject (name and NIK), a Plh. pinned by a
/// certificate file: the right CA but the wrong person is refused, naming
/// both; each pinned signer is accepted, with a certificate issued anew
/// (as on renewal) for the Kepala.
#[test]
fn only_the_pinned_signers_may_sign() {
    let env = mail_env(None, "");
    let wf_path = env.dir.path().join("workflow.yaml");
    let plh_cert = fixture_dir().join("root-signer.pem");
    let wf = std::fs::read_to_string(&wf_path)
        .unwrap()
        .replace(
            "roles: [kepala]}",
            "roles: [kepala], signing: {subject: {CN: kepala bps, serialNumber: \"NIK0001\"}}}",
        )
        .replace(
            "roles: [bagian_umum]}",
            &format!(
                "roles: [bagian_umum]}}\n  - {{login: plh, name: Plh Kepala, signing: {{certificate: {:?}}}}}",
                plh_cert.display().to_string()
            ),
        )
        .replace("signers: [kepala]", "signers: [kepala, plh]");
    std::fs::write(&wf_path, wf).unwrap();
    let out = env.cli(&["check"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !said.contains("signer not pinned"), "{said}");
    let _d = env.start();

    // The Plh.'s pinned certificate signed make.py's fixture, whose text is
    // the first letter's (number B-001) as drafted here.
    let b = to_signature_with(&env, "Rapat Dua", |n| format!("Nomor: {n}  Undangan Rapat Koordinasi"));
    env.drop_file(&format!("06-sudah-tte/{b} ttd.pdf"), &signed_fixture("signed.pdf"));
    env.wait_file("07-distribusi", &b);

    let a = to_signature(&env, "Rapat Satu");
    let wrong = Signer { cn: "Orang Lain", serial: Some("NIK0002"), trusted_ca: true, expired: false };
    env.drop_file(&format!("06-sudah-tte/{a} lain.pdf"), &sign_as(&copy_for_signing(&env, &a), &wrong, false));
    assert!(wait_until(Duration::from_secs(15), || env.p(&format!("_ditolak/{a} lain.pdf.alasan.txt")).is_file()));
    let r = std::fs::read_to_string(env.p(&format!("_ditolak/{a} lain.pdf.alasan.txt"))).unwrap();
    assert!(r.contains("hanya sah bila ditandatangani oleh pejabat yang berwenang"), "the wrong_signer text: {r}");
    assert!(
        r.contains("Orang Lain (NIK0002)")
            && r.contains("Plh Kepala")
            && !r.contains("(plh)")
            && !r.contains("(kepala)"),
        "{r}"
    );
    assert_eq!(env.letter(&a).0, "menunggu_tte");
    // `suratd verify` gives the signed drop's answer.
    let out = env.cli(&["verify", "--json", env.p(&format!("_ditolak/{a} lain.pdf")).to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["signature"]["holds"], false, "{v}");
    assert!(v["signature"]["reasons"].to_string().contains("Orang Lain (NIK0002)"), "{v}");

    let head = Signer { cn: "Kepala BPS", serial: Some("NIK0001"), trusted_ca: true, expired: false };
    env.drop_file(&format!("06-sudah-tte/{a} ttd.pdf"), &sign_as(&copy_for_signing(&env, &a), &head, false));
    env.wait_file("07-distribusi", &a);
    let note = signed_note(&env, &a);
    assert!(note.contains("Kepala BPS") && note.contains("trusted") && !note.contains("not pinned"), "{note}");
}

/// A fresh install (no signer has an identity): a signature that chains to
/// a trust anchor is accepted, with "signer not pinned" in `suratd check`,
/// at start-up and in the audit trail.
#[test]
fn an_unpinned_signer_is_accepted_with_a_warning() {
    let env = env("events");
    let out = env.cli(&["check"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning: signer not pinned"), "{out:?}");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Satu");
    let signed = sign_like_a_portal(&copy_for_signing(&env, &id), "Siapa Saja", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    env.wait_file("07-distribusi", &id);
    assert!(signed_note(&env, &id).contains("signer not pinned"), "{}", signed_note(&env, &id));
    assert!(env.log().contains("signer not pinned"), "{}", env.log());
}

/// Without `trust_anchors` a signature that is intact is still refused,
/// and suratd says why at start-up, in `suratd check` and in the reason.
#[test]
fn without_trust_anchors_signed_letters_are_refused() {
    let env = env_with("events", "trust_anchors: []\n");
    let out = env.cli(&["check"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning: no `trust_anchors` configured"), "{out:?}");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Satu");
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed_fixture("signed.pdf"));
    let reason = format!("_ditolak/{id} ttd.pdf.alasan.txt");
    assert!(wait_until(Duration::from_secs(15), || env.p(&reason).is_file()), "{:?}", env.tree());
    let r = std::fs::read_to_string(env.p(&reason)).unwrap();
    assert!(r.contains("sertifikat akar") && !r.contains("trust_anchors"), "said for people, not as a config key: {r}");
    assert!(env.log().contains("no `trust_anchors` configured"), "{}", env.log());
    assert_eq!(env.letter(&id).0, "menunggu_tte");
}

/// `suratd verify FILE --export-chain DIR` writes the signer's chain from a
/// signed letter; the root it finds, once installed as `trust_anchors`,
/// makes the signature hold. A chain without its root says whose it is.
#[test]
fn the_chain_of_a_signed_letter_is_exported_for_the_admin() {
    let env = env_with("events", "trust_anchors: []\n");
    let letter = fixture_dir().join("signed.pdf");
    let dir = env.dir.path().join("tte");
    let out = env.cli(&["verify", letter.to_str().unwrap(), "--export-chain", dir.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "no anchors: it does not hold yet: {said}");
    assert!(said.contains("ROOT (self-signed)") && said.contains("SHA-256 "), "{said}");
    let root = dir.join("tte1-2-BSrE-Test-Root-CA-root.pem");
    let der =
        |p: &std::path::Path| openssl::x509::X509::from_pem(&std::fs::read(p).unwrap()).unwrap().to_der().unwrap();
    assert_eq!(der(&root), der(&fixture_dir().join("root-ca.pem")));
    assert!(dir.join("tte1-1-Kepala-BPS-Provinsi-Bengkulu.pem").is_file());

    // Installed as the trust anchor, the signature holds.
    let cfg = std::fs::read_to_string(&env.config)
        .unwrap()
        .replace("trust_anchors: []", "trust_anchors: [tte/tte1-2-BSrE-Test-Root-CA-root.pem]");
    std::fs::write(&env.config, cfg).unwrap();
    let out = env.cli(&["verify", letter.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    // A portal that embeds only the signer's certificate: the issuer is named.
    let portal = env.dir.path().join("portal.pdf");
    std::fs::write(&portal, sign_like_a_portal(&signed_fixture("unsigned.pdf"), "Kepala", false)).unwrap();
    let out = env.cli(&["verify", portal.to_str().unwrap(), "--export-chain", dir.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("does not carry the root") && said.contains("BSrE Test Portal CA"), "{said}");
}
