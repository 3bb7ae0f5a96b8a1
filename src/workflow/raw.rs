//! The workflow file as an admin writes it (`Raw*`), with the location of
//! every value for messages. `check` turns it into the model.

use crate::util::durations::HumanDuration;
use crate::workflow::model::{StepCheck, StepKind};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkflow {
    pub version: Spanned<u32>,
    #[serde(default)]
    pub office: RawOffice,
    #[serde(default)]
    pub letters: RawLetters,
    #[serde(default)]
    pub roles: Vec<Spanned<RawRole>>,
    #[serde(default)]
    pub teams: Vec<Spanned<RawTeam>>,
    #[serde(default)]
    pub people: Vec<Spanned<RawPerson>>,
    /// Who stands in for whom, and when (Plh., a.n.).
    #[serde(default)]
    pub stand_ins: Vec<Spanned<RawStandIn>>,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    pub rejected_folder: Option<Spanned<String>>,
    #[serde(default)]
    pub templates: RawTemplates,
    #[serde(default)]
    pub calendar: RawCalendar,
    #[serde(default)]
    pub reminders: RawReminders,
    /// Retention before review, by classification (`KP`, `KP.650`) or `default`.
    #[serde(default)]
    pub retention: BTreeMap<String, Spanned<HumanDuration>>,
}

/// When suratd reminds and escalates, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReminders {
    pub escalate_after: Option<Spanned<HumanDuration>>,
    pub escalate_to: Option<Spanned<String>>,
    pub digest_at: Option<Spanned<String>>,
}

/// Office hours and holidays, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub timezone: Option<Spanned<String>>,
    /// Hours per weekday, `mon: "07:30-16:00"`; a day not listed is not a working day.
    pub hours: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
    #[serde(default)]
    pub periods: Vec<Spanned<RawPeriod>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// For the admin reading the file (`Ramadan 2026`); suratd shows it nowhere.
    #[allow(dead_code)]
    pub name: Option<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub hours: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffice {
    pub name: Option<String>,
    pub unit_code: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLetters {
    pub id_prefix: Option<Spanned<String>>,
    pub number_format: Option<Spanned<String>>,
    #[serde(default)]
    pub sequence: RawSequence,
    pub filename_pattern: Option<Spanned<String>>,
    /// The roles that may give a letter a sifat other than Biasa.
    pub sifat_roles: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub defaults: RawLetterDefaults,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSequence {
    pub scope: Option<crate::letter::numbering::Scope>,
    /// The last number the office used before suratd, per sequence
    /// (`2025: 57`, or `all: 1200` for a sequence that never restarts).
    #[serde(default)]
    pub last_used: BTreeMap<String, Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLetterDefaults {
    pub sifat: Option<Spanned<String>>,
    pub klasifikasi: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub id: Spanned<String>,
    pub name: Option<String>,
    /// Letters go to the person of this role in the drafter's own team.
    #[serde(default)]
    pub per_team: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTeam {
    pub id: Spanned<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerson {
    pub login: Spanned<String>,
    pub name: Option<String>,
    pub email: Option<Spanned<String>>,
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
    pub team: Option<Spanned<String>>,
    /// The person's signing identity (who they are in an e-signature
    /// certificate), for steps whose `signers` name them.
    pub signing: Option<Spanned<RawSigning>>,
}

/// A stand-in, as written: `who` may make the moves of `for` from `from`
/// to `to` (dates, both included).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStandIn {
    pub who: Spanned<String>,
    #[serde(rename = "for")]
    pub for_whom: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

/// A signing identity, as written: the certificate subject's fields as the
/// authority writes them (`CN`, `serialNumber`, ...), and/or a certificate
/// file whose subject is taken whole. Only the subject is compared, so a
/// renewed certificate with the same subject keeps working.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigning {
    #[serde(default)]
    pub subject: BTreeMap<String, Spanned<String>>,
    pub certificate: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub folder: Spanned<String>,
    pub kind: Spanned<StepKind>,
    pub role: Option<Spanned<String>>,
    /// SOP step numbers this step covers (documentation and reports).
    #[serde(default)]
    pub sop: Vec<u32>,
    /// Standard time (Mutu Baku: Waktu).
    pub time: Option<Spanned<HumanDuration>>,
    pub next: Option<Spanned<String>>,
    #[serde(default)]
    pub outcomes: BTreeMap<String, Spanned<String>>,
    /// For the drafting step: the sub-folder where returned letters wait.
    pub returns: Option<Spanned<String>>,
    /// Checks a letter must pass to enter this step.
    #[serde(default)]
    pub checks: Vec<StepCheck>,
    /// For a signed_drop step: who may sign (role ids and/or logins).
    #[serde(default)]
    pub signers: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplates {
    #[serde(default)]
    pub email: BTreeMap<String, Spanned<RawEmail>>,
    pub stamp: Option<Spanned<String>>,
    #[serde(default)]
    pub stamp_states: BTreeMap<String, Spanned<String>>,
    pub reason_file: Option<Spanned<String>>,
    #[serde(default)]
    pub reasons: BTreeMap<String, Spanned<String>>,
    /// The archive record (`keterangan.txt`).
    #[serde(default)]
    pub keterangan: RawKeterangan,
    /// What to do next at a step, in emails: by step id or kind.
    #[serde(default)]
    pub instructions: BTreeMap<String, Spanned<String>>,
    pub system_name: Option<Spanned<String>>,
}

/// `templates.keterangan`: each part optional (the built-in text fills in).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeterangan {
    pub text: Option<Spanned<String>>,
    pub step: Option<Spanned<String>>,
    pub note: Option<Spanned<String>>,
    pub dispatch: Option<Spanned<String>>,
    pub receiver: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    #[serde(default)]
    pub actions: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub methods: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub kinds: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub subject: Spanned<String>,
    pub body: Spanned<String>,
}
