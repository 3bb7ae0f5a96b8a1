//! The `letters` and `office` sections: letter ids, the agenda number's
//! format and sequence, how draft names are read, and the letter defaults.

use super::context::{Ctx, Parts, list};
use crate::letter::metadata::Defaults;
use crate::letter::numbering::Scope;
use crate::workflow::model::{NUMBER_PLACEHOLDERS, Person, StepKind};
use crate::workflow::raw::{RawLetterDefaults, RawLetters, RawWorkflow};
use std::collections::BTreeMap;

/// Letter ids, the number format and sequence, draft names and defaults.
pub(super) fn letters(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let letters = &raw.letters;
    parts.id_prefix = id_prefix(cx, letters);
    parts.number_format = number_format(cx, letters);
    parts.filename_pattern = Some(filename_pattern(cx, letters));
    parts.defaults = defaults(cx, &letters.defaults);
    let scope = letters.sequence.scope.unwrap_or(Scope::Year);
    parts.last_used = last_used(cx, letters, scope);
    parts.scope = Some(scope);
}

/// The roles that may choose a sifat other than Biasa: roles that exist
/// (after the roles, people and steps checks). Such drafts are placed by
/// someone of these roles, so with people listed, one of them must also
/// hold the drafting step's role (a warning otherwise).
pub(super) fn sifat_roles(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let Some(roles) = &raw.letters.sifat_roles else { return };
    for r in roles {
        if !parts.role_ids.contains(&r.value) {
            cx.err(
                &r.referenced,
                format!(
                    "letters.sifat_roles: role {:?} does not exist; known roles: {}",
                    r.value,
                    list(&parts.role_ids)
                ),
            );
        }
    }
    let names: Vec<String> = roles.iter().map(|r| r.value.clone()).collect();
    let drafting = parts.steps.iter().find(|s| s.kind == StepKind::Drop).and_then(|s| s.role.as_deref());
    let can_place =
        |p: &&Person| p.roles.iter().any(|r| names.contains(r)) && p.roles.iter().any(|r| Some(r.as_str()) == drafting);
    if let (Some(first), Some(drafting)) = (roles.first(), drafting)
        && !parts.people.is_empty()
        && !parts.people.iter().any(|p| can_place(&p))
    {
        cx.warn(
            &first.referenced,
            format!(
                "letters.sifat_roles: nobody with these roles also has the drafting role {drafting:?}, so nobody can place a Penting or Rahasia draft; give the secretary both roles"
            ),
        );
    }
    parts.sifat_roles = Some(names);
}

/// The office's unit code, used in agenda numbers.
pub(super) fn office(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    parts.unit_code = match &raw.office.unit_code {
        Some(u) => {
            if u.value.is_empty() || !u.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                cx.err(&u.referenced, format!("unit_code {:?} must be letters, digits or dots", u.value));
            }
            u.value.clone()
        }
        None => "17000".into(),
    };
}

fn id_prefix(cx: &mut Ctx, letters: &RawLetters) -> String {
    match &letters.id_prefix {
        Some(p) => {
            let ok = p.value.len() <= 8
                && p.value.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && p.value.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                cx.err(
                    &p.referenced,
                    format!(
                        "id_prefix {:?} must be 1 to 8 capital letters or digits, starting with a letter (e.g. SK)",
                        p.value
                    ),
                );
            }
            p.value.clone()
        }
        None => "SK".to_string(),
    }
}

fn number_format(cx: &mut Ctx, letters: &RawLetters) -> String {
    match &letters.number_format {
        Some(f) => {
            if let Err(e) = number_format_problem(&f.value) {
                cx.err(&f.referenced, format!("letters.number_format: {e}"));
            }
            f.value.clone()
        }
        None => "{sifat}-{seq:03}/{unit}/{klasifikasi}/{tahun}".to_string(),
    }
}

