//! Writing the letter's number and date into a Word or OpenDocument draft,
//! bytes in, bytes out: a placeholder `{{nomor}}` or `[nomor]` (and
//! `tanggal`), also when Word has split it over several runs, and in a
//! `.docx` a content control tagged or titled `nomor` or `tanggal`. The
//! value goes into the first run's text, keeping its formatting; the rest
//! of the placeholder leaves the runs after it; every other byte of the part,
//! and every other entry of the zip, stays as it was. Nothing is expanded
//! or fetched: entities are left as written, references are not followed.
//!
//! Looked in: a `.docx`'s `word/document.xml`, headers and footers; an
//! `.odt`'s `content.xml` and `styles.xml` (its headers and footers).
//! Not looked in: ODF fields (`text:user-field-get` and the like), which
//! drafters do not use for this; a `.doc` or `.rtf` is never filled.

use super::archive::{self, Budget, Limits};
use super::inspect::{Kind, Refusal, broken_xml, walk};
use crate::util::timefmt;
use quick_xml::escape::{partial_escape, unescape};
use quick_xml::events::{BytesStart, Event};
use regex::Regex;
use std::sync::LazyLock;

/// What goes into the placeholders.
#[derive(Debug, Clone)]
pub struct Values<'a> {
    /// The letter's number, as the agenda gave it.
    pub nomor: &'a str,
    /// The day the number was given; written as `2 Juni 2026`.
    pub tanggal: chrono::NaiveDate,
}

/// The filled document and how many places of each were filled. With no
/// place for the number the caller holds the draft for its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub bytes: Vec<u8>,
    pub nomor: usize,
    pub tanggal: usize,
}

/// The fields a placeholder names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Nomor,
    Tanggal,
}

/// `{{nomor}}`, `{{ Tanggal }}`, `[nomor]`.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\{\{\s*(nomor|tanggal)\s*\}\}|\[\s*(nomor|tanggal)\s*\]").expect("a valid pattern")
});

fn field(name: &str) -> Option<Field> {
    match name.trim().to_ascii_lowercase().as_str() {
        "nomor" => Some(Field::Nomor),
        "tanggal" => Some(Field::Tanggal),
        _ => None,
    }
}

/// Fills `bytes` (a document of `kind`) with the default limits.
pub fn fill(kind: Kind, bytes: &[u8], values: &Values) -> Result<Filled, Refusal> {
    fill_with(kind, bytes, values, &Limits::default())
}

/// Fills `bytes`, reading its parts within `limits`. A `.doc` or `.rtf`,
/// or a document without placeholders, comes back as it was.
pub fn fill_with(kind: Kind, bytes: &[u8], values: &Values, limits: &Limits) -> Result<Filled, Refusal> {
    let unchanged = || Filled { bytes: bytes.to_vec(), nomor: 0, tanggal: 0 };
    if !kind.fillable() {
        return Ok(unchanged());
    }
    let texts = [values.nomor.to_string(), timefmt::date_id(values.tanggal)];
    let mut zip = archive::open(bytes, limits)?;
    let names = archive::names(&mut zip)?;
    let mut budget = Budget::default();
    let (mut changed, mut nomor, mut tanggal) = (Vec::new(), 0, 0);
    for (i, name) in names.iter().enumerate().filter(|(_, n)| is_text_part(kind, n)) {
        let xml = archive::read(&mut zip, i, limits, &mut budget)?;
        let part = fill_part(kind, &xml, &texts, limits.depth)?;
        if part.nomor + part.tanggal > 0 {
            nomor += part.nomor;
            tanggal += part.tanggal;
            changed.push((name.clone(), part.bytes));
        }
    }
    if changed.is_empty() {
        return Ok(unchanged());
    }
    let bytes =
        archive::rezip(&mut zip, &changed).map_err(|e| Refusal::from(archive::Unreadable::NotZip(e.to_string())))?;
    Ok(Filled { bytes, nomor, tanggal })
}

/// The parts whose text a letter's reader sees on its pages.
fn is_text_part(kind: Kind, name: &str) -> bool {
    match kind {
        Kind::Docx => {
            let in_word = name.strip_prefix("word/").filter(|n| !n.contains('/') && n.ends_with(".xml"));
            name == "word/document.xml" || in_word.is_some_and(|n| n.starts_with("header") || n.starts_with("footer"))
        }
        Kind::Odt => name == "content.xml" || name == "styles.xml",
        Kind::Doc | Kind::Rtf => false,
    }
}

