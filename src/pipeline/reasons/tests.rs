//! Every reason file as the office reads it: one golden file per reason
//! code (`tests/golden/reasons/CODE.txt`), rendered with the shipped
//! workflow and fixed facts, and none showing a word of the log or code.

use super::*;
use crate::convert::detect;
use crate::decide::guidance::{person_name, role_names};
use crate::letter::metadata;
use crate::pdf::inspect;
use crate::util::golden;
use crate::workflow::layout;
use std::sync::Arc;

/// The shipped workflow with an office's people; their logins are not
/// words of their names, so a login that reaches a text is caught.
fn wf() -> Workflow {
    let people = "people:
  - { login: rhidayat, name: Rahmat Hidayat, roles: [anggota_tim], team: ipds }
  - { login: bsantoso, name: Budi Santoso, roles: [ketua_tim], team: ipds }
  - { login: swulan, name: Sari Wulandari, roles: [ketua_tim], team: umum }
  - { login: lmarlina, name: Lina Marlina, roles: [sekretaris] }
  - { login: wrizal, name: Dr. Win Rizal, roles: [kepala] }
  - { login: dlestari, name: Dewi Lestari, roles: [bagian_umum] }";
    let yaml = crate::workflow::BUILTIN
        .replace("people: []", people)
        .replace("teams:\n  - id: umum\n", "teams:\n  - id: ipds\n    name: Tim IPDS\n  - id: umum\n");
    Workflow::from_text("test", &yaml).unwrap().0
}

/// Monday 30 November 2026, 07.50 WIB.
fn now() -> DateTime<Utc> {
    "2026-11-30T00:50:00Z".parse().unwrap()
}

/// What no person may read: every login, and every role, step and team
/// id that is not also a word of a name or folder people do see (the
/// step `draf` is the folder `01-draf`; the role `sekretaris` is the
/// Sekretaris).
pub(crate) fn hidden_ids(wf: &Workflow) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let names = wf.roles.iter().map(|r| &r.name).chain(wf.teams.iter().map(|t| &t.name));
    for text in names.chain(wf.steps.iter().flat_map(|s| [&s.name, &s.folder])).chain([&wf.office.name]) {
        seen.extend(text.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_string));
    }
    let ids =
        wf.roles.iter().map(|r| &r.id).chain(wf.steps.iter().map(|s| &s.id)).chain(wf.teams.iter().map(|t| &t.id));
    let mut out: Vec<String> = ids.filter(|id| !seen.contains(&id.to_lowercase())).cloned().collect();
    out.extend(wf.people.iter().map(|p| p.login.clone()));
    out
}

/// A reason file's facts, as the pipeline gathers them for `code`.
struct Sample {
    rel: &'static str,
    letter: Option<&'static str>,
    step: &'static str,
    path: Option<&'static str>,
    detail: String,
    roles: Vec<String>,
}

