//! Reason files: the text people read beside a refused or returned file,
//! from `templates.reasons` (the reason alone) inside `templates.reason_file`
//! (the frame: title, office, file, folder, time, kode surat). Pure: the
//! same facts give the same text, so every reason has a golden file.

use crate::decide::guidance::{self, Where};
use crate::letter::reason::Reason;
use crate::util::timefmt;
use crate::workflow::Workflow;
use crate::workflow::templates;
use chrono::{DateTime, Utc};

/// What a reason file is about.
#[derive(Debug, Clone, Copy)]
pub struct ReasonFacts<'a> {
    pub code: Reason,
    /// Fills `{rincian}`: names and Indonesian words only (never ids,
    /// logins or English).
    pub detail: &'a str,
    /// The file, relative to the root (`/` separators).
    pub rel: &'a str,
    /// The letter's id (kode surat), if the file has a letter.
    pub letter: Option<&'a str>,
    /// The name of the step the letter is at (or of the file's folder).
    pub step: &'a str,
    /// What the right move is computed from.
    pub at: Where<'a>,
    pub now: DateTime<Utc>,
}

/// The reason's text alone, without the frame (`{alasan}`): for an email
/// that carries the reason.
pub fn reason_alone(wf: &Workflow, f: &ReasonFacts) -> String {
    let (folder, file) = folder_and_file(f.rel);
    let waktu = timefmt::day_moment_id(f.now);
    let values = [
        ("berkas", file.to_string()),
        ("folder", folder),
        ("waktu", waktu),
        ("rincian", f.detail.to_string()),
        ("folder_draf", guidance::shown(&wf.entry().folder)),
        ("langkah", f.step.to_string()),
        ("surat", f.letter.unwrap_or("-").to_string()),
        ("yang_benar", guidance::right_move(wf, f.code, &f.at)),
    ];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    templates::render(wf.templates.reason(f.code), &values).trim().to_string()
}

/// The whole reason file: the reason inside its frame.
pub fn reason_file(wf: &Workflow, f: &ReasonFacts) -> String {
    let alasan = reason_alone(wf, f);
    let (folder, file) = folder_and_file(f.rel);
    let waktu = timefmt::day_moment_id(f.now);
    templates::render(
        &wf.templates.reason_file,
        &[
            ("kantor", &wf.office.name),
            ("berkas", file),
            ("folder", &folder),
            ("waktu", &waktu),
            ("alasan", &alasan),
            ("surat", f.letter.unwrap_or(NO_LETTER)),
        ],
    )
}

/// The frame's kode surat for a file that is no letter (yet).
const NO_LETTER: &str = "belum ada";

/// The system's note placed beside a draft held back at registration (its
/// number not in its text): a reason file about the letter `id` with
/// `number`, placed at `rel`; and the reason alone, for the drafter's email.
pub fn held_note(
    wf: &Workflow,
    reason: Reason,
    (id, number): (&str, &str),
    rel: &str,
    now: DateTime<Utc>,
) -> (String, String) {
    let entry = wf.entry();
    let at = Where { letter_step: Some(&entry.id), ..Where::default() };
    let f = ReasonFacts { code: reason, detail: number, rel, letter: Some(id), step: &entry.name, at, now };
    (reason_file(wf, &f), reason_alone(wf, &f))
}

/// The folder (as staff see it) and the name of the file at `rel`.
fn folder_and_file(rel: &str) -> (String, &str) {
    match rel.rsplit_once('/') {
        Some((d, f)) => (guidance::shown(d), f),
        None => (String::new(), rel),
    }
}

#[cfg(test)]
mod tests;
