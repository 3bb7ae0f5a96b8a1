//! Signature checks on PDFs signed with pyHanko (tests/fixtures/signed,
//! made by make.py there with a test CA standing in for BSrE), and on the
//! forgeries and document timestamps forge.py builds from them: one test
//! for each kind of change after signing, and the allowed cases.

use std::path::PathBuf;
use suratd::pdf::signature::{Anchors, check};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signed").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn root() -> Anchors {
    Anchors::load(&[fixture("root-ca.pem")]).unwrap()
}

/// The test root and the test TSA of forge.py (tsa.pem, self-signed).
fn root_and_tsa() -> Anchors {
    Anchors::load(&[fixture("root-ca.pem"), fixture("tsa.pem")]).unwrap()
}

#[test]
fn a_good_signature_holds_and_names_its_signer() {
    let r = check(&read("signed.pdf"), &root());
    assert_eq!(r.signatures.len(), 1);
    let s = &r.signatures[0];
    assert_eq!(s.signer, "Kepala BPS Provinsi Bengkulu");
    assert!(s.subject.contains(&("CN".into(), "Kepala BPS Provinsi Bengkulu".into())), "{:?}", s.subject);
    assert!(s.intact, "{r:?}");
    assert_eq!(s.trusted, Some(true));
    assert!(r.holds(), "{r:?}");
    assert_eq!(r.problem(), None);
}

/// Issue 12.3: without trust anchors nothing is trusted, and the reason
/// says that suratd has no anchors (for the admin to install them).
#[test]
fn without_trust_anchors_a_good_signature_does_not_hold() {
    let r = check(&read("signed.pdf"), &Anchors::none());
    assert!(r.signatures[0].intact);
    assert_eq!(r.signatures[0].trusted, None);
    assert!(!r.holds());
    let p = r.problem().unwrap();
    assert!(p.contains("sertifikat akar") && p.contains("hubungi admin sistem"), "{p}");
    assert!(p.contains("Kepala BPS Provinsi Bengkulu") && !p.contains("trust_anchors") && !p.contains("suratd"), "{p}");
    assert!(r.summary().contains("no trust anchors configured"), "{}", r.summary());
}

#[test]
fn ber_encoded_signatures_are_accepted() {
    let r = check(&read("signed-ber.pdf"), &root());
    assert!(r.holds(), "{r:?}");
}

#[test]
fn validation_data_after_signing_is_allowed() {
    let r = check(&read("signed-dss.pdf"), &root());
    assert!(r.holds(), "{r:?}");
}

#[test]
fn a_changed_byte_breaks_the_signature() {
    let r = check(&read("tampered-byte.pdf"), &root());
    assert!(!r.holds());
    assert!(!r.signatures[0].intact);
    assert!(r.problem().unwrap().contains("tidak cocok"), "{:?}", r.problem());
}

#[test]
fn an_update_that_changes_the_page_after_signing_is_refused() {
    let r = check(&read("appended-update.pdf"), &root());
    assert!(r.signatures[0].intact, "the signed revision itself is intact");
    assert!(!r.holds());
    assert!(r.problem().unwrap().contains("diubah setelah ditandatangani"), "{:?}", r.problem());
}

/// A forgery from forge.py: the signature itself is intact, the file is
/// refused, and the reason names what changed.
fn changed_after_signing(name: &str, what: &[&str]) {
    let r = check(&read(name), &root_and_tsa());
    assert!(r.signatures.iter().all(|s| s.intact), "{name}: the signed revision itself is intact: {r:?}");
    assert!(!r.holds(), "{name} must not hold");
    let p = r.problem().unwrap();
    assert!(p.starts_with("berkas diubah setelah ditandatangani: "), "{name}: {p}");
    for w in what {
        assert!(p.contains(w), "{name}: the reason should name {w:?}: {p}");
    }
    assert!(r.summary().ends_with("changed after signing"), "{}", r.summary());
    assert_eq!(r.reasons(), vec![p]);
}

