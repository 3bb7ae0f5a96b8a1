//! What people print and file, end to end through the real daemon and a
//! real SMTP server: a letter walked through every step (sent back once
//! with a note, signed, emailed to one addressee, taken by courier to the
//! other), then the expedition book and the agenda as PDF, drawn with
//! pdftoppm and read with pdftotext, and the archive's keterangan.txt.

mod common;
use common::smtp::Smtp;
use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const SUBJECT: &str = "Undangan Rapat Koordinasi Persiapan Sensus Ekonomi 2026 bagi Seluruh Kepala BPS Kabupaten dan Kota se-Provinsi Bengkulu";

/// A letter walked from draft to archive; its id, file name and number.
fn walk(env: &Env, smtp: &Smtp) -> (String, String, String) {
    let sidecar = format!(
        "perihal: {SUBJECT}\ntujuan:\n  - nama: Kepala BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n  - Kepala Dinas Komunikasi dan Informatika Provinsi Bengkulu\n"
    );
    std::fs::write(env.p("01-draf/KP.650 Undangan.yaml"), sidecar).unwrap();
    env.drop_file("01-draf/KP.650 Undangan.pdf", &pdf("Undangan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number: String = env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    // The team leader sends it back with a note; the drafter corrects it.
    std::fs::write(env.p("02-verifikasi/revisi/catatan.txt"), "Tanggal rapat salah.").unwrap();
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/revisi");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "draf"), "{}", env.log());
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {number}  Undangan Rapat")));
    for (from, to) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.mv(&format!("{from}/{name}"), to);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    let signed = sign_like_a_portal(&copy_for_signing(env, &id), "Kepala BPS Provinsi Bengkulu", false);
    env.drop_file(&format!("06-sudah-tte/{id} ttd.pdf"), &signed);
    let in07 = env.wait_file("07-distribusi", &id);
    // Step 9 emails the addressee who has an address; then the courier.
    let emailed = || env.count("SELECT COUNT(*) FROM dispatches WHERE method = 'email'") == 1;
    assert!(wait_until(Duration::from_secs(15), emailed), "{:?}\n{}", smtp.received().len(), env.log());
    std::fs::write(env.p("07-distribusi/terkirim/kirim.txt"), "metode: kurir\npenerima: Pak Amir\n").unwrap();
    env.mv(&format!("07-distribusi/{in07}"), "07-distribusi/terkirim");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).1 == "finished"), "{}", env.log());
    (id, name, number)
}

/// The office with people named as people are: Bagian Umum is Rina.
fn office(smtp: &Smtp) -> Env {
    let env = mail_env(Some(smtp.port), "");
    let path = env.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&path)
        .unwrap()
        .replace("name: Bagian Umum, email: umum@", "name: Rina Wati, email: umum@");
    std::fs::write(&path, wf).unwrap();
    env
}

