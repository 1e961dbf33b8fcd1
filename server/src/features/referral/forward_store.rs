//! The 12345 forwarding's queries: the rows due (per ticket only the oldest undelivered one), the
//! stored facts a work order is built from, each attempt settled, and how the forwarding fares.

use domain::Level;
use domain::ticket::TicketState;
use domain::time::Timestamp;
use sqlx::Row;

use crate::platform::db::{Store, StoreResult};

/// A forwarding row due to be sent: a ticket's work order, or one of its status changes.
#[derive(Debug, Clone)]
pub(super) struct DueForward {
    pub(super) id: i64,
    pub(super) ticket_id: i64,
    /// `work_order` or `status`.
    pub(super) kind: String,
    pub(super) status: Option<String>,
    pub(super) note: Option<String>,
    pub(super) at: i64,
    pub(super) attempts: i64,
    /// Our id: the 差评's 查询码.
    pub(super) our_id: String,
    /// The 12345 platform's order id, once its answer named one.
    pub(super) order_id: Option<String>,
}

/// What a work order is built from: the ticket and the 差评 it handles, as stored.
#[derive(Debug, Clone)]
pub struct WorkOrder {
    pub ticket_id: i64,
    /// 查询码 of the 差评.
    pub our_id: String,
    pub received_at: Timestamp,
    pub department_code: String,
    pub department_name: String,
    pub service_item: Option<String>,
    pub level: Level,
    pub catalogue_version: i64,
    pub reasons: Vec<i64>,
    pub comment: Option<String>,
    /// The citizen's phone, sealed; only if they left one.
    pub phone_enc: Option<Vec<u8>>,
}

/// How the forwarding fares: rows delivered, waiting for their first try, failed and waiting for
/// the next, the oldest undelivered one's time, and the latest error of an undelivered one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardHealth {
    pub delivered: i64,
    pub waiting: i64,
    pub failing: i64,
    pub oldest_waiting: Option<Timestamp>,
    pub last_error: Option<(Timestamp, String)>,
}

/// A forwarded 差评 ticket as the administration page lists it.
#[derive(Debug, Clone)]
pub struct ForwardedTicket {
    pub ticket_id: i64,
    pub our_id: String,
    pub department: String,
    pub opened_at: Timestamp,
    pub state: TicketState,
    pub delivered_at: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The 12345 platform's order id.
    pub order_id: Option<String>,
}

