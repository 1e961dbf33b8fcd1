//! Evaluations: written once, in one transaction with their reasons, never changed.

use domain::time::Timestamp;
use domain::{Channel, Level, reasons::codes_from_list, ticket::TicketState};
use sqlx::Row;

use crate::platform::db::{Store, StoreResult, now_ms};

/// An evaluation ready to store.
#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub tracking_code: String,
    pub level: Level,
    pub catalogue_version: u16,
    pub reasons: Vec<u16>,
    pub comment: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub channel: Channel,
    pub device_hash: Option<Vec<u8>>,
    /// For a 差评: the ticket opened with it, in the same transaction.
    pub ticket: Option<NewTicket>,
}

/// The ticket a bad review opens, owned by the department of its occurrence.
#[derive(Debug, Clone, Copy)]
pub struct NewTicket {
    pub real_name: bool,
    /// End of the day the first contact is due (unix ms); `None` when the calendar lacks the year.
    pub contact_due_at: Option<Timestamp>,
}

/// A stored evaluation, as the confirmation page shows it (no personal data).
#[derive(Debug, Clone)]
pub struct StoredEvaluation {
    pub tracking_code: String,
    pub level: Level,
    pub created_at: Timestamp,
    pub department: String,
    pub reasons: Vec<i64>,
    /// The ticket of a 差评.
    pub ticket: Option<TicketProgress>,
}

/// Where a bad review's ticket stands, as the citizen is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketProgress {
    pub state: TicketState,
    /// End of the day the first contact is due (unix ms).
    pub contact_due_at: Option<Timestamp>,
}

/// Inserts the evaluation unless the occurrence already has one; the reasons go in with it.
pub(crate) async fn insert(
    tx: &mut crate::platform::db::Connection,
    occurrence_id: i64,
    new: &NewEvaluation,
) -> StoreResult<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, comment, \
         phone_enc, channel, device_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (occurrence_id) DO NOTHING RETURNING id",
    )
    .bind(occurrence_id)
    .bind(&new.tracking_code)
    .bind(new.level)
    .bind(i64::from(new.catalogue_version))
    .bind(&new.comment)
    .bind(&new.phone_enc)
    .bind(new.channel)
    .bind(&new.device_hash)
    .bind(now_ms())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else { return Ok(false) };
    for code in &new.reasons {
        sqlx::query("INSERT INTO evaluation_reason (evaluation_id, reason_code) VALUES ($1, $2)")
            .bind(id)
            .bind(i64::from(*code))
            .execute(&mut *tx)
            .await?;
    }
    if let Some(ticket) = new.ticket {
        open_ticket(tx, occurrence_id, id, ticket).await?;
    }
    Ok(true)
}

