//! PDFs the benches make: a blank page, and a big one (a large
//! incompressible image) for peak memory.

/// A one-page A4 PDF drawing `content`, with `xobjects` as its images.
pub fn one_page(content: &[u8], xobjects: Vec<lopdf::Stream>) -> Vec<u8> {
    use lopdf::{Dictionary, Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let mut xo = Dictionary::new();
    for (i, s) in xobjects.into_iter().enumerate() {
        xo.set(format!("Im{i}"), doc.add_object(s));
    }
    let content = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "Contents" => content,
    "Resources" => dictionary! { "XObject" => xo },
    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

pub fn blank_page() -> Vec<u8> {
    one_page(b"", vec![])
}

/// A PDF of about `mb` megabytes: one page and a large incompressible image.
pub fn big_pdf(mb: usize) -> Vec<u8> {
    big_pdf_in(mb, 1)
}

/// A PDF of about `mb` megabytes: one page drawing `images` incompressible
/// images of equal size (a scanned letter of many pages is more like this).
pub fn big_pdf_in(mb: usize, images: usize) -> Vec<u8> {
    use lopdf::{Stream, dictionary};
    let side = ((mb * 1024 * 1024 / 3 / images) as f64).sqrt() as i64;
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut image = || {
        let pixels: Vec<u8> = (0..(side * side * 3) as usize)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => side, "Height" => side,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
            pixels,
        )
    };
    let all: Vec<Stream> = (0..images).map(|_| image()).collect();
    let draw: String = (0..images).map(|i| format!("q 500 0 0 700 40 60 cm /Im{i} Do Q ")).collect();
    one_page(draw.as_bytes(), all)
}
