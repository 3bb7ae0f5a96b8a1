//! Who may sign at a signed-drop step: the signer of every signature must
//! be one of the step's `signers` with a signing identity. Where none of
//! them has an identity (a fresh install), a signature that chains to a
//! trust anchor is taken, noted as "signer not pinned".

use crate::pdf::signature::{Report, SigCheck};
use crate::workflow::{Step, Workflow};

/// The note on the audit trail when nobody's identity is configured.
pub const NOT_PINNED: &str = "signer not pinned";

/// Why the signers of a signature that holds may not sign letters at
/// `step` (Indonesian, for the reason file), or `None` when they may. A
/// step with no pinned signer adds the "signer not pinned" note instead.
pub(crate) fn refusal(wf: &Workflow, step: &Step, report: &mut Report) -> Option<String> {
    let pinned: Vec<_> =
        wf.signers_of(step).into_iter().filter_map(|p| wf.signing.get(&p.login).map(|id| (p, id))).collect();
    if pinned.is_empty() {
        report.notes.push(NOT_PINNED.into());
        return None;
    }
    let stranger = report.signers().find(|s| !pinned.iter().any(|(_, id)| id.matches(&s.subject, &s.issuer)))?;
    let may: Vec<&str> = pinned.iter().map(|(p, _)| p.name.as_str()).collect();
    Some(format!(
        "surat ini ditandatangani oleh {}, yang tidak termasuk penanda tangan yang ditetapkan; yang boleh menandatangani: {}",
        who(stranger),
        may.join(", ")
    ))
}

/// A signer as people know them: the name, with the NIK/NIP serial when
/// the certificate has one.
fn who(s: &SigCheck) -> String {
    match s.subject.iter().find(|(k, _)| k == "serialNumber") {
        Some((_, serial)) => format!("{} ({})", s.signer, crate::pdf::signature::one_line(serial)),
        None => s.signer.clone(),
    }
}
