//! Who did something, as people read it: names from workflow.yaml's
//! `people` and `roles` in place of logins, role ids and mail addresses.

use crate::workflow::Workflow;

/// What the books say for suratd's own sending (the office mailbox).
pub const SYSTEM: &str = "Sistem (email otomatis)";

/// The person's name, and the name of their role, for an actor as the trail
/// stores it: a login (`dewi`), a role at a step (`role:bagian_umum`: its
/// one holder, if only one person holds it), or a mail address. `step_role`
/// is the role of the step the move was made at, if known.
/// A role held per team (Ketua Tim) is named by its holder in `team` (the
/// drafter's).
pub fn who(
    wf: &Workflow,
    actor: &str,
    step_role: Option<&str>,
    team: Option<&str>,
) -> (Option<String>, Option<String>) {
    if let Some(role) = actor.strip_prefix("role:") {
        let per_team = wf.roles.iter().any(|r| r.id == role && r.per_team) && team.is_some();
        let holders: Vec<_> = wf
            .people
            .iter()
            .filter(|p| p.roles.iter().any(|r| r == role))
            .filter(|p| !per_team || p.team.as_deref() == team)
            .collect();
        let name = (holders.len() == 1).then(|| holders[0].name.clone());
        let role_name = wf.roles.iter().any(|r| r.id == role).then(|| wf.role_name(role).to_string());
        return (name, role_name);
    }
    let person = wf
        .person(actor)
        .or_else(|| wf.people.iter().find(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(actor))));
    match person {
        Some(p) => {
            let role = step_role
                .filter(|r| p.roles.iter().any(|x| x == r))
                .or_else(|| p.roles.first().map(String::as_str))
                .map(|r| wf.role_name(r).to_string());
            (Some(p.name.clone()), role)
        }
        None if actor.contains('@') => (Some(SYSTEM.to_string()), None),
        None => (Some(actor.to_string()), None),
    }
}

/// One line for a person: `Dewi Lestari (Bagian Umum)`, `Bagian Umum` when
/// the role has several holders, `-` when nothing is known.
pub fn display(wf: &Workflow, actor: &str, step_role: Option<&str>) -> String {
    display_in_team(wf, actor, step_role, None)
}

/// As [`display`], naming a per-team role by its holder in `team`.
pub fn display_in_team(wf: &Workflow, actor: &str, step_role: Option<&str>, team: Option<&str>) -> String {
    match who(wf, actor, step_role, team) {
        (Some(n), Some(r)) => format!("{n} ({r})"),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => "-".into(),
    }
}

/// The shipped workflow with an office's people, for tests: two team
/// leaders (teams `umum` and `ipds`), one of everyone else.
#[cfg(test)]
pub(crate) fn office_workflow() -> Workflow {
    let people = "people:
  - { login: rahmat, name: Rahmat Hidayat, email: rahmat@bps.go.id, roles: [anggota_tim], team: ipds }
  - { login: budi, name: Budi Santoso, roles: [ketua_tim], team: ipds }
  - { login: sari, name: Sari Wulandari, roles: [ketua_tim], team: umum }
  - { login: lina, name: Lina Marlina, roles: [sekretaris] }
  - { login: kepala, name: Dr. Win Rizal, roles: [kepala] }
  - { login: dewi, name: Dewi Lestari, email: dewi@bps.go.id, roles: [bagian_umum] }";
    let yaml = crate::workflow::BUILTIN
        .replace("people: []", people)
        .replace("teams:\n  - id: umum\n", "teams:\n  - id: ipds\n    name: Tim IPDS\n  - id: umum\n");
    Workflow::from_text("test", &yaml).unwrap().0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        office_workflow()
    }

    #[test]
    fn actors_are_named_as_people_and_roles() {
        let wf = wf();
        assert_eq!(display(&wf, "dewi", None), "Dewi Lestari (Bagian Umum)");
        assert_eq!(display(&wf, "role:bagian_umum", None), "Dewi Lestari (Bagian Umum)");
        assert_eq!(display(&wf, "role:ketua_tim", None), "Ketua Tim", "two team leaders: the role");
        assert_eq!(display_in_team(&wf, "role:ketua_tim", None, Some("ipds")), "Budi Santoso (Ketua Tim)");
        assert_eq!(display(&wf, "suratd@localhost", None), SYSTEM);
        assert_eq!(display(&wf, "DEWI@bps.go.id", None), "Dewi Lestari (Bagian Umum)");
    }
}
