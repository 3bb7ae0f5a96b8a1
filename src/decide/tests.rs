//! The decision's rules, each tested without disk or network.

use super::*;
use crate::workflow::layout::classify;

fn wf() -> Workflow {
    Workflow::load(None).unwrap().0
}

fn letter(step: &str) -> LetterView {
    LetterView {
        id: "SK-2026-0001".into(),
        step: step.into(),
        state: LetterState::Active,
        path: "x".into(),
        year: 2026,
        drafter: Some("dewi".into()),
    }
}

fn person(login: &str, roles: &[&str]) -> Owner {
    Owner::Person { login: login.into(), roles: roles.iter().map(|r| r.to_string()).collect() }
}

fn run(wf: &Workflow, rel: &str, l: Option<&LetterView>, c: Content, at: bool, orig: bool, note: Note) -> Decision {
    let place = classify(wf, rel);
    decide(
        wf,
        &Facts {
            place: &place,
            letter: l,
            content: &c,
            at_recorded_path: at,
            original_present: orig,
            note,
            meta_problem: None,
            sifat: None,
            number_in_text: Some(true),
            signature: if rel.starts_with("06-") { Signed::Holds } else { Signed::Unchecked },
            owner: Owner::Unchecked,
            mover: Mover::Unverified,
            edit: Edit::None,
        },
    )
}

#[test]
fn new_draft_is_registered_and_sent_to_verification() {
    let wf = wf();
    let d = run(&wf, "01-draf/Undangan.pdf", None, Content::Pdf, false, false, Note::Missing);
    assert_eq!(
        d,
        Decision::Register {
            to_step: "verifikasi".into(),
            dest: Dest::Inbox("verifikasi".into()),
            action: "register".into()
        }
    );
}

#[test]
fn a_file_where_suratd_put_it_is_left_alone() {
    let wf = wf();
    let l = letter("verifikasi");
    let d = run(&wf, "02-verifikasi/SK-2026-0001 X.pdf", Some(&l), Content::Known, true, true, Note::Missing);
    assert_eq!(d, Decision::Nothing);
}

#[test]
fn approve_moves_to_the_outcome_target() {
    let wf = wf();
    let l = letter("verifikasi");
    let d = run(&wf, "02-verifikasi/setuju/SK-2026-0001 X.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert_eq!(
        d,
        Decision::Move {
            to_step: "kelengkapan".into(),
            dest: Dest::Inbox("kelengkapan".into()),
            action: "setuju".into(),
            state: LetterState::Active,
            take_note: false
        }
    );
}

#[test]
fn revisi_returns_to_the_drafter_and_waits_for_a_note() {
    let wf = wf();
    let l = letter("kelengkapan");
    let d = run(&wf, "03-kelengkapan/revisi/a.pdf", Some(&l), Content::Known, false, false, Note::MaybeLater);
    assert_eq!(d, Decision::Wait(WaitFor::Note));
    let d = run(&wf, "03-kelengkapan/revisi/a.pdf", Some(&l), Content::Known, false, false, Note::Found);
    assert_eq!(
        d,
        Decision::Move {
            to_step: "draf".into(),
            dest: Dest::Returns("draf".into()),
            action: "revisi".into(),
            state: LetterState::Active,
            take_note: true
        }
    );
}

