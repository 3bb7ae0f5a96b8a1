//! Signature checks on PDFs signed with pyHanko (tests/fixtures/signed,
//! made by make.py there with a test CA standing in for BSrE).

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

#[test]
fn a_good_signature_holds_and_names_its_signer() {
    for anchors in [root(), Anchors::none()] {
        let r = check(&read("signed.pdf"), &anchors);
        assert_eq!(r.signatures.len(), 1);
        let s = &r.signatures[0];
        assert_eq!(s.signer, "Kepala BPS Provinsi Bengkulu");
        assert!(s.intact, "{r:?}");
        assert_eq!(s.trusted, anchors.configured().then_some(true));
        assert!(r.holds(), "{r:?}");
        assert_eq!(r.problem(), None);
    }
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

#[test]
fn a_signer_from_an_unknown_ca_is_not_trusted() {
    let r = check(&read("untrusted.pdf"), &root());
    assert!(r.signatures[0].intact);
    assert_eq!(r.signatures[0].trusted, Some(false));
    assert!(!r.holds());
    assert!(r.problem().unwrap().contains("tidak berasal dari penerbit yang dipercaya"));
    // Without anchors, only the signature itself is checked.
    assert!(check(&read("untrusted.pdf"), &Anchors::none()).holds());
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
    let r = check(&signed, &Anchors::none());
    assert!(r.holds(), "{r:?}");
    assert_eq!(r.signatures[0].signer, "Portal TTE Test");
    assert!(signed.starts_with(&pdf));
}

mod common;
fn common_sign(pdf: &[u8]) -> Vec<u8> {
    common::sign_like_a_portal(pdf, "Portal TTE Test", false)
}
