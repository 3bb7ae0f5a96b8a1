//! The `reminders` section: when overdue letters are escalated, to whom, and
//! when the daily digest goes out.

use super::context::{Ctx, Parts};
use crate::workflow::model::Reminders;
use crate::workflow::raw::RawWorkflow;

/// The escalation role exists; the digest time is a time of day.
pub(super) fn reminders(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    let r = &raw.reminders;
    if let Some(role) = &r.escalate_to
        && !parts.role_ids.contains(&role.value)
    {
        cx.err(&role.referenced, format!("reminders.escalate_to: role {:?} does not exist", role.value));
    }
    let digest_at = r.digest_at.as_ref().and_then(|t| {
        let parsed = chrono::NaiveTime::parse_from_str(t.value.trim(), "%H:%M").ok();
        if parsed.is_none() {
            cx.err(&t.referenced, format!("reminders.digest_at {:?} is not a time like 07:30", t.value));
        }
        parsed
    });
    parts.reminders = Some(Reminders {
        escalate_after: r.escalate_after.as_ref().map(|d| d.value.0).unwrap_or(std::time::Duration::from_secs(3600)),
        escalate_to: r.escalate_to.as_ref().map(|x| x.value.clone()),
        digest_at,
    });
}
