//! Tickets: their state, their steps (with the audit log, in one transaction), and the evaluator's
//! phone for the return visit (each reveal logged).

use domain::ticket::{
    ReturnVisit, TicketAction, TicketFacts, TicketKind, TicketState, VisitOutcome,
};
use domain::time::Timestamp;
use serde_json::json;
use sqlx::Row;

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult},
};

/// A ticket as the state machine needs it.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub department_id: i64,
    pub kind: TicketKind,
    pub state: TicketState,
    pub evaluation_id: Option<i64>,
    /// What its history and its record tell the state machine.
    pub facts: TicketFacts,
    pub opened_at: Timestamp,
    /// A complaint's reply deadline, counted from its opening.
    pub reply_due_at: Option<Timestamp>,
    /// When it last changed: a step is taken only if nobody changed it meanwhile.
    pub updated_at: Timestamp,
}

/// One step, as decided by `domain`.
#[derive(Debug, Clone)]
pub struct TicketStep<'a> {
    pub ticket: &'a TicketRow,
    /// The staff account taking the step; `None` for the citizen (rating the fix).
    pub account: Option<i64>,
    pub action: TicketAction,
    pub to_state: TicketState,
    pub note: Option<&'a str>,
    pub escalates: bool,
    /// An upheld appeal: the evaluation is excluded from statistics, with this reason.
    pub invalidate: Option<&'a str>,
    /// A ledger entry's rectification deadline (unix ms), set when the ticket is triaged to the ledger.
    pub rectify_due_at: Option<Timestamp>,
    /// A complex complaint's later reply deadline (unix ms).
    pub reply_due_at: Option<Timestamp>,
    /// The deadline of the state the step leads to (`None`: closed, or the calendar lacks the year).
    pub state_due_at: Option<Timestamp>,
    /// A return visit's record (the visit steps only), kept beside the step.
    pub visit: Option<&'a ReturnVisit>,
    /// 申诉: the filing's category and evidence (the appeal step only), kept beside the step.
    pub appeal: Option<&'a crate::features::appeal::NewAppeal<'a>>,
    /// When the step is taken (unix ms).
    pub at: i64,
}

