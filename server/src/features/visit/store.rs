//! Hall visits: kept by (hall, day, queue number), made an occurrence when finished.

use domain::ids::{BusinessSystemId, DepartmentId, HallId, ServiceItemId, StaffId, WindowId};
use domain::time::Timestamp;
use domain::visit::{VisitError, VisitTimes};
use sqlx::Row;

use super::binding::make_occurrence;
use crate::features::admin::ByCode;
use crate::platform::db::{ExclusiveLock, Store, StoreResult, now_ms};

impl ByCode for HallId {
    const SQL: &'static str = "SELECT id FROM hall WHERE code = $1 AND deactivated_at IS NULL";
}

/// A visit as the queue system reported it, codes resolved.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub business_system_id: BusinessSystemId,
    pub hall_id: HallId,
    pub queue_no: String,
    pub window_id: WindowId,
    /// The window's department: the occurrence's (谁办理、谁负责).
    pub department_id: DepartmentId,
    pub staff_id: Option<StaffId>,
    pub service_item_id: Option<ServiceItemId>,
    /// 办件编号 of the case the visit handled, if any.
    pub case_number: Option<String>,
    pub times: VisitTimes,
}

/// A stored visit, as the API answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVisit {
    pub id: i64,
    /// 评价码 for the queue ticket.
    pub code: String,
    /// Its occurrence, once finished or rated.
    pub occurrence_id: Option<i64>,
    pub rated: bool,
}

/// What reporting a visit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitOutcome {
    Created(StoredVisit),
    /// The same visit again: updated (progress) or unchanged.
    Updated(StoredVisit),
    Refused(VisitRefused),
}

/// Why a report was refused for what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitRefused {
    /// The visit's occurrence exists and the report changes what defines it (the field), or the
    /// visit belongs to another business system.
    Conflict(&'static str),
    /// The report's times with the stored ones are out of order (a later 取号 than the stored 叫号).
    Invalid(VisitError),
}

pub(crate) type Tx<'a> = sqlx::Transaction<'a, crate::platform::db::Db>;

/// The stored row compared with a new report: the first field that may not change, if any.
fn fixed_field_changed(
    row: &crate::platform::db::DbRow,
    new: &NewVisit,
) -> StoreResult<Option<&'static str>> {
    let ms = |t: Option<Timestamp>| t.map(Timestamp::unix_ms);
    if row.try_get::<BusinessSystemId, _>("business_system_id")? != new.business_system_id {
        return Ok(Some("queue_no"));
    }
    if row.try_get::<Option<i64>, _>("occurrence_id")?.is_none() {
        return Ok(None);
    }
    // What a report leaves out it does not say, and 叫号 and 办结 may come after a rating while
    // served: only a time that replaces another is a change.
    let differs =
        |stored: Option<i64>, new: Option<i64>| stored.is_some() && new.is_some() && stored != new;
    let window: WindowId = row.try_get("window_id")?;
    let staff: Option<StaffId> = row.try_get("staff_id")?;
    let item: Option<ServiceItemId> = row.try_get("service_item_id")?;
    let case: Option<String> = row.try_get("case_number")?;
    Ok(if window != new.window_id {
        Some("window")
    } else if new.staff_id.is_some() && staff != new.staff_id {
        Some("staff")
    } else if new.service_item_id.is_some() && item != new.service_item_id {
        Some("service_item")
    } else if new.case_number.is_some() && case != new.case_number {
        Some("case_number")
    } else if row.try_get::<i64, _>("taken_at")? != new.times.taken.unix_ms() {
        Some("taken_at_ms")
    } else if differs(row.try_get("called_at")?, ms(new.times.called)) {
        Some("called_at_ms")
    } else if differs(row.try_get("finished_at")?, ms(new.times.finished)) {
        Some("finished_at_ms")
    } else {
        None
    })
}

/// Updates the stored visit with `new`'s key; `Err` says why it may not.
async fn update(tx: &mut Tx<'_>, new: &NewVisit) -> StoreResult<Result<i64, VisitRefused>> {
    let times = new.times;
    let row = sqlx::query(
        "SELECT id, business_system_id, window_id, staff_id, service_item_id, case_number, \
         taken_at, called_at, finished_at, occurrence_id FROM hall_visit \
         WHERE hall_id = $1 AND day = $2 AND queue_no = $3",
    )
    .bind(new.hall_id)
    .bind(times.day().yyyymmdd())
    .bind(&new.queue_no)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(field) = fixed_field_changed(&row, new)? {
        return Ok(Err(VisitRefused::Conflict(field)));
    }
    let ms = |t: Option<Timestamp>| t.map(Timestamp::unix_ms);
    let called = ms(times.called).or(row.try_get("called_at")?);
    let finished = ms(times.finished).or(row.try_get("finished_at")?);
    if let Err(e) = VisitTimes::new(times.taken.unix_ms(), called, finished) {
        return Ok(Err(VisitRefused::Invalid(e)));
    }
    let id: i64 = row.try_get("id")?;
    // Progress: a later report fills in what the earlier lacked (叫号, 办结, the clerk …), never
    // unsets it.
    sqlx::query(
        "UPDATE hall_visit SET window_id = $1, staff_id = coalesce($2, staff_id), \
         service_item_id = coalesce($3, service_item_id), case_number = coalesce($4, case_number), \
         taken_at = $5, called_at = coalesce($6, called_at), finished_at = coalesce($7, finished_at), \
         updated_at = $8 WHERE id = $9",
    )
    .bind(new.window_id)
    .bind(new.staff_id)
    .bind(new.service_item_id)
    .bind(&new.case_number)
    .bind(times.taken.unix_ms())
    .bind(times.called.map(Timestamp::unix_ms))
    .bind(times.finished.map(Timestamp::unix_ms))
    .bind(now_ms())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(id))
}

