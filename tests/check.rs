//! `suratd check` and `suratd init` as an admin uses them: every kind of
//! mistake in workflow.yaml is reported as FILE:LINE:COL: message, exit 1.

mod common;
use common::*;
use std::process::Command;

const SHIPPED: &str = include_str!("../workflow.yaml");

fn check_workflow(text: &str) -> (i32, String) {
    let env = env("events");
    let wf = env.dir.path().join("workflow.yaml");
    std::fs::write(&wf, text).unwrap();
    let out = env.cli(&["--workflow", wf.to_str().unwrap(), "check"]);
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), s.replace(wf.to_str().unwrap(), "workflow.yaml"))
}

/// Line and column (1-based) where `needle` first occurs in `text`; a `^`
/// in the needle marks the spot inside it.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    let mark = needle.find('^').unwrap_or(0);
    let plain = needle.replace('^', "");
    let at = text.find(&plain).unwrap_or_else(|| panic!("{needle:?} not in text")) + mark;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, col)
}

fn expect_error(text: &str, needle: &str, message: &str) {
    let (code, out) = check_workflow(text);
    assert_eq!(code, 1, "{out}");
    let (l, c) = pos(text, needle);
    let want = format!("workflow.yaml:{l}:{c}: ");
    assert!(
        out.lines().any(|line| line.starts_with(&want) && line.contains(message)),
        "want `{want}…{message}…` in:\n{out}"
    );
}

