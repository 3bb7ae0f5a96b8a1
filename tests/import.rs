//! `suratd import`: an office's existing register brought in, with its
//! numbers kept exactly, problems listed, nothing imported twice, and an
//! import killed half way finished by running it again.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

const HEADER: &str = "nomor;tanggal;perihal;tujuan;klasifikasi;sifat;status;berkas";

/// A register of `n` letters of 2024 (numbers 1..=n, but 100 missing) and
/// ten of this year, each with its PDF under `files/`, plus rows with
/// problems. Returns the CSV's path.
fn register(dir: &Path, n: usize, problems: bool) -> std::path::PathBuf {
    let files = dir.join("files");
    std::fs::create_dir_all(files.join("2024")).unwrap();
    let mut csv = format!("\u{feff}{HEADER}\r\n");
    for i in (1..=n).filter(|i| *i != 100) {
        let name = format!("2024/{i:04}.pdf");
        std::fs::write(files.join(&name), pdf(&format!("Surat lama nomor {i}"))).unwrap();
        let sifat = if i == 7 { "Rahasia" } else { "Biasa" };
        let status = if i == 9 { "batal" } else { "terkirim" };
        csv += &format!(
            "B-{i:03}/17000/KP.650/2024;2024-01-02;Surat ke-{i};Kepala BPS Kabupaten Kaur;KP.650;{sifat};{status};{name}\r\n"
        );
    }
    let y = year();
    for i in 1..=10 {
        let suffix = if i == 4 { "A" } else { "" };
        csv +=
            &format!("B-{i:03}{suffix}/17000/HM.340/{y};{y}-01-05;Berita resmi {i};Media;HM.340;Biasa;terkirim;\r\n");
    }
    if problems {
        csv += "B-002/17000/KP.650/2024;2024-01-03;Dua kali;X;KP.650;Biasa;terkirim;\r\n";
        csv += "Nota Dinas/BPS/2024;2024-02-01;Tanpa urutan;X;KP.650;Biasa;terkirim;\r\n";
        csv += "045/BPS;;Tanpa tahun;X;KP.650;Biasa;terkirim;\r\n";
        csv += "B-900/17000/KP.650/2023;2023-05-05;Berkas hilang;X;KP.650;Biasa;terkirim;2023/tidak-ada.pdf\r\n";
        csv += "B-901/17000/KP.650/2023;2023-05-06;Berkas di luar;X;KP.650;Biasa;terkirim;../../etc/passwd\r\n";
    }
    let path = dir.join("agenda-lama.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn import(env: &Env, csv: &Path, check: bool) -> (i32, String) {
    let mut args = vec!["import", "--register", csv.to_str().unwrap(), "--files"];
    let files = csv.parent().unwrap().join("files");
    args.push(files.to_str().unwrap());
    if check {
        args.push("--check");
    }
    let out = env.cli(&args);
    (out.status.code().unwrap(), said(&out))
}

#[test]
fn a_register_is_checked_then_imported_once_with_its_numbers_kept_and_new_letters_continue() {
    let env = env("events");
    let csv = register(env.dir.path(), 2000, true);

    let (code, out) = import(&env, &csv, true);
    assert_eq!(code, 1, "{out}");
    for want in [
        "\"B-002/17000/KP.650/2024\" is already used by line 3",
        "no sequence number can be read from \"Nota Dinas/BPS/2024\"",
        "\"045/BPS\": no year",
        "file \"2023/tidak-ada.pdf\" is not there",
        "file \"../../etc/passwd\" is not a path inside --files",
        "2024: numbers missing from the old register: 100 ",
        "2023: numbers missing from the old register: 1, 2, 3",
        "Nothing was written",
    ] {
        assert!(out.contains(want), "want {want:?} in:\n{out}");
    }
    assert!(!env.db.exists(), "--check writes nothing");

    let (code, out) = import(&env, &csv, false);
    assert_eq!(code, 1, "two rows are left out: {out}");
    assert!(out.contains("imported 2012 letters (1999 with their PDF)"), "{out}");
    let q = |sql: &str| env.count(sql);
    assert_eq!(q("SELECT COUNT(*) FROM letters"), 2012);
    assert_eq!(q("SELECT COUNT(*) FROM numbers WHERE number = 'B-004A/17000/HM.340/' || strftime('%Y','now')"), 1);
    assert_eq!(q("SELECT COUNT(*) FROM numbers WHERE number = 'Nota Dinas/BPS/2024'"), 1);
    assert_eq!(q("SELECT COUNT(*) FROM letters WHERE state = 'cancelled'"), 1);
    assert_eq!(q("SELECT COUNT(*) FROM transitions WHERE action = 'import'"), 2012);
    // The letters are finished letters in the archive, their bytes in the store.
    let (step, state, path) = env.letter("SK-2024-0001");
    assert_eq!((step.as_str(), state.as_str()), ("arsip", "finished"));
    let path = path.unwrap();
    assert!(path.starts_with("arsip/2024/SK-2024-0001 Surat ke-1/"), "{path}");
    assert_eq!(std::fs::read(env.p(&path)).unwrap(), pdf("Surat lama nomor 1"));
    // `verify` does not vouch for an unsigned letter of the old register.
    let v = env.cli(&["verify", env.p(&path).to_str().unwrap()]);
    assert!(!v.status.success() && said(&v).contains("imported:  brought in from the old register"), "{}", said(&v));
    let secret: String =
        env.conn().query_row("SELECT path FROM letters WHERE number LIKE 'B-007/%'", [], |r| r.get(0)).unwrap();
    assert!(secret.ends_with("/SK-2024-0007.pdf"), "a Rahasia letter is named by its id: {secret}");
    env.assert_fsck_clean();

    // Again: nothing twice.
    let (_, out) = import(&env, &csv, false);
    assert!(out.contains("imported 0 letters") && out.contains("2013 already imported"), "{out}");
    assert_eq!(q("SELECT COUNT(*) FROM letters"), 2012);

    // A new draft of this year continues after the highest imported number.
    let _d = env.start();
    env.drop_file("01-draf/HM.340 Berita resmi baru.pdf", &pdf("Berita baru"));
    let (_, number) = registered_from(&env, "01-draf/HM.340 Berita resmi baru.pdf");
    assert!(number.starts_with("B-011/"), "{number}");
}

#[test]
fn an_import_killed_half_way_is_finished_by_running_it_again() {
    let env = env("events");
    let csv = register(env.dir.path(), 3000, false);
    let files = csv.parent().unwrap().join("files");
    let mut child = Command::new(Env::bin())
        .arg("--config")
        .arg(&env.config)
        .args(["import", "--register", csv.to_str().unwrap(), "--files", files.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let some = || {
        env.db.exists()
            && env.conn().query_row("SELECT COUNT(*) FROM letters", [], |r| r.get::<_, i64>(0)).unwrap_or(0) > 0
    };
    assert!(wait_until(std::time::Duration::from_secs(60), some), "the import wrote nothing");
    child.kill().unwrap();
    child.wait().unwrap();
    let before = env.count("SELECT COUNT(*) FROM letters");
    assert!(before < 3009, "killed before the end ({before} letters)");

    let (code, out) = import(&env, &csv, false);
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.count("SELECT COUNT(*) FROM letters"), 3009);
    assert_eq!(env.count("SELECT COUNT(DISTINCT number) FROM numbers"), 3009);
    assert_eq!(env.count("SELECT COUNT(DISTINCT id) FROM letters"), 3009);
    env.assert_fsck_clean();
}

/// Rows a careless or hostile export could hold never touch the numbers
/// suratd gives, never abort the import, and never write outside the
/// letter's own place.
#[test]
fn rows_that_would_touch_suratds_numbers_are_left_out_and_nothing_aborts() {
    let env = env("events");
    let d = env.start();
    env.drop_file("01-draf/KP.650 Surat baru.pdf", &pdf("Surat baru"));
    let (_, ours) = registered_from(&env, "01-draf/KP.650 Surat baru.pdf");
    assert!(ours.starts_with("B-001/"), "{ours}");
    assert!(d.stop().success());
    let y = year();
    let tomorrow = suratd::util::timefmt::date_wib(chrono::Utc::now()) + chrono::Days::new(1);
    let dir = env.dir.path();
    std::fs::create_dir_all(dir.join("files/2024")).unwrap();
    std::fs::write(dir.join("files/2024/a.pdf"), pdf("Surat dengan folder")).unwrap();
    // A folder planted under the first imported letter's archive name.
    std::fs::create_dir_all(env.p("arsip/2024/SK-2024-0001 Folder ditanam/SK-2024-0001 Folder ditanam.pdf")).unwrap();
    let rows = [
        "B-001/17000/KP.650/2024;2024-01-02;Folder ditanam;X;KP.650;Biasa;terkirim;2024/a.pdf".to_string(),
        format!("b-1/17000/KP.650/{y};{y}-01-02;Nomor suratd ditulis lain;X;KP.650;Biasa;terkirim;"),
        format!("B-950/17000/HM.340/{y};{y}-01-02;Melompati nomor suratd;X;HM.340;Biasa;terkirim;"),
        format!("B-013/17000/KP.650/{};;Tahun depan;X;KP.650;Biasa;terkirim;", y + 1),
        "B-013/17000/KP.650/2025;2024-12-31;Tahun lain;X;KP.650;Biasa;terkirim;".to_string(),
        format!("B-014/17000/KP.650/{y};{tomorrow};Besok;X;KP.650;Biasa;terkirim;"),
        "B-007/17000/KP.650/2024;2024-03-01;Tujuh;X;KP.650;Biasa;terkirim;".to_string(),
        "b-7 /17000/KP.650/2024;2024-03-02;Tujuh lagi;X;KP.650;Rahasia;terkirim;".to_string(),
        "Nota/ü;2024-01-01;Tanpa urutan;X;KP.650;Biasa;terkirim;".to_string(),
        "B-020/17000/KP.650/2024;2024-04-01;Tautan;X;KP.650;Biasa;terkirim;2024/tautan.pdf".to_string(),
        "B-021/17000/KP.650/2024;2024-04-02;Pipa;X;KP.650;Biasa;terkirim;2024/pipa.pdf".to_string(),
    ];
    // A link leading out of --files, and a FIFO (opening it must not hang).
    std::fs::write(dir.join("rahasia.pdf"), pdf("Di luar --files")).unwrap();
    std::os::unix::fs::symlink(dir.join("rahasia.pdf"), dir.join("files/2024/tautan.pdf")).unwrap();
    assert!(Command::new("mkfifo").arg(dir.join("files/2024/pipa.pdf")).status().unwrap().success());
    let csv = dir.join("agenda.csv");
    std::fs::write(&csv, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let (code, out) = import(&env, &csv, false);
    assert_eq!(code, 1, "{out}");
    for want in [
        "line 2: file \"2024/a.pdf\" cannot be placed",
        "line 3: number \"b-1/17000/KP.650/",
        "is already used by SK-",
        "line 4: number \"B-950/17000/HM.340/",
        "would sit among the numbers suratd gives",
        "a year still to come",
        "tanggal 2024-12-31 is in 2024, the number \"B-013/17000/KP.650/2025\" in 2025",
        "is in the future",
        "line 9: number \"b-7 /17000/KP.650/2024\" is already used by line 8",
        "line 11: file \"2024/tautan.pdf\" leads outside --files",
        "line 12: file \"2024/pipa.pdf\" is not a file",
        "imported 5 letters",
    ] {
        assert!(out.contains(want), "want {want:?} in:\n{out}");
    }
    // The planted folder is untouched; the letter is kept in the store.
    assert!(env.p("arsip/2024/SK-2024-0001 Folder ditanam/SK-2024-0001 Folder ditanam.pdf").is_dir());
    assert_eq!(env.count("SELECT COUNT(*) FROM versions WHERE kind = 'imported'"), 1);
    // The number without a sequence stays out of the year's sequence.
    assert_eq!(env.count("SELECT COUNT(*) FROM numbers WHERE scope = '2024' AND seq = 0"), 0);
    // suratd's own sequence goes on where it was.
    let d = env.start();
    env.drop_file("01-draf/KP.650 Surat berikut.pdf", &pdf("Surat berikut"));
    let (_, next) = registered_from(&env, "01-draf/KP.650 Surat berikut.pdf");
    assert!(next.starts_with("B-002/"), "{next}");
    assert!(d.stop().success());
}
