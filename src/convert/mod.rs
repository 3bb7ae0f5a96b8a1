//! The conversion stage: where Word and ODT drafts become PDFs.
//!
//! * `archive` reads the zip container within limits and zips a filled
//!   document again.
//! * `detect` recognises an office document by its bytes (and, for the old
//!   binary formats, its name), before the PDF checks.
//! * `inspect` opens a Word or OpenDocument file as untrusted bytes, within
//!   limits, and refuses what must not reach a converter (macros,
//!   encryption, zip bombs, deep nesting, external references).
//! * `fill` writes the letter's number and date into the document's
//!   placeholders, keeping every other byte.
//!
//! Works on bytes; never moves files.

pub mod archive;
pub mod detect;
pub mod fill;
pub mod inspect;
pub mod soffice;
#[cfg(test)]
pub(crate) mod testdocs;
