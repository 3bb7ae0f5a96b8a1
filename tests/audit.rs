//! Verified actors through the real share: a real smbd on 127.0.0.1
//! (tests/common/samba.rs) serving the share section `suratd init --samba`
//! prints, with its `full_audit` records in smbd's log file, and the daemon
//! reading the share and that log (`samba.audit_log`). Skipped, with a
//! message, where smbd is missing (CI installs it).

mod common;
use common::samba::Samba;
use common::smtp::Smtp;
use common::*;
use std::time::Duration;

/// The share, its staff and the SMTP server: drafter `ag`, Ketua Tim
/// `kt` (team umum), `rani` who drafts and leads team umum, `kt2` who
/// leads team lain and stands in for `kt` today, `kt3` who leads team lain.
struct Office {
    env: Env,
    smb: Samba,
    smtp: Smtp,
    ag: String,
    kt: String,
    rani: String,
    kt2: String,
    kt3: String,
}

/// The share section in `suratd init --samba`'s output.
fn share_section(init: &str) -> String {
    let start = init.find("# smb.conf share section:\n").expect("a share section") + 26;
    let end = init.find("\n# folder ACLs").expect("the folder ACLs");
    init[start..end].to_string()
}

/// An office whose daemon reads smbd's log when `audit` is set; `None`
/// where smbd cannot run.
fn office(audit: bool) -> Option<Office> {
    let smtp = Smtp::start(0, &[]);
    let extra = format!(
        "workflow: workflow.yaml\nadmins: [admin@bps.go.id]\nsmtp:\n  host: 127.0.0.1\n  port: {}\n  tls: none\n  from: sekretaris@bps.go.id\n  retry: 200ms\n  timeout: 5s\n",
        smtp.port
    );
    let env = env_with("events", &extra);
    if audit {
        // smbd's log file (tests/common/samba.rs), rotated .old included.
        let log = env.dir.path().join("samba/log/smbd.log*");
        let mut text = std::fs::read_to_string(&env.config).unwrap();
        text.push_str(&format!("samba:\n  audit_log: {:?}\n  audit_wait: 3s\n", log.display()));
        std::fs::write(&env.config, text).unwrap();
    }
    let mut smb = Samba::new(env.dir.path())?;
    let ag = smb.user("ag", &["anggota_tim"]);
    let kt = smb.user("kt", &["ketua_tim"]);
    let rani = smb.user("rn", &["anggota_tim", "ketua_tim"]);
    let kt2 = smb.user("kt2", &["ketua_tim"]);
    let kt3 = smb.user("kt3", &["ketua_tim"]);
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today - chrono::Days::new(2), today + chrono::Days::new(2));
    let people = format!(
        "people:
  - {{login: {ag}, name: Ani Drafter, email: ag@bps.go.id, roles: [anggota_tim], team: umum}}
  - {{login: {kt}, name: Ketua Umum, email: kt@bps.go.id, roles: [ketua_tim], team: umum}}
  - {{login: {rani}, name: Rani, email: rani@bps.go.id, roles: [anggota_tim, ketua_tim], team: umum}}
  - {{login: {kt2}, name: Ketua Lain, email: kt2@bps.go.id, roles: [ketua_tim], team: lain}}
  - {{login: {kt3}, name: Ketua Lain Tiga, email: kt3@bps.go.id, roles: [ketua_tim], team: lain}}
stand_ins:
  - {{who: {kt2}, for: {kt}, from: {from}, to: {to}}}"
    );
    let wf = SHIPPED
        .replace("  digest_at: \"07:30\"\n", "")
        .replace("people: []", &people)
        .replace("teams:\n  - id: umum\n    name: Tim Bagian Umum\n", "teams:\n  - id: umum\n  - id: lain\n");
    std::fs::write(env.dir.path().join("workflow.yaml"), wf).unwrap();
    let out = env.cli(&["check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = env.cli(&["init", "--samba"]);
    let init = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{init}{}", String::from_utf8_lossy(&out.stderr));
    assert!(init.contains("samba:\n  audit_log: "), "init --samba prints the suratd.yaml settings:\n{init}");
    smb.start(&share_section(&init));
    Some(Office { env, smb, smtp, ag, kt, rani, kt2, kt3 })
}

impl Office {
    /// A draft put through Samba by `who`, registered; returns its file
    /// name in 02-verifikasi.
    fn draft(&self, who: &str, perihal: &str) -> String {
        let local = self.env.dir.path().join(format!("{perihal}.pdf"));
        std::fs::write(&local, pdf(&format!("Undangan {perihal}"))).unwrap();
        self.smb.put(who, &local, &format!("01-draf/KP.650 {perihal}.pdf")).unwrap();
        let name = self.env.wait_file_within("02-verifikasi", "SK-", Duration::from_secs(20));
        assert!(name.contains(perihal), "{name}");
        name
    }

    fn history(&self, id: &str) -> Vec<serde_json::Value> {
        let out = self.env.cli(&["history", id, "--json"]);
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        rows.as_array().unwrap().clone()
    }

    /// The last transition with `action`.
    fn last(&self, id: &str, action: &str) -> serde_json::Value {
        let h = self.history(id);
        h.iter().rev().find(|r| r["action"] == action).cloned().unwrap_or_else(|| panic!("no {action} in {h:#?}"))
    }
}

#[test]
fn a_ketua_tim_approving_through_samba_is_the_verified_actor() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Satu");
    let id = name[..12].to_string();
    let reg = o.last(&id, "register");
    assert_eq!((reg["actor"].as_str(), &reg["actor_verified"]), (Some(o.ag.as_str()), &serde_json::json!(true)));
    o.smb.rename(&o.kt, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/setuju/{name}")).unwrap();
    assert!(wait_until(Duration::from_secs(15), || o.env.letter(&id).0 == "kelengkapan"), "{}", o.env.log());
    let t = o.last(&id, "setuju");
    assert_eq!(t["actor"], o.kt.as_str(), "{t:#}");
    assert_eq!(t["actor_verified"], true, "{t:#}");
    assert!(t["note"].is_null(), "in their own right: {t:#}");
}

#[test]
fn a_drafter_approving_their_own_letter_is_put_back_and_the_admins_told() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    // Rani drafts and leads team umum: the ACLs let her write setuju/.
    let name = o.draft(&o.rani, "Rapat Dua");
    let id = name[..12].to_string();
    let moved = std::time::Instant::now();
    o.smb.rename(&o.rani, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/setuju/{name}")).unwrap();
    let back = wait_until(Duration::from_secs(15), || {
        o.env.files("02-verifikasi").iter().any(|f| f == &name) && o.env.files("02-verifikasi/setuju").is_empty()
    });
    assert!(back, "put back: {:#?}\n{}", o.env.tree(), o.env.log());
    o.env.settled();
    assert!(moved.elapsed() < Duration::from_secs(10), "within seconds: {:?}", moved.elapsed());
    assert_eq!(o.env.letter(&id).0, "verifikasi", "the letter stays at its step");
    let reason = std::fs::read_to_string(o.env.p(&format!("02-verifikasi/{name}.alasan.txt"))).unwrap();
    assert!(reason.contains("tidak dapat") && reason.contains("Rani"), "{reason}");
    let t = o.last(&id, "returned");
    assert_eq!((t["actor"].as_str(), &t["actor_verified"]), (Some(o.rani.as_str()), &serde_json::json!(true)));
    assert!(t["note"].as_str().unwrap().starts_with("own_letter"), "{t:#}");
    let log = o.env.log();
    assert!(
        log.lines().any(|l| l.contains("security") && l.contains("own_letter") && l.contains(&id)),
        "a security event with the letter's id:\n{log}"
    );
    let got = wait_until(Duration::from_secs(15), || {
        o.smtp.received().iter().any(|m| m.rcpt.iter().any(|r| r == "admin@bps.go.id") && m.data.contains(&id))
    });
    assert!(got, "the admins are emailed: {:#?}", o.smtp.received().iter().map(|m| &m.rcpt).collect::<Vec<_>>());
}

#[test]
fn a_stand_in_s_move_is_accepted_and_recorded_as_such() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Tiga");
    let id = name[..12].to_string();
    // kt2 leads another team, but stands in for kt (team umum) today.
    o.smb.rename(&o.kt2, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/setuju/{name}")).unwrap();
    assert!(wait_until(Duration::from_secs(15), || o.env.letter(&id).0 == "kelengkapan"), "{}", o.env.log());
    let t = o.last(&id, "setuju");
    assert_eq!((t["actor"].as_str(), &t["actor_verified"]), (Some(o.kt2.as_str()), &serde_json::json!(true)));
    assert_eq!(t["note"], format!("a.n. {}", o.kt), "{t:#}");
}

#[test]
fn without_an_audit_log_a_move_stays_the_role_unverified() {
    let Some(o) = office(false) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.rani, "Rapat Empat");
    let id = name[..12].to_string();
    // As before issue 13: the move is made, recorded as the step's role.
    o.smb.rename(&o.rani, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/setuju/{name}")).unwrap();
    assert!(wait_until(Duration::from_secs(15), || o.env.letter(&id).0 == "kelengkapan"), "{}", o.env.log());
    let t = o.last(&id, "setuju");
    assert_eq!((t["actor"].as_str(), &t["actor_verified"]), (Some("role:ketua_tim"), &serde_json::json!(false)));
    assert!(!o.env.log().contains("security"), "{}", o.env.log());
}

#[test]
fn a_letter_saved_over_by_someone_else_is_refused_with_their_login() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Lima");
    let id = name[..12].to_string();
    let before = std::fs::read(o.env.p(&format!("02-verifikasi/{name}"))).unwrap();
    // The Ketua Tim saves other bytes over the letter's file: the file keeps
    // suratd's owner, but the audit log names who wrote it.
    let local = o.env.dir.path().join("other.pdf");
    std::fs::write(&local, pdf("Isi lain")).unwrap();
    o.smb.put(&o.kt, &local, &format!("02-verifikasi/{name}")).unwrap();
    let refused = wait_until(Duration::from_secs(15), || {
        o.env.count("SELECT COUNT(*) FROM rejections WHERE reason_code = 'not_drafter'") == 1
            && o.env.files("02-verifikasi").len() == 1
    });
    assert!(refused, "{:#?}\n{}", o.env.tree(), o.env.log());
    o.env.settled();
    let owner: String = o.env.conn().query_row("SELECT owner FROM rejections", [], |r| r.get(0)).unwrap();
    assert_eq!(owner, o.kt);
    assert_eq!(std::fs::read(o.env.p(&format!("02-verifikasi/{name}"))).unwrap(), before, "the letter keeps its file");
    assert_eq!(o.env.letter(&id).0, "verifikasi");
    let log = o.env.log();
    assert!(
        log.lines().any(|l| l.contains("security") && l.contains(&id) && l.contains(&o.kt)),
        "a security event naming who:\n{log}"
    );
    let told = wait_until(Duration::from_secs(15), || {
        o.smtp.received().iter().any(|m| m.rcpt.iter().any(|r| r == "admin@bps.go.id") && m.data.contains(&id))
    });
    assert!(told, "the admins are emailed");
}

