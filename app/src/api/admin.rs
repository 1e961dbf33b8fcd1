//! Server functions of the administration page (系统管理): administrators only, CSRF-checked.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the administration page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminPage {
    /// (id, user name, role label, department, staff number, locked until)
    pub accounts: Vec<(i64, String, String, String, String, Option<String>)>,
    /// (year, days off, weekend days worked)
    pub holiday_years: Vec<(i32, String, String)>,
    /// First contact, rectification, complaint reply, complex complaint reply (working days).
    pub deadlines: [u32; 4],
    /// 公示设置: 基本满意 counts as good, minimum sample, staff shown by name.
    pub disclosure: (bool, i64, bool),
    /// 满意度预警: days, minimum ratings, threshold in percent.
    pub alert: (u32, i64, i64),
    pub departments: Vec<(i64, String)>,
    pub halls: Vec<(i64, String)>,
    pub windows: Vec<(i64, String)>,
    pub csrf: String,
}

/// A new supervisor's or administrator's authenticator link, shown to the creating administrator
/// for ten minutes, with its QR code (SVG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTotp {
    pub uri: String,
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::*;
    use server::features::admin::AdminError;

    pub(super) fn refused(e: AdminError) -> ServerFnError {
        let (code, message) = match e {
            AdminError::Forbidden => (403, "仅系统管理员可操作".to_owned()),
            AdminError::Invalid(message) => (422, message),
            AdminError::Store(_) => (500, "系统繁忙，请稍后再试".to_owned()),
        };
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                axum::http::StatusCode::from_u16(code)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        ServerFnError::new(message)
    }

    /// The signed-in administrator, with a valid CSRF token when `csrf` is given.
    pub(super) async fn admin(
        csrf: Option<&str>,
    ) -> Result<(server::AppState, domain::access::Actor), ServerFnError> {
        let (state, session) = super::super::staff::signed_in_for_admin().await?;
        if session.actor.role != domain::access::Role::Admin {
            return Err(refused(AdminError::Forbidden));
        }
        if csrf.is_some_and(|csrf| !session.check_csrf(csrf)) {
            return Err(refused(AdminError::Forbidden));
        }
        Ok((state, session.actor))
    }

    pub(super) fn role_zh(role: &str) -> &'static str {
        match role {
            "window_staff" => "窗口工作人员",
            "handler" => "部门经办人",
            "supervisor" => "监督股",
            "admin" => "系统管理员",
            _ => "未知",
        }
    }
}

/// Everything the administration page lists.
#[server]
pub async fn admin_view() -> Result<AdminPage, ServerFnError> {
    let (state, actor) = ssr::admin(None).await?;
    let o = server::features::admin::overview(&state, actor)
        .await
        .map_err(ssr::refused)?;
    let (_, session) = super::staff::signed_in_for_admin().await?;
    let d = o.deadlines;
    Ok(AdminPage {
        accounts: o
            .accounts
            .into_iter()
            .map(|a| {
                (
                    a.id,
                    a.username,
                    ssr::role_zh(&a.role).to_owned(),
                    a.department.unwrap_or_default(),
                    a.staff_no.unwrap_or_default(),
                    a.locked_until
                        .filter(|&t| t > server::platform::db::now_ms())
                        .map(domain::calendar::format_cst),
                )
            })
            .collect(),
        holiday_years: o.holiday_years,
        deadlines: [
            d.first_contact,
            d.rectification,
            d.complaint_reply,
            d.complaint_reply_complex,
        ],
        disclosure: {
            let d = state.rules().disclosure;
            (
                d.policy.basic_counts_as_good,
                d.policy.min_sample,
                d.staff_by_name,
            )
        },
        alert: {
            let a = state.rules().disclosure.alert;
            (a.days, a.min_rated, a.threshold_bp / 100)
        },
        departments: o.departments,
        halls: o.halls,
        windows: o.windows,
        csrf: session.csrf,
    })
}

