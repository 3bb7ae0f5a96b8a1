//! Opening a Word or OpenDocument draft as untrusted bytes, before anything
//! converts it: what kind of document it is, and whether it may go on.

use super::archive::Unreadable;
use crate::letter::reason::Reason;

/// The kinds of office document the conversion stage takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Word 2007 and later (`.docx`): a zip of XML parts; filled in.
    Docx,
    /// OpenDocument text (`.odt`): a zip of XML parts; filled in.
    Odt,
    /// Word 97-2003 (`.doc`): converted as it is, never filled in.
    Doc,
    /// Rich Text Format (`.rtf`): converted as it is, never filled in.
    Rtf,
}

impl Kind {
    /// Whether [`super::fill`] writes into this kind.
    pub fn fillable(self) -> bool {
        matches!(self, Kind::Docx | Kind::Odt)
    }
}

/// A document refused: its reason, and the detail for `{rincian}`
/// (Indonesian, for the person who dropped it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
}

impl Refusal {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Refusal { reason, detail: detail.into() }
    }
}

impl From<Unreadable> for Refusal {
    fn from(u: Unreadable) -> Self {
        match u {
            Unreadable::NotZip(_) => Refusal::new(Reason::NotADocument, "berkas zip-nya rusak"),
            Unreadable::DuplicateNames => Refusal::new(Reason::NotADocument, "dua bagian di dalamnya bernama sama"),
            Unreadable::EncryptedEntry => Refusal::new(Reason::DocumentEncrypted, ""),
            Unreadable::TooLarge(what) => Refusal::new(Reason::DocumentTooLarge, what),
        }
    }
}
