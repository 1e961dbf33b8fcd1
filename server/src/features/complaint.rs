//! 投诉 — a citizen reports a service that was not satisfactory (`/complaint`); a ticket opens
//! with it.

mod page;
mod service;
mod store;

pub(crate) use page::routes;
pub use service::*;
pub use store::{DepartmentChoice, NewComplaint, TrackedComplaint};
