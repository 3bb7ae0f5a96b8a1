//! A reviewer's edit of a copy suratd placed. A PDF editor's incremental
//! save (Acrobat's default for comments and highlights) appends to the
//! file, so the copy's bytes stay its start. Whether such an edit changes
//! what the letter shows is read through the document graph (see
//! `changes`): only the document information and the XMP may change; an
//! annotation, page content, a page or anything else reachable from the
//! root is a change a reader sees.

use lopdf::Document;

/// What a file that begins with a copy's bytes changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Nothing a reader sees: the document information or the XMP.
    Metadata,
    /// What the letter shows (its first difference, in Indonesian).
    Shows(String),
}

/// What `file` changes against `copy`, when `file` is `copy` with more
/// appended; `None` when it is not (other bytes, or the same). A file that
/// cannot be read as a PDF counts as changing what it shows.
pub fn appended(copy: &[u8], file: &[u8]) -> Option<Appended> {
    if file.len() <= copy.len() || !file.starts_with(copy) {
        return None;
    }
    let (old, new) = match (Document::load_mem(copy), Document::load_mem(file)) {
        (Ok(old), Ok(new)) => (old, new),
        (_, Err(e)) => return Some(Appended::Shows(format!("berkas tidak dapat dibaca ({e})"))),
        (Err(e), _) => return Some(Appended::Shows(format!("salinan surat tidak dapat dibaca ({e})"))),
    };
    // A table other readers may rebuild otherwise is no harmless save.
    if new.xref_recovery.is_some() && old.xref_recovery.is_none() {
        return Some(Appended::Shows("tabel referensi silang berkas rusak".into()));
    }
    let found = super::changes::beyond_metadata(&old, &new);
    Some(match found.into_iter().next() {
        None => Appended::Metadata,
        Some(first) => Appended::Shows(first),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{IncrementalDocument, Object, Stream, dictionary};

    fn letter() -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        let content = doc.add_object(Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 700 Td (Isi surat) Tj ET".to_vec()));
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] });
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
        );
        let info = doc.add_object(dictionary! { "Title" => Object::string_literal("Surat") });
        let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", cat);
        doc.trailer.set("Info", info);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// `copy` with an incremental update made by `edit`.
    fn save(copy: &[u8], edit: impl FnOnce(&mut IncrementalDocument)) -> Vec<u8> {
        let prev = Document::load_mem(copy).unwrap();
        let mut inc = IncrementalDocument::create_from(copy.to_vec(), prev);
        inc.new_document.max_id = inc.get_prev_documents().max_id;
        edit(&mut inc);
        let mut out = Vec::new();
        inc.save_to(&mut out).unwrap();
        out
    }

    fn first_page(inc: &IncrementalDocument) -> lopdf::ObjectId {
        *inc.get_prev_documents().get_pages().get(&1).unwrap()
    }

    #[test]
    fn a_new_title_is_metadata() {
        let copy = letter();
        let edited = save(&copy, |inc| {
            let info = inc.get_prev_documents().trailer.get(b"Info").unwrap().as_reference().unwrap();
            inc.new_document.set_object(info, dictionary! { "Title" => Object::string_literal("Judul lain") });
        });
        assert_eq!(appended(&copy, &edited), Some(Appended::Metadata));
    }

    #[test]
    fn a_highlight_shows() {
        let copy = letter();
        let edited = save(&copy, |inc| {
            let page_id = first_page(inc);
            inc.opt_clone_object_to_new_document(page_id).unwrap();
            let note = inc.new_document.add_object(dictionary! { "Type" => "Annot", "Subtype" => "Highlight",
            "Rect" => vec![70.into(), 690.into(), 200.into(), 715.into()] });
            let page = inc.new_document.get_object_mut(page_id).unwrap().as_dict_mut().unwrap();
            page.set("Annots", vec![Object::Reference(note)]);
        });
        match appended(&copy, &edited) {
            Some(Appended::Shows(what)) => assert!(what.contains("halaman 1"), "{what}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn changed_page_content_shows() {
        let copy = letter();
        let edited = save(&copy, |inc| {
            let page_id = first_page(inc);
            let forged = inc
                .new_document
                .add_object(Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 700 Td (Isi lain) Tj ET".to_vec()));
            inc.opt_clone_object_to_new_document(page_id).unwrap();
            let page = inc.new_document.get_object_mut(page_id).unwrap().as_dict_mut().unwrap();
            page.set("Contents", forged);
        });
        assert!(matches!(appended(&copy, &edited), Some(Appended::Shows(_))));
    }

    #[test]
    fn an_update_whose_table_must_be_rebuilt_shows() {
        let copy = letter();
        let mut edited = save(&copy, |_| {});
        let at = edited.windows(9).rposition(|w| w == b"startxref").unwrap() + 10;
        let end = at + edited[at..].iter().position(|c| *c == b'\n').unwrap();
        edited.splice(at..end, b"17".iter().copied());
        assert!(Document::load_mem(&edited).unwrap().xref_recovery.is_some(), "the test file needs rebuilding");
        assert!(matches!(appended(&copy, &edited), Some(Appended::Shows(_))));
    }

    #[test]
    fn other_bytes_are_no_appended_edit() {
        let copy = letter();
        assert_eq!(appended(&copy, &copy), None);
        let mut other = copy.clone();
        other[20] ^= 1;
        other.extend_from_slice(b"\n");
        assert_eq!(appended(&copy, &other), None);
    }
}