/// The file, its letter and the detail each reason is written with; the
/// details come from the code that builds them where it is pure. A file
/// that is no letter here, a letter's file in [`letter_sample`].
fn sample(wf: &Workflow, code: Reason) -> Sample {
    match code {
        Reason::NotPdf => file("01-draf/Undangan Rapat.png", inspected(b"\x89PNG\r\n")),
        Reason::OfficeDocument => {
            let detect::Prepared::Office { format } = detect::prepare("Undangan.docx", b"PK\x03\x04word/") else {
                panic!("a docx")
            };
            file("01-draf/KP.650 Undangan Rapat.docx", format)
        }
        Reason::MacroDocument
        | Reason::DocumentEncrypted
        | Reason::DocumentTooLarge
        | Reason::DocumentTooDeep
        | Reason::NotADocument
        | Reason::ExternalReference => office_sample(code),
        Reason::Empty | Reason::Encrypted | Reason::Symlink => file("01-draf/KP.650 Undangan Rapat.pdf", String::new()),
        Reason::Broken => file("01-draf/KP.650 Undangan Rapat.pdf", inspected(b"%PDF-1.4\nrusak\n%%EOF\n")),
        Reason::ActiveContent => file("01-draf/KP.650 Undangan Rapat.pdf", "JavaScript".into()),
        Reason::UnknownFile => file("03-kelengkapan/Undangan Rapat.pdf", String::new()),
        Reason::NoKlasifikasi => file("01-draf/Undangan Rapat.pdf", String::new()),
        Reason::BadSidecar => {
            let e =
                metadata::parse_sidecar("KP.650 Undangan Rapat.yaml", "perihal: Undangan\nsifatt: B\n").unwrap_err();
            file("01-draf/KP.650 Undangan Rapat.pdf", e.detail)
        }
        Reason::SidecarUnmatched => file("01-draf/Undangan lama.yaml", String::new()),
        Reason::SequenceUnknown => {
            file("01-draf/KP.650 Undangan Rapat.pdf", crate::util::timefmt::date_id("2025-12-30".parse().unwrap()))
        }
        Reason::SifatNotAllowed => {
            let who = role_names(wf, wf.sifat_roles.as_deref().unwrap_or_default());
            file("01-draf/KP.650 Undangan Rapat.pdf", format!("Rahasia hanya dapat ditetapkan oleh {who}"))
        }
        Reason::BadNote => {
            file("02-verifikasi/revisi/catatan.txt", "terlalu besar (70000 byte; paling besar 65536 byte)".into())
        }
        Reason::NoteUnmatched => file(
            "02-verifikasi/revisi/catatan.txt",
            "tidak ada surat yang dikembalikan dari tahap \"Verifikasi Ketua Tim\"".into(),
        ),
        Reason::NoAccess => {
            let may = layout::writers(wf, &layout::classify(wf, "02-verifikasi/setuju/x.pdf"));
            Sample {
                roles: vec!["anggota_tim".into()],
                ..file("02-verifikasi/setuju/Undangan Rapat.pdf", role_names(wf, &may))
            }
        }
        Reason::UnknownOwner => file("01-draf/KP.650 Undangan Rapat.pdf", String::new()),
        Reason::NoMatch => file("06-sudah-tte/ttd.pdf", "SK-2026-0012 (B-012/17000/KP.650/2026)".into()),
        Reason::FailedRepeatedly => file("01-draf/KP.650 Undangan Rapat.pdf", "sudah dicoba 3 kali".into()),
        Reason::ConversionFailed | Reason::ConversionUnavailable => {
            use crate::convert::soffice::ConvertError;
            let e = match code {
                Reason::ConversionFailed => {
                    ConvertError::Failed { status: "exit status: 1".into(), stderr: String::new() }
                }
                _ => ConvertError::NotInstalled { looked: "no soffice".into() },
            };
            let refusal = e.refusal().expect("a verdict on the file");
            assert_eq!(refusal.reason, code);
            file("01-draf/KP.650 Undangan Rapat.docx", refusal.detail)
        }
        _ => letter_sample(wf, code),
    }
}

/// [`sample`] for an office document the conversion stage refuses, with
/// the detail its inspection gives.
fn office_sample(code: Reason) -> Sample {
    use crate::convert::{archive::pack, testdocs::docx};
    let image = r#"<Relationships><Relationship Id="r" Type="x/image" Target="http://a/b.png" TargetMode="External"/></Relationships>"#;
    let deep = format!("<w:p>{}{}</w:p>", "<w:x>".repeat(300), "</w:x>".repeat(300));
    let rel = "01-draf/KP.650 Undangan Rapat.docx";
    let bytes = match code {
        Reason::MacroDocument => docx("", &[("word/vbaProject.bin", b"VBA")]),
        Reason::DocumentTooDeep => docx(&deep, &[]),
        Reason::NotADocument => pack(&[("surat.txt", b"surat")]),
        Reason::ExternalReference => docx("", &[("word/_rels/document.xml.rels", image.as_bytes())]),
        // A zip bomb's detail with the default limits; the password is
        // not a detail.
        Reason::DocumentTooLarge => return file(rel, "isinya lebih dari 256 MB setelah dibuka".into()),
        _ => return file(rel, String::new()),
    };
    let refusal = crate::convert::inspect::inspect(rel, &bytes).expect_err("refused");
    assert_eq!(refusal.reason, code);
    file(rel, refusal.detail)
}