/// One XML part filled: walks its events once, keeping byte positions,
/// and splices the new texts in.
fn fill_part(kind: Kind, xml: &[u8], texts: &[String; 2], max_depth: usize) -> Result<Filled, Refusal> {
    let mut scan = Scan { kind, xml, texts, paras: vec![], controls: vec![], edits: vec![], open: None, skip: 0 };
    let mut counts = [0usize; 2];
    walk(xml, max_depth, |event, before, after| {
        for f in scan.event(event, before, after)? {
            counts[f as usize] += 1;
        }
        Ok(())
    })?;
    Ok(Filled { bytes: splice(xml, scan.edits), nomor: counts[0], tanggal: counts[1] })
}

/// `xml` with each `(start, end, text)` range replaced.
fn splice(xml: &[u8], mut edits: Vec<(usize, usize, String)>) -> Vec<u8> {
    edits.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(xml.len() + 64);
    let mut at = 0;
    for (start, end, text) in edits {
        out.extend_from_slice(&xml[at..start]);
        out.extend_from_slice(text.as_bytes());
        at = end;
    }
    out.extend_from_slice(&xml[at..]);
    out
}

/// A run's text: where its characters lie in the part, and what they say.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    text: String,
}

/// A `.docx` content control (`w:sdt`) being read.
#[derive(Debug, Default)]
struct Control {
    field: Option<Field>,
    in_content: bool,
    nodes: Vec<Node>,
    /// `w:showingPlcHdr` (Word would show the value as placeholder text)
    /// and `w:dataBinding` (Word would put back a value from elsewhere in
    /// the file): removed when the control is filled.
    drop: Vec<(usize, usize)>,
}

/// The walk through one part.
struct Scan<'a> {
    kind: Kind,
    xml: &'a [u8],
    texts: &'a [String; 2],
    /// The text of each open paragraph (nested: a text box, a footnote).
    paras: Vec<Vec<Node>>,
    controls: Vec<Control>,
    edits: Vec<(usize, usize, String)>,
    /// Where the text being read began.
    open: Option<usize>,
    /// Inside ODF tracked changes or comments: text not on the page.
    skip: usize,
}

