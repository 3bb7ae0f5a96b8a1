//! The rules a workflow must follow before suratd runs it: names that exist,
//! folders that do not collide, steps that can be reached and that finish,
//! outcomes that lead somewhere, templates whose placeholders are known.
//! Every finding carries the `FILE:LINE:COL` of what it is about.

mod calendar;
mod flow;
mod folders;
mod letters;
mod people;
mod reminders;
mod retention;
mod steps;
mod templates;

pub use folders::folder_problem;
pub use letters::number_format_problem;

use crate::letter::metadata::Defaults;
use crate::letter::numbering::Scope;
use crate::util::yaml::Diagnostic;
use crate::workflow::calendar::Calendar;
use crate::workflow::model::*;
use crate::workflow::raw::RawWorkflow;
use serde_saphyr::Location;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// Where findings go, with the file they are about.
struct Ctx<'a> {
    file: &'a str,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, loc: &Location, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(self.file, Some(loc), msg));
    }
    fn warn(&mut self, loc: &Location, msg: impl Into<String>) {
        self.diags.push(Diagnostic::warning(self.file, Some(loc), msg));
    }
}

/// The model as the checks build it, part by part; later checks read what
/// earlier ones built (role ids, people, steps, claimed folders).
#[derive(Default)]
struct Parts {
    id_prefix: String,
    number_format: String,
    scope: Option<Scope>,
    last_used: BTreeMap<String, i64>,
    filename_pattern: Option<regex::Regex>,
    defaults: Defaults,
    unit_code: String,
    roles: Vec<Role>,
    role_ids: HashSet<String>,
    teams: Vec<Team>,
    team_ids: HashSet<String>,
    people: Vec<Person>,
    rejected_folder: String,
    /// Folder on the share -> what uses it, for messages.
    folders: HashMap<String, String>,
    steps: Vec<Step>,
    templates: Option<Templates>,
    calendar: Calendar,
    reminders: Option<Reminders>,
    retention: BTreeMap<String, Duration>,
}

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
    ("rejected_folder", folders::rejected_folder),
    ("steps", steps::steps),
    ("nested_folders", folders::nested),
    ("step_kinds", flow::kinds),
    ("reachability", flow::reachability),
    ("templates", templates::templates),
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

impl Parts {
    /// The workflow, once every check has run.
    fn into_workflow(self, file: &str, raw: &RawWorkflow) -> Workflow {
        Workflow {
            source: file.to_string(),
            office: Office {
                name: raw.office.name.clone().unwrap_or_else(|| "BPS Provinsi Bengkulu".into()),
                unit_code: self.unit_code,
            },
            id_prefix: self.id_prefix,
            number_format: self.number_format,
            scope: self.scope.expect("the letters check ran"),
            last_used: self.last_used,
            filename_pattern: self.filename_pattern.expect("the letters check ran"),
            defaults: self.defaults,
            roles: self.roles,
            teams: self.teams,
            people: self.people,
            steps: self.steps,
            rejected_folder: self.rejected_folder,
            calendar: self.calendar,
            reminders: self.reminders.expect("the reminders check ran"),
            retention: self.retention,
            templates: self.templates.expect("the templates check ran"),
        }
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn list(set: &HashSet<String>) -> String {
    let mut v: Vec<_> = set.iter().map(String::as_str).collect();
    v.sort();
    if v.is_empty() { "(none)".into() } else { v.join(", ") }
}
