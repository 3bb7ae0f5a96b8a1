//! PDFs changed after suratd made them, as an editor or a forger would:
//! incremental updates that replace a page's content, add a highlight or a
//! title, or make a file slow to draw or to read.

/// `bytes` with page 1's content replaced by `raw`, in an incremental
/// update (a forgery made before signing).
pub fn replace_raw(bytes: &[u8], raw: &str) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let cid = doc.get_dictionary(page).unwrap().get(b"Contents").unwrap().as_reference().unwrap();
    let data = raw.as_bytes().to_vec();
    let s = String::from_utf8_lossy(bytes).to_string();
    let i = s.rfind("startxref").unwrap();
    let prev: usize = s[i + 9..].trim().lines().next().unwrap().trim().parse().unwrap();
    let mut out = bytes.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let off = out.len();
    out.extend_from_slice(format!("{} {} obj\n<< /Length {} >>\nstream\n", cid.0, cid.1, data.len()).as_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    out.extend_from_slice(
        format!(
            "xref\n{} 1\n{:010} {:05} n \ntrailer\n<< /Size {} /Root {} {} R /Prev {} >>\nstartxref\n{}\n%%EOF\n",
            cid.0,
            off,
            cid.1,
            doc.max_id + 1,
            root.0,
            root.1,
            prev,
            xref
        )
        .as_bytes(),
    );
    out
}

/// The copy with a tiling pattern of 0.004 pt cells painted over a blank
/// square (where a QR code would go): pdftoppm takes minutes on it.
pub fn slow_to_draw(copy: &[u8], line: &str) -> Vec<u8> {
    let prev = lopdf::Document::load_mem(copy).unwrap();
    let page = *prev.get_pages().get(&1).unwrap();
    let mut inc = lopdf::IncrementalDocument::create_from(copy.to_vec(), prev);
    let cell = inc.new_document.add_object(lopdf::Stream::new(
        lopdf::dictionary! {"Type" => "Pattern", "PatternType" => 1, "PaintType" => 1, "TilingType" => 1,
        "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()], "XStep" => 1, "YStep" => 1, "Resources" => lopdf::dictionary! {},
        "Matrix" => vec![0.004.into(), 0.into(), 0.into(), 0.004.into(), 0.into(), 0.into()]},
        b"0 g 0 0 0.5 0.5 re f".to_vec(),
    ));
    let f = inc
        .new_document
        .add_object(lopdf::dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"});
    let content = format!("{line}q /Pattern cs /P0 scn 300 60 250 250 re f Q\n");
    let c = inc.new_document.add_object(lopdf::Stream::new(lopdf::dictionary! {}, content.into_bytes()));
    inc.opt_clone_object_to_new_document(page).unwrap();
    let p = inc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
    p.set("Contents", c);
    p.set(
        "Resources",
        lopdf::dictionary! {"Font" => lopdf::dictionary! {"F1" => f}, "Pattern" => lopdf::dictionary! {"P0" => cell}},
    );
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    out
}

/// `copy` saved by a PDF editor with an incremental update made by `edit`
/// (Acrobat's default save: the copy's bytes stay the start of the file).
pub fn saved_incrementally(copy: &[u8], edit: impl FnOnce(&mut lopdf::IncrementalDocument)) -> Vec<u8> {
    let prev = lopdf::Document::load_mem(copy).unwrap();
    let mut inc = lopdf::IncrementalDocument::create_from(copy.to_vec(), prev);
    inc.new_document.max_id = inc.get_prev_documents().max_id;
    edit(&mut inc);
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    assert!(out.starts_with(copy), "an incremental update");
    out
}

/// `copy` with a yellow highlight over its first line, saved incrementally.
pub fn with_highlight(copy: &[u8]) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    saved_incrementally(copy, |inc| {
        let page = *inc.get_prev_documents().get_pages().get(&1).unwrap();
        let quad: Vec<Object> = [72, 715, 300, 715, 72, 695, 300, 695].into_iter().map(Object::from).collect();
        let note = inc.new_document.add_object(dictionary! { "Type" => "Annot", "Subtype" => "Highlight",
            "Rect" => vec![72.into(), 695.into(), 300.into(), 715.into()], "QuadPoints" => quad,
            "C" => vec![1.into(), 1.into(), 0.into()], "Contents" => Object::string_literal("Tanggal rapat salah"), "F" => 4 });
        inc.opt_clone_object_to_new_document(page).unwrap();
        let p = inc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        p.set("Annots", vec![Object::Reference(note)]);
    })
}

/// `copy` with a new title in its document information (nothing a reader
/// sees), saved incrementally.
pub fn with_title(copy: &[u8], title: &str) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    saved_incrementally(copy, |inc| {
        let info = inc.new_document.add_object(dictionary! { "Title" => Object::string_literal(title) });
        inc.new_document.trailer.set("Info", info);
    })
}

/// The copy with optional content properties whose entries lead, through
/// ten arrays of 24 references each to the next, to 24^10 paths: a reader
/// that walks them without remembering where it has been never ends. Page
/// drawing and text are unchanged.
pub fn slow_to_read(copy: &[u8]) -> Vec<u8> {
    saved_incrementally(copy, |inc| {
        let root = inc.get_prev_documents().trailer.get(b"Root").unwrap().as_reference().unwrap();
        let mut next: lopdf::Object = 0.into();
        for _ in 0..10 {
            let id = inc.new_document.add_object(lopdf::Object::Array(vec![next.clone(); 24]));
            next = lopdf::Object::Reference(id);
        }
        let ocgs: Vec<lopdf::Object> = vec![];
        let props = lopdf::dictionary! {"OCGs" => ocgs, "D" => lopdf::dictionary! {"Name" => lopdf::Object::string_literal("x"), "Paths" => next}};
        inc.opt_clone_object_to_new_document(root).unwrap();
        inc.new_document.get_object_mut(root).unwrap().as_dict_mut().unwrap().set("OCProperties", props);
    })
}