/// [`sample`] for the reasons about a letter's file.
fn letter_sample(wf: &Workflow, code: Reason) -> Sample {
    let in_review = "02-verifikasi/SK-2026-0012 Undangan Rapat.pdf";
    let waiting = "05-menunggu-tte/SK-2026-0012 Undangan Rapat.pdf";
    let budi = person_name(wf, "bsantoso");
    match code {
        Reason::WrongFolder => {
            letter("04-ajukan-tte/SK-2026-0012 Undangan Rapat.pdf", "Verifikasi Ketua Tim", in_review, String::new())
        }
        Reason::LetterClosed => letter(
            "01-draf/SK-2026-0012 perbaikan.pdf",
            "Dibatalkan",
            "batal/SK-2026-0012 Undangan Rapat.pdf",
            "dibatalkan".into(),
        ),
        Reason::LetterElsewhere => {
            letter("03-kelengkapan/SK-2026-0012 perbaikan.pdf", "Verifikasi Ketua Tim", in_review, String::new())
        }
        Reason::Duplicate => letter(
            "03-kelengkapan/SK-2026-0012 Undangan Rapat - Copy.pdf",
            "Verifikasi Ketua Tim",
            in_review,
            String::new(),
        ),
        Reason::SidecarTooLate => letter(
            "01-draf/SK-2026-0012 Undangan Rapat.yaml",
            "Pemeriksaan kelengkapan",
            "03-kelengkapan/SK-2026-0012 Undangan Rapat.pdf",
            String::new(),
        ),
        Reason::SidecarFixedField => {
            letter("01-draf/SK-2026-0012 Undangan Rapat.yaml", "Verifikasi Ketua Tim", in_review, "sifat".into())
        }
        Reason::NoPlaceholder => letter(
            "01-draf/KP.650 Undangan Rapat.docx",
            "Pembuatan draf",
            "01-draf/SK-2026-0012 Undangan Rapat.docx",
            "B-012/17000/KP.650/2026".into(),
        ),
        Reason::NumberMissing => letter(
            "01-draf/SK-2026-0012 perbaikan.pdf",
            "Verifikasi Ketua Tim",
            in_review,
            "B-012/17000/KP.650/2026".into(),
        ),
        Reason::NotDrafter => {
            letter("01-draf/SK-2026-0012 perbaikan.pdf", "Verifikasi Ketua Tim", in_review, person_name(wf, "rhidayat"))
        }
        Reason::NotSigned => letter(
            "06-sudah-tte/SK-2026-0012 Undangan Rapat.pdf",
            "Menunggu tanda tangan Kepala",
            waiting,
            String::new(),
        ),
        Reason::SignatureInvalid => letter(
            "06-sudah-tte/SK-2026-0012 ttd.pdf",
            "Menunggu tanda tangan Kepala",
            waiting,
            "sertifikat penanda tangan (Dr. Win Rizal) tidak berasal dari penerbit yang dipercaya".into(),
        ),
        Reason::SignedLetterChanged => letter(
            "07-distribusi/SK-2026-0012 Undangan Rapat.pdf",
            "Distribusi",
            "07-distribusi/SK-2026-0012 Undangan Rapat.pdf",
            String::new(),
        ),
        Reason::WrongSigner => letter(
            "06-sudah-tte/SK-2026-0012 ttd.pdf",
            "Menunggu tanda tangan Kepala",
            waiting,
            format!(
                "surat ini ditandatangani oleh Ahmad (1234), yang tidak termasuk penanda tangan yang ditetapkan; yang boleh menandatangani: {}",
                person_name(wf, "wrizal")
            ),
        ),
        Reason::SignedTextDiffers => letter(
            "06-sudah-tte/SK-2026-0012 ttd.pdf",
            "Menunggu tanda tangan Kepala",
            waiting,
            "baris \"Jakarta, 2 Juni 2026\" tidak ada".into(),
        ),
        Reason::CopyNotApproved => letter(
            "06-sudah-tte/SK-2026-0012 ttd.pdf",
            "Menunggu tanda tangan Kepala",
            waiting,
            "Pemeriksaan kelengkapan".into(),
        ),
        Reason::NotAwaitingSignature => letter(
            "06-sudah-tte/SK-2026-0012 ttd.pdf",
            "Verifikasi Ketua Tim",
            in_review,
            "Verifikasi Ketua Tim".into(),
        ),
        Reason::LetterDeleted => letter(in_review, "Verifikasi Ketua Tim", in_review, format!(" oleh {budi}")),
        Reason::LetterOverwritten => letter(in_review, "Verifikasi Ketua Tim", in_review, String::new()),
        Reason::ReviewerEdited => {
            letter(in_review, "Verifikasi Ketua Tim", in_review, "B-012/17000/KP.650/2026".into())
        }
        Reason::OwnLetter | Reason::OtherTeam | Reason::NotYourMove => {
            letter("02-verifikasi/setuju/SK-2026-0012 Undangan Rapat.pdf", "Verifikasi Ketua Tim", in_review, budi)
        }

        other => panic!("no sample for {other}: add one"),
    }
}

fn file(rel: &'static str, detail: String) -> Sample {
    Sample { rel, letter: None, step: "", path: None, detail, roles: vec![] }
}

/// A file of letter SK-2026-0012, at step `step` (its name), whose own
/// file is recorded at `path`.
fn letter(rel: &'static str, step: &'static str, path: &'static str, detail: String) -> Sample {
    Sample { rel, letter: Some("SK-2026-0012"), step, path: Some(path), detail, roles: vec![] }
}

