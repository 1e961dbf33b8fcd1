//! 工单 — the closed loop: staff take a ticket through its steps, overdue tickets are raised, and
//! the citizen follows it on the tracking page (`/t/{code}`) and rates the fix.

mod board;
mod due;
mod listing;
mod service;
mod store;
mod tracking;

pub use board::*;
pub use due::{WithoutDue, fill_missing_deadlines};
pub use listing::{DepartmentLoad, TicketDetail, TicketEvent, TicketListItem};
pub use service::*;
pub use store::{TicketRow, TicketStep};
pub(crate) use tracking::routes;