#[test]
fn corrected_draft_is_resubmitted() {
    let wf = wf();
    let l = letter("draf");
    let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(
        matches!(d, Decision::Move { ref to_step, ref action, .. } if to_step == "verifikasi" && action == "resubmit"),
        "{d:?}"
    );
    // Saved over in the returns folder: a new version, nothing moves.
    let d = run(&wf, "01-draf/revisi/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, true, true, Note::Missing);
    assert_eq!(d, Decision::Track);
}

#[test]
fn an_edit_in_place_past_an_approval_goes_back_to_the_first_review() {
    let wf = wf();
    // At the first review step: a new version, nothing moves.
    let l = letter("verifikasi");
    let d = run(&wf, "02-verifikasi/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, true, false, Note::Missing);
    assert_eq!(d, Decision::Track);
    for (at, rel) in [
        ("kelengkapan", "03-kelengkapan/SK-2026-0001 X.pdf"),
        ("ajukan_tte", "04-ajukan-tte/SK-2026-0001 X.pdf"),
        ("menunggu_tte", "05-menunggu-tte/SK-2026-0001 X.pdf"),
    ] {
        let l = letter(at);
        let d = run(&wf, rel, Some(&l), Content::Pdf, true, false, Note::Missing);
        assert_eq!(
            d,
            Decision::Move {
                to_step: "verifikasi".into(),
                dest: Dest::Inbox("verifikasi".into()),
                action: "resubmit".into(),
                state: LetterState::Active,
                take_note: false
            },
            "{at}"
        );
        // Renamed only: recorded in place.
        let d = run(&wf, rel, Some(&l), Content::Known, false, false, Note::Missing);
        assert_eq!(d, Decision::Track, "{at}");
    }
    // A signed letter at dispatch is not a draft any more, and its bytes are
    // the signed file's: other bytes, in place or moved on, are refused.
    let l = letter("distribusi");
    for rel in ["07-distribusi/SK-2026-0001 X.pdf", "07-distribusi/terkirim/SK-2026-0001 X.pdf"] {
        let d = run(&wf, rel, Some(&l), Content::Pdf, true, false, Note::Missing);
        assert!(matches!(d, Decision::Reject { reason: Reason::SignedLetterChanged, .. }), "{rel}: {d:?}");
    }
    let d = run(&wf, "07-distribusi/SK-2026-0001 X.pdf", Some(&l), Content::Known, true, false, Note::Missing);
    assert_eq!(d, Decision::Nothing);
}

#[test]
fn a_corrected_draft_replaces_the_copy_under_review_only_at_the_first_review() {
    let wf = wf();
    let l = letter("verifikasi");
    let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(
        matches!(d, Decision::Move { ref to_step, dest: Dest::Back, ref action, .. } if to_step == "verifikasi" && action == "replace"),
        "{d:?}"
    );
    // Past an approval: back to the first review, as a new version.
    let l = letter("kelengkapan");
    let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert_eq!(
        d,
        Decision::Move {
            to_step: "verifikasi".into(),
            dest: Dest::Inbox("verifikasi".into()),
            action: "resubmit".into(),
            state: LetterState::Active,
            take_note: false
        }
    );
    // The same while it waits for the signature (its copy leaves 04 or 05).
    for at in ["ajukan_tte", "menunggu_tte"] {
        let l = letter(at);
        let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
        assert!(
            matches!(d, Decision::Move { ref to_step, dest: Dest::Inbox(_), ref action, .. } if to_step == "verifikasi" && action == "resubmit"),
            "{at}: {d:?}"
        );
    }
    // Not once signed.
    let l = letter("distribusi");
    let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterElsewhere, .. }), "{d:?}");
}

#[test]
fn only_the_drafter_may_send_a_corrected_version() {
    let mut wf = wf();
    for (login, name) in [("dewi", "Dewi"), ("budi", "Budi")] {
        wf.people.push(crate::workflow::Person {
            login: login.into(),
            name: name.into(),
            email: None,
            roles: vec!["anggota_tim".into()],
            team: Some("umum".into()),
        });
    }
    let place = classify(&wf, "01-draf/SK-2026-0001 X.pdf");
    let l = letter("kelengkapan");
    let f = Facts {
        place: &place,
        letter: Some(&l),
        content: &Content::Pdf,
        at_recorded_path: false,
        original_present: true,
        note: Note::Missing,
        meta_problem: None,
        sifat: None,
        number_in_text: Some(true),
        signature: Signed::Unchecked,
        owner: person("budi", &["anggota_tim"]),
        mover: Mover::Unverified,
        edit: Edit::None,
    };
    assert_eq!(decide(&wf, &f), Decision::Reject { reason: Reason::NotDrafter, detail: "Dewi".into() });
    // Also at the first review, and for a letter back with its drafter;
    // saved over the returned copy, or over the letter's file at a step.
    for (at, rel) in [
        ("verifikasi", "01-draf/SK-2026-0001 X.pdf"),
        ("draf", "01-draf/SK-2026-0001 X.pdf"),
        ("draf", "01-draf/revisi/SK-2026-0001 X.pdf"),
        ("menunggu_tte", "05-menunggu-tte/SK-2026-0001 X.pdf"),
    ] {
        let l = letter(at);
        let place = classify(&wf, rel);
        let g = Facts {
            place: &place,
            letter: Some(&l),
            owner: person("budi", &["anggota_tim", "sekretaris"]),
            ..f.clone()
        };
        assert!(matches!(decide(&wf, &g), Decision::Reject { reason: Reason::NotDrafter, .. }), "{at} {rel}");
    }
    let own = Facts { owner: person("DEWI", &["anggota_tim"]), ..f.clone() };
    assert!(matches!(decide(&wf, &own), Decision::Move { ref action, .. } if action == "resubmit"));
    // Owners nobody knows, or a drafter nobody knows: the rule cannot apply.
    let unknown = Facts { owner: Owner::Allowed, ..f.clone() };
    assert!(matches!(decide(&wf, &unknown), Decision::Move { .. }));
    let mut stranger = letter("kelengkapan");
    stranger.drafter = Some("uid:1234".into());
    let g = Facts { letter: Some(&stranger), ..f.clone() };
    assert!(matches!(decide(&wf, &g), Decision::Move { .. }));
    // A corrected draft whose sidecar cannot be used.
    let bad =
        Facts { owner: person("dewi", &["anggota_tim"]), meta_problem: Some((Reason::BadSidecar, "x")), ..f.clone() };
    assert_eq!(decide(&wf, &bad), Decision::Reject { reason: Reason::BadSidecar, detail: "x".into() });
    // A move keeps the owner: the returned file moved back is no new version.
    let l = letter("draf");
    let moved = Facts { letter: Some(&l), content: &Content::Known, original_present: false, ..f };
    assert!(matches!(decide(&wf, &moved), Decision::Move { ref action, .. } if action == "resubmit"));
}

