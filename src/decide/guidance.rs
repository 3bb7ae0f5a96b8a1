//! What a reason file tells people beyond what went wrong: who is meant
//! (role and person names, never ids or logins) and which move or folder is
//! the right one, computed from the workflow. Pure, like the rest of
//! `decide`; the reason texts themselves come from `templates.reasons`.

use crate::letter::reason::Reason;
use crate::workflow::layout::{self, Area, Place};
use crate::workflow::{Step, StepKind, Workflow};

/// A folder as staff see it on the share from Windows: `01-draf\revisi`.
pub fn shown(folder: &str) -> String {
    folder.trim_matches('/').replace('/', "\\")
}

/// Role names for role ids (`Anggota Tim, Sekretaris`); an id the workflow
/// does not know is left out.
pub fn role_names(wf: &Workflow, roles: &[String]) -> String {
    let names: Vec<&str> =
        roles.iter().filter_map(|id| wf.roles.iter().find(|r| &r.id == id).map(|r| r.name.as_str())).collect();
    or_list(&names, "tidak ada")
}

/// The person a login names, by name; someone the workflow does not list
/// is not named by their login.
pub fn person_name(wf: &Workflow, login: &str) -> String {
    wf.person(login).map(|p| p.name.clone()).unwrap_or_else(|| UNLISTED.to_string())
}

/// How a person the workflow does not list is named to people.
pub const UNLISTED: &str = "pengguna yang belum terdaftar di sistem";

/// `a`, `a atau b`, `a, b atau c`; `none` when empty.
fn or_list<S: AsRef<str>>(items: &[S], none: &str) -> String {
    match items {
        [] => none.to_string(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} atau {}", rest.join(", "), last.as_ref())
        }
    }
}

/// What the reason file is about, for [`right_move`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Where<'a> {
    /// The step the file's letter is at, if it has one.
    pub letter_step: Option<&'a str>,
    /// Where the letter's own file is recorded (relative to the root).
    pub letter_path: Option<&'a str>,
    /// The roles of whoever placed the file.
    pub roles: &'a [String],
}

/// The right move or folder for a file refused or put back for `code`:
/// fills `{yang_benar}`. Empty where the reason needs none.
pub fn right_move(wf: &Workflow, code: Reason, w: &Where) -> String {
    let entry = shown(&wf.entry().folder);
    match code {
        Reason::WrongFolder => letter_moves(wf, w).unwrap_or(entry),
        Reason::Duplicate => w.letter_path.map(|p| shown(p.rsplit_once('/').map_or("", |(d, _)| d))).unwrap_or(entry),
        Reason::NoAccess => {
            let mine: Vec<String> =
                new_file_folders(wf).into_iter().filter(|(_, r)| mine(r, w.roles)).map(|(f, _)| f).collect();
            or_list(&mine, "tidak ada")
        }
        Reason::CopyNotApproved => back_to_drafter(wf, w).unwrap_or(entry),
        Reason::NoteUnmatched => wf.entry().returns_folder().map(|f| shown(&f)).unwrap_or(entry),
        _ => entry,
    }
}

/// The folders that send a letter at its step back to the drafter.
fn back_to_drafter(wf: &Workflow, w: &Where) -> Option<String> {
    let step = wf.step(w.letter_step?)?;
    let back: Vec<String> = step
        .outcomes
        .iter()
        .filter(|o| wf.step(&o.to).is_some_and(|t| t.kind == StepKind::Drop))
        .map(|o| shown(&step.outcome_folder(&o.name)))
        .collect();
    (!back.is_empty()).then(|| or_list(&back, ""))
}

/// Whether any of `roles` is among `may`.
fn mine(may: &[String], roles: &[String]) -> bool {
    roles.iter().any(|r| may.contains(r))
}

/// Where a letter's file may be moved from where it is recorded, each
/// with what the move means: `02-verifikasi\setuju (disetujui),
/// 02-verifikasi\revisi (dikembalikan kepada penyusun untuk diperbaiki)
/// atau batal (dibatalkan)`.
fn letter_moves(wf: &Workflow, w: &Where) -> Option<String> {
    let step = wf.step(w.letter_step?)?;
    let from = w.letter_path.and_then(|p| p.rsplit_once('/')).map_or(step.folder.as_str(), |(d, _)| d);
    let mut to: Vec<String> = Vec::new();
    for m in layout::hand_moves(wf).into_iter().filter(|m| m.from == from) {
        let target = move_meaning(wf, step, &m.to);
        let line = format!("{} ({target})", shown(&m.to));
        if !to.contains(&line) {
            to.push(line);
        }
    }
    // A letter waiting for its signature moves on with the signed file.
    if let Some(next) = step.next.as_deref().and_then(|n| wf.step(n)).filter(|n| n.kind == StepKind::SignedDrop) {
        to.insert(0, format!("{} (surat yang sudah ditandatangani secara elektronik)", shown(&next.folder)));
    }
    (!to.is_empty()).then(|| or_list(&to, ""))
}

