//! Letters as documents: agenda numbers and metadata, end to end through
//! the real daemon. Assertions read the folders and the SQLite file.

mod common;
use common::*;
use std::time::Duration;

fn number_of(env: &Env, id: &str) -> String {
    env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [id], |r| r.get(0)).unwrap()
}

#[test]
fn a_sidecar_describes_the_letter_and_is_kept() {
    let env = env("events");
    let _d = env.start();
    let sidecar = "perihal: Undangan Rapat Koordinasi Statistik\nsifat: Penting\nklasifikasi: HM.340\ntujuan:\n  - nama: Kepala BPS Kabupaten Kaur\n    email: kaur@bps.go.id\n  - Kepala Dinas Kominfo\ntembusan:\n  - nama: Sekretaris Utama\n    email: bukan alamat\nlampiran: 1 berkas\n";
    // The sidecar may come a moment after the PDF.
    env.drop_file("01-draf/Draf undangan.pdf", &pdf("Undangan"));
    std::fs::write(env.p("01-draf/Draf undangan.yaml"), sidecar).unwrap();
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = &name[..12];
    assert_eq!(name, format!("{id} Undangan Rapat Koordinasi Statistik.pdf"));
    assert_eq!(number_of(&env, id), format!("P-001/17000/HM.340/{}", year()));
    let (sifat, klas, meta): (String, String, String) = env
        .conn()
        .query_row("SELECT sifat, klasifikasi, metadata FROM letters WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((sifat.as_str(), klas.as_str()), ("P", "HM.340"));
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["tujuan"][0]["email"], "kaur@bps.go.id");
    assert_eq!(meta["tujuan"][1]["nama"], "Kepala Dinas Kominfo");
    assert!(meta["tembusan"][0]["email"].is_null(), "an invalid address is dropped");
    // The bad address is a warning on the registration, not a refusal.
    let note: String =
        env.conn().query_row("SELECT note FROM transitions WHERE letter_id = ?1", [id], |r| r.get(0)).unwrap();
    assert!(note.contains("bukan alamat"), "{note}");
    // The sidecar left the share and is in the version store.
    assert!(wait_until(Duration::from_secs(5), || env.files("01-draf").is_empty()), "{:?}", env.files("01-draf"));
    let sha = sha256(sidecar.as_bytes());
    assert!(env.dir.path().join("data/store").join(&sha[..2]).join(&sha).is_file());
}

#[test]
fn metadata_problems_are_explained_to_the_drafter() {
    let env = env("events");
    let _d = env.start();
    // No classification anywhere.
    env.drop_file("01-draf/Undangan.pdf", &pdf("Undangan"));
    // A sidecar with an unknown key.
    std::fs::write(env.p("01-draf/HM.340 Edaran.yaml"), "perihal: Edaran\nsifatt: Biasa\n").unwrap();
    env.drop_file("01-draf/HM.340 Edaran.pdf", &pdf("Edaran"));
    // A sidecar that is not YAML at all, and one that is huge.
    std::fs::write(env.p("01-draf/KP.650 Rusak.yaml"), "perihal: [tidak ditutup\n").unwrap();
    env.drop_file("01-draf/KP.650 Rusak.pdf", &pdf("Rusak"));
    std::fs::write(env.p("01-draf/KP.650 Besar.yaml"), format!("perihal: {}\n", "x".repeat(70_000))).unwrap();
    env.drop_file("01-draf/KP.650 Besar.pdf", &pdf("Besar"));
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 4),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let reason = |f: &str| std::fs::read_to_string(env.p(&format!("_ditolak/{f}.alasan.txt"))).unwrap();
    assert!(reason("Undangan.pdf").contains("Kode klasifikasi arsip untuk surat ini belum dicantumkan"));
    let r = reason("HM.340 Edaran.pdf");
    assert!(r.contains("baris 2 kolom 1") && r.contains("sifatt"), "{r}");
    assert!(reason("KP.650 Rusak.pdf").contains("baris 1"), "{}", reason("KP.650 Rusak.pdf"));
    assert!(reason("KP.650 Besar.pdf").contains("terlalu besar"));
    // Each sidecar went along with its PDF; nothing was registered; nothing lost.
    for f in ["HM.340 Edaran.yaml", "KP.650 Rusak.yaml", "KP.650 Besar.yaml"] {
        assert!(env.p(&format!("_ditolak/{f}")).is_file(), "{f}: {:?}", env.files("_ditolak"));
    }
    assert!(env.emptied("01-draf"));
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers"), 0, "no number is used up by a refused draft");
}

