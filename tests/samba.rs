//! The share as staff reach it: a real smbd on 127.0.0.1 (tests/common/samba.rs)
//! serving the share section `suratd init --samba` prints, over the folder
//! ACLs it sets, with one Unix user per role; smbclient plays Explorer.
//! Skipped, with a message, where smbd is missing (CI installs it).

mod common;
use common::samba::{Samba, q};
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Each role of SOP-024 and the tag of its test user's login.
const ROLES: [(&str, &str); 5] =
    [("anggota_tim", "ag"), ("ketua_tim", "kt"), ("sekretaris", "sk"), ("kepala", "kp"), ("bagian_umum", "bu")];

/// Every folder of the shipped workflow.
const FOLDERS: [&str; 17] = [
    "01-draf",
    "01-draf/revisi",
    "02-verifikasi",
    "02-verifikasi/setuju",
    "02-verifikasi/revisi",
    "03-kelengkapan",
    "03-kelengkapan/setuju",
    "03-kelengkapan/revisi",
    "04-ajukan-tte",
    "05-menunggu-tte",
    "05-menunggu-tte/revisi",
    "06-sudah-tte",
    "07-distribusi",
    "07-distribusi/terkirim",
    "arsip",
    "batal",
    "_ditolak",
];

/// The moves of a letter SOP-024 gives each role (README, "How staff use
/// it"): decide at a review step, hand on from 04 to 05, send back from 05,
/// dispatch, move a returned letter back into 01-draf, cancel.
const MOVES: &[(&str, &str, &str)] = &[
    ("anggota_tim", "01-draf/revisi", "01-draf"),
    ("anggota_tim", "01-draf/revisi", "batal"),
    ("ketua_tim", "02-verifikasi", "02-verifikasi/setuju"),
    ("ketua_tim", "02-verifikasi", "02-verifikasi/revisi"),
    ("ketua_tim", "02-verifikasi", "batal"),
    ("sekretaris", "03-kelengkapan", "03-kelengkapan/setuju"),
    ("sekretaris", "03-kelengkapan", "03-kelengkapan/revisi"),
    ("sekretaris", "03-kelengkapan", "batal"),
    ("sekretaris", "04-ajukan-tte", "05-menunggu-tte"),
    ("sekretaris", "04-ajukan-tte", "batal"),
    ("kepala", "05-menunggu-tte", "05-menunggu-tte/revisi"),
    ("kepala", "05-menunggu-tte", "batal"),
    ("bagian_umum", "07-distribusi", "07-distribusi/terkirim"),
    ("bagian_umum", "07-distribusi", "batal"),
];

/// Where each role places new files: drafts (and corrected ones), notes
/// with a decision, signed letters, anything into batal/.
const PUTS: &[(&str, &str)] = &[
    ("anggota_tim", "01-draf"),
    ("anggota_tim", "01-draf/revisi"),
    ("anggota_tim", "batal"),
    ("ketua_tim", "02-verifikasi/setuju"),
    ("ketua_tim", "02-verifikasi/revisi"),
    ("ketua_tim", "batal"),
    ("sekretaris", "03-kelengkapan/setuju"),
    ("sekretaris", "03-kelengkapan/revisi"),
    ("sekretaris", "06-sudah-tte"),
    ("sekretaris", "batal"),
    ("kepala", "05-menunggu-tte/revisi"),
    ("kepala", "06-sudah-tte"),
    ("kepala", "batal"),
    ("bagian_umum", "07-distribusi/terkirim"),
    ("bagian_umum", "batal"),
];

struct Office {
    env: Env,
    smb: Samba,
    /// (role, login) of each role's user, in ROLES order.
    staff: Vec<(String, String)>,
    /// A second drafter.
    other_drafter: String,
}

impl Office {
    fn login(&self, role: &str) -> &str {
        &self.staff.iter().find(|(r, _)| r == role).unwrap().1
    }

    /// `suratd init --samba` (twice: a re-run keeps everything); returns
    /// what it printed.
    fn init(&self, service_user: Option<&str>) -> String {
        let mut args = vec!["init", "--samba"];
        args.extend(service_user.iter().flat_map(|u| ["--service-user", u]));
        let mut text = String::new();
        for _ in 0..2 {
            let out = self.env.cli(&args);
            text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
        }
        text
    }
}

