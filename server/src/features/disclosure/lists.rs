//! The other public pages: the window staff's 公示 page by page, the rectification list of a
//! month, and the settings in force for the methods page.

use super::{
    Children, DisclosureError, Methods, PublishedRectification, Rectifications, STAFF_PER_PAGE,
    StaffFigures, child, month_or, this_month,
};
use crate::platform::state::AppState;

/// 窗口工作人员评价公示 — each window clerk's 评价率 and 满意度 for a month (the previous one by
/// default), by name or by staff number as set, `STAFF_PER_PAGE` to a page.
pub async fn staff_figures(
    state: &AppState,
    month: &str,
    page: &str,
) -> Result<StaffFigures, DisclosureError> {
    let disclosure = state.rules().disclosure;
    let policy = disclosure.policy;
    let month = month_or(month, this_month().prev());
    let total = state
        .store
        .count_children(Children::AllStaff, month, month)
        .await?;
    let pages = usize::try_from(total)
        .unwrap_or(0)
        .div_ceil(STAFF_PER_PAGE)
        .max(1);
    let page = page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let per_page = STAFF_PER_PAGE as i64;
    let offset = (page as i64 - 1) * per_page;
    let rows = state
        .store
        .stat_children_page(Children::AllStaff, month, month, per_page, offset)
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let name = if disclosure.staff_by_name {
                r.name
            } else {
                format!("工号 {}", r.code)
            };
            child(&r.counts, name, None, policy)
        })
        .collect();
    Ok(StaffFigures {
        month: month.to_string(),
        page,
        pages,
        rows,
    })
}

/// 整改公示 — the 差评 of a month's services (this month by default) whose loop closed.
pub async fn rectifications(
    state: &AppState,
    month: &str,
) -> Result<Rectifications, DisclosureError> {
    let month = month_or(month, this_month());
    let rows = state.store.closed_rectifications(month).await?;
    let calendar = state.rules().calendar;
    let catalogue = domain::Catalogue::CURRENT;
    let rows = rows
        .into_iter()
        .map(|r| PublishedRectification {
            department: r.department,
            item: r.item.unwrap_or_else(|| "窗口服务".into()),
            reasons: catalogue.labels_of(&r.reasons).join("、"),
            how: domain::ticket::TicketAction::parse(&r.triage)
                .map_or("—", domain::ticket::TicketAction::label_zh)
                .to_owned(),
            working_days: calendar
                .working_days_between(r.opened_at.date_cst(), r.closed_at.date_cst())
                .ok(),
        })
        .collect();
    Ok(Rectifications {
        month: month.to_string(),
        rows,
    })
}

/// The definitions' settings and the deadlines in force, with the default-evaluation rule.
pub async fn methods(state: &AppState) -> Result<Methods, sqlx::Error> {
    let rules = state.rules();
    let notify = state.store.notify_settings().await?;
    Ok(Methods {
        basic_counts_as_good: rules.disclosure.policy.basic_counts_as_good,
        min_sample: rules.disclosure.policy.min_sample,
        staff_by_name: rules.disclosure.staff_by_name,
        deadlines: rules.deadlines,
        default_evaluation: notify.default_evaluation.method_zh(),
        invitations: invitations_zh(&notify.invite),
    })
}

/// How the methods page states the invitation rule.
fn invitations_zh(invite: &domain::notify::InviteSettings) -> String {
    if !invite.enabled {
        return "本系统未启用评价邀请短信。".to_owned();
    }
    format!(
        "办件登记后 {} 天仍未评价、且登记了手机号的，发送一条评价邀请短信，此后最多提醒 {} 次、间隔 {} 天；\
         每日 {}:00 至次日 {}:00 不发送；已评价或已退订（短信内退订链接或回复TD）的不再发送；未关联办件的扫码评价不发送。",
        invite.after_days,
        invite.reminders,
        invite.spacing_days,
        invite.quiet.start,
        invite.quiet.end
    )
}
