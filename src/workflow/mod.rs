//! The workflow an admin describes in `workflow.yaml`. This module reads and
//! loads it; `raw` is the schema as written, `model` the validated roles,
//! teams, people, steps and texts, `check` the rules.

pub mod calendar;
pub mod check;
pub mod layout;
pub mod templates;

mod builtin;
mod model;
mod raw;

pub use builtin::{BUILTIN, BUILTIN_LABEL};
pub use model::*;
pub use raw::*;

use crate::util::yaml::{self, Diagnostic, Diagnostics};
use std::path::Path;

impl Workflow {
    /// Reads and validates a workflow file; `None` means the built-in one.
    /// Warnings are returned beside the workflow; errors fail.
    pub fn load(path: Option<&Path>) -> Result<(Workflow, Vec<Diagnostic>), Diagnostics> {
        let (label, text) = match path {
            None => (BUILTIN_LABEL.to_string(), BUILTIN.to_string()),
            Some(p) => {
                let label = p.display().to_string();
                let text = read_text(p).map_err(|m| Diagnostics(vec![Diagnostic::error(&label, None, m)]))?;
                (label, text)
            }
        };
        Self::from_text(&label, &text)
    }

    pub fn from_text(label: &str, text: &str) -> Result<(Workflow, Vec<Diagnostic>), Diagnostics> {
        let raw: RawWorkflow = yaml::parse(label, text).map_err(|d| Diagnostics(vec![d]))?;
        let (wf, diags) = crate::workflow::check::workflow(label, raw);
        match wf {
            Some(wf) if !diags.iter().any(Diagnostic::is_error) => Ok((wf, diags)),
            _ => Err(Diagnostics(diags)),
        }
    }
}

/// Reads a small text file written by an admin, with a size limit.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > yaml::MAX_YAML_BYTES as u64 {
        return Err(format!("{} is {} bytes; the limit is {} bytes", path.display(), meta.len(), yaml::MAX_YAML_BYTES));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!("{} is not UTF-8 text (byte {}); save it as UTF-8", path.display(), e.utf8_error().valid_up_to())
    })
}
