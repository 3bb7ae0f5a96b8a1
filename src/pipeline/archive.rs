//! What goes into a finished letter's archive folder besides the letter:
//! every version and `keterangan.txt`.

use super::Pipeline;
use crate::letter::metadata;
use crate::store::db::{LetterRow, Record};
use crate::store::journal::FsOp;
use crate::util::timefmt;
use anyhow::Result;

impl Pipeline {
    /// What goes into a letter's archive folder besides the letter: every
    /// version (from the store) and `keterangan.txt`, which a person can read.
    pub(super) fn archive_extras(&self, letter: &LetterRow, dir: &str, rec: &Record) -> Result<Vec<FsOp>> {
        let mut ops = Vec::new();
        let versions = self.db.versions_of(&letter.id)?;
        let mut listed = Vec::new();
        for (i, (sha, kind, at)) in versions.iter().enumerate() {
            let name = format!("versi/{:02}-{kind}-{}.pdf", i + 1, &sha[..8]);
            let source = self.store.path_of(sha);
            if source.is_file() && kind != "sidecar" {
                ops.push(FsOp::CopyStored {
                    source: source.to_string_lossy().into_owned(),
                    to: format!("{dir}/{name}"),
                });
            }
            let when = timefmt::parse_stored(at).map(timefmt::human_wib).unwrap_or_default();
            listed.push(format!("  {name}  ({when}, sha256 {sha})"));
        }
        let meta = letter.meta();
        let names = |ps: &[metadata::Party]| ps.iter().map(|p| p.nama.clone()).collect::<Vec<_>>().join("; ");
        let mut text = format!(
            "Surat      : {}\nNomor      : {}\nPerihal    : {}\nSifat      : {}\nKlasifikasi: {}\nTanggal    : {}\nTujuan     : {}\nTembusan   : {}\nPembuat    : {}\n\nRiwayat:\n",
            letter.id,
            letter.number.as_deref().unwrap_or("-"),
            letter.subject,
            letter.sifat.as_deref().unwrap_or("-"),
            letter.klasifikasi.as_deref().unwrap_or("-"),
            letter.tanggal.as_deref().unwrap_or("-"),
            meta.as_ref().map(|m| names(&m.tujuan)).unwrap_or_default(),
            meta.as_ref().map(|m| names(&m.tembusan)).unwrap_or_default(),
            letter.drafter.as_deref().unwrap_or("-"),
        );
        let mut trail = self.db.history(&letter.id)?;
        trail.extend(rec.transition.clone());
        for t in trail {
            let when = timefmt::parse_stored(&t.at).map(timefmt::human_wib).unwrap_or_default();
            text.push_str(&format!(
                "  {when}  {} -> {}  {}  oleh {}\n",
                t.from_step.unwrap_or_default(),
                t.to_step.unwrap_or_default(),
                t.action,
                t.actor
            ));
        }
        text.push_str("\nVersi (semua tersimpan juga di server):\n");
        text.push_str(&listed.join("\n"));
        text.push('\n');
        ops.push(FsOp::Write { path: format!("{dir}/keterangan.txt"), text });
        Ok(ops)
    }
}
