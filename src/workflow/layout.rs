//! Where a file is, in workflow terms: which step's folder, and which part of
//! it (the step's own folder, an outcome sub-folder, the returns folder).
//! Pure: works on relative paths, never touches the disk.

use crate::workflow::model::{Step, StepKind, Workflow};

/// The part of a step's folder a file is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// The step's folder itself (or a folder someone dropped inside it).
    Inbox,
    /// An outcome sub-folder, e.g. `setuju` or `revisi`.
    Outcome(String),
    /// Where letters sent back to the drafter wait.
    Returns,
}

/// A file's place in the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place<'w> {
    Step {
        step: &'w Step,
        area: Area,
    },
    /// The folder of refused files.
    Rejected,
    /// Anywhere else under the root (not a workflow folder).
    Outside,
}

impl Place<'_> {
    /// Whether suratd acts on files here. The archive and the rejected
    /// folder are suratd's own output; files elsewhere are not its business.
    pub fn is_watched(&self) -> bool {
        match self {
            Place::Step { step, .. } => step.kind != StepKind::Archive,
            _ => false,
        }
    }
}

/// Classifies `rel`, a path relative to the root with `/` separators.
pub fn classify<'w>(wf: &'w Workflow, rel: &str) -> Place<'w> {
    let dir = match rel.rfind('/') {
        Some(i) => &rel[..i],
        None => return Place::Outside,
    };
    if within(dir, &wf.rejected_folder) {
        return Place::Rejected;
    }
    // The longest matching step folder wins (check forbids nesting, so at most one).
    let Some(step) = wf.steps.iter().find(|s| within(dir, &s.folder)) else {
        return Place::Outside;
    };
    let inner = dir[step.folder.len()..].trim_start_matches('/');
    let first = inner.split('/').next().unwrap_or("");
    let area = if first.is_empty() {
        Area::Inbox
    } else if step.returns.as_deref() == Some(first) {
        Area::Returns
    } else if step.outcome(first).is_some() {
        Area::Outcome(first.to_string())
    } else {
        Area::Inbox
    };
    Place::Step { step, area }
}

fn within(dir: &str, folder: &str) -> bool {
    dir == folder || (dir.starts_with(folder) && dir.as_bytes().get(folder.len()) == Some(&b'/'))
}

/// The folder (relative to the root) where a letter in `step`/`area` lives.
pub fn folder_of(step: &Step, area: &Area) -> String {
    match area {
        Area::Inbox => step.folder.clone(),
        Area::Outcome(o) => step.outcome_folder(o),
        Area::Returns => step.returns_folder().unwrap_or_else(|| step.folder.clone()),
    }
}

/// The roles that may place new files in a place: a drafting or signed-drop
/// folder's own role, the roles of the steps that hand letters on to a
/// step, an outcome or returns folder's step role, and everyone for the
/// cancel folder. Other folders are written by suratd only (empty).
pub fn writers(wf: &Workflow, place: &Place) -> Vec<String> {
    let Place::Step { step, area } = place else { return vec![] };
    let mut roles: Vec<String> = match area {
        Area::Outcome(_) | Area::Returns => step.role.iter().cloned().collect(),
        Area::Inbox if step.kind == StepKind::Cancel => wf.roles.iter().map(|r| r.id.clone()).collect(),
        Area::Inbox => {
            let mut r: Vec<String> = wf
                .steps
                .iter()
                // Hand-offs by hand (a drafting step passes letters on itself).
                .filter(|s| s.kind != StepKind::Drop && s.next.as_deref() == Some(step.id.as_str()))
                .filter_map(|s| s.role.clone())
                .collect();
            if matches!(step.kind, StepKind::Drop | StepKind::SignedDrop) {
                r.extend(step.role.clone());
            }
            r
        }
    };
    roles.sort();
    roles.dedup();
    roles
}

/// A move staff make by hand: a person of `role` moves a letter's file
/// from folder `from` to folder `to` (relative to the root).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HandMove {
    pub role: String,
    pub from: String,
    pub to: String,
}

