//! 工单 — the closed loop: staff take a ticket through its steps, overdue tickets are raised, and
//! the citizen follows it on the tracking page (`/t/{code}`) and rates the fix.

mod board;
mod service;
mod store;
mod tracking;

pub use board::*;
pub use service::*;
pub use store::{DepartmentLoad, TicketDetail, TicketEvent, TicketListItem, TicketRow, TicketStep};
pub(crate) use tracking::routes;
