//! The share's access rules for Samba and the file system, from the
//! workflow: a share section for smb.conf (everyone in a role group may use
//! the share; no `force user`, so a file's owner names who dropped it), and
//! per folder a POSIX ACL giving write access to the groups of the roles
//! that may place files there (`suratd-<role>`), read access to the rest.

use crate::workflow::Workflow;
use crate::workflow::layout::{self, Place};
use std::path::Path;
use std::process::Command;

/// The Unix group for a role.
pub fn group(role: &str) -> String {
    format!("suratd-{role}")
}

/// Each workflow folder with the groups that may write it.
pub fn rules(wf: &Workflow) -> Vec<(String, Vec<String>)> {
    wf.folders()
        .into_iter()
        .map(|f| {
            let place = layout::classify(wf, &format!("{f}/x"));
            let groups = match place {
                Place::Step { .. } => layout::writers(wf, &place).iter().map(|r| group(r)).collect(),
                _ => vec![],
            };
            (f, groups)
        })
        .collect()
}

/// The smb.conf section for the share.
pub fn share_section(wf: &Workflow, root: &Path, name: &str) -> String {
    let mut groups: Vec<String> = wf.roles.iter().map(|r| format!("@{}", group(&r.id))).collect();
    groups.sort();
    let mut out = format!(
        "[{name}]\n   comment = Surat keluar {office} (suratd)\n   path = {path}\n   browseable = yes\n   read only = no\n   valid users = {users} suratd\n   write list = {users} suratd\n   create mask = 0660\n   force create mode = 0660\n   directory mask = 2770\n   force directory mode = 2770\n   inherit acls = yes\n   map acl inherit = yes\n   hide unreadable = no\n   ; No \"force user\" or \"force group\": suratd names who dropped a file from its owner.\n   ; Who may write which folder is set by POSIX ACLs (suratd init --samba):\n",
        office = wf.office.name,
        path = root.display(),
        users = groups.join(" "),
    );
    for (folder, writers) in rules(wf) {
        let who = if writers.is_empty() { "suratd only".to_string() } else { writers.join(", ") };
        out.push_str(&format!(";   {folder}: {who}\n"));
    }
    out
}

/// Sets the folders' ACLs; returns what was done or what is missing.
pub fn apply(wf: &Workflow, root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if Command::new("setfacl").arg("--version").output().is_err() {
        out.push("setfacl is not installed (Debian: apt-get install acl); folder ACLs not set".into());
        return out;
    }
    for (folder, writers) in rules(wf) {
        let path = root.join(&folder);
        let mut spec = vec!["u::rwx".to_string(), "g::r-x".into(), "o::---".into(), "m::rwx".into()];
        for g in &writers {
            if uzers::get_group_by_name(g).is_none() {
                out.push(format!("group {g} does not exist (groupadd {g}, add its people, run again)"));
                continue;
            }
            spec.push(format!("g:{g}:rwx"));
        }
        let spec = spec.join(",");
        let default_spec = spec.split(',').map(|e| format!("d:{e}")).collect::<Vec<_>>().join(",");
        let status = Command::new("setfacl").arg("--set").arg(format!("{spec},{default_spec}")).arg(&path).status();
        match status {
            Ok(s) if s.success() => out.push(format!("{folder}: {spec}")),
            Ok(s) => out.push(format!("{folder}: setfacl failed ({s})")),
            Err(e) => out.push(format!("{folder}: setfacl failed ({e})")),
        }
    }
    out
}
