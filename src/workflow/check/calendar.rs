//! The `calendar` section: the time zone, office hours, holidays and
//! periods of shorter hours that standard times count in.

use super::context::{Ctx, Parts};
use crate::workflow::raw::{RawCalendar, RawWorkflow};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The calendar section, checked and built.
pub(super) fn check(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    parts.calendar = calendar(cx, &raw.calendar);
}

/// The office calendar; unparsable parts are reported and left at defaults.
fn calendar(cx: &mut Ctx, raw: &RawCalendar) -> crate::workflow::calendar::Calendar {
    use crate::workflow::calendar::{self as cal, Calendar, Period};
    let mut c = Calendar::default();
    if let Some(tz) = &raw.timezone {
        match tz.value.parse::<chrono_tz::Tz>() {
            Ok(t) => c.tz = t,
            Err(_) => cx.err(
                &tz.referenced,
                format!("calendar.timezone {:?} is not a time zone such as Asia/Jakarta", tz.value),
            ),
        }
    }
    let week = |cx: &mut Ctx, map: &BTreeMap<String, Spanned<String>>| {
        let mut hours = [None; 7];
        for (day, h) in map {
            let Some(i) = cal::weekday(day) else {
                cx.err(&h.referenced, format!("{day:?} is not a weekday (mon..sun or senin..minggu)"));
                continue;
            };
            match cal::parse_hours(&h.value) {
                Some(x) => hours[i] = Some(x),
                None => cx.err(&h.referenced, format!("{:?} is not office hours like \"07:30-16:00\"", h.value)),
            }
        }
        hours
    };
    if let Some(h) = &raw.hours {
        c.hours = week(cx, h);
    }
    let date = |cx: &mut Ctx, d: &Spanned<String>| -> Option<chrono::NaiveDate> {
        let parsed = chrono::NaiveDate::parse_from_str(d.value.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            cx.err(&d.referenced, format!("{:?} is not a date like 2026-08-17", d.value));
        }
        parsed
    };
    for d in &raw.holidays {
        if let Some(x) = date(cx, d) {
            c.holidays.insert(x);
        }
    }
    for p in &raw.periods {
        let (from, to) = (date(cx, &p.value.from), date(cx, &p.value.to));
        let hours = week(cx, &p.value.hours);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                cx.err(&p.value.to.referenced, "the period ends before it starts");
            }
            c.periods.push(Period { from, to, hours });
        }
    }
    c
}
