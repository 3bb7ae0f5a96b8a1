//! The texts people read (emails, the stamp, reason files): known kinds and
//! placeholders only; what the file leaves out comes from the built-in workflow.

use super::context::{Ctx, Parts};
use crate::letter::reason::Reason;
use crate::util::yaml;
use crate::workflow::builtin::{BUILTIN, BUILTIN_LABEL};
use crate::workflow::model::*;
use crate::workflow::raw::{RawTemplates, RawWorkflow};
use crate::workflow::templates;
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn builtin_templates() -> &'static RawTemplatesOwned {
    static T: OnceLock<RawTemplatesOwned> = OnceLock::new();
    T.get_or_init(|| {
        let raw: RawWorkflow = yaml::parse(BUILTIN_LABEL, BUILTIN).expect("built-in workflow.yaml parses");
        RawTemplatesOwned {
            stamp: raw.templates.stamp.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            stamp_states: raw.templates.stamp_states.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect(),
            email: raw
                .templates
                .email
                .iter()
                .map(|(k, v)| {
                    let t = EmailTemplate { subject: v.value.subject.value.clone(), body: v.value.body.value.clone() };
                    (k.clone(), t)
                })
                .collect(),
            reason_file: raw.templates.reason_file.map(|s| s.value).unwrap_or_default(),
            reasons: raw.templates.reasons.into_iter().map(|(k, v)| (k, v.value)).collect(),
            instructions: raw.templates.instructions.into_iter().map(|(k, v)| (k, v.value)).collect(),
            system_name: raw.templates.system_name.map(|s| s.value).unwrap_or_default(),
        }
    })
}

struct RawTemplatesOwned {
    email: BTreeMap<String, EmailTemplate>,
    stamp: String,
    stamp_states: BTreeMap<String, String>,
    reason_file: String,
    reasons: BTreeMap<String, String>,
    instructions: BTreeMap<String, String>,
    system_name: String,
}

/// Every template, in this order: the reason file, emails, the stamp, its
/// states, the reasons, the instructions.
pub(super) fn templates(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let (raw, defaults) = (&raw.templates, builtin_templates());
    let reason_file = reason_file(cx, raw, defaults);
    let email = email(cx, raw, defaults);
    let stamp = stamp(cx, raw, defaults);
    let stamp_states = stamp_states(cx, raw, defaults);
    let reasons = reasons(cx, raw, defaults);
    let instructions = instructions(cx, raw, defaults, &parts.steps);
    let system_name = raw.system_name.as_ref().map(|s| s.value.trim().to_string());
    let system_name = system_name.filter(|s| !s.is_empty()).unwrap_or_else(|| defaults.system_name.clone());
    parts.templates = Some(Templates { stamp, stamp_states, email, reason_file, reasons, instructions, system_name });
}

/// `templates.instructions`: keys are step ids or step kinds; each text
/// may use the placeholders of every step it serves (that step's outcomes
/// by name). The built-in texts fill in what the file leaves out, checked
/// the same way (a workflow whose review steps have other outcomes names
/// them in its own text).
fn instructions(
    cx: &mut Ctx,
    raw: &RawTemplates,
    defaults: &RawTemplatesOwned,
    steps: &[Step],
) -> BTreeMap<String, String> {
    let mut out = defaults.instructions.clone();
    let is_kind = |k: &str| steps.iter().any(|s| s.kind.as_str() == k) || KINDS_TOLD.contains(&k);
    for (key, t) in &raw.instructions {
        if !steps.iter().any(|s| s.id == *key) && !is_kind(key) {
            let msg = format!(
                "templates.instructions has no step or step kind {key:?}; use a step id or one of {}",
                KINDS_TOLD.join(", ")
            );
            cx.err(&t.referenced, msg);
            continue;
        }
        out.insert(key.clone(), t.value.clone());
    }
    let mut general = Vec::new();
    for step in steps {
        let key = if out.contains_key(&step.id) { step.id.as_str() } else { step.kind.as_str() };
        let Some(text) = out.get(key) else { continue };
        let mut allowed: Vec<&str> = INSTRUCTION_PLACEHOLDERS.to_vec();
        allowed.extend(step.outcomes.iter().map(|o| o.name.as_str()));
        if let Err(e) = templates::check(text, &allowed) {
            let msg = format!("templates.instructions.{key} (for step {}): {e}", step.id);
            match raw.instructions.get(key) {
                Some(t) => cx.err(&t.referenced, msg),
                // The built-in text, written for SOP-024's outcomes, does
                // not fit this office's step: a general one, with the
                // step's real folders, stands in (a warning, never a
                // workflow refused over a text its admin did not write).
                None => {
                    let msg = format!(
                        "{msg}: the built-in text does not fit this step's outcomes; a general instruction is used \
                         (write templates.instructions.{} to word it)",
                        step.id
                    );
                    cx.diags.push(crate::util::yaml::Diagnostic::warning(cx.file, None, msg));
                    general.push((step.id.clone(), general_instruction(step, steps)));
                }
            }
        }
    }
    out.extend(general);
    out
}

