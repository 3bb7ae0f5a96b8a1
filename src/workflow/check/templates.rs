//! The texts people read (emails, the stamp, reason files): known kinds and
//! placeholders only; what the file leaves out comes from the built-in workflow.

use crate::util::yaml;
use crate::workflow::builtin::{BUILTIN, BUILTIN_LABEL};
use crate::workflow::model::*;
use crate::workflow::raw::RawWorkflow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub(super) fn builtin_templates() -> &'static RawTemplatesOwned {
    static T: OnceLock<RawTemplatesOwned> = OnceLock::new();
    T.get_or_init(|| {
        let raw: RawWorkflow = yaml::parse(BUILTIN_LABEL, BUILTIN).expect("built-in workflow.yaml parses");
        RawTemplatesOwned {
            stamp: raw.templates.stamp.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            stamp_states: raw.templates.stamp_states.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect(),
            email: raw
                .templates
                .email
                .iter()
                .map(|(k, v)| {
                    let t = EmailTemplate { subject: v.value.subject.value.clone(), body: v.value.body.value.clone() };
                    (k.clone(), t)
                })
                .collect(),
            reason_file: raw.templates.reason_file.map(|s| s.value).unwrap_or_default(),
            reasons: raw.templates.reasons.into_iter().map(|(k, v)| (k, v.value)).collect(),
        }
    })
}

pub(super) struct RawTemplatesOwned {
    pub(super) email: BTreeMap<String, EmailTemplate>,
    pub(super) stamp: String,
    pub(super) stamp_states: BTreeMap<String, String>,
    pub(super) reason_file: String,
    pub(super) reasons: BTreeMap<String, String>,
}
