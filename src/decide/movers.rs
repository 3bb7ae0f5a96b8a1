//! Who may move a letter's file on from its step (decide in an outcome
//! folder, hand it on), when Samba's audit log names who did: the step's
//! role, in their own right or standing in for someone who holds it; for a
//! role that acts per team, on their own team's letters only; and never the
//! drafter on their own letter at a review. Pure, like the rest of `decide`.

use super::{Content, Edit, Facts};
use crate::letter::reason::Reason;
use crate::letter::state::LetterView;
use crate::workflow::layout::{Area, Place};
use crate::workflow::{Step, StepKind, Workflow};

/// Who moved a letter's file, as the audit log says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mover {
    /// No audit record (no audit log configured, none within the wait), or
    /// a login that is nobody in workflow.yaml: these rules do not apply.
    #[default]
    Unverified,
    /// A person in workflow.yaml: their login, and the capacities they act
    /// in today (their own first, then each person they stand in for).
    Person { login: String, acting: Vec<Capacity> },
}

/// One capacity a person acts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacity {
    /// `None`: in their own right; else the login of whom they stand in for.
    pub for_whom: Option<String>,
    pub roles: Vec<String>,
    pub team: Option<String>,
}

/// Whether the mover may move `letter` on from its step `at`: `Ok(None)`
/// in their own right (or the rules do not apply), `Ok(Some(login))`
/// standing in for that person, `Err` with why not.
pub fn may_move(wf: &Workflow, letter: &LetterView, at: &Step, mover: &Mover) -> Result<Option<String>, Reason> {
    let Mover::Person { login, acting } = mover else {
        return Ok(None);
    };
    let drafter = letter.drafter.as_deref().and_then(|d| wf.person(d));
    if at.kind == StepKind::Review && drafter.is_some_and(|d| d.login.eq_ignore_ascii_case(login)) {
        return Err(Reason::OwnLetter);
    }
    let Some(role) = at.role.as_deref() else {
        return Ok(None);
    };
    let per_team = wf.roles.iter().any(|r| r.id == role && r.per_team);
    let letter_team = drafter.and_then(|d| d.team.as_deref());
    let mut other_team = false;
    for c in acting {
        if !c.roles.iter().any(|r| r == role) {
            continue;
        }
        if per_team && letter_team.is_some() && c.team.as_deref() != letter_team {
            other_team = true;
            continue;
        }
        return Ok(c.for_whom.clone());
    }
    Err(if other_team { Reason::OtherTeam } else { Reason::NotYourMove })
}

/// Why the verified mover may not make the move the decision names (the
/// file is put back), if they may not; `action` is the move's.
pub fn refused(wf: &Workflow, f: &Facts, action: &str) -> Option<Reason> {
    let (at, letter) = hand_move(wf, f, action)?;
    may_move(wf, letter, at, &f.mover).err()
}

/// Why the person who made a reviewer's edit of the letter's copy (see
/// [`Edit`]) may not make the decision it carries, if they may not: an
/// edit put into an outcome folder approves or sends back, and one that
/// shows sends the letter back wherever it was saved. The same rules as a
/// move of the letter's file (`own_letter`, `other_team`,
/// `not_your_move`), whether the edit came as the letter's file moved or
/// as a new file saved straight into the folder.
pub fn edit_refused(wf: &Workflow, f: &Facts) -> Option<Reason> {
    if !matches!(f.edit, Edit::Metadata | Edit::Shows) {
        return None;
    }
    let letter = f.letter?;
    let at = wf.step(&letter.step)?;
    if !matches!(at.kind, StepKind::Review | StepKind::Waiting | StepKind::Dispatch) {
        return None;
    }
    may_move(wf, letter, at, &f.mover).err()
}

/// Whom the verified mover stood in for when making the move, if anyone.
pub fn on_behalf_of(wf: &Workflow, f: &Facts, action: &str) -> Option<String> {
    let (at, letter) = hand_move(wf, f, action)?;
    may_move(wf, letter, at, &f.mover).ok().flatten()
}

