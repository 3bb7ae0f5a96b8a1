//! The zip container of a Word or OpenDocument file, read as untrusted
//! bytes: every entry is inflated with its limits enforced while inflating
//! (the sizes a header claims are never trusted), and a filled document is
//! zipped again with every entry it did not change copied as it was.

use std::io::{Cursor, Read, Write};
use zip::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

/// How much a document may unpack to. LibreOffice inflates all of it, so
/// these bound what one dropped file may cost the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Total uncompressed bytes of all entries.
    pub total: u64,
    /// Uncompressed bytes of one entry.
    pub entry: u64,
    /// Entries in the zip.
    pub entries: usize,
    /// Uncompressed : compressed, for an entry larger than [`Limits::ratio_from`].
    pub ratio: u64,
    /// Entries up to this size may compress better than [`Limits::ratio`]
    /// (a page of XML is mostly repeated tags).
    pub ratio_from: u64,
    /// Nesting of XML elements.
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { total: 256 << 20, entry: 64 << 20, entries: 5000, ratio: 100, ratio_from: 1 << 20, depth: 256 }
    }
}

/// Why the container cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not a zip, or a broken one (what the zip reader said, in English,
    /// for logs).
    NotZip(String),
    /// Two entries of one name: which one a reader takes is up to it.
    DuplicateNames,
    /// A zip entry encrypted with a password.
    EncryptedEntry,
    /// Over a limit (in Indonesian, for people: which one and by how much).
    TooLarge(String),
}

/// An opened container.
pub type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Opens `bytes` as a zip and checks the entry count and names.
pub fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Zip<'a>, Unreadable> {
    let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| Unreadable::NotZip(e.to_string()))?;
    if zip.len() > limits.entries {
        return Err(Unreadable::TooLarge(format!(
            "{} berkas di dalamnya; paling banyak {}",
            zip.len(),
            limits.entries
        )));
    }
    if zip.has_duplicate_names() {
        return Err(Unreadable::DuplicateNames);
    }
    Ok(zip)
}

/// The names of the entries, in the zip's order.
pub fn names(zip: &mut Zip) -> Result<Vec<String>, Unreadable> {
    let name = |zip: &mut Zip, i| -> zip::result::ZipResult<String> { Ok(zip.by_index_raw(i)?.name()?.into_owned()) };
    (0..zip.len()).map(|i| name(zip, i).map_err(|e| Unreadable::NotZip(e.to_string()))).collect()
}

/// What has been inflated so far, against the total limit.
#[derive(Debug, Default)]
pub struct Budget {
    used: u64,
}

/// Inflates entry `index` into `out`, stopping as soon as a limit is
/// passed: the entry's own, the ratio to its compressed bytes, or the
/// total left in `budget`. Returns the entry's uncompressed size.
pub fn inflate(
    zip: &mut Zip,
    index: usize,
    limits: &Limits,
    budget: &mut Budget,
    out: &mut impl Write,
) -> Result<u64, Unreadable> {
    let file = zip.by_index(index).map_err(|e| match e {
        zip::result::ZipError::UnsupportedArchive(m) if m.contains("ncrypt") || m.contains("assword") => {
            Unreadable::EncryptedEntry
        }
        e => Unreadable::NotZip(e.to_string()),
    })?;
    if file.encrypted() {
        return Err(Unreadable::EncryptedEntry);
    }
    let by_ratio = file.compressed_size().max(1).saturating_mul(limits.ratio).max(limits.ratio_from);
    let left = limits.total.saturating_sub(budget.used);
    let cap = limits.entry.min(by_ratio).min(left);
    let mut taken = file.take(cap + 1);
    let n = std::io::copy(&mut taken, out).map_err(|e| Unreadable::NotZip(e.to_string()))?;
    if n > cap {
        let what = if cap == left {
            format!("isinya lebih dari {} MB setelah dibuka", limits.total >> 20)
        } else if cap == by_ratio {
            format!("satu bagiannya mengembang lebih dari {} kali setelah dibuka", limits.ratio)
        } else {
            format!("satu bagiannya lebih dari {} MB setelah dibuka", limits.entry >> 20)
        };
        return Err(Unreadable::TooLarge(what));
    }
    budget.used += n;
    Ok(n)
}

