//! The decision: given where a file is, what it contains and what suratd
//! knows about its letter, what should happen. A pure function of state and
//! event, so every rule of the workflow is tested without disk or network.

use crate::letter::reason::Reason;
use crate::letter::state::{LetterState, LetterView};
use crate::workflow::layout::{Area, Place};
use crate::workflow::{Step, StepCheck, StepKind, Workflow};

/// What the file is, as far as the decision needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "ActiveContent is the reason code active_content")]
pub enum Content {
    /// The same bytes as a version suratd already has of this letter.
    Known,
    /// A readable PDF suratd has not seen before.
    Pdf,
    NotPdf {
        detail: String,
    },
    /// A Word or OpenDocument file where only PDFs are taken (outside the
    /// drafting folder: a drafting folder's drafts are converted first).
    OfficeDocument {
        format: String,
    },
    /// A Word or OpenDocument draft refused by the conversion stage
    /// (macros, encryption, a zip bomb, no converter, a failed conversion).
    BadDocument {
        reason: Reason,
        detail: String,
    },
    /// No bytes: a copy that has not written anything yet while it is
    /// young (Explorer creates the file first).
    Empty {
        may_still_be_copying: bool,
    },
    Broken {
        detail: String,
        may_still_be_copying: bool,
    },
    Encrypted,
    /// JavaScript or a program launch inside the PDF.
    ActiveContent {
        detail: String,
    },
    Symlink,
}

/// Whether the reviewer's note (a `.txt`) came with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    Found,
    Missing,
    /// Not there yet, but it may still arrive (the file is very new).
    MaybeLater,
}

/// The facts about one settled file.
#[derive(Debug, Clone)]
pub struct Facts<'a, 'w> {
    pub place: &'a Place<'w>,
    pub letter: Option<&'a LetterView>,
    pub content: &'a Content,
    /// The file is at the path recorded for its letter.
    pub at_recorded_path: bool,
    /// The letter's recorded file still exists (so this file is another one).
    pub original_present: bool,
    pub note: Note,
    /// For a new or corrected draft: why its metadata (its sidecar) is
    /// unusable (reason code, detail).
    pub meta_problem: Option<(Reason, &'a str)>,
    /// For a new draft: the sifat its metadata asks for (`B`, `P`, `R`).
    pub sifat: Option<&'a str>,
    /// Whether the PDF's text contains the letter's number (`None`: not
    /// looked at yet; asked for with [`Decision::NeedText`]).
    pub number_in_text: Option<bool>,
    /// For a file in a signed-drop folder: whether its signature holds.
    pub signature: Signed,
    /// Who wrote the file, for the access rules (new files only).
    pub owner: Owner,
    /// Who moved the letter's file, when Samba's audit log says
    /// (`movers`: who may move a letter on from its step).
    pub mover: Mover,
    /// Whether the file is a reviewer's edit of the letter's copy.
    pub edit: Edit,
}

#[cfg(test)]
impl<'a, 'w> Facts<'a, 'w> {
    /// The facts of a file of `letter` at `place` with `content` (tests):
    /// not at its recorded path, no note, nothing checked, nobody known.
    pub(crate) fn of(place: &'a Place<'w>, letter: Option<&'a LetterView>, content: &'a Content) -> Self {
        Facts {
            place,
            letter,
            content,
            at_recorded_path: false,
            original_present: false,
            note: Note::Missing,
            meta_problem: None,
            sifat: None,
            number_in_text: Some(true),
            signature: Signed::Unchecked,
            owner: Owner::Unchecked,
            mover: Mover::Unverified,
            edit: Edit::None,
        }
    }
}

/// The owner of a new file, as the access rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// Not checked (a file suratd knows; a move keeps the owner). The
    /// pipeline always looks, so only the decision's tests use this.
    #[cfg_attr(not(test), allow(dead_code))]
    Unchecked,
    /// Nobody in workflow.yaml, and `unknown_owner: allow`.
    Allowed,
    /// Nobody in workflow.yaml, and `unknown_owner: refuse`.
    Refused,
    /// A person in workflow.yaml: their login and roles.
    Person { login: String, roles: Vec<String> },
    /// The letter's own file (where suratd put it, or moved on from there),
    /// changed in place: it still belongs to the user suratd runs as, so
    /// who changed it is unknown.
    Edited,
}

