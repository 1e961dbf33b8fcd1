//! 月度报告 — the supervising office's monthly report: page data, CSV and XLSX downloads, and the
//! file kept at the start of each month.

mod downloads;
mod export;
mod page;
mod service;

pub(crate) use downloads::routes;
pub use page::*;
pub use service::*;
