//! Who a file belongs to: its owner on the server, as a login name, and the
//! person in workflow.yaml with that login; and when the owner names nobody
//! (a file suratd wrote belongs to the user suratd runs as, whoever edited
//! it since).

use std::os::unix::fs::MetadataExt;

/// The login name of the file's owner (or `uid:N` when the system has no
/// name for it).
pub fn login_of(meta: &std::fs::Metadata) -> String {
    let uid = meta.uid();
    match uzers::get_user_by_uid(uid) {
        Some(u) => u.name().to_string_lossy().into_owned(),
        None => format!("uid:{uid}"),
    }
}

/// The actor recorded when a file's owner says nothing about who changed
/// it; never verified.
pub(crate) const UNKNOWN_ACTOR: &str = "unknown";

/// Whether the file belongs to the user suratd runs as: suratd wrote it
/// (a stamped or signing copy), so its owner is suratd, not whoever edited
/// it in place since.
pub(crate) fn is_service_user(meta: &std::fs::Metadata) -> bool {
    meta.uid() == rustix::process::geteuid().as_raw()
}
