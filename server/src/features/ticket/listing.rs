//! What staff read of tickets: the handler's list and one ticket with its history, overdue
//! tickets raised to the supervisor, and each department's load for the 督办 overview.

use domain::sql::Flag;
use domain::time::Timestamp;
use std::sync::LazyLock;

use domain::{
    Level,
    ticket::{TicketKind, TicketState},
};
use sqlx::Row;

use domain::org::Scope;

use crate::platform::db::{Store, StoreResult};
use crate::platform::scope::{departments_sql, within};

/// A ticket in a list: no personal data.
#[derive(Debug, Clone)]
pub struct TicketListItem {
    pub id: i64,
    pub department_id: i64,
    pub kind: TicketKind,
    pub state: TicketState,
    pub department: String,
    pub opened_at: Timestamp,
    /// The deadline that applies now ([`domain::ticket::TicketKind::due_in`]); `None` only when
    /// closed or while the holiday calendar lacks the year.
    pub due_at: Option<Timestamp>,
    pub escalated: bool,
    /// 转办: the platform a referred complaint came from.
    pub source: Option<domain::referral::ReferralSource>,
}

/// One ticket with what its handler needs to see (the phone stays sealed: see `reveal`).
#[derive(Debug, Clone)]
pub struct TicketDetail {
    pub item: TicketListItem,
    pub real_name: bool,
    /// Level, reasons and text of the bad review, or the complaint's text.
    pub level: Option<Level>,
    pub reasons: Vec<i64>,
    pub text: Option<String>,
    /// The ticket's history, oldest first.
    pub events: Vec<TicketEvent>,
}

/// One step of a ticket's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketEvent {
    /// A [`domain::ticket::TicketAction`]'s name, or a system step (`open`, `escalate_overdue`).
    pub action: String,
    #[sqlx(rename = "from_state")]
    pub from: Option<TicketState>,
    #[sqlx(rename = "to_state")]
    pub to: TicketState,
    pub note: Option<String>,
    pub at: Timestamp,
    /// A return visit's record (visit steps recorded since migration 0016).
    #[sqlx(flatten)]
    pub visit: VisitColumns,
}

/// The columns of a step's return visit, all `None` for other steps.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct VisitColumns {
    pub visited_at: Option<Timestamp>,
    pub method: Option<String>,
    pub reached: Option<Flag>,
    pub substantiated: Option<Flag>,
    pub reasonable: Option<Flag>,
}

impl VisitColumns {
    /// The record, when the step has one.
    pub fn record(&self, note: Option<&str>) -> Option<domain::ticket::ReturnVisit> {
        use domain::ticket::{ReturnVisit, VisitMethod, VisitOutcome};
        Some(ReturnVisit {
            at: self.visited_at?,
            method: VisitMethod::parse(self.method.as_deref()?)?,
            outcome: match (self.reached?, self.substantiated, self.reasonable) {
                (Flag(true), Some(Flag(substantiated)), Some(Flag(reasonable))) => {
                    VisitOutcome::Reached {
                        substantiated,
                        reasonable,
                    }
                }
                _ => VisitOutcome::Unreached,
            },
            note: note.unwrap_or_default().to_owned(),
        })
    }
}

/// The columns of a ticket in a list, with the deadline that applies in its state
/// ([`domain::ticket::TicketKind::due_in`]) as `due_at`.
static COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "t.id, t.department_id, t.kind, t.state, d.name AS department, t.opened_at, {} AS due_at, \
         t.escalated, (SELECT r.source FROM referral r WHERE r.complaint_id = t.complaint_id) \
         AS source",
        domain::sql::due_at_sql("t")
    )
});
const FROM: &str = "ticket t JOIN department d ON d.id = t.department_id";

fn list_item(r: &crate::platform::db::DbRow) -> StoreResult<TicketListItem> {
    Ok(TicketListItem {
        id: r.try_get("id")?,
        department_id: r.try_get("department_id")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        department: r.try_get("department")?,
        opened_at: r.try_get("opened_at")?,
        due_at: r.try_get("due_at")?,
        escalated: r.try_get::<domain::sql::Flag, _>("escalated")?.0,
        source: r
            .try_get::<Option<String>, _>("source")?
            .as_deref()
            .and_then(domain::referral::ReferralSource::parse),
    })
}

impl Store {
    /// Tickets in `scope`, newest first; only `department`'s when given (a handler's view).
    pub async fn tickets(
        &self,
        department: Option<i64>,
        scope: Scope,
    ) -> StoreResult<Vec<TicketListItem>> {
        let sql = format!(
            "SELECT {} FROM {FROM} WHERE ($1 IS NULL OR t.department_id = $1) AND {} \
             ORDER BY t.id DESC LIMIT 500",
            *COLUMNS,
            within("t.department_id", departments_sql(scope))
        );
        let rows = sqlx::query(&sql)
            .bind(department)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(list_item).collect()
    }

