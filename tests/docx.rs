//! Word and OpenDocument drafts as the conversion stage reads and fills
//! them: documents made by python-docx and LibreOffice (tests/fixtures/docx,
//! see make.py there) and hostile ones made here; the filled `.docx`
//! re-opened by python-docx, and once converted by LibreOffice.

mod common;

use common::docx_fixture;
use std::path::Path;
use std::process::Command;
use suratd::convert::archive::{Limits, pack};
use suratd::convert::fill::{Filled, Values, fill};
use suratd::convert::inspect::{Kind, inspect};
use suratd::letter::reason::Reason;

const NOMOR: &str = "B-012/17000/KP.650/2026";

fn values() -> Values<'static> {
    Values { nomor: NOMOR, tanggal: "2026-06-02".parse().unwrap() }
}

/// Inspected as `kind`, then filled.
fn filled(name: &str, bytes: &[u8], kind: Kind) -> Filled {
    assert_eq!(inspect(name, bytes), Ok(kind), "{name}");
    let out = fill(kind, bytes, &values()).unwrap();
    assert_eq!(inspect(name, &out.bytes), Ok(kind), "{name}: the filled document passes inspection again");
    out
}

/// What python-docx reads in the `.docx` at `path`: each paragraph's
/// text, the header's, and the runs of paragraph `runs_of` (text, bold,
/// italic, underline).
fn python_docx(path: &Path, runs_of: usize) -> serde_json::Value {
    let script = r#"
import docx, json, sys
d = docx.Document(sys.argv[1])
print(json.dumps({
    "paragraphs": [p.text for p in d.paragraphs],
    "header": [p.text for p in d.sections[0].header.paragraphs],
    "runs": [[r.text, bool(r.bold), bool(r.italic), bool(r.underline)] for r in d.paragraphs[int(sys.argv[2])].runs],
}))
"#;
    // python3-docx is a Debian package: the system Python has it.
    let out =
        Command::new("/usr/bin/python3").arg("-c").arg(script).arg(path).arg(runs_of.to_string()).output().unwrap();
    assert!(out.status.success(), "python-docx could not open it: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_number_split_over_three_runs_by_word_is_written_into_the_first_run_and_python_docx_reads_it() {
    let out = filled("KP.650 Undangan.docx", &docx_fixture("split-runs.docx"), Kind::Docx);
    assert_eq!((out.nomor, out.tanggal), (2, 1), "the body's and the header's number, the date");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filled.docx");
    std::fs::write(&path, &out.bytes).unwrap();
    let read = python_docx(&path, 1);
    assert_eq!(read["paragraphs"][1], format!("Nomor : {NOMOR}"));
    assert_eq!(read["paragraphs"][2], "Bengkulu, 2 Juni 2026");
    assert_eq!(read["header"][0], format!("Surat {NOMOR}"));
    // The number in the first run of the placeholder, bold as it was; the
    // italic and underlined runs keep their formatting with no text.
    let runs = serde_json::json!([
        ["Nomor : ", true, false, false],
        [NOMOR, true, false, false],
        ["", false, true, false],
        ["", false, false, true]
    ]);
    assert_eq!(read["runs"], runs);
}

#[test]
fn a_content_control_tagged_nomor_takes_the_number_and_loses_its_grey_placeholder_look() {
    let out = filled("Undangan.docx", &docx_fixture("content-control.docx"), Kind::Docx);
    assert_eq!((out.nomor, out.tanggal), (1, 0));
    // (python-docx reads no text inside a content control: the XML.)
    let xml = entry(&out.bytes, "word/document.xml");
    let want = format!(r#"<w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>{NOMOR}</w:t></w:r></w:sdtContent>"#);
    assert!(xml.contains(&want), "{xml}");
    assert!(!xml.contains("showingPlcHdr") && !xml.contains("Klik untuk"), "{xml}");
}

/// Entry `name` of a zip, as text.
fn entry(zip: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

#[test]
fn an_odt_from_libreoffice_with_a_span_split_number_is_filled_in_its_text_and_page_header() {
    let odt = docx_fixture("span-split.odt");
    let out = filled("Undangan.odt", &odt, Kind::Odt);
    assert_eq!((out.nomor, out.tanggal), (2, 1));
    let content = entry(&out.bytes, "content.xml");
    assert!(content.contains(&format!(r#"Nomor : <text:span text:style-name="T1">{NOMOR}</text:span><text:span text:style-name="T2"></text:span></text:p>"#)), "{content}");
    assert!(content.contains("Bengkulu, 2 Juni 2026"), "{content}");
    assert!(entry(&out.bytes, "styles.xml").contains(&format!("Surat {NOMOR}")));
    // The mimetype entry first and stored, as ODF requires.
    assert_eq!(&out.bytes[..4], b"PK\x03\x04");
    assert_eq!((&out.bytes[8..10], &out.bytes[30..38]), (&[0u8, 0][..], &b"mimetype"[..]));
}

#[test]
fn committed_macro_and_encrypted_documents_are_refused_each_with_its_reason() {
    for (name, reason) in [
        ("macro.docm", Reason::MacroDocument),
        ("encrypted.docx", Reason::DocumentEncrypted),
        ("encrypted.odt", Reason::DocumentEncrypted),
    ] {
        let got = inspect(name, &docx_fixture(name)).map_err(|r| r.reason);
        assert_eq!(got, Err(reason), "{name}");
    }
    // The macro-enabled document under an innocent name.
    assert_eq!(inspect("Undangan.docx", &docx_fixture("macro.docm")).map_err(|r| r.reason), Err(Reason::MacroDocument));
}

#[test]
fn a_zip_bomb_is_refused_once_it_inflates_past_its_limit_and_so_are_too_many_entries() {
    // 200 MB of zeros in one part: about 200 kB packed.
    let zeros = vec![0u8; 200 << 20];
    let bomb = pack(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
        ("word/media/a.png", &zeros),
    ]);
    drop(zeros);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let r = inspect("Undangan.docx", &bomb).unwrap_err();
    assert_eq!(
        (r.reason, r.detail.as_str()),
        (Reason::DocumentTooLarge, "satu bagiannya mengembang lebih dari 100 kali setelah dibuka")
    );
    let names: Vec<String> = (0..=Limits::default().entries).map(|i| format!("word/media/{i}.png")).collect();
    let mut entries: Vec<(&str, &[u8])> =
        vec![("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")];
    entries.extend(names.iter().map(|n| (n.as_str(), &b"x"[..])));
    let r = inspect("Undangan.docx", &pack(&entries)).unwrap_err();
    assert_eq!(r.reason, Reason::DocumentTooLarge, "{}", r.detail);
}

/// The one test that runs LibreOffice: the filled `.docx` converts, and
/// the PDF's text has the number and the date where the placeholders were.
#[test]
fn the_filled_docx_converts_with_libreoffice_and_the_pdf_says_the_number() {
    let out = filled("Undangan.docx", &docx_fixture("split-runs.docx"), Kind::Docx);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("surat.docx");
    std::fs::write(&src, &out.bytes).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let converted = Command::new("soffice")
        .args([&profile, "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&src)
        .output()
        .expect("soffice is installed (.ci/run installs libreoffice-writer-nogui)");
    assert!(converted.status.success(), "{}", String::from_utf8_lossy(&converted.stderr));
    let text = Command::new("pdftotext").arg(dir.path().join("surat.pdf")).arg("-").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("Nomor : {NOMOR}")), "{text}");
    assert!(text.contains("Bengkulu, 2 Juni 2026") && text.contains(&format!("Surat {NOMOR}")), "{text}");
    assert!(!text.contains("{{") && !text.contains("[nomor]"), "{text}");
}

/// `split-runs.docx` with `relationship` added to its document's
/// relationships, as Word writes an inserted picture or link.
fn with_relationship(relationship: &str) -> Vec<u8> {
    let bytes = docx_fixture("split-runs.docx");
    let rels = entry(&bytes, "word/_rels/document.xml.rels")
        .replace("</Relationships>", &format!("{relationship}</Relationships>"));
    let mut zip = suratd::convert::archive::open(&bytes, &Limits::default()).unwrap();
    suratd::convert::archive::rezip(&mut zip, &[("word/_rels/document.xml.rels".into(), rels.into_bytes())]).unwrap()
}

#[test]
fn a_picture_linked_from_the_web_or_a_share_is_refused_and_a_hyperlink_is_not() {
    let rel = |kind: &str, target: &str| {
        format!(
            r#"<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}" TargetMode="External"/>"#
        )
    };
    for target in ["http://127.0.0.1:9/logo.png", "file:///etc/passwd", "\\\\server\\share\\logo.png"] {
        let r = inspect("Undangan.docx", &with_relationship(&rel("image", target))).unwrap_err();
        assert_eq!((r.reason, r.detail.as_str()), (Reason::ExternalReference, "gambar"), "{target}");
    }
    let link = with_relationship(&rel("hyperlink", "https://bengkulu.bps.go.id"));
    assert_eq!(inspect("Undangan.docx", &link), Ok(Kind::Docx));
}