#[test]
fn a_new_root_after_signing_is_refused() {
    changed_after_signing("forged-new-root.pdf", &["katalog dokumen diganti", "/Root"]);
}

#[test]
fn a_new_page_after_signing_is_refused() {
    changed_after_signing("forged-new-page.pdf", &["/Pages/Kids: halaman berubah", "jumlah halaman"]);
}

#[test]
fn a_changed_page_is_refused() {
    changed_after_signing("forged-cropbox.pdf", &["halaman 1, /CropBox: ukuran atau putaran halaman ditambahkan"]);
}

#[test]
fn a_changed_content_stream_is_refused() {
    changed_after_signing("forged-content.pdf", &["halaman 1, /Contents: isi halaman berubah"]);
}

#[test]
fn changed_resources_are_refused() {
    changed_after_signing("forged-resources.pdf", &["halaman 1, /Resources/Font/F1/BaseFont: font berubah"]);
}

#[test]
fn an_annotation_added_to_a_direct_array_is_refused() {
    changed_after_signing("forged-annot-direct.pdf", &["halaman 1, /Annots[1]: anotasi (/Square) ditambahkan"]);
}

#[test]
fn an_annotation_added_through_an_indirect_array_is_refused() {
    changed_after_signing("forged-annot-indirect.pdf", &["halaman 1, /Annots[1]: anotasi (/Square) ditambahkan"]);
}

#[test]
fn a_new_appearance_stream_is_refused() {
    changed_after_signing(
        "forged-appearance.pdf",
        &["halaman 1, /Annots[0]/AP: tampilan (appearance stream) ditambahkan"],
    );
}

#[test]
fn a_signature_field_without_a_value_is_not_a_timestamp() {
    changed_after_signing(
        "forged-empty-sigfield.pdf",
        &["halaman 1, /Annots[1]: bidang tanda tangan tanpa nilai ditambahkan", "/AcroForm/Fields[1]"],
    );
}

#[test]
fn a_new_form_field_is_refused() {
    changed_after_signing("forged-form-field.pdf", &["/AcroForm/Fields[1]: bidang formulir (/Tx) ditambahkan"]);
}

#[test]
fn an_open_action_is_refused() {
    changed_after_signing("forged-openaction.pdf", &["katalog, /OpenAction: aksi saat dokumen dibuka"]);
}

#[test]
fn additional_actions_are_refused() {
    changed_after_signing("forged-aa.pdf", &["katalog, /AA: aksi otomatis"]);
}

#[test]
fn a_names_tree_is_refused() {
    changed_after_signing("forged-names.pdf", &["katalog, /Names: daftar nama"]);
}

#[test]
fn outlines_are_refused() {
    changed_after_signing("forged-outlines.pdf", &["katalog, /Outlines: bookmark"]);
}

#[test]
fn a_document_timestamp_does_not_cover_a_change_before_it() {
    changed_after_signing("forged-change-then-timestamp.pdf", &["halaman 1, /Contents: isi halaman berubah"]);
    let r = check(&read("forged-change-then-timestamp.pdf"), &root_and_tsa());
    assert!(r.signatures[1].timestamp && r.signatures[1].intact, "{r:?}");
}

#[test]
fn a_document_timestamp_after_the_signature_is_allowed() {
    for name in ["signed-timestamp.pdf", "signed-dss-timestamp.pdf"] {
        let r = check(&read(name), &root_and_tsa());
        assert!(r.holds(), "{name}: {r:?}");
        assert_eq!(r.signatures.len(), 2);
        let (sig, ts) = (&r.signatures[0], &r.signatures[1]);
        assert!(!sig.timestamp && sig.trusted == Some(true));
        assert!(ts.timestamp && ts.intact && ts.signer == "TSA Test" && ts.trusted == Some(true), "{ts:?}");
        assert!(r.summary().contains("document timestamp by TSA Test (intact, trusted, at 20"), "{}", r.summary());
        assert!(r.reasons().is_empty());
    }
}

