//! A letter's life state and the view of a letter the decision works on.
//! Shared by the decision (`decide`) and the database (`store::db`), so
//! neither has to import the other.

/// A letter's life state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterState {
    /// Being registered (its first move is under way).
    Pending,
    Active,
    Finished,
    Cancelled,
    /// Registration was undone (the file vanished before it could be moved).
    Void,
}

impl LetterState {
    pub fn as_str(self) -> &'static str {
        match self {
            LetterState::Pending => "pending",
            LetterState::Active => "active",
            LetterState::Finished => "finished",
            LetterState::Cancelled => "cancelled",
            LetterState::Void => "void",
        }
    }
    pub fn parse(s: &str) -> LetterState {
        match s {
            "pending" => LetterState::Pending,
            "finished" => LetterState::Finished,
            "cancelled" => LetterState::Cancelled,
            "void" => LetterState::Void,
            _ => LetterState::Active,
        }
    }
}

/// What suratd knows about the letter a file belongs to.
#[derive(Debug, Clone)]
pub struct LetterView {
    pub id: String,
    pub step: String,
    pub state: LetterState,
    pub path: String,
    pub year: i32,
    /// Login of the person who drafted it (as recorded at registration).
    pub drafter: Option<String>,
}