/// Every move the workflow gives a role: from a review, waiting or
/// dispatch step's folder into its outcome folders, on to the next step
/// where that is a hand-off (not a signed drop, which takes a new file),
/// from the drafting step's returns folder back into it, and from each of
/// those source folders into the cancel folder.
pub fn hand_moves(wf: &Workflow) -> Vec<HandMove> {
    let mut out = Vec::new();
    let mv = |role: &str, from: &str, to: &str| HandMove { role: role.into(), from: from.into(), to: to.into() };
    for step in &wf.steps {
        let Some(role) = step.role.as_deref() else { continue };
        match step.kind {
            StepKind::Drop => out.extend(step.returns_folder().map(|r| mv(role, &r, &step.folder))),
            StepKind::Review | StepKind::Waiting | StepKind::Dispatch => {
                for o in &step.outcomes {
                    out.push(mv(role, &step.folder, &step.outcome_folder(&o.name)));
                }
                let next = step.next.as_deref().and_then(|n| wf.step(n));
                if let Some(t) =
                    next.filter(|t| matches!(t.kind, StepKind::Review | StepKind::Waiting | StepKind::Dispatch))
                {
                    out.push(mv(role, &step.folder, &t.folder));
                }
            }
            _ => {}
        }
    }
    let mut sources: Vec<(String, String)> = out.iter().map(|m| (m.role.clone(), m.from.clone())).collect();
    sources.sort();
    sources.dedup();
    for cancel in wf.steps.iter().filter(|s| s.kind == StepKind::Cancel) {
        out.extend(sources.iter().map(|(role, from)| mv(role, from, &cancel.folder)));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        Workflow::load(None).unwrap().0
    }

    #[test]
    fn classifies_sop_folders() {
        let wf = wf();
        let p = classify(&wf, "01-draf/Undangan.pdf");
        assert!(matches!(p, Place::Step { step, area: Area::Inbox } if step.id == "draf"));
        let p = classify(&wf, "01-draf/revisi/SK-2026-0001 X.pdf");
        assert!(matches!(p, Place::Step { step, area: Area::Returns } if step.id == "draf"));
        let p = classify(&wf, "02-verifikasi/setuju/a.pdf");
        assert!(
            matches!(p, Place::Step { step, area: Area::Outcome(ref o) } if step.id == "verifikasi" && o == "setuju")
        );
        let p = classify(&wf, "01-draf/Folder Baru/a.pdf");
        assert!(matches!(p, Place::Step { step, area: Area::Inbox } if step.id == "draf"));
        assert_eq!(classify(&wf, "_ditolak/a.pdf"), Place::Rejected);
        assert_eq!(classify(&wf, "a.pdf"), Place::Outside);
        assert_eq!(classify(&wf, "01-drafx/a.pdf"), Place::Outside);
        assert!(!classify(&wf, "arsip/2026/a.pdf").is_watched());
        assert!(classify(&wf, "batal/a.pdf").is_watched());
    }

    #[test]
    fn who_may_place_files_where() {
        let wf = wf();
        let w = |rel: &str| writers(&wf, &classify(&wf, rel));
        assert_eq!(w("01-draf/a.pdf"), ["anggota_tim"]);
        assert_eq!(w("02-verifikasi/setuju/a.pdf"), ["ketua_tim"]);
        assert!(w("02-verifikasi/a.pdf").is_empty(), "only suratd places review copies");
        assert_eq!(w("05-menunggu-tte/a.pdf"), ["sekretaris"], "the secretary hands it on");
        assert_eq!(w("05-menunggu-tte/revisi/a.pdf"), ["kepala"]);
        assert_eq!(w("06-sudah-tte/a.pdf"), ["kepala", "sekretaris"]);
        assert_eq!(w("batal/a.pdf").len(), 5);
    }

    #[test]
    fn moves_each_role_makes_by_hand() {
        let moves: Vec<String> =
            hand_moves(&wf()).into_iter().map(|m| format!("{}: {} -> {}", m.role, m.from, m.to)).collect();
        assert_eq!(
            moves,
            [
                "anggota_tim: 01-draf/revisi -> 01-draf",
                "anggota_tim: 01-draf/revisi -> batal",
                "bagian_umum: 07-distribusi -> 07-distribusi/terkirim",
                "bagian_umum: 07-distribusi -> batal",
                "kepala: 05-menunggu-tte -> 05-menunggu-tte/revisi",
                "kepala: 05-menunggu-tte -> batal",
                "ketua_tim: 02-verifikasi -> 02-verifikasi/revisi",
                "ketua_tim: 02-verifikasi -> 02-verifikasi/setuju",
                "ketua_tim: 02-verifikasi -> batal",
                "sekretaris: 03-kelengkapan -> 03-kelengkapan/revisi",
                "sekretaris: 03-kelengkapan -> 03-kelengkapan/setuju",
                "sekretaris: 03-kelengkapan -> batal",
                "sekretaris: 04-ajukan-tte -> 05-menunggu-tte",
                "sekretaris: 04-ajukan-tte -> batal",
            ]
        );
    }
}
