//! 公示 — the aggregates behind every published figure (kept by triggers, recomputable) and the
//! open data downloads.

mod open_data;
mod service;
mod store;

pub use open_data::routes;
pub use service::*;
pub use store::{
    Children, ClosedRectification, OpenRow, STAT_COLUMNS, Scope, ScopeCounts, WindowAlert, counts,
    month_start_ms,
};
