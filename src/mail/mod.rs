//! Who is told what and how it gets there: emails composed from the
//! workflow's templates, reminders and escalations planned from the office
//! clock, and the outbox worker that delivers them over SMTP.

pub mod alerts;
pub mod compose;
pub mod outbox;
pub mod reminders;
#[cfg(test)]
mod texts;
