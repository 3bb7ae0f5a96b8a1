//! What suratd keeps and how it keeps it safe: the audit database (SQLite),
//! the journal that makes each transition crash-safe, durable file
//! operations on the share, and the content-addressed version store.

pub mod db;
pub mod fsops;
pub mod journal;
pub(crate) mod versions;
