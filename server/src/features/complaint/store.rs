//! Complaints (投诉): stored once with their ticket, and looked up by tracking code.

use domain::time::Timestamp;
use sqlx::Row;

use crate::platform::db::{Store, StoreResult, now_ms};

/// A department with its service items, for the complaint form's lists.
#[derive(Debug, Clone)]
pub struct DepartmentChoice {
    pub id: i64,
    pub name: String,
    pub items: Vec<(i64, String)>,
}

/// A complaint ready to store.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub tracking_code: String,
    pub department_id: i64,
    pub service_item_id: Option<i64>,
    pub description: String,
    pub contact_phone_enc: Option<Vec<u8>>,
    pub device_hash: Vec<u8>,
    /// End of the day the reply is due (unix ms); `None` when the calendar lacks the year.
    pub reply_due_at: Option<Timestamp>,
}

/// A complaint as its tracking page shows it: no personal data, no free text.
#[derive(Debug, Clone)]
pub struct TrackedComplaint {
    pub tracking_code: String,
    pub department: String,
    pub created_at: Timestamp,
    pub state: domain::ticket::TicketState,
    pub reply_due_at: Option<Timestamp>,
}

impl Store {
    /// Departments and their service items, by name.
    pub async fn department_choices(&self) -> StoreResult<Vec<DepartmentChoice>> {
        let departments = sqlx::query("SELECT id, name FROM department ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        let items = sqlx::query("SELECT id, department_id, name FROM service_item ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(departments
            .iter()
            .map(|d| {
                let id: i64 = d.get("id");
                DepartmentChoice {
                    id,
                    name: d.get("name"),
                    items: items
                        .iter()
                        .filter(|i| i.get::<i64, _>("department_id") == id)
                        .map(|i| (i.get("id"), i.get("name")))
                        .collect(),
                }
            })
            .collect())
    }

    /// Whether the department exists and the service item, if any, belongs to it.
    pub async fn complaint_target_exists(
        &self,
        department: i64,
        item: Option<i64>,
    ) -> StoreResult<bool> {
        let found: Option<i64> = match item {
            None => {
                sqlx::query_scalar("SELECT id FROM department WHERE id = $1")
                    .bind(department)
                    .fetch_optional(&self.pool)
                    .await?
            }
            Some(item) => {
                sqlx::query_scalar(
                    "SELECT id FROM service_item WHERE id = $1 AND department_id = $2",
                )
                .bind(item)
                .bind(department)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        Ok(found.is_some())
    }

    /// Stores a complaint and opens its ticket, unless the same device complained at or after
    /// `cooldown_since` (unix ms). `false`: refused as a repeat.
    pub async fn insert_complaint(
        &self,
        new: &NewComplaint,
        cooldown_since: i64,
    ) -> StoreResult<bool> {
        let new = new.clone();
        self.writer
            .write(move |c| {
                let new = new.clone();
                Box::pin(async move { complain(c, &new, cooldown_since).await })
            })
            .await
    }

    /// The complaint with this tracking code.
    pub async fn complaint_by_tracking(&self, code: &str) -> StoreResult<Option<TrackedComplaint>> {
        let row = sqlx::query(
            "SELECT c.tracking_code, d.name AS department, c.created_at, t.state, t.reply_due_at \
             FROM complaint c JOIN department d ON d.id = c.department_id \
             JOIN ticket t ON t.complaint_id = c.id WHERE c.tracking_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| TrackedComplaint {
            tracking_code: r.get("tracking_code"),
            department: r.get("department"),
            created_at: r.get("created_at"),
            state: r.get("state"),
            reply_due_at: r.get("reply_due_at"),
        }))
    }
}

/// The complaint and its ticket, inside the writer's transaction (the only writer of complaints, so
/// the guard read first cannot be raced).
async fn complain(
    c: &mut crate::platform::db::Connection,
    new: &NewComplaint,
    cooldown_since: i64,
) -> StoreResult<bool> {
    let now = now_ms();
    let recent: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM complaint WHERE device_hash = $1 AND created_at >= $2 LIMIT 1",
    )
    .bind(&new.device_hash)
    .bind(cooldown_since)
    .fetch_optional(&mut *c)
    .await?;
    if recent.is_some() {
        return Ok(false);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO complaint (tracking_code, department_id, service_item_id, description, \
         contact_phone_enc, device_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&new.tracking_code)
    .bind(new.department_id)
    .bind(new.service_item_id)
    .bind(&new.description)
    .bind(&new.contact_phone_enc)
    .bind(&new.device_hash)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    let ticket: i64 = sqlx::query_scalar(
        "INSERT INTO ticket (kind, complaint_id, department_id, state, real_name, opened_at, \
         reply_due_at, updated_at) VALUES ('complaint', $1, $2, 'open', $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(new.department_id)
    .bind(new.contact_phone_enc.is_some())
    .bind(now)
    .bind(new.reply_due_at)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_event (ticket_id, actor, action, to_state, at) \
         VALUES ($1, 'system', 'open', 'open', $2)",
    )
    .bind(ticket)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(true)
}