async fn open_ticket(
    tx: &mut crate::platform::db::Connection,
    occurrence_id: i64,
    evaluation_id: i64,
    ticket: NewTicket,
) -> StoreResult<()> {
    let now = now_ms();
    let ticket_id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket (kind, evaluation_id, department_id, state, real_name, opened_at, \
         contact_due_at, updated_at, service_registered_at) SELECT 'bad_review', $1, department_id, \
         'open', $2, $3, $4, $5, registered_at FROM service_occurrence WHERE id = $6 RETURNING id",
    )
    .bind(evaluation_id)
    .bind(ticket.real_name)
    .bind(now)
    .bind(ticket.contact_due_at)
    .bind(now)
    .bind(occurrence_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_event (ticket_id, actor, action, to_state, at) VALUES ($1, 'system', 'open', 'open', $2)",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Stores the evaluation of a registered occurrence. `false`: it was already rated.
    pub async fn insert_evaluation(
        &self,
        occurrence_id: i64,
        new: &NewEvaluation,
    ) -> StoreResult<bool> {
        let new = new.clone();
        self.writer
            .write(move |c| {
                let new = new.clone();
                Box::pin(async move { insert(c, occurrence_id, &new).await })
            })
            .await
    }

    /// The evaluation with this tracking code.
    pub async fn evaluation_by_tracking(
        &self,
        code: &str,
    ) -> StoreResult<Option<StoredEvaluation>> {
        let Some(row) = sqlx::query(
            "SELECT e.id, e.tracking_code, e.level, e.created_at, d.name AS department, \
             t.state AS ticket_state, t.contact_due_at FROM evaluation e \
             JOIN service_occurrence o ON o.id = e.occurrence_id \
             JOIN department d ON d.id = o.department_id \
             LEFT JOIN ticket t ON t.evaluation_id = e.id WHERE e.tracking_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let reasons = sqlx::query_scalar(
            "SELECT reason_code FROM evaluation_reason WHERE evaluation_id = $1 ORDER BY reason_code",
        )
        .bind(row.try_get::<i64, _>("id")?)
        .fetch_all(&self.pool)
        .await?;
        let ticket: Option<TicketState> = row.try_get("ticket_state")?;
        Ok(Some(StoredEvaluation {
            tracking_code: row.try_get("tracking_code")?,
            level: row.try_get("level")?,
            created_at: row.try_get("created_at")?,
            department: row.try_get("department")?,
            reasons,
            ticket: match ticket {
                Some(state) => Some(TicketProgress {
                    state,
                    contact_due_at: row.try_get("contact_due_at")?,
                }),
                None => None,
            },
        }))
    }

    /// Loads a catalogue version into the database, so that reports can join reason labels.
    pub async fn sync_catalogue(&self, catalogue: domain::Catalogue) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for r in catalogue.reasons() {
            let level = domain::reasons::level_of(r.code).map_or(0, |l| l.interface_code());
            sqlx::query(
                "INSERT INTO reason_catalogue (version, code, level, label_zh, label_en, core) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version, code) DO NOTHING",
            )
            .bind(i64::from(catalogue.version))
            .bind(i64::from(r.code))
            .bind(i64::from(level))
            .bind(r.label_zh)
            .bind(r.label_en)
            .bind(r.core)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// Where a bad review stands for a follow-up rating (追评).
#[derive(Debug, Clone)]
pub struct FollowUpState {
    pub evaluation_id: i64,
    /// The state of the review's ticket.
    pub ticket_state: TicketState,
    /// The follow-up's level, once given.
    pub given: Option<Level>,
}

impl FollowUpState {
    /// Whether the one 追评 may still be given ([`TicketState::takes_follow_up`]).
    pub fn open(&self) -> bool {
        self.ticket_state.takes_follow_up(self.given.is_some())
    }
}

impl Store {
    /// The follow-up situation of the bad review with this tracking code.
    pub async fn follow_up_state(&self, code: &str) -> StoreResult<Option<FollowUpState>> {
        let row = sqlx::query(
            "SELECT e.id, t.state, f.level FROM evaluation e JOIN ticket t ON t.evaluation_id = e.id \
             LEFT JOIN evaluation_follow_up f ON f.evaluation_id = e.id WHERE e.tracking_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(FollowUpState {
            evaluation_id: r.try_get("id")?,
            ticket_state: r.try_get("state")?,
            given: r.try_get("level")?,
        }))
    }

    /// Stores the one follow-up rating. `false`: one was given before.
    pub async fn insert_follow_up(
        &self,
        evaluation: i64,
        level: Level,
        comment: Option<&str>,
    ) -> StoreResult<bool> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO evaluation_follow_up (evaluation_id, level, comment, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (evaluation_id) DO NOTHING RETURNING evaluation_id",
        )
        .bind(evaluation)
        .bind(level)
        .bind(comment)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.is_some())
    }
}

/// A rating of a window clerk's own service, as they see it: no personal data.
#[derive(Debug, Clone)]
pub struct OwnRating {
    pub created_at: Timestamp,
    pub level: Level,
    pub reasons: Vec<i64>,
    pub comment: Option<String>,
    /// Excluded from the statistics by an upheld appeal.
    pub invalidated: bool,
    /// The state of the ticket a 差评 opened.
    pub ticket: Option<domain::ticket::TicketState>,
}

impl Store {
    /// The staff record a window clerk's account is linked to.
    pub async fn account_staff(&self, account: i64) -> StoreResult<Option<(i64, String)>> {
        sqlx::query_as(
            "SELECT s.id, s.staff_no || ' ' || s.name FROM account a JOIN staff s ON s.id = a.staff_id WHERE a.id = $1",
        )
        .bind(account)
        .fetch_optional(&self.pool)
        .await
    }

    /// The latest ratings of `staff`'s service since `since` (unix ms), newest first.
    pub async fn staff_ratings(&self, staff: i64, since: i64) -> StoreResult<Vec<OwnRating>> {
        let rows = sqlx::query(
            "SELECT e.created_at, e.level, e.comment, \
             (SELECT group_concat(reason_code) FROM evaluation_reason WHERE evaluation_id = e.id) AS reasons, \
             EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) AS invalidated, \
             (SELECT t.state FROM ticket t WHERE t.evaluation_id = e.id) AS ticket \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE o.staff_id = $1 AND e.created_at >= $2 AND o.kind NOT IN ('general', 'inspection') \
             ORDER BY e.id DESC LIMIT 1000",
        )
        .bind(staff)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let reasons: Option<String> = r.try_get("reasons")?;
                Ok(OwnRating {
                    created_at: r.try_get("created_at")?,
                    level: r.try_get("level")?,
                    reasons: codes_from_list(reasons.as_deref()),
                    comment: r.try_get("comment")?,
                    invalidated: r.try_get::<domain::sql::Flag, _>("invalidated")?.0,
                    ticket: r.try_get("ticket")?,
                })
            })
            .collect()
    }
}
