//! Inspecting documents the tests write themselves, one attack at a time.

use super::*;
use crate::convert::archive::pack;
use crate::convert::testdocs::{docx, odt};

const P: &str = "<w:p><w:r><w:t>[nomor]</w:t></w:r></w:p>";

fn refused(name: &str, bytes: &[u8]) -> (Reason, String) {
    let r = inspect(name, bytes).expect_err("refused");
    (r.reason, r.detail)
}

/// A document's relationships part with one relationship.
fn rels(kind: &str, target: &str, mode: &str) -> String {
    format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"{mode}/></Relationships>"#
    )
}

/// An OLE compound file whose directory names `storages`.
fn ole(storages: &[&str]) -> Vec<u8> {
    let mut b = OLE.to_vec();
    b.resize(512, 0);
    for s in storages {
        let mut entry: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        entry.resize(128, 0);
        b.extend(entry);
    }
    b
}

#[test]
fn the_four_kinds_are_told_by_their_bytes() {
    assert_eq!(inspect("a.docx", &docx(P, &[])), Ok(Kind::Docx));
    assert_eq!(inspect("a.odt", &odt("<text:p>[nomor]</text:p>", &[])), Ok(Kind::Odt));
    assert_eq!(inspect("a.doc", &ole(&["Root Entry", "WordDocument", "1Table"])), Ok(Kind::Doc));
    assert_eq!(inspect("a.rtf", b"{\\rtf1\\ansi {\\b Nomor} [nomor]}"), Ok(Kind::Rtf));
    assert!(Kind::Docx.fillable() && Kind::Odt.fillable() && !Kind::Doc.fillable() && !Kind::Rtf.fillable());
}

#[test]
fn macros_are_refused_in_every_form() {
    let vba: &[u8] = b"\xD0\xCF\x11\xE0";
    let macro_ct: &[u8] = br#"<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>"#;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.docm", docx(P, &[]), "berkas Word bermakro .docm"),
        ("a.docx", docx(P, &[("word/vbaProject.bin", vba)]), "proyek makro VBA"),
        ("a.docx", docx(P, &[("word/activeX/activeX1.xml", b"<a/>")]), "kontrol ActiveX"),
        ("a.docx", pack(&[("[Content_Types].xml", macro_ct), ("word/document.xml", b"<w:document/>")]), ".docm"),
        (
            "a.docx",
            docx(
                r#"<w:p><w:r><w:instrText> DDE</w:instrText></w:r><w:r><w:instrText>AUTO c:\\x</w:instrText></w:r></w:p>"#,
                &[],
            ),
            "DDE",
        ),
        ("a.odt", odt("<text:p/>", &[("Basic/Standard/Module1.xml", b"<m/>")]), "Basic"),
        (
            "a.odt",
            odt(
                r#"<text:p/><office:event-listeners><script:event-listener xmlns:script="s" script:event-name="dom:load"/></office:event-listeners>"#,
                &[],
            ),
            "skrip",
        ),
        ("a.doc", ole(&["Root Entry", "WordDocument", "Macros", "VBA"]), "proyek makro VBA"),
        ("a.rtf", b"{\\rtf1 {\\object\\objemb {\\*\\objdata 0105}}}".to_vec(), "OLE"),
    ];
    for (name, bytes, detail) in cases {
        let (reason, got) = refused(name, &bytes);
        assert_eq!(reason, Reason::MacroDocument, "{name}: {got}");
        assert!(got.contains(detail), "{name}: {got}");
    }
}

#[test]
fn encryption_is_refused_as_such() {
    let manifest: &[u8] = br#"<manifest:manifest xmlns:manifest="m"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum="x"/></manifest:file-entry></manifest:manifest>"#;
    for (name, bytes) in [
        ("a.docx", ole(&["Root Entry", "EncryptionInfo", "EncryptedPackage"])),
        ("a.odt", odt("<text:p/>", &[("META-INF/manifest.xml", manifest)])),
    ] {
        assert_eq!(refused(name, &bytes).0, Reason::DocumentEncrypted, "{name}");
    }
}

