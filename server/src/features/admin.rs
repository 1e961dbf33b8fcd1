//! 系统管理 — administrators keep the organisation, the accounts, the holiday calendar, the
//! deadlines and the 公示 settings; every change audited.

mod import;
mod org_page;
mod organisation;
mod page;
mod records;
mod routes;
mod service;
mod settings;
mod store;
pub mod systems;

pub use import::{ImportKind, ImportProblem, ImportReport, template_csv, template_xlsx};
pub use org_page::*;
pub use organisation::{ByCode, Names, WindowView};
pub use page::*;
pub use records::{Editor, OrgKind, OrgRecord, SaveMode, Saved};
pub(crate) use routes::routes;
pub use service::*;
pub use settings::HolidayYear;
pub use store::{AccountSummary, NewAccount};
