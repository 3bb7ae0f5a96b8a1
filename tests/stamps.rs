//! Stamps on real PDFs: every PDF of the real-world corpus that suratd
//! accepts is stamped, and the result passes `qpdf --check`, shows the
//! stamp to `pdftotext`, renders with `pdftoppm`, and (unless it had to be
//! repaired) keeps the original bytes as its prefix.

mod common;
use common::*;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

/// The tools are installed by .ci/run; elsewhere the test says it skipped.
fn tools() -> bool {
    let ok = have("qpdf") && have("pdftotext") && have("pdftoppm");
    if !ok {
        assert!(std::env::var("CI").is_err(), "CI must have qpdf and poppler-utils (see .ci/run)");
        eprintln!("skipped: qpdf or poppler-utils not installed");
    }
    ok
}

fn qpdf_check(path: &std::path::Path) -> i32 {
    Command::new("qpdf").arg("--check").arg(path).output().unwrap().status.code().unwrap_or(-1)
}

#[test]
fn every_accepted_real_world_pdf_can_be_stamped() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/real-world is not here");
        return;
    };
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut stamped = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let orig = std::fs::read(&p).unwrap();
        if !matches!(suratd::pdf::inspect::inspect(&orig), suratd::pdf::inspect::Verdict::Pdf { .. }) {
            continue;
        }
        let text = "DRAF - B-012/17000/KP.650/2026 - disetujui Ketua Tim 2026-11-24 10:15 WIB";
        let s = suratd::pdf::stamp::stamp(&orig, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if !s.repaired {
            assert!(s.bytes.starts_with(&orig), "{name}: original is a prefix");
        }
        let out = tmp.path().join(&name);
        std::fs::write(&out, &s.bytes).unwrap();
        let before = qpdf_check(&p);
        let after = qpdf_check(&out);
        assert!(after == 0 || (after == 3 && before == 3), "{name}: qpdf --check {before} -> {after}");
        let t = Command::new("pdftotext").args(["-l", "1"]).arg(&out).arg("-").output().unwrap();
        let t = String::from_utf8_lossy(&t.stdout);
        assert!(t.contains("B-012/17000/KP.650/2026"), "{name}: stamp not in text: {t}");
        let r = Command::new("pdftoppm")
            .args(["-r", "20", "-f", "1", "-l", "1", "-png"])
            .arg(&out)
            .arg(tmp.path().join("page"))
            .status()
            .unwrap();
        assert!(r.success(), "{name}: pdftoppm failed");
        // Stamping again replaces the stamp.
        let again = suratd::pdf::stamp::stamp(&s.bytes, "DRAF - lagi").unwrap();
        std::fs::write(&out, &again.bytes).unwrap();
        let t = Command::new("pdftotext").args(["-l", "1"]).arg(&out).arg("-").output().unwrap();
        let t = String::from_utf8_lossy(&t.stdout);
        let squashed: String = t.split_whitespace().collect();
        assert!(squashed.contains("DRAF-lagi") && !squashed.contains("B-012/17000"), "{name}: {t}");
        stamped += 1;
    }
    assert!(stamped >= 25, "only {stamped} stamped");
}

/// The page comparison of signed letters (`pdf::visible`) on real PDFs:
/// each accepted one, stamped by suratd and then signed as a portal would
/// (an incremental update), shows a reader nothing changed against its
/// copy; the same file with its first page's content painted over does.
#[test]
fn real_world_pdfs_signed_as_a_portal_would_show_no_visible_change() {
    use std::time::Duration;
    use suratd::pdf::visible::{Change, first_change};
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/real-world is not here");
        return;
    };
    if !tools() {
        return;
    }
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    let mut compared = 0;
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let orig = std::fs::read(&p).unwrap();
        if !matches!(suratd::pdf::inspect::inspect(&orig), suratd::pdf::inspect::Verdict::Pdf { .. }) {
            continue;
        }
        let s = suratd::pdf::stamp::stamp(&orig, "DRAF - B-012/17000/KP.650/2026 - menunggu TTE").unwrap();
        if s.repaired {
            continue;
        }
        let signed = sign_like_a_portal(&s.bytes, "Kepala", false);
        let limit = Duration::from_secs(60);
        let seen = first_change(&orig, Some(&s.bytes), &signed, 1, limit).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(seen, None, "{name}");
        compared += 1;
        // A white box over the whole first page hides what the copy showed
        // (every fourth file: drawing is what takes the time).
        if compared % 4 != 1 {
            continue;
        }
        let doc = lopdf::Document::load_mem(&s.bytes).unwrap();
        let Some(&page) = doc.get_pages().get(&1) else { continue };
        let mut doc = lopdf::IncrementalDocument::create_from(s.bytes.clone(), doc);
        let cover = doc
            .new_document
            .add_object(lopdf::Stream::new(lopdf::dictionary! {}, b"q 1 g -5000 -5000 10000 10000 re f Q".to_vec()));
        doc.opt_clone_object_to_new_document(page).unwrap();
        let dict = doc.new_document.get_object_mut(page).unwrap().as_dict_mut().unwrap();
        let contents = match dict.get(b"Contents") {
            Ok(lopdf::Object::Array(a)) => a.clone(),
            Ok(o) => vec![o.clone()],
            Err(_) => vec![],
        };
        dict.set("Contents", [contents, vec![cover.into()]].concat());
        let mut covered = Vec::new();
        doc.save_to(&mut covered).unwrap();
        let seen = first_change(&orig, Some(&s.bytes), &covered, 1, limit).unwrap();
        assert!(matches!(seen, Some(Change::Hidden { page: 1, .. })), "{name}: {seen:?}");
    }
    assert!(compared >= 20, "only {compared} compared");
}