/// A reviewer's edit: the copy suratd placed at the letter's step, saved by
/// a PDF editor with an incremental update (the copy's bytes are the start
/// of the file: comments, highlights, a new title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edit {
    /// Not such an edit (the copy itself, or other bytes).
    #[default]
    None,
    /// New bytes that change nothing a reader sees (the document
    /// information, the XMP).
    Metadata,
    /// New bytes that change what the letter shows (an annotation, page
    /// content, a page).
    Shows,
    /// Known bytes: a reviewer's edit that changed what the letter shows,
    /// kept and placed for the drafter to read beside the letter.
    Comments,
}

/// What the signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// Not looked at (the file is not in a signed-drop folder).
    Unchecked,
    /// No signature at all.
    No,
    /// Every signature holds.
    Holds,
    /// A signature does not hold; why.
    Fails(String),
    /// Every signature holds, but a signer is not among the step's
    /// `signers`: who signed and who may.
    WrongSigner(String),
    /// Every signature holds, but what was signed is not the copy submitted
    /// for signing (a line removed or changed, or no number); where.
    Differs(String),
    /// Every signature holds, but the copy for signing is not a version every
    /// review step approved; the step that did not.
    Unapproved(String),
}

/// Where a file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// The folder of a step.
    Inbox(String),
    /// The returns folder of the drafting step.
    Returns(String),
    /// The archive, in the letter's year folder.
    Archive { year: i32 },
    /// The folder the letter is recorded in (a file moved to the wrong place
    /// goes back).
    Back,
}

/// Why processing waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// The PDF does not parse yet; it may still be copying.
    Copying,
    /// The reviewer's note may still arrive.
    Note,
}

/// What happens to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to do (the file is where suratd put it).
    Nothing,
    Wait(WaitFor),
    /// A new letter: register it and send it to `to_step`.
    Register {
        to_step: String,
        dest: Dest,
        action: String,
    },
    /// The letter moves on.
    Move {
        to_step: String,
        dest: Dest,
        action: String,
        state: LetterState,
        take_note: bool,
    },
    /// Same step, new name or new content: record it, move nothing.
    Track,
    /// The move needs the PDF's text to be checked first: look, then decide again.
    NeedText,
    /// The letter may not go on: back to the drafter, with a reason note.
    SendBack {
        reason: Reason,
    },
    /// Moved by hand where its step does not lead: put it back, with a reason.
    Return {
        reason: Reason,
    },
    /// Refuse the file: `_ditolak/` with a reason file.
    Reject {
        reason: Reason,
        detail: String,
    },
}

/// Where a letter entering step `target` ends up: steps that forward on
/// arrival pass it on, the archive files it by year, the drafting step takes
/// it back into its returns folder.
fn arrive(wf: &Workflow, target: &Step, year: i32) -> (String, Dest, LetterState) {
    let mut step = target;
    let mut hops = 0;
    while step.kind == StepKind::SignedDrop && hops < wf.steps.len() {
        match step.next.as_deref().and_then(|n| wf.step(n)) {
            Some(n) => step = n,
            None => break,
        }
        hops += 1;
    }
    let id = step.id.clone();
    match step.kind {
        StepKind::Archive => (id, Dest::Archive { year }, LetterState::Finished),
        StepKind::Cancel => (id.clone(), Dest::Inbox(id), LetterState::Cancelled),
        StepKind::Drop => (id.clone(), Dest::Returns(id), LetterState::Active),
        _ => (id.clone(), Dest::Inbox(id), LetterState::Active),
    }
}