/// What moving a letter at `step` into `folder` means, in words.
fn move_meaning(wf: &Workflow, step: &Step, folder: &str) -> String {
    let place = layout::classify(wf, &format!("{folder}/x"));
    let Place::Step { step: at, area } = place else { return String::new() };
    match area {
        Area::Outcome(o) => match step.outcome(&o).and_then(|o| wf.step(&o.to)) {
            Some(t) if t.kind == StepKind::Drop => "dikembalikan kepada penyusun untuk diperbaiki".into(),
            Some(t) if t.kind == StepKind::Cancel => "dibatalkan".into(),
            _ if step.kind == StepKind::Dispatch => "sudah dikirim".into(),
            _ => "disetujui".into(),
        },
        _ if at.kind == StepKind::Cancel => "dibatalkan".into(),
        _ if at.kind == StepKind::Drop => "diajukan lagi setelah diperbaiki".into(),
        _ => format!("diteruskan ke tahap \"{}\"", at.name),
    }
}

/// Every folder where new files are placed (a step's own folder, for the
/// steps that take new files from people), with the roles that may.
fn new_file_folders(wf: &Workflow) -> Vec<(String, Vec<String>)> {
    wf.steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Drop | StepKind::SignedDrop))
        .map(|s| (shown(&s.folder), layout::writers(wf, &Place::Step { step: s, area: Area::Inbox })))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        crate::records::people::office_workflow()
    }

    fn at<'a>(step: &'a str, path: &'a str) -> Where<'a> {
        Where { letter_step: Some(step), letter_path: Some(path), roles: &[] }
    }

    #[test]
    fn a_letter_moved_to_the_wrong_folder_is_told_where_it_may_go() {
        let wf = wf();
        let w = at("verifikasi", "02-verifikasi/SK-2026-0001 Rapat.pdf");
        assert_eq!(
            right_move(&wf, Reason::WrongFolder, &w),
            "02-verifikasi\\revisi (dikembalikan kepada penyusun untuk diperbaiki), \
             02-verifikasi\\setuju (disetujui) atau batal (dibatalkan)"
        );
        let w = at("ajukan_tte", "04-ajukan-tte/SK-2026-0001 Rapat.pdf");
        assert_eq!(
            right_move(&wf, Reason::WrongFolder, &w),
            "05-menunggu-tte (diteruskan ke tahap \"Penandatanganan oleh Kepala\") atau batal (dibatalkan)"
        );
        let w = at("menunggu_tte", "05-menunggu-tte/SK-2026-0001 Rapat.pdf");
        assert_eq!(
            right_move(&wf, Reason::WrongFolder, &w),
            "06-sudah-tte (surat yang sudah ditandatangani secara elektronik), 05-menunggu-tte\\revisi \
             (dikembalikan kepada penyusun untuk diperbaiki) atau batal (dibatalkan)"
        );
        let w = at("draf", "01-draf/revisi/SK-2026-0001 Rapat.pdf");
        assert_eq!(
            right_move(&wf, Reason::WrongFolder, &w),
            "01-draf (diajukan lagi setelah diperbaiki) atau batal (dibatalkan)"
        );
    }

    #[test]
    fn a_copy_is_told_where_its_original_is_and_no_access_where_to_put_files() {
        let wf = wf();
        let w = at("kelengkapan", "03-kelengkapan/SK-2026-0001 Rapat.pdf");
        assert_eq!(right_move(&wf, Reason::Duplicate, &w), "03-kelengkapan");
        let roles = ["anggota_tim".to_string()];
        let w = Where { roles: &roles, ..Where::default() };
        assert_eq!(right_move(&wf, Reason::NoAccess, &w), "01-draf");
        let roles = ["sekretaris".to_string()];
        let w = Where { roles: &roles, ..Where::default() };
        assert_eq!(right_move(&wf, Reason::NoAccess, &w), "06-sudah-tte");
        assert_eq!(right_move(&wf, Reason::NoAccess, &Where::default()), "tidak ada");
        assert_eq!(right_move(&wf, Reason::UnknownFile, &Where::default()), "01-draf");
        let w = at("menunggu_tte", "05-menunggu-tte/SK-2026-0001 Rapat.pdf");
        assert_eq!(right_move(&wf, Reason::CopyNotApproved, &w), "05-menunggu-tte\\revisi");
        assert_eq!(right_move(&wf, Reason::NoteUnmatched, &Where::default()), "01-draf\\revisi");
    }

    #[test]
    fn roles_and_people_are_named_never_by_id_or_login() {
        let wf = wf();
        let may = ["anggota_tim".to_string(), "sekretaris".to_string(), "kepala".to_string()];
        assert_eq!(role_names(&wf, &may), "Anggota Tim, Sekretaris atau Kepala BPS Provinsi");
        assert_eq!(role_names(&wf, &may[..1]), "Anggota Tim");
        assert_eq!(role_names(&wf, &[]), "tidak ada");
        assert_eq!(person_name(&wf, "BUDI"), "Budi Santoso");
        assert_eq!(person_name(&wf, "mallory"), UNLISTED);
    }
}