/// Reports one visit in `tx` (see [`Store::report_visit`]); `code` is the 评价码 of a new visit.
pub(crate) async fn report(
    tx: &mut Tx<'_>,
    new: &NewVisit,
    code: &str,
) -> StoreResult<VisitOutcome> {
    let times = new.times;
    let called = times.called.map(Timestamp::unix_ms);
    let finished = times.finished.map(Timestamp::unix_ms);
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO hall_visit (business_system_id, hall_id, queue_no, day, window_id, staff_id, \
         service_item_id, case_number, taken_at, called_at, finished_at, code, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (hall_id, day, queue_no) DO NOTHING RETURNING id",
    )
    .bind(new.business_system_id)
    .bind(new.hall_id)
    .bind(&new.queue_no)
    .bind(times.day().yyyymmdd())
    .bind(new.window_id)
    .bind(new.staff_id)
    .bind(new.service_item_id)
    .bind(&new.case_number)
    .bind(times.taken.unix_ms())
    .bind(called)
    .bind(finished)
    .bind(code)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    let id = match inserted {
        Some(id) => id,
        None => match update(tx, new).await? {
            Ok(id) => id,
            Err(refused) => return Ok(VisitOutcome::Refused(refused)),
        },
    };
    let visit = stored(tx, id).await?;
    let finished_now = finished.is_some() && visit.occurrence_id.is_none();
    let visit = if finished_now {
        if make_occurrence(tx, id).await?.is_none() {
            return Ok(VisitOutcome::Refused(VisitRefused::Conflict("case_number")));
        }
        stored(tx, id).await?
    } else {
        visit
    };
    Ok(if inserted.is_some() {
        VisitOutcome::Created(visit)
    } else {
        VisitOutcome::Updated(visit)
    })
}

async fn stored(tx: &mut Tx<'_>, id: i64) -> StoreResult<StoredVisit> {
    let row = sqlx::query(
        "SELECT v.id, v.code, v.occurrence_id, e.id IS NOT NULL AS rated FROM hall_visit v \
         LEFT JOIN evaluation e ON e.occurrence_id = v.occurrence_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(StoredVisit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        occurrence_id: row.try_get("occurrence_id")?,
        rated: row.try_get::<domain::sql::Flag, _>("rated")?.0,
    })
}

/// A window as a visit report needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitWindow {
    pub id: WindowId,
    pub hall_id: HallId,
    pub department_id: DepartmentId,
    pub ecode: String,
}

impl Store {
    /// The open window with this code, with its hall, department and e码.
    pub async fn visit_window(&self, code: &str) -> StoreResult<Option<VisitWindow>> {
        sqlx::query_as(
            "SELECT id, hall_id, department_id, ecode FROM service_window \
             WHERE code = $1 AND deactivated_at IS NULL",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records one visit (取号, 叫号, 办结) idempotently by (hall, day, queue number); a finished
    /// visit becomes an unrated occurrence in the same transaction.
    pub async fn report_visit(&self, new: &NewVisit, code: &str) -> StoreResult<VisitOutcome> {
        let mut tx = self.begin_exclusive(ExclusiveLock::Visit).await?;
        let outcome = report(&mut tx, new, code).await?;
        if matches!(outcome, VisitOutcome::Refused(_)) {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// Records many visits in one transaction: all or none. `Err((row, outcome))` names the first
    /// report refused for what is stored (a conflict, times out of order); nothing is written then.
    pub async fn report_visits(
        &self,
        visits: &[(NewVisit, String)],
    ) -> StoreResult<Result<Vec<VisitOutcome>, (usize, VisitRefused)>> {
        let mut tx = self.begin_exclusive(ExclusiveLock::Visit).await?;
        let mut outcomes = Vec::with_capacity(visits.len());
        for (row, (new, code)) in visits.iter().enumerate() {
            let outcome = report(&mut tx, new, code).await?;
            if let VisitOutcome::Refused(refused) = outcome {
                tx.rollback().await?;
                return Ok(Err((row, refused)));
            }
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(Ok(outcomes))
    }
}
