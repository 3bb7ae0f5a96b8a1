//! Documents the unit tests write as XML and zip themselves.

use super::archive::{Budget, Limits, open, pack, read};

pub const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// A `.docx` whose body is `body` (inside `w:body`), plus `extra` parts.
pub fn docx(body: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    );
    let mut entries: Vec<(&str, &[u8])> =
        vec![("[Content_Types].xml", b"<Types/>"), ("word/document.xml", doc.as_bytes())];
    entries.extend_from_slice(extra);
    pack(&entries)
}

pub const ODF: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink""#;

/// An `.odt` whose `office:text` is `text`, plus `extra` parts.
pub fn odt(text: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let content = format!(
        r#"<office:document-content {ODF}><office:body><office:text>{text}</office:text></office:body></office:document-content>"#
    );
    let mut entries: Vec<(&str, &[u8])> =
        vec![("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", content.as_bytes())];
    entries.extend_from_slice(extra);
    pack(&entries)
}

/// Entry `name` of the zip `bytes`, as text.
pub fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = open(bytes, &Limits::default()).unwrap();
    let i = zip.index_for_name(name).unwrap();
    String::from_utf8(read(&mut zip, i, &Limits::default(), &mut Budget::default()).unwrap()).unwrap()
}
