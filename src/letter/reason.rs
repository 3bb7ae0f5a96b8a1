//! Why a file is refused or a letter sent back: one code per reason. The
//! code is what the database, the logs and `workflow.yaml`'s
//! `templates.reasons` keys use; the text people read comes from there.

use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

/// A reason code. Its snake_case name (`not_pdf`) is the key of its text in
/// `templates.reasons`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Reason {
    /// Not a PDF (nor a document the conversion stage takes).
    NotPdf,
    /// A Word or OpenDocument file.
    OfficeDocument,
    /// An office document with macros (`.docm`, a VBA or Basic project,
    /// an embedded program object, a DDE field).
    MacroDocument,
    /// An office document locked with a password.
    DocumentEncrypted,
    /// An office document that unpacks past the limits (a zip bomb).
    DocumentTooLarge,
    /// An office document whose XML nests deeper than the limit.
    DocumentTooDeep,
    /// A file named or packed as an office document that is not a
    /// readable one (a zip of something else, broken XML, a DTD).
    NotADocument,
    /// An office document with an image, template or object taken from
    /// outside the file (never fetched).
    ExternalReference,
    /// A Word or OpenDocument draft with no place marked for its number
    /// (`{{nomor}}`, `[nomor]`, a content control tagged `nomor`), or a
    /// `.doc`/`.rtf`, which is never filled in: held for its number.
    NoPlaceholder,
    /// A Word or OpenDocument draft LibreOffice could not turn into a PDF
    /// (it failed, wrote nothing, or wrote a PDF past the size limit).
    ConversionFailed,
    /// A Word or OpenDocument draft on a server where LibreOffice is not
    /// installed (the admins are told).
    ConversionUnavailable,
    /// Zero bytes.
    Empty,
    /// A PDF that cannot be read or is incomplete.
    Broken,
    /// A PDF locked with a password.
    Encrypted,
    /// JavaScript or a program launch inside the PDF.
    ActiveContent,
    /// A symbolic link instead of a file.
    Symlink,
    /// A new file outside the entry folder that is no known letter.
    UnknownFile,
    /// A letter moved where its step does not lead.
    WrongFolder,
    /// A file of a letter that is finished or cancelled.
    LetterClosed,
    /// New bytes for a letter where they cannot be taken: a corrected draft
    /// once the letter is signed, or a file outside the drafting folder.
    LetterElsewhere,
    /// A copy of a letter whose file is still elsewhere.
    Duplicate,
    /// No classification, so no number can be given.
    NoKlasifikasi,
    /// A sidecar (`.yaml`) that cannot be used.
    BadSidecar,
    /// A sidecar alone in the drafting folder (no draft beside it) whose
    /// name matches no registered letter: neither a draft's original name
    /// nor a letter's id.
    SidecarUnmatched,
    /// A late sidecar for a letter past its first review (approved, or on
    /// its way out of the first review's folder).
    SidecarTooLate,
    /// A late sidecar that changes what the letter's number was made from
    /// (`sifat`, `klasifikasi`, `tanggal`): cancel and draft again.
    SidecarFixedField,
    /// A draft dated in an earlier year whose last number is not known
    /// (no number of that year in the database, no `last_used` for it).
    SequenceUnknown,
    /// A draft whose sidecar asks for a sifat other than Biasa, from
    /// someone whose role may not choose it (`letters.sifat_roles`).
    SifatNotAllowed,
    /// A reviewer's note (`.txt`) that cannot be used: not a plain file,
    /// or too large.
    BadNote,
    /// A reviewer's note alone in a review step's outcome folder that
    /// belongs to no letter sent back from that step and still with its
    /// drafter.
    NoteUnmatched,
    /// The agenda number is not in the letter's text before signing.
    NumberMissing,
    /// The file's owner may not put new files in this folder.
    NoAccess,
    /// The file's owner is nobody in workflow.yaml.
    UnknownOwner,
    /// A corrected version of a letter from someone who is not its drafter.
    NotDrafter,
    /// An unsigned file where a signed one is due.
    NotSigned,
    /// A signature that does not hold.
    SignatureInvalid,
    /// Other bytes in place of a signed letter.
    SignedLetterChanged,
    /// Signed by someone who is not among the step's `signers`.
    WrongSigner,
    /// A signed file that matches no letter awaiting signature.
    NoMatch,
    /// A signed file whose text is not the copy submitted for signing (a
    /// line removed or changed), or lacks the letter's number.
    SignedTextDiffers,
    /// A signed file whose letter's copy for signing is not a version every
    /// review step approved.
    CopyNotApproved,
    /// A signed file for a letter that is not waiting for its signature
    /// (still in review, or already signed).
    NotAwaitingSignature,
    /// A file that failed again and again, set aside.
    FailedRepeatedly,
    /// A letter's file deleted or moved out of the share (put back).
    LetterDeleted,
    /// A letter's file changed in place past drafting (the letter's own
    /// version put back).
    LetterOverwritten,
    /// A reviewer's edit of the letter's copy that changes what it shows
    /// (comments, highlights, other content): only the drafter changes a
    /// letter, so it goes back to them with the edit as the reviewer's
    /// comments.
    ReviewerEdited,
    /// A letter's drafter approving or sending back their own letter (the
    /// audit log names who moved it).
    OwnLetter,
    /// A decision on a letter of another team by someone whose role acts
    /// for their own team only (a Ketua Tim).
    OtherTeam,
    /// A move at a step by someone who does not hold the step's role, nor
    /// stands in for someone who does.
    NotYourMove,
}

impl Reason {
    /// Whether a file put back for this reason is a security event: the
    /// audit log names someone who may not make the move (the admins are
    /// told).
    pub fn is_security(self) -> bool {
        matches!(self, Reason::OwnLetter | Reason::OtherTeam | Reason::NotYourMove)
    }
}

impl Reason {
    /// The code as written in the database, logs and `workflow.yaml`.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The reason a code names, if it names one.
    pub fn parse(code: &str) -> Option<Reason> {
        code.parse().ok()
    }

    /// Every reason, in declaration order.
    pub fn all() -> impl Iterator<Item = Reason> {
        Reason::iter()
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Shown as its quoted code (`"not_pdf"`), as logs showed it before it
/// was a type.
impl std::fmt::Debug for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.code())
    }
}

/// A reason equals its code: `reason == "not_pdf"`.
impl PartialEq<&str> for Reason {
    fn eq(&self, code: &&str) -> bool {
        self.code() == *code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_parse_back() {
        assert_eq!(Reason::NotPdf.code(), "not_pdf");
        assert_eq!(Reason::NoKlasifikasi.code(), "no_klasifikasi");
        for r in Reason::all() {
            assert_eq!(Reason::parse(r.code()), Some(r));
        }
        assert_eq!(Reason::parse("not-pdf"), None);
        assert_eq!(Reason::parse("NotPdf"), None);
        assert!(Reason::BadSidecar == "bad_sidecar" && Reason::BadSidecar != "not_pdf");
        assert_eq!(format!("{:?} {}", Reason::NoAccess, Reason::NoAccess), "\"no_access\" no_access");
    }
}