#[test]
fn an_office_continues_its_sequence_and_back_dated_letters_are_inserted() {
    let env = env_with("events", "workflow: workflow.yaml\n");
    let y = year();
    std::fs::write(
        env.dir.path().join("workflow.yaml"),
        SHIPPED.replace("    last_used: {}", &format!("    last_used: {{{y}: 57}}")),
    )
    .unwrap();
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Pertama.pdf", &pdf("Pertama"));
    let first = env.wait_file("02-verifikasi", "SK-");
    assert_eq!(number_of(&env, &first[..12]), format!("B-058/17000/KP.650/{y}"));
    env.drop_file("01-draf/KP.650 Kedua.pdf", &pdf("Kedua"));
    assert!(wait_until(Duration::from_secs(10), || env.files("02-verifikasi").len() == 2));
    // A letter dated before the others gets an inserted number.
    let today = suratd::util::timefmt::date_wib(chrono::Utc::now());
    let earlier = today - chrono::Duration::days(1);
    if earlier.format("%Y").to_string() == y.to_string() {
        std::fs::write(env.p("01-draf/KP.650 Susulan.yaml"), format!("tanggal: {earlier}\n")).unwrap();
        env.drop_file("01-draf/KP.650 Susulan.pdf", &pdf("Susulan"));
        assert!(wait_until(Duration::from_secs(10), || env.files("02-verifikasi").len() == 3));
        let n: String =
            env.conn().query_row("SELECT number FROM letters WHERE subject = 'Susulan'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, format!("B-057A/17000/KP.650/{y}"));
    }
}

#[test]
fn a_burst_of_drafts_gets_distinct_numbers_without_gaps() {
    let env = env("events");
    let _d = env.start();
    let n = 30;
    for i in 0..n {
        env.drop_file(&format!("01-draf/KP.650 Surat {i:02}.pdf"), &pdf(&format!("Surat nomor {i}")));
    }
    assert!(
        wait_until(Duration::from_secs(30), || env.files("02-verifikasi").len() == n),
        "{}",
        env.files("02-verifikasi").len()
    );
    assert_eq!(env.count("SELECT COUNT(DISTINCT number) FROM letters"), n as i64);
    assert_eq!(env.count("SELECT COUNT(DISTINCT id) FROM letters"), n as i64);
    assert_eq!(env.count("SELECT MIN(seq) FROM numbers"), 1);
    assert_eq!(env.count("SELECT MAX(seq) FROM numbers"), n as i64);
}

#[test]
fn a_cancelled_letter_keeps_its_number() {
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Dibatalkan.pdf", &pdf("Dibatalkan"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    env.mv(&format!("02-verifikasi/{name}"), "batal");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).1 == "cancelled"));
    assert_eq!(number_of(&env, &id), format!("B-001/17000/KP.650/{}", year()));
    assert!(env.files("batal").contains(&name));
    env.drop_file("01-draf/KP.650 Berikutnya.pdf", &pdf("Berikutnya"));
    let next = env.wait_file("02-verifikasi", "SK-");
    assert_eq!(number_of(&env, &next[..12]), format!("B-002/17000/KP.650/{}", year()));
    // The cancelled letter's file dropped again is refused, not revived.
    std::fs::copy(env.p(&format!("batal/{name}")), env.p("01-draf/lagi.pdf")).unwrap();
    assert!(wait_until(Duration::from_secs(10), || env
        .count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'letter_closed'")
        == 1));
}

#[test]
fn the_number_must_be_in_the_letter_before_it_goes_for_signature() {
    // The number checked before signing (`common::number_before_signing`).
    let env = env("events");
    let _d = env.start();
    env.drop_file("01-draf/KP.650 Surat Tugas.pdf", &pdf("Surat Tugas tanpa nomor"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number = number_of(&env, &id);
    env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{name}"), "03-kelengkapan/setuju");
    // Back to the drafter, with a note saying why.
    env.wait_file("01-draf/revisi", &format!("{id} Surat Tugas.pdf"));
    assert!(env.files("04-ajukan-tte").is_empty());
    let note = env.p(&format!("01-draf/revisi/{id} catatan putaran 1 (sistem).txt"));
    assert!(wait_until(Duration::from_secs(5), || note.is_file()));
    let text = std::fs::read_to_string(&note).unwrap();
    assert!(text.contains(&number) && text.contains("belum tercantum"), "{text}");
    assert_eq!(env.letter(&id).0, "draf");
    assert_eq!(env.actions(&id).last().unwrap(), "number_missing");

    // With the number in it (written across a line break), it passes.
    let (a, b) = number.split_at(6);
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&format!("Nomor: {a} {b}")));
    let back = env.wait_file("02-verifikasi", &id);
    env.mv(&format!("02-verifikasi/{back}"), "02-verifikasi/setuju");
    env.wait_file("03-kelengkapan", &id);
    env.mv(&format!("03-kelengkapan/{back}"), "03-kelengkapan/setuju");
    env.wait_file("04-ajukan-tte", &id);
    assert_eq!(env.letter(&id).0, "ajukan_tte");
}

/// Walks a new letter from the draft folder to 05-menunggu-tte; returns its
/// id and file name. The draft's text carries its number.
fn to_signature(env: &Env, sidecar: Option<&str>, draft_text: impl Fn(&str) -> String) -> (String, String) {
    if let Some(sc) = sidecar {
        std::fs::write(env.p("01-draf/KP.650 Undangan Rapat Koordinasi.yaml"), sc).unwrap();
    }
    env.drop_file("01-draf/KP.650 Undangan Rapat Koordinasi.pdf", &pdf(&format!("Undangan {}", draft_text("-"))));
    let name = env.wait_file("02-verifikasi", "SK-");
    let id = name[..12].to_string();
    let number = number_of(env, &id);
    env.drop_file(&format!("01-draf/{id} v2.pdf"), &pdf(&draft_text(&number)));
    assert!(wait_until(Duration::from_secs(10), || env.actions(&id).contains(&"replace".to_string())));
    for (from, to) in [("02-verifikasi", "02-verifikasi/setuju"), ("03-kelengkapan", "03-kelengkapan/setuju")] {
        env.wait_file(from, &id);
        env.mv(&format!("{from}/{name}"), to);
    }
    env.wait_file("04-ajukan-tte", &id);
    env.mv(&format!("04-ajukan-tte/{name}"), "05-menunggu-tte");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&id).0 == "menunggu_tte"));
    (id, name)
}

