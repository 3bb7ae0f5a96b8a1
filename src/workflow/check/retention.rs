//! The `retention` section: how long finished letters are kept, by
//! classification, group or `default`.

use super::context::{Ctx, Parts};
use crate::workflow::raw::RawWorkflow;

/// Keys are classifications, groups or `default`.
pub(super) fn retention(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    for (k, v) in &raw.retention {
        let ok = k == "default"
            || crate::letter::metadata::klasifikasi_code(k).is_some()
            || crate::letter::metadata::KLASIFIKASI_GROUPS.contains(&k.to_ascii_uppercase().as_str());
        if !ok {
            cx.err(
                &v.referenced,
                format!("retention: {k:?} is not a classification (KP.650), a group (KP) or `default`"),
            );
        }
    }
    parts.retention =
        raw.retention.iter().map(|(k, v)| (k.to_ascii_uppercase().replace("DEFAULT", "default"), v.value.0)).collect();
}