/// A share with the shipped workflow, a user per role (all of team umum)
/// and a second drafter; `None` where smbd cannot run.
fn office() -> Option<Office> {
    let env = env_with("events", "workflow: workflow.yaml\n");
    let mut smb = Samba::new(env.dir.path())?;
    let staff: Vec<(String, String)> = ROLES.iter().map(|(r, tag)| (r.to_string(), smb.user(tag, &[r]))).collect();
    let other_drafter = smb.user("ag2", &["anggota_tim"]);
    let mut people = String::from("people:\n");
    for (role, login) in staff.iter().chain([&("anggota_tim".to_string(), other_drafter.clone())]) {
        people.push_str(&format!("  - {{login: {login}, name: {login}, roles: [{role}], team: umum}}\n"));
    }
    std::fs::write(env.dir.path().join("workflow.yaml"), SHIPPED.replace("people: []\n", &people)).unwrap();
    Some(Office { env, smb, staff, other_drafter })
}

/// The smb.conf share section in `suratd init --samba`'s output.
fn share_section(init: &str) -> String {
    let start = init.find("# smb.conf share section:\n").expect("a share section") + 26;
    let end = init.find("\n# folder ACLs").expect("the folder ACLs");
    init[start..end].to_string()
}

/// What the printed share section says the ACLs cannot prevent, per role:
/// moves of letters, deletes of letters, folders taking new files.
#[derive(Default, Debug)]
struct Excess {
    moves: BTreeSet<(String, String)>,
    deletes: BTreeSet<String>,
    puts: BTreeSet<String>,
}

fn excess(section: &str, role: &str) -> Excess {
    let block = section.split("cannot prevent").nth(1).expect("what the ACLs cannot prevent");
    let mut entries: Vec<String> = Vec::new();
    for line in block.lines().skip(2) {
        if let Some(rest) = line.strip_prefix("   ;       ") {
            entries.last_mut().unwrap().push_str(&format!(" {rest}"));
        } else if let Some(rest) = line.strip_prefix("   ;   ") {
            entries.push(rest.to_string());
        }
    }
    let mut ex = Excess::default();
    let Some(entry) = entries.iter().find_map(|e| e.strip_prefix(&format!("{role}: "))) else { return ex };
    let list = |s: &str| s.split(", ").map(|x| x.trim().to_string()).collect::<Vec<_>>();
    for part in entry.split("; ") {
        if let Some(m) = part.strip_prefix("move letters ") {
            for pair in list(m) {
                let (a, b) = pair.split_once(" -> ").unwrap();
                ex.moves.insert((a.to_string(), b.to_string()));
            }
        } else if let Some(d) = part.strip_prefix("delete letters in ") {
            ex.deletes.extend(list(d));
        } else if let Some(p) = part.strip_prefix("put new files into ") {
            ex.puts.extend(list(p));
        }
    }
    ex
}

/// A letter's file as suratd leaves it: written in place by the service user.
fn letter(path: &Path, owner: u32) {
    std::fs::write(path, pdf("surat")).unwrap();
    std::os::unix::fs::chown(path, Some(owner), None).unwrap();
}