#[test]
fn a_move_with_no_record_within_the_wait_stays_the_role_unverified() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Enam");
    let id = name[..12].to_string();
    // Moved on the server itself, not through Samba: no audit record.
    let moved = std::time::Instant::now();
    o.env.mv(&format!("02-verifikasi/{name}"), "02-verifikasi/setuju");
    assert!(wait_until(Duration::from_secs(15), || o.env.letter(&id).0 == "kelengkapan"), "{}", o.env.log());
    assert!(moved.elapsed() >= Duration::from_secs(3), "it waited samba.audit_wait for a record");
    let t = o.last(&id, "setuju");
    assert_eq!((t["actor"].as_str(), &t["actor_verified"]), (Some("role:ketua_tim"), &serde_json::json!(false)));
    assert!(o.env.log().contains("no Samba audit record"), "{}", o.env.log());
}

#[test]
fn a_ketua_tim_of_another_team_is_put_back() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Tujuh");
    let id = name[..12].to_string();
    // The ACLs let every Ketua Tim write 02-verifikasi; teams are suratd's.
    o.smb.rename(&o.kt3, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/revisi/{name}")).unwrap();
    let back = wait_until(Duration::from_secs(15), || {
        o.env.files("02-verifikasi").iter().any(|f| f == &name) && o.env.files("02-verifikasi/revisi").is_empty()
    });
    assert!(back, "put back: {:#?}\n{}", o.env.tree(), o.env.log());
    o.env.settled();
    let t = o.last(&id, "returned");
    assert_eq!(t["actor"], o.kt3.as_str());
    assert!(t["note"].as_str().unwrap().starts_with("other_team"), "{t:#}");
    let reason = std::fs::read_to_string(o.env.p(&format!("02-verifikasi/{name}.alasan.txt"))).unwrap();
    assert!(reason.contains("tim lain"), "{reason}");
    assert_eq!(o.env.letter(&id).0, "verifikasi");
}

