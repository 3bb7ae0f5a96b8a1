//! A Rahasia letter (sifat `R`): its subject and files for the people of
//! its steps and the admins, "(Rahasia)" for everyone else, on every page,
//! register, download and in the API.

use super::*;

const SECRET: &str = "Mutasi pegawai golongan IV";

/// Everything the board says about letters to `cookie`'s person.
async fn everything(b: &Board, cookie: &str, id: &str) -> Vec<(String, Reply)> {
    let year = this_year();
    let mut out = Vec::new();
    for path in [
        "/".to_string(),
        format!("/surat/{id}"),
        "/api/letters".into(),
        "/agenda".into(),
        format!("/agenda.csv?tahun={year}"),
    ] {
        let r = b.get(&path, OFFICE, &[("cookie", cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        out.push((path, r));
    }
    out
}

#[tokio::test]
async fn a_rahasia_subject_and_file_are_hidden_from_an_outsider_and_shown_to_its_people_and_the_admin() {
    let people = ["sari", "rahmat", "lina", "kepala", "admin"];
    let b = board(&people);
    let id = format!("SK-{}-0001", this_year());
    let since = crate::util::timefmt::stored(chrono::Utc::now());
    // Drafted by rahmat of team ipds; sari leads the other team.
    let sha = b.letter(&id, "verifikasi", SECRET, "R", "rahmat", &since);
    let version = format!("/surat/{id}/versi/{sha}");

    let outsider = b.session("sari");
    for (path, r) in everything(&b, &outsider, &id).await {
        assert!(!r.body.contains(SECRET) && !r.body.contains("golongan"), "{path} shows the subject to sari");
        assert!(r.body.contains("(Rahasia)"), "{path} says it is hidden: {}", r.body);
    }
    let r = b.get(&version, OFFICE, &[("cookie", &outsider)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "sari downloads the file");
    assert!(!r.body.contains("isi surat"));

    for login in ["rahmat", "lina", "kepala", "admin"] {
        let cookie = b.session(login);
        for (path, r) in everything(&b, &cookie, &id).await {
            assert!(r.body.contains(SECRET), "{path} hides the subject from {login}: {}", r.body);
        }
        let r = b.get(&version, OFFICE, &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{login} downloads the file");
        assert!(r.body.contains("isi surat"), "{login}: {}", r.body);
    }
}

/// Where a letter's file lies names it: `02-verifikasi/SK-… Mutasi….pdf`.
/// A hand delivery's note names who received it. Neither may tell an
/// outsider what a Rahasia letter is about.
#[tokio::test]
async fn attack_a_rahasia_subject_read_from_file_paths_and_delivery_notes() {
    let b = board(&["sari", "rahmat"]);
    let id = format!("SK-{}-0001", this_year());
    let now = chrono::Utc::now();
    let since = crate::util::timefmt::stored(now);
    b.letter(&id, "verifikasi", SECRET, "R", "rahmat", &since);
    b.db.put_transition(&id, &since, "approve");
    b.db.put_path_and_note(&id, &format!("02-verifikasi/{id} {SECRET}.pdf"), "golongan");
    b.db.put_hand_delivery(&id, &since, "diterima golongan IV");
    let day = crate::util::timefmt::date_wib(now);
    let outsider = b.session("sari");
    for path in [
        "/api/letters".to_string(),
        format!("/api/letters/{id}"),
        format!("/ekspedisi?dari={day}&sampai={day}"),
        format!("/ekspedisi.csv?dari={day}&sampai={day}"),
    ] {
        let r = b.get(&path, OFFICE, &[("cookie", &outsider)]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(!r.body.contains("golongan"), "{path} tells sari the subject: {}", r.body);
    }
    // The drafter still sees where the file is and what the note says.
    let own = b.session("rahmat");
    let r = b.get(&format!("/api/letters/{id}"), OFFICE, &[("cookie", &own)]).await;
    assert!(r.body.contains(SECRET), "{}", r.body);
    let r = b.get(&format!("/ekspedisi?dari={day}&sampai={day}"), OFFICE, &[("cookie", &own)]).await;
    assert!(r.body.contains("diterima golongan IV"), "{}", r.body);
}
