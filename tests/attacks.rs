//! Attacks found by a review of issue 12, each kept as a test that the
//! attack now fails: a signed letter changed after signing through an object
//! suratd could not read or a print-only "timestamp" widget; a different
//! letter signed in place of the copy; other bytes saved over a signed
//! letter; a note that is a hard link to a secret; the pinned signer's
//! name on a certificate from another trusted authority; the copy's text
//! kept but made invisible, or struck through, under what the head saw.

mod common;
use common::*;
use std::time::Duration;

fn file05(env: &Env, id: &str) -> String {
    let name = env.files("05-menunggu-tte").into_iter().find(|n| n.starts_with(id) && n.ends_with(".pdf")).unwrap();
    format!("05-menunggu-tte/{name}")
}

fn replace_content(bytes: &[u8], text: &str) -> Vec<u8> {
    replace_raw(bytes, &format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET\n"))
}

/// After signing: a "document timestamp" field whose widget is NoView+Print
/// with a visible appearance, its /V a direct dictionary (never verified).
fn add_print_only_overlay(signed: &[u8], text: &str) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let prev = lopdf::Document::load_mem(signed).unwrap();
    let page = *prev.get_pages().get(&1).unwrap();
    let root = prev.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let form_obj = prev.get_dictionary(root).unwrap().get(b"AcroForm").ok().cloned();
    let mut inc = lopdf::IncrementalDocument::create_from(signed.to_vec(), prev.clone());
    let font = Object::Dictionary(dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"});
    let cover = format!("1 1 1 rg 0 0 500 40 re f BT 0 0 0 rg /F1 14 Tf 2 14 Td ({text}) Tj ET");
    let ap = inc.new_document.add_object(Stream::new(
        dictionary! {"Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 500.into(), 40.into()],
            "Resources" => dictionary!{"Font" => dictionary!{"F1" => font}}},
        cover.into_bytes()));
    let field = inc.new_document.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig", "T" => Object::string_literal("DocTS"), "F" => 36,
        "Rect" => vec![60.into(), 745.into(), 560.into(), 785.into()], "P" => page,
        "V" => dictionary!{"Type" => "DocTimeStamp", "SubFilter" => "ETSI.RFC3161",
            "ByteRange" => vec![0.into(),0.into(),0.into(),0.into()], "Contents" => Object::String(vec![0], lopdf::StringFormat::Hexadecimal)},
        "AP" => dictionary!{"N" => ap},
    });
    inc.opt_clone_object_to_new_document(page).unwrap();
    {
        let p = inc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        let mut annots = match p.get(b"Annots") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(id)) => prev.get_object(*id).unwrap().as_array().unwrap().clone(),
            _ => vec![],
        };
        annots.push(field.into());
        p.set("Annots", annots);
    }
    if let Some(form_id) = form_obj.and_then(|o| o.as_reference().ok()) {
        inc.opt_clone_object_to_new_document(form_id).unwrap();
        let f = inc.new_document.get_object_mut(form_id).unwrap().as_dict_mut().unwrap();
        let mut fields = match f.get(b"Fields") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(Object::Reference(id)) => prev.get_object(*id).unwrap().as_array().unwrap().clone(),
            _ => vec![],
        };
        fields.push(field.into());
        f.set("Fields", fields);
    }
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    out
}

