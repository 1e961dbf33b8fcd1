//! Server functions of the management end. Every one checks the session; the ones that change
//! something also check the form's CSRF token.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A ticket in the handler's or supervisor's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCard {
    pub id: i64,
    pub kind_zh: String,
    pub state_zh: String,
    pub department: String,
    pub opened: String,
    /// The current deadline, or "时限待定" when the calendar lacks the year.
    pub due: String,
    /// Time left in working days: "剩余 3 个工作日", "今日到期", "已超时", or empty.
    pub left: String,
    pub overdue: bool,
    pub escalated: bool,
}

/// One ticket as its handler sees it (the phone stays masked until revealed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    pub card: TicketCard,
    pub real_name: bool,
    pub level_zh: Option<String>,
    pub reasons: Vec<String>,
    pub text: Option<String>,
    /// (time, what, note)
    pub history: Vec<(String, String, Option<String>)>,
    /// (action name, button label)
    pub actions: Vec<(String, String)>,
    pub can_reveal_phone: bool,
    /// The phone, when the handler revealed it in the last minutes (logged each time it is shown).
    pub phone: Option<String>,
    pub csrf: String,
}

/// Who is signed in, for the staff pages' bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMe {
    pub username: String,
    /// The stable role name (see `domain::access::Role`).
    pub role: String,
    pub csrf: String,
}

/// One department's tickets in the supervisor's overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentLoadView {
    pub department: String,
    pub open: i64,
    pub overdue: i64,
    pub escalated: i64,
    pub appealed: i64,
    pub closed: i64,
}

/// A window clerk's ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnRatingsView {
    pub staff: String,
    pub days: u32,
    /// Count per level, 非常满意 first (invalidated ratings left out).
    pub counts: Vec<(String, usize)>,
    /// (time, level, reasons, comment, invalidated)
    pub ratings: Vec<(String, String, String, Option<String>, bool)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::*;
    use server::{features::ticket::TicketActError, platform::auth};

    fn status(code: axum::http::StatusCode) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(code);
        }
    }

    /// A request that cannot be served as the account stands, with its reason (409).
    pub(super) fn conflict(message: &str) -> ServerFnError {
        status(axum::http::StatusCode::CONFLICT);
        ServerFnError::new(message)
    }

    pub(super) fn forbidden() -> ServerFnError {
        status(axum::http::StatusCode::FORBIDDEN);
        ServerFnError::new("无权进行该操作")
    }

    /// The signed-in staff member, or 401 with "请先登录".
    pub(super) async fn signed_in() -> Result<(server::AppState, auth::SignedIn), ServerFnError> {
        let state = expect_context::<server::AppState>();
        let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
        let session = auth::from_headers(&state, &headers)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?;
        match session {
            Some(session) => Ok((state, session)),
            None => {
                status(axum::http::StatusCode::UNAUTHORIZED);
                Err(ServerFnError::new("请先登录"))
            }
        }
    }

    /// A refused ticket step as a message for staff, with the matching status.
    pub(super) fn refused(e: TicketActError) -> ServerFnError {
        let (code, message) = match e {
            TicketActError::NotFound => (404, "工单不存在或无权查看".to_owned()),
            TicketActError::Forbidden => (403, "无权进行该操作".to_owned()),
            TicketActError::Refused(e) => (409, e.message_zh().to_owned()),
            TicketActError::Changed => (409, "工单已被他人更新，请刷新后重试".to_owned()),
            TicketActError::Unreadable | TicketActError::Store(_) => {
                (500, "系统繁忙，请稍后再试".to_owned())
            }
        };
        status(
            axum::http::StatusCode::from_u16(code)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
        ServerFnError::new(message)
    }
}

/// The signed-in staff member (for the administration functions).
#[cfg(feature = "ssr")]
pub(crate) async fn signed_in_for_admin()
-> Result<(server::AppState, server::platform::auth::SignedIn), ServerFnError> {
    ssr::signed_in().await
}

/// 403 with "无权进行该操作" (for the other modules' server functions).
#[cfg(feature = "ssr")]
pub(crate) fn forbidden_error() -> ServerFnError {
    ssr::forbidden()
}

