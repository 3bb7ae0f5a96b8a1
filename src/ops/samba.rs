//! The share's access rules for Samba and the file system, from the
//! workflow: a share section for smb.conf (everyone in a role group may use
//! the share; no `force user`, so a file's owner names who dropped it), and
//! per folder a POSIX ACL (`suratd init --samba`).
//!
//! POSIX has one right for a folder's entries: write (with search) on a
//! folder lets a user add files to it, and move or delete any file in it.
//! Moving a file needs that right on the folder it leaves and on the one it
//! enters. So a role gets write on the folders its hand moves leave and
//! enter (`layout::hand_moves`) and on the folders it places new files in
//! (`layout::writers`, where a hand-off is not a move), read on the rest.
//! Folders no role moves letters out of get the sticky bit: there staff may
//! add files and move or delete only their own, while the letters (owned by
//! suratd) stay put. The service user owns every folder and has full access.
//! What this cannot express is computed by [`excess`] and printed with the
//! share section; suratd itself puts back a letter moved where its step does
//! not lead.

use crate::workflow::StepKind;
use crate::workflow::Workflow;
use crate::workflow::layout::{self, Area, Place};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// The Unix group for a role.
pub fn group(role: &str) -> String {
    format!("suratd-{role}")
}

/// One folder's access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderAccess {
    /// Relative to the root.
    pub folder: String,
    /// The roles that may write it (add, move out, delete).
    pub writers: Vec<String>,
    /// Staff move and delete only their own files here.
    pub sticky: bool,
}

/// The roles that place new files in a place (not by a hand move): a
/// review, waiting or dispatch step's own folder is entered by moves only.
fn placers(wf: &Workflow, place: &Place) -> Vec<String> {
    match place {
        Place::Step { step, area: Area::Inbox }
            if matches!(step.kind, StepKind::Review | StepKind::Waiting | StepKind::Dispatch) =>
        {
            vec![]
        }
        _ => layout::writers(wf, place),
    }
}

fn place_of<'w>(wf: &'w Workflow, folder: &str) -> Place<'w> {
    layout::classify(wf, &format!("{folder}/x"))
}

/// Each workflow folder with who may write it and whether it is sticky.
pub fn rules(wf: &Workflow) -> Vec<FolderAccess> {
    let moves = layout::hand_moves(wf);
    wf.folders()
        .into_iter()
        .map(|folder| {
            let mut writers = placers(wf, &place_of(wf, &folder));
            writers.extend(moves.iter().filter(|m| m.from == folder || m.to == folder).map(|m| m.role.clone()));
            writers.sort();
            writers.dedup();
            let sticky = !moves.iter().any(|m| m.from == folder);
            FolderAccess { folder, writers, sticky }
        })
        .collect()
}

/// What the folder ACLs let each role do beyond what the workflow gives it,
/// one line per role that can (moves of letters, deletes, new files where
/// the workflow expects none, and the team of a per-team role).
pub fn excess(wf: &Workflow) -> Vec<String> {
    let rules = rules(wf);
    let moves = layout::hand_moves(wf);
    let mut out = Vec::new();
    for role in &wf.roles {
        let mine: Vec<&FolderAccess> = rules.iter().filter(|r| r.writers.contains(&role.id)).collect();
        let sources: Vec<&str> = mine.iter().filter(|r| !r.sticky).map(|r| r.folder.as_str()).collect();
        let mut parts = Vec::new();
        let extra: Vec<String> = sources
            .iter()
            .flat_map(|a| mine.iter().map(move |b| (*a, b.folder.as_str())))
            .filter(|(a, b)| a != b && !moves.iter().any(|m| m.role == role.id && m.from == *a && m.to == *b))
            .map(|(a, b)| format!("{a} -> {b}"))
            .collect();
        if !extra.is_empty() {
            parts.push(format!("move letters {}", extra.join(", ")));
        }
        if !sources.is_empty() {
            parts.push(format!("delete letters in {}", sources.join(", ")));
        }
        let puts: Vec<&str> = mine
            .iter()
            .filter(|r| !placers(wf, &place_of(wf, &r.folder)).contains(&role.id))
            .map(|r| r.folder.as_str())
            .collect();
        if !puts.is_empty() {
            parts.push(format!("put new files into {}", puts.join(", ")));
        }
        if role.per_team && !sources.is_empty() {
            parts.push("act on every team's letters, not only their own team's".into());
        }
        if !parts.is_empty() {
            out.push(format!("{}: {}", role.id, parts.join("; ")));
        }
    }
    out
}

