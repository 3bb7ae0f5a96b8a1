//! *Alur* (`/alur`): the workflow drawn from workflow.yaml (steps, roles,
//! outcomes, standard times).

use crate::web::{Ctx, layout};
use maud::{Markup, html};

pub(crate) fn page(ctx: &Ctx) -> anyhow::Result<Markup> {
    Ok(layout::page(ctx, "Alur", "/alur", false, html! { h1 { "Alur" } }))
}
