//! 补齐时限 — tickets without a running deadline get one: those opened or moved on while the
//! holiday calendar lacked the year (once an administrator enters it), and those whose state had
//! no deadline before migration 0013. So no ticket that is not closed stays without a due date.

use domain::{
    ticket::{Due, DueFrom, TicketAction, TicketKind, TicketState},
    time::Timestamp,
};

use super::TicketActError;
use crate::platform::{
    db::{Store, StoreResult},
    state::AppState,
};

/// A ticket not closed whose running deadline is missing, with what sets it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WithoutDue {
    pub id: i64,
    pub kind: TicketKind,
    pub state: TicketState,
    pub opened_at: Timestamp,
    pub reply_due_at: Option<Timestamp>,
    /// The step that led to the state (`open` for a new ticket) and when it was taken.
    pub last_action: String,
    pub entered_at: Timestamp,
    #[sqlx(try_from = "domain::sql::Flag")]
    pub replied: bool,
    #[sqlx(try_from = "domain::sql::Flag")]
    pub complex: bool,
}

impl Store {
    /// Up to 500 tickets, not closed, without a running deadline.
    pub async fn tickets_without_due(&self) -> StoreResult<Vec<WithoutDue>> {
        let last = "FROM ticket_event e WHERE e.ticket_id = t.id AND e.action <> 'escalate_overdue' \
                    ORDER BY e.id DESC LIMIT 1";
        let sql = format!(
            "SELECT t.id, t.kind, t.state, t.opened_at, t.reply_due_at, \
             coalesce((SELECT e.action {last}), 'open') AS last_action, \
             coalesce((SELECT e.at {last}), t.opened_at) AS entered_at, \
             EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.action = 'reply') AS replied, \
             EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.action = 'mark_complex') AS complex \
             FROM ticket t WHERE t.state <> 'closed' AND {} IS NULL ORDER BY t.id LIMIT 500",
            domain::sql::due_at_sql("t")
        );
        sqlx::query_as(&sql).fetch_all(&self.pool).await
    }

    /// Sets the running deadline of ticket `id`, still in `state` and still without one.
    pub async fn set_missing_due(
        &self,
        id: i64,
        state: TicketState,
        due: Due,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let column = match due {
            Due::Contact => "contact_due_at",
            Due::Reply => "reply_due_at",
            Due::State => "state_due_at",
        };
        let sql = format!(
            "UPDATE ticket SET {column} = $1 WHERE id = $2 AND state = $3 AND {column} IS NULL"
        );
        let done = sqlx::query(&sql)
            .bind(at)
            .bind(id)
            .bind(state)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The deadline `t` should have had, on the calendar and settings in force (`None`: the calendar
/// still lacks the year).
fn missing_due(state: &AppState, t: &WithoutDue) -> Option<(Due, Timestamp)> {
    let deadlines = state.rules().deadlines;
    let complaint_reply = || {
        let days = if t.complex {
            deadlines.complaint_reply_complex
        } else {
            deadlines.complaint_reply
        };
        state.deadline_from(t.opened_at, days)
    };
    let due = t.kind.due_in(t.state)?;
    let at = match due {
        Due::Contact => state.deadline_from(t.opened_at, deadlines.first_contact),
        Due::Reply => complaint_reply(),
        Due::State => {
            let action = TicketAction::parse(&t.last_action)?;
            match t.kind.due_after(action, t.state, t.replied) {
                DueFrom::Setting(s) => state.deadline_from(t.entered_at, deadlines.get(s)),
                DueFrom::ComplaintReply => t.reply_due_at.or_else(complaint_reply),
                DueFrom::Nothing => None,
            }
        }
    }?;
    Some((due, at))
}

/// Gives every ticket not closed that lacks its running deadline one, where the calendar allows
/// (run every minute, before the overdue check). Returns the tickets given one.
pub async fn fill_missing_deadlines(state: &AppState) -> Result<Vec<i64>, TicketActError> {
    let mut filled = Vec::new();
    for t in state.store.tickets_without_due().await? {
        let Some((due, at)) = missing_due(state, &t) else {
            continue;
        };
        if state.store.set_missing_due(t.id, t.state, due, at).await? {
            filled.push(t.id);
        }
    }
    if !filled.is_empty() {
        tracing::info!("gave {} tickets their missing deadline", filled.len());
    }
    Ok(filled)
}