/// Decides what happens to one settled file.
pub fn decide(wf: &Workflow, f: &Facts) -> Decision {
    // Access rules: only for new files (a move keeps the file's owner). A
    // letter's file saved over where it lies is the drafter rule's
    // (`refused_correction`), whoever may add files to the folder.
    let saved_over = f.at_recorded_path && f.letter.is_some();
    if *f.content != Content::Known && f.place.is_watched() && !saved_over {
        match &f.owner {
            Owner::Refused => return Decision::Reject { reason: Reason::UnknownOwner, detail: String::new() },
            Owner::Person { roles, .. } => {
                let may = crate::workflow::layout::writers(wf, f.place);
                if !roles.iter().any(|r| may.contains(r)) {
                    return Decision::Reject { reason: Reason::NoAccess, detail: guidance::role_names(wf, &may) };
                }
            }
            Owner::Unchecked | Owner::Allowed | Owner::Edited => {}
        }
    }
    let d = route(wf, f);
    match &d {
        // A reviewer's edit that decides (approves or sends back) is a
        // decision of whoever saved it: refused as their move would be.
        Decision::Move { .. } | Decision::SendBack { reason: Reason::ReviewerEdited }
            if let Some(reason) = movers::edit_refused(wf, f) =>
        {
            let who = match &f.mover {
                Mover::Person { login, .. } => guidance::person_name(wf, login),
                Mover::Unverified => String::new(),
            };
            Decision::Reject { reason, detail: who }
        }
        Decision::Move { action, .. } if let Some(reason) = movers::refused(wf, f, action) => {
            Decision::Return { reason }
        }
        // A decision waiting for its note: who made it is known already.
        Decision::Wait(WaitFor::Note) if let Some(reason) = movers::refused(wf, f, "") => Decision::Return { reason },
        Decision::Move { to_step, .. } => gate(wf, f, to_step, d.clone()),
        _ => d,
    }
}

/// The checks a letter must pass to enter a step.
fn gate(wf: &Workflow, f: &Facts, to_step: &str, d: Decision) -> Decision {
    let Some(target) = wf.step(to_step) else {
        return d;
    };
    if target.checks.contains(&StepCheck::NumberInText) {
        match f.number_in_text {
            None => return Decision::NeedText,
            Some(false) => {
                return Decision::SendBack { reason: Reason::NumberMissing };
            }
            Some(true) => {}
        }
    }
    d
}

/// Whether a new letter, numbered, is held back before `to_step`: when that
/// step checks the number in the text (`checks: [number_in_text]`) and the
/// draft does not carry the number it was just given, it goes to the
/// drafter's returns folder with this reason instead (SOP-024: the number,
/// step 2, comes before the upload for review, step 3). `number_in_text`
/// is `None` when the text was not read (the step does not check it).
pub fn held_at_registration(wf: &Workflow, to_step: &str, number_in_text: Option<bool>) -> Option<Reason> {
    (registration_reads_text(wf, to_step) && number_in_text == Some(false)).then_some(Reason::NumberMissing)
}

/// The reason the note of a draft held back at registration gives: a Word
/// draft that had no place for its number (`placeholders` filled: `Some(0)`)
/// is told how to mark one; any other is told to write the number in.
pub fn held_note_reason(held: Reason, placeholders: Option<usize>) -> Reason {
    match placeholders {
        Some(0) => Reason::NoPlaceholder,
        _ => held,
    }
}

/// Whether registering for `to_step` needs the draft's text read.
pub fn registration_reads_text(wf: &Workflow, to_step: &str) -> bool {
    wf.step(to_step).is_some_and(|s| s.checks.contains(&StepCheck::NumberInText))
}