/// The detail the PDF check gives `bytes`.
fn inspected(bytes: &[u8]) -> String {
    match inspect::inspect_with_limit(Arc::new(bytes.to_vec()), std::time::Duration::from_secs(10)) {
        Some(inspect::Verdict::NotPdf { detail } | inspect::Verdict::Broken { detail }) => detail,
        other => panic!("{other:?}"),
    }
}

/// The reason file for `code`, as the writer renders it.
fn rendered(wf: &Workflow, code: Reason, alone: bool) -> String {
    let s = sample(wf, code);
    let step_id = match s.path.map(|p| layout::classify(wf, p)) {
        Some(layout::Place::Step { step, .. }) => Some(step.id.as_str()),
        _ => None,
    };
    let at = Where { letter_step: step_id, letter_path: s.path, roles: &s.roles };
    let f = ReasonFacts { code, detail: &s.detail, rel: s.rel, letter: s.letter, step: s.step, at, now: now() };
    if alone { reason_alone(wf, &f) } else { reason_file(wf, &f) }
}

#[test]
fn every_reason_file_reads_as_its_golden_file_and_shows_no_word_of_the_log() {
    let wf = wf();
    let ids = hidden_ids(&wf);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert!(ids.contains(&"anggota_tim") && ids.contains(&"menunggu_tte") && ids.contains(&"bsantoso"), "{ids:?}");
    for code in Reason::all() {
        let text = rendered(&wf, code, false);
        golden::check(&format!("reasons/{code}.txt"), &text);
        golden::assert_for_people(&format!("the reason file for {code}"), &text, &ids);
        assert!(!text.contains('{') && !text.contains('}'), "{code}: a placeholder left unfilled\n{text}");
        // Folders as Windows shows them.
        assert!(!text.contains("01-draf/") && !text.contains("02-verifikasi/"), "{code}\n{text}");
    }
}

#[test]
fn the_frame_names_the_office_and_the_kode_surat_and_the_reason_alone_has_no_frame() {
    let wf = wf();
    let framed = rendered(&wf, Reason::WrongFolder, false);
    let alone = rendered(&wf, Reason::WrongFolder, true);
    assert!(framed.starts_with("KETERANGAN DARI SISTEM SURAT KELUAR\nBPS Provinsi Bengkulu\n"), "{framed}");
    assert!(framed.contains("Kode surat    : SK-2026-0012\n"), "{framed}");
    assert!(framed.contains(&alone), "{framed}");
    assert!(!alone.contains("KETERANGAN") && !alone.contains("Kode surat    :"), "{alone}");
    assert!(rendered(&wf, Reason::NotPdf, false).contains("Kode surat    : belum ada\n"));
}

#[test]
fn each_reason_says_which_move_or_folder_is_the_right_one() {
    let wf = wf();
    let text = |code| rendered(&wf, code, true);
    let wrong = text(Reason::WrongFolder);
    assert!(
        wrong.contains(
            "02-verifikasi\\revisi (dikembalikan kepada penyusun untuk diperbaiki), 02-verifikasi\\setuju (disetujui)"
        ),
        "{wrong}"
    );
    assert!(text(Reason::Duplicate).contains("masih ada di folder 02-verifikasi."), "{}", text(Reason::Duplicate));
    for code in [Reason::LetterElsewhere, Reason::UnknownFile] {
        assert!(text(code).contains("folder 01-draf"), "{code}: {}", text(code));
    }
    let no_access = text(Reason::NoAccess);
    assert!(
        no_access.contains("Yang berhak: Ketua Tim.") && no_access.contains("berkas baru: 01-draf."),
        "{no_access}"
    );
    assert!(text(Reason::CopyNotApproved).contains("pindahkan ke folder 05-menunggu-tte\\revisi"));
}

/// The note the system places beside a draft held back for its number
/// (`… catatan putaran 1 (sistem).txt`) is read by the drafter too.
#[test]
fn the_systems_note_on_a_draft_without_its_number_reads_as_its_golden_file() {
    let wf = wf();
    let ids = hidden_ids(&wf);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let text = held_note(
        &wf,
        Reason::NumberMissing,
        ("SK-2026-0012", "B-012/17000/KP.650/2026"),
        "01-draf/revisi/SK-2026-0012 Undangan Rapat.pdf",
        now(),
    )
    .0;
    golden::check("reasons/note-number_missing.txt", &text);
    golden::assert_for_people("the system's note", &text, &ids);
    assert!(
        text.contains("nomor surat\nB-012/17000/KP.650/2026") || text.contains("nomor surat B-012/17000/KP.650/2026"),
        "{text}"
    );
    assert!(text.contains("ke folder 01-draf dengan nama berkas yang diawali SK-2026-0012"), "{text}");
}