fn filename_pattern(cx: &mut Ctx, letters: &RawLetters) -> regex::Regex {
    match &letters.filename_pattern {
        Some(p) => match regex::Regex::new(&p.value) {
            Ok(re) => {
                let names: Vec<&str> = re.capture_names().flatten().collect();
                if !names.contains(&"perihal") {
                    cx.err(&p.referenced, "letters.filename_pattern needs a group (?P<perihal>...) for the subject");
                }
                if let Some(bad) = names.iter().find(|n| !["perihal", "klasifikasi"].contains(n)) {
                    cx.err(
                        &p.referenced,
                        format!("letters.filename_pattern: unknown group {bad:?}; known: perihal, klasifikasi"),
                    );
                }
                re
            }
            Err(e) => {
                cx.err(&p.referenced, format!("letters.filename_pattern is not a valid regular expression: {e}"));
                regex::Regex::new(crate::letter::metadata::DEFAULT_FILENAME_PATTERN).expect("built-in pattern")
            }
        },
        None => regex::Regex::new(crate::letter::metadata::DEFAULT_FILENAME_PATTERN).expect("built-in pattern"),
    }
}

fn defaults(cx: &mut Ctx, d: &RawLetterDefaults) -> Defaults {
    let default_sifat = match &d.sifat {
        Some(s) => match crate::letter::metadata::sifat_code(&s.value) {
            Some(c) => c.to_string(),
            None => {
                cx.err(
                    &s.referenced,
                    format!("letters.defaults.sifat {:?} must be Biasa (B), Penting (P) or Rahasia (R)", s.value),
                );
                "B".into()
            }
        },
        None => "B".into(),
    };
    let default_klasifikasi = match &d.klasifikasi {
        Some(k) => match crate::letter::metadata::klasifikasi_code(&k.value) {
            Some(c) => Some(c),
            None => {
                cx.err(
                    &k.referenced,
                    format!("letters.defaults.klasifikasi {:?} is not a classification code such as KP.650", k.value),
                );
                None
            }
        },
        None => None,
    };
    Defaults { sifat: default_sifat, klasifikasi: default_klasifikasi }
}

/// The office's last numbers before suratd, per sequence of `scope`.
fn last_used(cx: &mut Ctx, letters: &RawLetters, scope: Scope) -> BTreeMap<String, i64> {
    let mut last_used = BTreeMap::new();
    for (key, n) in &letters.sequence.last_used {
        let key_ok = match scope {
            Scope::Year => key.len() == 4 && key.parse::<i32>().is_ok(),
            Scope::All => key == "all",
        };
        if !key_ok {
            cx.err(&n.referenced, format!(
                "letters.sequence.last_used: {key:?} is not a sequence of this scope (a year such as 2025, or `all` with scope: all)"
            ));
        }
        if n.value < 0 {
            cx.err(&n.referenced, "letters.sequence.last_used must be 0 or more");
        }
        last_used.insert(key.clone(), n.value);
    }
    last_used
}

/// Why a number format is unusable: unknown placeholders, a bad padding,
/// or no `{seq}` (numbers would not be unique).
pub fn number_format_problem(format: &str) -> Result<(), String> {
    let mut has_seq = false;
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err("stray '}'".into());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("unclosed '{'")?;
        let token = &after[..close];
        let (name, spec) = match token.split_once(':') {
            Some((n, s)) => (n, Some(s)),
            None => (token, None),
        };
        if !NUMBER_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{token}}}; known: {}",
                NUMBER_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(spec) = spec {
            let width = spec.strip_prefix('0').and_then(|w| w.parse::<u8>().ok());
            if name != "seq" || !width.is_some_and(|w| (1..=9).contains(&w)) {
                return Err(format!("bad padding in {{{token}}}; write for example {{seq:03}}"));
            }
        }
        has_seq |= name == "seq";
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err("stray '}'".into());
    }
    if !has_seq {
        return Err("the format needs {seq}, or numbers would repeat".into());
    }
    Ok(())
}