impl Store {
    /// Rows due at `now`: per ticket only the oldest undelivered one (its work order before any
    /// status), oldest first.
    pub(super) async fn due_forward(&self, now: i64, limit: i64) -> StoreResult<Vec<DueForward>> {
        let rows = sqlx::query(
            "SELECT m.id, m.ticket_id, m.kind, m.status, m.note, m.at, m.attempts, \
             e.tracking_code, o.order_id \
             FROM forward_message m JOIN ticket t ON t.id = m.ticket_id \
             JOIN evaluation e ON e.id = t.evaluation_id \
             LEFT JOIN forward_message o ON o.ticket_id = m.ticket_id AND o.kind = 'work_order' \
             WHERE m.delivered_at IS NULL AND m.next_try_at <= $1 \
             AND m.id = (SELECT min(id) FROM forward_message \
                         WHERE ticket_id = m.ticket_id AND delivered_at IS NULL) \
             ORDER BY m.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| DueForward {
                id: r.get("id"),
                ticket_id: r.get("ticket_id"),
                kind: r.get("kind"),
                status: r.get("status"),
                note: r.get("note"),
                at: r.get("at"),
                attempts: r.get("attempts"),
                our_id: r.get("tracking_code"),
                order_id: r.get("order_id"),
            })
            .collect())
    }

    /// The stored facts of the 差评 ticket `ticket_id`, if it is one.
    pub async fn work_order(&self, ticket_id: i64) -> StoreResult<Option<WorkOrder>> {
        let row = sqlx::query(
            "SELECT t.id, e.tracking_code, t.opened_at, d.code, d.name, i.name AS item, e.level, \
             e.catalogue_version, e.comment, e.phone_enc, \
             (SELECT group_concat(reason_code) FROM evaluation_reason \
              WHERE evaluation_id = e.id) AS reasons \
             FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id \
             JOIN department d ON d.id = t.department_id \
             JOIN service_occurrence o ON o.id = e.occurrence_id \
             LEFT JOIN service_item i ON i.id = o.service_item_id \
             WHERE t.id = $1 AND t.kind = 'bad_review'",
        )
        .bind(ticket_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| WorkOrder {
            ticket_id: r.get("id"),
            our_id: r.get("tracking_code"),
            received_at: r.get("opened_at"),
            department_code: r.get("code"),
            department_name: r.get("name"),
            service_item: r.get("item"),
            level: r.get("level"),
            catalogue_version: r.get("catalogue_version"),
            reasons: domain::reasons::codes_from_list(r.get("reasons")),
            comment: r.get("comment"),
            phone_enc: r.get("phone_enc"),
        }))
    }

    /// Records one attempt and settles the row: delivered at `now` (keeping the platform's order
    /// id, if its answer named one), or retried at `next_try_at` with the error.
    pub(super) async fn settle_forward(
        &self,
        id: i64,
        now: i64,
        http_status: Option<u16>,
        outcome: Result<Option<&str>, (i64, &str)>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO forward_attempt (message_id, at, http_status, error) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(now)
        .bind(http_status.map(i64::from))
        .bind(outcome.err().map(|(_, e)| e))
        .execute(&mut *tx)
        .await?;
        match outcome {
            Ok(order_id) => sqlx::query(
                "UPDATE forward_message SET attempts = attempts + 1, delivered_at = $1, \
                 last_error = NULL, order_id = coalesce($2, order_id) WHERE id = $3",
            )
            .bind(now)
            .bind(order_id)
            .bind(id),
            Err((next_try_at, error)) => sqlx::query(
                "UPDATE forward_message SET attempts = attempts + 1, next_try_at = $1, \
                 last_error = $2 WHERE id = $3",
            )
            .bind(next_try_at)
            .bind(error)
            .bind(id),
        }
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// How the forwarding fares, over every row.
    pub async fn forward_health(&self) -> StoreResult<ForwardHealth> {
        let counts = sqlx::query(
            "SELECT count(delivered_at) AS delivered, \
             count(*) FILTER (WHERE delivered_at IS NULL AND attempts = 0) AS waiting, \
             count(*) FILTER (WHERE delivered_at IS NULL AND attempts > 0) AS failing, \
             min(at) FILTER (WHERE delivered_at IS NULL) AS oldest \
             FROM forward_message",
        )
        .fetch_one(&self.pool)
        .await?;
        let last_error = sqlx::query(
            "SELECT a.at, a.error FROM forward_attempt a \
             JOIN forward_message m ON m.id = a.message_id \
             WHERE a.error IS NOT NULL AND m.delivered_at IS NULL ORDER BY a.id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(ForwardHealth {
            delivered: counts.get("delivered"),
            waiting: counts.get("waiting"),
            failing: counts.get("failing"),
            oldest_waiting: counts.get("oldest"),
            last_error: last_error.map(|r| (r.get("at"), r.get("error"))),
        })
    }

    /// The latest `limit` forwarded tickets, newest first, with their work order's fate.
    pub async fn forwarded_tickets(&self, limit: i64) -> StoreResult<Vec<ForwardedTicket>> {
        let rows = sqlx::query(
            "SELECT t.id, e.tracking_code, d.name, t.opened_at, t.state, m.delivered_at, \
             m.attempts, m.last_error, m.order_id \
             FROM forward_message m JOIN ticket t ON t.id = m.ticket_id \
             JOIN evaluation e ON e.id = t.evaluation_id \
             JOIN department d ON d.id = t.department_id \
             WHERE m.kind = 'work_order' ORDER BY m.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ForwardedTicket {
                ticket_id: r.get("id"),
                our_id: r.get("tracking_code"),
                department: r.get("name"),
                opened_at: r.get("opened_at"),
                state: r.get("state"),
                delivered_at: r.get("delivered_at"),
                attempts: r.get("attempts"),
                last_error: r.get("last_error"),
                order_id: r.get("order_id"),
            })
            .collect())
    }
}