impl Store {
    /// The ticket of the bad review or complaint with this tracking code.
    pub async fn ticket_id_by_tracking(&self, code: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar(
            "SELECT t.id FROM ticket t LEFT JOIN evaluation e ON e.id = t.evaluation_id \
             LEFT JOIN complaint c ON c.id = t.complaint_id WHERE e.tracking_code = $1 OR c.tracking_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await
    }

    /// What the department answered and did, newest first: (action, note), for the citizen.
    pub async fn ticket_answers(&self, id: i64) -> StoreResult<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT action, note FROM ticket_event WHERE ticket_id = $1 AND note IS NOT NULL \
             AND action IN ('reply', 'record_rectification') ORDER BY id DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn ticket(&self, id: i64) -> StoreResult<Option<TicketRow>> {
        let row = sqlx::query(
            "SELECT t.id, t.department_id, t.state, t.real_name, t.evaluation_id, t.kind, t.opened_at, t.reply_due_at, t.updated_at, \
             (SELECT group_concat(action) FROM ticket_event WHERE ticket_id = t.id) AS actions \
             FROM ticket t WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let kind = r.try_get("kind")?;
        let actions: Option<String> = r.try_get("actions")?;
        let actions = actions.unwrap_or_default();
        Ok(Some(TicketRow {
            id: r.try_get("id")?,
            department_id: r.try_get("department_id")?,
            kind,
            state: r.try_get("state")?,
            evaluation_id: r.try_get("evaluation_id")?,
            facts: TicketFacts::from_history(
                kind,
                r.try_get::<domain::sql::Flag, _>("real_name")?.0,
                actions.split(','),
            ),
            opened_at: r.try_get("opened_at")?,
            reply_due_at: r.try_get("reply_due_at")?,
            updated_at: r.try_get("updated_at")?,
        }))
    }

    /// Takes a step, unless the ticket moved meanwhile. `false`: someone else changed it first.
    pub async fn apply_ticket_step(&self, step: &TicketStep<'_>) -> StoreResult<bool> {
        let ticket = step.ticket;
        let now = step.at;
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE ticket SET state = $1, escalated = escalated OR $2, updated_at = $3, \
             rectify_due_at = coalesce($4, rectify_due_at), reply_due_at = coalesce($5, reply_due_at), \
             state_due_at = $6 WHERE id = $7 AND state = $8 AND updated_at = $9",
        )
        .bind(step.to_state)
        .bind(step.escalates)
        .bind(now)
        .bind(step.rectify_due_at)
        .bind(step.reply_due_at)
        .bind(step.state_due_at)
        .bind(ticket.id)
        .bind(ticket.state)
        .bind(ticket.updated_at)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(false);
        }
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_event (ticket_id, actor, action, from_state, to_state, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ticket.id)
        .bind(
            step.account
                .map_or_else(|| "citizen".to_owned(), |a| format!("account:{a}")),
        )
        .bind(step.action.name())
        .bind(ticket.state)
        .bind(step.to_state)
        .bind(step.note)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(visit) = step.visit {
            let (reached, substantiated, reasonable) = match visit.outcome {
                VisitOutcome::Unreached => (false, None, None),
                VisitOutcome::Reached {
                    substantiated,
                    reasonable,
                } => (true, Some(substantiated), Some(reasonable)),
            };
            sqlx::query(
                "INSERT INTO return_visit (event_id, ticket_id, visited_at, method, reached, \
                 substantiated, reasonable) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(event)
            .bind(ticket.id)
            .bind(visit.at)
            .bind(visit.method.as_str())
            .bind(reached)
            .bind(substantiated)
            .bind(reasonable)
            .execute(&mut *tx)
            .await?;
        }
        if let (Some(appeal), Some(account)) = (step.appeal, step.account) {
            crate::features::appeal::insert_filing(&mut tx, ticket.id, event, account, appeal, now)
                .await?;
        }
        if let (Some(reason), Some(evaluation)) = (step.invalidate, ticket.evaluation_id) {
            sqlx::query(
                "INSERT INTO evaluation_invalidation (evaluation_id, ticket_id, decided_by, reason, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(evaluation)
            .bind(ticket.id)
            .bind(step.account)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // The audit log records what staff do; the citizen's own step is in the ticket's history.
        if let Some(account) = step.account {
            let mut after = json!({ "state": step.to_state.as_str() });
            if let Some(appeal) = step.appeal {
                after["category"] = json!(appeal.category.as_str());
            }
            let entry = Audit::new(Some(account), step.action.name(), ("ticket", ticket.id))
                .change(Some(json!({ "state": ticket.state.as_str() })), Some(after));
            audit(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The encrypted phone left with a ticket's bad review (typed by the citizen, else the one the
    /// business system registered, unless the applicant chose anonymity) or complaint, logging that
    /// `account` saw it.
    pub async fn reveal_ticket_phone(
        &self,
        ticket: i64,
        account: i64,
    ) -> StoreResult<Option<Vec<u8>>> {
        let mut tx = self.pool.begin().await?;
        let sealed: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT coalesce(e.phone_enc, \
             CASE WHEN NOT o.anonymous THEN o.evaluator_phone_enc END, c.contact_phone_enc) \
             FROM ticket t LEFT JOIN evaluation e ON e.id = t.evaluation_id \
             LEFT JOIN service_occurrence o ON o.id = e.occurrence_id \
             LEFT JOIN complaint c ON c.id = t.complaint_id WHERE t.id = $1",
        )
        .bind(ticket)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        if sealed.is_some() {
            audit(
                &mut tx,
                Audit::new(Some(account), "reveal_phone", ("ticket", ticket)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(sealed)
    }
}
