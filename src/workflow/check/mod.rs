//! The rules a workflow must follow before suratd runs it: names that exist,
//! folders that do not collide, steps that can be reached and that finish,
//! outcomes that lead somewhere, templates whose placeholders are known.
//! Every finding carries the `FILE:LINE:COL` of what it is about.

mod calendar;
mod context;
mod flow;
mod folders;
mod keterangan;
mod letters;
mod people;
mod reminders;
mod retention;
mod signers;
mod standins;
mod steps;
mod templates;

use crate::util::yaml::Diagnostic;
use crate::workflow::model::Workflow;
use crate::workflow::raw::RawWorkflow;
use context::{Ctx, Parts};

/// A check reads the file, reports what is wrong and adds its part of the model.
type Check = fn(&mut Ctx, &RawWorkflow, &mut Parts);

/// The checks, in the order their findings are reported.
const CHECKS: &[(&str, Check)] = &[
    ("version", version),
    ("letters", letters::letters),
    ("office", letters::office),
    ("roles", people::roles),
    ("teams", people::teams),
    ("people", people::people),
    ("stand_ins", standins::check),
    ("rejected_folder", folders::rejected_folder),
    ("steps", steps::steps),
    ("sifat_roles", letters::sifat_roles),
    ("signers", signers::check),
    ("nested_folders", folders::nested),
    ("step_kinds", flow::kinds),
    ("reachability", flow::reachability),
    ("templates", templates::templates),
    ("keterangan", keterangan::check),
    ("calendar", calendar::check),
    ("retention", retention::retention),
    ("reminders", reminders::reminders),
];

/// Validates a parsed workflow. Returns the model when it could be built and
/// every finding (errors and warnings).
pub fn workflow(file: &str, raw: RawWorkflow) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut cx = Ctx { file, diags: Vec::new() };
    let mut parts = Parts::default();
    for (_name, check) in CHECKS {
        check(&mut cx, &raw, &mut parts);
    }
    (Some(parts.into_workflow(file, &raw)), cx.diags)
}

/// The file format this suratd reads.
fn version(cx: &mut Ctx, raw: &RawWorkflow, _parts: &mut Parts) {
    if raw.version.value != 1 {
        cx.err(
            &raw.version.referenced,
            format!("version {} is not known; this suratd reads version 1", raw.version.value),
        );
    }
}
