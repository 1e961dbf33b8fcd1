//! 工单页面 — tickets as the staff pages show them: the list with each deadline and the working
//! days left, and one ticket with its history, the steps the staff member may take and, after a
//! reveal, the phone.

use domain::{
    access::Actor,
    calendar::Calendar,
    ticket::{TicketAction, TicketState},
    time::Timestamp,
};

use super::{TicketActError, TicketDetail, TicketListItem};
use crate::platform::{db::now, state::AppState};

/// A ticket in a list, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketLine {
    pub id: i64,
    /// 差评 or 投诉.
    pub kind_zh: &'static str,
    pub state_zh: &'static str,
    pub department: String,
    pub opened: String,
    /// The current deadline; "时限待定" when the calendar lacks the year; "—" once closed.
    pub due: String,
    /// Time left in working days: "剩余 3 个工作日", "今日到期", "已超时", or empty.
    pub left: String,
    pub overdue: bool,
    pub escalated: bool,
}

/// One step of a ticket's history, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLine {
    pub at: String,
    /// The step and the state it led to ("回访 → 待处置").
    pub what: String,
    pub note: Option<String>,
}

/// One ticket as its handler sees it (the phone only when revealed in the last minutes).
#[derive(Debug, Clone, PartialEq)]
pub struct TicketPage {
    pub line: TicketLine,
    pub real_name: bool,
    pub level_zh: Option<&'static str>,
    pub reasons: Vec<&'static str>,
    pub text: Option<String>,
    pub history: Vec<HistoryLine>,
    /// The steps the staff member may take now.
    pub actions: Vec<TicketAction>,
    pub can_reveal_phone: bool,
    pub phone: Option<String>,
    /// 申诉: the appeal on record (filed since migration 0027) with its evidence files.
    pub appeal: Option<crate::features::appeal::AppealRecord>,
    /// The handler may add evidence now (the appeal is undecided).
    pub may_add_evidence: bool,
    /// While the appeal waits for its decision: its deadline and the time left.
    pub appeal_due: Option<String>,
}

/// The labels of reason codes.
pub fn reason_labels(codes: &[i64]) -> Vec<&'static str> {
    domain::Catalogue::CURRENT.labels_of(codes)
}

/// What is left until `due` (the end of its day) in working days.
fn left(due: Option<Timestamp>, calendar: &Calendar) -> String {
    let Some(due) = due else {
        return String::new();
    };
    let now = now();
    if due < now {
        return "已超时".into();
    }
    let (today, day) = (now.date_cst(), due.deadline_date_cst());
    if day == today {
        return "今日到期".into();
    }
    calendar
        .working_days_between(today, day)
        .map_or_else(|_| String::new(), |n| format!("剩余 {n} 个工作日"))
}

/// A ticket's line in a list.
pub fn ticket_line(t: &TicketListItem, calendar: &Calendar) -> TicketLine {
    let open = t.state != TicketState::Closed;
    TicketLine {
        id: t.id,
        kind_zh: t
            .source
            .map_or_else(|| t.kind.label_zh(), |s| s.ticket_kind_zh()),
        state_zh: t.state.label_zh(),
        department: t.department.clone(),
        opened: t.opened_at.to_string(),
        due: match t.due_at {
            Some(d) => format!("{} 前", d.minus_ms(1)),
            None if open => "时限待定".into(),
            None => "—".into(),
        },
        left: if open {
            left(t.due_at, calendar)
        } else {
            String::new()
        },
        overdue: open && t.due_at.is_some_and(|d| d < now()),
        escalated: t.escalated,
    }
}

/// The tickets `actor` may see, as listed.
pub async fn ticket_lines(
    state: &AppState,
    actor: Actor,
) -> Result<Vec<TicketLine>, TicketActError> {
    let tickets = super::list(state, actor).await?;
    let calendar = state.rules().calendar;
    Ok(tickets.iter().map(|t| ticket_line(t, &calendar)).collect())
}

/// `appeal`: the category of the ticket's appeal, shown beside its filing (one per ticket).
fn history(d: &TicketDetail, appeal: Option<domain::appeal::AppealCategory>) -> Vec<HistoryLine> {
    d.events
        .iter()
        .map(|e| {
            let what = match (e.action.as_str(), TicketAction::parse(&e.action)) {
                (_, Some(action)) => action.label_zh(),
                ("escalate_overdue", None) => "超时督办",
                _ => "工单生成",
            };
            let what = match (e.visit.record(e.note.as_deref()), appeal) {
                // 回访记录: when, how, reached, 属实 / 合理, beside the step.
                (Some(visit), _) => format!("{what}（{} {}）", visit.at, visit.summary_zh()),
                (None, Some(category)) if e.action == "triage_appeal" => {
                    format!("{what}（{}）", category.label_zh())
                }
                _ => what.to_owned(),
            };
            HistoryLine {
                at: e.at.to_string(),
                what: format!("{what} → {}", e.to.label_zh()),
                note: e.note.clone(),
            }
        })
        .collect()
}

/// One ticket, if `actor` may see it, with the steps they may take.
pub async fn ticket_page(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<TicketPage, TicketActError> {
    let d = super::detail(state, actor, id).await?;
    let phone = super::revealed_phone(state, actor, id).await?;
    let ticket_state = d.item.state;
    let appeal = state.store.appeal_of(id).await?;
    let may_add_evidence = appeal.is_some()
        && crate::features::appeal::may_add_evidence(actor, d.item.department_id, ticket_state);
    let line = ticket_line(&d.item, &state.rules().calendar);
    let appeal_due = (ticket_state == TicketState::Appealed)
        .then(|| format!("{} {}", line.due, line.left).trim().to_owned());
    Ok(TicketPage {
        line,
        real_name: d.real_name,
        level_zh: d.level.map(domain::Level::label_zh),
        reasons: reason_labels(&d.reasons),
        text: d.text.clone(),
        history: history(&d, appeal.as_ref().map(|a| a.category)),
        actions: super::available_actions(actor, &d),
        can_reveal_phone: d.real_name && actor.may_reveal_phone(d.item.department_id, ticket_state),
        phone,
        appeal,
        may_add_evidence,
        appeal_due,
    })
}
