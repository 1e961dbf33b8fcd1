//! 系统管理 — administrators keep the organisation, the accounts, the holiday calendar and the
//! deadlines. Every change is audited; calendar and deadline changes apply at once.

use domain::org::Scope;
use domain::{
    access::{Actor, Role, check_password},
    calendar::YearSchedule,
    ticket::Deadlines,
};

use super::{AccountSummary, NewAccount, admin_only, field, invalid};
use crate::platform::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("administrators only")]
    Forbidden,
    /// Bad input, with the message for the administrator (names the field).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// What the administration page lists.
#[derive(Debug, Clone)]
pub struct AdminOverview {
    pub accounts: Vec<AccountSummary>,
    pub holiday_years: Vec<super::HolidayYear>,
    pub deadlines: Deadlines,
    pub departments: Vec<(i64, String)>,
}

pub async fn overview(state: &AppState, actor: Actor) -> Result<AdminOverview, AdminError> {
    admin_only(actor)?;
    Ok(AdminOverview {
        accounts: state.store.accounts().await?,
        holiday_years: state.store.holiday_years().await?,
        deadlines: state.rules().deadlines,
        departments: state.store.active_departments().await?,
    })
}

/// 节假日安排 — enters a year's schedule; deadlines use it from now on.
pub async fn set_holidays(
    state: &AppState,
    actor: Actor,
    year: i32,
    off: &str,
    worked: &str,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    let schedule = YearSchedule::parse(year, off.trim(), worked.trim())
        .map_err(|e| invalid(format!("节假日安排有误：{e}")))?;
    state
        .store
        .set_holiday_year(Some(actor.account_id), year, off.trim(), worked.trim())
        .await?;
    state.update_rules(|rules| rules.calendar = rules.calendar.clone().with_year(year, schedule));
    Ok(())
}

/// 办理时限 — each deadline between 1 and 60 working days; a complex complaint's at least the
/// ordinary one.
pub async fn set_deadlines(
    state: &AppState,
    actor: Actor,
    deadlines: Deadlines,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    let deadlines = deadlines.validate().map_err(|e| invalid(e.message_zh()))?;
    let before = state.rules().deadlines;
    state
        .store
        .save_deadlines(actor.account_id, before, deadlines)
        .await?;
    state.update_rules(|rules| rules.deadlines = deadlines);
    Ok(())
}

/// 公示设置 — whether 基本满意 counts as good, the minimum sample, staff by name or number.
pub async fn set_disclosure(
    state: &AppState,
    actor: Actor,
    disclosure: crate::platform::state::Disclosure,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    disclosure
        .policy
        .validate()
        .and(disclosure.alert.validate())
        .map_err(|e| invalid(e.message_zh()))?;
    let before = state.rules().disclosure;
    state
        .store
        .save_disclosure(actor.account_id, before, disclosure)
        .await?;
    state.update_rules(|rules| rules.disclosure = disclosure);
    Ok(())
}

/// A new account as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct AccountForm {
    pub username: String,
    pub password: String,
    pub role: String,
    pub department: Option<domain::ids::DepartmentId>,
    pub staff_no: Option<String>,
    /// 管辖范围 as the form's select sends it (`domain::org::Scope::parse_value`).
    pub scope: String,
}

/// 新建账号. Returns the authenticator (TOTP) link to hand to a new supervisor or administrator,
/// shown once.
pub async fn create_account(
    state: &AppState,
    actor: Actor,
    form: &AccountForm,
) -> Result<Option<String>, AdminError> {
    admin_only(actor)?;
    let username = field("用户名", &form.username, 32)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(invalid("用户名只能包含字母、数字和 . _ -"));
    }
    check_password(&form.password).map_err(|e| invalid(e.message_zh()))?;
    let role = Role::parse(&form.role).ok_or_else(|| invalid("请选择角色"))?;
    let scope = account_scope(state, actor, role, &form.scope).await?;
    let department = match role {
        Role::Handler | Role::WindowStaff => Some(
            form.department
                .ok_or_else(|| invalid("经办人和窗口人员须选择所属部门"))?,
        ),
        Role::Supervisor | Role::Inspector | Role::Admin => None,
    };
    let staff = match (role, form.staff_no.as_deref().map(str::trim)) {
        (Role::WindowStaff, Some(no)) if !no.is_empty() => Some(
            state
                .store
                .id_by_code::<domain::ids::StaffId>(no)
                .await?
                .ok_or_else(|| invalid("工号不存在"))?,
        ),
        (Role::WindowStaff, _) => return Err(invalid("窗口人员须填写工号")),
        _ => None,
    };
    let (totp_sealed, uri) = if role.needs_second_factor() {
        let (sealed, uri) = crate::platform::auth::new_totp(state, username);
        (Some(sealed), Some(uri))
    } else {
        (None, None)
    };
    let password_hash = crate::platform::auth::hash_password_off_thread(&form.password).await;
    let new = NewAccount {
        username,
        password_hash: &password_hash,
        role,
        department,
        staff,
        scope,
        totp_secret_enc: totp_sealed.as_deref(),
    };
    match state.store.create_account(actor.account_id, &new).await? {
        Some(_) => Ok(uri),
        None => Err(invalid("用户名已存在")),
    }
}

/// The new account's scope: only for supervisors and administrators, and never wider than the
/// creating administrator's own.
async fn account_scope(
    state: &AppState,
    actor: Actor,
    role: Role,
    value: &str,
) -> Result<Scope, AdminError> {
    let scope = Scope::parse_value(value).map_err(|e| invalid(e.message_zh()))?;
    scope
        .check_role(role)
        .map_err(|e| invalid(e.message_zh()))?;
    if !state.store.scope_within(actor.scope, scope).await? {
        return Err(invalid("管辖范围：请选择列出的地区或大厅"));
    }
    Ok(scope)
}

/// 解除锁定.
pub async fn unlock_account(state: &AppState, actor: Actor, id: i64) -> Result<(), AdminError> {
    admin_only(actor)?;
    if state.store.unlock_account(actor.account_id, id).await? {
        Ok(())
    } else {
        Err(invalid("账号不存在"))
    }
}
