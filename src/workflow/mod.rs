//! The workflow an admin describes in `workflow.yaml`. This module reads and
//! loads it; `raw` is the schema as written, `model` the validated roles,
//! teams, people, steps and texts, `check` the rules.

pub mod calendar;
pub mod check;
pub mod layout;
pub mod templates;

mod builtin;
mod model;
mod raw;

pub use builtin::{BUILTIN, BUILTIN_LABEL};
pub use model::*;
pub use raw::*;

use crate::util::yaml::{self, Diagnostic, Diagnostics};
use std::path::Path;

impl Workflow {
    /// Reads and validates a workflow file; `None` means the built-in one.
    /// Warnings are returned beside the workflow; errors fail.
    pub fn load(path: Option<&Path>) -> Result<(Workflow, Vec<Diagnostic>), Diagnostics> {
        let (label, text) = match path {
            None => (BUILTIN_LABEL.to_string(), BUILTIN.to_string()),
            Some(p) => {
                let label = p.display().to_string();
                let text = read_text(p).map_err(|m| Diagnostics(vec![Diagnostic::error(&label, None, m)]))?;
                (label, text)
            }
        };
        Self::from_text(&label, &text)
    }

    pub fn from_text(label: &str, text: &str) -> Result<(Workflow, Vec<Diagnostic>), Diagnostics> {
        let raw: RawWorkflow = yaml::parse(label, text).map_err(|d| Diagnostics(vec![d]))?;
        let (wf, diags) = crate::workflow::check::workflow(label, raw);
        match wf {
            Some(wf) if !diags.iter().any(Diagnostic::is_error) => Ok((wf, diags)),
            _ => Err(Diagnostics(diags)),
        }
    }
}

/// Reads a small text file written by an admin, with a size limit.
pub fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > yaml::MAX_YAML_BYTES as u64 {
        return Err(format!("{} is {} bytes; the limit is {} bytes", path.display(), meta.len(), yaml::MAX_YAML_BYTES));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!("{} is not UTF-8 text (byte {}); save it as UTF-8", path.display(), e.utf8_error().valid_up_to())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letter::reason::Reason;

    #[test]
    fn every_reason_has_a_text_in_the_shipped_workflow() {
        let raw: RawWorkflow = yaml::parse(BUILTIN_LABEL, BUILTIN).unwrap();
        let (wf, _) = Workflow::from_text(BUILTIN_LABEL, BUILTIN).unwrap();
        for r in Reason::all() {
            let written = raw.templates.reasons.get(r.code()).map(|t| t.value.trim().to_string());
            assert!(written.is_some_and(|t| !t.is_empty()), "workflow.yaml has no templates.reasons.{r}");
            assert_eq!(wf.templates.reason(r), raw.templates.reasons[r.code()].value, "{r}");
        }
        assert_eq!(raw.templates.reasons.len(), Reason::all().count(), "a text for a reason that is not one");
    }

    #[test]
    fn a_pinned_certificate_pins_its_issuer_and_every_entry_of_a_field() {
        let f = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let head = f(&[("C", "ID"), ("CN", "Kepala BPS")]);
        let root = f(&[("CN", "BSrE Root")]);
        let by_file = SigningIdentity { subject: head.clone(), issuer: root.clone() };
        assert!(by_file.matches(&head, &root));
        assert!(by_file.matches(&f(&[("C", "ID"), ("CN", " kepala bps ")]), &root), "case and spaces aside");
        assert!(!by_file.matches(&head, &f(&[("CN", "Other CA")])), "same subject, another authority");
        let smuggled = f(&[("C", "ID"), ("CN", "Orang Lain"), ("CN", "Kepala BPS")]);
        assert!(!by_file.matches(&smuggled, &root), "a second CN");
        let by_subject = SigningIdentity { subject: f(&[("CN", "Kepala BPS")]), issuer: Vec::new() };
        assert!(by_subject.matches(&head, &f(&[("CN", "Other CA")])), "a subject pin takes any trusted issuer");
    }

    #[test]
    fn a_reason_key_that_is_no_reason_is_an_error_naming_the_known_ones() {
        let text = BUILTIN.replace("    not_pdf: >-", "    bukan_pdf: >-");
        let err = Workflow::from_text("wf.yaml", &text).unwrap_err().to_string();
        assert!(
            err.contains("templates.reasons has no reason \"bukan_pdf\"; known reasons: not_pdf, office_document"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod attacks15 {
    use super::*;

    /// An office's own workflow whose review steps name their outcomes in
    /// their own words (`lanjut`, `kembali`), written before
    /// `templates.instructions` existed and so without it: the built-in
    /// instruction for review steps (`{setuju}`, `{revisi}`) does not fit
    /// it, and the whole workflow was refused, a working office stopped by
    /// an upgrade over a text it never wrote.
    #[test]
    fn attack_a_custom_workflow_with_its_own_outcome_names_is_refused_over_a_builtin_text() {
        let start = BUILTIN.find("  instructions:\n").unwrap();
        let end = BUILTIN.find("  # Who sent a letter back when the system itself did").unwrap();
        let text = format!("{}{}", &BUILTIN[..start], &BUILTIN[end..])
            .replace("      setuju: kelengkapan\n      revisi: draf", "      lanjut: kelengkapan\n      kembali: draf")
            .replace("      setuju: ajukan_tte\n      revisi: draf", "      lanjut: ajukan_tte\n      kembali: draf")
            .replace("    outcomes:\n      revisi: draf", "    outcomes:\n      kembali: draf")
            .replace("      terkirim: arsip", "      selesai: arsip")
            .replace("verifikasi.setuju:", "verifikasi.lanjut:")
            .replace("kelengkapan.setuju:", "kelengkapan.lanjut:");
        let (wf, _) = match Workflow::from_text("workflow.yaml", &text) {
            Ok(w) => w,
            Err(e) => panic!("an office's own workflow refused: {e}"),
        };
        // Its reviewers are still told what to do, with its real folders.
        let step = wf.step("verifikasi").unwrap();
        let told = crate::mail::compose::instruction(&wf, step, "SK-2026-0001");
        assert!(told.contains("02-verifikasi\\lanjut") && told.contains("02-verifikasi\\kembali"), "{told}");
        assert!(!told.contains('{'), "{told}");
    }
}
