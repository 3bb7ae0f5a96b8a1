//! The frame around every page (title, office, menu, who is logged in) and
//! the two static files served from the binary: the stylesheet and the
//! script for live updates. Pages work without the script; nothing comes
//! from the internet.

use super::Ctx;
use maud::{DOCTYPE, Markup, html};

/// The stylesheet (`/static/papan.css`): readable printed too.
pub(crate) const CSS: &str = include_str!("static/papan.css");
/// The live-update script (`/static/papan.js`), the only script a page runs.
pub(crate) const JS: &str = include_str!("static/papan.js");

/// The menu: path and label.
const MENU: [(&str, &str); 6] = [
    ("/", "Papan"),
    ("/agenda", "Agenda"),
    ("/ekspedisi", "Ekspedisi"),
    ("/kinerja", "Kinerja"),
    ("/alur", "Alur"),
    ("/surat", "Cari Surat"),
];

/// The `<head>` of every page: its title, the stylesheet, and (`live`)
/// the script.
pub(crate) fn head(title: &str, office: &str, live: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Surat Keluar · " (office) }
            link rel="stylesheet" href="/static/papan.css";
            @if live { script src="/static/papan.js" defer {} }
        }
    }
}

/// A whole page: `here` is the menu path to mark, `live` whether the page
/// refreshes its `#isi` when letters move.
pub(crate) fn page(ctx: &Ctx, title: &str, here: &str, live: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="id" {
            (head(title, &ctx.wf.office.name, live))
            body data-live=(if live { "1" } else { "0" }) {
                header.atas {
                    div.kantor { strong { "Surat Keluar" } " · " (ctx.wf.office.name) }
                    nav {
                        @for (path, label) in MENU {
                            @if path == here { a.aktif href=(path) aria-current="page" { (label) } }
                            @else { a href=(path) { (label) } }
                        }
                    }
                    div.siapa { (who(ctx)) }
                }
                main #isi { (body) }
                footer.bawah {
                    "Papan ini hanya menampilkan. Surat dipindahkan di folder bersama, sesuai SOP-024. "
                    "Diperbarui " (crate::util::timefmt::moment_id(ctx.now)) "."
                }
            }
        }
    }
}

/// Who is logged in, and the way out.
fn who(ctx: &Ctx) -> Markup {
    match &ctx.viewer.login {
        None => html! { span { "Admin server" } },
        Some(login) => {
            let name = ctx.wf.person(login).map(|p| p.name.as_str()).unwrap_or(login);
            html! {
                span { (name) @if ctx.viewer.admin { " (admin)" } }
                form.keluar method="post" action="/keluar" { button type="submit" { "Keluar" } }
            }
        }
    }
}

/// A short page saying what went wrong (no letter, no access).
pub(crate) fn message(ctx: &Ctx, title: &str, text: &str) -> Markup {
    page(ctx, title, "", false, html! { h1 { (title) } p { (text) } p { a href="/" { "Kembali ke papan" } } })
}