/// Runs `args` as the service user (what the daemon does on the share).
fn as_user(login: &str, args: &[&str]) -> std::process::Output {
    let u = uzers::get_user_by_name(login).unwrap();
    Command::new("setpriv")
        .arg(format!("--reuid={}", u.uid()))
        .arg(format!("--regid={}", u.primary_group_id()))
        .arg("--clear-groups")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn each_role_makes_exactly_its_moves_through_samba() {
    let Some(mut o) = office() else { return };
    let service = o.smb.user("sv", &[]);
    let section = share_section(&o.init(Some(&service)));
    o.smb.start(&section);
    let svc_uid = uzers::get_user_by_name(&service).unwrap().uid();
    let p = |rel: &str| o.env.p(rel);
    let local = o.env.dir.path().join("local.pdf");
    std::fs::write(&local, pdf("baru")).unwrap();

    for (role, login) in &o.staff {
        let ex = excess(&section, role);
        // Every move between two folders, one letter each, in one session.
        let pairs: Vec<(&str, &str)> =
            FOLDERS.iter().flat_map(|a| FOLDERS.iter().map(move |b| (*a, *b))).filter(|(a, b)| a != b).collect();
        let mut cmds = Vec::new();
        for (i, (a, b)) in pairs.iter().enumerate() {
            letter(&p(&format!("{a}/mv-{role}-{i}.pdf")), svc_uid);
            cmds.push(format!(
                "rename {} {}",
                q(&format!("{a}/mv-{role}-{i}.pdf")),
                q(&format!("{b}/mv-{role}-{i}.pdf"))
            ));
        }
        o.smb.client(login, &cmds.join("; "));
        let moved: BTreeSet<(String, String)> = pairs
            .iter()
            .enumerate()
            .filter(|(i, (a, b))| {
                !p(&format!("{a}/mv-{role}-{i}.pdf")).exists() && p(&format!("{b}/mv-{role}-{i}.pdf")).exists()
            })
            .map(|(_, (a, b))| (a.to_string(), b.to_string()))
            .collect();
        let workflow: BTreeSet<(String, String)> =
            MOVES.iter().filter(|m| m.0 == role).map(|m| (m.1.to_string(), m.2.to_string())).collect();
        let blocked: Vec<_> = workflow.difference(&moved).collect();
        assert!(blocked.is_empty(), "{role} ({login}) cannot make these moves of SOP-024: {blocked:?}");
        let expected: BTreeSet<_> = workflow.union(&ex.moves).cloned().collect();
        assert_eq!(moved, expected, "{role}: what Samba allowed beyond the workflow is exactly what init --samba says");

        // A new file into each folder.
        let cmds: Vec<String> = FOLDERS
            .iter()
            .map(|f| format!("put {} {}", q(&local.display().to_string()), q(&format!("{f}/put-{role}.pdf"))))
            .collect();
        o.smb.client(login, &cmds.join("; "));
        let put: BTreeSet<String> =
            FOLDERS.iter().filter(|f| p(&format!("{f}/put-{role}.pdf")).exists()).map(|f| f.to_string()).collect();
        let workflow: BTreeSet<String> = PUTS.iter().filter(|x| x.0 == role).map(|x| x.1.to_string()).collect();
        assert!(workflow.is_subset(&put), "{role} cannot place files where SOP-024 needs: {workflow:?} vs {put:?}");
        assert_eq!(put, workflow.union(&ex.puts).cloned().collect(), "{role}: new files");

        // A letter deleted in each folder: the workflow has no deletes.
        for f in FOLDERS {
            letter(&p(&format!("{f}/del-{role}.pdf")), svc_uid);
        }
        let cmds: Vec<String> = FOLDERS.iter().map(|f| format!("del {}", q(&format!("{f}/del-{role}.pdf")))).collect();
        o.smb.client(login, &cmds.join("; "));
        let deleted: BTreeSet<String> =
            FOLDERS.iter().filter(|f| !p(&format!("{f}/del-{role}.pdf")).exists()).map(|f| f.to_string()).collect();
        assert_eq!(deleted, ex.deletes, "{role}: deletes");
    }
    // Listed for the record: what the ACLs cannot prevent for SOP-024.
    let ex = |r: &str| excess(&section, r);
    assert!(ex("anggota_tim").moves.is_empty() && ex("ketua_tim").moves.is_empty());
    assert!(ex("bagian_umum").moves.is_empty());
    assert_eq!(ex("kepala").moves.len(), 1, "05-menunggu-tte -> 06-sudah-tte (suratd puts it back)");
}

#[test]
fn own_files_in_sticky_folders_and_the_service_user_keeps_full_access() {
    let Some(mut o) = office() else { return };
    let service = o.smb.user("sv", &[]);
    let section = share_section(&o.init(Some(&service)));
    o.smb.start(&section);
    let local = o.env.dir.path().join("draf.pdf");
    std::fs::write(&local, pdf("draf")).unwrap();
    let (ag, ag2) = (o.login("anggota_tim").to_string(), o.other_drafter.clone());

    // A drafter renames their own draft right after copying it; another
    // drafter can neither delete nor move it, nor make a folder at the top.
    o.smb.put(&ag, &local, "01-draf/Undangn.pdf").unwrap();
    o.smb.rename(&ag, "01-draf/Undangn.pdf", "01-draf/KP.650 Undangan.pdf").unwrap();
    assert!(o.smb.del(&ag2, "01-draf/KP.650 Undangan.pdf").is_err());
    assert!(o.smb.rename(&ag2, "01-draf/KP.650 Undangan.pdf", "01-draf/x.pdf").is_err());
    assert!(o.smb.mkdir(&ag2, "Folder Baru").is_err());
    // Explorer's "New folder", renamed, with drafts copied in.
    o.smb.mkdir(&ag, "01-draf/New folder").unwrap();
    o.smb.rename(&ag, "01-draf/New folder", "01-draf/Surat Juni").unwrap();
    let batch = o.env.dir.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    for i in 0..3 {
        std::fs::write(batch.join(format!("KP.650 Surat {i}.pdf")), pdf(&format!("surat {i}"))).unwrap();
    }
    o.smb.mput(&ag, &batch, "01-draf/Surat Juni").unwrap();
    assert_eq!(o.env.files("01-draf/Surat Juni").len(), 3);
    // Everyone reads: the Ketua Tim sees the draft.
    let got = o.env.dir.path().join("got.pdf");
    o.smb
        .run(o.login("ketua_tim"), &format!("get {} {}", q("01-draf/KP.650 Undangan.pdf"), q(got.to_str().unwrap())))
        .unwrap();
    assert!(std::fs::read(&got).unwrap() == pdf("draf"));

    // suratd (the service user) reads, moves out of the sticky folder and
    // out of the drafter's own sub-folder, writes its copies and removes
    // the emptied folder: its entries survived the second run of init.
    let path = |rel: &str| o.env.p(rel).display().to_string();
    let run = |args: &[&str]| {
        let out = as_user(&service, args);
        let acls =
            Command::new("getfacl").arg("-p").args(args[1..].iter().filter(|a| a.starts_with('/'))).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&acls.stdout)
        );
    };
    run(&["cat", &path("01-draf/KP.650 Undangan.pdf")]);
    run(&["mv", &path("01-draf/KP.650 Undangan.pdf"), &path("02-verifikasi/SK-2026-0001 Undangan.pdf")]);
    for i in 0..3 {
        run(&["mv", &path(&format!("01-draf/Surat Juni/KP.650 Surat {i}.pdf")), &path("_ditolak/")]);
    }
    run(&["rmdir", &path("01-draf/Surat Juni")]);
    run(&["mkdir", &path("arsip/2026")]);
    run(&["cp", &path("02-verifikasi/SK-2026-0001 Undangan.pdf"), &path("arsip/2026/")]);
    let acl = Command::new("getfacl").arg("-p").arg(path("02-verifikasi")).output().unwrap();
    let acl = String::from_utf8_lossy(&acl.stdout);
    assert!(acl.contains(&format!("# owner: {service}")), "{acl}");
    assert!(acl.contains(&format!("\nuser:{service}:rwx")) && acl.contains(&format!("default:user:{service}:rwx")));
    // The Ketua Tim approves it: the move SOP-024 gives them.
    o.smb
        .rename(o.login("ketua_tim"), "02-verifikasi/SK-2026-0001 Undangan.pdf", "02-verifikasi/setuju/S.pdf")
        .unwrap();
    assert!(o.smb.rename(&ag, "02-verifikasi/setuju/S.pdf", "01-draf/S.pdf").is_err(), "a drafter cannot");
}

