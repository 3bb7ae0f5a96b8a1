//! The SOP-024 workflow shipped inside suratd: its text and the name it goes
//! by in messages.

/// The SOP-024 workflow shipped with suratd and used when no file is given.
pub const BUILTIN: &str = include_str!("../../workflow.yaml");
/// Name used for the built-in workflow in messages.
pub const BUILTIN_LABEL: &str = "<built-in workflow.yaml>";