#[test]
fn a_send_back_waiting_for_its_note_keeps_its_verified_actor() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Delapan");
    let id = name[..12].to_string();
    o.smb.rename(&o.kt, &format!("02-verifikasi/{name}"), &format!("02-verifikasi/revisi/{name}")).unwrap();
    // The note follows a moment later: the decision waits for it.
    std::thread::sleep(Duration::from_millis(400));
    let note = o.env.dir.path().join("catatan.txt");
    std::fs::write(&note, "Perbaiki tanggal.").unwrap();
    o.smb.put(&o.kt, &note, "02-verifikasi/revisi/catatan.txt").unwrap();
    assert!(wait_until(Duration::from_secs(15), || o.env.letter(&id).0 == "draf"), "{}", o.env.log());
    let t = o.last(&id, "revisi");
    assert_eq!((t["actor"].as_str(), &t["actor_verified"]), (Some(o.kt.as_str()), &serde_json::json!(true)));
    assert!(t["note"].as_str().unwrap_or("").contains("Perbaiki tanggal"), "{t:#}");
}

/// Issue 13.4: a letter's file deleted through Samba is put back, and the
/// audit record of the delete names who did it.
#[test]
fn a_letter_deleted_through_samba_is_put_back_naming_who_deleted_it() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.ag, "Rapat Hapus");
    let id = name[..12].to_string();
    o.env.settled();
    let bytes = std::fs::read(o.env.p(&format!("02-verifikasi/{name}"))).unwrap();
    o.smb.del(&o.kt, &format!("02-verifikasi/{name}")).unwrap();
    let back = o.env.p(&format!("02-verifikasi/{name}"));
    assert!(
        wait_until(Duration::from_secs(30), || o.env.actions(&id).contains(&"restore".to_string())),
        "{}",
        o.env.log()
    );
    assert!(std::fs::read(&back).unwrap() == bytes);
    let t = o.last(&id, "restore");
    assert_eq!(t["actor"], o.kt.as_str(), "{t:#}");
    assert_eq!(t["actor_verified"], true, "{t:#}");
    let reason = std::fs::read_to_string(o.env.p(&format!("_ditolak/{name}.alasan.txt"))).unwrap();
    assert!(reason.contains("oleh Ketua Umum."), "named by name: {reason}");
    assert!(!reason.contains(&format!("({})", o.kt)), "not by login: {reason}");
    let line = o.env.log().lines().find(|l| l.contains("its own version was put back")).map(str::to_string);
    assert!(line.as_deref().is_some_and(|l| l.contains("security") && l.contains(&o.kt)), "{line:?}");
    assert!(wait_until(Duration::from_secs(15), || o.smtp.received().iter().any(|m| m
        .rcpt
        .iter()
        .any(|r| r == "admin@bps.go.id")
        && m.data.contains(&id))));
}