#[test]
fn a_draft_put_through_samba_is_registered() {
    let Some(mut o) = office() else { return };
    // The daemon runs as root here; the service user is `suratd` where that
    // user exists, else root.
    let section = share_section(&o.init(None));
    o.smb.start(&section);
    let _d = o.env.start();
    let ag = o.login("anggota_tim").to_string();
    let local = o.env.dir.path().join("draf.pdf");
    let draft = pdf("Undangan Rapat Koordinasi");
    std::fs::write(&local, &draft).unwrap();
    o.smb.put(&ag, &local, "01-draf/KP.650 Undangan Rapat.pdf").unwrap();

    let name = o.env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(20));
    let id = name[..12].to_string();
    assert_eq!(name, format!("{id} Undangan Rapat.pdf"));
    let number: String =
        o.env.conn().query_row("SELECT number FROM letters WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(number, format!("B-001/17000/KP.650/{}", year()));
    assert!(base(&o.env.p(&format!("02-verifikasi/{name}"))) == draft);
    assert!(o.env.emptied("01-draf"), "{:?}", o.env.tree());
    let out = o.env.cli(&["history", &id, "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["action"], "register");
    assert_eq!(rows[0]["actor"], ag.as_str(), "the file's owner through Samba is the drafter");
    assert_eq!(rows[0]["actor_verified"], true);
    // The Ketua Tim sees the review copy suratd placed.
    let got = o.env.dir.path().join("got.pdf");
    let remote = format!("02-verifikasi/{name}");
    o.smb.run(o.login("ketua_tim"), &format!("get {} {}", q(&remote), q(got.to_str().unwrap()))).unwrap();
}

#[test]
fn install_md_shows_the_share_section_the_tests_run() {
    let env = env("events");
    // Not root, ACLs cannot be set (exit 1), but the section is printed.
    let out = env.cli(&["init", "--samba"]);
    let printed = share_section(&String::from_utf8_lossy(&out.stdout));
    let printed = printed.replace(&env.root.display().to_string(), "/srv/samba/SuratKeluar");
    let install = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/INSTALL.md")).unwrap();
    assert!(
        install.contains(&format!("```\n{}\n```", printed.trim_end())),
        "systemd/INSTALL.md must show what `suratd init --samba` prints for the shipped workflow:\n{printed}"
    );
}

#[test]
fn init_samba_fails_and_says_what_to_do_when_it_cannot_set_the_acls() {
    let env = env("events");
    let out = env.cli(&["init", "--samba", "--service-user", "no-such-suratd-user"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error: the service user no-such-suratd-user does not exist: create it"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("[SuratKeluar]"), "the section is printed all the same");
}

/// Issue 13.4: the Ketua Tim may delete in 02-verifikasi (write on a folder
/// is also delete, which ACLs cannot split), but a letter deleted through
/// the share is put back from the version store, and the letter stays.
#[test]
fn a_letter_deleted_through_samba_is_put_back() {
    let Some(mut o) = office() else { return };
    let section = share_section(&o.init(None));
    o.smb.start(&section);
    let _d = o.env.start();
    let ag = o.login("anggota_tim").to_string();
    let local = o.env.dir.path().join("draf.pdf");
    std::fs::write(&local, pdf("Undangan Rapat Koordinasi")).unwrap();
    o.smb.put(&ag, &local, "01-draf/KP.650 Undangan Rapat.pdf").unwrap();
    let name = o.env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(20));
    let id = name[..12].to_string();
    o.env.settled();
    let bytes = std::fs::read(o.env.p(&format!("02-verifikasi/{name}"))).unwrap();

    o.smb.del(o.login("ketua_tim"), &format!("02-verifikasi/{name}")).unwrap();
    assert!(!o.env.p(&format!("02-verifikasi/{name}")).exists(), "Samba let the Ketua Tim delete it");
    let back = o.env.p(&format!("02-verifikasi/{name}"));
    assert!(wait_until(Duration::from_secs(30), || back.is_file()), "{:?}\n{}", o.env.tree(), o.env.log());
    assert!(std::fs::read(&back).unwrap() == bytes);
    // The reason file is written after the letter is back.
    let reason = o.env.p(&format!("_ditolak/{name}.alasan.txt"));
    assert!(wait_until(Duration::from_secs(5), || reason.is_file()), "{:?}", o.env.tree());
    assert!(wait_until(Duration::from_secs(5), || o.env.actions(&id).contains(&"restore".to_string())));
    assert_eq!(o.env.letter(&id).0, "verifikasi");
    // The Ketua Tim can take it from where it was.
    let got = o.env.dir.path().join("got.pdf");
    o.smb
        .run(o.login("ketua_tim"), &format!("get {} {}", q(&format!("02-verifikasi/{name}")), q(got.to_str().unwrap())))
        .unwrap();
    assert!(std::fs::read(&got).unwrap() == bytes);
}
