//! *Masuk* (`/masuk`): the login form. The form posts to itself; the
//! server checks the password (`auth`) and sets the session cookie.

use maud::{DOCTYPE, Markup, html};

/// The login page, with an error line when the last try failed. `office`
/// is the office's name; `next` where to go after logging in.
pub(crate) fn page(office: &str, error: Option<&str>, next: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="id" {
            (crate::web::layout::head("Masuk", office, false))
            body {
                form.masuk method="post" action="/masuk" {
                    h1 { "Surat Keluar" }
                    p.kecil { (office) }
                    @if let Some(e) = error { p.galat role="alert" { (e) } }
                    input type="hidden" name="next" value=(next);
                    label { "Nama pengguna (login)" input type="text" name="login" autocomplete="username" required autofocus; }
                    label { "Kata sandi" input type="password" name="password" autocomplete="current-password" required; }
                    button type="submit" { "Masuk" }
                    p.kecil { "Kata sandi diatur oleh admin dengan " code { "suratd web passwd" } "." }
                }
            }
        }
    }
}
