//! Who is told what: the emails a transition causes, written from the
//! workflow's templates (Indonesian by default). Pure: recipients come from
//! the workflow's people and the letter's metadata; sending is `outbox`'s.
//! What people read names people and roles (never logins or role ids), and
//! quotes only what people wrote or are told (a reviewer's note, a return's
//! reason): the audit trail's notes stay in the trail.

use crate::letter::metadata::{Metadata, Party};
use crate::mail::alerts::Alert;
use crate::workflow::templates;
use crate::workflow::{Step, StepKind, Workflow};

use crate::store::db::LetterRow;
pub use crate::store::db::{Attachment, Email, Recipient};

/// What happened, as far as the emails need to know.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub letter_id: &'a str,
    pub number: Option<&'a str>,
    pub perihal: &'a str,
    /// Login of the drafter.
    pub drafter: Option<&'a str>,
    pub meta: Option<&'a Metadata>,
    /// The step the letter left (its role is the role the actor acted in).
    pub from: &'a str,
    /// The step the letter reached.
    pub to: &'a str,
    pub action: &'a str,
    /// Where the file now is, relative to the root.
    pub path: &'a str,
    /// What people wrote or are told (a reviewer's note, the reason of a
    /// return suratd made); never the audit trail's note.
    pub note: Option<&'a str>,
    /// Who moved it on (a login, or `role:…`).
    pub actor: &'a str,
    /// The signed file, for step 9: (sha256, size, file name).
    pub signed: Option<(&'a str, u64, &'a str)>,
    /// When the letter is due at the step it reached (WIB, for people).
    pub due: Option<String>,
}

/// Settings the composition needs from the server's config.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    pub share_path: &'a str,
    pub max_attachment: u64,
    pub admins: &'a [String],
}

/// The values of an email's placeholders. What is not set is empty, or
/// `-` for the letter's code, number and addressees.
#[derive(Debug, Clone)]
pub struct Fill {
    vals: Vec<(&'static str, String)>,
    /// What `{perihal}` is in the subject: the letter's code for a Rahasia
    /// letter.
    subject_perihal: Option<String>,
}

impl Default for Fill {
    fn default() -> Fill {
        let vals = crate::workflow::EMAIL_PLACEHOLDERS
            .iter()
            .map(|k| (*k, if ["surat", "nomor", "tujuan", "tembusan"].contains(k) { "-" } else { "" }.to_string()))
            .collect();
        Fill { vals, subject_perihal: None }
    }
}

impl Fill {
    /// Sets placeholder `key` (one of `EMAIL_PLACEHOLDERS`).
    pub fn set(mut self, key: &'static str, value: impl Into<String>) -> Fill {
        let value = value.into();
        match self.vals.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.vals.push((key, value)),
        }
        self
    }

    /// A letter's code, number and subject; a Rahasia letter (sifat `R`)
    /// shows its code instead of its subject in the email's subject line.
    pub fn letter(self, id: &str, number: Option<&str>, perihal: &str, sifat: Option<&str>) -> Fill {
        let mut f = self.set("surat", id).set("nomor", number.unwrap_or("-")).set("perihal", perihal);
        f.subject_perihal = (sifat == Some("R")).then(|| id.to_string());
        f
    }

    /// The letter's code, when the email is about a letter.
    pub fn letter_code(&self) -> Option<String> {
        Some(self.get("surat")).filter(|s| !s.is_empty() && *s != "-").map(String::from)
    }

