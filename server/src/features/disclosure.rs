//! 公示 — the aggregates behind every published figure (kept by triggers, recomputable) and the
//! open data downloads (with the CSV writer the monthly report shares).

mod csv_format;
mod data_row;
mod open_data;
mod store;

pub use csv_format::to_csv;
pub use open_data::routes;
pub use store::{
    Children, ClosedRectification, OpenRow, STAT_COLUMNS, Scope, ScopeCounts, WindowAlert, counts,
    month_start_ms,
};