/// 登录.
#[server]
pub async fn staff_login(
    username: String,
    password: String,
    code: String,
) -> Result<(), ServerFnError> {
    use server::platform::auth::{self, LoginError};
    let state = expect_context::<server::AppState>();
    let session = auth::login(&state, &username, &password, &code)
        .await
        .map_err(|e| match e {
            LoginError::Invalid => ServerFnError::new("用户名、密码或动态验证码错误"),
            LoginError::Locked(_) => {
                ServerFnError::new("登录失败次数过多，账户已临时锁定，请15分钟后再试")
            }
            LoginError::Store(e) => ServerFnError::new(e.to_string()),
        })?;
    let cookie = axum::http::HeaderValue::from_str(&auth::session_cookie(&session))?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(axum::http::header::SET_COOKIE, cookie);
    leptos_axum::redirect(auth::home_of(session.role));
    Ok(())
}

/// 退出登录.
#[server]
pub async fn staff_logout(csrf: String) -> Result<(), ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    if !session.check_csrf(&csrf) {
        return Err(ssr::forbidden());
    }
    let headers: axum::http::HeaderMap = leptos_axum::extract().await?;
    let cookie = server::platform::auth::logout(&state, &headers)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&cookie)?,
    );
    leptos_axum::redirect("/staff/login");
    Ok(())
}

/// The signed-in staff member, for the bar on every staff page.
#[server]
pub async fn whoami() -> Result<StaffMe, ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    let username = state
        .store
        .username(session.actor.account_id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .unwrap_or_default();
    Ok(StaffMe {
        username,
        role: session.actor.role.as_str().into(),
        csrf: session.csrf,
    })
}

/// 督办总览 — tickets by department (supervisor).
#[server]
pub async fn department_overview() -> Result<Vec<DepartmentLoadView>, ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    let loads = server::features::ticket::overview(&state, session.actor)
        .await
        .map_err(ssr::refused)?;
    Ok(loads
        .into_iter()
        .map(|l| DepartmentLoadView {
            department: l.department,
            open: l.open,
            overdue: l.overdue,
            escalated: l.escalated,
            appealed: l.appealed,
            closed: l.closed,
        })
        .collect())
}

/// 我的评价 — a window clerk's ratings of the last 30 days.
#[server]
pub async fn own_ratings() -> Result<OwnRatingsView, ServerFnError> {
    use server::features::rating::clerk::{self, ClerkError};
    let (state, session) = ssr::signed_in().await?;
    let own = clerk::own_ratings(&state, session.actor, 30)
        .await
        .map_err(|e| match e {
            ClerkError::Forbidden => ssr::forbidden(),
            ClerkError::NotLinked => ssr::conflict("账号未关联工号，请联系系统管理员"),
            ClerkError::Store(e) => ServerFnError::new(e.to_string()),
        })?;
    Ok(cards::own(own))
}

/// The tickets the signed-in staff member may see.
#[server]
pub async fn my_tickets() -> Result<Vec<TicketCard>, ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    let tickets = server::features::ticket::list(&state, session.actor)
        .await
        .map_err(ssr::refused)?;
    let calendar = state.rules().calendar;
    Ok(tickets.iter().map(|t| cards::card(t, &calendar)).collect())
}

/// One ticket with the steps the staff member may take.
#[server]
pub async fn load_ticket(id: i64) -> Result<TicketView, ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    let detail = server::features::ticket::detail(&state, session.actor, id)
        .await
        .map_err(ssr::refused)?;
    let phone = server::features::ticket::revealed_phone(&state, session.actor, id)
        .await
        .map_err(ssr::refused)?;
    Ok(TicketView {
        phone,
        ..cards::view(
            &detail,
            session.actor,
            session.csrf,
            &state.rules().calendar,
        )
    })
}

/// 处理 — takes one step on a ticket.
#[server]
pub async fn ticket_step(
    id: i64,
    action: String,
    note: String,
    csrf: String,
) -> Result<(), ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    let action = domain::ticket::TicketAction::parse(&action)
        .ok_or_else(|| ServerFnError::new("未知操作"))?;
    if !session.check_csrf(&csrf) {
        return Err(ssr::forbidden());
    }
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    server::features::ticket::act(&state, session.actor, id, action, note)
        .await
        .map_err(ssr::refused)?;
    Ok(())
}

/// 查看联系电话 — for the return visit; every view is logged.
#[server]
pub async fn reveal_phone(id: i64, csrf: String) -> Result<Option<String>, ServerFnError> {
    let (state, session) = ssr::signed_in().await?;
    if !session.check_csrf(&csrf) {
        return Err(ssr::forbidden());
    }
    server::features::ticket::reveal_phone(&state, session.actor, id)
        .await
        .map_err(ssr::refused)
}

