//! The archive record's texts (`templates.keterangan`): known placeholders
//! only; what the file leaves out comes from the built-in workflow.

use super::context::{Ctx, Parts};
use crate::util::yaml;
use crate::workflow::builtin::{BUILTIN, BUILTIN_LABEL};
use crate::workflow::model::KeteranganTemplates;
use crate::workflow::raw::{RawKeterangan, RawWorkflow};
use crate::workflow::templates;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Placeholders of the whole text.
pub const TEXT: &[&str] = &[
    "kantor",
    "surat",
    "nomor",
    "tanggal",
    "perihal",
    "sifat",
    "klasifikasi",
    "tujuan",
    "tembusan",
    "lampiran",
    "pembuat",
    "penandatangan",
    "riwayat",
    "pengiriman",
    "versi",
];
const STEP: &[&str] = &["no", "waktu", "tindakan", "oleh", "catatan"];
const NOTE: &[&str] = &["isi"];
const DISPATCH: &[&str] = &["waktu", "cara", "tujuan", "penerima", "oleh"];
const RECEIVER: &[&str] = &["nama"];
const VERSION: &[&str] = &["berkas", "jenis", "waktu", "sha256"];

fn builtin() -> &'static KeteranganTemplates {
    static T: OnceLock<KeteranganTemplates> = OnceLock::new();
    T.get_or_init(|| {
        let raw: RawWorkflow = yaml::parse(BUILTIN_LABEL, BUILTIN).expect("built-in workflow.yaml parses");
        let mut cx = Ctx { file: BUILTIN_LABEL, diags: Vec::new() };
        let t = read(&mut cx, &raw.templates.keterangan, &KeteranganTemplates::default());
        assert!(cx.diags.is_empty(), "built-in templates.keterangan: {:?}", cx.diags);
        t
    })
}

/// Reads `raw` over `base`, reporting unknown placeholders.
fn read(cx: &mut Ctx, raw: &RawKeterangan, base: &KeteranganTemplates) -> KeteranganTemplates {
    let mut out = base.clone();
    for (name, field, allowed, target) in [
        ("text", &raw.text, TEXT, &mut out.text),
        ("step", &raw.step, STEP, &mut out.step),
        ("note", &raw.note, NOTE, &mut out.note),
        ("dispatch", &raw.dispatch, DISPATCH, &mut out.dispatch),
        ("receiver", &raw.receiver, RECEIVER, &mut out.receiver),
        ("version", &raw.version, VERSION, &mut out.version),
    ] {
        if let Some(t) = field {
            if let Err(e) = templates::check(&t.value, allowed) {
                cx.err(&t.referenced, format!("templates.keterangan.{name}: {e}"));
            }
            *target = t.value.trim_end_matches('\n').to_string();
        }
    }
    for (name, words, target) in [
        ("actions", &raw.actions, &mut out.actions),
        ("methods", &raw.methods, &mut out.methods),
        ("kinds", &raw.kinds, &mut out.kinds),
    ] {
        let read: BTreeMap<String, String> = words
            .iter()
            .map(|(k, v)| {
                if let Err(e) = templates::check(&v.value, &[]) {
                    cx.err(&v.referenced, format!("templates.keterangan.{name}.{k}: {e}"));
                }
                (k.clone(), v.value.clone())
            })
            .collect();
        target.extend(read);
    }
    out
}

pub(super) fn check(cx: &mut Ctx, raw: &RawWorkflow, parts: &mut Parts) {
    parts.keterangan = read(cx, &raw.templates.keterangan, builtin());
}

#[cfg(test)]
mod tests {
    use crate::workflow::{BUILTIN, Workflow};

    #[test]
    fn an_office_may_reword_part_of_the_record_and_a_wrong_placeholder_is_an_error() {
        let own = BUILTIN.replace("  keterangan:\n", "  keterangan:\n    receiver: \" (penerima: {nama})\"\n");
        let own = own.replacen("    receiver: \"; diterima oleh {nama}\"\n", "", 1);
        let wf = Workflow::from_text("wf.yaml", &own).unwrap().0;
        assert_eq!(wf.keterangan.receiver, " (penerima: {nama})");
        assert!(wf.keterangan.text.starts_with("KETERANGAN SURAT KELUAR"), "the rest as shipped");
        let bad = own.replace("(penerima: {nama})", "(penerima: {siapa})");
        let err = Workflow::from_text("wf.yaml", &bad).unwrap_err().to_string();
        assert!(
            err.contains("templates.keterangan.receiver: unknown placeholder {siapa}") && err.contains("wf.yaml:"),
            "{err}"
        );
    }
}
