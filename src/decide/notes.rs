//! Reviewers' notes: which round of returns a note belongs to, what its
//! file is called, and what becomes of a note that comes after its letter
//! was sent back (a late note). Pure, like the rest of `decide`.

use super::Owner;
use super::movers::{self, Mover};
use crate::letter::reason::Reason;
use crate::letter::state::{LetterState, LetterView};
use crate::workflow::Workflow;
use crate::workflow::layout::{self, Place};

/// The author the system's own notes name (`… catatan putaran 1
/// (sistem).txt`): staff read the file name, so not the program's name.
pub const SYSTEM: &str = "sistem";

/// The number of the round a return is: one more than the letter's earlier
/// returns to the drafting step `entry`. `trail` is the letter's
/// transitions as (from step, to step, action), oldest first. A return is
/// a move to the drafting step from another, or one suratd made (its
/// action a reason code: a draft held back at registration, a correction
/// without its number); a late note is none.
pub fn round<'a>(entry: &str, trail: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> u32 {
    let returns = trail.into_iter().filter(|(from, to, action)| {
        *to == entry && (*from != entry || crate::letter::reason::Reason::parse(action).is_some())
    });
    1 + returns.count() as u32
}

/// The rounds already made: the round of the latest return (0: none).
pub fn rounds_made<'a>(entry: &str, trail: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> u32 {
    round(entry, trail) - 1
}

/// Who wrote the notes of a return from step `from`, as the drafter reads
/// it in the note's name: the step's role name (`Ketua Tim`); [`SYSTEM`]
/// for a note suratd writes.
pub fn author(wf: &Workflow, from: &str, by_suratd: bool) -> String {
    if by_suratd {
        return SYSTEM.to_string();
    }
    let role = wf.step(from).and_then(|s| s.role.as_deref());
    role.map(|r| wf.role_name(r).to_string()).unwrap_or_else(|| from.to_string())
}

/// What is known about a late note: a `.txt` alone in a review step's
/// outcome folder, after the letters moved out of it.
#[derive(Debug, Clone)]
pub struct LateNote<'a, 'w> {
    /// Where it lies (an outcome folder of a review step).
    pub place: &'a Place<'w>,
    /// The review step of that folder.
    pub step: &'a str,
    /// The letter it names by its id, else the letter sent back from
    /// `step` most recently, if any.
    pub letter: Option<&'a LetterView>,
    /// Whether the note's name names its letter (by its id).
    pub named: bool,
    /// The step the letter's latest return came from, if it was returned.
    pub returned_from: Option<&'a str>,
    /// Whether the note was last written after that return (a note older
    /// than the return it would join belongs to something else).
    pub written_after: bool,
    /// Whether a letter it may be for still waits at `step` (the letter it
    /// names; any letter, for a note that names none): the reviewer may
    /// still move it into this folder, and its note with it.
    pub pending_here: bool,
    /// Who placed the note.
    pub owner: &'a Owner,
    /// Who placed it, as the rules for moving a letter on from `step` see
    /// them (a reviewer decides on their own team's letters only, and never
    /// on their own).
    pub mover: &'a Mover,
}

/// What becomes of a late note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Late {
    /// Joins the letter's latest return: beside it, in the trail, and to
    /// the drafter by email.
    Attach,
    /// Not yet: its letter may still come into the folder and take it.
    Wait,
    /// Refused: `_ditolak/` with a reason file.
    Refuse { reason: Reason, detail: String },
}

fn refuse(reason: Reason, detail: &str) -> Late {
    Late::Refuse { reason, detail: detail.to_string() }
}

