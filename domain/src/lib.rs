//! The rules of 政务服务"好差评", as plain types and functions.
//!
//! Everything here is pure (no I/O, no clock, no randomness) so that the same code validates a rating
//! in the citizen's browser (the `widget` crate, on wasm32) and, authoritatively, on the server.
//!
//! With the `sqlx` feature (the server only), `sql` lets the types be bound to and read from SQLite
//! columns in the form the database stores them.

pub mod access;
pub mod appeal;
pub mod business_system;
pub mod calendar;
pub mod channel;
pub mod complaint;
pub mod device;
pub mod evaluation;
pub mod ids;
pub mod kind;
pub mod level;
pub mod mask;
pub mod notify;
pub mod occurrence;
pub mod org;
pub mod reasons;
pub mod referral;
// The dev-dependency sqlx lets the plain `cargo test` check the column mappings too.
#[cfg(any(test, feature = "sqlx"))]
pub mod sql;
pub mod stats;
pub mod ticket;
pub mod time;
pub mod token;
pub mod totp;
pub mod upward;
pub mod visit;
pub mod voice;

pub use channel::{Channel, EvaluatorType};
pub use evaluation::{Comment, FieldError, RatingDraft, ValidRating};
pub use level::Level;
pub use occurrence::{CaseNumber, OccurrenceNo, ServiceItemCode};
pub use reasons::{Catalogue, Reason};