/// After signing: the font gains /Encoding N 0 R, N's xref offset 3 bytes off
/// (lopdf skips N: unresolvable == absent; poppler/qpdf reconstruct and use it).
fn add_encoding_with_bad_offset(signed: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(signed).unwrap();
    let font_id = doc
        .objects
        .iter()
        .find(|(_, o)| o.as_dict().is_ok_and(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Font")))
        .map(|(id, _)| *id)
        .unwrap();
    let font = doc.get_dictionary(font_id).unwrap();
    let base = String::from_utf8_lossy(font.get(b"BaseFont").unwrap().as_name().unwrap()).to_string();
    let enc = doc.max_id + 1;
    let s = String::from_utf8_lossy(signed).to_string();
    let i = s.rfind("startxref").unwrap();
    let prev: usize = s[i + 9..].trim().lines().next().unwrap().trim().parse().unwrap();
    let mut out = signed.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let o1 = out.len();
    out.extend_from_slice(
        format!(
            "{} {} obj\n<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding {enc} 0 R >>\nendobj\n",
            font_id.0, font_id.1
        )
        .as_bytes(),
    );
    let o2 = out.len();
    out.extend_from_slice(format!("{enc} 0 obj\n<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [ 48 /nine /nine ] >>\nendobj\n").as_bytes());
    let xref = out.len();
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
        .map(|r| format!("/Info {} {} R", r.0, r.1))
        .unwrap_or_default();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    out.extend_from_slice(format!("xref\n{} 1\n{:010} {:05} n \n{enc} 1\n{:010} 00000 n \ntrailer\n<< /Size {} /Root {} {} R {info} /Prev {} >>\nstartxref\n{}\n%%EOF\n",
        font_id.0, o1, font_id.1, o2 + 3, enc + 1, root.0, root.1, prev, xref).as_bytes());
    out
}

fn refused(env: &Env, name: &str) -> String {
    let reason = format!("_ditolak/{name}.alasan.txt");
    assert!(wait_until(Duration::from_secs(15), || env.p(&reason).is_file()), "{:?}\n{}", env.tree(), env.log());
    std::fs::read_to_string(env.p(&reason)).unwrap()
}

#[test]
fn an_object_suratd_cannot_read_added_after_signing_is_a_change() {
    let env = env("events");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Sembilan");
    let copy = std::fs::read(env.p(&file05(&env, &id))).unwrap();
    let forged = add_encoding_with_bad_offset(&sign_like_a_portal(&copy, "Kepala", false));
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &forged);
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("tidak dapat dibaca"), "{r}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    assert!(!env.files("07-distribusi").iter().any(|n| n.starts_with(&id)));
}

#[test]
fn a_print_only_timestamp_widget_after_signing_is_a_change() {
    let env = env("events");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Empat");
    let copy = std::fs::read(env.p(&file05(&env, &id))).unwrap();
    let signed = sign_like_a_portal(&copy, "Kepala", false);
    let forged = add_print_only_overlay(&signed, "Nomor: B-999/17000/KP.650/2026 DIBATALKAN");
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &forged);
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("diubah setelah ditandatangani"), "{r}");
    assert!(!env.files("07-distribusi").iter().any(|n| n.starts_with(&id)));
}

#[test]
fn a_file_beginning_with_the_copy_but_changed_before_signing_is_refused() {
    let env = env("events");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Tiga");
    let copy = std::fs::read(env.p(&file05(&env, &id))).unwrap();
    let changed = replace_content(&copy, "SURAT KEPUTUSAN LAIN: pemberhentian pegawai NIP 1985");
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&changed, "Kepala", false));
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("tidak ada di berkas yang ditandatangani"), "{r}");
    assert!(!env.files("07-distribusi").iter().any(|n| n.starts_with(&id)));
}

