//! The validated workflow: steps with their folders and outcomes, roles,
//! people, templates and the office calendar, as the rest of suratd uses it.

use crate::letter::reason::Reason;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// When suratd reminds and escalates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminders {
    /// Office time past the due time before the escalation.
    pub escalate_after: Duration,
    /// The role told about overdue letters (none: no escalation).
    pub escalate_to: Option<String>,
    /// Local time of the daily digest (none: no digest).
    pub digest_at: Option<chrono::NaiveTime>,
}

/// A check a letter must pass before it may enter a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepCheck {
    /// The PDF's text contains the letter's agenda number (the drafter has
    /// put it into the document); otherwise it goes back to the drafter.
    NumberInText,
}

/// What happens to files in a step's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// New drafts are dropped here; each becomes a letter and goes on to `next`.
    Drop,
    /// A person decides; moving the file into an outcome sub-folder decides.
    Review,
    /// The letter waits for something outside (a portal, a signature); a
    /// person moves it on to `next`, or into an outcome sub-folder.
    Waiting,
    /// The signed PDF is dropped here and goes on to `next` at once.
    SignedDrop,
    /// The letter is printed and sent; the outcome sub-folder records it.
    Dispatch,
    /// Finished letters, filed by year. The end of the workflow.
    Archive,
    /// Cancelled letters keep their number here.
    Cancel,
}

impl StepKind {
    pub fn is_terminal(self) -> bool {
        matches!(self, StepKind::Archive | StepKind::Cancel)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Drop => "drop",
            StepKind::Review => "review",
            StepKind::Waiting => "waiting",
            StepKind::SignedDrop => "signed_drop",
            StepKind::Dispatch => "dispatch",
            StepKind::Archive => "archive",
            StepKind::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Office {
    pub name: String,
    pub unit_code: String,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub per_team: bool,
}

/// A team (Tim Kerja). Kept in the model for what will show letters by team;
/// nothing reads it yet.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub team: Option<String>,
}

/// A person who may make another's moves for a while (Plh., a.n.).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandIn {
    /// The stand-in's login.
    pub who: String,
    /// The login of the person they stand in for.
    pub for_whom: String,
    /// The first and last day (office dates), both included.
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    pub name: String,
    pub folder: String,
    pub kind: StepKind,
    pub role: Option<String>,
    pub sop: Vec<u32>,
    pub time: Option<Duration>,
    pub next: Option<String>,
    pub outcomes: Vec<Outcome>,
    pub returns: Option<String>,
    pub checks: Vec<StepCheck>,
    /// For a signed_drop step: who may sign (role ids and/or logins);
    /// empty: anyone whose certificate chains to a trust anchor.
    pub signers: Vec<String>,
}

impl Step {
    /// Folder of outcome `name`, relative to the share root.
    pub fn outcome_folder(&self, name: &str) -> String {
        format!("{}/{}", self.folder, name)
    }
    /// Folder where returned letters wait, relative to the share root.
    pub fn returns_folder(&self) -> Option<String> {
        self.returns.as_ref().map(|r| format!("{}/{}", self.folder, r))
    }
    pub fn outcome(&self, name: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.name == name)
    }
}

/// The placeholders a reason text (one per [`Reason`]) may use.
/// `yang_benar` is the right move or folder, from the workflow.
pub const REASON_PLACEHOLDERS: &[&str] =
    &["berkas", "folder", "waktu", "rincian", "folder_draf", "langkah", "surat", "yang_benar"];
/// The frame around every reason (`kantor`: the office's name).
pub const REASON_FILE_PLACEHOLDERS: &[&str] = &["kantor", "berkas", "folder", "waktu", "alasan", "surat"];

/// Kinds of email, and the placeholders every email template may use.
pub const EMAIL_KINDS: &[&str] =
    &["arrived", "returned", "note", "registered", "rejected", "dispatch", "admin", "reminder", "escalation", "digest"];
