//! Opening a Word or OpenDocument draft as untrusted bytes, before anything
//! converts it: what kind of document it is, and whether it may go on.

use super::archive::{self, Budget, Limits, Unreadable};
use crate::letter::reason::Reason;
use quick_xml::Reader;
use quick_xml::events::Event;

mod legacy;
mod parts;
#[cfg(test)]
mod tests;

/// The kinds of office document the conversion stage takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Word 2007 and later (`.docx`): a zip of XML parts; filled in.
    Docx,
    /// OpenDocument text (`.odt`): a zip of XML parts; filled in.
    Odt,
    /// Word 97-2003 (`.doc`): converted as it is, never filled in.
    Doc,
    /// Rich Text Format (`.rtf`): converted as it is, never filled in.
    Rtf,
}

impl Kind {
    /// Whether [`super::fill`] writes into this kind.
    pub fn fillable(self) -> bool {
        matches!(self, Kind::Docx | Kind::Odt)
    }

    /// The file extension of this kind (what the converter is told, and
    /// what the document beside its letter's PDF is named with).
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Docx => "docx",
            Kind::Odt => "odt",
            Kind::Doc => "doc",
            Kind::Rtf => "rtf",
        }
    }
}

/// A document refused: its reason, and the detail for `{rincian}`
/// (Indonesian, for the person who dropped it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
}

impl Refusal {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal { reason, detail: detail.into() }
    }
}

impl From<Unreadable> for Refusal {
    fn from(u: Unreadable) -> Self {
        match u {
            Unreadable::NotZip(_) => Refusal::new(Reason::NotADocument, "berkas zip-nya rusak"),
            Unreadable::DuplicateNames => Refusal::new(Reason::NotADocument, "dua bagian di dalamnya bernama sama"),
            Unreadable::EncryptedEntry => Refusal::new(Reason::DocumentEncrypted, ""),
            Unreadable::TooLarge(what) => Refusal::new(Reason::DocumentTooLarge, what),
        }
    }
}

/// Walks the XML `xml` once, handing each event and its byte range to
/// `each`; refuses a DTD (neither format has one; entities are never
/// expanded) and nesting deeper than `max_depth`.
pub(super) fn walk(
    xml: &[u8],
    max_depth: usize,
    mut each: impl FnMut(&Event, usize, usize) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let mut reader = Reader::from_reader(xml);
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| broken_xml(&e.to_string()))?;
        let after = reader.buffer_position() as usize;
        match &event {
            Event::Start(_) if depth >= max_depth => {
                return Err(Refusal::new(Reason::DocumentTooDeep, format!("lebih dari {max_depth} tingkat")));
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => return Err(broken_xml("memuat deklarasi DTD")),
            Event::Eof => return Ok(()),
            _ => {}
        }
        each(&event, before, after)?;
    }
}

/// Broken XML, for `{rincian}`.
pub(super) fn broken_xml(detail: &str) -> Refusal {
    Refusal::new(Reason::NotADocument, format!("susunan XML-nya rusak: {detail}"))
}

/// Inspects an office document with the default limits.
pub fn inspect(file_name: &str, bytes: &[u8]) -> Result<Kind, Refusal> {
    inspect_with(file_name, bytes, &Limits::default())
}

/// What kind of office document `bytes` is, or why it is refused. Bounded:
/// nothing is inflated past `limits`, no XML nests past them.
pub fn inspect_with(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Kind, Refusal> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".docm") || lower.ends_with(".dotm") {
        return Err(Refusal::new(Reason::MacroDocument, "berkas Word bermakro .docm"));
    }
    if bytes.starts_with(OLE) {
        legacy::doc(&lower, bytes)
    } else if bytes.starts_with(b"{\\rtf") {
        legacy::rtf(bytes, limits)
    } else if bytes.starts_with(b"PK\x03\x04") {
        zipped(bytes, limits)
    } else {
        Err(Refusal::new(Reason::NotADocument, "bukan dokumen Word atau OpenDocument"))
    }
}

/// The signature of an OLE compound file (`.doc`, and an encrypted `.docx`).
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

const ODT: &[u8] = b"application/vnd.oasis.opendocument.text";

