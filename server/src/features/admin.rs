//! 系统管理 — administrators keep the organisation, the accounts, the holiday calendar, the
//! deadlines and the 公示 settings; every change audited.

mod organisation;
mod page;
mod service;
mod settings;
mod store;
pub mod systems;

pub use organisation::{ByCode, Names, WindowView};
pub use page::*;
pub use service::*;
pub use settings::HolidayYear;
pub use store::{AccountSummary, NewAccount, OrgEntry};
