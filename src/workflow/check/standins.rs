//! `stand_ins`: who may make another person's moves, and when (Plh.,
//! a.n.): both are people in workflow.yaml, not the same person, and the
//! dates are dates in order.

use super::context::{Ctx, Parts};
use crate::workflow::model::StandIn;
use crate::workflow::raw::RawWorkflow;
use serde_saphyr::Spanned;

pub(super) fn check(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let known = |login: &str| parts.people.iter().any(|p| p.login.eq_ignore_ascii_case(login));
    let mut out = Vec::new();
    for s in &raw.stand_ins {
        let s = &s.value;
        let mut ok = true;
        for (key, who) in [("who", &s.who), ("for", &s.for_whom)] {
            if !known(&who.value) {
                cx.err(
                    &who.referenced,
                    format!("stand_ins: {key} {:?} is nobody in people; add them there or fix the login", who.value),
                );
                ok = false;
            }
        }
        if s.who.value.eq_ignore_ascii_case(&s.for_whom.value) {
            cx.err(&s.for_whom.referenced, format!("stand_ins: {} cannot stand in for themselves", s.who.value));
            ok = false;
        }
        let (from, to) = (date(cx, &s.from), date(cx, &s.to));
        let (Some(from), Some(to)) = (from, to) else { continue };
        if to < from {
            cx.err(&s.to.referenced, "stand_ins: the period ends before it starts");
            ok = false;
        }
        if ok {
            out.push(StandIn { who: s.who.value.clone(), for_whom: s.for_whom.value.clone(), from, to });
        }
    }
    parts.stand_ins = out;
}

fn date(cx: &mut Ctx, d: &Spanned<String>) -> Option<chrono::NaiveDate> {
    let parsed = chrono::NaiveDate::parse_from_str(d.value.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        cx.err(&d.referenced, format!("stand_ins: {:?} is not a date; write it as YYYY-MM-DD", d.value));
    }
    parsed
}
