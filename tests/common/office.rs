//! Office documents made by the tests: flat ODT (`.fodt`, one XML file
//! LibreOffice reads as it reads an `.odt`), turned into `.odt` or `.docx`
//! by LibreOffice itself, and the text of a PDF as `pdftotext` reads it.
//! Also used by `bench/convert.rs`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:body><office:text>
"#;
const TAIL: &str = " </office:text></office:body>\n</office:document>\n";

/// A flat ODT of these paragraphs (plain text, XML-escaped here).
pub fn fodt(paragraphs: &[&str]) -> String {
    fodt_raw(&paragraphs.iter().map(|p| format!("<text:p>{}</text:p>", escape(p))).collect::<String>())
}

/// A flat ODT whose body is `body` (ODF XML, as written).
pub fn fodt_raw(body: &str) -> String {
    format!("{HEAD}{body}\n{TAIL}")
}

/// A paragraph showing an image linked from `url`, not embedded.
pub fn linked_image(url: &str) -> String {
    format!(
        r#"<text:p><draw:frame draw:name="logo" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char"><draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>"#
    )
}

/// A two-page letter: a heading with its number, then body text, a page
/// break and a second page.
pub fn two_page_letter(number: &str) -> String {
    let body = "Sehubungan dengan pelaksanaan kegiatan statistik di Provinsi Bengkulu, dengan hormat kami \
                mengundang Bapak/Ibu untuk hadir dalam rapat koordinasi yang akan dilaksanakan pada hari \
                Selasa, 2 Juni 2026, pukul 09.00 WIB, bertempat di ruang rapat BPS Provinsi Bengkulu.";
    let mut xml = format!("<text:p>Nomor : {}</text:p><text:p>Perihal : Undangan Rapat</text:p>", escape(number));
    for _ in 0..12 {
        xml.push_str(&format!("<text:p>{body}</text:p>"));
    }
    xml.push_str(r#"<text:p fo:break-before="page">Lampiran</text:p>"#);
    for _ in 0..6 {
        xml.push_str(&format!("<text:p>{body}</text:p>"));
    }
    fodt_raw(&xml)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `fodt` (the XML text) saved as `format` (`odt`, `docx`) by LibreOffice
/// itself, in a throw-away profile under `scratch`.
pub fn saved_as(fodt: &str, format: &str, scratch: &Path) -> Vec<u8> {
    std::fs::write(scratch.join("doc.fodt"), fodt).unwrap();
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}/profile", scratch.display()))
        .args(["--headless", "--norestore", "--convert-to", format, "--outdir"])
        .arg(scratch)
        .arg(scratch.join("doc.fodt"))
        .output()
        .expect("soffice (libreoffice-writer-nogui) must be installed; .ci/run installs it");
    let made = scratch.join(format!("doc.{format}"));
    assert!(made.is_file(), "soffice made no {format}: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(made).unwrap()
}

/// The text `pdftotext` reads from PDF bytes.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, pdf).unwrap();
    let out = Command::new("pdftotext").arg(&p).arg("-").output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