#[test]
fn the_shipped_workflow_and_config_pass() {
    let (code, out) = check_workflow(SHIPPED);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("9 steps"), "{out}");
    // The example server config, pointed at this tree's workflow.
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/config/suratd.yaml");
    let wf = concat!(env!("CARGO_MANIFEST_DIR"), "/workflow.yaml");
    let out = Command::new(Env::bin()).args(["--config", cfg, "--workflow", wf, "check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // No config at all: built-in defaults.
    let out = Command::new(Env::bin()).arg("check").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn unknown_keys_are_errors() {
    let text = SHIPPED.replace("    returns: revisi", "    returns: revisi\n    retuns: x");
    expect_error(&text, "retuns", "unknown field `retuns`");
}

#[test]
fn unknown_roles_and_people_mistakes_are_errors() {
    let text = SHIPPED.replacen("    role: ketua_tim", "    role: ketua", 1);
    expect_error(&text, "role: ^ketua\n", "role \"ketua\" does not exist");
    let text = SHIPPED.replace(
        "people: []",
        "people:\n  - login: budi\n    roles: [anggota]\n    team: umum\n    email: budi@bps.go.id\n  - login: siti\n    roles: [sekretaris]\n    team: keuangan\n    email: siti-at-bps",
    );
    expect_error(&text, "anggota]", "role \"anggota\" does not exist");
    expect_error(&text, "keuangan", "team \"keuangan\" does not exist");
    expect_error(&text, "siti-at-bps", "not an email address");
    let text = SHIPPED.replace("  sifat_roles: [sekretaris]", "  sifat_roles: [sekretaris, sekertaris]");
    expect_error(&text, "sekretaris, ^sekertaris]", "letters.sifat_roles: role \"sekertaris\" does not exist");
    // A secretary who cannot place drafts: no letter can be Penting or Rahasia.
    let secretary =
        |roles: &str| SHIPPED.replace("people: []", &format!("people:\n  - login: sari\n    roles: [{roles}]"));
    let (code, out) = check_workflow(&secretary("sekretaris"));
    assert_eq!(code, 0, "{out}");
    let (l, c) = pos(&secretary("sekretaris"), "sifat_roles: [^sekretaris]");
    assert!(out.contains(&format!("workflow.yaml:{l}:{c}: warning: letters.sifat_roles: nobody")), "{out}");
    let (_, out) = check_workflow(&secretary("sekretaris, anggota_tim"));
    assert!(!out.contains("sifat_roles"), "{out}");
}

#[test]
fn outcomes_that_lead_nowhere_are_errors() {
    let text = SHIPPED.replacen("      setuju: kelengkapan", "      setuju: kelengkapn", 1);
    expect_error(&text, "kelengkapn", "leads to step \"kelengkapn\", which does not exist");
}

#[test]
fn unreachable_and_unfinished_steps_are_errors() {
    // Nothing leads to `ajukan_tte` any more.
    let text = SHIPPED.replace("      setuju: ajukan_tte", "      setuju: menunggu_tte");
    expect_error(&text, "- id: ^ajukan_tte", "cannot be reached");
    // From `distribusi` nothing leads to the archive.
    let text = SHIPPED.replace("      terkirim: arsip", "      terkirim: batal");
    expect_error(&text, "- id: ^distribusi", "never finishes");
}

#[test]
fn two_steps_on_one_folder_are_an_error() {
    let text = SHIPPED.replace("    folder: 03-kelengkapan", "    folder: 02-verifikasi");
    let (code, out) = check_workflow(&text);
    assert_eq!(code, 1);
    assert!(out.contains("folder \"02-verifikasi\" is used twice"), "{out}");
    let text = SHIPPED.replace("    folder: 03-kelengkapan", "    folder: 02-verifikasi/setuju");
    let (code, out) = check_workflow(&text);
    assert_eq!(code, 1);
    assert!(out.contains("is used twice") || out.contains("is inside"), "{out}");
    let text = SHIPPED.replace("    folder: 03-kelengkapan", "    folder: 03:kelengkapan");
    expect_error(&text, "03:kelengkapan", "Windows");
}

#[test]
fn bad_durations_and_placeholders_are_errors() {
    let text = SHIPPED.replacen("    time: 20m", "    time: 20 menit", 1);
    expect_error(&text, "20 menit", "bad duration");
    let text = SHIPPED.replace("{folder_draf}.\n    office_document", "{folder_drf}.\n    office_document");
    expect_error(&text, "Berkas ini bukan berkas PDF", "unknown placeholder {folder_drf}");
    let text = SHIPPED.replace("    empty: >-", "    kosong: >-");
    expect_error(&text, "Berkas ini kosong", "no reason \"kosong\"");
}

/// The line of what to do (`templates.instructions`) names real folders:
/// a placeholder must be a folder the step has (an outcome of each step it
/// serves), and a key a step or a kind of step.
#[test]
fn instructions_name_only_folders_their_steps_have() {
    // The step that submits for signing has no `setuju`: its text cannot name it.
    let text = SHIPPED.replace("      folder {berikut}.\n    menunggu_tte", "      folder {setuju}.\n    menunggu_tte");
    assert_ne!(text, *SHIPPED);
    expect_error(&text, "      ^Mohon unggah berkas", "templates.instructions.ajukan_tte (for step ajukan_tte)");
    let (_, out) = check_workflow(&text);
    assert!(out.contains("unknown placeholder {setuju}") && out.contains("{berikut}"), "{out}");
    let text = SHIPPED.replace("    signed_drop: |\n", "    ditandatangani: |\n");
    expect_error(
        &text,
        "      ^Mohon unduh surat",
        "templates.instructions has no step or step kind \"ditandatangani\"",
    );
}

#[test]
fn number_format_and_email_templates_are_checked() {
    let text = SHIPPED.replace("{sifat}-{seq:03}/{unit}", "{sifat}-{nomor:03}/{unit}");
    expect_error(&text, "number_format: ^\"{sifat}-{nomor", "unknown placeholder {nomor:03}");
    let text = SHIPPED.replace("{sifat}-{seq:03}/{unit}", "{sifat}/{unit}");
    expect_error(&text, "number_format: ^\"{sifat}/{unit}", "needs {seq}");
    let text = SHIPPED.replace("{sifat}-{seq:03}/{unit}", "{sifat}-{seq:x}/{unit}");
    expect_error(&text, "number_format: ^\"{sifat}-{seq:x}", "bad padding");
    let text =
        SHIPPED.replace("menunggu tindak lanjut Bapak/Ibu pada tahap", "menunggu {tindakan} Bapak/Ibu pada tahap");
    let (code, out) = check_workflow(&text);
    assert_eq!(code, 1);
    assert!(out.contains("templates.email.arrived.body: unknown placeholder {tindakan}"), "{out}");
    let text = SHIPPED.replace("    registered:\n", "    terdaftar:\n");
    let (code, out) = check_workflow(&text);
    assert_eq!(code, 1);
    assert!(out.contains("templates.email has no kind \"terdaftar\""), "{out}");
}

#[test]
fn the_calendar_is_checked() {
    let text = SHIPPED.replace("    fri: \"07:30-16:30\"", "    jum: \"07:30-16:30\"");
    expect_error(&text, "    jum: ^\"07:30", "\"jum\" is not a weekday");
    let text = SHIPPED.replace("    fri: \"07:30-16:30\"", "    fri: \"16:30-07:30\"");
    expect_error(&text, "    fri: ^\"16:30", "not office hours");
    let text = SHIPPED.replace("  holidays: []", "  holidays: [\"17-08-2026\"]");
    expect_error(&text, "  holidays: [^\"17-08", "not a date like 2026-08-17");
    let text = SHIPPED.replace("  timezone: Asia/Jakarta", "  timezone: WIB");
    expect_error(&text, "  timezone: ^WIB", "not a time zone");
}

#[test]
fn shape_rules_by_kind() {
    let text = SHIPPED.replacen("    next: verifikasi\n", "", 1);
    expect_error(&text, "kind: ^drop\n", "needs `next`");
    let text = SHIPPED.replace("    kind: archive", "    kind: archive\n    next: draf");
    expect_error(&text, "kind: ^archive", "ends the workflow");
    let text = SHIPPED.replace("    returns: revisi       # letters sent back wait in 01-draf/revisi/\n", "");
    expect_error(&text, "      revisi: ^draf", "no `returns` folder");
    let text = SHIPPED.replace("version: 1", "version: 2");
    expect_error(&text, "2\n", "version 2 is not known");
}

#[test]
fn yaml_syntax_errors_and_bad_config_point_at_the_spot() {
    let (code, out) = check_workflow("version: 1\nsteps: [\n");
    assert_eq!(code, 1);
    assert!(out.starts_with("workflow.yaml:2:"), "{out}");
    let env = env("events");
    std::fs::write(&env.config, "root: share\nwatch:\n  mode: sometimes\n").unwrap();
    let out = env.cli(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("suratd.yaml:3:9:"), "{err}");
    // A usage error is exit 2.
    let out = Command::new(Env::bin()).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_creates_the_tree_and_changes_nothing_the_second_time() {
    let env = env("events");
    let out = env.cli(&["init"]);
    assert!(out.status.success());
    for f in [
        "01-draf/revisi",
        "02-verifikasi/setuju",
        "02-verifikasi/revisi",
        "03-kelengkapan/setuju",
        "03-kelengkapan/revisi",
        "04-ajukan-tte",
        "05-menunggu-tte/revisi",
        "06-sudah-tte",
        "07-distribusi/terkirim",
        "arsip",
        "batal",
        "_ditolak",
    ] {
        assert!(env.p(f).is_dir(), "{f}");
    }
    std::fs::write(env.p("01-draf/keep.pdf"), b"x").unwrap();
    let out = env.cli(&["init"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing changed"));
    assert_eq!(std::fs::read(env.p("01-draf/keep.pdf")).unwrap(), b"x");
}

#[test]
fn signers_and_signing_identities_are_checked() {
    let text = SHIPPED.replace(
        "    time: 20m\n    outcomes:\n      setuju: kelengkapan",
        "    time: 20m\n    signers: [kepala]\n    outcomes:\n      setuju: kelengkapan",
    );
    expect_error(
        &text,
        "signers: [^kepala]\n    outcomes:\n      setuju: kelengkapan",
        "`signers` belongs to a signed_drop step only",
    );
    let text = SHIPPED.replace("signers: [kepala]", "signers: [kepala, direktur]");
    expect_error(&text, "signers: [kepala, ^direktur]", "signer \"direktur\" is neither a role nor a person's login");
    let person = |signing: &str| {
        SHIPPED
            .replace("people: []", &format!("people:\n  - login: kepala\n    roles: [kepala]\n    signing: {signing}"))
    };
    let text = person("{subject: {}}");
    expect_error(&text, "    signing: ^{subject", "`signing` needs `subject` fields");
    let text = person("{certificate: tidak-ada.pem}");
    expect_error(&text, "certificate: ^tidak-ada.pem", "cannot read the certificate");
    // Pinned: no "signer not pinned" warning.
    let (code, out) = check_workflow(&person("{subject: {CN: Kepala}}"));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("signer not pinned"), "{out}");
    let (_, out) = check_workflow(SHIPPED);
    assert!(out.contains("warning: signer not pinned"), "{out}");
    // A Plh. listed without an identity, beside a pinned head: warned.
    let text = person("{subject: {CN: Kepala}}\n  - login: plh\n    roles: [sekretaris]")
        .replace("signers: [kepala]", "signers: [kepala, plh]");
    let (code, out) = check_workflow(&text);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning: plh may sign at step \"sudah_tte\" but has no `signing` identity"), "{out}");
}

#[test]
fn check_says_when_the_time_limit_leaves_no_room_within_the_watchdog() {
    // processing.timeout is 20s in the test config; systemd passes the
    // service's WatchdogSec as WATCHDOG_USEC (ExecStartPre runs `check`).
    let env = env("events");
    let check = |usec: &str| {
        let out = Command::new(Env::bin())
            .args(["--config", env.config.to_str().unwrap(), "check"])
            .env("WATCHDOG_USEC", usec)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = check("20000000");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "error: processing.timeout (20s) is not shorter than the service's WatchdogSec (20s, from WATCHDOG_USEC)"
        ),
        "{out}"
    );
    assert!(out.contains("WatchdogSec= of the unit to at least 35s"), "{out}");
    let (code, out) = check("30000000");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: processing.timeout (20s) leaves less than 15s within the service's WatchdogSec (30s"),
        "{out}"
    );
    let (code, out) = check("60000000");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("WatchdogSec"), "{out}");
}
