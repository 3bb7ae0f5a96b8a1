//! A late sidecar: a `.yaml` alone in the drafting folder, after its draft
//! was registered (the drafter forgot it, or it came a moment too late). It
//! updates its letter's subject, addressees, copies and enclosure while the
//! letter has not passed its first review, and only from the letter's
//! drafter; otherwise it is refused with a reason. Pure, like the rest of
//! `decide`.

use super::Owner;
use crate::letter::reason::Reason;
use crate::letter::state::{LetterState, LetterView};
use crate::workflow::layout::{self, Place};
use crate::workflow::{StepKind, Workflow};

/// What is known about a late sidecar.
#[derive(Debug, Clone)]
pub struct LateSidecar<'a, 'w> {
    /// Where it lies (a drafting folder).
    pub place: &'a Place<'w>,
    /// The letter its name names (by a draft's original name, or by the
    /// letter's id at its start), if any.
    pub letter: Option<&'a LetterView>,
    /// Whether the letter's trail holds an approval at a review step.
    pub approved: bool,
    /// Whether the letter's file is where suratd recorded it (not moved
    /// into an outcome folder, a decision on its way).
    pub at_rest: bool,
    /// Who placed the sidecar.
    pub owner: &'a Owner,
    /// Why its content cannot be used, if it cannot: unreadable or bad YAML,
    /// or a change to what cannot change (`metadata::amend`).
    pub problem: Option<(Reason, &'a str)>,
}

/// What becomes of a late sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Late {
    /// The letter takes the sidecar's metadata.
    Update,
    /// Refused: `_ditolak/` with a reason file.
    Refuse { reason: Reason, detail: String },
}

fn refuse(reason: Reason, detail: &str) -> Late {
    Late::Refuse { reason, detail: detail.to_string() }
}

/// Decides a late sidecar: no letter, a closed letter, someone without the
/// right or not the drafter, a letter past its first review, or a sidecar
/// that cannot be used is refused; else the letter is updated.
pub fn decide(wf: &Workflow, f: &LateSidecar) -> Late {
    let Some(letter) = f.letter else {
        return refuse(Reason::SidecarUnmatched, "");
    };
    match letter.state {
        LetterState::Active => {}
        LetterState::Finished => return refuse(Reason::LetterClosed, "selesai"),
        LetterState::Cancelled => return refuse(Reason::LetterClosed, "dibatalkan"),
        LetterState::Pending | LetterState::Void => return refuse(Reason::SidecarUnmatched, ""),
    }
    match f.owner {
        Owner::Refused => return refuse(Reason::UnknownOwner, ""),
        Owner::Person { login, roles } => {
            if let Some(drafter) = letter.drafter.as_deref().and_then(|d| wf.person(d))
                && !drafter.login.eq_ignore_ascii_case(login)
            {
                return refuse(Reason::NotDrafter, &drafter.name);
            }
            let may = layout::writers(wf, f.place);
            if !roles.iter().any(|r| may.contains(r)) {
                return refuse(Reason::NoAccess, &super::guidance::role_names(wf, &may));
            }
        }
        Owner::Unchecked | Owner::Allowed | Owner::Edited => {}
    }
    if !before_first_review_passed(wf, letter, f.approved) || !f.at_rest {
        let step = wf.step(&letter.step).map(|s| s.name.as_str()).unwrap_or(letter.step.as_str());
        return refuse(Reason::SidecarTooLate, step);
    }
    match f.problem {
        Some((reason, detail)) => refuse(reason, detail),
        None => Late::Update,
    }
}