#[test]
fn manual_handoff_and_signed_drop_forward() {
    let wf = wf();
    let l = letter("ajukan_tte");
    let d = run(&wf, "05-menunggu-tte/a.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert!(
        matches!(d, Decision::Move { ref to_step, ref action, .. } if to_step == "menunggu_tte" && action == "forward"),
        "{d:?}"
    );
    let l = letter("menunggu_tte");
    let d = run(&wf, "06-sudah-tte/signed.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(
        matches!(d, Decision::Move { ref to_step, ref action, .. } if to_step == "distribusi" && action == "signed"),
        "{d:?}"
    );
}

/// The facts of a letter's file moved to `rel`, its number's presence in
/// the text not yet read.
fn unread<'a>(place: &'a Place<'a>, l: &'a LetterView, content: &'a Content) -> Facts<'a, 'a> {
    Facts {
        place,
        letter: Some(l),
        content,
        at_recorded_path: false,
        original_present: false,
        note: Note::Missing,
        meta_problem: None,
        sifat: None,
        number_in_text: None,
        signature: Signed::Unchecked,
        owner: Owner::Unchecked,
        mover: Mover::Unverified,
        edit: Edit::None,
    }
}

#[test]
fn the_number_must_be_in_the_letter_before_the_first_review() {
    let wf = wf();
    // A new draft: held back at registration when it lacks the number it gets.
    assert_eq!(held_at_registration(&wf, "verifikasi", Some(false)), Some(Reason::NumberMissing));
    assert_eq!(held_at_registration(&wf, "verifikasi", Some(true)), None);
    // A Word draft with no place for its number is told how to mark one.
    assert_eq!(held_note_reason(Reason::NumberMissing, Some(0)), Reason::NoPlaceholder);
    assert_eq!(held_note_reason(Reason::NumberMissing, Some(1)), Reason::NumberMissing);
    assert_eq!(held_note_reason(Reason::NumberMissing, None), Reason::NumberMissing);
    assert!(registration_reads_text(&wf, "verifikasi") && !registration_reads_text(&wf, "kelengkapan"));
    // A correction: the text is read, and without the number it goes back.
    let l = letter("draf");
    let place = classify(&wf, "01-draf/SK-2026-0001 v2.pdf");
    let mut f = unread(&place, &l, &Content::Pdf);
    assert_eq!(decide(&wf, &f), Decision::NeedText);
    f.number_in_text = Some(false);
    assert_eq!(decide(&wf, &f), Decision::SendBack { reason: Reason::NumberMissing });
    f.number_in_text = Some(true);
    assert!(matches!(decide(&wf, &f), Decision::Move { ref to_step, .. } if to_step == "verifikasi"));
    // No later step looks at the text: no approval is undone for the number.
    for (step, rel, to) in [
        ("verifikasi", "02-verifikasi/setuju/a.pdf", "kelengkapan"),
        ("kelengkapan", "03-kelengkapan/setuju/a.pdf", "ajukan_tte"),
    ] {
        let l = letter(step);
        let place = classify(&wf, rel);
        let d = decide(&wf, &unread(&place, &l, &Content::Known));
        assert!(matches!(d, Decision::Move { ref to_step, .. } if to_step == to), "{d:?}");
    }
}