/// A drafter who also leads a team may not approve their own letter
/// (`own_letter`, above), nor may a Ketua Tim of another team. An Acrobat
/// save that changes only the document's title is "a reviewer's edit of
/// metadata only", approved as the copy would be when put into `setuju/`:
/// saved straight into `setuju/` (a new file, not a move), nobody checks
/// who made the decision, and the letter is approved by its own drafter.
#[test]
fn attack_a_metadata_only_save_into_setuju_approves_ones_own_letter() {
    let Some(o) = office(true) else { return };
    let _d = o.env.start();
    let name = o.draft(&o.rani, "Rapat Sebelas");
    let id = name[..12].to_string();
    let copy = std::fs::read(o.env.p(&format!("02-verifikasi/{name}"))).unwrap();
    let local = o.env.dir.path().join("judul.pdf");
    std::fs::write(&local, with_title(&copy, "Rapat Sebelas (final)")).unwrap();
    o.smb.put(&o.rani, &local, &format!("02-verifikasi/setuju/{name}")).unwrap();
    // Whatever becomes of it, the letter is not approved by its drafter.
    let decided = wait_until(Duration::from_secs(15), || {
        o.env.letter(&id).0 != "verifikasi" || o.env.files("02-verifikasi/setuju").is_empty()
    });
    assert!(decided, "{:#?}\n{}", o.env.tree(), o.env.log());
    o.env.settled();
    assert_eq!(o.env.letter(&id).0, "verifikasi", "approved by its own drafter: {:?}", o.env.actions(&id));
    assert!(!o.env.actions(&id).contains(&"setuju".to_string()), "{:?}", o.env.actions(&id));
    // Refused as her move would be; the copy under review stays.
    let code: String = o
        .env
        .conn()
        .query_row("SELECT reason_code FROM rejections WHERE letter_id = ?1", [&id], |r| r.get(0))
        .unwrap_or_default();
    assert_eq!(code, "own_letter", "{:#?}", o.env.tree());
    assert!(o.env.files("02-verifikasi").contains(&name), "{:#?}", o.env.tree());
}
