//! 转办 — work orders referred by a 12345 hotline, a government website or a leader's mailbox:
//! each opens a complaint ticket of the department it is for, and its status changes go back to
//! the referring platform's callback, signed, in order, once each. Optionally every 差评 ticket
//! goes the other way, to the 12345 platform as a work order (`forward`), with its statuses after
//! it; both are set on the administration page (`settings`).

mod api;
mod callback;
mod forward;
mod forward_store;
mod service;
mod settings;
mod store;

pub(crate) use api::routes;
pub use callback::{callback_body, deliver_forever, deliver_round, signature_headers};
pub use forward::{forward_round, work_order_body};
pub use forward_store::{ForwardHealth, ForwardedTicket, WorkOrder};
pub use service::*;
pub use settings::*;
pub use store::{CallbackLine, CallbackTarget, DueCallback, NewReferral, StoredReferral};
