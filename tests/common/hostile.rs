//! Hostile PDFs, built byte by byte: decompression bombs, deep nesting,
//! broken cross-references, JavaScript, no pages.

use std::io::Write;

/// Assembles a PDF from numbered object bodies (1-based), with a correct
/// cross-reference table and `Root 1 0 R`.
pub fn raw_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// A one-page PDF whose page has `content` (already encoded) and `extra`
/// entries in its catalog.
fn page_pdf(content: Vec<u8>, catalog_extra: &str) -> Vec<u8> {
    raw_pdf(&[
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ])
}

fn text_content(text: &str) -> Vec<u8> {
    stream("", format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET").as_bytes())
}

/// A page whose content stream inflates to `inflated` bytes of spaces.
pub fn decompression_bomb(inflated: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    let mut left = inflated;
    while left > 0 {
        let n = left.min(chunk.len());
        z.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    page_pdf(stream("/Filter /FlateDecode", &z.finish().unwrap()), "")
}

/// A page whose resources hold an array nested `depth` deep.
pub fn deep_nesting(depth: usize) -> Vec<u8> {
    let mut deep = "[".repeat(depth).into_bytes();
    deep.extend_from_slice("]".repeat(depth).as_bytes());
    let mut v = raw_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        deep,
    ]);
    v.shrink_to_fit();
    v
}

/// A readable page whose `startxref` points nowhere and whose table offsets are wrong.
pub fn broken_xref(text: &str) -> Vec<u8> {
    let good = page_pdf(text_content(text), "");
    let key = b"startxref\n";
    let at = good.windows(key.len()).rposition(|w| w == key).unwrap() + key.len();
    let end = at + good[at..].iter().position(|&b| b == b'\n').unwrap();
    let mut out = good[..at].to_vec();
    out.extend_from_slice(b"99999");
    out.extend_from_slice(&good[end..]);
    // Shift every object by inserting junk after the header.
    let mut shifted = out[..15].to_vec();
    shifted.extend_from_slice(b"% junk inserted by a broken tool\n");
    shifted.extend_from_slice(&out[15..]);
    shifted
}

/// A page that runs JavaScript when opened.
pub fn javascript(text: &str) -> Vec<u8> {
    page_pdf(text_content(text), "/OpenAction << /S /JavaScript /JS (app.alert\\('hai'\\);) >>")
}

/// A page that launches a program when opened.
pub fn launch_action(text: &str) -> Vec<u8> {
    page_pdf(text_content(text), "/OpenAction << /S /Launch /F (cmd.exe) >>")
}

/// A well-formed document with no pages.
pub fn zero_pages() -> Vec<u8> {
    raw_pdf(&[b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec()])
}

/// A page tree that points at itself.
pub fn page_tree_loop() -> Vec<u8> {
    raw_pdf(&[b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>".to_vec()])
}

/// A plain, valid one-page PDF built here (for comparison with the others).
pub fn plain(text: &str) -> Vec<u8> {
    page_pdf(text_content(text), "")
}

/// A readable page whose trailer names an encryption dictionary.
pub fn encrypted(text: &str) -> Vec<u8> {
    let good = page_pdf(text_content(text), "");
    let key = b"/Root 1 0 R";
    let at = good.windows(key.len()).rposition(|w| w == key).unwrap() + key.len();
    let mut out = good[..at].to_vec();
    out.extend_from_slice(b" /Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /P -4 >>");
    out.extend_from_slice(&good[at..]);
    out
}

/// A sidecar whose anchors expand exponentially ("billion laughs"): ten
/// levels of nine aliases each, a billion strings if expanded.
pub fn alias_bomb_yaml() -> String {
    let mut y =
        String::from("tujuan: [&a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]");
    for i in 1..10 {
        let p = i - 1;
        y.push_str(&format!(", &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"));
    }
    y.push_str("]\n");
    y
}

/// A sidecar of valid shape that repeats one alias two hundred times.
pub fn many_aliases_yaml() -> String {
    format!("tujuan: [&p {{nama: Kepala BPS Kabupaten Kaur}}{}]\n", ", *p".repeat(200))
}
