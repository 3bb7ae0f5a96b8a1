//! Refused files: moved to the rejected folder with a reason file beside
//! them (and the owner told); also the reason texts other returns write.

use super::Pipeline;
use super::companions::{find_sidecar, is_companion};
use super::owner;
use super::places::{file_name, free_target};
use super::reasons::{self, ReasonFacts};
use crate::decide::guidance::Where;
use crate::letter::names;
use crate::letter::reason::Reason;
use crate::letter::state::LetterState;
use crate::mail::compose;
use crate::store::db::{LetterRow, Record, RejectionRec};
use crate::store::fsops;
use crate::store::journal::{self, FsOp, Plan};
use crate::util::timefmt;
use crate::workflow::layout::Place;
use anyhow::Result;
use chrono::Utc;
use std::fs;
use std::path::Path;

/// The name a refused file gets in the rejected folder, and the file as its
/// reason names it (where it was, under that name). A Rahasia letter's file
/// is named by its id alone, whatever name it came with: `_ditolak/` is
/// read by everyone.
fn refused_name(rel: &str, letter: Option<&LetterRow>) -> (String, String) {
    let name = names::safe_file_name(rel.rsplit('/').next().unwrap_or(rel));
    let name = match letter.filter(|l| l.sifat.as_deref() == Some("R")) {
        Some(l) => names::secret_name(&l.id, &name),
        None => name,
    };
    let shown_rel = match rel.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.clone(),
    };
    (name, shown_rel)
}

impl Pipeline {
    /// What fills a reason's `{rincian}`: for a signed file that matches no
    /// letter, the letters that wait for a signature; otherwise `detail`.
    fn reason_detail(&self, code: Reason, place: &Place, detail: &str) -> Result<String> {
        Ok(match (code, place) {
            (Reason::NoMatch, Place::Step { step, .. }) => {
                let waiting: Vec<String> = self
                    .waiting_for(step)?
                    .iter()
                    .map(|l| format!("{} ({})", l.id, l.number.as_deref().unwrap_or("tanpa nomor")))
                    .collect();
                if waiting.is_empty() { "tidak ada".into() } else { waiting.join(", ") }
            }
            _ => detail.to_string(),
        })
    }