/// Where a file's place and its letter send it.
fn route(wf: &Workflow, f: &Facts) -> Decision {
    let Place::Step { step, area } = f.place else {
        return Decision::Nothing;
    };
    if !f.place.is_watched() {
        return Decision::Nothing;
    }
    if let Some(d) = unusable(f.content) {
        return d;
    }
    let Some(letter) = f.letter else {
        return new_file(wf, f, step, area);
    };
    if let Some(d) = reviewers_edit(wf, f, letter, step, area) {
        return d;
    }
    if let Some(d) = closed_or_copy(f, letter) {
        return d;
    }
    if let Some(d) = refused_correction(wf, f, letter, step, area) {
        return d;
    }
    let Some(current) = wf.step(&letter.step) else {
        // The letter's step was removed from the workflow: leave it for the admin.
        return Decision::Nothing;
    };
    if step.kind == StepKind::Cancel {
        return move_to(wf, letter, step, "cancel", false);
    }
    if current.id == step.id {
        return within_step(wf, f, letter, step, area);
    }
    across_steps(wf, f, letter, current, step, area)
}

fn reject(reason: Reason, detail: &str) -> Decision {
    Decision::Reject { reason, detail: detail.to_string() }
}

/// The letter goes to `target` (or past it, see [`arrive`]).
fn move_to(wf: &Workflow, letter: &LetterView, target: &Step, action: &str, take_note: bool) -> Decision {
    let (to_step, dest, state) = arrive(wf, target, letter.year);
    Decision::Move { to_step, dest, action: action.to_string(), state, take_note }
}

/// A file no letter can be made of, whatever its place: refused, or waited
/// for while it may still be copying.
fn unusable(content: &Content) -> Option<Decision> {
    Some(match content {
        Content::Symlink => reject(Reason::Symlink, ""),
        Content::Empty { may_still_be_copying: true } => Decision::Wait(WaitFor::Copying),
        Content::Empty { .. } => reject(Reason::Empty, ""),
        Content::NotPdf { detail } => reject(Reason::NotPdf, detail),
        Content::OfficeDocument { format } => reject(Reason::OfficeDocument, format),
        Content::BadDocument { reason, detail } => reject(*reason, detail),
        Content::Encrypted => reject(Reason::Encrypted, ""),
        Content::ActiveContent { detail } => reject(Reason::ActiveContent, detail),
        Content::Broken { may_still_be_copying: true, .. } => Decision::Wait(WaitFor::Copying),
        Content::Broken { detail, .. } => reject(Reason::Broken, detail),
        Content::Known | Content::Pdf => return None,
    })
}

/// A file of no letter: a new draft is registered in the drafting folder
/// only; elsewhere it is refused.
fn new_file(wf: &Workflow, f: &Facts, step: &Step, area: &Area) -> Decision {
    if let Some((code, detail)) = f.meta_problem {
        return reject(code, detail);
    }
    if let Some(d) = sifat_refused(wf, f) {
        return d;
    }
    if step.kind == StepKind::Drop && *area == Area::Inbox {
        let next = step.next.as_deref().and_then(|n| wf.step(n)).expect("validated: drop has next");
        let (to_step, dest, _) = arrive(wf, next, 0);
        Decision::Register { to_step, dest, action: "register".into() }
    } else if step.kind == StepKind::SignedDrop {
        // A signed file that matches no letter waiting for a signature.
        reject(Reason::NoMatch, "")
    } else {
        reject(Reason::UnknownFile, "")
    }
}

