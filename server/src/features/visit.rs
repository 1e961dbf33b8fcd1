//! 取号/叫号 — a hall's queue system reports its visits through the API (one at a time or in a
//! batch); a finished visit is an unrated occurrence, and the window's e码 rates the visit being
//! served or just finished there (`rating` binds it).

mod api;
mod binding;
mod refusal;
mod service;
mod store;

pub(crate) use api::routes;
pub use binding::SERVING_AT_MOST_MS;
pub(crate) use binding::{bindable_visit, make_occurrence, visit_code_rated};
pub use refusal::{RowError, VisitReportError};
pub use service::*;
pub use store::{NewVisit, StoredVisit, VisitOutcome, VisitRefused};