/// Decides a late note: it waits while a letter it may be for waits at its
/// step; it joins the return it belongs to while the letter is back with
/// its drafter after a return from this step; a note from
/// someone who may not write here or may not decide on the letter (another
/// team's reviewer, the drafter), for no such letter, or written before
/// the return of a letter it does not name is refused, naming why.
pub fn decide(wf: &Workflow, f: &LateNote) -> Late {
    match f.owner {
        Owner::Refused => return refuse(Reason::UnknownOwner, ""),
        Owner::Person { roles, .. } => {
            let may = layout::writers(wf, f.place);
            if !roles.iter().any(|r| may.contains(r)) {
                return refuse(Reason::NoAccess, &super::guidance::role_names(wf, &may));
            }
        }
        Owner::Unchecked | Owner::Allowed | Owner::Edited => {}
    }
    if f.pending_here {
        return Late::Wait;
    }
    let step = wf.step(f.step).map(|s| s.name.as_str()).unwrap_or(f.step);
    let Some(letter) = f.letter else {
        return refuse(Reason::NoteUnmatched, &format!("tidak ada surat yang dikembalikan dari tahap \"{step}\""));
    };
    let back = letter.state == LetterState::Active && letter.step == wf.entry().id;
    if !back || f.returned_from != Some(f.step) {
        let now = wf.step(&letter.step).map(|s| s.name.as_str()).unwrap_or(letter.step.as_str());
        let detail =
            format!("surat {} tidak sedang dikembalikan dari tahap \"{step}\" (sekarang: \"{now}\")", letter.id);
        return refuse(Reason::NoteUnmatched, &detail);
    }
    if !f.named && !f.written_after {
        let detail = format!(
            "catatan ini ditulis sebelum surat {} dikembalikan dan namanya tidak menyebut surat itu",
            letter.id
        );
        return refuse(Reason::NoteUnmatched, &detail);
    }
    // A note is a reviewer's word on the letter: only someone who may
    // decide on it at this step writes one.
    if let Some(at) = wf.step(f.step)
        && let Err(reason) = movers::may_move(wf, letter, at, f.mover)
    {
        let why = match reason {
            Reason::OwnLetter => "penyusun surat tidak menulis catatan pemeriksa untuk suratnya sendiri",
            Reason::OtherTeam => "surat itu berasal dari tim lain; catatan hanya dari pemeriksa tim surat itu",
            _ => "penulisnya tidak memeriksa surat itu pada tahap ini",
        };
        return refuse(Reason::NoteUnmatched, &format!("{} ({why})", letter.id));
    }
    Late::Attach
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::layout::classify;

    fn wf() -> Workflow {
        Workflow::load(None).unwrap().0
    }

    fn letter(step: &str) -> LetterView {
        LetterView {
            id: "SK-2026-0012".into(),
            step: step.into(),
            state: LetterState::Active,
            path: String::new(),
            year: 2026,
            drafter: Some("budi".into()),
        }
    }

    #[test]
    fn each_return_is_a_round_and_a_late_note_is_none() {
        let trail = [
            ("draf", "verifikasi", "register"),
            ("verifikasi", "draf", "revisi"),
            ("draf", "draf", "note"),
            ("draf", "verifikasi", "resubmit"),
        ];
        assert_eq!(round("draf", trail), 2);
        assert_eq!(rounds_made("draf", trail), 1);
        // Held back at registration, then a correction without the number: two rounds.
        let held = [("draf", "draf", "number_missing"), ("draf", "draf", "number_missing")];
        assert_eq!(round("draf", held), 3);
        assert_eq!(round("draf", []), 1);
        let wf = wf();
        assert_eq!(author(&wf, "verifikasi", false), "Ketua Tim");
        assert_eq!(author(&wf, "kelengkapan", true), "sistem");
    }

    #[test]
    fn a_late_note_joins_only_the_return_it_belongs_to() {
        let wf = wf();
        let place = classify(&wf, "02-verifikasi/revisi/catatan.txt");
        let back = letter("draf");
        let kt = Owner::Person { login: "kt".into(), roles: vec!["ketua_tim".into()] };
        let f = LateNote {
            place: &place,
            step: "verifikasi",
            letter: Some(&back),
            named: false,
            returned_from: Some("verifikasi"),
            written_after: true,
            pending_here: false,
            owner: &kt,
            mover: &Mover::Unverified,
        };
        assert_eq!(decide(&wf, &f), Late::Attach);
        assert_eq!(decide(&wf, &LateNote { pending_here: true, ..f.clone() }), Late::Wait);
        let refused = |f: &LateNote| matches!(decide(&wf, f), Late::Refuse { reason: Reason::NoteUnmatched, .. });
        assert!(refused(&LateNote { written_after: false, ..f.clone() }), "older than the return, unnamed");
        assert_eq!(decide(&wf, &LateNote { written_after: false, named: true, ..f.clone() }), Late::Attach);
        assert!(refused(&LateNote { returned_from: Some("kelengkapan"), ..f.clone() }), "another step's return");
        let on = letter("kelengkapan");
        assert!(refused(&LateNote { letter: Some(&on), ..f.clone() }), "no longer with the drafter");
        assert!(refused(&LateNote { letter: None, ..f.clone() }));
        let drafter = Owner::Person { login: "budi".into(), roles: vec!["anggota_tim".into()] };
        let d = decide(&wf, &LateNote { owner: &drafter, ..f.clone() });
        assert!(
            d == Late::Refuse { reason: Reason::NoAccess, detail: "Ketua Tim".into() },
            "a drafter writes no reviewer's note; who may, by role name: {d:?}"
        );
    }
}