    fn get(&self, key: &str) -> &str {
        self.vals.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    fn refs(&self) -> Vec<(&str, &str)> {
        self.vals.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// A path on the share as staff see it: `\\server\SuratKeluar\02-verifikasi\…`.
pub fn on_share(share: &str, rel: &str) -> String {
    format!("{}\\{}", share.trim_end_matches(['\\', '/']), folder(rel))
}

/// A folder as staff see it on the share, relative to its root: `02-verifikasi\setuju`.
pub fn folder(rel: &str) -> String {
    rel.replace('/', "\\")
}

/// The admins, as recipients.
pub fn admins(admins: &[String]) -> Vec<Recipient> {
    admins.iter().map(|a| Recipient { name: "Admin suratd".into(), email: a.clone() }).collect()
}

/// Header values never carry line breaks (no header injection).
pub fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// Addressees as people read them (`Nama <email>; Nama`), or `-` for none.
pub fn parties(list: &[Party]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    let one = |p: &Party| match &p.email {
        Some(e) => format!("{} <{e}>", p.nama),
        None => p.nama.clone(),
    };
    list.iter().map(one).collect::<Vec<_>>().join("; ")
}

/// People of `role` (in the drafter's team, for a per-team role) with an email.
pub fn people_of(wf: &Workflow, role: &str, drafter: Option<&str>) -> Vec<Recipient> {
    let per_team = wf.roles.iter().any(|r| r.id == role && r.per_team);
    let team = drafter.and_then(|d| wf.person(d)).and_then(|p| p.team.clone());
    wf.people
        .iter()
        .filter(|p| p.roles.iter().any(|r| r == role))
        .filter(|p| !per_team || team.is_none() || p.team == team)
        .filter_map(|p| p.email.clone().map(|email| Recipient { name: p.name.clone(), email }))
        .collect()
}

pub fn person(wf: &Workflow, login: Option<&str>) -> Vec<Recipient> {
    login
        .and_then(|l| wf.person(l))
        .and_then(|p| p.email.clone().map(|email| Recipient { name: p.name.clone(), email }))
        .into_iter()
        .collect()
}

/// Who made a move, as people read it: the person with their role, the
/// role's name for a move recorded as the step's role, or the system
/// (`templates.system_name`) for a return suratd made or an actor nobody
/// knows.
pub fn mover(wf: &Workflow, actor: &str, role: Option<&str>, by_suratd: bool) -> String {
    let system = || wf.templates.system_name.clone();
    if by_suratd {
        return system();
    }
    match actor.strip_prefix("role:") {
        Some(r) => wf.role_name(r).to_string(),
        None if wf.person(actor).is_some() => crate::records::people::display(wf, actor, role),
        None => role.map(|r| wf.role_name(r).to_string()).unwrap_or_else(system),
    }
}

/// What the people of `step` do next (`templates.instructions`), with the
/// real folders: the step's, the next step's, and each outcome's.
pub fn instruction(wf: &Workflow, step: &Step, letter: &str) -> String {
    let Some(t) = wf.templates.instruction(step) else { return String::new() };
    let next = step.next.as_deref().and_then(|n| wf.step(n)).map(|s| folder(&s.folder)).unwrap_or_default();
    let mut vals: Vec<(&str, String)> =
        vec![("surat", letter.to_string()), ("folder", folder(&step.folder)), ("berikut", next)];
    vals.extend(step.outcomes.iter().map(|o| (o.name.as_str(), folder(&step.outcome_folder(&o.name)))));
    let refs: Vec<(&str, &str)> = vals.iter().map(|(k, v)| (*k, v.as_str())).collect();
    templates::render(t, &refs).trim().to_string()
}

/// The email of `kind` to `to`, from the templates. `None` when nobody has
/// an address. Empty values leave no run of blank lines behind.
pub fn write(wf: &Workflow, kind: &str, to: Vec<Recipient>, fill: &Fill) -> Option<Email> {
    if to.is_empty() {
        return None;
    }
    let t = wf.templates.email.get(kind)?;
    let penerima = to.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
    let fill = fill.clone().set("penerima", penerima);
    // A Rahasia letter's subject stands nowhere in a subject line: staff
    // read its code there, an outside addressee the word "Rahasia".
    let subject_fill = match &fill.subject_perihal {
        Some(_) if kind == "dispatch" => fill.clone().set("perihal", "Rahasia"),
        Some(id) => fill.clone().set("perihal", id.as_str()),
        None => fill.clone(),
    };
    Some(Email {
        kind: kind.into(),
        to,
        subject: one_line(&templates::render(&t.subject, &subject_fill.refs())),
        body: tidy(&templates::render(&t.body, &fill.refs())),
        attachment: None,
    })
}

/// A text without trailing spaces, runs of blank lines or blank ends.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in text.trim().lines().map(str::trim_end) {
        blank = if line.is_empty() { blank + 1 } else { 0 };
        if blank < 2 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Recipients other than the person who made the move (no one is told of
/// their own move).
fn not_the_mover(wf: &Workflow, actor: &str, to: Vec<Recipient>) -> Vec<Recipient> {
    let Some(email) = wf.person(actor).and_then(|p| p.email.clone()) else { return to };
    to.into_iter().filter(|r| !r.email.eq_ignore_ascii_case(&email)).collect()
}

/// The emails a transition causes.
pub fn compose(wf: &Workflow, set: &Settings, ev: &Event) -> Vec<Email> {
    let mut out = Vec::new();
    let to_step = wf.step(ev.to);
    // The role the mover acted in: a new version is the drafter's; a move,
    // that of the step the letter left.
    let acting =
        if ["register", "resubmit", "replace"].contains(&ev.action) { Some(wf.entry()) } else { wf.step(ev.from) };
    let from_role = acting.and_then(|s| s.role.as_deref());
    // A return suratd makes (its action is a reason code: a check the
    // letter did not pass) is the system's, whoever moved the file.
    let by_suratd = crate::letter::reason::Reason::parse(ev.action).is_some();
    let sifat = ev.meta.map(|m| m.sifat.as_str());
    // What the reviewers approve includes the addressees.
    let fill = Fill::default()
        .letter(ev.letter_id, ev.number, ev.perihal, sifat)
        .set("langkah", to_step.map(|s| s.name.as_str()).unwrap_or(ev.to))
        .set("lokasi", on_share(set.share_path, ev.path))
        .set("batas_waktu", ev.due.clone().unwrap_or_else(|| "-".to_string()))
        .set("catatan", ev.note.unwrap_or("").trim())
        .set("pengirim", mover(wf, ev.actor, from_role, by_suratd))
        .set("tujuan", parties(ev.meta.map(|m| m.tujuan.as_slice()).unwrap_or_default()))
        .set("tembusan", parties(ev.meta.map(|m| m.tembusan.as_slice()).unwrap_or_default()))
        .set("folder_draf", folder(&wf.entry().folder));

    if ev.action == "register" {
        let warnings = ev.meta.map(|m| m.warnings.join("\n")).unwrap_or_default();
        out.extend(write(wf, "registered", person(wf, ev.drafter), &fill.clone().set("catatan", warnings)));
    }
    match to_step.map(|s| (s, s.kind)) {
        Some((_, StepKind::Drop)) => {
            let catatan = if fill.get("catatan").is_empty() { "-" } else { fill.get("catatan") }.to_string();
            let drafter = person(wf, ev.drafter);
            let to = if by_suratd { drafter } else { not_the_mover(wf, ev.actor, drafter) };
            out.extend(write(wf, "returned", to, &fill.clone().set("catatan", catatan)));
        }
        Some((step, StepKind::Review | StepKind::Waiting | StepKind::Dispatch | StepKind::SignedDrop)) => {
            if let Some(role) = step.role.as_deref() {
                let to = not_the_mover(wf, ev.actor, people_of(wf, role, ev.drafter));
                let petunjuk = instruction(wf, step, ev.letter_id);
                out.extend(write(wf, "arrived", to, &fill.clone().set("petunjuk", petunjuk)));
            }
        }
        _ => {}
    }
    if let (Some((sha, size, name)), Some(meta)) = (ev.signed, ev.meta) {
        out.extend(dispatch(wf, set, meta, (sha, size, name), &fill));
    }
    out
}

/// A refused file: its owner is told why (when the owner is a known
/// person). `alasan` is the reason alone, without the reason file's frame.
pub fn rejected(
    wf: &Workflow,
    set: &Settings,
    owner: &str,
    file: &str,
    path: &str,
    alasan: &str,
    letter: Option<&str>,
) -> Option<Email> {
    let fill = Fill::default()
        .set("surat", letter.unwrap_or("-"))
        .set("perihal", file)
        .set("lokasi", on_share(set.share_path, path))
        .set("pengirim", wf.templates.system_name.as_str())
        .set("alasan", alasan.trim())
        .set("folder_draf", folder(&wf.entry().folder));
    write(wf, "rejected", person(wf, Some(owner)), &fill)
}

/// A reviewer's note that came after the letter was sent back.
#[derive(Debug, Clone)]
pub struct LateNote<'a> {
    /// The review step it was written at.
    pub from_step: &'a str,
    /// Who wrote it (a login, or `role:…`).
    pub author: &'a str,
    pub text: &'a str,
    /// Where it now is, beside the letter, relative to the root.
    pub path: &'a str,
}

/// A late note: to the letter's drafter, from its author.
pub fn late_note(wf: &Workflow, share: &str, letter: &LetterRow, note: &LateNote) -> Option<Email> {
    let role = wf.step(note.from_step).and_then(|s| s.role.as_deref());
    let fill = Fill::default()
        .letter(&letter.id, letter.number.as_deref(), &letter.subject, letter.sifat.as_deref())
        .set("langkah", wf.step(&letter.step).map(|s| s.name.as_str()).unwrap_or(&letter.step))
        .set("lokasi", on_share(share, note.path))
        .set("catatan", note.text.trim())
        .set("pengirim", mover(wf, note.author, role, false))
        .set("folder_draf", folder(&wf.entry().folder));
    write(wf, "note", person(wf, letter.drafter.as_deref()), &fill)
}

/// Step 9: the signed letter to its addressees that have an email address.
fn dispatch(wf: &Workflow, set: &Settings, meta: &Metadata, signed: (&str, u64, &str), fill: &Fill) -> Vec<Email> {
    let (sha, size, name) = signed;
    let addressed = |p: &Party| p.email.clone().map(|email| Recipient { name: p.nama.clone(), email });
    let all: Vec<Recipient> = meta.tujuan.iter().chain(&meta.tembusan).filter_map(addressed).collect();
    if all.is_empty() {
        return vec![];
    }
    let internal =
        |r: &Recipient| wf.people.iter().any(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&r.email)));
    let mut out = Vec::new();
    if size <= set.max_attachment {
        if let Some(mut e) = write(wf, "dispatch", all, fill) {
            e.attachment = Some(Attachment { sha256: sha.into(), name: name.into() });
            out.push(e);
        }
        return out;
    }
    // Too large to attach: staff get the location on the share; for outside
    // addressees the admin is told instead.
    let (inside, outside): (Vec<Recipient>, Vec<Recipient>) = all.into_iter().partition(internal);
    out.extend(write(wf, "dispatch", inside, fill));
    if !outside.is_empty() {
        let alasan = format!(
            "Surat terlalu besar untuk dikirim lewat email ({} byte; batas {} byte); kirimkan dengan cara lain kepada: {}",
            size,
            set.max_attachment,
            outside.iter().map(|r| format!("{} <{}>", r.name, r.email)).collect::<Vec<_>>().join(", ")
        );
        out.extend(admin_alert(wf, set.admins, Alert::TooLarge, &alasan, fill));
    }
    out
}

/// The admins' email about `alert`: `alasan` is the detail; `fill` says
/// which letter (its code joins the title) and where, or is the default.
pub fn admin_alert(wf: &Workflow, admins: &[String], alert: Alert, alasan: &str, fill: &Fill) -> Option<Email> {
    let surat = fill.letter_code();
    let judul = match surat.as_deref() {
        Some(id) => format!("{} ({id})", alert.title()),
        None => alert.title().to_string(),
    };
    let fill = fill.clone().set("judul", judul).set("alasan", alasan.trim());
    write(wf, "admin", self::admins(admins), &fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        let text = crate::workflow::BUILTIN.replace(
            "people: []",
            "people:
  - {login: budi, name: Budi, email: budi@bps.go.id, roles: [anggota_tim], team: umum}
  - {login: kt, name: Ketua Umum, email: kt@bps.go.id, roles: [ketua_tim], team: umum}
  - {login: kt2, name: Ketua Lain, email: kt2@bps.go.id, roles: [ketua_tim], team: lain}
  - {login: sek, name: Sekretaris, email: sek@bps.go.id, roles: [sekretaris]}
  - {login: kepala, name: Kepala, email: kepala@bps.go.id, roles: [kepala]}
  - {login: umum, name: Petugas Umum, email: umum@bps.go.id, roles: [bagian_umum]}",
        );
        let text =
            text.replace("teams:\n  - id: umum\n    name: Tim Bagian Umum\n", "teams:\n  - id: umum\n  - id: lain\n");
        Workflow::from_text("t", &text).unwrap().0
    }

    fn ev<'a>(action: &'a str, from: &'a str, to: &'a str) -> Event<'a> {
        Event {
            letter_id: "SK-2026-0001",
            number: Some("B-001/17000/KP.650/2026"),
            perihal: "Undangan\r\nBcc: evil@x.com",
            drafter: Some("budi"),
            meta: None,
            from,
            to,
            action,
            path: "02-verifikasi/SK-2026-0001 Undangan.pdf",
            note: Some("Perbaiki tanggal."),
            actor: "role:ketua_tim",
            signed: None,
            due: Some("2026-06-02 10:35 WIB".into()),
        }
    }

    fn set() -> Settings<'static> {
        Settings { share_path: "\\\\server\\SuratKeluar", max_attachment: 1000, admins: &[] }
    }

    #[test]
    fn a_draft_goes_to_the_drafters_own_team_leader() {
        let e = compose(&wf(), &set(), &ev("register", "draf", "verifikasi"));
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].kind, "registered");
        assert_eq!(e[0].to[0].email, "budi@bps.go.id");
        assert_eq!(e[1].kind, "arrived");
        assert_eq!(e[1].to, vec![Recipient { name: "Ketua Umum".into(), email: "kt@bps.go.id".into() }]);
        assert!(
            e[1].body.contains("\\\\server\\SuratKeluar\\02-verifikasi\\SK-2026-0001 Undangan.pdf"),
            "{}",
            e[1].body
        );
        assert!(!e[1].subject.contains('\n') && !e[1].subject.contains('\r'), "{}", e[1].subject);
        assert!(e[1].body.contains("Batas waktu    : 2026-06-02 10:35 WIB"), "{}", e[1].body);
    }

    #[test]
    fn revisi_tells_the_drafter_with_the_note() {
        let e = compose(&wf(), &set(), &ev("revisi", "verifikasi", "draf"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, "returned");
        assert!(e[0].body.contains("Perbaiki tanggal.") && e[0].body.contains("Ketua Tim"), "{}", e[0].body);
    }

    #[test]
    fn the_reviewers_see_the_addressees() {
        let meta = Metadata {
            perihal: "Undangan".into(),
            sifat: "B".into(),
            klasifikasi: "KP.650".into(),
            tanggal: None,
            tujuan: vec![
                Party { nama: "Kaur".into(), email: Some("kaur@bps.go.id".into()) },
                Party { nama: "Dinas".into(), email: None },
            ],
            tembusan: vec![],
            lampiran: None,
            warnings: vec![],
        };
        let mut e = ev("setuju", "verifikasi", "kelengkapan");
        e.meta = Some(&meta);
        let out = compose(&wf(), &set(), &e);
        let body = &out.iter().find(|m| m.kind == "arrived").unwrap().body;
        assert!(body.contains("Tujuan         : Kaur <kaur@bps.go.id>; Dinas"), "{body}");
        assert!(body.contains("Tembusan       : -"), "{body}");
    }

    #[test]
    fn step_9_sends_the_signed_letter_or_tells_the_admin_when_too_large() {
        let meta = Metadata {
            perihal: "Undangan".into(),
            sifat: "B".into(),
            klasifikasi: "KP.650".into(),
            tanggal: None,
            tujuan: vec![
                Party { nama: "Kaur".into(), email: Some("kaur@bps.go.id".into()) },
                Party { nama: "Tanpa email".into(), email: None },
            ],
            tembusan: vec![Party { nama: "Sekretaris".into(), email: Some("sek@bps.go.id".into()) }],
            lampiran: None,
            warnings: vec![],
        };
        let mut e = ev("signed", "menunggu_tte", "distribusi");
        e.meta = Some(&meta);
        e.signed = Some(("ab", 500, "x.pdf"));
        let out = compose(&wf(), &set(), &e);
        let d = out.iter().find(|m| m.kind == "dispatch").unwrap();
        assert_eq!(d.to.len(), 2);
        assert_eq!(d.attachment.as_ref().unwrap().sha256, "ab");
        // Too large: the internal addressee gets the location, the admin is told.
        e.signed = Some(("ab", 5000, "x.pdf"));
        let admins = vec!["admin@bps.go.id".to_string()];
        let s = Settings { admins: &admins, ..set() };
        let out = compose(&wf(), &s, &e);
        let d = out.iter().find(|m| m.kind == "dispatch").unwrap();
        assert_eq!(d.to, vec![Recipient { name: "Sekretaris".into(), email: "sek@bps.go.id".into() }]);
        assert!(d.attachment.is_none());
        let a = out.iter().find(|m| m.kind == "admin").unwrap();
        assert!(a.body.contains("kaur@bps.go.id"), "{}", a.body);
    }

    fn subject_of(out: &[Email], kind: &str) -> String {
        out.iter().find(|m| m.kind == kind).unwrap_or_else(|| panic!("no {kind} email: {out:?}")).subject.clone()
    }

    #[test]
    fn the_sender_is_a_person_with_their_role_a_role_or_the_system_never_a_login() {
        let wf = wf();
        let mut e = ev("revisi", "verifikasi", "draf");
        e.actor = "kt";
        let body = &compose(&wf, &set(), &e)[0].body;
        assert!(body.contains("dikembalikan oleh Ketua Umum (Ketua Tim) untuk"), "{body}");
        e.actor = "role:ketua_tim";
        let body = &compose(&wf, &set(), &e)[0].body;
        assert!(body.contains("dikembalikan oleh Ketua Tim untuk"), "{body}");
        // A return the system made: named in Indonesian, not "suratd".
        let mut e = ev("number_missing", "draf", "draf");
        e.actor = "budi";
        let body = &compose(&wf, &set(), &e)[0].body;
        assert!(body.contains("dikembalikan oleh Sistem Surat Keluar (pemeriksaan otomatis) untuk"), "{body}");
        assert!(!body.contains("suratd") && !body.contains("budi"), "{body}");
        // Someone the workflow does not know: the role of the step they left.
        e = ev("setuju", "verifikasi", "kelengkapan");
        e.actor = "orang_asing";
        let body = &compose(&wf, &set(), &e)[0].body;
        assert!(body.contains("Diteruskan oleh: Ketua Tim\n") && !body.contains("orang_asing"), "{body}");
    }

    #[test]
    fn nobody_is_told_of_their_own_move_but_the_drafter_still_gets_the_number() {
        let wf = wf();
        // The secretary approves completeness: the letter waits for the
        // secretaries; the one who moved it is not told.
        let text = crate::workflow::BUILTIN.replace(
            "people: []",
            "people:
  - {login: budi, name: Budi, email: budi@bps.go.id, roles: [anggota_tim], team: umum}
  - {login: sek, name: Sekretaris Satu, email: sek@bps.go.id, roles: [sekretaris]}
  - {login: sek2, name: Sekretaris Dua, email: sek2@bps.go.id, roles: [sekretaris]}",
        );
        let wf2 = Workflow::from_text("t", &text).unwrap().0;
        let mut e = ev("setuju", "kelengkapan", "ajukan_tte");
        e.actor = "sek";
        let out = compose(&wf2, &set(), &e);
        assert_eq!(out[0].to, vec![Recipient { name: "Sekretaris Dua".into(), email: "sek2@bps.go.id".into() }]);
        // Recorded as the step's role (not verified): both are told.
        e.actor = "role:sekretaris";
        assert_eq!(compose(&wf2, &set(), &e)[0].to.len(), 2);
        // The drafter who drops a draft gets its number, though the move is theirs.
        let mut e = ev("register", "draf", "verifikasi");
        e.actor = "budi";
        let out = compose(&wf, &set(), &e);
        assert_eq!(out[0].kind, "registered");
        assert_eq!(out[0].to[0].email, "budi@bps.go.id");
        // Sending one's own letter back to oneself: no email about it.
        let mut e = ev("revisi", "verifikasi", "draf");
        e.actor = "budi";
        assert!(compose(&wf, &set(), &e).is_empty());
    }

    #[test]
    fn a_reviewer_is_told_which_folder_approves_which_sends_back_and_how_to_add_a_note() {
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let out = compose(&wf(), &set(), &ev("register", "draf", "verifikasi"));
        let body = flat(&out.iter().find(|m| m.kind == "arrived").unwrap().body);
        assert!(body.contains("pindahkan berkas surat ke folder 02-verifikasi\\setuju."), "{body}");
        assert!(body.contains("\"SK-2026-0001 catatan.txt\" di folder 02-verifikasi\\revisi"), "{body}");
        // Each kind of step says what its people do, with its folders.
        let told = |to: &str| flat(&compose(&wf(), &set(), &ev("setuju", "x", to)).remove(0).body);
        assert!(told("ajukan_tte").contains("portal TTE") && told("ajukan_tte").contains("folder 05-menunggu-tte"));
        assert!(
            told("menunggu_tte").contains("tandatangani") && told("menunggu_tte").contains("05-menunggu-tte\\revisi")
        );
        assert!(told("sudah_tte").contains("folder 06-sudah-tte"), "{}", told("sudah_tte"));
        assert!(told("distribusi").contains("folder 07-distribusi\\terkirim"), "{}", told("distribusi"));
    }

    #[test]
    fn subjects_are_short_say_what_first_and_never_repeat_a_word() {
        let wf = wf();
        for (action, from, to, kind) in [
            ("register", "draf", "verifikasi", "registered"),
            ("register", "draf", "verifikasi", "arrived"),
            ("revisi", "verifikasi", "draf", "returned"),
            ("setuju", "ajukan_tte", "menunggu_tte", "arrived"),
            ("setuju", "menunggu_tte", "sudah_tte", "arrived"),
        ] {
            let mut e = ev(action, from, to);
            e.perihal = "Undangan Rapat";
            let s = subject_of(&compose(&wf, &set(), &e), kind);
            assert!(s.starts_with("[Surat Keluar] "), "{s}");
            let (perihal, number) = (s.find("Undangan Rapat").unwrap(), s.find("B-001/17000").unwrap());
            assert!(perihal < number, "the subject before the number: {s}");
            let words: Vec<String> = s.split_whitespace().map(|w| w.to_lowercase()).collect();
            for w in words.iter().filter(|w| w.len() > 3) {
                assert_eq!(words.iter().filter(|x| *x == w).count(), 1, "{w:?} twice in {s}");
            }
            assert!(s.chars().count() <= 90, "{} characters: {s}", s.chars().count());
        }
    }

    #[test]
    fn a_rahasia_letters_subject_shows_its_code_not_its_perihal() {
        let meta = Metadata {
            perihal: "Hasil Pemeriksaan Pegawai".into(),
            sifat: "R".into(),
            klasifikasi: "KP.650".into(),
            tanggal: None,
            tujuan: vec![Party { nama: "Kaur".into(), email: Some("kaur@bps.go.id".into()) }],
            tembusan: vec![],
            lampiran: None,
            warnings: vec![],
        };
        let mut e = ev("register", "draf", "verifikasi");
        e.perihal = "Hasil Pemeriksaan Pegawai";
        e.meta = Some(&meta);
        let mut out = compose(&wf(), &set(), &e);
        e = ev("signed", "sudah_tte", "distribusi");
        e.perihal = "Hasil Pemeriksaan Pegawai";
        e.meta = Some(&meta);
        e.signed = Some(("ab", 500, "x.pdf"));
        out.extend(compose(&wf(), &set(), &e));
        assert_eq!(out.len(), 4, "registered, arrived twice, dispatch: {out:?}");
        for m in &out {
            assert!(!m.subject.contains("Pemeriksaan Pegawai"), "{}", m.subject);
            // Staff read its code; an outside addressee, who does not know
            // the code, the word Rahasia.
            let shown = if m.kind == "dispatch" { ": Rahasia" } else { "SK-2026-0001" };
            assert!(m.subject.contains(shown), "{}", m.subject);
        }
    }

    #[test]
    fn an_admin_alert_has_a_short_title_and_the_detail_in_its_body() {
        let admins = vec!["admin@bps.go.id".to_string()];
        let long = "Server email tidak dapat dihubungi: 3 email menunggu lebih dari 30m (kesalahan terakhir: connection refused). Email tetap tersimpan dan dikirim ulang.";
        let m = admin_alert(&wf(), &admins, Alert::MailUnreachable, long, &Fill::default()).unwrap();
        assert_eq!(m.subject, "[suratd] Server email tidak dapat dihubungi");
        assert!(m.body.contains(long), "{}", m.body);
        let about = Fill::default().letter("SK-2026-0001", Some("B-001"), "Undangan", Some("B"));
        let m = admin_alert(&wf(), &admins, Alert::Unauthorized, long, &about).unwrap();
        assert_eq!(m.subject, "[suratd] Tindakan tanpa wewenang pada berkas surat (SK-2026-0001)");
    }
}