    /// One ticket with its review or complaint and its history.
    pub async fn ticket_detail(&self, id: i64) -> StoreResult<Option<TicketDetail>> {
        let sql = format!(
            "SELECT {}, t.real_name, e.id AS evaluation_id, e.level, \
             coalesce(e.comment, c.description) AS text FROM {FROM} \
             LEFT JOIN evaluation e ON e.id = t.evaluation_id LEFT JOIN complaint c ON c.id = t.complaint_id \
             WHERE t.id = $1",
            *COLUMNS
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let evaluation: Option<i64> = row.try_get("evaluation_id")?;
        let reasons = sqlx::query_scalar("SELECT reason_code FROM evaluation_reason WHERE evaluation_id = $1 ORDER BY reason_code")
            .bind(evaluation)
            .fetch_all(&self.pool)
            .await?;
        let events = sqlx::query_as(
            "SELECT v.action, v.from_state, v.to_state, v.note, v.at, r.visited_at, r.method, \
             r.reached, r.substantiated, r.reasonable FROM ticket_event v \
             LEFT JOIN return_visit r ON r.event_id = v.id WHERE v.ticket_id = $1 ORDER BY v.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(TicketDetail {
            item: list_item(&row)?,
            real_name: row.try_get::<domain::sql::Flag, _>("real_name")?.0,
            level: row.try_get("level")?,
            reasons,
            text: row.try_get("text")?,
            events,
        }))
    }
}

/// One department's tickets, for the supervisor's overview (督办).
#[derive(Debug, Clone)]
pub struct DepartmentLoad {
    pub department: String,
    pub open: i64,
    pub overdue: i64,
    pub escalated: i64,
    pub appealed: i64,
    pub closed: i64,
}

impl Store {
    /// 超时督办 — raises every ticket not yet closed whose current deadline passed before `now` to
    /// the supervisor, with a line in its history: once per deadline, that is once in each state
    /// it stalls in (a step since the last raise starts a new deadline). Returns the tickets raised.
    pub async fn escalate_overdue(&self, now: i64) -> StoreResult<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        // Every state but 已办结 has a deadline (`due_at`); raised already when an
        // `escalate_overdue` line follows the ticket's last step.
        let sql = format!(
            "SELECT id, state FROM (SELECT {} FROM {FROM}) AS c WHERE c.due_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM ticket_event r WHERE r.ticket_id = c.id \
             AND r.action = 'escalate_overdue' AND r.id > (SELECT coalesce(max(s.id), 0) \
             FROM ticket_event s WHERE s.ticket_id = c.id AND s.action <> 'escalate_overdue'))",
            *COLUMNS
        );
        let overdue: Vec<(i64, TicketState)> =
            sqlx::query_as(&sql).bind(now).fetch_all(&mut *tx).await?;
        for (id, state) in &overdue {
            sqlx::query("UPDATE ticket SET escalated = TRUE WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_event (ticket_id, actor, action, from_state, to_state, note, at) \
                 VALUES ($1, 'system', 'escalate_overdue', $2, $3, '超过办理时限，已提请监督股督办', $4)",
            )
            .bind(id)
            .bind(state)
            .bind(state)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(overdue.into_iter().map(|(id, _)| id).collect())
    }

    /// Whether `account` revealed the ticket's phone (logged) since `since`.
    pub async fn phone_revealed_since(
        &self,
        account: i64,
        ticket: i64,
        since: i64,
    ) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE entity = 'ticket' AND entity_id = $1 \
             AND action = 'reveal_phone' AND account_id = $2 AND at >= $3)",
        )
        .bind(ticket)
        .bind(account)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// Tickets by department in `scope` and where they stand at `now`.
    pub async fn department_loads(
        &self,
        now: i64,
        scope: Scope,
    ) -> StoreResult<Vec<DepartmentLoad>> {
        let sql = format!(
            "SELECT department, \
             CAST(sum(CASE WHEN state <> 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS open, \
             coalesce(CAST(sum(CASE WHEN state <> 'closed' AND due_at < $1 THEN 1 ELSE 0 END) AS BIGINT), 0) AS overdue, \
             CAST(sum(CASE WHEN state <> 'closed' AND escalated THEN 1 ELSE 0 END) AS BIGINT) AS escalated, \
             CAST(sum(CASE WHEN state = 'appealed' THEN 1 ELSE 0 END) AS BIGINT) AS appealed, \
             CAST(sum(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS closed \
             FROM (SELECT {} FROM {FROM} WHERE {}) AS t GROUP BY department_id, department \
             ORDER BY overdue DESC, escalated DESC, department",
            *COLUMNS,
            within("t.department_id", departments_sql(scope))
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| DepartmentLoad {
                department: r.get("department"),
                open: r.get("open"),
                overdue: r.get("overdue"),
                escalated: r.get("escalated"),
                appealed: r.get("appealed"),
                closed: r.get("closed"),
            })
            .collect())
    }
}
