//! Who may sign: people's signing identities (`people[].signing`: subject
//! fields and/or a certificate file) and the `signers` of signed-drop
//! steps, which must name roles or people. A signed-drop step whose
//! signers have no identity is accepted with a warning ("signer not
//! pinned"): any signature that chains to a trust anchor is then taken.

use super::context::{Ctx, Parts, list};
use crate::workflow::model::{SigningIdentity, StepKind};
use crate::workflow::raw::{RawSigning, RawWorkflow};
use serde_saphyr::Location;
use std::path::Path;

/// Signing identities first (the steps' check needs them), then signers.
pub(super) fn check(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    for p in &raw.people {
        if let Some(s) = &p.value.signing
            && let Some(id) = identity(cx, &s.referenced, &s.value)
        {
            parts.signing.insert(p.value.login.value.clone(), id);
        }
    }
    for s in &raw.steps {
        let s = &s.value;
        let kind = s.kind.value;
        if kind != StepKind::SignedDrop {
            if let Some(first) = s.signers.first() {
                cx.err(&first.referenced, "`signers` belongs to a signed_drop step only");
            }
            continue;
        }
        let logins: std::collections::HashSet<String> = parts.people.iter().map(|p| p.login.clone()).collect();
        for n in &s.signers {
            if !parts.role_ids.contains(&n.value) && !logins.contains(&n.value) {
                cx.err(
                    &n.referenced,
                    format!(
                        "signer {:?} is neither a role nor a person's login; roles: {}",
                        n.value,
                        list(&parts.role_ids)
                    ),
                );
            }
        }
        let Some(step) = parts.steps.iter().find(|x| x.id == s.id.value) else { continue };
        let names: Vec<String> = s.signers.iter().map(|n| n.value.clone()).collect();
        let named: Vec<&str> = parts
            .people
            .iter()
            .filter(|p| names.iter().any(|n| *n == p.login || p.roles.contains(n)))
            .map(|p| p.login.as_str())
            .collect();
        let pinned = named.iter().any(|l| parts.signing.contains_key(*l));
        let unpinned: Vec<&str> = named.iter().copied().filter(|l| !parts.signing.contains_key(*l)).collect();
        if pinned && !unpinned.is_empty() {
            cx.warn(
                &s.signers[0].referenced,
                format!(
                    "{} may sign at step {:?} but {} no `signing` identity; letters they sign are refused",
                    unpinned.join(", "),
                    step.id,
                    if unpinned.len() == 1 { "has" } else { "have" }
                ),
            );
        }
        if s.signers.is_empty() {
            cx.warn(
                &s.kind.referenced,
                format!(
                    "signer not pinned: step {:?} has no `signers`; any signature that chains to a trust anchor is accepted",
                    step.id
                ),
            );
        } else if !pinned {
            cx.warn(
                &s.signers[0].referenced,
                format!(
                    "signer not pinned: no person of the `signers` of step {:?} has a `signing` identity; any signature that chains to a trust anchor is accepted",
                    step.id
                ),
            );
        }
    }
}

/// A signing identity from its subject fields and/or certificate file.
fn identity(cx: &mut Ctx, loc: &Location, s: &RawSigning) -> Option<SigningIdentity> {
    let (mut subject, mut issuer) = (Vec::new(), Vec::new());
    if let Some(c) = &s.certificate {
        let base = Path::new(cx.file).parent().unwrap_or(Path::new("."));
        match certificate_names(&base.join(&c.value)) {
            Ok(names) => (subject, issuer) = names,
            Err(e) => cx.err(&c.referenced, e),
        }
    }
    for (k, v) in &s.subject {
        if v.value.trim().is_empty() {
            cx.err(&v.referenced, format!("subject field {k:?} is empty"));
        }
        subject.retain(|(x, _)| !x.eq_ignore_ascii_case(k));
        subject.push((k.clone(), v.value.clone()));
    }
    if subject.is_empty() {
        cx.err(loc, "`signing` needs `subject` fields (e.g. CN, serialNumber) or a `certificate` file");
        return None;
    }
    Some(SigningIdentity { subject, issuer })
}

/// The subject and issuer of the first certificate in a PEM or DER file.
type Names = (Vec<(String, String)>, Vec<(String, String)>);
fn certificate_names(path: &Path) -> Result<Names, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the certificate {}: {e}", path.display()))?;
    let cert = openssl::x509::X509::from_pem(&bytes)
        .or_else(|_| openssl::x509::X509::from_der(&bytes))
        .map_err(|_| format!("{} holds no certificate (PEM or DER)", path.display()))?;
    Ok((crate::pdf::signature::subject_of(&cert), crate::pdf::signature::name_fields(cert.issuer_name())))
}
