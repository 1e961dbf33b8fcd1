//! The administration page (系统管理): what it lists, and its forms as typed (text fields parsed
//! here, with the messages the administrator sees) before the use cases in `service.rs` check and
//! store them.

use domain::access::Actor;
use domain::ticket::DeadlineSetting;

use super::{AccountForm, AdminError, HolidayYear, admin_only, invalid};
use crate::platform::{
    db::now,
    state::{Alert, AppState, Disclosure},
};

/// An account as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLine {
    pub id: i64,
    pub username: String,
    /// The role in Chinese.
    pub role: &'static str,
    pub department: String,
    pub staff_no: String,
    /// While locked: until when (China time).
    pub locked_until: Option<String>,
}

/// Everything the administration page lists.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminPage {
    pub accounts: Vec<AccountLine>,
    pub holiday_years: Vec<HolidayYear>,
    pub deadlines: domain::ticket::Deadlines,
    pub disclosure: Disclosure,
    pub departments: Vec<(i64, String)>,
    /// The scopes the administrator may give a new account: (form value, label).
    pub scopes: Vec<(String, String)>,
}

/// A new supervisor's or administrator's authenticator link, with its QR code (SVG).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLink {
    pub uri: String,
    pub qr_svg: String,
}

/// The administration page of `actor` (administrators only).
pub async fn admin_page(state: &AppState, actor: Actor) -> Result<AdminPage, AdminError> {
    let o = super::overview(state, actor).await?;
    let now = now();
    Ok(AdminPage {
        accounts: o
            .accounts
            .into_iter()
            .map(|a| AccountLine {
                id: a.id,
                username: a.username,
                role: a.role.label_zh(),
                department: a.department.unwrap_or_default(),
                staff_no: a.staff_no.unwrap_or_default(),
                locked_until: a.locked_until.filter(|&t| t > now).map(|t| t.to_string()),
            })
            .collect(),
        holiday_years: o.holiday_years,
        deadlines: o.deadlines,
        disclosure: state.rules().disclosure,
        departments: o.departments,
        scopes: scope_choices(state, actor).await?,
    })
}

/// The new-account form's 管辖范围 choices: (value, label) such as ("region:3", "地区：示范镇").
async fn scope_choices(
    state: &AppState,
    actor: Actor,
) -> Result<Vec<(String, String)>, AdminError> {
    let choices = state.store.scope_choices(actor.scope).await?;
    Ok(choices
        .into_iter()
        .map(|(scope, name)| {
            let label = match scope {
                domain::org::Scope::All => name,
                domain::org::Scope::Region(_) => format!("地区：{name}"),
                domain::org::Scope::Hall(_) => format!("大厅：{name}"),
            };
            (scope.value(), label)
        })
        .collect())
}

/// 办理时限 as typed: working days per [`DeadlineSetting`], in form order. A deadline not sent
/// (a form from before it existed) keeps the value in force.
#[derive(Debug, Clone, Copy)]
pub struct DeadlinesForm<'a> {
    pub days: [Option<&'a str>; DeadlineSetting::ALL.len()],
}

/// Saves the 办理时限 form.
pub async fn submit_deadlines(
    state: &AppState,
    actor: Actor,
    form: DeadlinesForm<'_>,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    let mut deadlines = state.rules().deadlines;
    for (setting, value) in DeadlineSetting::ALL.into_iter().zip(form.days) {
        let Some(value) = value else {
            continue;
        };
        let days = value
            .trim()
            .parse::<u32>()
            .map_err(|_| invalid(format!("{}应填写工作日数", setting.label_zh())))?;
        deadlines.set(setting, days);
    }
    super::set_deadlines(state, actor, deadlines).await
}

/// 公示设置 as typed; the check boxes are ticked or not.
#[derive(Debug, Clone, Copy)]
pub struct DisclosureForm<'a> {
    pub basic_counts_as_good: bool,
    pub min_sample: &'a str,
    pub staff_by_name: bool,
    pub alert_days: &'a str,
    pub alert_min_rated: &'a str,
    /// Percent.
    pub alert_threshold: &'a str,
}

/// Saves the 公示设置 form.
pub async fn submit_disclosure(
    state: &AppState,
    actor: Actor,
    form: DisclosureForm<'_>,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    let number = |label: &str, value: &str| {
        value
            .trim()
            .parse::<i64>()
            .map_err(|_| invalid(format!("{label}应填写数字")))
    };
    let min_sample = number("最小样本量", form.min_sample)?;
    let alert = Alert {
        days: u32::try_from(number("预警统计天数", form.alert_days)?).unwrap_or(0),
        min_rated: number("预警最少评价数", form.alert_min_rated)?,
        threshold_bp: number("预警满意度", form.alert_threshold)?.saturating_mul(100),
    };
    let disclosure = Disclosure {
        policy: domain::stats::Policy {
            basic_counts_as_good: form.basic_counts_as_good,
            min_sample,
        },
        staff_by_name: form.staff_by_name,
        alert,
    };
    super::set_disclosure(state, actor, disclosure).await
}

/// Saves the 节假日安排 of the year typed.
pub async fn submit_holidays(
    state: &AppState,
    actor: Actor,
    year: &str,
    off: &str,
    worked: &str,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    let year = year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| invalid("年份应为四位数字"))?;
    super::set_holidays(state, actor, year, off, worked).await
}

/// 新建账号 as typed; `department` is the chosen department's id or empty.
#[derive(Debug, Clone)]
pub struct NewAccountForm {
    pub username: String,
    pub password: String,
    pub role: String,
    pub department: String,
    pub staff_no: String,
    /// 管辖范围: `all`, `region:ID` or `hall:ID` (supervisors and administrators).
    pub scope: String,
}

/// Creates the account. Returns its id when it has an authenticator link to show (a new
/// supervisor or administrator): the page shows it with `account_link`.
pub async fn submit_account(
    state: &AppState,
    actor: Actor,
    form: NewAccountForm,
) -> Result<Option<i64>, AdminError> {
    let form = AccountForm {
        department: form.department.trim().parse().ok(),
        staff_no: Some(form.staff_no),
        scope: form.scope,
        username: form.username,
        password: form.password,
        role: form.role,
    };
    if super::create_account(state, actor, &form).await?.is_none() {
        return Ok(None);
    }
    let id = state.store.id_by_username(form.username.trim()).await?;
    Ok(Some(id.unwrap_or_default()))
}

/// The authenticator link of an account this administrator just created (logged when shown).
pub async fn account_link(
    state: &AppState,
    actor: Actor,
    account: i64,
) -> Result<Option<AccountLink>, AdminError> {
    admin_only(actor)?;
    let uri = crate::platform::auth::new_account_totp(state, actor.account_id, account).await?;
    Ok(uri.map(|uri| AccountLink {
        qr_svg: crate::platform::qr::svg(&uri),
        uri,
    }))
}
