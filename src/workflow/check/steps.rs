//! Each step on its own: its id and folder, its role, the shape its kind
//! asks for, and where its `next` and outcomes lead.

use super::context::{Ctx, Parts, is_ident, list};
use super::folders::claim;
use crate::workflow::model::{Outcome, Step, StepKind};
use crate::workflow::raw::{RawStep, RawWorkflow};
use serde_saphyr::{Location, Spanned};
use std::collections::{HashMap, HashSet};

/// Checks the steps in file order and builds them.
pub(super) fn steps(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let targets = Targets {
        steps: &raw.steps,
        index: raw.steps.iter().enumerate().map(|(i, s)| (s.value.id.value.clone(), i)).collect(),
    };
    let mut seen_ids = HashSet::new();
    for s in &raw.steps {
        let loc = &s.referenced;
        let s = &s.value;
        let id = &s.id.value;
        if !is_ident(id) {
            cx.err(&s.id.referenced, format!("step id {id:?} must be lower-case letters, digits, '_' or '-'"));
        }
        if !seen_ids.insert(id.clone()) {
            cx.err(&s.id.referenced, format!("step {id:?} is defined twice"));
        }
        claim(cx, parts, &s.folder.value, &s.folder.referenced, format!("step {id:?}"));
        role(cx, parts, loc, s);
        shape(cx, s);
        returns_and_time(cx, parts, s);
        leads(cx, parts, &targets, s);
        parts.steps.push(model(s));
    }
}

/// The step's role exists and has people; only the ends may have none.
fn role(cx: &mut Ctx, parts: &Parts, loc: &Location, s: &RawStep) {
    let (id, kind) = (&s.id.value, s.kind.value);
    let (role_ids, people) = (&parts.role_ids, &parts.people);
    match &s.role {
        Some(r) if !role_ids.contains(&r.value) => {
            cx.err(&r.referenced, format!("role {:?} does not exist; known roles: {}", r.value, list(role_ids)));
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
}

/// `next` and `outcomes` as the step's kind asks for them.
fn shape(cx: &mut Ctx, s: &RawStep) {
    let kind = s.kind.value;
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
                cx.err(&n.referenced, format!("a {} step moves on through its outcomes; remove `next`", kind.as_str()));
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
}

/// `returns` only on the drafting step, with a folder of its own; a
/// standard time above zero.
fn returns_and_time(cx: &mut Ctx, parts: &mut Parts, s: &RawStep) {
    let id = &s.id.value;
    if let Some(r) = &s.returns {
        if s.kind.value != StepKind::Drop {
            cx.err(&r.referenced, "`returns` belongs to the drafting (drop) step only");
        } else {
            claim(cx, parts, &format!("{}/{}", s.folder.value, r.value), &r.referenced, format!("step {id:?} returns"));
        }
    }
    if let Some(t) = &s.time
        && t.value.0.is_zero()
    {
        cx.err(&t.referenced, "the standard time must be more than zero");
    }
}

/// `next` and every outcome lead to another step; outcomes are folder names.
fn leads(cx: &mut Ctx, parts: &mut Parts, targets: &Targets, s: &RawStep) {
    let id = &s.id.value;
    if let Some(n) = &s.next {
        targets.check(cx, id, n, "`next`");
    }
    for (name, to) in &s.outcomes {
        if !is_ident(name) {
            cx.err(
                &to.referenced,
                format!("outcome {name:?} must be lower-case letters, digits, '_' or '-' (it is a folder name)"),
            );
        }
        claim(
            cx,
            parts,
            &format!("{}/{}", s.folder.value, name),
            &to.referenced,
            format!("outcome {name:?} of step {id:?}"),
        );
        targets.check(cx, id, to, &format!("outcome {name:?}"));
    }
}

/// The steps a `next` or an outcome may lead to.
struct Targets<'r> {
    steps: &'r [Spanned<RawStep>],
    /// Step id to its place in `steps` (the last one for a repeated id).
    index: HashMap<String, usize>,
}

impl Targets<'_> {
    /// `target`, reached from step `id` through `via`, exists, is another
    /// step, and can take letters back if it is the drafting step.
    fn check(&self, cx: &mut Ctx, id: &str, target: &Spanned<String>, via: &str) {
        match self.index.get(&target.value) {
            None => cx.err(
                &target.referenced,
                format!(
                    "{via} leads to step {:?}, which does not exist; steps: {}",
                    target.value,
                    self.steps.iter().map(|s| s.value.id.value.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(&j) => {
                let t = &self.steps[j].value;
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
        }
    }
}

/// The model of a step, as written.
fn model(s: &RawStep) -> Step {
    let id = &s.id.value;
    Step {
        id: id.clone(),
        name: s.name.clone().unwrap_or_else(|| id.clone()),
        folder: s.folder.value.clone(),
        kind: s.kind.value,
        role: s.role.as_ref().map(|r| r.value.clone()),
        sop: s.sop.clone(),
        time: s.time.as_ref().map(|t| t.value.0),
        next: s.next.as_ref().map(|n| n.value.clone()),
        outcomes: s.outcomes.iter().map(|(k, v)| Outcome { name: k.clone(), to: v.value.clone() }).collect(),
        returns: s.returns.as_ref().map(|r| r.value.clone()),
        checks: s.checks.clone(),
        signers: s.signers.iter().map(|x| x.value.clone()).collect(),
    }
}