/// Issue 12.3: a document timestamp's TSA must reach a trust anchor; one
/// nobody trusts is a reason, and the letter does not hold because of it.
#[test]
fn a_document_timestamp_from_an_untrusted_tsa_does_not_hold() {
    for name in ["signed-timestamp.pdf", "signed-dss-timestamp.pdf"] {
        let r = check(&read(name), &root());
        let (sig, ts) = (&r.signatures[0], &r.signatures[1]);
        assert!(sig.trusted == Some(true) && ts.intact && ts.trusted == Some(false), "{name}: {r:?}");
        assert!(!r.holds(), "{name}: {r:?}");
        assert_eq!(
            r.reasons(),
            vec!["stempel waktu dokumen dari TSA Test tidak berasal dari penyedia stempel waktu (TSA) yang dipercaya"]
        );
        assert!(r.summary().contains("document timestamp by TSA Test (intact, NOT trusted"), "{}", r.summary());
    }
    // The TSA is not a signer: trusting it trusts no signature.
    let tsa_only = Anchors::load(&[fixture("tsa.pem")]).unwrap();
    let r = check(&read("signed-timestamp.pdf"), &tsa_only);
    assert!(r.signatures[0].trusted == Some(false) && r.signatures[1].trusted == Some(true), "{r:?}");
    assert!(!r.holds());
    // A certificate from a trusted CA without the time-stamping usage is
    // no TSA (make-times.py).
    let r = check(
        &read("timestamp-no-eku.pdf"),
        &Anchors::load(&[fixture("root-ca.pem"), fixture("portal-ca.pem")]).unwrap(),
    );
    let (sig, ts) = (&r.signatures[0], &r.signatures[1]);
    assert!(sig.trusted == Some(true) && ts.intact && ts.signer == "Bukan TSA", "{r:?}");
    assert_eq!(ts.trusted, Some(false), "{r:?}");
    assert!(!r.holds());
}

#[test]
fn a_document_timestamp_must_match_the_file() {
    // One byte of the timestamp's own update changed (its field's name):
    // the token's message imprint no longer matches.
    let mut bytes = read("signed-timestamp.pdf");
    let at = bytes.windows(11).rposition(|w| w == b"/T (Timesta").unwrap() + 4;
    bytes[at] = b't';
    let r = check(&bytes, &root());
    assert!(!r.holds());
    assert!(!r.signatures[1].intact);
    assert!(r.reasons().iter().any(|p| p.contains("tidak cocok dengan stempel waktu dokumen")), "{:?}", r.reasons());
}

#[test]
fn a_document_timestamp_alone_is_not_a_signature() {
    let r = check(&read("timestamp-only.pdf"), &root());
    assert!(r.signatures.len() == 1 && r.signatures[0].timestamp && r.signatures[0].intact, "{r:?}");
    assert!(!r.is_signed() && !r.holds());
    assert!(r.problem().unwrap().contains("tidak memiliki tanda tangan"), "{:?}", r.problem());
}

#[test]
fn a_signer_from_an_unknown_ca_is_not_trusted() {
    let r = check(&read("untrusted.pdf"), &root());
    assert!(r.signatures[0].intact);
    assert_eq!(r.signatures[0].trusted, Some(false));
    assert!(!r.holds());
    assert!(r.problem().unwrap().contains("tidak berasal dari penerbit yang dipercaya"));
    // Without anchors it does not hold either.
    assert!(!check(&read("untrusted.pdf"), &Anchors::none()).holds());
}

#[test]
fn unsigned_files_are_not_signed() {
    let r = check(&read("unsigned.pdf"), &root());
    assert!(!r.is_signed() && !r.holds());
}

#[test]
fn bad_anchor_files_are_explained() {
    let e = Anchors::load(&[fixture("unsigned.pdf")]).err().unwrap();
    assert!(e.to_string().contains("holds no certificate"), "{e}");
    assert!(Anchors::load(&[fixture("missing.pem")]).is_err());
}

