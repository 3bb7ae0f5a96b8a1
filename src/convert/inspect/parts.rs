//! The XML parts of a `.docx` or `.odt`, read for what must not reach a
//! converter: a macro-enabled content type, encryption, references to
//! anything outside the file, fields that fetch or run (DDE), and scripts
//! bound to events. Hyperlinks in the text are allowed: nothing fetches
//! them, and letters carry web addresses.

use super::{Kind, Refusal, broken_xml, walk};
use crate::letter::reason::Reason;
use quick_xml::events::{BytesStart, Event};

/// Checks one part (`name` in lower case).
pub(super) fn check(kind: Kind, name: &str, xml: &[u8], max_depth: usize) -> Result<(), Refusal> {
    let (mut instr, mut in_instr) = (String::new(), false);
    walk(xml, max_depth, |event, before, after| {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                element(kind, name, e)?;
                match e.name().as_ref() {
                    "w:instrText" => in_instr = matches!(event, Event::Start(_)),
                    "w:fldChar" => instr.push(' '),
                    "w:fldSimple" => instr.push_str(&format!(" {} ", attr(e, "w:instr").unwrap_or_default())),
                    _ => {}
                }
            }
            Event::End(e) if e.name().as_ref() == "w:instrText" => in_instr = false,
            Event::Text(_) | Event::GeneralRef(_) if in_instr => {
                instr.push_str(&String::from_utf8_lossy(&xml[before..after]));
            }
            _ => {}
        }
        Ok(())
    })?;
    // Character references (`INCLUDE&#84;EXT`) read as the letters they
    // stand for, as Word and LibreOffice read them.
    match quick_xml::escape::unescape(&instr) {
        Ok(text) => field_codes(&text),
        Err(_) => Err(broken_xml("kode field dengan rujukan karakter yang rusak")),
    }
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

/// One element of part `name`.
fn element(kind: Kind, name: &str, e: &BytesStart) -> Result<(), Refusal> {
    let tag = e.name();
    let tag = tag.as_ref();
    if name == "[content_types].xml" {
        let ct = attr(e, "ContentType").unwrap_or_default().to_ascii_lowercase();
        if ct.contains("macroenabled") || ct.contains("vbaproject") {
            return Err(Refusal::new(Reason::MacroDocument, "berkas Word bermakro .docm"));
        }
    } else if name.ends_with(".rels") && tag == "Relationship" {
        if attr(e, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("external")) {
            return relationship(&attr(e, "Type").unwrap_or_default(), &attr(e, "Target").unwrap_or_default());
        }
    } else if kind == Kind::Odt {
        return odf_element(tag, e);
    }
    Ok(())
}

/// An external relationship of a `.docx`: a hyperlink goes on; a template
/// on the drafter's own disk too (Word records the one a letter was made
/// from); anything else would be fetched to show the letter.
fn relationship(kind: &str, target: &str) -> Result<(), Refusal> {
    let kind = kind.rsplit('/').next().unwrap_or_default();
    let what = match kind {
        "hyperlink" => return Ok(()),
        "attachedTemplate" if !remote(target) => return Ok(()),
        "attachedTemplate" => "templat",
        k if k.contains("image") => "gambar",
        "oleObject" | "package" => "objek",
        "subDocument" => "subdokumen",
        "frame" => "bingkai halaman",
        _ => "isi",
    };
    Err(Refusal::new(Reason::ExternalReference, what))
}

/// A target on another machine (a web address or a network share), as
/// opposed to a path on the drafter's own disk.
fn remote(target: &str) -> bool {
    let t = target.trim().to_ascii_lowercase();
    ["http:", "https:", "ftp:", "\\\\", "//"].iter().any(|p| t.starts_with(p))
        || (t.starts_with("file://") && !t.starts_with("file:///"))
}

/// An element of an OpenDocument part.
fn odf_element(tag: &str, e: &BytesStart) -> Result<(), Refusal> {
    match tag {
        "manifest:encryption-data" => return Err(Refusal::new(Reason::DocumentEncrypted, "")),
        "script:event-listener" | "draw:applet" | "draw:plugin" => {
            return Err(Refusal::new(Reason::MacroDocument, "skrip atau program yang berjalan sendiri"));
        }
        "office:dde-source" | "text:dde-connection-decl" => {
            return Err(Refusal::new(Reason::MacroDocument, "perintah DDE"));
        }
        _ => {}
    }
    let Some(href) = attr(e, "xlink:href") else { return Ok(()) };
    let what = match tag {
        "text:a" | "draw:a" => return Ok(()),
        "meta:template" if !remote(&href) => return Ok(()),
        _ if !outside(&href) => return Ok(()),
        "meta:template" => "templat",
        "draw:image" | "draw:fill-image" | "style:background-image" => "gambar",
        "draw:object" | "draw:object-ole" => "objek",
        "text:section-source" => "bagian dokumen",
        _ => "isi",
    };
    Err(Refusal::new(Reason::ExternalReference, what))
}

/// An ODF reference outside the package: with a scheme (`http:`,
/// `file:`), or a path leaving the package (from its root, or with more
/// `..` than folders before it, however spelled: `./../`, `a/../../`,
/// `%2e%2e/`, backslashes).
fn outside(href: &str) -> bool {
    let h = percent_decoded(href.trim()).replace('\\', "/");
    let scheme = h.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) && !s.contains('/')
    });
    let mut depth = 0usize;
    let leaves = h.split('/').any(|segment| match segment.trim() {
        ".." => depth.checked_sub(1).map(|d| depth = d).is_none(),
        "" | "." => false,
        _ => {
            depth += 1;
            false
        }
    });
    scheme || h.starts_with('/') || leaves
}

/// `s` with its `%XX` escapes decoded (bytes that are not UTF-8 replaced).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The field codes of a `.docx` part (all its `w:instrText`, fields
/// apart): a field that fetches (INCLUDEPICTURE, INCLUDETEXT, LINK,
/// IMPORT) or runs (DDE, DDEAUTO) is refused.
fn field_codes(instr: &str) -> Result<(), Refusal> {
    for token in instr.split(|c: char| c.is_whitespace() || c == '"').map(str::to_ascii_uppercase) {
        match token.as_str() {
            "INCLUDEPICTURE" | "INCLUDETEXT" | "INCLUDE" | "IMPORT" | "LINK" => {
                let detail = format!("gambar atau isi bertaut (kode field {token})");
                return Err(Refusal::new(Reason::ExternalReference, detail));
            }
            "DDE" | "DDEAUTO" => return Err(Refusal::new(Reason::MacroDocument, "perintah DDE")),
            _ => {}
        }
    }
    Ok(())
}
