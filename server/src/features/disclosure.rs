//! 公示 — the aggregates behind every published figure (kept by triggers, recomputable), the
//! public pages' data and the open data downloads (with the CSV writer the monthly report shares).

mod analysis;
mod channels;
mod complaints;
mod csv_format;
mod data_row;
mod listing;
mod lists;
mod open_data;
mod rebuild;
mod scope;
mod service;
mod store;

pub use analysis::{HeatHour, WindowAlert};
pub use channels::{ByChannel, ChannelShare, WalkIns};
pub use complaints::{ComplaintCounts, ComplaintsBySource};
pub use csv_format::{text_cell, to_csv};
pub use listing::{ClosedRectification, OpenRow};
pub use lists::{methods, rectifications, staff_figures};
pub use open_data::routes;
pub use scope::scope_figures;
pub use service::*;
pub use store::{Children, STAT_COLUMNS, Scope, ScopeCounts, counts};
