//! Whether the copy for signing passed every review step: each review step's
//! latest approval, since the letter last entered the first review step,
//! approved a version of the same letter (the same base, stamps and keys
//! aside) as the copy.

use crate::workflow::{Step, StepKind, Workflow};

/// One transition of a letter's audit trail, as this rule sees it.
#[derive(Debug, Clone)]
pub struct Passage<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub action: &'a str,
    /// For an approval: the base (without stamp or keys) of the version
    /// approved, when the approval recorded it (older records did not).
    pub approved_base: Option<String>,
}

/// Whether a move from step `from` to `to` by `action` is an approval: the
/// outcome of a review step that leads onward (not back to the drafter).
pub fn is_approval(wf: &Workflow, from: &str, to: &str, action: &str) -> bool {
    wf.step(from).is_some_and(|s| s.kind == StepKind::Review && s.outcome(action).is_some())
        && wf.step(to).is_some_and(|t| t.kind != StepKind::Drop)
}

/// The first review step whose latest approval, since the letter last
/// entered the first review step, is missing or approved another version
/// than the copy whose base is `copy_base`. `None`: every review step
/// approved it (an approval recorded before approvals named their version
/// counts as approving it).
pub fn unapproved_step<'w>(wf: &'w Workflow, trail: &[Passage], copy_base: &str) -> Option<&'w Step> {
    let first = wf.entry().next.as_deref()?;
    let since = trail.iter().rposition(|p| p.to == Some(first)).map_or(0, |i| i + 1);
    let trail = &trail[since..];
    wf.steps.iter().filter(|s| s.kind == StepKind::Review).find(|step| {
        let latest = trail
            .iter()
            .rev()
            .find(|p| p.from == Some(step.id.as_str()) && is_approval(wf, &step.id, p.to.unwrap_or(""), p.action));
        match latest {
            None => true,
            Some(p) => p.approved_base.as_deref().is_some_and(|b| b != copy_base),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        Workflow::load(None).unwrap().0
    }

    fn p<'a>(from: &'a str, to: &'a str, action: &'a str, base: Option<&str>) -> Passage<'a> {
        Passage { from: Some(from), to: Some(to), action, approved_base: base.map(String::from) }
    }

    #[test]
    fn a_copy_every_review_step_approved_passes() {
        let wf = wf();
        let trail = [
            p("draf", "verifikasi", "register", None),
            p("verifikasi", "verifikasi", "replace", None),
            p("verifikasi", "kelengkapan", "setuju", Some("v2")),
            p("kelengkapan", "ajukan_tte", "setuju", Some("v2")),
            p("ajukan_tte", "menunggu_tte", "forward", None),
        ];
        assert!(unapproved_step(&wf, &trail, "v2").is_none());
        // Approvals recorded before they named their version count.
        let old: Vec<Passage> = trail.iter().cloned().map(|mut x| (x.approved_base = None, x).1).collect();
        assert!(unapproved_step(&wf, &old, "v2").is_none());
    }

    #[test]
    fn a_copy_another_version_of_which_was_approved_names_the_step() {
        let wf = wf();
        let trail = [
            p("draf", "verifikasi", "register", None),
            p("verifikasi", "kelengkapan", "setuju", Some("v2")),
            p("kelengkapan", "ajukan_tte", "setuju", Some("v1")),
        ];
        assert_eq!(unapproved_step(&wf, &trail, "v1").map(|s| s.id.as_str()), Some("verifikasi"));
        assert_eq!(unapproved_step(&wf, &trail, "v2").map(|s| s.id.as_str()), Some("kelengkapan"));
    }

    #[test]
    fn approvals_before_the_letter_went_back_to_the_first_review_do_not_count() {
        let wf = wf();
        let trail = [
            p("draf", "verifikasi", "register", None),
            p("verifikasi", "kelengkapan", "setuju", Some("v1")),
            p("kelengkapan", "ajukan_tte", "setuju", Some("v1")),
            p("ajukan_tte", "verifikasi", "resubmit", None),
            p("verifikasi", "kelengkapan", "setuju", Some("v2")),
        ];
        assert_eq!(unapproved_step(&wf, &trail, "v2").map(|s| s.id.as_str()), Some("kelengkapan"));
        // A return to the drafter is no approval.
        let back = [p("draf", "verifikasi", "register", None), p("verifikasi", "draf", "revisi", Some("v1"))];
        assert_eq!(unapproved_step(&wf, &back, "v1").map(|s| s.id.as_str()), Some("verifikasi"));
    }
}