#[test]
fn an_office_may_keep_the_number_check_before_signing() {
    let text = include_str!("../../workflow.yaml").replace("    checks: [number_in_text]\n", "").replace(
        "    kind: waiting\n    role: sekretaris\n",
        "    kind: waiting\n    role: sekretaris\n    checks: [number_in_text]\n",
    );
    let wf = Workflow::from_text("workflow.yaml", &text).unwrap().0;
    assert!(wf.step("ajukan_tte").unwrap().checks.contains(&StepCheck::NumberInText));
    assert_eq!(held_at_registration(&wf, "verifikasi", Some(false)), None);
    assert!(!registration_reads_text(&wf, "verifikasi"));
    let l = letter("kelengkapan");
    let place = classify(&wf, "03-kelengkapan/setuju/a.pdf");
    let mut f = unread(&place, &l, &Content::Known);
    assert_eq!(decide(&wf, &f), Decision::NeedText);
    f.number_in_text = Some(false);
    assert_eq!(decide(&wf, &f), Decision::SendBack { reason: Reason::NumberMissing });
}

#[test]
fn only_a_signature_that_holds_passes_the_signed_drop() {
    let wf = wf();
    let l = letter("menunggu_tte");
    let place = classify(&wf, "06-sudah-tte/signed.pdf");
    let mut f = Facts {
        place: &place,
        letter: Some(&l),
        content: &Content::Pdf,
        at_recorded_path: false,
        original_present: true,
        note: Note::Missing,
        meta_problem: None,
        sifat: None,
        number_in_text: Some(true),
        signature: Signed::No,
        mover: Mover::Unverified,
        owner: Owner::Unchecked,
        edit: Edit::None,
    };
    assert!(matches!(decide(&wf, &f), Decision::Reject { reason: Reason::NotSigned, .. }));
    f.signature = Signed::Fails("rusak".into());
    assert_eq!(decide(&wf, &f), Decision::Reject { reason: Reason::SignatureInvalid, detail: "rusak".into() });
    // The unsigned copy itself, moved here by hand, is put back.
    let f2 = Facts { content: &Content::Known, original_present: false, signature: Signed::No, ..f.clone() };
    assert_eq!(decide(&wf, &f2), Decision::Return { reason: Reason::NotSigned });
    f.signature = Signed::Holds;
    assert!(
        matches!(decide(&wf, &f), Decision::Move { ref to_step, ref action, .. } if to_step == "distribusi" && action == "signed")
    );
    // A signed file that matches no waiting letter.
    let f3 = Facts { letter: None, ..f.clone() };
    assert!(matches!(decide(&wf, &f3), Decision::Reject { reason: Reason::NoMatch, .. }));
    // Signed, but not the copy submitted for signing.
    f.signature = Signed::Differs("baris \"Senin\"".into());
    assert_eq!(
        decide(&wf, &f),
        Decision::Reject { reason: Reason::SignedTextDiffers, detail: "baris \"Senin\"".into() }
    );
    // Signed by someone who may not sign.
    f.signature = Signed::WrongSigner("ditandatangani oleh X".into());
    assert_eq!(
        decide(&wf, &f),
        Decision::Reject { reason: Reason::WrongSigner, detail: "ditandatangani oleh X".into() }
    );
    f.signature = Signed::Unapproved("Verifikasi Ketua Tim".into());
    assert_eq!(
        decide(&wf, &f),
        Decision::Reject { reason: Reason::CopyNotApproved, detail: "Verifikasi Ketua Tim".into() }
    );
}

