//! What the admins are told about: each kind of alert with a short title
//! (the subject says what happened; the body, written by
//! `compose::admin_alert`, gives the detail and, for a letter, which one
//! and where).

/// The kinds of admin alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    /// A signed letter too large to email to its outside addressees.
    TooLarge,
    /// A letter's file moved, deleted or saved over by someone who may not.
    Unauthorized,
    /// Letters left at steps an edited workflow no longer has.
    WorkflowOrphans,
    /// An edit of workflow.yaml refused.
    WorkflowRefused,
    /// Emails waiting: the mail server cannot be reached.
    MailUnreachable,
    /// Free space low on the share or beside the database.
    DiskLow,
    /// Files wait: a disk is full or read-only.
    DiskFault,
    /// Reads of the share do not answer.
    ShareStalled,
    /// Word drafts refused: LibreOffice is not installed.
    NoConverter,
}

impl Alert {
    /// The subject's words: what happened, in a few words.
    pub fn title(self) -> &'static str {
        match self {
            Alert::TooLarge => "Surat terlalu besar untuk email",
            Alert::Unauthorized => "Tindakan tanpa wewenang pada berkas surat",
            Alert::WorkflowOrphans => "Surat di tahap yang sudah tidak ada",
            Alert::WorkflowRefused => "Perubahan workflow ditolak",
            Alert::MailUnreachable => "Server email tidak dapat dihubungi",
            Alert::DiskLow => "Ruang disk hampir penuh",
            Alert::DiskFault => "Disk penuh atau hanya-baca",
            Alert::ShareStalled => "Share tidak menjawab",
            Alert::NoConverter => "Pengubah dokumen Word belum terpasang",
        }
    }
}
