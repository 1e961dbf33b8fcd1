//! Server functions of the administration page (系统管理): administrators only, CSRF-checked.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

pub mod devices;
pub mod forward;
pub mod notify;
pub mod systems;

/// An account in the administrator's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub role_zh: String,
    pub department: String,
    pub staff_no: String,
    /// While locked: until when.
    pub locked_until: Option<String>,
}

/// A year's holiday schedule as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolidayYearView {
    pub year: i32,
    /// Days off.
    pub off: String,
    /// Weekend days worked.
    pub worked: String,
}

/// 公示设置 and 满意度预警 as the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureSettings {
    pub basic_counts_as_good: bool,
    pub min_sample: i64,
    pub staff_by_name: bool,
    pub alert_days: u32,
    pub alert_min_rated: i64,
    /// Percent.
    pub alert_threshold: i64,
}

/// What the administration page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminPage {
    pub accounts: Vec<AccountView>,
    pub holiday_years: Vec<HolidayYearView>,
    /// Working days per [`domain::ticket::DeadlineSetting`], in form order.
    pub deadlines: [u32; domain::ticket::DeadlineSetting::ALL.len()],
    pub disclosure: DisclosureSettings,
    pub departments: Vec<(i64, String)>,
    /// The new-account form's 管辖范围 choices: (value, label).
    pub scopes: Vec<(String, String)>,
    pub csrf: String,
}

/// A new supervisor's or administrator's authenticator link, shown to the creating administrator
/// for ten minutes, with its QR code (SVG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTotp {
    pub uri: String,
    pub qr_svg: String,
}

/// The signed-in staff member, with a valid CSRF token (for the forms).
#[cfg(feature = "ssr")]
async fn with_csrf(
    csrf: &str,
) -> Result<(server::AppState, server::platform::session::StaffSession), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(csrf)?;
    Ok((state, session))
}

/// Everything the administration page lists.
#[server]
pub async fn admin_view() -> Result<AdminPage, ApiError> {
    let (state, session) = super::staff_session().await?;
    let page = server::features::admin::admin_page(&state, session.actor).await?;
    Ok(from_server::admin(page, session.csrf()))
}

/// 办理时限 as the form sends it: one field per input, named as its id (the setting's name). The
/// deadlines added after the first four are optional: a form without them (a page still open
/// from before) keeps their values in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinesInput {
    pub first_contact: String,
    pub triage: Option<String>,
    pub fix_now: Option<String>,
    pub rectification: String,
    pub reply: Option<String>,
    pub complaint_reply: String,
    pub complaint_reply_complex: String,
    pub appeal_review: Option<String>,
    pub fix_rating: Option<String>,
    pub redo: Option<String>,
}

/// 办理时限.
#[server]
pub async fn admin_set_deadlines(
    #[server(flatten)] days: DeadlinesInput,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = with_csrf(&csrf).await?;
    let d = &days;
    // In the order of `DeadlineSetting::ALL`.
    let form = server::features::admin::DeadlinesForm {
        days: [
            Some(d.first_contact.as_str()),
            d.triage.as_deref(),
            d.fix_now.as_deref(),
            Some(d.rectification.as_str()),
            d.reply.as_deref(),
            Some(d.complaint_reply.as_str()),
            Some(d.complaint_reply_complex.as_str()),
            d.appeal_review.as_deref(),
            d.fix_rating.as_deref(),
            d.redo.as_deref(),
        ],
    };
    Ok(server::features::admin::submit_deadlines(&state, session.actor, form).await?)
}

/// 公示设置. Check boxes that are not ticked are not sent.
#[server]
pub async fn admin_set_disclosure(
    basic_counts_as_good: Option<String>,
    min_sample: String,
    staff_by_name: Option<String>,
    alert_days: String,
    alert_min_rated: String,
    alert_threshold: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = with_csrf(&csrf).await?;
    let form = server::features::admin::DisclosureForm {
        basic_counts_as_good: basic_counts_as_good.is_some(),
        min_sample: &min_sample,
        staff_by_name: staff_by_name.is_some(),
        alert_days: &alert_days,
        alert_min_rated: &alert_min_rated,
        alert_threshold: &alert_threshold,
    };
    Ok(server::features::admin::submit_disclosure(&state, session.actor, form).await?)
}

/// 节假日安排.
#[server]
pub async fn admin_set_holidays(
    year: String,
    off: String,
    worked: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = with_csrf(&csrf).await?;
    let actor = session.actor;
    Ok(server::features::admin::submit_holidays(&state, actor, &year, &off, &worked).await?)
}

/// 新建账号. A new supervisor or administrator gets an authenticator link: the page shows it.
#[server]
pub async fn admin_create_account(
    username: String,
    password: String,
    role: String,
    department: String,
    staff_no: String,
    scope: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = with_csrf(&csrf).await?;
    let form = server::features::admin::NewAccountForm {
        username,
        password,
        role,
        department,
        staff_no,
        scope,
    };
    let with_link = server::features::admin::submit_account(&state, session.actor, form).await?;
    if let Some(id) = with_link {
        leptos_axum::redirect(&format!("/staff/admin?totp_for={id}"));
    }
    Ok(())
}

/// The authenticator link of an account this administrator just created (logged when shown).
#[server]
pub async fn admin_new_totp(account: i64) -> Result<Option<NewTotp>, ApiError> {
    let (state, session) = super::staff_session().await?;
    let link = server::features::admin::account_link(&state, session.actor, account).await?;
    Ok(link.map(|l| NewTotp {
        uri: l.uri,
        qr_svg: l.qr_svg,
    }))
}

/// 解除锁定.
#[server]
pub async fn admin_unlock(id: i64, csrf: String) -> Result<(), ApiError> {
    let (state, session) = with_csrf(&csrf).await?;
    Ok(server::features::admin::unlock_account(&state, session.actor, id).await?)
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's administration page to this module's types.

    use domain::ticket::DeadlineSetting;
    use server::features::admin::AdminPage as Page;

    use super::{AccountView, AdminPage, DisclosureSettings, HolidayYearView};

    pub(super) fn admin(page: Page, csrf: &str) -> AdminPage {
        let (d, disclosure) = (page.deadlines, page.disclosure);
        AdminPage {
            accounts: page
                .accounts
                .into_iter()
                .map(|a| AccountView {
                    id: a.id,
                    username: a.username,
                    role_zh: a.role.to_owned(),
                    department: a.department,
                    staff_no: a.staff_no,
                    locked_until: a.locked_until,
                })
                .collect(),
            holiday_years: page
                .holiday_years
                .into_iter()
                .map(|y| HolidayYearView {
                    year: y.year,
                    off: y.off,
                    worked: y.worked,
                })
                .collect(),
            deadlines: DeadlineSetting::ALL.map(|s| d.get(s)),
            disclosure: DisclosureSettings {
                basic_counts_as_good: disclosure.policy.basic_counts_as_good,
                min_sample: disclosure.policy.min_sample,
                staff_by_name: disclosure.staff_by_name,
                alert_days: disclosure.alert.days,
                alert_min_rated: disclosure.alert.min_rated,
                alert_threshold: disclosure.alert.threshold_bp / 100,
            },
            departments: page.departments,
            scopes: page.scopes,
            csrf: csrf.to_owned(),
        }
    }
}