/// The smb.conf section for the share.
pub fn share_section(wf: &Workflow, root: &Path, name: &str) -> String {
    let mut groups: Vec<String> = wf.roles.iter().map(|r| format!("@{}", group(&r.id))).collect();
    groups.sort();
    let mut out = format!(
        "[{name}]
   comment = Surat keluar {office} (suratd)
   path = {path}
   browseable = yes
   read only = no
   valid users = {users}
   ; New files and folders take their folder's default ACL; the masks keep its
   ; group entries (the service user's and the roles') in force.
   inherit acls = yes
   create mask = 0660
   directory mask = 0770
   hide unreadable = no
   ; Who made each move, for suratd's verified actors: records go to smbd's log
   ; file (samba.audit_log in suratd.yaml names it; its log level must be at
   ; least 1, or \"log level = 0 full_audit:1\").
   vfs objects = full_audit
   full_audit:prefix = %u|%I
   full_audit:success = renameat unlinkat openat mkdirat
   full_audit:failure = none
   full_audit:syslog = false
   ; No \"force user\" or \"force group\": suratd names who dropped a file from its owner.
   ; Who may write which folder is set by POSIX ACLs (suratd init --samba); in a sticky
   ; folder staff move and delete only their own files:
",
        office = wf.office.name,
        path = root.display(),
        users = groups.join(" "),
    );
    for rule in rules(wf) {
        let who = if rule.writers.is_empty() {
            "suratd only".to_string()
        } else {
            rule.writers.iter().map(|r| group(r)).collect::<Vec<_>>().join(", ")
        };
        let sticky = if rule.sticky && !rule.writers.is_empty() { " (sticky)" } else { "" };
        out.push_str(&format!("   ;   {}: {who}{sticky}\n", rule.folder));
    }
    out.push_str(
        "   ; What the ACLs cannot prevent (suratd puts back a letter moved where its step\n   ; does not lead):\n",
    );
    for line in excess(wf) {
        out.push_str(&wrap(&line, "   ;   ", "   ;       ", 96));
    }
    out
}

/// `text` as comment lines of at most about `width` characters, broken
/// after a comma or semicolon.
fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for word in text.split_inclusive(", ").flat_map(|p| p.split_inclusive("; ")) {
        if line.len() + word.trim_end().len() > width && line.trim() != first.trim() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The ACL entries (without defaults) of a folder written by `writers`.
fn entries(wf: &Workflow, service: &str, writers: &[String], missing: &[String]) -> Vec<String> {
    let mut spec = vec!["u::rwx".to_string(), format!("u:{service}:rwx"), "g::---".into(), "o::---".into()];
    spec.push("m::rwx".into());
    for role in wf.roles.iter().map(|r| &r.id) {
        let g = group(role);
        if !missing.contains(&g) {
            spec.push(format!("g:{g}:{}", if writers.contains(role) { "rwx" } else { "r-x" }));
        }
    }
    spec
}

/// Sets the ACL of every folder (and of the root: read for every role) as
/// [`rules`] says, owned by `service`, the user suratd runs as, with full
/// access. Returns, one line each, what was done (`Ok`) and what went wrong
/// (`Err`: which folder, what happened, what to do).
pub fn apply(wf: &Workflow, root: &Path, service: &str) -> Vec<Result<String, String>> {
    if Command::new("setfacl").arg("--version").output().is_err() {
        return vec![Err("setfacl is not installed (Debian: apt-get install acl); folder ACLs not set".into())];
    }
    let Some(user) = uzers::get_user_by_name(service) else {
        return vec![Err(format!(
            "the service user {service} does not exist: create it (systemd/INSTALL.md) or name another with \
             --service-user; folder ACLs not set"
        ))];
    };
    let mut out = Vec::new();
    let missing: Vec<String> =
        wf.roles.iter().map(|r| group(&r.id)).filter(|g| uzers::get_group_by_name(g).is_none()).collect();
    for g in &missing {
        out.push(Err(format!(
            "group {g} does not exist, so its people get no access: groupadd {g}, add its people, and run \
             suratd init --samba again"
        )));
    }
    let top = FolderAccess { folder: ".".into(), writers: vec![], sticky: false };
    for rule in std::iter::once(top).chain(rules(wf)) {
        let path = root.join(&rule.folder);
        let spec = entries(wf, service, &rule.writers, &missing).join(",");
        let defaults = spec.split(',').map(|e| format!("d:{e}")).collect::<Vec<_>>().join(",");
        let done = own(&path, user.uid())
            .and_then(|()| setfacl(&path, &format!("{spec},{defaults}")))
            .and_then(|()| set_sticky(&path, rule.sticky));
        out.push(match done {
            Ok(()) => Ok(format!("{}: {spec}{}", rule.folder, if rule.sticky { ", sticky" } else { "" })),
            Err(e) => Err(format!("{}: {e}", path.display())),
        });
    }
    out
}

/// Makes `uid` the folder's owner (as root), or checks that it is: in a
/// sticky folder only the owner (or a file's) may move staff's files out.
fn own(path: &Path, uid: u32) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read ({e}); run suratd init first"))?;
    use std::os::unix::fs::MetadataExt;
    if meta.uid() == uid {
        return Ok(());
    }
    std::os::unix::fs::chown(path, Some(uid), None)
        .map_err(|e| format!("cannot give it to the service user (uid {uid}): {e}; run suratd init --samba as root"))
}

fn setfacl(path: &Path, spec: &str) -> Result<(), String> {
    let out = Command::new("setfacl").arg("--set").arg(spec).arg("--").arg(path).output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "setfacl failed: {}; run suratd init --samba as root",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("setfacl could not run: {e}")),
    }
}

