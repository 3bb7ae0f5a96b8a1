//! The rules a workflow must follow before suratd runs it: names that exist,
//! folders that do not collide, steps that can be reached and that finish,
//! outcomes that lead somewhere, templates whose placeholders are known.
//! Every finding carries the `FILE:LINE:COL` of what it is about.

mod calendar;
mod folders;
mod letters;
mod templates;

pub use folders::folder_problem;
pub use letters::number_format_problem;

use crate::letter::metadata::email_problem;
use crate::util::yaml::Diagnostic;
use crate::workflow::model::*;
use crate::workflow::raw::*;
use calendar::calendar;
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use templates::builtin_templates;

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

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Validates a parsed workflow. Returns the model when it could be built and
/// every finding (errors and warnings).
pub fn workflow(file: &str, raw: RawWorkflow) -> (Option<Workflow>, Vec<Diagnostic>) {
    let mut cx = Ctx { file, diags: Vec::new() };

    if raw.version.value != 1 {
        cx.err(
            &raw.version.referenced,
            format!("version {} is not known; this suratd reads version 1", raw.version.value),
        );
    }

    let id_prefix = match &raw.letters.id_prefix {
        Some(p) => {
            let ok = p.value.len() <= 8
                && p.value.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && p.value.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                cx.err(
                    &p.referenced,
                    format!(
                        "id_prefix {:?} must be 1 to 8 capital letters or digits, starting with a letter (e.g. SK)",
                        p.value
                    ),
                );
            }
            p.value.clone()
        }
        None => "SK".to_string(),
    };
    let number_format = match &raw.letters.number_format {
        Some(f) => {
            if let Err(e) = number_format_problem(&f.value) {
                cx.err(&f.referenced, format!("letters.number_format: {e}"));
            }
            f.value.clone()
        }
        None => "{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}".to_string(),
    };
    let filename_pattern = match &raw.letters.filename_pattern {
        Some(p) => match regex::Regex::new(&p.value) {
            Ok(re) => {
                let names: Vec<&str> = re.capture_names().flatten().collect();
                if !names.contains(&"perihal") {
                    cx.err(&p.referenced, "letters.filename_pattern needs a group (?P<perihal>...) for the subject");
                }
                if let Some(bad) = names.iter().find(|n| !["perihal", "klasifikasi"].contains(n)) {
                    cx.err(
                        &p.referenced,
                        format!("letters.filename_pattern: unknown group {bad:?}; known: perihal, klasifikasi"),
                    );
                }
                re
            }
            Err(e) => {
                cx.err(&p.referenced, format!("letters.filename_pattern is not a valid regular expression: {e}"));
                regex::Regex::new(crate::letter::metadata::DEFAULT_FILENAME_PATTERN).expect("built-in pattern")
            }
        },
        None => regex::Regex::new(crate::letter::metadata::DEFAULT_FILENAME_PATTERN).expect("built-in pattern"),
    };
    let d = &raw.letters.defaults;
    let default_sifat = match &d.sifat {
        Some(s) => match crate::letter::metadata::sifat_code(&s.value) {
            Some(c) => c.to_string(),
            None => {
                cx.err(
                    &s.referenced,
                    format!("letters.defaults.sifat {:?} must be Biasa (B), Penting (P) or Rahasia (R)", s.value),
                );
                "B".into()
            }
        },
        None => "B".into(),
    };
    let default_klasifikasi = match &d.klasifikasi {
        Some(k) => match crate::letter::metadata::klasifikasi_code(&k.value) {
            Some(c) => Some(c),
            None => {
                cx.err(
                    &k.referenced,
                    format!("letters.defaults.klasifikasi {:?} is not a classification code such as KP.650", k.value),
                );
                None
            }
        },
        None => None,
    };
    let scope = raw.letters.sequence.scope.unwrap_or(crate::letter::numbering::Scope::Year);
    let mut last_used = BTreeMap::new();
    for (key, n) in &raw.letters.sequence.last_used {
        let key_ok = match scope {
            crate::letter::numbering::Scope::Year => key.len() == 4 && key.parse::<i32>().is_ok(),
            crate::letter::numbering::Scope::All => key == "all",
        };
        if !key_ok {
            cx.err(&n.referenced, format!(
                "letters.sequence.last_used: {key:?} is not a sequence of this scope (a year such as 2025, or `all` with scope: all)"
            ));
        }
        if n.value < 0 {
            cx.err(&n.referenced, "letters.sequence.last_used must be 0 or more");
        }
        last_used.insert(key.clone(), n.value);
    }
    let unit_code = match &raw.office.unit_code {
        Some(u) => {
            if u.value.is_empty() || !u.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                cx.err(&u.referenced, format!("unit_code {:?} must be letters, digits or dots", u.value));
            }
            u.value.clone()
        }
        None => "17000".into(),
    };

    // Roles and teams.
    let mut roles = Vec::new();
    let mut role_ids = HashSet::new();
    for r in &raw.roles {
        let id = &r.value.id;
        if !is_ident(&id.value) {
            cx.err(&id.referenced, format!("role id {:?} must be lower-case letters, digits, '_' or '-'", id.value));
        }
        if !role_ids.insert(id.value.clone()) {
            cx.err(&id.referenced, format!("role {:?} is defined twice", id.value));
        }
        roles.push(Role {
            id: id.value.clone(),
            name: r.value.name.clone().unwrap_or_else(|| id.value.clone()),
            per_team: r.value.per_team,
        });
    }
    let mut teams = Vec::new();
    let mut team_ids = HashSet::new();
    for t in &raw.teams {
        let id = &t.value.id;
        if !is_ident(&id.value) {
            cx.err(&id.referenced, format!("team id {:?} must be lower-case letters, digits, '_' or '-'", id.value));
        }
        if !team_ids.insert(id.value.clone()) {
            cx.err(&id.referenced, format!("team {:?} is defined twice", id.value));
        }
        teams.push(Team { id: id.value.clone(), name: t.value.name.clone().unwrap_or_else(|| id.value.clone()) });
    }

    // People.
    let mut people = Vec::new();
    let mut logins = HashSet::new();
    for p in &raw.people {
        let p = &p.value;
        let login = &p.login;
        if login.value.is_empty() || login.value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            cx.err(&login.referenced, format!("login {:?} must be a user name without spaces", login.value));
        }
        if !logins.insert(login.value.to_ascii_lowercase()) {
            cx.err(&login.referenced, format!("person with login {:?} is listed twice", login.value));
        }
        for r in &p.roles {
            if !role_ids.contains(&r.value) {
                cx.err(&r.referenced, format!("role {:?} does not exist; known roles: {}", r.value, list(&role_ids)));
            }
        }
        if let Some(t) = &p.team
            && !team_ids.contains(&t.value)
        {
            cx.err(&t.referenced, format!("team {:?} does not exist; known teams: {}", t.value, list(&team_ids)));
        }
        if let Some(e) = &p.email
            && let Some(problem) = email_problem(&e.value)
        {
            cx.err(&e.referenced, problem);
        }
        let needs_team = p.roles.iter().any(|r| roles.iter().any(|x| x.id == r.value && x.per_team));
        if needs_team && p.team.is_none() {
            cx.warn(
                &login.referenced,
                format!("{} has a per-team role but no team; letters cannot be routed to them by team", login.value),
            );
        }
        people.push(Person {
            login: login.value.clone(),
            name: p.name.clone().unwrap_or_else(|| login.value.clone()),
            email: p.email.as_ref().map(|e| e.value.clone()),
            roles: p.roles.iter().map(|r| r.value.clone()).collect(),
            team: p.team.as_ref().map(|t| t.value.clone()),
        });
    }

    // Steps.
    let rejected_folder = raw.rejected_folder.as_ref().map(|s| s.value.clone()).unwrap_or_else(|| "_ditolak".into());
    let mut folders: HashMap<String, String> = HashMap::new(); // folder -> owner description
    if let Some(rf) = &raw.rejected_folder
        && let Some(p) = folder_problem(&rf.value)
    {
        cx.err(&rf.referenced, p);
    }
    folders.insert(rejected_folder.clone(), "rejected_folder".into());

    let step_index: HashMap<String, usize> =
        raw.steps.iter().enumerate().map(|(i, s)| (s.value.id.value.clone(), i)).collect();
    let mut seen_ids = HashSet::new();
    let mut steps = Vec::new();
    for s in &raw.steps {
        let loc = &s.referenced;
        let s = &s.value;
        let id = &s.id.value;
        let kind = s.kind.value;
        if !is_ident(id) {
            cx.err(&s.id.referenced, format!("step id {id:?} must be lower-case letters, digits, '_' or '-'"));
        }
        if !seen_ids.insert(id.clone()) {
            cx.err(&s.id.referenced, format!("step {id:?} is defined twice"));
        }
        let mut claim = |cx: &mut Ctx, folder: &str, at: &Location, what: String| {
            if let Some(p) = folder_problem(folder) {
                cx.err(at, p);
            } else if let Some(other) = folders.get(folder) {
                cx.err(at, format!("folder {folder:?} is used twice: by {other} and by {what}"));
            } else {
                folders.insert(folder.to_string(), what);
            }
        };
        claim(&mut cx, &s.folder.value, &s.folder.referenced, format!("step {id:?}"));

        // Role.
        match &s.role {
            Some(r) if !role_ids.contains(&r.value) => {
                cx.err(&r.referenced, format!("role {:?} does not exist; known roles: {}", r.value, list(&role_ids)));
            }
            None if !kind.is_terminal() => {
                cx.err(loc, format!("step {id:?} needs a `role`: who works on letters here"));
            }
            _ => {}
        }
        if !people.is_empty()
            && let Some(r) = &s.role
            && role_ids.contains(&r.value)
            && !people.iter().any(|p| p.roles.contains(&r.value))
        {
            cx.warn(
                &r.referenced,
                format!("nobody has role {:?}; nobody will be told about letters at step {id:?}", r.value),
            );
        }

        // Shape by kind.
        let has_next = s.next.is_some();
        let has_outcomes = !s.outcomes.is_empty();
        let kloc = &s.kind.referenced;
        match kind {
            StepKind::Drop | StepKind::SignedDrop => {
                if !has_next {
                    cx.err(kloc, format!("a {} step needs `next`: where its letters go", kind.as_str()));
                }
                if has_outcomes {
                    cx.err(kloc, format!("a {} step has no outcomes; remove `outcomes`", kind.as_str()));
                }
            }
            StepKind::Review | StepKind::Dispatch => {
                if !has_outcomes {
                    cx.err(kloc, format!("a {} step needs `outcomes` (for example setuju, revisi)", kind.as_str()));
                }
                if let Some(n) = &s.next {
                    cx.err(
                        &n.referenced,
                        format!("a {} step moves on through its outcomes; remove `next`", kind.as_str()),
                    );
                }
            }
            StepKind::Waiting => {
                if !has_next && !has_outcomes {
                    cx.err(kloc, "a waiting step needs `next` or `outcomes`: how letters leave it");
                }
            }
            StepKind::Archive | StepKind::Cancel => {
                if has_next || has_outcomes || s.returns.is_some() || s.time.is_some() {
                    cx.err(
                        kloc,
                        format!(
                            "a {} step ends the workflow; remove `next`, `outcomes`, `returns` and `time`",
                            kind.as_str()
                        ),
                    );
                }
            }
        }
        if let Some(r) = &s.returns {
            if kind != StepKind::Drop {
                cx.err(&r.referenced, "`returns` belongs to the drafting (drop) step only");
            } else {
                claim(
                    &mut cx,
                    &format!("{}/{}", s.folder.value, r.value),
                    &r.referenced,
                    format!("step {id:?} returns"),
                );
            }
        }
        if let Some(t) = &s.time
            && t.value.0.is_zero()
        {
            cx.err(&t.referenced, "the standard time must be more than zero");
        }

        // Targets.
        let check_target = |cx: &mut Ctx, target: &Spanned<String>, via: &str| match step_index.get(&target.value) {
            None => cx.err(
                &target.referenced,
                format!(
                    "{via} leads to step {:?}, which does not exist; steps: {}",
                    target.value,
                    raw.steps.iter().map(|s| s.value.id.value.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(&j) => {
                let t = &raw.steps[j].value;
                if t.id.value == *id {
                    cx.err(&target.referenced, format!("{via} leads back to the same step {id:?}"));
                } else if t.kind.value == StepKind::Drop && t.returns.is_none() {
                    cx.err(
                        &target.referenced,
                        format!(
                            "{via} sends letters back to {:?}, which has no `returns` folder for them",
                            target.value
                        ),
                    );
                }
            }
        };
        if let Some(n) = &s.next {
            check_target(&mut cx, n, "`next`");
        }
        for (name, to) in &s.outcomes {
            if !is_ident(name) {
                cx.err(
                    &to.referenced,
                    format!("outcome {name:?} must be lower-case letters, digits, '_' or '-' (it is a folder name)"),
                );
            }
            claim(
                &mut cx,
                &format!("{}/{}", s.folder.value, name),
                &to.referenced,
                format!("outcome {name:?} of step {id:?}"),
            );
            check_target(&mut cx, to, &format!("outcome {name:?}"));
        }

        steps.push(Step {
            id: id.clone(),
            name: s.name.clone().unwrap_or_else(|| id.clone()),
            folder: s.folder.value.clone(),
            kind,
            role: s.role.as_ref().map(|r| r.value.clone()),
            sop: s.sop.clone(),
            time: s.time.as_ref().map(|t| t.value.0),
            next: s.next.as_ref().map(|n| n.value.clone()),
            outcomes: s.outcomes.iter().map(|(k, v)| Outcome { name: k.clone(), to: v.value.clone() }).collect(),
            returns: s.returns.as_ref().map(|r| r.value.clone()),
            checks: s.checks.clone(),
        });
    }

    // Folders inside other steps' folders make a file's place ambiguous.
    for s in &raw.steps {
        for t in &raw.steps {
            let (a, b) = (&s.value.folder.value, &t.value.folder.value);
            if a != b && a.starts_with(&format!("{b}/")) {
                cx.err(
                    &s.value.folder.referenced,
                    format!(
                        "folder {a:?} is inside {b:?}, the folder of step {:?}; give each step its own folder",
                        t.value.id.value
                    ),
                );
            }
        }
    }

    // Kinds that must occur once.
    let whole = raw.steps.first().map(|s| s.referenced).unwrap_or(raw.version.referenced);
    let count = |k: StepKind| steps.iter().filter(|s| s.kind == k).count();
    match count(StepKind::Drop) {
        1 => {}
        0 => cx.err(&whole, "no step has kind `drop`: new letters need a drafting folder"),
        n => cx.err(&whole, format!("{n} steps have kind `drop`; there must be exactly one drafting step")),
    }
    if count(StepKind::Archive) == 0 {
        cx.err(&whole, "no step has kind `archive`: letters would never finish");
    }
    for k in [StepKind::Archive, StepKind::Cancel] {
        if count(k) > 1 {
            cx.err(&whole, format!("more than one step has kind `{}`", k.as_str()));
        }
    }

    // Reachability from the drafting step, and a way to the archive from every step.
    if cx.diags.iter().all(|d| !d.is_error()) {
        let edges = |s: &Step| -> Vec<String> {
            s.next.iter().cloned().chain(s.outcomes.iter().map(|o| o.to.clone())).collect()
        };
        let entry = steps.iter().find(|s| s.kind == StepKind::Drop).map(|s| s.id.clone());
        let mut reached = HashSet::new();
        let mut q: VecDeque<String> = entry.into_iter().collect();
        while let Some(id) = q.pop_front() {
            if reached.insert(id.clone())
                && let Some(s) = steps.iter().find(|s| s.id == id)
            {
                q.extend(edges(s));
            }
        }
        let finishing: HashSet<String> = {
            let mut fin: HashSet<String> =
                steps.iter().filter(|s| s.kind == StepKind::Archive).map(|s| s.id.clone()).collect();
            loop {
                let before = fin.len();
                for s in &steps {
                    if edges(s).iter().any(|t| fin.contains(t)) {
                        fin.insert(s.id.clone());
                    }
                }
                if fin.len() == before {
                    break fin;
                }
            }
        };
        for (s, raw_s) in steps.iter().zip(&raw.steps) {
            if s.kind != StepKind::Cancel && !reached.contains(&s.id) {
                cx.err(
                    &raw_s.value.id.referenced,
                    format!(
                        "step {:?} cannot be reached: no `next` or outcome leads to it from the drafting step",
                        s.id
                    ),
                );
            }
            if !s.kind.is_terminal() && !finishing.contains(&s.id) {
                cx.err(
                    &raw_s.value.id.referenced,
                    format!("step {:?} never finishes: nothing leads from it to the archive", s.id),
                );
            }
        }
    }

    // Templates.
    let defaults = builtin_templates();
    let reason_file = match &raw.templates.reason_file {
        Some(t) => {
            if let Err(e) = crate::workflow::templates::check(&t.value, REASON_FILE_PLACEHOLDERS) {
                cx.err(&t.referenced, format!("templates.reason_file: {e}"));
            }
            t.value.clone()
        }
        None => defaults.reason_file.clone(),
    };
    let mut email = defaults.email.clone();
    for (kind, t) in &raw.templates.email {
        if !EMAIL_KINDS.contains(&kind.as_str()) {
            cx.err(
                &t.referenced,
                format!("templates.email has no kind {kind:?}; known kinds: {}", EMAIL_KINDS.join(", ")),
            );
            continue;
        }
        for (part, text) in [("subject", &t.value.subject), ("body", &t.value.body)] {
            if let Err(e) = crate::workflow::templates::check(&text.value, EMAIL_PLACEHOLDERS) {
                cx.err(&text.referenced, format!("templates.email.{kind}.{part}: {e}"));
            }
        }
        if t.value.subject.value.contains(['\r', '\n']) {
            cx.err(&t.value.subject.referenced, format!("templates.email.{kind}.subject must be one line"));
        }
        email.insert(
            kind.clone(),
            EmailTemplate { subject: t.value.subject.value.clone(), body: t.value.body.value.clone() },
        );
    }
    let stamp = match &raw.templates.stamp {
        Some(t) => {
            if let Err(e) = crate::workflow::templates::check(&t.value, STAMP_PLACEHOLDERS) {
                cx.err(&t.referenced, format!("templates.stamp: {e}"));
            }
            if t.value.contains(['\r', '\n']) {
                cx.err(&t.referenced, "templates.stamp must be one line");
            }
            t.value.clone()
        }
        None => defaults.stamp.clone(),
    };
    let mut stamp_states = defaults.stamp_states.clone();
    for (k, t) in &raw.templates.stamp_states {
        if let Err(e) = crate::workflow::templates::check(&t.value, STAMP_STATE_PLACEHOLDERS) {
            cx.err(&t.referenced, format!("templates.stamp_states.{k}: {e}"));
        }
        stamp_states.insert(k.clone(), t.value.clone());
    }
    let mut reasons = defaults.reasons.clone();
    for (code, t) in &raw.templates.reasons {
        if !REASON_CODES.contains(&code.as_str()) {
            cx.err(
                &t.referenced,
                format!("templates.reasons has no reason {code:?}; known reasons: {}", REASON_CODES.join(", ")),
            );
            continue;
        }
        if let Err(e) = crate::workflow::templates::check(&t.value, REASON_PLACEHOLDERS) {
            cx.err(&t.referenced, format!("templates.reasons.{code}: {e}"));
        }
        reasons.insert(code.clone(), t.value.clone());
    }

    let calendar = calendar(&mut cx, &raw.calendar);
    for (k, v) in &raw.retention {
        let ok = k == "default"
            || crate::letter::metadata::klasifikasi_code(k).is_some()
            || crate::letter::metadata::KLASIFIKASI_GROUPS.contains(&k.to_ascii_uppercase().as_str());
        if !ok {
            cx.err(
                &v.referenced,
                format!("retention: {k:?} is not a classification (KP.650), a group (KP) or `default`"),
            );
        }
    }
    let r = &raw.reminders;
    if let Some(role) = &r.escalate_to
        && !role_ids.contains(&role.value)
    {
        cx.err(&role.referenced, format!("reminders.escalate_to: role {:?} does not exist", role.value));
    }
    let digest_at = r.digest_at.as_ref().and_then(|t| {
        let parsed = chrono::NaiveTime::parse_from_str(t.value.trim(), "%H:%M").ok();
        if parsed.is_none() {
            cx.err(&t.referenced, format!("reminders.digest_at {:?} is not a time like 07:30", t.value));
        }
        parsed
    });
    let reminders = Reminders {
        escalate_after: r.escalate_after.as_ref().map(|d| d.value.0).unwrap_or(std::time::Duration::from_secs(3600)),
        escalate_to: r.escalate_to.as_ref().map(|x| x.value.clone()),
        digest_at,
    };
    let wf = Workflow {
        source: file.to_string(),
        office: Office { name: raw.office.name.clone().unwrap_or_else(|| "BPS Provinsi Bengkulu".into()), unit_code },
        id_prefix,
        number_format,
        scope,
        last_used,
        filename_pattern,
        defaults: crate::letter::metadata::Defaults { sifat: default_sifat, klasifikasi: default_klasifikasi },
        roles,
        teams,
        people,
        steps,
        rejected_folder,
        calendar,
        reminders,
        retention: raw
            .retention
            .iter()
            .map(|(k, v)| (k.to_ascii_uppercase().replace("DEFAULT", "default"), v.value.0))
            .collect(),
        templates: Templates { stamp, stamp_states, email, reason_file, reasons },
    };
    (Some(wf), cx.diags)
}

fn list(set: &HashSet<String>) -> String {
    let mut v: Vec<_> = set.iter().map(String::as_str).collect();
    v.sort();
    if v.is_empty() { "(none)".into() } else { v.join(", ") }
}