#[test]
fn the_test_signer_makes_signatures_the_checker_accepts() {
    let pdf = read("unsigned.pdf");
    let signed = common_sign(&pdf);
    let r = check(&signed, &Anchors::load(&[fixture("portal-ca.pem")]).unwrap());
    assert!(r.holds(), "{r:?}");
    assert_eq!(r.signatures[0].signer, "Portal TTE Test");
    // The fixtures' root is another CA: not trusted.
    assert_eq!(check(&signed, &root()).signatures[0].trusted, Some(false));
    assert!(signed.starts_with(&pdf));
}

mod common;
fn common_sign(pdf: &[u8]) -> Vec<u8> {
    common::sign_like_a_portal(pdf, "Portal TTE Test", false)
}

/// Issue 12.3: the signer's certificate must have been valid when it
/// signed; the signing time and the absence of revocation data are stated.
#[test]
fn a_certificate_expired_at_signing_time_does_not_hold() {
    let portal = Anchors::load(&[fixture("portal-ca.pem")]).unwrap();
    let pdf = read("unsigned.pdf");
    let who = |expired| common::Signer { cn: "Kepala", serial: None, trusted_ca: true, expired };
    let r = check(&common::sign_as(&pdf, &who(true), false), &portal);
    assert!(r.signatures[0].intact && !r.holds(), "{r:?}");
    assert!(r.problem().unwrap().contains("tidak berlaku pada waktu penandatanganan"), "{:?}", r.problem());
    let r = check(&common::sign_as(&pdf, &who(false), false), &portal);
    assert!(r.holds(), "{r:?}");
    assert!(
        r.summary().contains("signed at ") && r.summary().contains("no revocation data embedded"),
        "{}",
        r.summary()
    );
}

/// Revocation data in the PDF is used: a `/DSS` CRL that lists the signer
/// refuses the file; one that does not is noted.
#[test]
fn an_embedded_crl_that_revokes_the_signer_refuses_the_file() {
    use openssl::{pkey::PKey, x509::X509};
    let portal = Anchors::load(&[fixture("portal-ca.pem")]).unwrap();
    let cert = X509::from_pem(&read("revoked-signer.pem")).unwrap();
    let key = PKey::private_key_from_pem(&read("revoked-signer-key.pem")).unwrap();
    let signed = common::sign_with(&read("unsigned.pdf"), &cert, &key, false);
    let r = check(&signed, &portal);
    assert!(r.holds() && r.summary().contains("no revocation data embedded"), "{r:?}");

    let r = check(&common::with_dss_crl(&signed, &read("revoked.crl")), &portal);
    assert!(r.signatures[0].intact && r.modified_after.is_none(), "validation data may follow: {r:?}");
    assert!(!r.holds(), "{r:?}");
    assert!(r.problem().unwrap().contains("sudah dicabut (revoked)"), "{:?}", r.problem());

    let r = check(&common::with_dss_crl(&signed, &read("empty.crl")), &portal);
    assert!(r.holds(), "{r:?}");
    assert!(r.summary().contains("not revoked per 1 embedded CRL(s)"), "{}", r.summary());
}

/// OCSP responses in the `/DSS` count like CRLs: the signer's issuer (or a
/// responder it delegated) saying revoked before signing refuses the file,
/// and a response the issuer did not sign is ignored. ("Good" depends on
/// when the response was made: see the `timed_*` tests below.)
#[test]
fn embedded_ocsp_responses_are_evaluated() {
    use openssl::{pkey::PKey, x509::X509};
    let portal = Anchors::load(&[fixture("portal-ca.pem")]).unwrap();
    let cert = X509::from_pem(&read("revoked-signer.pem")).unwrap();
    let key = PKey::private_key_from_pem(&read("revoked-signer-key.pem")).unwrap();
    let signed = common::sign_with(&read("unsigned.pdf"), &cert, &key, false);
    let with = |name: &str| check(&common::with_dss_ocsp(&signed, &read(name)), &portal);

    let r = with("ocsp-revoked.der");
    assert!(r.signatures[0].intact && r.modified_after.is_none(), "validation data may follow: {r:?}");
    assert!(!r.holds(), "{r:?}");
    assert!(r.problem().unwrap().contains("sudah dicabut (revoked)"), "{:?}", r.problem());
    assert!(r.problem().unwrap().contains("menurut OCSP"), "{:?}", r.problem());

    // Revoked on 1 Jan 2049: after any signing these tests do until then.
    let r = with("ocsp-revoked-later.der");
    assert!(r.holds(), "{r:?}");
    assert!(r.summary().contains("2049 GMT, after signing (OCSP)"), "{}", r.summary());

    let r = with("ocsp-unrelated.der");
    assert!(r.holds(), "a response the issuer did not sign is not believed: {r:?}");
    let s = r.summary();
    assert!(s.contains("no usable revocation data embedded") && s.contains("OCSP response ignored"), "{s}");
    assert!(!s.contains("OCSP: good"), "{s}");
}

