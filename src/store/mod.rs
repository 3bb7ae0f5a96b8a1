//! What suratd keeps and how it keeps it safe: the audit database (SQLite),
//! the journal that makes each transition crash-safe (and `batch`, its
//! group commit for drafts that arrive together), durable file operations
//! on the share, the content-addressed version store, and the lock that
//! keeps one suratd per database.

pub(crate) mod batch;
pub mod db;
pub mod fsops;
pub mod journal;
pub mod lock;
pub(crate) mod versions;