#[test]
fn other_bytes_saved_over_a_signed_letter_are_refused_and_the_signed_file_put_back() {
    let env = env("events");
    let _d = env.start();
    let id = to_signature(&env, "Rapat Lima");
    let copy = std::fs::read(env.p(&file05(&env, &id))).unwrap();
    let signed = sign_like_a_portal(&copy, "Kepala", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let name = env.wait_file("07-distribusi", &id);
    let at = env.p(&format!("07-distribusi/{name}"));
    std::fs::write(&at, pdf("SURAT PALSU tanpa tanda tangan")).unwrap();
    let r = refused(&env, &name);
    assert!(r.contains("sudah ditandatangani"), "{r}");
    assert!(wait_until(Duration::from_secs(10), || std::fs::read(&at).is_ok_and(|b| b == signed)), "{:?}", env.tree());
    assert!(!env.actions(&id).contains(&"version".to_string()), "{:?}", env.actions(&id));
}

#[test]
fn a_note_that_is_a_hard_link_is_not_read() {
    let env = env("events");
    let _d = env.start();
    let secret = env.dir.path().join("smtp-password");
    std::fs::write(&secret, "hunter2-RAHASIA").unwrap();
    env.drop_file("01-draf/KP.650 Rapat Enam.pdf", &pdf("Undangan Rapat Enam -"));
    let name = env.wait_file("02-verifikasi", &format!("SK-{}", year()));
    let id = name[..12].to_string();
    std::fs::hard_link(&secret, env.p(&format!("02-verifikasi/revisi/{}", name.replace(".pdf", ".txt")))).unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    env.wait_file("01-draf/revisi", &id);
    env.settled();
    let notes: Vec<String> = {
        let c = env.conn();
        let mut s = c.prepare("SELECT coalesce(note,'') FROM transitions WHERE letter_id=?1").unwrap();
        s.query_map([&id], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(!notes.iter().any(|n| n.contains("hunter2")), "{notes:?}");
    for f in env.tree() {
        if f.ends_with(".txt") && !f.starts_with("_ditolak") {
            assert!(!std::fs::read_to_string(env.p(&f)).unwrap_or_default().contains("hunter2"), "{f}");
        }
    }
}

/// The Kepala pinned by a certificate file; a certificate with the same
/// subject from another trusted authority (the portal test CA) signs.
#[test]
fn the_same_name_from_another_authority_is_not_the_pinned_signer() {
    use openssl::{asn1::Asn1Time, hash::MessageDigest, pkey::PKey, rsa::Rsa, x509::X509};
    let env = mail_env(None, "");
    let wf_path = env.dir.path().join("workflow.yaml");
    let pinned = fixture_dir().join("root-signer.pem");
    let wf = std::fs::read_to_string(&wf_path).unwrap().replace(
        "roles: [kepala]}",
        &format!("roles: [kepala], signing: {{certificate: {:?}}}}}", pinned.display().to_string()),
    );
    std::fs::write(&wf_path, wf).unwrap();
    let _d = env.start();
    let id = to_signature(&env, "Rapat Delapan");

    let read = |n: &str| std::fs::read(fixture_dir().join(n)).unwrap();
    let head = X509::from_pem(&read("root-signer.pem")).unwrap();
    let (ca, ca_key) = (
        X509::from_pem(&read("portal-ca.pem")).unwrap(),
        PKey::private_key_from_pem(&read("portal-ca-key.pem")).unwrap(),
    );
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(head.subject_name()).unwrap();
    b.set_issuer_name(ca.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_serial_number(&openssl::bn::BigNum::from_u32(4242).unwrap().to_asn1_integer().unwrap()).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::days_from_now(3650).unwrap()).unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    let cert = b.build();

    let copy = copy_for_signing(&env, &id);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_with(&copy, &cert, &key, false));
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("Kepala BPS Provinsi Bengkulu") && r.contains("yang boleh menandatangani"), "{r}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
}

/// The copy for signing of a letter walked to 05-menunggu-tte, its number,
/// and its text line as the copy draws it.
fn copy_and_line(env: &Env, perihal: &str) -> (String, Vec<u8>, String) {
    let id = to_signature(env, perihal);
    let copy = std::fs::read(env.p(&file05(env, &id))).unwrap();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    let line = format!("BT /F1 12 Tf 72 760 Td (Nomor: {number}) Tj ET\n");
    (id, copy, line)
}

#[test]
fn the_copys_text_made_invisible_under_other_text_is_refused() {
    let env = env("events");
    let _d = env.start();
    let (id, copy, line) = copy_and_line(&env, "Rapat Enam");
    // The copy's line still in the file (render mode 3: never drawn), and
    // below it, drawn, another line: the text check finds every line of
    // the copy, a reader sees only the other one.
    let forged = replace_raw(
        &copy,
        &format!("BT 3 Tr ET\n{line}BT 0 Tr ET\nBT /F1 14 Tf 72 700 Td (Rapat 31 Desember) Tj ET\n"),
    );
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&forged, "Kepala", false));
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("pada halaman 1") && r.contains("tidak tampak"), "{r}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    assert!(!env.files("07-distribusi").iter().any(|n| n.starts_with(&id)));
}

#[test]
fn a_line_struck_through_before_signing_is_refused_and_a_code_in_blank_space_is_not() {
    let env = env("events");
    let _d = env.start();
    let (id, copy, line) = copy_and_line(&env, "Rapat Tujuh");
    let struck = replace_raw(&copy, &format!("{line}0 0 0 RG 1.5 w 72 764 m 330 764 l S\n"));
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&struck, "Kepala", false));
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("pada halaman 1") && r.contains("ditimpa"), "{r}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    // The portal's QR code, drawn where the copy is blank, is allowed.
    let coded = replace_raw(&copy, &format!("{line}0 g 420 60 90 90 re f\n"));
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&coded, "Kepala", false));
    assert!(
        wait_until(Duration::from_secs(15), || env.files("07-distribusi").iter().any(|n| n.starts_with(&id))),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
}

#[test]
fn without_pdftoppm_a_signed_letter_is_refused_and_check_says_why() {
    let env = env("events");
    let empty = env.p("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let path = empty.to_str().unwrap();
    let _d = env.start_with_env(&[("PATH", path)]);
    let id = to_signature(&env, "Rapat Delapan");
    let copy = std::fs::read(env.p(&file05(&env, &id))).unwrap();
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &sign_like_a_portal(&copy, "Kepala", false));
    let r = refused(&env, &format!("{id} ttd.pdf"));
    assert!(r.contains("pdftoppm (poppler-utils) belum terpasang"), "{r}");
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    let out = std::process::Command::new(Env::bin())
        .arg("--config")
        .arg(&env.config)
        .arg("check")
        .env("PATH", path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("warning: pdftoppm") && said.contains("poppler-utils"), "{said}");
}