/// The portal CA of make-portal-ca.sh, which issued the signers of
/// make-times.py.
fn portal() -> Anchors {
    Anchors::load(&[fixture("portal-ca.pem")]).unwrap()
}

/// The portal CA and the test TSA.
fn portal_and_tsa() -> Anchors {
    Anchors::load(&[fixture("portal-ca.pem"), fixture("tsa.pem")]).unwrap()
}

/// Issue 12.3: a signature timestamp token whose TSA is trusted gives the
/// signing time; without trust in the TSA, or without a token, the time is
/// the signer's claim, and the report says which.
#[test]
fn a_trusted_signature_timestamp_gives_the_signing_time() {
    let r = check(&read("tst-good.pdf"), &portal_and_tsa());
    assert!(r.holds(), "{r:?}");
    let s = r.summary();
    let trusted = "signed at 2027-03-01T02:00:05+00:00 (signature timestamp by TSA Test, trusted; the signer claims \
                   2027-03-01T02:00:00+00:00)";
    assert!(s.contains(trusted), "{s}");

    let r = check(&read("tst-good.pdf"), &portal());
    assert!(r.holds(), "an untrusted token is no reason, only no trusted time: {r:?}");
    let s = r.summary();
    assert!(
        s.contains(
            "signed at 2027-03-01T02:00:00+00:00 (the signer's claim; the signature timestamp by TSA Test at \
             2027-03-01T02:00:05+00:00 gives no trusted time: its TSA is not trusted)"
        ),
        "{s}"
    );
    let r = check(&read("timed-signed.pdf"), &portal_and_tsa());
    assert!(r.holds(), "{r:?}");
    let s = r.summary();
    assert!(s.contains("signed at 2027-03-01T02:00:00+00:00 (the signer's claim; no signature timestamp)"), "{s}");
}

/// A signer whose certificate had expired when the trusted token was made
/// cannot hide it by claiming an earlier signing time.
#[test]
fn a_backdated_claim_does_not_hide_an_expired_certificate() {
    let r = check(&read("tst-backdated.pdf"), &portal_and_tsa());
    assert!(r.signatures[0].intact && !r.holds(), "{r:?}");
    assert!(r.problem().unwrap().contains("tidak berlaku pada waktu penandatanganan"), "{:?}", r.problem());
    // Without trust in the TSA only the claim is left, and it is in time.
    let r = check(&read("tst-backdated.pdf"), &portal());
    assert!(r.holds(), "{r:?}");
    assert!(r.summary().contains("signed at 2027-05-20T02:00:00+00:00 (the signer's claim;"), "{}", r.summary());
}

/// Revocation is judged at the trusted time too: revoked after the claim
/// but before the token is revoked at signing.
#[test]
fn a_revocation_between_the_claim_and_the_token_refuses_the_file() {
    let pdf = common::with_dss_ocsp(&read("tst-revoked.pdf"), &read("tst-revoked-ocsp.der"));
    let r = check(&pdf, &portal_and_tsa());
    assert!(r.signatures[0].intact && !r.holds(), "{r:?}");
    assert!(r.problem().unwrap().contains("sudah dicabut (revoked)"), "{:?}", r.problem());
    let r = check(&pdf, &portal());
    assert!(r.holds(), "{r:?}");
    assert!(r.summary().contains("after signing (OCSP)"), "{}", r.summary());
}

