//! suratd: a folder-driven workflow daemon for official letters.
//!
//! The decision logic is pure and lives in [`layout`] (where is a file?) and
//! [`engine`] (what happens to it?). Everything that touches the world is a
//! thin module around it: [`watch`] and [`settle`] notice files, [`inspect`]
//! and [`convert`] look inside them, [`journal`], [`fsops`] and [`store`]
//! move and keep them, [`db`] records them, [`pipeline`] ties one file's
//! processing together and [`daemon`] runs it all.

pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod convert;
pub mod daemon;
pub mod db;
pub mod durations;
pub mod ekspedisi;
pub mod engine;
pub mod fsck;
pub mod fsops;
pub mod init;
pub mod inspect;
pub mod journal;
pub mod layout;
pub mod logging;
pub mod mail;
pub mod metadata;
pub mod mounts;
pub mod names;
pub mod numbering;
pub mod outbox;
pub mod owner;
pub mod pipeline;
pub mod reminders;
pub mod report;
pub mod samba;
pub mod settle;
pub mod signature;
pub mod stamp;
pub mod store;
pub mod templates;
pub mod timefmt;
pub mod verify;
pub mod watch;
pub mod workflow;
pub mod yaml;
