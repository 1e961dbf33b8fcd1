//! 公示 — the aggregates behind every published figure (kept by triggers, recomputable), the
//! public pages' data and the open data downloads.

mod analysis;
mod listing;
mod open_data;
mod rebuild;
mod service;
mod store;

pub use analysis::WindowAlert;
pub use listing::{ClosedRectification, OpenRow, month_start_ms};
pub use open_data::routes;
pub use service::*;
pub use store::{Children, STAT_COLUMNS, Scope, ScopeCounts, counts};
