//! 系统管理 — administrators keep the organisation, the accounts, the holiday calendar, the
//! deadlines and the 公示 settings; every change audited.

pub mod accounts;
pub mod erasure;
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
pub use settings::forward::ForwardSettings;
pub use settings::notify::{DepartmentTarget, NotifySettings, SmsGateway, SmsKind};
pub use store::{AccountSummary, NewAccount};

use domain::access::{Actor, Role};

/// Bad input, with the message for the administrator (names the field).
fn invalid(message: impl Into<String>) -> AdminError {
    AdminError::Invalid(message.into())
}

/// Every use case here is for administrators.
fn admin_only(actor: Actor) -> Result<(), AdminError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}

/// A required text field: trimmed, not empty, at most `max` characters.
fn field<'a>(label: &str, value: &'a str, max: usize) -> Result<&'a str, AdminError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(format!("请填写{label}")));
    }
    if value.chars().count() > max {
        return Err(invalid(format!("{label}不能超过{max}个字")));
    }
    Ok(value)
}