/// 办理时限.
#[server]
pub async fn admin_set_deadlines(
    first_contact: String,
    rectification: String,
    complaint_reply: String,
    complaint_reply_complex: String,
    csrf: String,
) -> Result<(), ServerFnError> {
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    let days = |label: &str, value: &str| {
        value.trim().parse::<u32>().map_err(|_| {
            ssr::refused(server::features::admin::AdminError::Invalid(format!(
                "{label}应填写工作日数"
            )))
        })
    };
    let deadlines = domain::ticket::Deadlines {
        first_contact: days("首次联系时限", &first_contact)?,
        rectification: days("整改时限", &rectification)?,
        complaint_reply: days("投诉答复时限", &complaint_reply)?,
        complaint_reply_complex: days("复杂投诉答复时限", &complaint_reply_complex)?,
    };
    server::features::admin::set_deadlines(&state, actor, deadlines)
        .await
        .map_err(ssr::refused)
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
) -> Result<(), ServerFnError> {
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    let number = |label: &str, value: &str| {
        value.trim().parse::<i64>().map_err(|_| {
            ssr::refused(server::features::admin::AdminError::Invalid(format!(
                "{label}应填写数字"
            )))
        })
    };
    let min_sample = number("最小样本量", &min_sample)?;
    let alert = server::platform::state::Alert {
        days: u32::try_from(number("预警统计天数", &alert_days)?).unwrap_or(0),
        min_rated: number("预警最少评价数", &alert_min_rated)?,
        threshold_bp: number("预警满意度", &alert_threshold)?.saturating_mul(100),
    };
    let disclosure = server::platform::state::Disclosure {
        policy: domain::stats::Policy {
            basic_counts_as_good: basic_counts_as_good.is_some(),
            min_sample,
        },
        staff_by_name: staff_by_name.is_some(),
        alert,
    };
    server::features::admin::set_disclosure(&state, actor, disclosure)
        .await
        .map_err(ssr::refused)
}

/// 节假日安排.
#[server]
pub async fn admin_set_holidays(
    year: String,
    off: String,
    worked: String,
    csrf: String,
) -> Result<(), ServerFnError> {
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    let year = year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            ssr::refused(server::features::admin::AdminError::Invalid(
                "年份应为四位数字".into(),
            ))
        })?;
    server::features::admin::set_holidays(&state, actor, year, &off, &worked)
        .await
        .map_err(ssr::refused)
}

/// 新建账号. A new supervisor or administrator gets an authenticator link: the page shows it.
#[server]
pub async fn admin_create_account(
    username: String,
    password: String,
    role: String,
    department: String,
    staff_no: String,
    csrf: String,
) -> Result<(), ServerFnError> {
    use server::features::admin::{AccountForm, create_account};
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    let form = AccountForm {
        username,
        password,
        role,
        department: department.trim().parse().ok(),
        staff_no: Some(staff_no),
    };
    let totp = create_account(&state, actor, &form)
        .await
        .map_err(ssr::refused)?;
    if totp.is_some() {
        let id = state
            .store
            .id_by_username(form.username.trim())
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?
            .unwrap_or_default();
        leptos_axum::redirect(&format!("/staff/admin?totp_for={id}"));
    }
    Ok(())
}

/// The authenticator link of an account this administrator just created (logged when shown).
#[server]
pub async fn admin_new_totp(account: i64) -> Result<Option<NewTotp>, ServerFnError> {
    let (state, actor) = ssr::admin(None).await?;
    let uri = server::platform::auth::new_account_totp(&state, actor.account_id, account)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(uri.map(|uri| NewTotp {
        qr_svg: server::platform::qr::svg(&uri),
        uri,
    }))
}

/// 解除锁定.
#[server]
pub async fn admin_unlock(id: i64, csrf: String) -> Result<(), ServerFnError> {
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    server::features::admin::unlock_account(&state, actor, id)
        .await
        .map_err(ssr::refused)
}

/// 机构维护 — `kind` is department, window, staff or service_item; `code` is the department's or
/// item's code, the window's number or the staff number.
#[server]
pub async fn admin_add(
    kind: String,
    code: String,
    name: String,
    department: String,
    hall: String,
    window: String,
    csrf: String,
) -> Result<(), ServerFnError> {
    use server::features::admin::{AdminError, OrgEntry};
    let (state, actor) = ssr::admin(Some(&csrf)).await?;
    let id = |s: &str| s.trim().parse::<i64>().ok();
    let (department, hall, window) = (id(&department), id(&hall), id(&window));
    let missing = |what: &str| ssr::refused(AdminError::Invalid(format!("请选择{what}")));
    let department = || department.ok_or_else(|| missing("部门"));
    let entry = match kind.as_str() {
        "department" => OrgEntry::Department { code, name },
        "window" => OrgEntry::Window {
            hall: hall.ok_or_else(|| missing("大厅"))?,
            department: department()?,
            number: code,
            name,
        },
        "staff" => OrgEntry::Staff {
            department: department()?,
            window,
            staff_no: code,
            name,
        },
        "service_item" => OrgEntry::ServiceItem {
            department: department()?,
            code,
            name,
        },
        _ => return Err(missing("类别")),
    };
    server::features::admin::add_to_organisation(&state, actor, entry)
        .await
        .map_err(ssr::refused)?;
    Ok(())
}
