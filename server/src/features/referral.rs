//! 转办 — work orders referred by a 12345 hotline, a government website or a leader's mailbox:
//! each opens a complaint ticket of the department it is for, and its status changes go back to
//! the referring platform's callback, signed, in order, once each.

mod api;
mod callback;
mod service;
mod store;

pub(crate) use api::routes;
pub use callback::{callback_body, deliver_forever, deliver_round, signature_headers};
pub use service::*;
pub use store::{DueCallback, NewReferral, StoredReferral};
