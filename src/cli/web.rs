//! `suratd web passwd LOGIN`: sets a person's password for the web board
//! (in the users file, `web.users`). The first password set makes the board
//! ask everyone to log in.

use super::output::fail;
use crate::config::Config;
use crate::workflow::Workflow;
use std::io::IsTerminal;
use std::process::ExitCode;

/// The shortest password accepted.
const MIN_LEN: usize = 8;

fn read_password() -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            return Err(std::io::Error::other("the two passwords differ; nothing was changed"));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub(super) fn passwd(cfg: &Config, wf: &Workflow, login: &str) -> ExitCode {
    if wf.person(login).is_none() {
        return fail(format!(
            "{login:?} is not a person in {}: add them under `people:` first (the login is their user name on the share)",
            wf.source
        ));
    }
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot read the password: {e}")),
    };
    if password.chars().count() < MIN_LEN {
        return fail(format!("the password is shorter than {MIN_LEN} characters; nothing was changed"));
    }
    let first = !cfg.web.users.exists();
    match crate::web::auth::set_password(&cfg.web.users, login, &password) {
        Ok(()) => {
            println!("Password set for {login} in {}.", cfg.web.users.display());
            if first {
                println!("The web board now asks everyone to log in (restart not needed).");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{e:#}")),
    }
}