#[test]
fn a_signed_file_without_the_id_is_matched_by_the_number_in_its_text() {
    let env = env_with("events", "workflow: workflow.yaml\n");
    std::fs::write(env.dir.path().join("workflow.yaml"), shipped_for_fixtures()).unwrap();
    let _d = env.start();
    // The pyHanko fixture says "Nomor: B-001/17000/KP.650/2026"; a letter
    // dated in 2026 gets that number in any later year too.
    let (id, _) =
        to_signature(&env, Some("tanggal: 2026-01-15\n"), |n| format!("Nomor: {n}  Undangan Rapat Koordinasi"));
    assert_eq!(number_of(&env, &id), "B-001/17000/KP.650/2026");
    let signed = signed_fixture("signed.pdf");
    env.drop_file("06-sudah-tte/Surat hasil TTE.pdf", &signed);
    let in07 = env.wait_file("07-distribusi", &id);
    assert!(std::fs::read(env.p(&format!("07-distribusi/{in07}"))).unwrap() == signed);
    assert!(env.files("05-menunggu-tte").is_empty(), "the unsigned copy left the share");
    let note: String = env
        .conn()
        .query_row("SELECT note FROM transitions WHERE letter_id = ?1 AND action = 'signed'", [&id], |r| r.get(0))
        .unwrap();
    assert!(note.contains("Kepala BPS Provinsi Bengkulu") && note.contains("intact"), "{note}");
}

