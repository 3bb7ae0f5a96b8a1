//! Filling documents the tests write as XML and zip themselves.

use super::*;
use crate::convert::archive::{open, pack};
use crate::convert::testdocs::{W, docx, part};
use crate::letter::reason::Reason;

fn values() -> Values<'static> {
    Values { nomor: "B-012/17000/KP.650/2026", tanggal: "2026-06-02".parse().unwrap() }
}

/// The body of `word/document.xml` after filling `body`.
fn filled_body(body: &str) -> (String, Filled) {
    let out = fill(Kind::Docx, &docx(body, &[]), &values()).unwrap();
    let xml = part(&out.bytes, "word/document.xml");
    let body = xml.split("<w:body>").nth(1).unwrap().split("</w:body>").next().unwrap().to_string();
    (body, out)
}

#[test]
fn a_placeholder_over_three_runs_is_written_into_the_first_keeping_everything_else() {
    // As Word leaves it: a spelling mark, a bookmark and a tracked insertion
    // between runs of different formatting.
    let body = concat!(
        r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Nomor : {{no</w:t></w:r>"#,
        r#"<w:proofErr w:type="spellStart"/><w:r><w:rPr><w:i/></w:rPr><w:t>m</w:t></w:r>"#,
        r#"<w:bookmarkStart w:id="0" w:name="n"/><w:ins w:id="1" w:author="A"><w:r><w:rPr><w:u w:val="single"/></w:rPr>"#,
        r#"<w:t xml:space="preserve">or}} lampiran</w:t></w:r></w:ins><w:bookmarkEnd w:id="0"/></w:p>"#
    );
    let (out, filled) = filled_body(body);
    let want = body
        .replace("Nomor : {{no<", "Nomor : B-012/17000/KP.650/2026<")
        .replace("<w:t>m</w:t>", "<w:t></w:t>")
        .replace(">or}} lampiran<", "> lampiran<");
    assert_eq!(out, want);
    assert_eq!((filled.nomor, filled.tanggal), (1, 0));
}

#[test]
fn brackets_tanggal_and_several_in_one_run_are_filled_and_counted() {
    let (out, filled) = filled_body(
        r#"<w:p><w:r><w:t>[nomor] dan {{ Tanggal }}, [tanggal]; [lain] {{nomor</w:t></w:r></w:p><w:p><w:r><w:t>}}</w:t></w:r></w:p>"#,
    );
    assert_eq!(
        out,
        r#"<w:p><w:r><w:t>B-012/17000/KP.650/2026 dan 2 Juni 2026, 2 Juni 2026; [lain] {{nomor</w:t></w:r></w:p><w:p><w:r><w:t>}}</w:t></w:r></w:p>"#,
        "a placeholder does not run across paragraphs"
    );
    assert_eq!((filled.nomor, filled.tanggal), (1, 2));
}

#[test]
fn a_content_control_tagged_or_titled_for_a_field_takes_the_value() {
    let body = concat!(
        r#"<w:p><w:sdt><w:sdtPr><w:alias w:val="Nomor"/><w:tag w:val="nomor"/><w:showingPlcHdr/>"#,
        r#"<w:dataBinding w:xpath="/a" w:storeItemID="{X}"/></w:sdtPr><w:sdtContent>"#,
        r#"<w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>Klik untuk</w:t></w:r><w:r><w:t> mengisi</w:t></w:r>"#,
        r#"</w:sdtContent></w:sdt></w:p><w:p><w:sdt><w:sdtPr><w:alias w:val="tanggal"/></w:sdtPr>"#,
        r#"<w:sdtContent><w:r><w:t>x</w:t></w:r></w:sdtContent></w:sdt></w:p>"#,
        r#"<w:p><w:sdt><w:sdtPr><w:tag w:val="perihal"/></w:sdtPr><w:sdtContent><w:r><w:t>[nomor]</w:t></w:r></w:sdtContent></w:sdt></w:p>"#
    );
    let (out, filled) = filled_body(body);
    assert_eq!((filled.nomor, filled.tanggal), (2, 1), "{out}");
    assert!(out.contains(r#"<w:tag w:val="nomor"/></w:sdtPr>"#), "placeholder look and data binding removed: {out}");
    assert!(out.contains(r#"<w:t>B-012/17000/KP.650/2026</w:t></w:r><w:r><w:t></w:t>"#), "{out}");
    assert!(out.contains("<w:t>2 Juni 2026</w:t>") && out.contains("PlaceholderText"), "{out}");
    assert!(out.contains(r#"<w:tag w:val="perihal"/></w:sdtPr><w:sdtContent><w:r><w:t>B-012"#), "{out}");
}

#[test]
fn the_value_is_escaped_and_entities_stay_as_written() {
    let v = Values { nomor: "B-1/<&>", ..values() };
    let out = fill(Kind::Docx, &docx(r#"<w:p><w:r><w:t>A &amp; B&#33; {{nomor}}</w:t></w:r></w:p>"#, &[]), &v).unwrap();
    assert!(part(&out.bytes, "word/document.xml").contains("<w:t>A &amp; B! B-1/&lt;&amp;&gt;</w:t>"));
}

#[test]
fn deleted_text_and_field_codes_are_not_filled_but_headers_and_footers_are() {
    let body = r#"<w:p><w:del w:id="1" w:author="A"><w:r><w:delText>{{nomor}}</w:delText></w:r></w:del><w:r><w:instrText>[nomor]</w:instrText></w:r></w:p>"#;
    let header = format!(r#"<w:hdr {W}><w:p><w:r><w:t>[nomor]</w:t></w:r></w:p></w:hdr>"#);
    let footer = format!(r#"<w:ftr {W}><w:p><w:r><w:t>{{{{tanggal}}}}</w:t></w:r></w:p></w:ftr>"#);
    let glossary = format!(r#"<w:glossaryDocument {W}><w:p><w:r><w:t>[nomor]</w:t></w:r></w:p></w:glossaryDocument>"#);
    let extra: [(&str, &[u8]); 3] = [
        ("word/header2.xml", header.as_bytes()),
        ("word/footer1.xml", footer.as_bytes()),
        ("word/glossary/document.xml", glossary.as_bytes()),
    ];
    let out = fill(Kind::Docx, &docx(body, &extra), &values()).unwrap();
    assert_eq!((out.nomor, out.tanggal), (1, 1));
    assert!(part(&out.bytes, "word/document.xml").contains("<w:delText>{{nomor}}</w:delText>"));
    assert!(part(&out.bytes, "word/header2.xml").contains("<w:t>B-012/17000/KP.650/2026</w:t>"));
    assert!(part(&out.bytes, "word/footer1.xml").contains("<w:t>2 Juni 2026</w:t>"));
    assert_eq!(part(&out.bytes, "word/glossary/document.xml"), glossary);
}

#[test]
fn other_entries_keep_their_compressed_bytes_and_order() {
    let image = vec![7u8; 3000];
    let bytes = docx("<w:p><w:r><w:t>[nomor]</w:t></w:r></w:p>", &[("word/media/image1.png", &image)]);
    let out = fill(Kind::Docx, &bytes, &values()).unwrap();
    let raw = |b: &[u8], name: &str| {
        let mut zip = open(b, &Limits::default()).unwrap();
        let names = archive::names(&mut zip).unwrap();
        let i = zip.index_for_name(name).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_index_raw(i).unwrap(), &mut data).unwrap();
        (names, data)
    };
    assert_eq!(raw(&bytes, "word/media/image1.png"), raw(&out.bytes, "word/media/image1.png"));
}

#[test]
fn no_placeholder_or_a_doc_comes_back_as_it_was() {
    let bytes = docx("<w:p><w:r><w:t>Nomor : B-   /17000/</w:t></w:r></w:p>", &[]);
    let out = fill(Kind::Docx, &bytes, &values()).unwrap();
    assert_eq!((out.bytes == bytes, out.nomor, out.tanggal), (true, 0, 0));
    let rtf = b"{\\rtf1 [nomor]}";
    assert_eq!(fill(Kind::Rtf, rtf, &values()).unwrap(), Filled { bytes: rtf.to_vec(), nomor: 0, tanggal: 0 });
}

#[test]
fn an_odt_placeholder_split_by_spans_is_filled_in_content_and_styles() {
    let ns = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;
    let content = format!(
        r#"<office:document-content {ns}><office:body><office:text><text:tracked-changes><text:changed-region><text:deletion><text:p>[nomor]</text:p></text:deletion></text:changed-region></text:tracked-changes><text:p>Nomor: <text:span text:style-name="T1">{{{{no</text:span>mor}}}}<text:s/>x</text:p></office:text></office:body></office:document-content>"#
    );
    let styles = format!(r#"<office:document-styles {ns}><text:h>[tanggal]</text:h></office:document-styles>"#);
    let bytes = pack(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", content.as_bytes()),
        ("styles.xml", styles.as_bytes()),
    ]);
    let out = fill(Kind::Odt, &bytes, &values()).unwrap();
    assert_eq!((out.nomor, out.tanggal), (1, 1));
    let want = content.replace(r#"">{{no</text:span>mor}}<"#, r#"">B-012/17000/KP.650/2026</text:span><"#);
    assert_eq!(part(&out.bytes, "content.xml"), want);
    assert!(part(&out.bytes, "styles.xml").contains("<text:h>2 Juni 2026</text:h>"));
    assert_eq!(&out.bytes[30..38], b"mimetype", "mimetype stays the first entry");
}

#[test]
fn deep_nesting_and_a_dtd_are_refused_not_followed() {
    let deep = format!("<w:p>{}<w:r><w:t>[nomor]</w:t></w:r>{}</w:p>", "<w:x>".repeat(300), "</w:x>".repeat(300));
    let err = fill(Kind::Docx, &docx(&deep, &[]), &values()).unwrap_err();
    assert_eq!((err.reason, err.detail.as_str()), (Reason::DocumentTooDeep, "lebih dari 256 tingkat"));
    let dtd = pack(&[(
        "word/document.xml",
        br#"<!DOCTYPE w [<!ENTITY a "[nomor]">]><w:document><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:document>"#,
    )]);
    let err = fill(Kind::Docx, &dtd, &values()).unwrap_err();
    assert_eq!(err.reason, Reason::NotADocument, "{err:?}");
}
