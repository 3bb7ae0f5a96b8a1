//! The web board from the admin's side of the command line: `suratd web
//! passwd`, and `suratd check` / `suratd run` refusing a board open to
//! other machines before anyone has a password.

mod common;
use common::browser::try_passwd as passwd;
use common::*;

/// An environment whose workflow has people, with `web` settings.
fn office_env(web: &str) -> Env {
    let env = env_with("events", &format!("workflow: workflow.yaml\n{web}"));
    let people = "people:\n  - {login: budi, name: Budi Santoso, roles: [ketua_tim], team: umum}\n  - {login: lina, name: Lina Marlina, roles: [sekretaris]}\n";
    let shipped = include_str!("../workflow.yaml");
    std::fs::write(env.dir.path().join("workflow.yaml"), shipped.replace("people: []\n", people)).unwrap();
    env
}

#[test]
fn a_board_open_to_the_network_is_refused_until_someone_has_a_password() {
    let env = office_env("web:\n  listen: 0.0.0.0:18024\n");
    let check = env.cli(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", said(&check));
    assert!(said(&check).contains("suratd web passwd"), "{}", said(&check));
    // `suratd run` refuses too, before touching anything.
    let run = env.cli(&["run"]);
    assert_eq!(run.status.code(), Some(1), "{}", said(&run));
    assert!(said(&run).contains("no one has a password"), "{}", said(&run));

    // Only a person of workflow.yaml gets a password, and not a short one.
    let (ok, out) = passwd(&env, "mallory", "panjang-sekali");
    assert!(!ok && out.contains("not a person"), "{out}");
    let (ok, out) = passwd(&env, "budi", "pendek");
    assert!(!ok && out.contains("shorter than 8"), "{out}");
    let users = env.dir.path().join("data/web-users");
    assert!(!users.exists(), "a refused password writes nothing");

    let (ok, out) = passwd(&env, "budi", "kata-sandi-budi");
    assert!(ok, "{out}");
    assert!(out.contains("now asks everyone to log in"), "{out}");
    let text = std::fs::read_to_string(&users).unwrap();
    assert!(text.contains("budi:$argon2id$"), "{text}");
    assert!(!text.contains("kata-sandi-budi"), "the password itself is never stored");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&users).unwrap().permissions().mode() & 0o777, 0o600);
    let check = env.cli(&["check"]);
    assert!(check.status.success(), "{}", said(&check));
}

#[test]
fn check_warns_about_board_people_who_cannot_log_in_and_refuses_a_bad_address() {
    let env = office_env("web:\n  listen: 127.0.0.1:18025\n  admins: [kepala-lama]\n");
    let (ok, out) = passwd(&env, "lina", "kata-sandi-lina");
    assert!(ok, "{out}");
    // Lina leaves the office: her password stays but no longer lets her in.
    let wf = env.dir.path().join("workflow.yaml");
    let text = std::fs::read_to_string(&wf)
        .unwrap()
        .replace("  - {login: lina, name: Lina Marlina, roles: [sekretaris]}\n", "");
    std::fs::write(&wf, text).unwrap();
    let check = env.cli(&["check"]);
    let out = said(&check);
    assert!(check.status.success(), "{out}");
    assert!(out.contains("\"kepala-lama\", who is not a person"), "{out}");
    assert!(out.contains("password for \"lina\", who is not a person"), "{out}");

    let bad = office_env("web:\n  listen: localhost:8024\n");
    let check = bad.cli(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", said(&check));
    assert!(said(&check).contains("web.listen \"localhost:8024\" is not an address and port"), "{}", said(&check));
}