/// SOP-024: only the roles of `letters.sifat_roles` choose a sifat other
/// than Biasa. A new draft asking for one (other than the workflow's own
/// default) placed by a person without such a role is refused before it
/// gets a number, saying what it asked for and who may choose it. Where
/// the workflow lists people, a file whose owner is none of them (a copy
/// suratd placed, saved over and renamed: its owner is suratd's user) may
/// not choose either; where it lists nobody, owners are never known and
/// the rule cannot apply.
fn sifat_refused(wf: &Workflow, f: &Facts) -> Option<Decision> {
    let (Some(sifat), Some(may)) = (f.sifat, &wf.sifat_roles) else { return None };
    if sifat == "B" || sifat == wf.defaults.sifat {
        return None;
    }
    match &f.owner {
        Owner::Person { roles, .. } if roles.iter().any(|r| may.contains(r)) => return None,
        Owner::Person { .. } => {}
        Owner::Allowed if !wf.people.is_empty() => {}
        _ => return None,
    }
    let name = crate::letter::metadata::sifat_name(sifat);
    let who: Vec<&str> = may.iter().map(|r| wf.role_name(r)).collect();
    let detail = match who.is_empty() {
        true => format!("{name} tidak dipakai di kantor ini; semua surat bersifat Biasa"),
        false => format!("{name} hanya dapat ditetapkan oleh {}", who.join(" atau ")),
    };
    Some(reject(Reason::SifatNotAllowed, &detail))
}

/// A letter that is no longer in the workflow, a file already where it is
/// recorded, or a second copy of the letter's current file.
fn closed_or_copy(f: &Facts, letter: &LetterView) -> Option<Decision> {
    // A finished or cancelled letter's own file where suratd put it (the
    // archive, `batal/`) stays there, across restarts and rescans.
    let closed = matches!(letter.state, LetterState::Finished | LetterState::Cancelled);
    if closed && f.at_recorded_path && *f.content == Content::Known {
        return Some(Decision::Nothing);
    }
    match letter.state {
        LetterState::Active => {}
        LetterState::Finished => return Some(reject(Reason::LetterClosed, "selesai")),
        LetterState::Cancelled => return Some(reject(Reason::LetterClosed, "dibatalkan")),
        LetterState::Pending | LetterState::Void => return Some(reject(Reason::UnknownFile, "")),
    }
    if f.at_recorded_path && *f.content == Content::Known {
        return Some(Decision::Nothing);
    }
    // A second copy of the letter's current file: letters move by moving.
    if f.original_present && *f.content == Content::Known && !f.at_recorded_path {
        return Some(reject(Reason::Duplicate, ""));
    }
    None
}

/// A corrected version of a letter (new content in the drafting folders,
/// or at the letter's review or waiting step: saved over its file, or put
/// into an outcome folder that passes it on) that is refused: from a person
/// who is not its drafter, where both are people in workflow.yaml (the
/// caller logs it as a security event), or with a sidecar that cannot be used.
fn refused_correction(wf: &Workflow, f: &Facts, letter: &LetterView, step: &Step, area: &Area) -> Option<Decision> {
    let drafting = step.kind == StepKind::Drop && matches!(area, Area::Inbox | Area::Returns);
    let at_its_step = step.id == letter.step
        && match area {
            Area::Inbox => matches!(step.kind, StepKind::Review | StepKind::Waiting),
            Area::Outcome(o) => step.outcome(o).and_then(|o| wf.step(&o.to)).is_some_and(|t| approves_a_draft(step, t)),
            Area::Returns => false,
        };
    if !(drafting || at_its_step) || *f.content != Content::Pdf || f.edit != Edit::None {
        return None;
    }
    if let Owner::Person { login, .. } = &f.owner
        && let Some(drafter) = letter.drafter.as_deref().and_then(|d| wf.person(d))
        && !drafter.login.eq_ignore_ascii_case(login)
    {
        return Some(reject(Reason::NotDrafter, &drafter.name));
    }
    f.meta_problem.map(|(code, detail)| reject(code, detail))
}