#[cfg(feature = "ssr")]
mod cards {
    //! From the store's rows to what the pages show.

    use domain::{
        calendar::format_cst,
        ticket::{TicketAction, TicketState},
    };
    use server::{
        features::ticket::{TicketDetail, TicketListItem},
        platform::db::now_ms,
    };

    use super::{OwnRatingsView, TicketCard, TicketView};

    fn reason_labels(codes: &[i64]) -> Vec<String> {
        let catalogue = domain::Catalogue::CURRENT;
        codes
            .iter()
            .filter_map(|&c| u16::try_from(c).ok().and_then(|c| catalogue.get(c)))
            .map(|r| r.label_zh.into())
            .collect()
    }

    fn level_label(code: i64) -> &'static str {
        domain::Level::from_interface_code(code).map_or("未知", domain::Level::label_zh)
    }

    pub(super) fn own(own: server::features::rating::clerk::OwnRatings) -> OwnRatingsView {
        let counts = (1..=5)
            .rev()
            .map(|code| {
                let n = own
                    .ratings
                    .iter()
                    .filter(|r| i64::from(r.level.interface_code()) == code && !r.invalidated)
                    .count();
                (level_label(code).to_owned(), n)
            })
            .collect();
        OwnRatingsView {
            staff: own.staff,
            days: own.days,
            counts,
            ratings: own
                .ratings
                .into_iter()
                .map(|r| {
                    (
                        format_cst(r.created_at),
                        r.level.label_zh().to_owned(),
                        reason_labels(&r.reasons).join("、"),
                        r.comment,
                        r.invalidated,
                    )
                })
                .collect(),
        }
    }

    /// What is left until `due` (unix ms, end of its day) in working days.
    fn left(due: Option<i64>, calendar: &domain::calendar::Calendar) -> String {
        use domain::calendar::Date;
        let Some(due) = due else {
            return String::new();
        };
        let now = now_ms();
        if due < now {
            return "已超时".into();
        }
        let (today, day) = (Date::from_unix_ms_cst(now), Date::from_unix_ms_cst(due - 1));
        if day == today {
            return "今日到期".into();
        }
        calendar
            .working_days_between(today, day)
            .map_or_else(|_| String::new(), |n| format!("剩余 {n} 个工作日"))
    }

    pub(super) fn card(t: &TicketListItem, calendar: &domain::calendar::Calendar) -> TicketCard {
        let open = t.state != TicketState::Closed;
        TicketCard {
            id: t.id,
            kind_zh: t.kind.label_zh().into(),
            state_zh: t.state.label_zh().into(),
            department: t.department.clone(),
            opened: format_cst(t.opened_at),
            due: t.due_at.map_or_else(
                || "时限待定".into(),
                |d| format!("{} 前", format_cst(d - 1)),
            ),
            left: if open {
                left(t.due_at, calendar)
            } else {
                String::new()
            },
            overdue: open && t.due_at.is_some_and(|d| d < now_ms()),
            escalated: t.escalated,
        }
    }

    pub(super) fn view(
        d: &TicketDetail,
        actor: domain::access::Actor,
        csrf: String,
        calendar: &domain::calendar::Calendar,
    ) -> TicketView {
        let state = d.item.state;
        TicketView {
            card: card(&d.item, calendar),
            real_name: d.real_name,
            level_zh: d.level.map(|l| l.label_zh().into()),
            reasons: reason_labels(&d.reasons),
            text: d.text.clone(),
            history: d
                .events
                .iter()
                .map(|e| {
                    let what = match (e.action.as_str(), TicketAction::parse(&e.action)) {
                        (_, Some(action)) => action.label_zh(),
                        ("escalate_overdue", None) => "超时督办",
                        _ => "工单生成",
                    };
                    let to = e.to.label_zh();
                    (format_cst(e.at), format!("{what} → {to}"), e.note.clone())
                })
                .collect(),
            actions: server::features::ticket::available_actions(actor, d)
                .into_iter()
                .map(|a| (a.name().into(), a.label_zh().into()))
                .collect(),
            can_reveal_phone: d.real_name && actor.may_reveal_phone(d.item.department_id, state),
            phone: None,
            csrf,
        }
    }
}