    /// Moves a file to the rejected folder with a reason file beside it.
    pub(super) fn reject(
        &mut self,
        rel: &str,
        meta: &fs::Metadata,
        place: &Place,
        letter: Option<&LetterRow>,
        code: Reason,
        detail: &str,
    ) -> Result<()> {
        let wf = self.wf.clone();
        let now = Utc::now();
        let (name, shown_rel) = refused_name(rel, letter);
        let (target_abs, target_rel) = free_target(&self.cfg.root, &wf.rejected_folder, &name);
        let (_, reason_rel) =
            free_target(&self.cfg.root, &wf.rejected_folder, &format!("{}.alasan.txt", file_name(&target_abs)));
        let step_name = match place {
            Place::Step { step, .. } => step.name.clone(),
            _ => String::new(),
        };
        let step_name = letter.and_then(|l| wf.step(&l.step)).map(|s| s.name.clone()).unwrap_or(step_name);
        let detail = self.reason_detail(code, place, detail)?;
        // Who placed it: the audit log's login, else the file's owner; a
        // letter's file changed in place still belongs to suratd's user:
        // who changed it is unknown.
        let owner = match (&self.verified_actor, code) {
            (Some(login), _) => login.clone(),
            (None, Reason::LetterOverwritten) => owner::UNKNOWN_ACTOR.to_string(),
            (None, _) => owner::login_of(meta),
        };
        let roles = wf.person(&owner).map(|p| p.roles.clone()).unwrap_or_default();
        let at = Where {
            letter_step: letter.map(|l| l.step.as_str()),
            letter_path: letter.and_then(|l| l.path.as_deref()),
            roles: &roles,
        };
        let facts = ReasonFacts {
            code,
            detail: &detail,
            rel: &shown_rel,
            letter: letter.map(|l| l.id.as_str()),
            step: &step_name,
            at,
            now,
        };
        let text = reasons::reason_file(&wf, &facts);
        let is_link = meta.file_type().is_symlink();
        let sha = if is_link || !meta.is_file() { None } else { Some(fsops::sha256_file(&self.cfg.root.join(rel))?.0) };
        let settings = compose::Settings {
            share_path: &self.cfg.share_path,
            max_attachment: self.cfg.max_attachment,
            admins: &self.cfg.admins,
        };
        let alone = reasons::reason_alone(&wf, &facts);
        let told = compose::rejected(&wf, &settings, &owner, &name, &target_rel, &alone, letter.map(|l| l.id.as_str()));
        let mut rec = Record {
            emails: told.into_iter().collect(),
            rejection: Some(RejectionRec {
                at: timefmt::stored(now),
                original_path: rel.to_string(),
                path: target_rel.clone(),
                reason_code: code.to_string(),
                reason: text.clone(),
                sha256: sha.clone(),
                owner: Some(owner.clone()),
                letter_id: letter.map(|l| l.id.clone()),
            }),
            ..Record::default()
        };
        let mut ops = vec![
            FsOp::Move { from: rel.to_string(), to: target_rel.clone(), sha256: sha.clone() },
            FsOp::Write { path: reason_rel, text: text.clone() },
        ];
        // A refused draft takes its sidecar along, so the drafter finds both.
        // (A refused sidecar is its own file, not its own sidecar.)
        if !is_link
            && !is_companion(&name)
            && let Some(sc) = find_sidecar(&self.cfg.root.join(rel))
        {
            let ext = sc.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            let (_, to) = free_target(&self.cfg.root, &wf.rejected_folder, &file_name(&target_abs.with_extension(ext)));
            let from = fsops::rel_path(&self.cfg.root, &sc).expect("under root");
            ops.push(FsOp::MoveCompanion { from, to });
        }
        let restored = self.restore(letter, rel, sha.as_deref());
        // A letter's file saved over by someone the audit log names, who may
        // not, or by someone unknown (the decision logged the security
        // event): the admins are told.
        let who = match (&self.verified_actor, code) {
            (Some(login), _) => Some(login.as_str()),
            (None, Reason::LetterOverwritten) => Some(owner::UNKNOWN_ACTOR),
            _ => None,
        };
        if let (Some(l), Some(FsOp::CopyStored { to, .. }), Some(who)) = (letter, &restored, who) {
            tracing::info!(letter = %l.id, file = rel, by = %who, reason = code.code(), "a letter's file saved over by someone who may not: its own version goes back, the admins are told");
            rec.emails.extend(self.security_alert(l, &alone, to));
        }
        ops.extend(restored);
        let root = self.cfg.root.clone();
        journal::execute(&mut self.db, &root, letter.map(|l| l.id.as_str()), Plan { ops, record: rec })?;
        tracing::warn!(letter = letter.map(|l| l.id.as_str()).unwrap_or("-"), file = rel, to = %target_rel, reason = code.code(), detail = %detail, "refused a file");
        self.tidy(&self.cfg.root.join(rel));
        Ok(())
    }

    /// A refused file that leaves its letter without a file on the share
    /// (saved over the letter's file, or moved away from it and changed):
    /// the letter's own version is written back where it is recorded.
    fn restore(&self, letter: Option<&LetterRow>, rel: &str, sha: Option<&str>) -> Option<FsOp> {
        let l = letter?;
        let path = l.path.as_deref()?;
        // A note or sidecar is never the letter's file.
        if is_companion(&file_name(Path::new(rel))) {
            return None;
        }
        let gone = if path == rel {
            sha != Some(l.sha256.as_str())
        } else {
            fs::symlink_metadata(self.cfg.root.join(path)).is_err() && !self.in_transit(l, rel)
        };
        if !gone || LetterState::parse(&l.state) != LetterState::Active || !self.store.has(&l.sha256) {
            return None;
        }
        tracing::info!(letter = %l.id, file = rel, to = path, "the letter's own version goes back where it is recorded");
        let source = self.store.path_of(&l.sha256).to_string_lossy().into_owned();
        Some(FsOp::CopyStored { source, to: path.to_string() })
    }

    /// Whether another file of the letter waits in its step's folders (moved
    /// into an outcome folder, waiting for its note): then the letter is not
    /// without a file, only on its way.
    fn in_transit(&self, l: &LetterRow, rel: &str) -> bool {
        let Some(step) = self.wf.step(&l.step) else { return false };
        let mut files = Vec::new();
        crate::watch::walk(&self.cfg.root.join(&step.folder), &mut files);
        files.iter().any(|p| {
            let name = file_name(p);
            name.starts_with(l.id.as_str())
                && !is_companion(&name)
                && fsops::rel_path(&self.cfg.root, p).is_some_and(|r| r != rel)
        })
    }
}
