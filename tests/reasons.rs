//! Issue 15 points 3 and 6, end to end through the real daemon: reason
//! files of different kinds read for words of the log or code (English,
//! role and step ids, logins) and for naming the right move or folder.

mod common;
use common::*;
use std::time::Duration;
// The library's own check (a test helper, not built into the library).
#[allow(dead_code)]
#[path = "../src/util/golden.rs"]
mod golden;
use golden::assert_for_people;

/// Role and step ids no person reads (those that are not also a word of a
/// name or folder people see), and the logins of `mail_env`'s people.
const HIDDEN: &[&str] =
    &["anggota_tim", "ketua_tim", "bagian_umum", "ajukan_tte", "menunggu_tte", "sudah_tte", "kt", "kt2", "sek"];

fn read_reason(env: &Env, rel: &str) -> String {
    assert!(wait_until(Duration::from_secs(15), || env.p(rel).is_file()), "{rel}: {:?}\n{}", env.tree(), env.log());
    std::fs::read_to_string(env.p(rel)).unwrap()
}

#[test]
fn reason_files_name_the_right_folder_in_words_people_read() {
    let env = mail_env(None, "");
    // The test's own login drafts, and nothing else.
    let wf_path = env.dir.path().join("workflow.yaml");
    let wf = std::fs::read_to_string(&wf_path).unwrap();
    let wf = wf.replace("roles: [anggota_tim, sekretaris], team: umum", "roles: [anggota_tim], team: umum");
    std::fs::write(&wf_path, wf).unwrap();
    let _d = env.start();
    let mut ids: Vec<String> = HIDDEN.iter().map(|s| s.to_string()).collect();
    ids.push(me());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();

    // A letter moved by hand where its step does not lead: put back, told
    // where it may go from where it is.
    let (id, name) =
        into_review(&env, "01-draf/KP.650 Rapat Koordinasi.pdf", &pdf("Undangan -"), |n| format!("Nomor: {n}"));
    env.mv(&format!("02-verifikasi/{name}"), "04-ajukan-tte");
    let wrong = read_reason(&env, &format!("02-verifikasi/{name}.alasan.txt"));
    assert_for_people("wrong_folder", &wrong, &ids);
    assert!(wrong.starts_with("KETERANGAN DARI SISTEM SURAT KELUAR\nBPS Provinsi Bengkulu\n"), "{wrong}");
    assert!(wrong.contains(&format!("Kode surat    : {id}\n")), "{wrong}");
    assert!(
        wrong.contains(
            "hanya dapat dipindahkan ke folder 02-verifikasi\\revisi (dikembalikan kepada penyusun untuk \
             diperbaiki), 02-verifikasi\\setuju (disetujui) atau batal (dibatalkan)."
        ),
        "{wrong}"
    );
    assert!(wrong.contains("tahap \"Verifikasi Ketua Tim\""), "{wrong}");

    // A new file where the drafter may not put one: who may, by role
    // name, and where the drafter's files go.
    env.drop_file("06-sudah-tte/Tidak Boleh.pdf", &pdf("tidak boleh"));
    let no_access = read_reason(&env, "_ditolak/Tidak Boleh.pdf.alasan.txt");
    assert_for_people("no_access", &no_access, &ids);
    assert!(no_access.contains("Yang berhak: Kepala BPS Provinsi atau Sekretaris."), "{no_access}");
    assert!(no_access.contains("Folder tempat Anda dapat menyimpan berkas baru: 01-draf."), "{no_access}");
    assert!(!no_access.contains("sekretaris") && !no_access.contains("kepala"), "{no_access}");

    // Not a PDF: what it is, and the drafting folder.
    env.drop_file("01-draf/Undangan.pdf", b"Ini hanya teks biasa");
    let not_pdf = read_reason(&env, "_ditolak/Undangan.pdf.alasan.txt");
    assert_for_people("not_pdf", &not_pdf, &ids);
    assert!(not_pdf.contains("bukan berkas PDF (berkas teks)") && not_pdf.contains("ke folder 01-draf."), "{not_pdf}");
    assert!(not_pdf.contains("Kode surat    : belum ada\n"), "{not_pdf}");
}
