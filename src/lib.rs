//! suratd: a folder-driven workflow daemon for official letters (SOP-024).
//!
//! Staff drop and move files in a shared folder tree; suratd notices each
//! file, decides what the workflow says should happen to it, carries that
//! out safely, records it, and tells the next person.
//!
//! # Layout
//!
//! The parts, in the order a dropped file meets them:
//!
//! * [`cli`] is the command line (`suratd run|init|check|status|…`): one
//!   function per command. `suratd run` reads the server's settings
//!   (`config`) and the admin's `workflow` and starts the `daemon`.
//!
//! * `workflow` is `workflow.yaml`: its raw schema, the checks an edit must
//!   pass (`FILE:LINE:COL` diagnostics), and the validated model — steps,
//!   folders, roles, people, the office calendar, the texts people read.
//!   `workflow::layout` says where a path is in workflow terms.
//!
//! * `daemon` is the one processing loop: it takes paths from `watch`
//!   (kernel events, polling on network mounts, periodic full scans),
//!   waits until a file has settled (`watch::settle`), and hands the files
//!   that settled together to the pipeline in the order they were dropped,
//!   from one loop so numbers and moves never race.
//!   `watch::audit` reads Samba's audit records, which name who made each
//!   move on the share (verified actors).
//!
//! * [`pipeline`] takes one settled file from arrival to its next place:
//!   intake (which step, which letter, who dropped or moved it: the file's
//!   owner, or the audit record's login), conversion ([`convert`]) and
//!   inspection ([`pdf`]), the decision, then one module per kind of
//!   transition (register, move, return, refuse) carried out through the
//!   journal. New drafts ready together wait for one batch and are
//!   registered at once (group commit: `pipeline::batch`, `store::batch`).
//!
//! * `decide` is the decision, a pure function of what suratd knows and
//!   what happened: which transition, which reason, and whether the person
//!   who moved a letter may make that move. It is tested without
//!   disk or network. The letter itself — state, metadata from the name and
//!   sidecar, ids and file names, agenda numbers, reason codes — is
//!   [`letter`], also pure.
//!
//! * [`convert`] is the conversion stage, where Word and ODT drafts become
//!   PDFs: it recognises an office document, opens it as untrusted bytes
//!   within limits (refusing macros, encryption, zip bombs, deep nesting,
//!   external references), and fills the letter's number and date into its
//!   placeholders. Like `pdf`, it works on bytes and never moves files.
//!
//! * [`pdf`] works on a PDF's bytes: inspect a PDF, stamp a review copy,
//!   tell what a reviewer's save in a PDF editor changed, check electronic
//!   signatures, and compare a signed file with the copy submitted for
//!   signing (its text, and its pages as drawn).
//!
//! * [`store`] keeps things safe: the SQLite audit database (all SQL lives
//!   there), the journal that writes each transition as an intent before
//!   touching the share and recovers it after a crash (and its batches:
//!   one intent transaction, one sync, one commit for many drafts), durable
//!   file operations, and the content-addressed version store.
//!
//! * `mail` tells people: emails composed from the workflow's templates and
//!   queued in the transition's own database transaction (what people read
//!   names people and roles and quotes only what people wrote or are told,
//!   never the audit trail's notes), the admins' alerts, reminders and
//!   escalations planned from the office clock, and the outbox worker that
//!   delivers them over SMTP from the office's mailbox.
//!
//! * `records` reads the database back as the office's books: letters in
//!   flight, one letter's history, the agenda, step times, the expedition
//!   book.
//!
//! * `ops` is running it on a server: the folder tree and Samba ACLs
//!   (`init`), `fsck`, `verify`, `backup`, bringing an old register in
//!   (`import`, whose rows `letter::imported` reads), logging.
//!
//! * `web` is the board people look at in the browser: the daemon serves
//!   it beside the loop, read-only (its own read-only database
//!   connections; it never moves a letter): where every letter is, one
//!   letter's trail, the registers, step times, the workflow drawn, with
//!   logins (`suratd web passwd`), who may see a Rahasia letter (a pure
//!   rule), and JSON, Prometheus metrics and a health check for programs.
//!
//! * [`util`] holds what every layer uses and that knows nothing of letters:
//!   YAML with positions and limits, durations, time in WIB.
//!
//! Dependencies point one way: `util` ← `letter` ← `workflow` ← `decide` ←
//! `pipeline` ← `daemon` ← `cli` (`records` ← `web` ← `daemon`), and storage
//! (`store`) never imports the decision.

pub mod cli;
pub(crate) mod config;
pub mod convert;
pub(crate) mod daemon;
pub(crate) mod decide;
pub mod letter;
pub(crate) mod mail;
pub(crate) mod ops;
pub mod pdf;
pub mod pipeline;
pub(crate) mod records;
pub mod store;
pub mod util;
pub(crate) mod watch;
pub(crate) mod web;
pub(crate) mod workflow;