fn pdftotext(pdf: &Path, args: &[&str]) -> String {
    let out = Command::new("pdftotext").args(args).arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn renders(pdf: &Path) {
    let png = pdf.with_extension("");
    let ok = Command::new("pdftoppm").args(["-r", "30", "-png"]).arg(pdf).arg(&png).status().expect("pdftoppm");
    assert!(ok.success(), "{} renders", pdf.display());
}

/// Words of page 1 as pdftotext places them: (x min, y min, word), y from the top.
fn words(pdf: &Path) -> Vec<(f32, f32, String)> {
    let html = pdftotext(pdf, &["-bbox", "-f", "1", "-l", "1"]);
    let re = regex::Regex::new(r#"<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>"#)
        .unwrap();
    re.captures_iter(&html).map(|c| (c[1].parse().unwrap(), c[2].parse().unwrap(), c[3].to_string())).collect()
}

#[test]
fn the_books_print_whole_with_names_an_empty_signature_box_and_emails_apart() {
    let smtp = Smtp::start(0, &[]);
    let env = office(&smtp);
    let _d = env.start();
    let (_id, _name, number) = walk(&env, &smtp);

    let book = env.dir.path().join("ekspedisi.pdf");
    let out = env.cli(&["ekspedisi", "--pdf", book.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    renders(&book);
    let text = pdftotext(&book, &["-layout"]);
    let (hand, email) = text.split_once("B. Dikirim melalui email").expect("an email section");
    // Every word of the long subject is there, nothing cut short.
    for w in SUBJECT.split(' ') {
        assert!(hand.contains(w) && email.contains(w), "{w:?} missing:\n{text}");
    }
    assert!(!text.contains("...") && !text.contains('…'), "{text}");
    // The courier's line: only the addressee without email, staff by name,
    // the receiver's name under Keterangan.
    assert!(hand.contains(&number) && hand.contains("kurir") && hand.contains("Rina Wati"), "{hand}");
    assert!(hand.contains("Komunikasi") && hand.contains("Pak Amir"), "{hand}");
    assert!(!hand.contains("Kaur") && !hand.contains("kaur@"), "emailed, not by courier:\n{hand}");
    assert!(email.contains("kaur@bps.go.id") && email.contains("Kepala BPS Kabupaten"), "{email}");
    assert!(!text.contains("bagian_umum") && !text.contains("suratd@localhost") && !text.contains("role:"), "{text}");
    assert!(text.contains("Halaman 1 dari 1") && text.contains("BPS Provinsi Bengkulu"), "{text}");
    // Times as the office writes them, not ISO.
    assert!(hand.contains("pukul") && !text.contains(&format!("{}-", year())), "{text}");
    // The signature box (the last column, under its heading, above the
    // email section) is empty.
    let ws = words(&book);
    let head = ws.iter().find(|(_, _, w)| w == "Penerima").expect("the signature column");
    let section_b = ws.iter().find(|(_, _, w)| w == "B.").expect("the email section").1;
    let inside: Vec<_> =
        ws.iter().filter(|(x, y, _)| *x >= head.0 - 30.0 && *y > head.1 + 5.0 && *y < section_b).collect();
    assert!(inside.is_empty(), "written in the signature box: {inside:?}");

    // Many lines: every page says which page of how many.
    let conn = env.conn();
    for _ in 0..40 {
        conn.execute(
            "INSERT INTO dispatches (letter_id, at, method, recipients, sent_by, note)
             SELECT letter_id, at, method, recipients, sent_by, note FROM dispatches WHERE method = 'kurir'",
            [],
        )
        .unwrap();
        if env.count("SELECT COUNT(*) FROM dispatches") > 40 {
            break;
        }
    }
    let out = env.cli(&["ekspedisi", "--pdf", book.to_str().unwrap()]);
    assert!(out.status.success());
    let pages = lopdf::Document::load(&book).unwrap().get_pages().len();
    assert!(pages > 2, "{pages} pages");
    for p in 1..=pages {
        let t = pdftotext(&book, &["-layout", "-f", &p.to_string(), "-l", &p.to_string()]);
        assert!(t.contains(&format!("Halaman {p} dari {pages}")) && t.contains("Tanda Tangan Penerima"), "{t}");
    }

    // The agenda, printed the same way.
    let agenda = env.dir.path().join("agenda.pdf");
    let out = env.cli(&["agenda", "--pdf", agenda.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    renders(&agenda);
    let text = pdftotext(&agenda, &["-layout"]);
    assert!(text.contains("Agenda Surat Keluar") && text.contains(&number) && text.contains("Biasa"), "{text}");
    for w in SUBJECT.split(' ') {
        assert!(text.contains(w), "{w:?} missing:\n{text}");
    }
    assert!(text.contains("selesai") && text.contains("Halaman 1 dari 1"), "{text}");
    // A path that cannot be written is a clear error.
    let out = env.cli(&["agenda", "--pdf", "/nonexistent/agenda.pdf"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("/nonexistent/agenda.pdf"), "{err}");
}

#[test]
fn the_archive_record_names_people_the_signer_and_each_delivery_in_indonesian() {
    let smtp = Smtp::start(0, &[]);
    let env = office(&smtp);
    let _d = env.start();
    let (id, name, number) = walk(&env, &smtp);
    let arsip = format!("arsip/{}/{}", year(), name.trim_end_matches(".pdf"));
    let path = env.p(&format!("{arsip}/keterangan.txt"));
    assert!(wait_until(Duration::from_secs(5), || path.is_file()), "{:?}", env.tree());
    let text = std::fs::read_to_string(path).unwrap();
    for want in [
        format!("Nomor surat     : {number}"),
        format!("Perihal         : {SUBJECT}"),
        "Sifat           : Biasa".into(),
        "Kepada          : Kepala BPS Kabupaten Kaur; Kepala Dinas Komunikasi".into(),
        "Penyusun draf   : Dewi Drafter (Anggota Tim)".into(),
        "Penanda tangan  : Kepala BPS Provinsi Bengkulu".into(),
        format!("Kode surat      : {id}"),
        "Dikembalikan untuk perbaikan oleh Ketua Umum (Ketua Tim).".into(),
        "Catatan: Tanggal rapat salah.".into(),
        "Pengiriman selesai dan surat diarsipkan oleh Rina Wati (Bagian Umum).".into(),
        "Dikirim melalui email kepada Kepala BPS Kabupaten Kaur <kaur@bps.go.id>".into(),
        "Diantar kurir kepada Kepala Dinas Komunikasi dan Informatika Provinsi Bengkulu; diterima oleh Pak Amir."
            .into(),
        " WIB".into(),
    ] {
        assert!(text.contains(&want), "{want:?} missing:\n{text}");
    }
    for bad in ["role:", "->", "ketua_tim", "anggota_tim", "signed by", "intact", "suratd@localhost", "Sifat: B"] {
        assert!(!text.contains(bad), "{bad:?} in:\n{text}");
    }
}