/// The letter's step and the letter, when the decision is a hand move of
/// the letter's own file out of its review, waiting or dispatch step.
fn hand_move<'f, 'w>(wf: &'w Workflow, f: &'f Facts, action: &str) -> Option<(&'w Step, &'f LetterView)> {
    let letter = f.letter?;
    if *f.content != Content::Known || f.at_recorded_path || action == "cancel" {
        return None;
    }
    let Place::Step { step, area } = f.place else { return None };
    let at = wf.step(&letter.step)?;
    if !matches!(at.kind, StepKind::Review | StepKind::Waiting | StepKind::Dispatch) {
        return None;
    }
    let from_here = match area {
        Area::Outcome(_) => step.id == at.id,
        Area::Inbox => at.next.as_deref() == Some(step.id.as_str()),
        Area::Returns => false,
    };
    from_here.then_some((at, letter))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::decide::{Decision, Note, Owner, decide};
    use crate::letter::state::LetterState;
    use crate::workflow::layout::classify;

    /// The shipped workflow with two teams, a drafter, two Ketua Tim, a
    /// person who drafts and leads, the Kepala and a Plh. standing in.
    pub(in crate::decide) fn wf() -> Workflow {
        let text = crate::workflow::BUILTIN
            .replace(
                "teams:\n  - id: umum\n    name: Tim Bagian Umum\n",
                "teams:\n  - id: umum\n    name: Tim Bagian Umum\n  - id: ipds\n    name: Tim IPDS\n",
            )
            .replace(
                "people: []",
                "people:
  - {login: dewi, name: Dewi, roles: [anggota_tim], team: umum}
  - {login: kt, name: Ketua Umum, roles: [ketua_tim], team: umum}
  - {login: kt2, name: Ketua IPDS, roles: [ketua_tim], team: ipds}
  - {login: rani, name: Rani, roles: [anggota_tim, ketua_tim], team: umum}
  - {login: sek, name: Sekretaris, roles: [sekretaris], team: umum}
  - {login: kepala, name: Kepala, roles: [kepala]}
  - {login: plh, name: Plh Kepala, roles: [sekretaris], team: umum}
stand_ins:
  - {who: plh, for: kepala, from: 2026-06-01, to: 2026-06-30}
  - {who: kt2, for: kt, from: 2026-06-01, to: 2026-06-30}",
            );
        let (wf, diags) = crate::workflow::Workflow::from_text("test", &text).unwrap();
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        wf
    }

    fn letter(step: &str, drafter: &str) -> LetterView {
        LetterView {
            id: "SK-2026-0001".into(),
            step: step.into(),
            state: LetterState::Active,
            path: "x".into(),
            year: 2026,
            drafter: Some(drafter.into()),
        }
    }

    /// The mover `login` as the pipeline builds it on `date` (06-15: the
    /// stand-ins are in force; 07-15: not).
    fn mover(wf: &Workflow, login: &str, in_june: bool) -> Mover {
        let p = wf.person(login).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, if in_june { 6 } else { 7 }, 15).unwrap();
        let mut acting = vec![Capacity { for_whom: None, roles: p.roles.clone(), team: p.team.clone() }];
        acting.extend(wf.stood_in_for(login, date).into_iter().map(|q| Capacity {
            for_whom: Some(q.login.clone()),
            roles: q.roles.clone(),
            team: q.team.clone(),
        }));
        Mover::Person { login: p.login.clone(), acting }
    }

    /// The decision on the letter's own file moved to `rel` by `m`.
    fn moved(wf: &Workflow, l: &LetterView, rel: &str, m: Mover) -> Decision {
        let place = classify(wf, rel);
        let f = Facts { note: Note::Found, mover: m, ..Facts::of(&place, Some(l), &Content::Known) };
        decide(wf, &f)
    }

    fn back(reason: Reason) -> Decision {
        Decision::Return { reason }
    }

    #[test]
    fn the_team_leader_decides_on_their_team_s_letters() {
        let wf = wf();
        let l = letter("verifikasi", "dewi");
        let d = moved(&wf, &l, "02-verifikasi/setuju/SK-2026-0001 X.pdf", mover(&wf, "kt", true));
        assert!(matches!(d, Decision::Move { ref to_step, .. } if to_step == "kelengkapan"), "{d:?}");
        // Without a record, as today: the move is made.
        let d = moved(&wf, &l, "02-verifikasi/setuju/SK-2026-0001 X.pdf", Mover::Unverified);
        assert!(matches!(d, Decision::Move { .. }), "{d:?}");
    }

    #[test]
    fn a_drafter_cannot_decide_on_their_own_letter() {
        let wf = wf();
        // Rani drafts and leads team umum.
        let l = letter("verifikasi", "rani");
        for outcome in ["setuju", "revisi"] {
            let rel = format!("02-verifikasi/{outcome}/SK-2026-0001 X.pdf");
            assert_eq!(moved(&wf, &l, &rel, mover(&wf, "rani", true)), back(Reason::OwnLetter), "{outcome}");
        }
        // Another leader of the same team may.
        let d = moved(&wf, &l, "02-verifikasi/setuju/SK-2026-0001 X.pdf", mover(&wf, "kt", true));
        assert!(matches!(d, Decision::Move { .. }), "{d:?}");
        // A plain drafter approving: not their role either; own letter first.
        let l = letter("verifikasi", "dewi");
        let d = moved(&wf, &l, "02-verifikasi/setuju/SK-2026-0001 X.pdf", mover(&wf, "dewi", true));
        assert_eq!(d, back(Reason::OwnLetter));
    }

    #[test]
    fn a_team_leader_cannot_decide_on_another_team_s_letter() {
        let wf = wf();
        let l = letter("verifikasi", "dewi");
        let rel = "02-verifikasi/revisi/SK-2026-0001 X.pdf";
        assert_eq!(moved(&wf, &l, rel, mover(&wf, "kt2", false)), back(Reason::OtherTeam));
        // Standing in for team umum's leader in June, kt2 may.
        let d = moved(&wf, &l, rel, mover(&wf, "kt2", true));
        assert!(matches!(d, Decision::Move { .. }), "{d:?}");
    }

    #[test]
    fn only_the_head_s_people_send_back_from_waiting_for_the_signature() {
        let wf = wf();
        let l = letter("menunggu_tte", "dewi");
        let rel = "05-menunggu-tte/revisi/SK-2026-0001 X.pdf";
        for who in ["sek", "kt", "dewi"] {
            assert_eq!(moved(&wf, &l, rel, mover(&wf, who, true)), back(Reason::NotYourMove), "{who}");
        }
        let d = moved(&wf, &l, rel, mover(&wf, "kepala", true));
        assert!(matches!(d, Decision::Move { .. }), "{d:?}");
        // The Plh. in June, for the Kepala; not in July.
        let d = moved(&wf, &l, rel, mover(&wf, "plh", true));
        assert!(matches!(d, Decision::Move { .. }), "{d:?}");
        assert_eq!(moved(&wf, &l, rel, mover(&wf, "plh", false)), back(Reason::NotYourMove));
    }

    #[test]
    fn a_decision_waiting_for_its_note_is_put_back_at_once() {
        let wf = wf();
        let l = letter("verifikasi", "dewi");
        let place = classify(&wf, "02-verifikasi/revisi/SK-2026-0001 X.pdf");
        let f = Facts {
            note: Note::MaybeLater,
            mover: mover(&wf, "kt2", false),
            ..Facts::of(&place, Some(&l), &Content::Known)
        };
        assert_eq!(decide(&wf, &f), back(Reason::OtherTeam));
        let f = Facts { mover: mover(&wf, "kt", false), ..f };
        assert_eq!(decide(&wf, &f), Decision::Wait(crate::decide::WaitFor::Note));
    }

    #[test]
    fn a_stand_in_is_recorded_as_such() {
        let wf = wf();
        let l = letter("menunggu_tte", "dewi");
        let place = classify(&wf, "05-menunggu-tte/revisi/SK-2026-0001 X.pdf");
        let f =
            Facts { note: Note::Found, mover: mover(&wf, "plh", true), ..Facts::of(&place, Some(&l), &Content::Known) };
        assert_eq!(on_behalf_of(&wf, &f, "revisi").as_deref(), Some("kepala"));
        let f = Facts { mover: mover(&wf, "kepala", true), ..f };
        assert_eq!(on_behalf_of(&wf, &f, "revisi"), None);
    }

    #[test]
    fn a_letter_saved_over_is_the_drafter_s_to_correct() {
        // With the audit log, who saved over a letter's file is known: the
        // drafter rule decides, not who may add files to the folder.
        let wf = wf();
        let l = letter("verifikasi", "dewi");
        let place = classify(&wf, "02-verifikasi/SK-2026-0001 X.pdf");
        let who = |login: &str| Owner::Person { login: login.into(), roles: wf.person(login).unwrap().roles.clone() };
        let f = Facts { at_recorded_path: true, owner: who("kt"), ..Facts::of(&place, Some(&l), &Content::Pdf) };
        assert_eq!(decide(&wf, &f), Decision::Reject { reason: Reason::NotDrafter, detail: "Dewi".into() });
        let f = Facts { owner: who("dewi"), ..f };
        assert_eq!(decide(&wf, &f), Decision::Track);
    }

    #[test]
    fn hand_offs_and_cancellations() {
        let wf = wf();
        // 04 -> 05 is the Sekretaris's hand-off.
        let l = letter("ajukan_tte", "dewi");
        let rel = "05-menunggu-tte/SK-2026-0001 X.pdf";
        assert!(matches!(moved(&wf, &l, rel, mover(&wf, "sek", true)), Decision::Move { .. }));
        assert_eq!(moved(&wf, &l, rel, mover(&wf, "kt", true)), back(Reason::NotYourMove));
        // Anyone may cancel (batal/ is everyone's).
        let l = letter("verifikasi", "dewi");
        let d = moved(&wf, &l, "batal/SK-2026-0001 X.pdf", mover(&wf, "dewi", true));
        assert!(matches!(d, Decision::Move { ref action, .. } if action == "cancel"), "{d:?}");
        // A letter moved where its step does not lead goes back as before.
        let d = moved(&wf, &l, "03-kelengkapan/setuju/SK-2026-0001 X.pdf", mover(&wf, "kt", true));
        assert_eq!(d, back(Reason::WrongFolder));
    }
}