impl Scan<'_> {
    /// One event; returns the fields filled by it.
    fn event(&mut self, event: &Event, before: usize, after: usize) -> Result<Vec<Field>, Refusal> {
        let text = matches!(event, Event::Text(_) | Event::GeneralRef(_));
        if self.kind == Kind::Odt {
            if text {
                if !self.paras.is_empty() && self.skip == 0 && self.open.is_none() {
                    self.open = Some(before);
                }
                return Ok(vec![]);
            }
            if let Some(start) = self.open.take() {
                self.node(start, before)?;
            }
        }
        Ok(match event {
            Event::Start(e) => {
                self.element(e, (before, after), false);
                vec![]
            }
            Event::Empty(e) => {
                self.element(e, (before, after), true);
                vec![]
            }
            Event::End(e) => self.close(e.name().as_ref(), before)?,
            _ => vec![],
        })
    }

    /// An opening (or empty) element.
    fn element(&mut self, e: &BytesStart, (before, after): (usize, usize), empty: bool) {
        match (self.kind, e.name().as_ref()) {
            (Kind::Docx, "w:p") | (Kind::Odt, "text:p" | "text:h") if !empty => self.paras.push(vec![]),
            (Kind::Docx, "w:t") if !empty => self.open = Some(after),
            (Kind::Docx, "w:sdt") if !empty => self.controls.push(Control::default()),
            (Kind::Docx, "w:sdtContent") => {
                if let Some(c) = self.controls.last_mut() {
                    c.in_content = !empty;
                }
            }
            (Kind::Docx, "w:tag" | "w:alias") => {
                let val = e.try_get_attribute("w:val").ok().flatten().map(|a| a.value.into_owned());
                let named = val.and_then(|v| field(&v));
                if let (Some(c), Some(f)) = (self.controls.last_mut(), named) {
                    c.field.get_or_insert(f);
                }
            }
            (Kind::Docx, "w:showingPlcHdr" | "w:dataBinding") if empty => {
                if let Some(c) = self.controls.last_mut().filter(|c| !c.in_content) {
                    c.drop.push((before, after));
                }
            }
            (Kind::Odt, "text:tracked-changes" | "office:annotation") if !empty => self.skip += 1,
            _ => {}
        }
    }

    /// A closing element.
    fn close(&mut self, name: &str, before: usize) -> Result<Vec<Field>, Refusal> {
        match (self.kind, name) {
            (Kind::Docx, "w:t") => {
                if let Some(start) = self.open.take() {
                    self.node(start, before)?;
                }
            }
            (Kind::Docx, "w:p") | (Kind::Odt, "text:p" | "text:h") => {
                if let Some(nodes) = self.paras.pop() {
                    return Ok(self.paragraph(nodes));
                }
            }
            (Kind::Docx, "w:sdtContent") => {
                if let Some(c) = self.controls.last_mut() {
                    c.in_content = false;
                }
            }
            (Kind::Docx, "w:sdt") => {
                if let Some(c) = self.controls.pop() {
                    return Ok(self.control(c));
                }
            }
            (Kind::Odt, "text:tracked-changes" | "office:annotation") => self.skip = self.skip.saturating_sub(1),
            _ => {}
        }
        Ok(vec![])
    }

    /// A run's text read: to the content control it fills, or to its
    /// paragraph.
    fn node(&mut self, start: usize, end: usize) -> Result<(), Refusal> {
        let raw = std::str::from_utf8(&self.xml[start..end]).map_err(|_| broken_xml("teks bukan UTF-8"))?;
        let text = unescape(raw).map_err(|e| broken_xml(&e.to_string()))?.into_owned();
        let node = Node { start, end, text };
        if let Some(c) = self.controls.iter_mut().rev().find(|c| c.field.is_some() && c.in_content) {
            c.nodes.push(node);
        } else if let Some(p) = self.paras.last_mut() {
            p.push(node);
        }
        Ok(())
    }

    /// A content control named for a field: its first run's text becomes
    /// the value, the others' text goes.
    fn control(&mut self, c: Control) -> Vec<Field> {
        let (Some(f), Some(first)) = (c.field, c.nodes.first()) else {
            return vec![];
        };
        self.edits.push((first.start, first.end, partial_escape(&self.texts[f as usize]).into_owned()));
        self.edits.extend(c.nodes[1..].iter().map(|n| (n.start, n.end, String::new())));
        self.edits.extend(c.drop.into_iter().map(|(s, e)| (s, e, String::new())));
        vec![f]
    }

    /// The placeholders in one paragraph's text, over however many runs.
    fn paragraph(&mut self, nodes: Vec<Node>) -> Vec<Field> {
        let joined: String = nodes.iter().map(|n| n.text.as_str()).collect();
        let found: Vec<(usize, usize, Field)> = PLACEHOLDER
            .captures_iter(&joined)
            .filter_map(|c| {
                let m = c.get(0)?;
                let name = c.get(1).or_else(|| c.get(2))?.as_str();
                Some((m.start(), m.end(), field(name)?))
            })
            .collect();
        let mut texts: Vec<String> = nodes.iter().map(|n| n.text.clone()).collect();
        let mut starts = Vec::with_capacity(nodes.len());
        let mut at = 0;
        for n in &nodes {
            starts.push(at);
            at += n.text.len();
        }
        // From the last: what a later placeholder changed lies after the
        // earlier one's end, so the earlier one's offsets still hold.
        for &(s, e, f) in found.iter().rev() {
            for (i, n) in nodes.iter().enumerate() {
                let (ns, ne) = (starts[i], starts[i] + n.text.len());
                if ne <= s || ns >= e {
                    continue;
                }
                let (a, b) = (s.max(ns) - ns, e.min(ne) - ns);
                let value = if (ns..ne).contains(&s) { self.texts[f as usize].as_str() } else { "" };
                texts[i] = format!("{}{}{}", &texts[i][..a], value, &texts[i][b..]);
            }
        }
        for (n, t) in nodes.iter().zip(&texts).filter(|(n, t)| n.text != **t) {
            self.edits.push((n.start, n.end, partial_escape(t).into_owned()));
        }
        found.into_iter().map(|(_, _, f)| f).collect()
    }
}

#[cfg(test)]
mod tests;
