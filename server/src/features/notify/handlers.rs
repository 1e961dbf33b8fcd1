//! 差评即时提醒 — the handling department hears at once when a 差评 or a complaint opens a ticket,
//! and again when the ticket's running deadline is one working day away: through its group robot
//! and/or an SMS to its contact phone, with no personal data (department, kind, ticket number,
//! tracking code, deadline). Each (ticket, deadline) is told once: the notice is claimed before it
//! is sent, so concurrent runs (the minute timer and the run after a rating) never both send.

use domain::{notify::HandlerNotice, ticket::TicketKind, time::Timestamp};
use serde_json::json;

use super::{
    Sent,
    gateway::{self, Sms},
    store::{LogEntry, NoticeCandidate},
};
use crate::features::admin::{NotifySettings, SmsKind};
use crate::platform::{db::now_ms, state::AppState};

/// Tickets opened longer ago than this are not announced when notices are first configured.
const OPENED_WINDOW_MS: i64 = 86_400_000;

/// Runs [`notify_handlers`] now, in the background: called right after a ticket opens.
pub fn notify_handlers_soon(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = notify_handlers(&state, now_ms()).await {
            tracing::warn!("handlers not notified: {e}");
        }
    });
}

/// Tells departments of the tickets opened and of the deadlines one working day away at `now`.
pub async fn notify_handlers(state: &AppState, now: i64) -> Result<Sent, sqlx::Error> {
    let settings = state.store.notify_settings().await?;
    if settings.departments.values().all(|t| t.is_empty()) {
        return Ok(Sent::default());
    }
    let until = warning_horizon(state, now);
    let mut sent = Sent::default();
    for ticket in state
        .store
        .tickets_opened_untold(now - OPENED_WINDOW_MS)
        .await?
    {
        if !state
            .store
            .claim_notice(ticket.id, "opened", 0, now)
            .await?
        {
            continue;
        }
        // The opening's message states the deadline: no second message for the same one.
        if let (Some(due), Some(until)) = (ticket.due_at, until)
            && due.unix_ms() <= until
        {
            state
                .store
                .claim_notice(ticket.id, "deadline_near", due.unix_ms(), now)
                .await?;
        }
        let notice = match ticket.kind {
            TicketKind::Complaint => HandlerNotice::Complaint,
            _ => HandlerNotice::BadReview,
        };
        tell(state, &settings, &ticket, notice, now, &mut sent).await?;
    }
    let Some(until) = until else {
        return Ok(sent);
    };
    for ticket in state.store.tickets_due_by(now, until).await? {
        let due = ticket.due_at.map_or(0, Timestamp::unix_ms);
        if state
            .store
            .claim_notice(ticket.id, "deadline_near", due, now)
            .await?
        {
            tell(
                state,
                &settings,
                &ticket,
                HandlerNotice::DeadlineNear,
                now,
                &mut sent,
            )
            .await?;
        }
    }
    Ok(sent)
}

/// The end of the next working day after today (China time): a deadline up to then is "one
/// working day away". `None` when the calendar lacks the year.
fn warning_horizon(state: &AppState, now: i64) -> Option<i64> {
    let today = Timestamp::from_unix_ms(now).date_cst();
    match state.rules().calendar.add_working_days(today, 1) {
        Ok(day) => Some(day.end_unix_ms_cst()),
        Err(e) => {
            tracing::warn!("no deadline warnings: {e}");
            None
        }
    }
}

/// Sends `notice` about `ticket` to its department's robot and contact phone, each logged.
async fn tell(
    state: &AppState,
    settings: &NotifySettings,
    ticket: &NoticeCandidate,
    notice: HandlerNotice,
    now: i64,
    sent: &mut Sent,
) -> Result<(), sqlx::Error> {
    let Some(target) = settings.departments.get(&ticket.department_code) else {
        return Ok(());
    };
    let due = ticket.due_at.map(|d| d.to_string());
    let text = notice.text(
        &ticket.department,
        ticket.id,
        &ticket.tracking_code,
        due.as_deref(),
    );
    let mut outcomes = Vec::new();
    if !target.robot_url.is_empty() {
        let secret = gateway::open_secret(state, target.robot_secret_sealed.as_deref());
        let outcome =
            gateway::send_robot(state, &target.robot_url, secret.as_deref(), &text, now).await;
        outcomes.push(("robot", None, outcome));
    }
    if !target.contact_phone.is_empty() && settings.sms.kind != SmsKind::Off {
        let sms = Sms {
            phone: &target.contact_phone,
            variables: json!({
                "department": ticket.department,
                "ticket": ticket.id,
                "tracking_code": ticket.tracking_code,
                "deadline": due,
            }),
            text: &text,
        };
        let outcome = gateway::send_sms(state, &settings.sms, &sms).await;
        outcomes.push(("sms", Some(target.contact_phone.as_str()), outcome));
    }
    for (via, phone, outcome) in outcomes {
        if outcome.is_ok() {
            sent.done += 1;
        } else {
            sent.failed += 1;
            tracing::warn!(ticket = ticket.id, via, "handler notice not accepted");
        }
        state
            .store
            .log_message(LogEntry {
                kind: notice.as_str(),
                via,
                occurrence_id: None,
                ticket_id: Some(ticket.id),
                phone,
                outcome: &outcome,
                at: now,
            })
            .await?;
    }
    Ok(())
}
