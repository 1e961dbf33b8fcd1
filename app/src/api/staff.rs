//! Server functions of the management end. Every one checks the session; the ones that change
//! something also check the form's CSRF token.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

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
    pub history: Vec<HistoryEntry>,
    /// (action name, button label)
    pub actions: Vec<(String, String)>,
    pub can_reveal_phone: bool,
    /// The phone, when the handler revealed it in the last minutes (logged each time it is shown).
    pub phone: Option<String>,
    /// Now in China time as a `datetime-local` value: the visit form's default time.
    pub now_local: String,
    pub csrf: String,
    /// 申诉: the appeal on record, with its evidence.
    pub appeal: Option<AppealView>,
    /// The handler may add evidence to the undecided appeal.
    pub may_add_evidence: bool,
}

/// 申诉 as the ticket page shows it (staff only; never on a public page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppealView {
    pub category_zh: String,
    /// While undecided: the decision's deadline and the time left.
    pub due: Option<String>,
    pub filed_by: String,
    pub filed_at: String,
    pub evidence: Vec<EvidenceView>,
}

/// One evidence file, with its download link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: i64,
    pub name: String,
    pub kind_zh: String,
    /// "1.2 MB", "34 KB".
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub href: String,
}

/// One step of a ticket's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    /// The step and the state it led to.
    pub what: String,
    pub note: Option<String>,
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

/// 办结，请评价 — the window clerk finishes the visit being served at their window; the window's
/// 评价器 then offers its rating to the citizen. The clerk never sees the choice.
#[server]
pub async fn finish_visit(csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let now = server::platform::db::now();
    server::features::device::finish_at_counter(&state, session.actor, now).await?;
    Ok(())
}

/// 评价器静默 — a tablet quiet too long while its window served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilentDeviceView {
    pub window: String,
    pub hall: String,
    /// Its last rating, or its enrolment.
    pub since: String,
    /// Visits its window finished since.
    pub served: i64,
}

/// The tablets silent for the set working hours while their window served (supervisor).
#[server]
pub async fn silent_devices() -> Result<Vec<SilentDeviceView>, ApiError> {
    let (state, session) = super::staff_session().await?;
    let now = server::platform::db::now();
    let silent = server::features::device::silent(&state, session.actor, now).await?;
    Ok(silent.into_iter().map(from_server::silent).collect())
}

/// A window clerk's ratings: counts and words, never a rating's time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnRatingsView {
    pub staff: String,
    pub days: u32,
    /// Count per level, 非常满意 first (invalidated ratings left out).
    pub counts: Vec<(String, usize)>,
    /// Per day (newest first): the date and the count per level.
    pub per_day: Vec<(String, [usize; 5])>,
    /// Reasons chosen, most frequent first.
    pub reasons: Vec<(String, usize)>,
    /// Day, level and the citizen's words the clerk may read.
    pub comments: Vec<(String, String, String)>,
    /// 差评 words withheld until their ticket is closed.
    pub withheld: usize,
    /// Ratings excluded by an upheld appeal.
    pub invalidated: usize,
}

/// 登录.
#[server]
pub async fn staff_login(username: String, password: String, code: String) -> Result<(), ApiError> {
    use server::platform::auth;
    let state = expect_context::<server::AppState>();
    let session = auth::login(&state, &username, &password, &code).await?;
    let cookie = axum::http::HeaderValue::from_str(&auth::session_cookie(&state, &session))?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(axum::http::header::SET_COOKIE, cookie);
    leptos_axum::redirect(session.role.home());
    Ok(())
}

/// 退出登录.
#[server]
pub async fn staff_logout(csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let cookie = server::platform::auth::logout(&state, &session).await?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(
        axum::http::header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&cookie)?,
    );
    leptos_axum::redirect("/staff/login");
    Ok(())
}

/// The signed-in staff member, for the bar on every staff page.
#[server]
pub async fn whoami() -> Result<StaffMe, ApiError> {
    let (state, session) = super::staff_session().await?;
    let username = state.store.username(session.actor.account_id).await?;
    Ok(StaffMe {
        username: username.unwrap_or_default(),
        role: session.actor.role.as_str().into(),
        csrf: session.csrf().to_owned(),
    })
}

/// 督办总览 — tickets by department (supervisor).
#[server]
pub async fn department_overview() -> Result<Vec<DepartmentLoadView>, ApiError> {
    let (state, session) = super::staff_session().await?;
    let loads = server::features::ticket::overview(&state, session.actor).await?;
    Ok(loads.into_iter().map(from_server::load).collect())
}

/// 我的评价 — a window clerk's ratings of the last 30 days.
#[server]
pub async fn own_ratings() -> Result<OwnRatingsView, ApiError> {
    let (state, session) = super::staff_session().await?;
    let page = server::features::rating::own_ratings_page(&state, session.actor, 30).await?;
    Ok(from_server::own(page))
}

/// The tickets the signed-in staff member may see.
#[server]
pub async fn my_tickets() -> Result<Vec<TicketCard>, ApiError> {
    let (state, session) = super::staff_session().await?;
    let lines = server::features::ticket::ticket_lines(&state, session.actor).await?;
    Ok(lines.into_iter().map(from_server::card).collect())
}

/// One ticket with the steps the staff member may take.
#[server]
pub async fn load_ticket(id: i64) -> Result<TicketView, ApiError> {
    let (state, session) = super::staff_session().await?;
    let t = server::features::ticket::ticket_page(&state, session.actor, id).await?;
    Ok(from_server::ticket(t, session.csrf()))
}

