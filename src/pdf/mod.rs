//! Everything suratd does with the bytes of a PDF (a Word or OpenDocument
//! draft becomes one in `crate::convert`): inspect a PDF (complete,
//! readable, no active content), stamp a review copy, read what a PDF
//! editor's save added to a copy (`edits`), and check electronic
//! signatures. Works on bytes; never moves files.

pub mod chain;
mod changes;
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
