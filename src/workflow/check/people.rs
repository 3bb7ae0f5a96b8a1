//! Roles, teams and people: ids that are well formed and unique, and people
//! whose roles, team and email exist and make sense.

use super::context::{Ctx, Parts, is_ident, list};
use crate::letter::metadata::email_problem;
use crate::workflow::model::{Person, Role, Team};
use crate::workflow::raw::{RawPerson, RawWorkflow};
use std::collections::HashSet;

/// Role ids well formed and unique.
pub(super) fn roles(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let (roles, role_ids) = (&mut parts.roles, &mut parts.role_ids);
    for r in &raw.roles {
        let id = &r.value.id;
        if !is_ident(&id.value) {
            cx.err(&id.referenced, format!("role id {:?} must be lower-case letters, digits, '_' or '-'", id.value));
        }
        if !role_ids.insert(id.value.clone()) {
            cx.err(&id.referenced, format!("role {:?} is defined twice", id.value));
        }
        roles.push(Role {
            id: id.value.clone(),
            name: r.value.name.clone().unwrap_or_else(|| id.value.clone()),
            per_team: r.value.per_team,
        });
    }
}

/// Team ids well formed and unique.
pub(super) fn teams(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let (teams, team_ids) = (&mut parts.teams, &mut parts.team_ids);
    for t in &raw.teams {
        let id = &t.value.id;
        if !is_ident(&id.value) {
            cx.err(&id.referenced, format!("team id {:?} must be lower-case letters, digits, '_' or '-'", id.value));
        }
        if !team_ids.insert(id.value.clone()) {
            cx.err(&id.referenced, format!("team {:?} is defined twice", id.value));
        }
        teams.push(Team { id: id.value.clone(), name: t.value.name.clone().unwrap_or_else(|| id.value.clone()) });
    }
}

/// Logins without spaces, each listed once, with what they link to.
pub(super) fn people(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let mut logins = HashSet::new();
    for p in &raw.people {
        let p = &p.value;
        let login = &p.login;
        if login.value.is_empty() || login.value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            cx.err(&login.referenced, format!("login {:?} must be a user name without spaces", login.value));
        }
        if !logins.insert(login.value.to_ascii_lowercase()) {
            cx.err(&login.referenced, format!("person with login {:?} is listed twice", login.value));
        }
        person_links(cx, parts, p);
        parts.people.push(Person {
            login: login.value.clone(),
            name: p.name.clone().unwrap_or_else(|| login.value.clone()),
            email: p.email.as_ref().map(|e| e.value.clone()),
            roles: p.roles.iter().map(|r| r.value.clone()).collect(),
            team: p.team.as_ref().map(|t| t.value.clone()),
        });
    }
}

/// A person's roles and team exist, their email is an address, and a
/// per-team role comes with a team.
fn person_links(cx: &mut Ctx, parts: &Parts, p: &RawPerson) {
    let (roles, role_ids, team_ids) = (&parts.roles, &parts.role_ids, &parts.team_ids);
    let login = &p.login;
    for r in &p.roles {
        if !role_ids.contains(&r.value) {
            cx.err(&r.referenced, format!("role {:?} does not exist; known roles: {}", r.value, list(role_ids)));
        }
    }
    if let Some(t) = &p.team
        && !team_ids.contains(&t.value)
    {
        cx.err(&t.referenced, format!("team {:?} does not exist; known teams: {}", t.value, list(team_ids)));
    }
    if let Some(e) = &p.email
        && let Some(problem) = email_problem(&e.value)
    {
        cx.err(&e.referenced, problem);
    }
    let needs_team = p.roles.iter().any(|r| roles.iter().any(|x| x.id == r.value && x.per_team));
    if needs_team && p.team.is_none() {
        cx.warn(
            &login.referenced,
            format!("{} has a per-team role but no team; letters cannot be routed to them by team", login.value),
        );
    }
}