/// A `.docx` or `.odt`: which one, then every entry inflated within the
/// limits and every XML part read for what must not go on.
fn zipped(bytes: &[u8], limits: &Limits) -> Result<Kind, Refusal> {
    let mut zip = archive::open(bytes, limits)?;
    let names = archive::names(&mut zip)?;
    let mut budget = Budget::default();
    let kind = match names.iter().position(|n| n == "mimetype") {
        Some(i) => {
            let mime = archive::read(&mut zip, i, limits, &mut budget)?;
            if mime != ODT && mime != [ODT, b"-template"].concat() {
                return Err(Refusal::new(Reason::NotADocument, "dokumen OpenDocument yang bukan dokumen teks"));
            }
            Kind::Odt
        }
        None if names.iter().any(|n| n == "[Content_Types].xml") && names.iter().any(|n| n == "word/document.xml") => {
            Kind::Docx
        }
        None => {
            let detail = "berkas zip yang tidak memuat dokumen Word atau OpenDocument";
            return Err(Refusal::new(Reason::NotADocument, detail));
        }
    };
    for name in &names {
        if let Some(what) = macro_entry(kind, name) {
            return Err(Refusal::new(Reason::MacroDocument, what));
        }
    }
    // The manifest first: an encrypted ODT's other parts are not XML.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| names[i] != "META-INF/manifest.xml");
    for (i, name) in order.into_iter().map(|i| (i, &names[i])) {
        let lower = name.to_ascii_lowercase();
        if name == "mimetype" {
            continue;
        }
        // Every part that is XML, whatever its name: a relationship may
        // make `word/header9.bin` a header, and LibreOffice reads it.
        let bytes = archive::read(&mut zip, i, limits, &mut budget)?;
        if utf16_xml(&bytes) {
            return Err(Refusal::new(Reason::NotADocument, "bagian XML-nya tidak ditulis dalam UTF-8"));
        }
        if lower.ends_with(".xml") || lower.ends_with(".rels") || xml_not_svg(&bytes) {
            declared_utf8(&bytes)?;
            parts::check(kind, &lower, &bytes, limits.depth)?;
        }
    }
    if kind == Kind::Docx {
        main_part_is_word_document(&mut zip, &names, limits, &mut budget)?;
    }
    Ok(kind)
}

/// XML in UTF-16 (Word and LibreOffice write UTF-8; LibreOffice reads
/// both, suratd's checks only the first).
fn utf16_xml(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xFF\xFE").or_else(|| bytes.strip_prefix(b"\xFE\xFF")).unwrap_or(bytes);
    b.starts_with(b"<\0") || b.starts_with(b"\0<")
}

/// Bytes that are XML (after a byte order mark and blanks, a `<`) and
/// whose first element is not an SVG image (pictures may be SVG, often
/// with a DTD the checks refuse; LibreOffice reads no fields in them).
fn xml_not_svg(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !b.trim_ascii_start().starts_with(b"<") {
        return false;
    }
    let mut reader = Reader::from_reader(b);
    for _ in 0..64 {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => return e.local_name().as_ref() != "svg",
            Ok(Event::Eof) | Err(_) => return true,
            _ => {}
        }
    }
    true
}

/// An XML declaration that names an encoding other than UTF-8 (or its
/// ASCII subset) is refused: in UTF-7 or EBCDIC a field code is spelled
/// with other bytes.
fn declared_utf8(bytes: &[u8]) -> Result<(), Refusal> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes).trim_ascii_start();
    if !b.starts_with(b"<?xml") {
        return Ok(());
    }
    let decl = &b[..b.windows(2).position(|w| w == b"?>").unwrap_or(b.len().min(200))];
    let decl = String::from_utf8_lossy(decl).to_ascii_lowercase();
    let Some(at) = decl.find("encoding") else { return Ok(()) };
    let value: String = decl[at + "encoding".len()..]
        .trim_start_matches([' ', '=', '"', '\''])
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ' ' | '?'))
        .collect();
    match value.as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Ok(()),
        _ => Err(Refusal::new(Reason::NotADocument, format!("bagian XML-nya ditulis dalam {value}, bukan UTF-8"))),
    }
}

/// The document a `.docx` shows is the part its package relationship
/// names (`_rels/.rels`): it must be `word/document.xml`, the part suratd
/// checks for placeholders and fills (Word writes no other).
fn main_part_is_word_document(
    zip: &mut archive::Zip,
    names: &[String],
    limits: &Limits,
    budget: &mut Budget,
) -> Result<(), Refusal> {
    let Some(i) = names.iter().position(|n| n == "_rels/.rels") else { return Ok(()) };
    let rels = archive::read(zip, i, limits, budget)?;
    let mut targets = Vec::new();
    walk(&rels, limits.depth, |event, _, _| {
        if let Event::Start(e) | Event::Empty(e) = event
            && e.local_name().as_ref() == "Relationship"
        {
            let get = |n: &str| e.try_get_attribute(n).ok().flatten().map(|a| a.value.into_owned());
            let kind = get("Type").unwrap_or_default();
            if kind.ends_with("/officeDocument") {
                targets.push(get("Target").unwrap_or_default());
            }
        }
        Ok(())
    })?;
    let is_main = |t: &String| t.trim_start_matches('/').trim_start_matches("./") == "word/document.xml";
    if targets.iter().all(is_main) {
        Ok(())
    } else {
        Err(Refusal::new(Reason::NotADocument, "bagian utama dokumennya bukan word/document.xml"))
    }
}

/// An entry that holds a program: a VBA project or ActiveX control in a
/// `.docx`, a Basic library or script in an `.odt`.
fn macro_entry(kind: Kind, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    match kind {
        Kind::Docx if lower.ends_with("vbaproject.bin") || lower.ends_with("vbadata.xml") => Some("proyek makro VBA"),
        Kind::Docx if lower.starts_with("word/activex/") => Some("kontrol ActiveX"),
        Kind::Odt if lower.starts_with("basic/") || lower.starts_with("scripts/") => {
            Some("makro LibreOffice Basic atau skrip")
        }
        _ => None,
    }
}