#[test]
fn unsigned_and_broken_signatures_are_refused_at_the_signed_drop() {
    let env = env_with("events", "trust_anchors: [anchors.pem]\n");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signed/root-ca.pem"),
        env.dir.path().join("anchors.pem"),
    )
    .unwrap();
    let _d = env.start();
    // HM.340: the fixtures' text names a KP.650 number, so they match no letter by number here.
    let (id, name) = to_signature(&env, Some("klasifikasi: HM.340\n"), |n| format!("Nomor: {n}"));
    let waiting = format!("05-menunggu-tte/{name}");

    // Unsigned, tampered, and signed by an unknown CA: each refused with a reason.
    env.drop_file(&format!("06-sudah-tte/{id} belum.pdf"), &pdf("belum ditandatangani"));
    env.drop_file(&format!("06-sudah-tte/{id} rusak.pdf"), &signed_fixture("tampered-byte.pdf"));
    env.drop_file(&format!("06-sudah-tte/{id} palsu.pdf"), &signed_fixture("untrusted.pdf"));
    // A signed file that matches no waiting letter.
    env.drop_file("06-sudah-tte/entah.pdf", &signed_fixture("signed-dss.pdf"));
    assert!(
        wait_until(Duration::from_secs(15), || env.count("SELECT COUNT(*) FROM rejections") == 4),
        "{:?}\n{}",
        env.tree(),
        env.log()
    );
    let code = |f: &str| -> String {
        env.conn()
            .query_row(
                "SELECT reason_code FROM rejections WHERE original_path = ?1",
                [format!("06-sudah-tte/{f}")],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(code(&format!("{id} belum.pdf")), "not_signed");
    assert_eq!(code(&format!("{id} rusak.pdf")), "signature_invalid");
    assert_eq!(code(&format!("{id} palsu.pdf")), "signature_invalid");
    assert_eq!(code("entah.pdf"), "no_match");
    let r = std::fs::read_to_string(env.p(&format!("_ditolak/{id} palsu.pdf.alasan.txt"))).unwrap();
    assert!(r.contains("tidak berasal dari penerbit yang dipercaya"), "{r}");
    let r = std::fs::read_to_string(env.p("_ditolak/entah.pdf.alasan.txt")).unwrap();
    assert!(r.contains(&id), "the reason lists the letters waiting: {r}");
    // The letter still waits, untouched.
    assert_eq!(env.letter(&id).0, "menunggu_tte");
    assert!(env.p(&waiting).is_file());

    // The unsigned copy itself, moved to 06 by hand, is put back.
    env.mv(&waiting, "06-sudah-tte");
    assert!(wait_until(Duration::from_secs(10), || env.p(&waiting).is_file()));
    assert_eq!(env.letter(&id).0, "menunggu_tte");
}

#[test]
fn a_signed_file_is_matched_by_the_key_in_the_copy_or_by_its_bytes() {
    // A workflow without the number check, so the letters' text names no number.
    let env = env_with("events", "workflow: workflow.yaml\n");
    std::fs::write(env.dir.path().join("workflow.yaml"), SHIPPED.replace(NUMBER_AT_REVIEW, "")).unwrap();
    let _d = env.start();
    let (a, name_a) = to_signature(&env, None, |_| "Surat pertama".into());
    let (b, name_b) = to_signature(&env, None, |_| "Surat kedua".into());
    let copy_a = std::fs::read(env.p(&format!("05-menunggu-tte/{name_a}"))).unwrap();
    let copy_b = std::fs::read(env.p(&format!("05-menunggu-tte/{name_b}"))).unwrap();

    // A's portal keeps the document information: matched by suratd's key.
    env.drop_file("06-sudah-tte/hasil-1.pdf", &sign_like_a_portal(&copy_a, "Kepala", false));
    let got_a = env.wait_file("07-distribusi", &a);
    // B's portal replaces it: matched because B's copy is the file's beginning.
    let signed_b = sign_like_a_portal(&copy_b, "Kepala", true);
    assert_eq!(suratd::pdf::stamp::read_key(&signed_b, "SuratdLetter"), None);
    env.drop_file("06-sudah-tte/hasil-2.pdf", &signed_b);
    let got_b = env.wait_file("07-distribusi", &b);
    assert!(std::fs::read(env.p(&format!("07-distribusi/{got_b}"))).unwrap() == signed_b);
    assert!(got_a.starts_with(&a) && got_b.starts_with(&b));
    assert!(env.files("05-menunggu-tte").is_empty());
}

#[test]
fn the_agenda_lists_every_number_in_order_as_csv_for_excel() {
    let env = env("events");
    let _d = env.start();
    std::fs::write(
        env.p("01-draf/KP.650 Undangan; Rapat.yaml"),
        "tujuan:\n  - Kepala BPS Kabupaten Kaur\n  - \"Dinas \\\"Kominfo\\\"\"\n",
    )
    .unwrap();
    env.drop_file("01-draf/KP.650 Undangan; Rapat.pdf", &pdf("Undangan"));
    let first = env.wait_file("02-verifikasi", "SK-");
    env.mv(&format!("02-verifikasi/{first}"), "batal");
    assert!(wait_until(Duration::from_secs(10), || env.letter(&first[..12]).1 == "cancelled"));
    env.drop_file("01-draf/HM.340 Edaran.pdf", &pdf("Edaran"));
    env.wait_file("02-verifikasi", "SK-");
    let y = year();
    let out = env.cli(&["agenda", "--csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "Nomor;Tanggal;Perihal;Tujuan;Sifat;Klasifikasi;Keadaan;ID");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with(&format!("B-001/17000/KP.650/{y};{y}-")), "{}", lines[1]);
    assert!(
        lines[1].contains(";\"Undangan; Rapat\";\"Kepala BPS Kabupaten Kaur, Dinas \"\"Kominfo\"\"\";B;KP.650;batal;"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("B-002/17000/HM.340/{y};")) && lines[2].contains("dalam proses (verifikasi)"),
        "{}",
        lines[2]
    );
    // Another year is empty; the plain table names the numbers.
    let out = env.cli(&["agenda", "--year", "1999"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("No letters numbered in 1999"));
    let out = env.cli(&["agenda"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("B-002/17000/HM.340/{y}")));
}

#[test]
fn csv_exports_never_carry_a_formula_into_a_spreadsheet() {
    // A mail server that is not there: the emails stay in the outbox.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = mail_env(Some(closed), "");
    let _d = env.start();
    std::fs::write(
        env.p("01-draf/KP.650 Klik.yaml"),
        "perihal: '=HYPERLINK(\"http://x\",\"klik\")'\ntujuan:\n  - '@SUM(1+1)'\n",
    )
    .unwrap();
    env.drop_file("01-draf/KP.650 Klik.pdf", &pdf("Klik"));
    let name = env.wait_file("02-verifikasi", "SK-");
    let subject: String =
        env.conn().query_row("SELECT subject FROM letters WHERE id = ?1", [&name[..12]], |r| r.get(0)).unwrap();
    assert_eq!(subject, "=HYPERLINK(\"http://x\",\"klik\")", "the subject is kept as written");

    let out = env.cli(&["agenda", "--csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "Nomor;Tanggal;Perihal;Tujuan;Sifat;Klasifikasi;Keadaan;ID");
    assert!(
        lines[1].contains(";\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\";'@SUM(1+1);B;KP.650;"),
        "the formula is text in a spreadsheet: {}",
        lines[1]
    );
    // No cell of any line starts a formula (quoted or not).
    for line in &lines {
        let mut r = ::csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(line.as_bytes());
        for cell in r.records().next().unwrap().unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} in {line}");
        }
    }

    // The outbox as CSV, in the same format.
    assert!(wait_until(Duration::from_secs(10), || env.count("SELECT COUNT(*) FROM outbox WHERE attempts > 0") > 0));
    let out = env.cli(&["outbox", "--csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    assert!(text.starts_with("ID;STATE;KIND;LETTER;TO;TRIES;NEXT TRY;LAST ERROR\r\n"), "{text}");
    assert!(text.contains(";pending;registered;SK-"), "{text}");
}
