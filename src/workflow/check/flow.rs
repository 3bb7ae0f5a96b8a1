//! The steps as a whole: one drafting step and one archive, every step
//! reachable from the drafting step, and every step with a way to the archive.

use super::context::{Ctx, Parts};
use crate::workflow::model::{Step, StepKind};
use crate::workflow::raw::RawWorkflow;
use std::collections::{HashSet, VecDeque};

/// Kinds that must occur once.
pub(super) fn kinds(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let steps = &parts.steps;
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
}

/// Reachability from the drafting step, and a way to the archive from every
/// step; looked at only when nothing else is wrong so far.
pub(super) fn reachability(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    if cx.diags.iter().any(|d| d.is_error()) {
        return;
    }
    let steps = &parts.steps;
    let reached = reached(steps);
    let finishing = finishing(steps);
    for (s, raw_s) in steps.iter().zip(&raw.steps) {
        if s.kind != StepKind::Cancel && !reached.contains(&s.id) {
            cx.err(
                &raw_s.value.id.referenced,
                format!("step {:?} cannot be reached: no `next` or outcome leads to it from the drafting step", s.id),
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

/// Where a step's letters may go next.
fn edges(s: &Step) -> Vec<String> {
    s.next.iter().cloned().chain(s.outcomes.iter().map(|o| o.to.clone())).collect()
}

/// Steps reached from the drafting step.
fn reached(steps: &[Step]) -> HashSet<String> {
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
    reached
}

/// Steps from which a way leads to the archive.
fn finishing(steps: &[Step]) -> HashSet<String> {
    let mut fin: HashSet<String> = steps.iter().filter(|s| s.kind == StepKind::Archive).map(|s| s.id.clone()).collect();
    loop {
        let before = fin.len();
        for s in steps {
            if edges(s).iter().any(|t| fin.contains(t)) {
                fin.insert(s.id.clone());
            }
        }
        if fin.len() == before {
            break fin;
        }
    }
}