/// Entry `index` in memory, inflated within the limits.
pub fn read(zip: &mut Zip, index: usize, limits: &Limits, budget: &mut Budget) -> Result<Vec<u8>, Unreadable> {
    let mut out = Vec::new();
    inflate(zip, index, limits, budget, &mut out)?;
    Ok(out)
}

/// The same zip with the entries named in `changed` given new contents
/// (deflated, same time stamp); every other entry is copied as it was,
/// compressed bytes and all, in the same order (an ODT's `mimetype` stays
/// first and stored).
pub fn rezip(zip: &mut Zip, changed: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i)?;
        let name = file.name()?.into_owned();
        match changed.iter().find(|(n, _)| *n == name) {
            Some((_, data)) => {
                let mut opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
                if let Some(t) = file.last_modified() {
                    opts = opts.last_modified_time(t);
                }
                drop(file);
                w.start_file(name, opts)?;
                w.write_all(data)?;
            }
            None => w.raw_copy_file(file)?,
        }
    }
    Ok(w.finish()?.into_inner())
}

/// A new zip of `entries` in order: `mimetype` stored, the rest deflated.
/// The tests build their documents with it.
pub fn pack(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method =
            if *name == "mimetype" { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        w.start_file(*name, SimpleFileOptions::default().compression_method(method)).expect("a zip entry");
        w.write_all(data).expect("written to memory");
    }
    w.finish().expect("a zip in memory").into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits { total: 4000, entry: 3000, entries: 3, ratio: 10, ratio_from: 100, depth: 8 }
    }

    #[test]
    fn an_entry_past_a_limit_stops_while_inflating() {
        let zeros = vec![0u8; 2000];
        let bytes = pack(&[("a.xml", &zeros)]);
        let mut zip = open(&bytes, &limits()).unwrap();
        let err = read(&mut zip, 0, &limits(), &mut Budget::default()).unwrap_err();
        assert!(matches!(&err, Unreadable::TooLarge(m) if m.contains("10 kali")), "{err:?}");
        let generous = Limits { ratio: 1000, ..limits() };
        assert_eq!(read(&mut zip, 0, &generous, &mut Budget::default()).unwrap().len(), 2000);
        let small = Limits { ratio: 1000, entry: 1999, ..limits() };
        assert!(matches!(read(&mut zip, 0, &small, &mut Budget::default()), Err(Unreadable::TooLarge(_))));
        let mut budget = Budget { used: 2500 };
        assert!(
            matches!(read(&mut zip, 0, &generous, &mut budget), Err(Unreadable::TooLarge(m)) if m.contains("setelah dibuka"))
        );
    }

    #[test]
    fn too_many_entries_or_not_a_zip_are_told_apart() {
        let e: &[u8] = b"x";
        let bytes = pack(&[("a", e), ("b", e), ("c", e), ("d", e)]);
        assert!(matches!(open(&bytes, &limits()), Err(Unreadable::TooLarge(m)) if m.contains("4 berkas")));
        assert!(matches!(open(b"PK\x03\x04junk", &limits()), Err(Unreadable::NotZip(_))));
    }

    #[test]
    fn rezip_keeps_the_other_entries_and_their_order() {
        let bytes = pack(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<a/>")]);
        let mut zip = open(&bytes, &limits()).unwrap();
        let out = rezip(&mut zip, &[("content.xml".into(), b"<b/>".to_vec())]).unwrap();
        let mut again = open(&out, &limits()).unwrap();
        assert_eq!(names(&mut again).unwrap(), ["mimetype", "content.xml"]);
        assert_eq!(again.by_index_raw(0).unwrap().compression(), zip::CompressionMethod::Stored);
        assert_eq!(read(&mut again, 1, &limits(), &mut Budget::default()).unwrap(), b"<b/>");
        assert_eq!(&out[30..38], b"mimetype");
    }
}
