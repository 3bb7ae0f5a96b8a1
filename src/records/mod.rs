//! The office's registers and reports, read from the database: letters in
//! flight, one letter's history, the agenda, step times (SLA), retention,
//! and the expedition book as a table, CSV or PDF.

pub mod ekspedisi;
pub mod keterangan;
pub mod people;
pub mod printed;
pub mod report;