/// The token is made after the signature: a claimed signing time more than
/// a day after the trusted time is false, and a reason.
#[test]
fn a_claim_long_after_the_trusted_time_is_a_reason() {
    let r = check(&read("tst-late-claim.pdf"), &portal_and_tsa());
    assert!(r.signatures[0].intact && r.signatures[0].trusted == Some(true) && !r.holds(), "{r:?}");
    assert_eq!(
        r.reasons(),
        vec![
            "waktu penandatanganan yang dinyatakan penanda tangan (2027-03-05T02:00:00+00:00) lebih dari 24 jam \
             setelah waktu stempel waktu tepercaya pada tanda tangannya (2027-03-01T02:00:00+00:00)"
        ]
    );
    // Untrusted, the token says nothing, so neither does the difference.
    assert!(check(&read("tst-late-claim.pdf"), &portal()).holds());
}

/// A token must be over its own signature value, and its own signature must
/// verify, whoever trusts its TSA.
#[test]
fn a_signature_timestamp_must_hold() {
    for anchors in [portal_and_tsa(), portal()] {
        let r = check(&read("tst-other-token.pdf"), &anchors);
        assert!(r.signatures[0].intact && !r.holds(), "the signature itself is intact: {r:?}");
        let p = r.problem().unwrap();
        assert!(p.contains("stempel waktu pada tanda tangan tidak cocok dengan nilai tanda tangannya"), "{p}");
        let r = check(&read("tst-broken-token.pdf"), &anchors);
        assert!(r.signatures[0].intact && !r.holds(), "{r:?}");
        assert_eq!(r.problem().unwrap(), "tanda tangan stempel waktu pada tanda tangan tidak sah");
    }
}

/// timed-signed.pdf (signed 2027-03-01 02:00 by a signer of the portal CA,
/// no token) with one OCSP response of make-times.py in its `/DSS`.
fn timed_with(response: &str) -> suratd::pdf::signature::Report {
    check(&common::with_dss_ocsp(&read("timed-signed.pdf"), &read(response)), &portal())
}

/// Issue 12.3: "good" counts only from a response fresh for the signing
/// time (thisUpdate at most 24 h before it, or after it; not lapsed; made
/// while the certificate was valid), and a delegated responder is checked
/// when it answered, not today.
#[test]
fn a_good_ocsp_response_counts_only_when_fresh_for_the_signing_time() {
    for name in ["timed-ocsp-fresh.der", "timed-ocsp-after.der", "timed-ocsp-delegated.der"] {
        let r = timed_with(name);
        assert!(r.holds(), "{name}: {r:?}");
        let s = r.summary();
        assert!(s.contains("OCSP: good") && !s.contains("ignored"), "{name}: {s}");
    }
    for (name, why) in [
        ("timed-ocsp-stale.der", "issued Feb 19 02:00:00 2027 GMT, more than 24 hours before the signing time"),
        ("timed-ocsp-lapsed.der", "it lapsed on Mar  1 01:00:00 2027 GMT, before the signing time"),
        ("timed-ocsp-after-expiry.der", "issued Feb  1 00:00:00 2028 GMT, after the signer's certificate expired"),
        ("timed-ocsp-delegated-expired.der", "or a responder it delegated, valid when it answered"),
    ] {
        let r = timed_with(name);
        assert!(r.holds(), "no usable data is stated, not refused: {name}: {r:?}");
        let s = r.summary();
        assert!(s.contains("no usable revocation data embedded (not checked for revocation)"), "{name}: {s}");
        assert!(s.contains(why) && !s.contains("OCSP: good"), "{name}: {s}");
    }
    let r = timed_with("timed-ocsp-revoked-later.der");
    assert!(r.holds(), "{r:?}");
    assert!(r.summary().contains("revoked on Mar  2 02:00:00 2027 GMT, after signing (OCSP)"), "{}", r.summary());
}
