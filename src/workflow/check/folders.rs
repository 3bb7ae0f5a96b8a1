//! Folders on the share: names Windows can show, each folder owned by one
//! thing (a step, an outcome, the rejected folder), none inside another step's.

/// Why `folder` cannot be a folder name on the share, if it cannot.
pub fn folder_problem(folder: &str) -> Option<String> {
    if folder.is_empty() {
        return Some("folder is empty".into());
    }
    if folder.starts_with('/') || folder.contains('\\') {
        return Some(format!("folder {folder:?} must be relative to the share root, with / between parts"));
    }
    for part in folder.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Some(format!("folder {folder:?} has an empty, '.' or '..' part"));
        }
        if let Some(c) = part.chars().find(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()) {
            return Some(format!("folder {folder:?} contains {c:?}, which Windows cannot show"));
        }
        if part.ends_with('.') || part.ends_with(' ') || part.starts_with(' ') {
            return Some(format!("folder {folder:?} has a part that starts or ends with a space or ends with a dot"));
        }
    }
    None
}
