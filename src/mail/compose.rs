//! Who is told what: the emails a transition causes, written from the
//! workflow's templates (Indonesian by default). Pure: recipients come from
//! the workflow's people and the letter's metadata; sending is `outbox`'s.

use crate::letter::metadata::{Metadata, Party};
use crate::workflow::templates;
use crate::workflow::{StepKind, Workflow};

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
    /// The step the letter reached.
    pub to: &'a str,
    pub action: &'a str,
    /// Where the file now is, relative to the root.
    pub path: &'a str,
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

/// A path on the share as staff see it: `\\server\SuratKeluar\02-verifikasi\…`.
pub fn on_share(share: &str, rel: &str) -> String {
    format!("{}\\{}", share.trim_end_matches(['\\', '/']), rel.replace('/', "\\"))
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

/// The email of `kind` to `to`, from the templates. `None` when nobody has
/// an address.
pub fn write(wf: &Workflow, kind: &str, to: Vec<Recipient>, values: &[(&str, &str)]) -> Option<Email> {
    if to.is_empty() {
        return None;
    }
    let t = wf.templates.email.get(kind)?;
    let penerima = to.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut vals: Vec<(&str, &str)> = values.to_vec();
    vals.push(("penerima", &penerima));
    Some(Email {
        kind: kind.into(),
        to,
        subject: one_line(&templates::render(&t.subject, &vals)),
        body: templates::render(&t.body, &vals).trim_end().to_string() + "\n",
        attachment: None,
    })
}

/// The emails a transition causes.
pub fn compose(wf: &Workflow, set: &Settings, ev: &Event) -> Vec<Email> {
    let mut out = Vec::new();
    let number = ev.number.unwrap_or("-");
    let lokasi = on_share(set.share_path, ev.path);
    let to_step = wf.step(ev.to);
    let langkah = to_step.map(|s| s.name.as_str()).unwrap_or(ev.to);
    // A return suratd makes (its action is a reason code: a check the
    // letter did not pass) is suratd's, whoever moved the file.
    let by_suratd = crate::letter::reason::Reason::parse(ev.action).is_some();
    let pengirim = match ev.actor.strip_prefix("role:") {
        _ if by_suratd => crate::letter::names::SURATD.to_string(),
        Some(role) => wf.role_name(role).to_string(),
        None => wf.person(ev.actor).map(|p| p.name.clone()).unwrap_or(ev.actor.to_string()),
    };
    let catatan = ev.note.unwrap_or("");
    // What the reviewers approve includes the addressees.
    let tujuan = parties(ev.meta.map(|m| m.tujuan.as_slice()).unwrap_or_default());
    let tembusan = parties(ev.meta.map(|m| m.tembusan.as_slice()).unwrap_or_default());
    let base = |alasan: &str| -> Vec<(&str, String)> {
        vec![
            ("surat", ev.letter_id.to_string()),
            ("nomor", number.to_string()),
            ("perihal", ev.perihal.to_string()),
            ("langkah", langkah.to_string()),
            ("lokasi", lokasi.clone()),
            ("batas_waktu", ev.due.clone().unwrap_or_else(|| "-".to_string())),
            ("catatan", catatan.to_string()),
            ("pengirim", pengirim.clone()),
            ("alasan", alasan.to_string()),
            ("tujuan", tujuan.clone()),
            ("tembusan", tembusan.clone()),
        ]
    };
    let vals = base("");
    let refs: Vec<(&str, &str)> = vals.iter().map(|(k, v)| (*k, v.as_str())).collect();

    if ev.action == "register" {
        let warnings = ev.meta.map(|m| m.warnings.join("\n")).unwrap_or_default();
        let mut r = refs.clone();
        r.retain(|(k, _)| *k != "catatan");
        r.push(("catatan", &warnings));
        out.extend(write(wf, "registered", person(wf, ev.drafter), &r));
    }
    match to_step.map(|s| s.kind) {
        Some(StepKind::Drop) => out.extend(write(wf, "returned", person(wf, ev.drafter), &refs)),
        Some(StepKind::Review | StepKind::Waiting | StepKind::Dispatch | StepKind::SignedDrop) => {
            if let Some(role) = to_step.and_then(|s| s.role.as_deref()) {
                out.extend(write(wf, "arrived", people_of(wf, role, ev.drafter), &refs));
            }
        }
        _ => {}
    }
    if let (Some((sha, size, name)), Some(meta)) = (ev.signed, ev.meta) {
        out.extend(dispatch(wf, set, meta, sha, size, name, &refs, &base));
    }
    out
}

/// A refused file: its owner is told why (when the owner is a known person).
pub fn rejected(
    wf: &Workflow,
    set: &Settings,
    owner: &str,
    file: &str,
    path: &str,
    alasan: &str,
    letter: Option<&str>,
) -> Option<Email> {
    let lokasi = on_share(set.share_path, path);
    let vals = [
        ("surat", letter.unwrap_or("-")),
        ("nomor", "-"),
        ("perihal", file),
        ("langkah", ""),
        ("lokasi", lokasi.as_str()),
        ("batas_waktu", "-"),
        ("catatan", ""),
        ("pengirim", "suratd"),
        ("alasan", alasan),
        ("tujuan", "-"),
        ("tembusan", "-"),
    ];
    write(wf, "rejected", person(wf, Some(owner)), &vals)
}

/// Step 9: the signed letter to its addressees that have an email address.
#[allow(clippy::too_many_arguments)]
fn dispatch<'a>(
    wf: &Workflow,
    set: &Settings,
    meta: &Metadata,
    sha: &str,
    size: u64,
    name: &str,
    refs: &[(&'a str, &'a str)],
    base: &dyn Fn(&str) -> Vec<(&'a str, String)>,
) -> Vec<Email> {
    let addressed = |p: &Party| p.email.clone().map(|email| Recipient { name: p.nama.clone(), email });
    let all: Vec<Recipient> = meta.tujuan.iter().chain(&meta.tembusan).filter_map(addressed).collect();
    if all.is_empty() {
        return vec![];
    }
    let internal =
        |r: &Recipient| wf.people.iter().any(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&r.email)));
    let mut out = Vec::new();
    if size <= set.max_attachment {
        if let Some(mut e) = write(wf, "dispatch", all, refs) {
            e.attachment = Some(Attachment { sha256: sha.into(), name: name.into() });
            out.push(e);
        }
        return out;
    }
    // Too large to attach: staff get the location on the share; for outside
    // addressees the admin is told instead.
    let (inside, outside): (Vec<Recipient>, Vec<Recipient>) = all.into_iter().partition(internal);
    out.extend(write(wf, "dispatch", inside, refs));
    if !outside.is_empty() {
        let alasan = format!(
            "Surat terlalu besar untuk dikirim lewat email ({} byte; batas {} byte); kirimkan dengan cara lain kepada: {}",
            size,
            set.max_attachment,
            outside.iter().map(|r| format!("{} <{}>", r.name, r.email)).collect::<Vec<_>>().join(", ")
        );
        let vals = base(&alasan);
        let r: Vec<(&str, &str)> = vals.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let admins = admins(set.admins);
        out.extend(write(wf, "admin", admins, &r));
    }
    out
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
  - {login: sek, name: Sekretaris, email: sek@bps.go.id, roles: [sekretaris]}",
        );
        let text =
            text.replace("teams:\n  - id: umum\n    name: Tim Bagian Umum\n", "teams:\n  - id: umum\n  - id: lain\n");
        Workflow::from_text("t", &text).unwrap().0
    }

    fn ev<'a>(action: &'a str, _from: &'a str, to: &'a str) -> Event<'a> {
        Event {
            letter_id: "SK-2026-0001",
            number: Some("B-001/17000/KP.650/2026"),
            perihal: "Undangan\r\nBcc: evil@x.com",
            drafter: Some("budi"),
            meta: None,
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
        assert!(e[1].body.contains("Batas waktu  : 2026-06-02 10:35 WIB"), "{}", e[1].body);
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
        assert!(body.contains("Tujuan       : Kaur <kaur@bps.go.id>; Dinas"), "{body}");
        assert!(body.contains("Tembusan     : -"), "{body}");
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
}