/// 处理 — takes one step on a ticket.
#[server]
pub async fn ticket_step(
    id: i64,
    action: String,
    note: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    let action = domain::ticket::TicketAction::parse(&action)
        .ok_or_else(|| ApiError::invalid("action", "未知操作"))?;
    session.check_csrf(&csrf)?;
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    server::features::ticket::act(&state, session.actor, id, action, note).await?;
    Ok(())
}

pub use visit::{RecordVisit, record_visit};

/// The return-visit form has eight fields: one argument each.
pub mod visit {
    #![allow(clippy::too_many_arguments)]

    use leptos::prelude::*;

    use super::ApiError;

    /// 回访 — records a return visit: when (China time, `datetime-local`), how (phone / sms /
    /// on_site), reached (yes / no) and, when reached, 属实 and 合理 (yes / no), with a note.
    #[server]
    pub async fn record_visit(
        id: i64,
        at: String,
        method: String,
        reached: String,
        #[server(default)] substantiated: String,
        #[server(default)] reasonable: String,
        note: String,
        csrf: String,
    ) -> Result<(), ApiError> {
        let (state, session) = crate::api::staff_session().await?;
        session.check_csrf(&csrf)?;
        let form = domain::ticket::VisitForm {
            at: &at,
            method: &method,
            reached: &reached,
            substantiated: &substantiated,
            reasonable: &reasonable,
            note: &note,
        };
        server::features::ticket::record_visit(&state, session.actor, id, form).await?;
        Ok(())
    }
}

/// 查看联系电话 — for the return visit; every view is logged.
#[server]
pub async fn reveal_phone(id: i64, csrf: String) -> Result<Option<String>, ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    Ok(server::features::ticket::reveal_phone(&state, session.actor, id).await?)
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's ticket and rating pages to this module's types.

    use server::features::{
        rating::OwnRatingsPage,
        ticket::{DepartmentLoad, TicketLine, TicketPage},
    };

    use super::{
        AppealView, DepartmentLoadView, EvidenceView, HistoryEntry, OwnRatingsView, TicketCard,
        TicketView,
    };

    pub(super) fn load(l: DepartmentLoad) -> DepartmentLoadView {
        DepartmentLoadView {
            department: l.department,
            open: l.open,
            overdue: l.overdue,
            escalated: l.escalated,
            appealed: l.appealed,
            closed: l.closed,
        }
    }

    pub(super) fn silent(s: server::features::device::SilentDevice) -> super::SilentDeviceView {
        super::SilentDeviceView {
            since: s
                .device
                .last_rated_at
                .unwrap_or(s.device.enrolled_at)
                .to_string(),
            window: s.device.window,
            hall: s.device.hall,
            served: s.served_since,
        }
    }

    /// A file's size as people read it: KB below a megabyte, else MB with one decimal.
    fn size(bytes: i64) -> String {
        if bytes < 1024 * 1024 {
            format!("{} KB", (bytes + 1023) / 1024)
        } else {
            format!("{}.{} MB", bytes >> 20, ((bytes % (1 << 20)) * 10) >> 20)
        }
    }

    fn appeal(
        id: i64,
        a: server::features::appeal::AppealRecord,
        due: Option<String>,
    ) -> AppealView {
        AppealView {
            due,
            category_zh: a.category.label_zh().into(),
            filed_by: a.filed_by,
            filed_at: a.filed_at.to_string(),
            evidence: a
                .evidence
                .into_iter()
                .map(|e| EvidenceView {
                    href: format!("/staff/tickets/{id}/evidence/{}", e.id),
                    id: e.id,
                    name: e.original_name,
                    kind_zh: e.kind.label_zh().into(),
                    size: size(e.size),
                    uploaded_by: e.uploaded_by,
                    uploaded_at: e.uploaded_at.to_string(),
                })
                .collect(),
        }
    }

    pub(super) fn ticket(t: TicketPage, csrf: &str) -> TicketView {
        let id = t.line.id;
        TicketView {
            appeal: t.appeal.map(|a| appeal(id, a, t.appeal_due)),
            may_add_evidence: t.may_add_evidence,
            card: card(t.line),
            real_name: t.real_name,
            level_zh: t.level_zh.map(str::to_owned),
            reasons: t.reasons.into_iter().map(str::to_owned).collect(),
            text: t.text,
            history: t
                .history
                .into_iter()
                .map(|h| HistoryEntry {
                    at: h.at,
                    what: h.what,
                    note: h.note,
                })
                .collect(),
            actions: t
                .actions
                .into_iter()
                .map(|a| (a.name().into(), a.label_zh().into()))
                .collect(),
            can_reveal_phone: t.can_reveal_phone,
            phone: t.phone,
            now_local: domain::ticket::format_local_time(server::platform::db::now()),
            csrf: csrf.to_owned(),
        }
    }

    pub(super) fn card(t: TicketLine) -> TicketCard {
        TicketCard {
            id: t.id,
            kind_zh: t.kind_zh.into(),
            state_zh: t.state_zh.into(),
            department: t.department,
            opened: t.opened,
            due: t.due,
            left: t.left,
            overdue: t.overdue,
            escalated: t.escalated,
        }
    }

    pub(super) fn own(page: OwnRatingsPage) -> OwnRatingsView {
        OwnRatingsView {
            staff: page.staff,
            days: page.days,
            counts: page
                .counts
                .into_iter()
                .map(|c| (c.level_zh.to_owned(), c.count))
                .collect(),
            per_day: page
                .per_day
                .into_iter()
                .map(|d| (d.day, d.counts))
                .collect(),
            reasons: page
                .reasons
                .into_iter()
                .map(|(label, n)| (label.to_owned(), n))
                .collect(),
            comments: page
                .comments
                .into_iter()
                .map(|c| (c.day, c.level_zh.to_owned(), c.text))
                .collect(),
            withheld: page.withheld,
            invalidated: page.invalidated,
        }
    }
}