/// A reviewer's edit of the letter's copy at its step (see [`Edit`]). Only
/// the drafter changes a letter's content: an edit a reader sees sends the
/// letter back to the drafter, with the edit as the reviewer's comments,
/// whether it was saved in place or moved into an approving folder (moved
/// into the folder that sends back, it goes back as any return, with its
/// note). An edit of metadata only is a version of the letter's own copy:
/// recorded where it lies, and approved or sent back as the copy would be.
fn reviewers_edit(wf: &Workflow, f: &Facts, letter: &LetterView, step: &Step, area: &Area) -> Option<Decision> {
    if letter.state != LetterState::Active {
        return None;
    }
    let at_its_step = step.id == letter.step && matches!(step.kind, StepKind::Review | StepKind::Waiting);
    match (f.edit, area) {
        (Edit::None, _) => None,
        // The reviewer's comments beside a letter sent back: the drafter reads them.
        (Edit::Comments, Area::Returns) if step.kind == StepKind::Drop => Some(Decision::Nothing),
        (Edit::Comments, _) => None,
        _ if !at_its_step => None,
        (Edit::Shows, Area::Inbox) => Some(Decision::SendBack { reason: Reason::ReviewerEdited }),
        (Edit::Shows, Area::Outcome(o)) => {
            let back = step.outcome(o).and_then(|o| wf.step(&o.to)).is_some_and(|t| t.kind == StepKind::Drop);
            (!back).then_some(Decision::SendBack { reason: Reason::ReviewerEdited })
        }
        (Edit::Metadata, Area::Inbox) => Some(Decision::Track),
        (Edit::Metadata | Edit::Shows, _) => None,
    }
}

/// The first review step: the drafting step's `next`.
fn first_review(wf: &Workflow) -> &Step {
    wf.entry().next.as_deref().and_then(|n| wf.step(n)).expect("validated: drop has next")
}

/// Whether a letter's file changed in place at `step` is a corrected
/// version that must pass the reviews again: at a review or waiting step
/// past the first review step (after an approval).
fn past_an_approval(wf: &Workflow, step: &Step) -> bool {
    matches!(step.kind, StepKind::Review | StepKind::Waiting) && step.id != first_review(wf).id
}

/// Whether an outcome of `step` that leads to `target` passes a draft on (an
/// approval at a review or waiting step, not a return to the drafter).
fn approves_a_draft(step: &Step, target: &Step) -> bool {
    matches!(step.kind, StepKind::Review | StepKind::Waiting) && target.kind != StepKind::Drop
}

/// A file in its own letter's step: into an outcome folder (the reviewer's
/// decision), back into the drafting folder, or changed in place (a new
/// version past an approval goes back to the first review step).
fn within_step(wf: &Workflow, f: &Facts, letter: &LetterView, step: &Step, area: &Area) -> Decision {
    // After signing, the letter is the signed file: other bytes (saved over
    // it, or moved on in its place) are refused and the signed file put back.
    if step.kind == StepKind::Dispatch && *f.content == Content::Pdf {
        return reject(Reason::SignedLetterChanged, "");
    }
    // Past drafting, a letter's file is not edited where it lies: the
    // changed bytes are refused (kept in the rejected folder) and the
    // letter's own version put back. Corrections come from the drafter; a
    // copy marked up by the reviewer may go back to the drafter with it.
    let sent_back = match area {
        Area::Outcome(o) => step.outcome(o).and_then(|o| wf.step(&o.to)).is_some_and(|t| t.kind == StepKind::Drop),
        _ => false,
    };
    // A reviewer's edit of metadata only is the letter's own copy.
    let changed = *f.content == Content::Pdf && f.edit != Edit::Metadata;
    if f.owner == Owner::Edited && step.kind != StepKind::Drop && changed && !sent_back {
        return reject(Reason::LetterOverwritten, "");
    }
    match area {
        Area::Inbox if step.kind == StepKind::Drop => move_to(wf, letter, first_review(wf), "resubmit", false),
        Area::Inbox if *f.content == Content::Pdf && past_an_approval(wf, step) => {
            move_to(wf, letter, first_review(wf), "resubmit", false)
        }
        Area::Inbox | Area::Returns => Decision::Track,
        Area::Outcome(o) => {
            let Some(target) = step.outcome(o).and_then(|o| wf.step(&o.to)) else {
                return Decision::Return { reason: Reason::WrongFolder };
            };
            // A note may follow: the reviewer's reason, or how a letter was sent.
            if (target.kind == StepKind::Drop || step.kind == StepKind::Dispatch) && f.note == Note::MaybeLater {
                return Decision::Wait(WaitFor::Note);
            }
            // Changed bytes are not what was reviewed: not approved, but a new
            // version for the first review (sent back with them is fine).
            if changed && approves_a_draft(step, target) {
                return move_to(wf, letter, first_review(wf), "resubmit", false);
            }
            move_to(wf, letter, target, o, f.note == Note::Found)
        }
    }
}

