//! What the checks share: where findings go (`Ctx`) and the model as the
//! checks build it, part by part (`Parts`), with small helpers for names.

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
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub(super) fn err(&mut self, loc: &Location, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(self.file, Some(loc), msg));
    }
    pub(super) fn warn(&mut self, loc: &Location, msg: impl Into<String>) {
        self.diags.push(Diagnostic::warning(self.file, Some(loc), msg));
    }
}

/// The model as the checks build it, part by part; later checks read what
/// earlier ones built (role ids, people, steps, claimed folders).
#[derive(Default)]
pub(super) struct Parts {
    pub(super) id_prefix: String,
    pub(super) number_format: String,
    pub(super) scope: Option<Scope>,
    pub(super) last_used: BTreeMap<String, i64>,
    pub(super) filename_pattern: Option<regex::Regex>,
    pub(super) defaults: Defaults,
    pub(super) sifat_roles: Option<Vec<String>>,
    pub(super) unit_code: String,
    pub(super) roles: Vec<Role>,
    pub(super) role_ids: HashSet<String>,
    pub(super) teams: Vec<Team>,
    pub(super) team_ids: HashSet<String>,
    pub(super) people: Vec<Person>,
    pub(super) stand_ins: Vec<StandIn>,
    pub(super) rejected_folder: String,
    /// Folder on the share -> what uses it, for messages.
    pub(super) folders: HashMap<String, String>,
    pub(super) steps: Vec<Step>,
    pub(super) templates: Option<Templates>,
    pub(super) keterangan: KeteranganTemplates,
    pub(super) calendar: Calendar,
    pub(super) reminders: Option<Reminders>,
    pub(super) retention: BTreeMap<String, Duration>,
    pub(super) signing: BTreeMap<String, crate::workflow::model::SigningIdentity>,
}

impl Parts {
    /// The workflow, once every check has run.
    pub(super) fn into_workflow(self, file: &str, raw: &RawWorkflow) -> Workflow {
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
            sifat_roles: self.sifat_roles,
            roles: self.roles,
            teams: self.teams,
            people: self.people,
            stand_ins: self.stand_ins,
            steps: self.steps,
            rejected_folder: self.rejected_folder,
            calendar: self.calendar,
            reminders: self.reminders.expect("the reminders check ran"),
            retention: self.retention,
            signing: self.signing,
            templates: self.templates.expect("the templates check ran"),
            keterangan: self.keterangan,
        }
    }
}

pub(super) fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

pub(super) fn list(set: &HashSet<String>) -> String {
    let mut v: Vec<_> = set.iter().map(String::as_str).collect();
    v.sort();
    if v.is_empty() { "(none)".into() } else { v.join(", ") }
}