/// Whether the letter has not passed its first review: it waits at the
/// first review step (the drafting step's `next`) or was sent back from
/// it to its drafter, and no review step ever approved it.
fn before_first_review_passed(wf: &Workflow, letter: &LetterView, approved: bool) -> bool {
    let first = wf.entry().next.as_deref();
    let here = wf.step(&letter.step).is_some_and(|s| s.kind == StepKind::Drop || Some(s.id.as_str()) == first);
    here && !approved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::movers::tests::wf;
    use crate::workflow::layout::classify;

    fn letter(step: &str) -> LetterView {
        LetterView {
            id: "SK-2026-0001".into(),
            step: step.into(),
            state: LetterState::Active,
            path: format!("02-{step}/SK-2026-0001 Undangan.pdf"),
            year: 2026,
            drafter: Some("dewi".into()),
        }
    }

    fn person(login: &str, roles: &[&str]) -> Owner {
        Owner::Person { login: login.into(), roles: roles.iter().map(|r| r.to_string()).collect() }
    }

    /// Decides a sidecar in `01-draf/` for `letter`, placed by `owner`.
    fn late(wf: &Workflow, letter: Option<&LetterView>, owner: &Owner, approved: bool, at_rest: bool) -> Late {
        let place = classify(wf, "01-draf/Undangan.yaml");
        let f = LateSidecar { place: &place, letter, approved, at_rest, owner, problem: None };
        decide(wf, &f)
    }

    #[test]
    fn the_drafters_late_sidecar_updates_a_letter_waiting_for_its_first_review() {
        let wf = wf();
        let dewi = person("dewi", &["anggota_tim"]);
        assert_eq!(late(&wf, Some(&letter("verifikasi")), &dewi, false, true), Late::Update);
        // Sent back by the first review: not passed it either.
        assert_eq!(late(&wf, Some(&letter("draf")), &dewi, false, true), Late::Update);
        // Owners unknown (the share's files all one user): no drafter rule.
        assert_eq!(late(&wf, Some(&letter("verifikasi")), &Owner::Allowed, false, true), Late::Update);
        // Case does not matter in a login.
        assert_eq!(
            late(&wf, Some(&letter("verifikasi")), &person("DEWI", &["anggota_tim"]), false, true),
            Late::Update
        );
    }

    #[test]
    fn a_late_sidecar_past_the_first_review_is_refused() {
        let wf = wf();
        let dewi = person("dewi", &["anggota_tim"]);
        let too_late = |step: &str| Late::Refuse { reason: Reason::SidecarTooLate, detail: step.into() };
        let approved_at = wf.step("kelengkapan").unwrap().name.clone();
        assert_eq!(late(&wf, Some(&letter("kelengkapan")), &dewi, true, true), too_late(&approved_at));
        let first = wf.step("verifikasi").unwrap().name.clone();
        // Back at the first review after an approval (a corrected draft).
        assert_eq!(late(&wf, Some(&letter("verifikasi")), &dewi, true, true), too_late(&first));
        // Its file moved into an outcome folder, the decision on its way.
        assert_eq!(late(&wf, Some(&letter("verifikasi")), &dewi, false, false), too_late(&first));
        let mut done = letter("arsip");
        done.state = LetterState::Finished;
        assert_eq!(
            late(&wf, Some(&done), &dewi, true, true),
            Late::Refuse { reason: Reason::LetterClosed, detail: "selesai".into() }
        );
    }

    #[test]
    fn a_late_sidecar_from_anyone_but_the_drafter_is_refused() {
        let wf = wf();
        let l = letter("verifikasi");
        assert_eq!(
            late(&wf, Some(&l), &person("rani", &["anggota_tim", "ketua_tim"]), false, true),
            Late::Refuse { reason: Reason::NotDrafter, detail: "Dewi".into() }
        );
        assert_eq!(
            late(&wf, Some(&l), &Owner::Refused, false, true),
            Late::Refuse { reason: Reason::UnknownOwner, detail: String::new() }
        );
        // A drafter nobody knows: who may write the drafting folder may.
        let mut stranger = l.clone();
        stranger.drafter = Some("someone".into());
        assert_eq!(
            late(&wf, Some(&stranger), &person("rani", &["anggota_tim", "ketua_tim"]), false, true),
            Late::Update
        );
        assert_eq!(
            late(&wf, Some(&stranger), &person("kepala", &["kepala"]), false, true),
            Late::Refuse { reason: Reason::NoAccess, detail: "Anggota Tim".into() },
            "who may, by role name"
        );
    }

    #[test]
    fn an_unmatched_or_unusable_late_sidecar_is_refused() {
        let wf = wf();
        let dewi = person("dewi", &["anggota_tim"]);
        assert_eq!(
            late(&wf, None, &dewi, false, true),
            Late::Refuse { reason: Reason::SidecarUnmatched, detail: String::new() }
        );
        let place = classify(&wf, "01-draf/SK-2026-0001.yaml");
        let l = letter("verifikasi");
        let f = LateSidecar {
            place: &place,
            letter: Some(&l),
            approved: false,
            at_rest: true,
            owner: &dewi,
            problem: Some((Reason::SidecarFixedField, "sifat")),
        };
        assert_eq!(decide(&wf, &f), Late::Refuse { reason: Reason::SidecarFixedField, detail: "sifat".into() });
        // Past the first review, that is the reason given, whatever the content.
        let f = LateSidecar { approved: true, ..f };
        assert!(matches!(decide(&wf, &f), Late::Refuse { reason: Reason::SidecarTooLate, .. }));
    }
}
