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

#[cfg(test)]
mod tests {
    #[test]
    fn stand_ins_name_people_and_dates_in_order() {
        let text = crate::workflow::BUILTIN.replace(
            "people: []",
            "people:
  - {login: kepala, name: Kepala, roles: [kepala]}
  - {login: plh, name: Plh, roles: [sekretaris]}
stand_ins:
  - {who: plh, for: kepala, from: 2026-07-01, to: 2026-07-14}
  - {who: nobody, for: kepala, from: 2026-07-01, to: 2026-07-14}
  - {who: plh, for: plh, from: 2026-07-01, to: 2026-07-14}
  - {who: plh, for: kepala, from: 1 Juli, to: 2026-06-01}
  - {who: plh, for: kepala, from: 2026-07-01, to: 2026-06-01}",
        );
        let diags = crate::workflow::Workflow::from_text("w.yaml", &text).unwrap_err().0;
        let errors: Vec<String> = diags.iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
        let line = |n: usize| text.lines().position(|l| l.contains("stand_ins:")).unwrap() + 1 + n;
        let want = [
            format!("w.yaml:{}:11: stand_ins: who \"nobody\" is nobody in people", line(2)),
            format!("w.yaml:{}:21: stand_ins: plh cannot stand in for themselves", line(3)),
            format!("w.yaml:{}:35: stand_ins: \"1 Juli\" is not a date", line(4)),
            format!("w.yaml:{}:51: stand_ins: the period ends before it starts", line(5)),
        ];
        assert_eq!(errors.len(), want.len(), "{errors:#?}");
        for (e, w) in errors.iter().zip(&want) {
            assert!(e.starts_with(w.as_str()), "{e}\nwanted {w}");
        }
        // The valid entry alone.
        let good: String = text.lines().take(line(1)).collect::<Vec<_>>().join("\n") + "\n";
        let good = good + &text.lines().skip(line(5)).collect::<Vec<_>>().join("\n");
        let (wf, _) = crate::workflow::Workflow::from_text("w.yaml", &good).unwrap();
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(wf.stood_in_for("PLH", d(7, 14)).iter().map(|p| p.login.as_str()).collect::<Vec<_>>(), ["kepala"]);
        assert!(wf.stood_in_for("plh", d(7, 15)).is_empty());
    }
}
