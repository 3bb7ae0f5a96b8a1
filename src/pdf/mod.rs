//! Everything suratd does with the bytes of a document: convert a draft to
//! PDF, inspect a PDF (complete, readable, no active content), stamp a review
//! copy, read what a PDF editor's save added to a copy (`edits`), and check
//! electronic signatures. Works on bytes; never moves files.

pub mod chain;
mod changes;
pub(crate) mod convert;
mod der;
pub mod edits;
pub mod inspect;
pub mod render;
pub mod signature;
pub mod stamp;
pub mod textmatch;
mod timestamp;
mod validity;
pub mod visible;
