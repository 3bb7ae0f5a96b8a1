//! suratd: a folder-driven workflow daemon for official letters.

pub mod cli;
pub mod config;
pub mod daemon;
pub mod decide;
pub mod letter;
pub mod mail;
pub mod ops;
pub mod pdf;
pub mod pipeline;
pub mod records;
pub mod store;
pub mod util;
pub mod watch;
pub mod workflow;