/// What the people of `step` do next, in general words with the step's real
/// folders: for a workflow whose steps the built-in texts do not fit.
fn general_instruction(step: &Step, steps: &[Step]) -> String {
    let shown = |rel: &str| rel.replace('/', "\\").replace('{', "{{").replace('}', "}}");
    let back = |o: &&Outcome| steps.iter().any(|s| s.id == o.to && s.kind == StepKind::Drop);
    let (returns, onward): (Vec<&Outcome>, Vec<&Outcome>) = step.outcomes.iter().partition(back);
    let mut text = String::new();
    let onward: Vec<String> = match (onward.is_empty(), &step.next) {
        (false, _) => onward.iter().map(|o| shown(&step.outcome_folder(&o.name))).collect(),
        (true, Some(_)) => vec!["{berikut}".to_string()],
        (true, None) => vec![],
    };
    if !onward.is_empty() {
        let when = if step.kind == StepKind::Review { "Bila surat disetujui" } else { "Setelah selesai" };
        text.push_str(&format!("{when}, pindahkan berkasnya ke folder {}.", onward.join(" atau ")));
    }
    if let Some(r) = returns.first() {
        let r = shown(&step.outcome_folder(&r.name));
        text.push_str(&format!(
            " Bila surat perlu diperbaiki, simpan catatan perbaikan sebagai berkas teks bernama \
             \"{{surat}} catatan.txt\" di folder {r}, lalu pindahkan berkas surat ke folder {r}."
        ));
    }
    text.trim().to_string()
}

/// The step kinds whose people are told by an `arrived` email.
const KINDS_TOLD: &[&str] = &["review", "waiting", "signed_drop", "dispatch"];

fn reason_file(cx: &mut Ctx, raw: &RawTemplates, defaults: &RawTemplatesOwned) -> String {
    match &raw.reason_file {
        Some(t) => {
            if let Err(e) = templates::check(&t.value, REASON_FILE_PLACEHOLDERS) {
                cx.err(&t.referenced, format!("templates.reason_file: {e}"));
            }
            t.value.clone()
        }
        None => defaults.reason_file.clone(),
    }
}

fn email(cx: &mut Ctx, raw: &RawTemplates, defaults: &RawTemplatesOwned) -> BTreeMap<String, EmailTemplate> {
    let mut email = defaults.email.clone();
    for (kind, t) in &raw.email {
        if !EMAIL_KINDS.contains(&kind.as_str()) {
            cx.err(
                &t.referenced,
                format!("templates.email has no kind {kind:?}; known kinds: {}", EMAIL_KINDS.join(", ")),
            );
            continue;
        }
        for (part, text) in [("subject", &t.value.subject), ("body", &t.value.body)] {
            if let Err(e) = templates::check(&text.value, EMAIL_PLACEHOLDERS) {
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
    email
}

fn stamp(cx: &mut Ctx, raw: &RawTemplates, defaults: &RawTemplatesOwned) -> String {
    match &raw.stamp {
        Some(t) => {
            if let Err(e) = templates::check(&t.value, STAMP_PLACEHOLDERS) {
                cx.err(&t.referenced, format!("templates.stamp: {e}"));
            }
            if t.value.contains(['\r', '\n']) {
                cx.err(&t.referenced, "templates.stamp must be one line");
            }
            t.value.clone()
        }
        None => defaults.stamp.clone(),
    }
}

fn stamp_states(cx: &mut Ctx, raw: &RawTemplates, defaults: &RawTemplatesOwned) -> BTreeMap<String, String> {
    let mut stamp_states = defaults.stamp_states.clone();
    for (k, t) in &raw.stamp_states {
        if let Err(e) = templates::check(&t.value, STAMP_STATE_PLACEHOLDERS) {
            cx.err(&t.referenced, format!("templates.stamp_states.{k}: {e}"));
        }
        stamp_states.insert(k.clone(), t.value.clone());
    }
    stamp_states
}

fn reasons(cx: &mut Ctx, raw: &RawTemplates, defaults: &RawTemplatesOwned) -> BTreeMap<String, String> {
    let mut reasons = defaults.reasons.clone();
    for (code, t) in &raw.reasons {
        if Reason::parse(code).is_none() {
            let known: Vec<&str> = Reason::all().map(Reason::code).collect();
            cx.err(
                &t.referenced,
                format!("templates.reasons has no reason {code:?}; known reasons: {}", known.join(", ")),
            );
            continue;
        }
        if let Err(e) = templates::check(&t.value, REASON_PLACEHOLDERS) {
            cx.err(&t.referenced, format!("templates.reasons.{code}: {e}"));
        }
        reasons.insert(code.clone(), t.value.clone());
    }
    reasons
}