#[test]
fn a_signed_file_for_a_letter_not_waiting_for_its_signature_is_refused() {
    let wf = wf();
    let place = classify(&wf, "06-sudah-tte/SK-2026-0001 ttd.pdf");
    for (step, name) in [("kelengkapan", "Pemeriksaan Kelengkapan"), ("distribusi", "Pengiriman Surat")] {
        let l = letter(step);
        let f = Facts {
            place: &place,
            letter: Some(&l),
            content: &Content::Pdf,
            at_recorded_path: false,
            original_present: true,
            note: Note::Missing,
            meta_problem: None,
            sifat: None,
            number_in_text: Some(true),
            mover: Mover::Unverified,
            signature: Signed::Holds,
            owner: Owner::Unchecked,
            edit: Edit::None,
        };
        let d = decide(&wf, &f);
        assert!(
            matches!(d, Decision::Reject { reason: Reason::NotAwaitingSignature, ref detail } if detail.contains(name)),
            "{step}: {d:?}"
        );
    }
}

#[test]
fn only_the_secretary_chooses_a_sifat_other_than_biasa() {
    let wf = wf();
    assert_eq!(wf.sifat_roles.as_deref(), Some(&["sekretaris".to_string()][..]), "the shipped workflow");
    let place = classify(&wf, "01-draf/KP.650 Rahasia.pdf");
    let drafter = person("dewi", &["anggota_tim"]);
    let asks =
        |sifat, owner| decide(&wf, &Facts { sifat: Some(sifat), owner, ..Facts::of(&place, None, &Content::Pdf) });
    let refused = asks("R", drafter.clone());
    assert_eq!(
        refused,
        Decision::Reject {
            reason: Reason::SifatNotAllowed,
            detail: "Rahasia hanya dapat ditetapkan oleh Sekretaris".into()
        }
    );
    assert!(matches!(asks("P", drafter.clone()), Decision::Reject { reason: Reason::SifatNotAllowed, .. }));
    assert!(matches!(asks("B", drafter), Decision::Register { .. }));
    assert!(matches!(asks("R", person("sari", &["anggota_tim", "sekretaris"])), Decision::Register { .. }));
    // An owner who is none of the people listed (a copy suratd placed,
    // saved over and renamed) may not choose either; where nobody is
    // listed, owners are never known and the rule cannot apply.
    assert!(wf.people.is_empty(), "the shipped workflow lists nobody");
    assert!(matches!(asks("R", Owner::Allowed), Decision::Register { .. }));
    let dewi = crate::workflow::Person {
        login: "dewi".into(),
        name: "Dewi".into(),
        email: None,
        roles: vec!["anggota_tim".into()],
        team: None,
    };
    let listed = Workflow { people: vec![dewi], ..wf.clone() };
    let f = Facts { sifat: Some("R"), owner: Owner::Allowed, ..Facts::of(&place, None, &Content::Pdf) };
    assert!(matches!(decide(&listed, &f), Decision::Reject { reason: Reason::SifatNotAllowed, .. }));
    // The admin's default is no drafter's choice; without the key, anyone chooses.
    let mut own = wf.clone();
    own.defaults.sifat = "P".into();
    let f =
        Facts { sifat: Some("P"), owner: person("dewi", &["anggota_tim"]), ..Facts::of(&place, None, &Content::Pdf) };
    assert!(matches!(decide(&own, &f), Decision::Register { .. }));
    own.sifat_roles = None;
    assert!(matches!(decide(&own, &Facts { sifat: Some("R"), ..f.clone() }), Decision::Register { .. }));
    own.sifat_roles = Some(vec![]);
    let none = decide(&own, &Facts { sifat: Some("R"), ..f });
    assert!(
        matches!(none, Decision::Reject { reason: Reason::SifatNotAllowed, ref detail } if detail.contains("semua surat bersifat Biasa"))
    );
}

#[test]
fn access_rules_apply_to_new_files() {
    let wf = wf();
    let place = classify(&wf, "06-sudah-tte/signed.pdf");
    let l = letter("menunggu_tte");
    let f = Facts {
        place: &place,
        letter: Some(&l),
        content: &Content::Pdf,
        at_recorded_path: false,
        original_present: true,
        note: Note::Missing,
        meta_problem: None,
        sifat: None,
        number_in_text: Some(true),
        signature: Signed::Holds,
        owner: person("budi", &["anggota_tim"]),
        mover: Mover::Unverified,
        edit: Edit::None,
    };
    // Who may is named by role names, never by role ids.
    let who = "Kepala BPS Provinsi atau Sekretaris".to_string();
    assert_eq!(decide(&wf, &f), Decision::Reject { reason: Reason::NoAccess, detail: who });
    let ok = Facts { owner: person("sari", &["sekretaris"]), ..f.clone() };
    assert!(matches!(decide(&wf, &ok), Decision::Move { .. }));
    let refused = Facts { owner: Owner::Refused, ..f.clone() };
    assert!(matches!(decide(&wf, &refused), Decision::Reject { reason: Reason::UnknownOwner, .. }));
    // A move keeps the owner: not checked.
    let moved = Facts { content: &Content::Known, original_present: false, ..f };
    assert!(!matches!(decide(&wf, &moved), Decision::Reject { reason: Reason::NoAccess, .. }));
}

