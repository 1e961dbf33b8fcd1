//! Tickets: their state, their steps (with the audit log, in one transaction), and the evaluator's
//! phone for the return visit (each reveal logged).

use sqlx::Row;

use super::{Store, StoreResult, now_ms, staff::audit};

/// A ticket as the state machine needs it.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub department_id: i64,
    pub state: String,
    pub real_name: bool,
    pub evaluation_id: Option<i64>,
    /// An appeal was decided on this ticket before.
    pub appealed_before: bool,
}

/// One step, as decided by `domain`.
#[derive(Debug, Clone)]
pub struct TicketStep<'a> {
    pub ticket: &'a TicketRow,
    pub account: i64,
    pub action: &'a str,
    pub to_state: &'a str,
    pub note: Option<&'a str>,
    pub escalates: bool,
    /// An upheld appeal: the evaluation is excluded from statistics, with this reason.
    pub invalidate: Option<&'a str>,
}

impl Store {
    pub async fn ticket(&self, id: i64) -> StoreResult<Option<TicketRow>> {
        let row = sqlx::query(
            "SELECT t.id, t.department_id, t.state, t.real_name, t.evaluation_id, \
             EXISTS (SELECT 1 FROM ticket_event WHERE ticket_id = t.id AND action LIKE 'decide_appeal%') AS appealed \
             FROM ticket t WHERE t.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| TicketRow {
            id: r.get("id"),
            department_id: r.get("department_id"),
            state: r.get("state"),
            real_name: r.get("real_name"),
            evaluation_id: r.get("evaluation_id"),
            appealed_before: r.get("appealed"),
        }))
    }

    /// Takes a step, unless the ticket moved meanwhile. `false`: someone else changed it first.
    pub async fn apply_ticket_step(&self, step: &TicketStep<'_>) -> StoreResult<bool> {
        let ticket = step.ticket;
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE ticket SET state = ?, escalated = escalated OR ?, updated_at = ? WHERE id = ? AND state = ?",
        )
        .bind(step.to_state)
        .bind(step.escalates)
        .bind(now)
        .bind(ticket.id)
        .bind(&ticket.state)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO ticket_event (ticket_id, actor, action, from_state, to_state, note, at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(ticket.id)
        .bind(format!("account:{}", step.account))
        .bind(step.action)
        .bind(&ticket.state)
        .bind(step.to_state)
        .bind(step.note)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let (Some(reason), Some(evaluation)) = (step.invalidate, ticket.evaluation_id) {
            sqlx::query(
                "INSERT INTO evaluation_invalidation (evaluation_id, ticket_id, decided_by, reason, at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(evaluation)
            .bind(ticket.id)
            .bind(step.account)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            step.account,
            step.action,
            ("ticket", ticket.id),
            Some(&ticket.state),
            Some(step.to_state),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The encrypted phone left with a ticket's bad review or complaint, logging that `account` saw it.
    pub async fn reveal_ticket_phone(
        &self,
        ticket: i64,
        account: i64,
    ) -> StoreResult<Option<Vec<u8>>> {
        let mut tx = self.pool.begin().await?;
        let sealed: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT coalesce(e.phone_enc, c.contact_phone_enc) FROM ticket t \
             LEFT JOIN evaluation e ON e.id = t.evaluation_id LEFT JOIN complaint c ON c.id = t.complaint_id \
             WHERE t.id = ?",
        )
        .bind(ticket)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        if sealed.is_some() {
            audit(
                &mut tx,
                account,
                "reveal_phone",
                ("ticket", ticket),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(sealed)
    }
}