pub const EMAIL_PLACEHOLDERS: &[&str] = &[
    "surat",
    "nomor",
    "perihal",
    "langkah",
    "lokasi",
    "batas_waktu",
    "catatan",
    "pengirim",
    "penerima",
    "alasan",
    "tujuan",
    "tembusan",
    "petunjuk",
    "judul",
    "folder_draf",
];
/// Placeholders of `templates.instructions` (besides each of the step's
/// outcomes, by name: the outcome's folder).
pub const INSTRUCTION_PLACEHOLDERS: &[&str] = &["surat", "folder", "berikut"];
/// Placeholders of `letters.number_format` (`{seq:03}` pads the sequence).
pub const NUMBER_PLACEHOLDERS: &[&str] = &["sifat", "seq", "unit", "klasifikasi", "tahun", "bulan"];

/// An email template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailTemplate {
    pub subject: String,
    pub body: String,
}

/// Placeholders of the stamp line and of its state texts.
pub const STAMP_PLACEHOLDERS: &[&str] = &["nomor", "surat", "keadaan", "waktu"];
pub const STAMP_STATE_PLACEHOLDERS: &[&str] = &["peran", "langkah"];

#[derive(Debug, Clone)]
pub struct Templates {
    pub email: BTreeMap<String, EmailTemplate>,
    /// The stamp line on review copies.
    pub stamp: String,
    /// The state in the stamp, by `step.action` or by action.
    pub stamp_states: BTreeMap<String, String>,
    pub reason_file: String,
    pub reasons: BTreeMap<String, String>,
    /// What to do next at a step (`{petunjuk}`), by step id or step kind.
    pub instructions: BTreeMap<String, String>,
    /// Who `{pengirim}` is when the system itself sent a letter back.
    pub system_name: String,
}

impl Templates {
    /// The instruction template for `step`: its own, else its kind's.
    pub fn instruction(&self, step: &Step) -> Option<&str> {
        self.instructions.get(&step.id).or_else(|| self.instructions.get(step.kind.as_str())).map(String::as_str)
    }

    /// The stamp state for `action` taken at step `from`.
    pub fn stamp_state<'a>(&'a self, from: &str, action: &'a str) -> &'a str {
        self.stamp_states
            .get(&format!("{from}.{action}"))
            .or_else(|| self.stamp_states.get(action))
            .map(String::as_str)
            .unwrap_or(action)
    }

    /// The text for a reason (`suratd check` makes sure every key is a
    /// [`Reason`]; the built-in workflow has a text for each).
    pub fn reason(&self, reason: Reason) -> &str {
        self.reasons.get(reason.code()).map(String::as_str).unwrap_or("Berkas ini tidak dapat diproses ({rincian}).")
    }
}

/// The archive record's texts (`templates.keterangan`): the whole text, one
/// line per step, note, dispatch, receiver and version, and the words for
/// actions (by `step.action` or action), dispatch methods and version kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeteranganTemplates {
    pub text: String,
    pub step: String,
    pub note: String,
    pub dispatch: String,
    pub receiver: String,
    pub version: String,
    pub actions: BTreeMap<String, String>,
    pub methods: BTreeMap<String, String>,
    pub kinds: BTreeMap<String, String>,
}

/// A validated workflow.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// Where it was read from (a path, or the built-in label).
    pub source: String,
    pub office: Office,
    pub id_prefix: String,
    /// The agenda number's format, e.g. `{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}`.
    pub number_format: String,
    /// When the number sequence restarts.
    pub scope: crate::letter::numbering::Scope,
    /// The office's last number before suratd, per sequence key.
    pub last_used: BTreeMap<String, i64>,
    /// Splits a draft's file name into classification and subject.
    pub filename_pattern: regex::Regex,
    pub defaults: crate::letter::metadata::Defaults,
    /// The roles that may give a letter a sifat other than Biasa
    /// (`letters.sifat_roles`; `None`: every drafter may).
    pub sifat_roles: Option<Vec<String>>,
    pub roles: Vec<Role>,
    /// Checked (a person's team must exist), not yet used for anything else.
    #[allow(dead_code)]
    pub teams: Vec<Team>,
    pub people: Vec<Person>,
    /// Who stands in for whom, and when.
    pub stand_ins: Vec<StandIn>,
    pub steps: Vec<Step>,
    pub rejected_folder: String,
    pub templates: Templates,
    /// The archive record's texts.
    pub keterangan: KeteranganTemplates,
    pub calendar: crate::workflow::calendar::Calendar,
    pub reminders: Reminders,
    /// Retention before review, by classification code or group, and `default`.
    pub retention: BTreeMap<String, Duration>,
    /// People's signing identities, by login (`people[].signing`).
    pub signing: BTreeMap<String, SigningIdentity>,
}

