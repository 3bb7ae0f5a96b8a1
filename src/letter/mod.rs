//! What a letter is, apart from any workflow: its metadata (subject, sifat,
//! classification, addressees) from the file name and sidecar, its id and
//! file name, and its agenda number. Pure: nothing here touches disk.

pub mod imported;
pub mod metadata;
pub mod names;
pub mod numbering;
pub mod reason;
pub mod state;