#[test]
fn dispatch_archives_and_batal_cancels() {
    let wf = wf();
    let l = letter("distribusi");
    let d = run(&wf, "07-distribusi/terkirim/a.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert_eq!(
        d,
        Decision::Move {
            to_step: "arsip".into(),
            dest: Dest::Archive { year: 2026 },
            action: "terkirim".into(),
            state: LetterState::Finished,
            take_note: false
        }
    );
    let d = run(&wf, "batal/a.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert!(matches!(d, Decision::Move { state: LetterState::Cancelled, .. }), "{d:?}");
}

#[test]
fn wrong_moves_are_returned_and_strangers_rejected() {
    let wf = wf();
    let l = letter("verifikasi");
    // Skipping a step.
    let d = run(&wf, "04-ajukan-tte/a.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert_eq!(d, Decision::Return { reason: Reason::WrongFolder });
    // An outcome folder of another step.
    let d = run(&wf, "03-kelengkapan/setuju/a.pdf", Some(&l), Content::Known, false, false, Note::Missing);
    assert_eq!(d, Decision::Return { reason: Reason::WrongFolder });
    // A new file outside the drafting folder.
    let d = run(&wf, "03-kelengkapan/a.pdf", None, Content::Pdf, false, false, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::UnknownFile, .. }));
    // A copy of a letter that still sits in its place.
    let d = run(&wf, "02-verifikasi/setuju/copy.pdf", Some(&l), Content::Known, false, true, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::Duplicate, .. }));
    // A finished letter coming back.
    let mut done = letter("arsip");
    done.state = LetterState::Finished;
    let d = run(&wf, "01-draf/a.pdf", Some(&done), Content::Known, false, true, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterClosed, .. }));
}

#[test]
fn bad_content_is_rejected_or_waited_for() {
    let wf = wf();
    for (c, want) in [
        (Content::Empty { may_still_be_copying: false }, Reason::Empty),
        (Content::Symlink, Reason::Symlink),
        (Content::Encrypted, Reason::Encrypted),
        (Content::ActiveContent { detail: "JavaScript".into() }, Reason::ActiveContent),
        (Content::NotPdf { detail: "teks".into() }, Reason::NotPdf),
        (Content::OfficeDocument { format: "Word".into() }, Reason::OfficeDocument),
        (Content::BadDocument { reason: Reason::MacroDocument, detail: "makro".into() }, Reason::MacroDocument),
        (Content::Broken { detail: "x".into(), may_still_be_copying: false }, Reason::Broken),
    ] {
        let d = run(&wf, "01-draf/a.pdf", None, c, false, false, Note::Missing);
        assert!(matches!(d, Decision::Reject { reason, .. } if reason == want), "{d:?}");
    }
    let d = run(
        &wf,
        "01-draf/a.pdf",
        None,
        Content::Broken { detail: "x".into(), may_still_be_copying: true },
        false,
        false,
        Note::Missing,
    );
    assert_eq!(d, Decision::Wait(WaitFor::Copying));
    // An empty file a copy has just made (Explorer creates it first).
    let d = run(&wf, "01-draf/a.pdf", None, Content::Empty { may_still_be_copying: true }, false, false, Note::Missing);
    assert_eq!(d, Decision::Wait(WaitFor::Copying));
    // Not watched: the archive.
    let d =
        run(&wf, "arsip/2026/a.pdf", None, Content::Empty { may_still_be_copying: false }, false, false, Note::Missing);
    assert_eq!(d, Decision::Nothing);
}