#[test]
fn external_references_are_refused_and_hyperlinks_and_local_templates_are_not() {
    let rel = |kind: &str, target: &str| rels(kind, target, r#" TargetMode="External""#);
    let image = rel("image", "http://example.org/logo.png");
    let remote_template = rel("attachedTemplate", "\\\\server\\share\\surat.dotm");
    let local_template = rel("attachedTemplate", "file:///C:/Users/a/Templates/Surat.dotx");
    let link = rel("hyperlink", "https://bengkulu.bps.go.id");
    let internal_image = rels("image", "media/image1.png", "");
    let at = "word/_rels/document.xml.rels";
    let ok = |r: &str| inspect("a.docx", &docx(P, &[(at, r.as_bytes())]));
    assert_eq!(ok(&link), Ok(Kind::Docx));
    assert_eq!(ok(&internal_image), Ok(Kind::Docx));
    assert_eq!(
        inspect("a.docx", &docx(P, &[("word/_rels/settings.xml.rels", local_template.as_bytes())])),
        Ok(Kind::Docx)
    );
    assert_eq!(ok(&image), Err(Refusal::new(Reason::ExternalReference, "gambar")));
    assert_eq!(ok(&remote_template), Err(Refusal::new(Reason::ExternalReference, "templat")));
    let field = r#"<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://x/a.png&quot; \d"/></w:p>"#;
    assert_eq!(refused("a.docx", &docx(field, &[])).0, Reason::ExternalReference);
    let hyperlink_field = r#"<w:p><w:r><w:instrText> HYPERLINK "http://x/LINK"</w:instrText></w:r></w:p>"#;
    assert_eq!(inspect("a.docx", &docx(hyperlink_field, &[])), Ok(Kind::Docx));
    let odt_ok = r#"<text:p><text:a xlink:href="https://bps.go.id">web</text:a><draw:frame><draw:image xlink:href="Pictures/a.png"/></draw:frame></text:p>"#;
    assert_eq!(inspect("a.odt", &odt(odt_ok, &[])), Ok(Kind::Odt));
    for (href, what) in [
        (r#"<draw:frame><draw:image xlink:href="http://x/a.png"/></draw:frame>"#, "gambar"),
        (r#"<text:section><text:section-source xlink:href="file:///etc/passwd"/></text:section>"#, "bagian dokumen"),
        (r#"<draw:frame><draw:image xlink:href="../../etc/a.png"/></draw:frame>"#, "gambar"),
    ] {
        assert_eq!(refused("a.odt", &odt(href, &[])), (Reason::ExternalReference, what.to_string()), "{href}");
    }
    let rtf = b"{\\rtf1{\\field{\\*\\fldinst INCLUDEPICTURE \"http://x/a.png\"}}}";
    assert_eq!(refused("a.rtf", rtf).0, Reason::ExternalReference);
}

#[test]
fn deep_nesting_is_refused_in_xml_and_rtf() {
    let deep = format!("<w:p>{}{}</w:p>", "<w:x>".repeat(1000), "</w:x>".repeat(1000));
    let want = (Reason::DocumentTooDeep, "lebih dari 256 tingkat".to_string());
    assert_eq!(refused("a.docx", &docx(&deep, &[])), want);
    let rtf = format!("{{\\rtf1 {}{}}}", "{".repeat(1000), "}".repeat(1000));
    assert_eq!(refused("a.rtf", rtf.as_bytes()), want);
    let fine = format!("<w:p>{}{}</w:p>", "<w:x>".repeat(200), "</w:x>".repeat(200));
    assert_eq!(inspect("a.docx", &docx(&fine, &[])), Ok(Kind::Docx));
}

#[test]
fn a_zip_that_is_not_a_document_or_is_ambiguous_is_told() {
    let not = |name: &str, bytes: &[u8]| refused(name, bytes);
    let plain = pack(&[("a.txt", b"hello")]);
    assert_eq!(not("a.docx", &plain).1, "berkas zip yang tidak memuat dokumen Word atau OpenDocument");
    let ods = pack(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<a/>")]);
    assert_eq!(not("a.odt", &ods).1, "dokumen OpenDocument yang bukan dokumen teks");
    assert_eq!(not("a.docx", b"hello").0, Reason::NotADocument);
    assert_eq!(not("a.xls", &ole(&["Root Entry", "Workbook"])).1, "berkas Office yang bukan dokumen Word");
    assert_eq!(not("a.docx", &docx("<w:p></w:q>", &[])).0, Reason::NotADocument);
    // Two entries of one name: a converter could read the other one.
    let mut twice = docx(P, &[("word/documenX.xml", b"<w:document/>")]);
    let from = b"word/documenX.xml";
    let positions: Vec<usize> =
        twice.windows(from.len()).enumerate().filter(|(_, w)| w == from).map(|(i, _)| i).collect();
    assert_eq!(positions.len(), 2, "local and central header");
    for p in positions {
        twice[p + 12] = b't';
    }
    assert_eq!(not("a.docx", &twice), (Reason::NotADocument, "dua bagian di dalamnya bernama sama".into()));
    let dtd = pack(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
    ]);
    assert_eq!(not("a.docx", &dtd), (Reason::NotADocument, "susunan XML-nya rusak: memuat deklarasi DTD".into()));
}

#[test]
fn a_zip_bomb_is_stopped_while_inflating_whatever_its_headers_claim() {
    let small = Limits { total: 1 << 20, entry: 512 << 10, ratio_from: 64 << 10, ..Limits::default() };
    let zeros = vec![0u8; 600 << 10];
    let bomb = docx(P, &[("word/media/a.bin", &zeros)]);
    let (reason, detail) =
        inspect_with("a.docx", &bomb, &small).map(|_| ()).map_err(|r| (r.reason, r.detail)).unwrap_err();
    assert_eq!(reason, Reason::DocumentTooLarge);
    assert!(detail.contains("mengembang lebih dari 100 kali"), "{detail}");
    // The same entry with its headers claiming 10 bytes.
    let mut lying = bomb.clone();
    let size = (zeros.len() as u32).to_le_bytes();
    let at: Vec<usize> = lying.windows(4).enumerate().filter(|(_, w)| *w == size).map(|(i, _)| i).collect();
    assert!(!at.is_empty());
    for i in at {
        lying[i..i + 4].copy_from_slice(&10u32.to_le_bytes());
    }
    // (The zip reader finds the sizes do not match; refused either way.)
    let got = inspect_with("a.docx", &lying, &small).unwrap_err().reason;
    assert!(matches!(got, Reason::DocumentTooLarge | Reason::NotADocument), "{got}");
    // Many parts each within limits, together too large.
    let part = vec![b'a'; 300 << 10];
    let many = docx(
        P,
        &[
            ("word/media/1.bin", &part),
            ("word/media/2.bin", &part),
            ("word/media/3.bin", &part),
            ("word/media/4.bin", &part),
        ],
    );
    let generous = Limits { ratio: 1 << 20, ..small.clone() };
    assert_eq!(inspect_with("a.docx", &many, &generous).unwrap_err().detail, "isinya lebih dari 1 MB setelah dibuka");
    let few = Limits { entries: 3, ..Limits::default() };
    assert_eq!(inspect_with("a.docx", &many, &few).unwrap_err().detail, "6 berkas di dalamnya; paling banyak 3");
}

/// Attack: the refusals of fields and references that fetch, written so
/// that a byte-for-byte search misses them (a character reference in a
/// `.docx`, a path that leaves the package after `./` or a folder in an
/// `.odt`, a hex escape or a split group in RTF). Each is what LibreOffice
/// reads as the plain spelling; only its profile's link settings would be
/// left to keep the file from being read.
#[test]
fn attack_disguised_fetching_fields_and_references_are_refused_too() {
    let docx_cases = [
        r#"<w:p><w:r><w:instrText> INCLUDE&#84;EXT "/etc/passwd"</w:instrText></w:r></w:p>"#,
        r#"<w:p><w:r><w:instrText> INCLUDE&#x50;ICTURE "file:///etc/a.png"</w:instrText></w:r></w:p>"#,
        r#"<w:p><w:fldSimple w:instr=" INCLUDE&#84;EXT &quot;/etc/passwd&quot;"/></w:p>"#,
        r#"<w:p><w:fldSimple w:instr=" &#73;NCLUDEPICTURE &quot;/etc/a.png&quot;"/></w:p>"#,
    ];
    for body in docx_cases {
        assert_eq!(refused("a.docx", &docx(body, &[])).0, Reason::ExternalReference, "{body}");
    }
    let dde = r#"<w:p><w:r><w:instrText> DDE&#65;UTO c:\\x</w:instrText></w:r></w:p>"#;
    assert_eq!(refused("a.docx", &docx(dde, &[])).0, Reason::MacroDocument);
    for href in ["./../../etc/passwd", "Pictures/../../x.txt", "%2e%2e/%2E%2E/etc/passwd", ".\\..\\x.txt"] {
        let body = format!(r#"<text:section><text:section-source xlink:href="{href}"/></text:section>"#);
        assert_eq!(refused("a.odt", &odt(&body, &[])).0, Reason::ExternalReference, "{href}");
    }
    for rtf in [
        &b"{\\rtf1{\\field{\\*\\fldinst INCLUDE\\'54EXT \"/etc/passwd\"}}}"[..],
        b"{\\rtf1{\\field{\\*\\fldinst {INCLUDE}{PICTURE \"/etc/a.png\"}}}}",
        b"{\\rtf1{\\field{\\*\\fldinst INCLUDE\\u84?EXT \"/etc/passwd\"}}}",
    ] {
        assert_eq!(refused("a.rtf", rtf).0, Reason::ExternalReference, "{}", String::from_utf8_lossy(rtf));
    }
}

/// Attack: a `.docx` whose package relationship makes another part the
/// document LibreOffice (and Word) shows, named so it is not read as XML
/// (`word/main.dat`): its field codes went unchecked, and the placeholder
/// filled was in the `word/document.xml` nobody sees.
#[test]
fn attack_a_main_part_other_than_word_document_xml_is_refused_and_every_xml_part_is_checked() {
    let ct = br#"<Types><Override PartName="/word/main.dat" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/main.dat"/></Relationships>"#;
    let shown = format!(
        r#"<w:document {}><w:body><w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;/etc/passwd&quot;"/></w:p></w:body></w:document>"#,
        crate::convert::testdocs::W
    );
    let decoy = format!(r#"<w:document {}><w:body>{P}</w:body></w:document>"#, crate::convert::testdocs::W);
    let bytes = pack(&[
        ("[Content_Types].xml", ct),
        ("_rels/.rels", rels),
        ("word/document.xml", decoy.as_bytes()),
        ("word/main.dat", shown.as_bytes()),
    ]);
    assert!(inspect("a.docx", &bytes).is_err());
    // The usual relationship, written as Word writes it, still goes on.
    let usual = br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document.xml"/></Relationships>"#;
    let ok =
        pack(&[("[Content_Types].xml", b"<Types/>"), ("_rels/.rels", usual), ("word/document.xml", decoy.as_bytes())]);
    assert_eq!(inspect("a.docx", &ok), Ok(Kind::Docx));
    // A field that fetches, in a part named as if it were not XML.
    let hidden = pack(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", decoy.as_bytes()),
        ("word/header9.bin", shown.as_bytes()),
    ]);
    assert_eq!(refused("a.docx", &hidden).0, Reason::ExternalReference);
    // The document in UTF-16 (LibreOffice reads it) or declared in UTF-7.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(shown.encode_utf16().flat_map(u16::to_le_bytes));
    let wide = pack(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", &utf16)]);
    assert!(inspect("a.docx", &wide).is_err());
    let seven = format!(r#"<?xml version="1.0" encoding="UTF-7"?>{decoy}"#);
    let seven = pack(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", seven.as_bytes())]);
    assert!(inspect("a.docx", &seven).is_err());
    // An SVG picture with its DTD is a picture, not a part to check.
    let svg: &[u8] = br#"<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>"#;
    let pictured = pack(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", decoy.as_bytes()),
        ("word/media/image1.svg", svg),
    ]);
    assert_eq!(inspect("a.docx", &pictured), Ok(Kind::Docx));
}