/// Sets or clears the sticky bit, keeping the other mode bits (the ACL's).
fn set_sticky(path: &Path, sticky: bool) -> Result<(), String> {
    let mode = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?.permissions().mode() & 0o7777;
    let mode = if sticky { mode | 0o1000 } else { mode & !0o1000 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot set the sticky bit: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sop_folders_and_what_acls_cannot_prevent() {
        let wf = Workflow::load(None).unwrap().0;
        let r: Vec<String> = rules(&wf)
            .into_iter()
            .map(|r| {
                format!(
                    "{}:{}{}",
                    r.folder,
                    r.writers.iter().map(|w| format!(" {w}")).collect::<String>(),
                    if r.sticky { " +t" } else { "" }
                )
            })
            .collect();
        assert_eq!(
            r,
            [
                "01-draf: anggota_tim +t",
                "01-draf/revisi: anggota_tim",
                "02-verifikasi: ketua_tim",
                "02-verifikasi/revisi: ketua_tim +t",
                "02-verifikasi/setuju: ketua_tim +t",
                "03-kelengkapan: sekretaris",
                "03-kelengkapan/revisi: sekretaris +t",
                "03-kelengkapan/setuju: sekretaris +t",
                "04-ajukan-tte: sekretaris",
                "05-menunggu-tte: kepala sekretaris",
                "05-menunggu-tte/revisi: kepala +t",
                "06-sudah-tte: kepala sekretaris +t",
                "07-distribusi: bagian_umum",
                "07-distribusi/terkirim: bagian_umum +t",
                "arsip: +t",
                "batal: anggota_tim bagian_umum kepala ketua_tim sekretaris +t",
                "_ditolak: +t",
            ]
        );
        let excess = excess(&wf);
        assert_eq!(excess.len(), 5, "{excess:#?}");
        assert!(excess[0].starts_with("anggota_tim: delete letters in 01-draf/revisi"), "{excess:#?}");
        assert!(
            excess[1].contains(
                "ketua_tim: delete letters in 02-verifikasi; put new files into 02-verifikasi; act on every team"
            ),
            "{excess:#?}"
        );
    }
}
