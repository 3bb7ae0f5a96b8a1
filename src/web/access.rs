//! Who may see a letter's subject and files on the board: a pure decision
//! from the workflow, the letter and the viewer. Every letter's place
//! (id, step, times) is shown to everyone logged in; a Rahasia letter's
//! subject, addressees, notes and files only to the people of the steps it
//! passes through (its drafter; the holders of each later step's role, of the
//! letter's team where the role is per team; the listed signers) and the
//! admins.

use super::Viewer;
use crate::store::db::LetterRow;
use crate::workflow::StepKind;
use crate::workflow::Workflow;

/// Whether the letter is Rahasia (its sifat, as registered).
pub(crate) fn is_secret(l: &LetterRow) -> bool {
    l.sifat.as_deref() == Some("R")
}

/// The letter's team: its drafter's.
pub(crate) fn team_of<'a>(wf: &'a Workflow, l: &LetterRow) -> Option<&'a str> {
    l.drafter.as_deref().and_then(|d| wf.person(d)).and_then(|p| p.team.as_deref())
}

/// Whether `viewer` may see the letter's subject and files.
pub(crate) fn sees(wf: &Workflow, viewer: &Viewer, l: &LetterRow) -> bool {
    if !is_secret(l) || viewer.admin {
        return true;
    }
    let Some(login) = viewer.login.as_deref() else { return false };
    if l.drafter.as_deref() == Some(login) {
        return true;
    }
    let Some(person) = wf.person(login) else { return false };
    let team = team_of(wf, l);
    // The drafting step's role is every drafter's: only this letter's
    // drafter is of its drafting step.
    wf.steps.iter().filter(|s| s.kind != StepKind::Drop).any(|step| {
        let by_role = step.role.as_deref().is_some_and(|r| {
            person.roles.iter().any(|pr| pr == r)
                && (!wf.roles.iter().any(|x| x.id == r && x.per_team)
                    || (team.is_some() && person.team.as_deref() == team))
        });
        let as_signer = step.signers.iter().any(|s| s == login || person.roles.iter().any(|r| r == s));
        by_role || as_signer
    })
}

/// What the board shows for a subject the viewer may not see.
pub(crate) const HIDDEN: &str = "(Rahasia)";

/// The subject as this viewer may see it.
pub(crate) fn subject<'a>(wf: &Workflow, viewer: &Viewer, l: &'a LetterRow) -> &'a str {
    if sees(wf, viewer, l) { &l.subject } else { HIDDEN }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(sifat: &str, drafter: &str) -> LetterRow {
        LetterRow {
            id: "SK-2026-0001".into(),
            year: 2026,
            seq: 1,
            number: None,
            subject: "Mutasi pegawai".into(),
            drafter: Some(drafter.into()),
            state: "in_review".into(),
            step: "verifikasi".into(),
            path: None,
            sha256: String::new(),
            size: 0,
            mtime_ns: 0,
            created_at: String::new(),
            step_since: String::new(),
            sifat: Some(sifat.into()),
            klasifikasi: None,
            tanggal: None,
            metadata: None,
        }
    }

    fn who(login: &str) -> Viewer {
        Viewer { login: Some(login.into()), admin: false }
    }

    /// The built-in office: the people of each role and team.
    fn office() -> Workflow {
        crate::records::people::office_workflow()
    }

    fn first_with(wf: &Workflow, f: impl Fn(&crate::workflow::Person) -> bool) -> String {
        wf.people.iter().find(|p| f(p)).map(|p| p.login.clone()).expect("the office has such a person")
    }

    #[test]
    fn a_biasa_letter_is_seen_by_everyone() {
        let wf = office();
        let anyone = wf.people.last().unwrap().login.clone();
        assert!(sees(&wf, &who(&anyone), &letter("B", "nobody")));
    }

    #[test]
    fn a_rahasia_letter_is_hidden_from_a_drafter_of_another_team_and_seen_by_its_own_people() {
        let wf = office();
        let per_team: Vec<&str> = wf.roles.iter().filter(|r| r.per_team).map(|r| r.id.as_str()).collect();
        let drafter = first_with(&wf, |p| p.team.is_some());
        let team = wf.person(&drafter).unwrap().team.clone();
        let l = letter("R", &drafter);
        assert!(sees(&wf, &who(&drafter), &l));
        assert_eq!(subject(&wf, &who(&drafter), &l), "Mutasi pegawai");
        // A leader of another team: the per-team role is not theirs for this letter.
        let stranger = first_with(&wf, |p| {
            p.team.is_some() && p.team != team && p.roles.iter().all(|r| per_team.contains(&r.as_str()))
        });
        assert!(!sees(&wf, &who(&stranger), &l), "{stranger} must not see a letter of team {team:?}");
        assert_eq!(subject(&wf, &who(&stranger), &l), HIDDEN);
        // Someone of a step for the whole office (the secretary, the head) sees it.
        let office_wide = first_with(&wf, |p| {
            p.roles
                .iter()
                .any(|r| !per_team.contains(&r.as_str()) && wf.steps.iter().any(|s| s.role.as_deref() == Some(r)))
        });
        assert!(sees(&wf, &who(&office_wide), &l));
        // The admins see everything; an unknown login nothing.
        assert!(sees(&wf, &Viewer { login: Some("x".into()), admin: true }, &l));
        assert!(!sees(&wf, &who("tidak-dikenal"), &l));
    }
}