/// Who a person is in an e-signature certificate: subject fields that must
/// all be in the signer certificate's subject, with the same values
/// (compared without regard to case or surrounding spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningIdentity {
    pub subject: Vec<(String, String)>,
    /// For a pinned certificate file: its issuer, which a renewed
    /// certificate keeps and another authority's certificate with the same
    /// subject does not (empty: any trusted issuer).
    pub issuer: Vec<(String, String)>,
}

impl SigningIdentity {
    /// Whether a certificate with this subject and issuer is this person's:
    /// every pinned field is there, and every entry of that field has the
    /// pinned value (a second `CN` cannot smuggle a match in).
    pub fn matches(&self, subject: &[(String, String)], issuer: &[(String, String)]) -> bool {
        fn all_fields(pinned: &[(String, String)], name: &[(String, String)]) -> bool {
            let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
            pinned.iter().all(|(k, v)| {
                let mut of_k = name.iter().filter(|(nk, _)| nk.eq_ignore_ascii_case(k)).peekable();
                of_k.peek().is_some() && of_k.all(|(_, nv)| same(nv, v))
            })
        }
        !self.subject.is_empty() && all_fields(&self.subject, subject) && all_fields(&self.issuer, issuer)
    }
}

impl Workflow {
    /// The retention period of a classification: its full code, else its
    /// group (`KP`), else `default`.
    pub fn retention_of(&self, klasifikasi: &str) -> Option<Duration> {
        self.retention
            .get(klasifikasi)
            .or_else(|| self.retention.get(klasifikasi.get(..2).unwrap_or("")))
            .or_else(|| self.retention.get("default"))
            .copied()
    }
}

impl Workflow {
    /// The people a step's `signers` name (by role or login), each once.
    pub fn signers_of(&self, step: &Step) -> Vec<&Person> {
        self.people.iter().filter(|p| step.signers.iter().any(|s| *s == p.login || p.roles.contains(s))).collect()
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The drafting step (exactly one `drop` step; `check` guarantees it).
    pub fn entry(&self) -> &Step {
        self.steps.iter().find(|s| s.kind == StepKind::Drop).expect("validated workflow has a drop step")
    }

    pub fn step_of_kind(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind == kind)
    }

    pub fn person(&self, login: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.login.eq_ignore_ascii_case(login))
    }

    /// The people `login` stands in for on `date`.
    pub fn stood_in_for(&self, login: &str, date: chrono::NaiveDate) -> Vec<&Person> {
        self.stand_ins
            .iter()
            .filter(|s| s.who.eq_ignore_ascii_case(login) && s.from <= date && date <= s.to)
            .filter_map(|s| self.person(&s.for_whom))
            .collect()
    }

    pub fn role_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.roles.iter().find(|r| r.id == id).map(|r| r.name.as_str()).unwrap_or(id)
    }

    /// Every folder suratd keeps, relative to the root, parents first.
    pub fn folders(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.steps {
            out.push(s.folder.clone());
            for o in &s.outcomes {
                out.push(s.outcome_folder(&o.name));
            }
            if let Some(r) = s.returns_folder() {
                out.push(r);
            }
        }
        out.push(self.rejected_folder.clone());
        out
    }
}
