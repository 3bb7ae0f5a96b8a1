//! The web board's settings (`web.*` in suratd.yaml): where it listens,
//! whose passwords let people in, and who sees every letter.

use super::abs;
use crate::util::yaml::Diagnostic;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWeb {
    enabled: Option<bool>,
    listen: Option<Spanned<String>>,
    users: Option<PathBuf>,
    #[serde(default)]
    admins: Vec<String>,
}

/// The web board (`web.*`): where it listens, whose passwords let people
/// in, and who sees every letter.
#[derive(Debug, Clone)]
pub struct Web {
    pub enabled: bool,
    pub listen: std::net::SocketAddr,
    /// The users file (`suratd web passwd`); default `web-users` beside the
    /// database. While it does not exist, only a loopback address may serve.
    pub users: PathBuf,
    /// Logins that see every letter, Rahasia ones too (besides the people
    /// whose email is in `admins`).
    pub admins: Vec<String>,
}

/// The board's address is `HOST:PORT` (an IP address: the board never
/// resolves names, so `localhost` cannot turn into something else).
pub(super) fn resolve(diags: &mut Vec<Diagnostic>, label: &str, raw: &RawWeb, base: &Path, database: &Path) -> Web {
    let default: std::net::SocketAddr = ([127, 0, 0, 1], 8024).into();
    let listen = match &raw.listen {
        None => default,
        Some(l) => l.value.trim().parse().unwrap_or_else(|_| {
            let msg = format!(
                "web.listen {:?} is not an address and port; write e.g. 127.0.0.1:8024 (this server only) or \
                 0.0.0.0:8024 (every network, once people have passwords)",
                l.value
            );
            diags.push(Diagnostic::error(label, Some(&l.referenced), msg));
            default
        }),
    };
    let users = raw
        .users
        .as_ref()
        .map(|p| abs(base, p))
        .unwrap_or_else(|| database.parent().unwrap_or(Path::new(".")).join("web-users"));
    Web { enabled: raw.enabled.unwrap_or(true), listen, users, admins: raw.admins.clone() }
}