/// A file in another step's folder than its letter's: a corrected draft, the
/// next step's folder (a signed file, or a move forward), or the wrong place.
fn across_steps(wf: &Workflow, f: &Facts, letter: &LetterView, current: &Step, step: &Step, area: &Area) -> Decision {
    let new = *f.content == Content::Pdf;
    if step.kind == StepKind::Drop && *area == Area::Inbox && (f.original_present || new) {
        return corrected_draft(wf, f, letter, current);
    }
    let awaited = current.next.as_deref() == Some(step.id.as_str());
    // New bytes signed for a letter that does not wait for its signature
    // (still in review, or signed already) are never its signed letter.
    if *area == Area::Inbox && step.kind == StepKind::SignedDrop && !awaited && new {
        return reject(Reason::NotAwaitingSignature, &current.name);
    }
    if *area == Area::Inbox && awaited {
        if step.kind == StepKind::SignedDrop {
            let problem = match &f.signature {
                Signed::Holds => return move_to(wf, letter, step, "signed", false),
                Signed::No | Signed::Unchecked => (Reason::NotSigned, String::new()),
                Signed::Fails(why) => (Reason::SignatureInvalid, why.clone()),
                Signed::WrongSigner(why) => (Reason::WrongSigner, why.clone()),
                Signed::Differs(why) => (Reason::SignedTextDiffers, why.clone()),
                Signed::Unapproved(step) => (Reason::CopyNotApproved, step.clone()),
            };
            // The letter's own unsigned copy, moved here by hand, goes back.
            return if *f.content == Content::Known {
                Decision::Return { reason: problem.0 }
            } else {
                Decision::Reject { reason: problem.0, detail: problem.1 }
            };
        }
        // A hand-off moves the letter's own file: other bytes would skip the reviews.
        if !new {
            return move_to(wf, letter, step, "forward", false);
        }
    }
    // A letter's file moved where its step does not lead goes back; new
    // bytes for a letter outside the drafting folder are refused (never
    // put in the letter's place).
    if new { reject(Reason::LetterElsewhere, "") } else { Decision::Return { reason: Reason::WrongFolder } }
}

/// A corrected draft (the number put in, say) dropped while the letter is
/// on its way. At the first review step (the drafting step's `next`) it
/// takes the place of the copy under review; at a later review or waiting
/// step, past an approval, the letter goes back to the first review step as
/// a new version (its approved copy leaves that step's folder): approvals
/// are never skipped. Once signed, it is refused.
fn corrected_draft(wf: &Workflow, f: &Facts, letter: &LetterView, current: &Step) -> Decision {
    let first = first_review(wf);
    if *f.content != Content::Pdf || current.id != first.id && !past_an_approval(wf, current) {
        return reject(Reason::LetterElsewhere, "");
    }
    if current.id == first.id {
        return Decision::Move {
            to_step: current.id.clone(),
            dest: Dest::Back,
            action: "replace".into(),
            state: LetterState::Active,
            take_note: false,
        };
    }
    move_to(wf, letter, first, "resubmit", false)
}

pub mod approvals;
pub mod guidance;
pub mod late;
pub mod movers;
pub mod notes;
pub use movers::{Capacity, Mover};
#[cfg(test)]
mod tests;
