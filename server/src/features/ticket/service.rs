//! 工单处理 — staff take a ticket through its steps; `domain` decides what is allowed.

use domain::{
    access::{Actor, Role},
    org::Scope,
    ticket::{
        DueFrom, FixRating, ReturnVisit, TicketAction, TicketError, TicketFacts, TicketState,
        Triage, VisitForm,
    },
    time::Timestamp,
};

use super::{TicketDetail, TicketListItem, TicketRow, TicketStep};
use crate::platform::state::AppState;

/// The tickets `actor` may see: a handler their department's, a supervisor those in their scope.
pub async fn list(state: &AppState, actor: Actor) -> Result<Vec<TicketListItem>, TicketActError> {
    match actor.role {
        Role::Supervisor => Ok(state.store.tickets(None, actor.scope).await?),
        Role::Handler if actor.department_id.is_some() => {
            Ok(state.store.tickets(actor.department_id, Scope::All).await?)
        }
        _ => Err(TicketActError::Forbidden),
    }
}

/// One ticket, if `actor` may see it.
pub async fn detail(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<TicketDetail, TicketActError> {
    let detail = state
        .store
        .ticket_detail(id)
        .await?
        .ok_or(TicketActError::NotFound)?;
    if !may_see(state, actor, detail.item.department_id).await? {
        return Err(TicketActError::NotFound);
    }
    Ok(detail)
}

/// Whether `actor` may see a ticket of `department`, their scope resolved by the store.
async fn may_see(state: &AppState, actor: Actor, department: i64) -> Result<bool, sqlx::Error> {
    let coverage = state.store.coverage(actor.scope).await?;
    Ok(actor.may_see_ticket(department, &coverage))
}

#[derive(Debug, thiserror::Error)]
pub enum TicketActError {
    /// No such ticket, or one the actor may not see: the two are not told apart.
    #[error("ticket not found")]
    NotFound,
    #[error("not allowed for this role or department")]
    Forbidden,
    #[error(transparent)]
    Refused(#[from] TicketError),
    /// The return visit's record does not hold together.
    #[error(transparent)]
    Visit(#[from] domain::ticket::VisitError),
    /// Someone else took a step first; reload and try again.
    #[error("the ticket changed meanwhile")]
    Changed,
    #[error("personal data could not be read")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Ticket `id` as the state machine needs it, if `actor` may see it (else it does not exist for them).
pub(crate) async fn visible_ticket(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<TicketRow, TicketActError> {
    match state.store.ticket(id).await? {
        Some(ticket) if may_see(state, actor, ticket.department_id).await? => Ok(ticket),
        _ => Err(TicketActError::NotFound),
    }
}

/// Takes `action` on ticket `id` for `actor`, recording it in the ticket's history and the audit log.
pub async fn act(
    state: &AppState,
    actor: Actor,
    id: i64,
    action: TicketAction,
    note: Option<&str>,
) -> Result<TicketState, TicketActError> {
    act_at(
        state,
        actor,
        id,
        action,
        note,
        crate::platform::db::now_ms(),
    )
    .await
}

/// The same, taken at `now` (unix ms): the step's time in the history and the figures, and the
/// day its deadlines count from. For tests and imports that replay a history; requests use `act`.
pub async fn act_at(
    state: &AppState,
    actor: Actor,
    id: i64,
    action: TicketAction,
    note: Option<&str>,
    now: i64,
) -> Result<TicketState, TicketActError> {
    let ticket = visible_ticket(state, actor, id).await?;
    if !actor.may_act(action, ticket.department_id) {
        return Err(TicketActError::Forbidden);
    }
    if action.is_visit() {
        return Err(TicketError::VisitRecordRequired.into());
    }
    if action.is_appeal_filing() {
        return Err(TicketError::AppealFilingRequired.into());
    }
    let account = Some(actor.account_id);
    take(state, &ticket, action, account, note, Record::Plain, now).await
}

/// 申诉 — files the appeal on `ticket` (already found visible to `actor`) with its category and
/// the evidence already written to disk, at `now`: the step and the appeal in one transaction.
pub(crate) async fn file_appeal_step(
    state: &AppState,
    actor: Actor,
    ticket: &TicketRow,
    reason: &str,
    appeal: &crate::features::appeal::NewAppeal<'_>,
    now: i64,
) -> Result<TicketState, TicketActError> {
    let action = TicketAction::Triage(Triage::Appeal);
    if !actor.may_act(action, ticket.department_id) {
        return Err(TicketActError::Forbidden);
    }
    let account = Some(actor.account_id);
    let record = Record::Appeal(appeal);
    take(state, ticket, action, account, Some(reason), record, now).await
}

/// What a step carries beside its history line.
#[derive(Debug, Clone, Copy)]
enum Record<'a> {
    Plain,
    Visit(&'a ReturnVisit),
    Appeal(&'a crate::features::appeal::NewAppeal<'a>),
}

/// 回访 — records a return visit on ticket `id`: reached, it verifies the ticket; a failed attempt
/// stays on record and the visit is still owed. The form's time lies between the ticket's opening
/// and now.
pub async fn record_visit(
    state: &AppState,
    actor: Actor,
    id: i64,
    form: VisitForm<'_>,
) -> Result<TicketState, TicketActError> {
    let ticket = visible_ticket(state, actor, id).await?;
    if !actor.may_act(TicketAction::RecordVisit, ticket.department_id) {
        return Err(TicketActError::Forbidden);
    }
    let now = Timestamp::from_unix_ms(crate::platform::db::now_ms());
    let visit = form.read(ticket.opened_at, now)?;
    let account = Some(actor.account_id);
    let note = visit.note.clone();
    take(
        state,
        &ticket,
        visit.action(),
        account,
        Some(&note),
        Record::Visit(&visit),
        now.unix_ms(),
    )
    .await
}

/// Asks `domain` whether `action` is possible now and, if so, records it: state, history, audit log
/// (staff only), the deadline of the state it leads to, the ledger deadline, an upheld appeal's
/// invalidation, and the step's own record (a return visit, an appeal). `account`: `None` for the
/// citizen.
async fn take(
    state: &AppState,
    ticket: &TicketRow,
    action: TicketAction,
    account: Option<i64>,
    note: Option<&str>,
    record: Record<'_>,
    now: i64,
) -> Result<TicketState, TicketActError> {
    let today = Timestamp::from_unix_ms(now);
    let transition = ticket.state.apply(action, ticket.facts)?;
    action.check_note(note)?;
    let deadlines = state.rules().deadlines;
    let rectify_due_at = (action == TicketAction::Triage(Triage::Ledger))
        .then(|| state.deadline_from(today, deadlines.rectification))
        .flatten();
    // A complex complaint's reply is due the longer deadline after the day it was made.
    let reply_due_at = (action == TicketAction::MarkComplex)
        .then(|| state.deadline_from(ticket.opened_at, deadlines.complaint_reply_complex))
        .flatten();
    let state_due_at = match ticket
        .kind
        .due_after(action, transition.to, ticket.facts.replied)
    {
        DueFrom::Nothing => None,
        DueFrom::ComplaintReply => reply_due_at.or(ticket.reply_due_at),
        DueFrom::Setting(setting) => state.deadline_from(today, deadlines.get(setting)),
    };
    let step = TicketStep {
        ticket,
        account,
        action,
        to_state: transition.to,
        note,
        escalates: transition.escalates,
        invalidate: transition
            .invalidates_evaluation
            .then(|| note.unwrap_or("申诉成立")),
        rectify_due_at,
        reply_due_at,
        state_due_at,
        visit: match record {
            Record::Visit(visit) => Some(visit),
            _ => None,
        },
        appeal: match record {
            Record::Appeal(appeal) => Some(appeal),
            _ => None,
        },
        at: now,
    };
    if !state.store.apply_ticket_step(&step).await? {
        return Err(TicketActError::Changed);
    }
    Ok(transition.to)
}

/// How long a revealed phone stays on the handler's ticket page (each showing is logged again).
const REVEAL_MS: i64 = 10 * 60 * 1000;

/// The phone to show on the ticket page, if `actor` revealed it in the last minutes and may still:
/// so that the reveal works without JavaScript (form post, then the page again). Logged again.
pub async fn revealed_phone(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<Option<String>, TicketActError> {
    let since = crate::platform::db::now_ms() - REVEAL_MS;
    if !state
        .store
        .phone_revealed_since(actor.account_id, id, since)
        .await?
    {
        return Ok(None);
    }
    match reveal_phone(state, actor, id).await {
        Ok(phone) => Ok(phone),
        // The ticket moved on (the visit is recorded): the number is no longer shown.
        Err(TicketActError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

/// 超时督办 — raises the tickets that passed their deadline to the supervisor (run every minute).
pub async fn escalate_overdue(state: &AppState, now: i64) -> Result<Vec<i64>, TicketActError> {
    let raised = state.store.escalate_overdue(now).await?;
    if !raised.is_empty() {
        tracing::info!("raised {} overdue tickets to the supervisor", raised.len());
    }
    Ok(raised)
}

/// 督办总览 — the tickets of every department in the supervisor's scope, for supervisors only.
pub async fn overview(
    state: &AppState,
    actor: Actor,
) -> Result<Vec<crate::features::ticket::DepartmentLoad>, TicketActError> {
    if actor.role != Role::Supervisor {
        return Err(TicketActError::Forbidden);
    }
    Ok(state
        .store
        .department_loads(crate::platform::db::now_ms(), actor.scope)
        .await?)
}

/// The evaluator's phone for the return visit, for the handler of the ticket only; every reveal is
/// in the audit log. `None`: the evaluator left no number.
pub async fn reveal_phone(
    state: &AppState,
    actor: Actor,
    id: i64,
) -> Result<Option<String>, TicketActError> {
    let ticket = visible_ticket(state, actor, id).await?;
    if !actor.may_reveal_phone(ticket.department_id, ticket.state) {
        return Err(TicketActError::Forbidden);
    }
    match state
        .store
        .reveal_ticket_phone(id, actor.account_id)
        .await?
    {
        Some(sealed) => state
            .secrets
            .decrypt(&sealed)
            .map(Some)
            .map_err(|_| TicketActError::Unreadable),
        None => Ok(None),
    }
}

/// The steps `actor` may take on this ticket now, in the order they are usually taken.
pub fn available_actions(actor: Actor, detail: &TicketDetail) -> Vec<TicketAction> {
    let state = detail.item.state;
    let actions = detail.events.iter().map(|e| e.action.as_str());
    let facts = TicketFacts::from_history(detail.item.kind, detail.real_name, actions);
    TicketAction::ALL
        .into_iter()
        .filter(|&a| actor.may_act(a, detail.item.department_id) && state.apply(a, facts).is_ok())
        .collect()
}

/// 整改评价 — the citizen, holding the tracking code, rates the fix; 不满意 reopens and escalates.
pub async fn citizen_rates_fix(
    state: &AppState,
    tracking_code: &str,
    rating: FixRating,
) -> Result<TicketState, TicketActError> {
    let id = state
        .store
        .ticket_id_by_tracking(tracking_code)
        .await?
        .ok_or(TicketActError::NotFound)?;
    let ticket = state
        .store
        .ticket(id)
        .await?
        .ok_or(TicketActError::NotFound)?;
    take(
        state,
        &ticket,
        TicketAction::RateFix(rating),
        None,
        None,
        Record::Plain,
        crate::platform::db::now_ms(),
    )
    .await
}
