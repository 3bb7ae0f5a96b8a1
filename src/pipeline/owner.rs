//! Who a file belongs to: its owner on the server, as a login name, and the
//! person in workflow.yaml with that login.

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
