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
        }
    })
}

struct RawTemplatesOwned {
    email: BTreeMap<String, EmailTemplate>,
    stamp: String,
    stamp_states: BTreeMap<String, String>,
    reason_file: String,
    reasons: BTreeMap<String, String>,
}

/// Every template, in this order: the reason file, emails, the stamp, its
/// states, the reasons.
pub(super) fn templates(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let (raw, defaults) = (&raw.templates, builtin_templates());
    let reason_file = reason_file(cx, raw, defaults);
    let email = email(cx, raw, defaults);
    let stamp = stamp(cx, raw, defaults);
    let stamp_states = stamp_states(cx, raw, defaults);
    let reasons = reasons(cx, raw, defaults);
    parts.templates = Some(Templates { stamp, stamp_states, email, reason_file, reasons });
}

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