#[test]
fn new_bytes_never_pass_an_approval_or_a_hand_off() {
    let wf = wf();
    let back = |d: &Decision| matches!(d, Decision::Move { to_step, action, .. } if to_step == "verifikasi" && action == "resubmit");
    // Put into "setuju" changed: not approved, a new version for the first review.
    for (at, rel) in [("verifikasi", "02-verifikasi/setuju/a.pdf"), ("kelengkapan", "03-kelengkapan/setuju/a.pdf")] {
        let l = letter(at);
        let d = run(&wf, rel, Some(&l), Content::Pdf, false, false, Note::Missing);
        assert!(back(&d), "{at}: {d:?}");
    }
    // Sent back with changes (a reviewer's marks): to the drafter, as before.
    let l = letter("kelengkapan");
    let d = run(&wf, "03-kelengkapan/revisi/a.pdf", Some(&l), Content::Pdf, false, false, Note::Found);
    assert!(matches!(d, Decision::Move { ref to_step, ref action, .. } if to_step == "draf" && action == "revisi"));
    // A hand-off with other bytes than the letter's file: refused.
    let l = letter("ajukan_tte");
    let d = run(&wf, "05-menunggu-tte/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterElsewhere, .. }), "{d:?}");
    // New bytes in a folder the letter is not at: refused, never put in its place.
    let d = run(&wf, "05-menunggu-tte/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, false, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterElsewhere, .. }), "{d:?}");
    let l = letter("kelengkapan");
    let d = run(&wf, "04-ajukan-tte/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, true, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterElsewhere, .. }), "{d:?}");
    // A corrected draft whose letter's copy is gone from the share still goes back.
    let d = run(&wf, "01-draf/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, false, false, Note::Missing);
    assert!(back(&d), "{d:?}");
    // The reviewer's own changed copy, where owners are known: refused.
    let mut wf = wf;
    wf.people.push(crate::workflow::Person {
        login: "dewi".into(),
        name: "Dewi".into(),
        email: None,
        roles: vec!["anggota_tim".into()],
        team: Some("umum".into()),
    });
    let place = classify(&wf, "03-kelengkapan/setuju/a.pdf");
    let f = Facts {
        place: &place,
        letter: Some(&l),
        content: &Content::Pdf,
        at_recorded_path: false,
        original_present: false,
        note: Note::Missing,
        meta_problem: None,
        sifat: None,
        mover: Mover::Unverified,
        number_in_text: Some(true),
        signature: Signed::Unchecked,
        owner: person("sari", &["sekretaris"]),
        edit: Edit::None,
    };
    assert!(matches!(decide(&wf, &f), Decision::Reject { reason: Reason::NotDrafter, .. }));
}

#[test]
fn a_letters_file_edited_in_place_past_drafting_is_refused() {
    let wf = wf();
    let edited = |at: &str, rel: &str| {
        let l = letter(at);
        let place = classify(&wf, rel);
        decide(
            &wf,
            &Facts { at_recorded_path: true, owner: Owner::Edited, ..Facts::of(&place, Some(&l), &Content::Pdf) },
        )
    };
    for (at, rel) in [
        ("verifikasi", "02-verifikasi/SK-2026-0001 X.pdf"),
        ("kelengkapan", "03-kelengkapan/SK-2026-0001 X.pdf"),
        ("menunggu_tte", "05-menunggu-tte/SK-2026-0001 X.pdf"),
    ] {
        assert_eq!(
            edited(at, rel),
            Decision::Reject { reason: Reason::LetterOverwritten, detail: String::new() },
            "{rel}"
        );
    }
    // Edited, then moved into an approving folder: refused too.
    assert!(matches!(
        edited("verifikasi", "02-verifikasi/setuju/SK-2026-0001 X.pdf"),
        Decision::Reject { reason: Reason::LetterOverwritten, .. }
    ));
    // A copy marked up by the reviewer goes back to the drafter with it.
    assert!(matches!(
        edited("verifikasi", "02-verifikasi/revisi/SK-2026-0001 X.pdf"),
        Decision::Move { ref to_step, .. } if to_step == "draf"
    ));
    // The drafter edits a returned copy where it lies: that is drafting.
    assert_eq!(edited("draf", "01-draf/revisi/SK-2026-0001 X.pdf"), Decision::Track);
}

#[test]
fn a_closed_letters_own_file_where_it_is_recorded_stays() {
    let wf = wf();
    for (state, rel) in
        [(LetterState::Cancelled, "batal/SK-2026-0001 X.pdf"), (LetterState::Finished, "arsip/2026/SK-2026-0001 X.pdf")]
    {
        let mut l = letter("batal");
        l.state = state;
        assert_eq!(run(&wf, rel, Some(&l), Content::Known, true, false, Note::Missing), Decision::Nothing, "{rel}");
    }
    // Other bytes for a cancelled letter are still refused.
    let mut l = letter("batal");
    l.state = LetterState::Cancelled;
    let d = run(&wf, "batal/SK-2026-0001 X.pdf", Some(&l), Content::Pdf, true, false, Note::Missing);
    assert!(matches!(d, Decision::Reject { reason: Reason::LetterClosed, .. }), "{d:?}");
}

/// A reviewer's edit of the letter's copy (an incremental save) at its
/// step, in place or moved into an outcome folder, as the owner checks see
/// it: suratd's user (unknown) or a reviewer named by the audit log.
fn reviewer_edit(at: &str, rel: &str, edit: Edit, owner: Owner, note: Note) -> Decision {
    let wf = wf();
    let l = letter(at);
    let place = classify(&wf, rel);
    let in_place = !rel.contains("/setuju/") && !rel.contains("/revisi/");
    let content = if edit == Edit::Comments { Content::Known } else { Content::Pdf };
    let f = Facts {
        at_recorded_path: in_place,
        original_present: !in_place && edit == Edit::Comments,
        owner,
        note,
        edit,
        ..Facts::of(&place, Some(&l), &content)
    };
    decide(&wf, &f)
}

#[test]
fn a_reviewers_edit_that_shows_sends_the_letter_back_to_its_drafter() {
    let back = Decision::SendBack { reason: Reason::ReviewerEdited };
    for (at, rel, role) in [
        ("verifikasi", "02-verifikasi/SK-2026-0001 X.pdf", "ketua_tim"),
        ("verifikasi", "02-verifikasi/setuju/SK-2026-0001 X.pdf", "ketua_tim"),
        ("kelengkapan", "03-kelengkapan/SK-2026-0001 X.pdf", "sekretaris"),
        ("kelengkapan", "03-kelengkapan/setuju/SK-2026-0001 X.pdf", "sekretaris"),
        ("menunggu_tte", "05-menunggu-tte/SK-2026-0001 X.pdf", "kepala"),
    ] {
        for owner in [Owner::Edited, person("budi", &[role])] {
            assert_eq!(reviewer_edit(at, rel, Edit::Shows, owner.clone(), Note::Missing), back, "{rel} {owner:?}");
        }
    }
    // Moved into the folder that sends back: a return, with its note.
    let d =
        reviewer_edit("verifikasi", "02-verifikasi/revisi/SK-2026-0001 X.pdf", Edit::Shows, Owner::Edited, Note::Found);
    assert!(matches!(d, Decision::Move { ref to_step, take_note: true, .. } if to_step == "draf"), "{d:?}");
}

#[test]
fn a_reviewers_edit_of_metadata_only_is_the_letters_own_copy() {
    // Saved in place: recorded, not refused as an overwrite.
    let d =
        reviewer_edit("verifikasi", "02-verifikasi/SK-2026-0001 X.pdf", Edit::Metadata, Owner::Edited, Note::Missing);
    assert_eq!(d, Decision::Track);
    // Moved into setuju: approved, not sent to the first review again.
    for owner in [Owner::Edited, person("sari", &["sekretaris"])] {
        let d = reviewer_edit(
            "kelengkapan",
            "03-kelengkapan/setuju/SK-2026-0001 X.pdf",
            Edit::Metadata,
            owner,
            Note::Missing,
        );
        assert!(
            matches!(d, Decision::Move { ref to_step, ref action, .. } if to_step == "ajukan_tte" && action == "setuju"),
            "{d:?}"
        );
    }
}

#[test]
fn a_reviewers_comments_beside_a_letter_sent_back_stay_for_the_drafter() {
    let d = reviewer_edit(
        "draf",
        "01-draf/revisi/SK-2026-0001 X (catatan pemeriksa).pdf",
        Edit::Comments,
        Owner::Unchecked,
        Note::Missing,
    );
    assert_eq!(d, Decision::Nothing);
    // Anywhere else they are no copy of the letter to take.
    let d = reviewer_edit(
        "verifikasi",
        "02-verifikasi/setuju/SK-2026-0001 X (catatan pemeriksa).pdf",
        Edit::Comments,
        Owner::Unchecked,
        Note::Missing,
    );
    assert_ne!(d, Decision::Nothing);
    assert!(!matches!(d, Decision::Move { .. }), "{d:?}");
}
