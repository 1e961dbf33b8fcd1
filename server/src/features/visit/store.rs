//! Hall visits: kept by (hall, day, queue number), made an occurrence when finished.

use domain::ids::{BusinessSystemId, DepartmentId, HallId, ServiceItemId, StaffId, WindowId};
use domain::time::Timestamp;
use domain::visit::VisitTimes;
use sqlx::Row;

use crate::features::admin::ByCode;
use crate::platform::db::{Store, StoreResult, now_ms};

impl ByCode for HallId {
    const SQL: &'static str = "SELECT id FROM hall WHERE code = ? AND deactivated_at IS NULL";
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
    /// The visit's occurrence exists and the report changes what defines it (the field), or the
    /// visit belongs to another business system.
    Conflict(&'static str),
}

pub(crate) type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// The visit's occurrence: 'visit', its month the month the ticket was taken, rated by e码. A visit
/// that handled a case registered before (same business system) takes that case's occurrence 1, so
/// that the link and the e码 rate one service once. `None`: the case number belongs to another
/// business system's case.
pub(crate) async fn make_occurrence(tx: &mut Tx<'_>, visit: i64) -> StoreResult<Option<i64>> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, department_id, \
         window_id, staff_id, channel, business_system_id, registered_at, kind) \
         SELECT coalesce(v.case_number, 'QV-' || v.code), 1, v.service_item_id, w.department_id, \
         v.window_id, v.staff_id, 'qr_code', v.business_system_id, v.taken_at, 'visit' \
         FROM hall_visit v JOIN service_window w ON w.id = v.window_id WHERE v.id = ? \
         ON CONFLICT (case_number, occurrence_no) DO NOTHING RETURNING id",
    )
    .bind(visit)
    .fetch_optional(&mut **tx)
    .await?;
    let id = match inserted {
        Some(id) => Some(id),
        None => {
            sqlx::query_scalar(
                "SELECT o.id FROM service_occurrence o JOIN hall_visit v ON v.case_number = o.case_number \
                 AND o.occurrence_no = 1 AND o.business_system_id = v.business_system_id WHERE v.id = ? \
                 AND NOT EXISTS (SELECT 1 FROM hall_visit u WHERE u.occurrence_id = o.id)",
            )
            .bind(visit)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    if let Some(id) = id {
        sqlx::query("UPDATE hall_visit SET occurrence_id = ? WHERE id = ?")
            .bind(id)
            .bind(visit)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

/// The stored row compared with a new report: the first field that may not change, if any.
fn fixed_field_changed(
    row: &sqlx::sqlite::SqliteRow,
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
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
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
        None => {
            let row = sqlx::query(
                "SELECT id, business_system_id, window_id, staff_id, service_item_id, case_number, \
                 taken_at, called_at, finished_at, occurrence_id FROM hall_visit \
                 WHERE hall_id = ? AND day = ? AND queue_no = ?",
            )
            .bind(new.hall_id)
            .bind(times.day().yyyymmdd())
            .bind(&new.queue_no)
            .fetch_one(&mut **tx)
            .await?;
            if let Some(field) = fixed_field_changed(&row, new)? {
                return Ok(VisitOutcome::Conflict(field));
            }
            let id: i64 = row.try_get("id")?;
            // Progress: a later report fills in what the earlier lacked (叫号, 办结, the clerk …),
            // never unsets it.
            sqlx::query(
                "UPDATE hall_visit SET window_id = ?, staff_id = coalesce(?, staff_id), \
                 service_item_id = coalesce(?, service_item_id), \
                 case_number = coalesce(?, case_number), taken_at = ?, \
                 called_at = coalesce(?, called_at), finished_at = coalesce(?, finished_at), \
                 updated_at = ? WHERE id = ?",
            )
            .bind(new.window_id)
            .bind(new.staff_id)
            .bind(new.service_item_id)
            .bind(&new.case_number)
            .bind(times.taken.unix_ms())
            .bind(called)
            .bind(finished)
            .bind(now_ms())
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
    };
    let visit = stored(tx, id).await?;
    let finished_now = finished.is_some() && visit.occurrence_id.is_none();
    let visit = if finished_now {
        if make_occurrence(tx, id).await?.is_none() {
            return Ok(VisitOutcome::Conflict("case_number"));
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
         LEFT JOIN evaluation e ON e.occurrence_id = v.occurrence_id WHERE v.id = ?",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(StoredVisit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        occurrence_id: row.try_get("occurrence_id")?,
        rated: row.try_get("rated")?,
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
             WHERE code = ? AND deactivated_at IS NULL",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records one visit (取号, 叫号, 办结) idempotently by (hall, day, queue number); a finished
    /// visit becomes an unrated occurrence in the same transaction.
    pub async fn report_visit(&self, new: &NewVisit, code: &str) -> StoreResult<VisitOutcome> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let outcome = report(&mut tx, new, code).await?;
        if matches!(outcome, VisitOutcome::Conflict(_)) {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// Records many visits in one transaction: all or none. `Err((row, field))` names the first
    /// report that conflicts with a stored visit; nothing is written then.
    pub async fn report_visits(
        &self,
        visits: &[(NewVisit, String)],
    ) -> StoreResult<Result<Vec<VisitOutcome>, (usize, &'static str)>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut outcomes = Vec::with_capacity(visits.len());
        for (row, (new, code)) in visits.iter().enumerate() {
            let outcome = report(&mut tx, new, code).await?;
            if let VisitOutcome::Conflict(field) = outcome {
                tx.rollback().await?;
                return Ok(Err((row, field)));
            }
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(Ok(outcomes))
    }
}

/// Whether the visit with 评价码 `code` at `window` was rated already (by its e码 or its case link).
pub(crate) async fn visit_code_rated(
    tx: &mut Tx<'_>,
    window: WindowId,
    code: &str,
) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM hall_visit v JOIN evaluation e ON e.occurrence_id = v.occurrence_id \
         WHERE v.window_id = ? AND v.code = ?)",
    )
    .bind(window)
    .bind(code.trim().to_ascii_uppercase())
    .fetch_one(&mut **tx)
    .await
}

/// How long a called, unfinished visit counts as being served: a queue system that never reports
/// 办结 must not leave a visit open for e码 ratings all day.
pub const SERVING_AT_MOST_MS: i64 = 4 * 3600 * 1000;

/// The unrated visit an e码 rating (a queue system's clock may run a minute ahead) at `window` at `now` rates, with its occurrence if it has one:
/// the visit whose 评价码 was given (at this window), else the one finished last within
/// `finished_within_ms`, else the one called last and still being served. Just-finished visits
/// come first because a citizen is asked to rate after 办结; the printed 评价码 removes any doubt.
pub(crate) async fn bindable_visit(
    tx: &mut Tx<'_>,
    window: WindowId,
    code: Option<&str>,
    now: i64,
    finished_within_ms: i64,
) -> StoreResult<Option<(i64, Option<i64>)>> {
    let unrated = "v.window_id = ?1 AND v.called_at IS NOT NULL AND v.called_at <= ?2 + 60000 \
         AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.occurrence_id = v.occurrence_id)";
    if let Some(code) = code {
        let by_code = sqlx::query_as(&format!(
            "SELECT v.id, v.occurrence_id FROM hall_visit v WHERE {unrated} AND v.code = ?3"
        ))
        .bind(window)
        .bind(now)
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&mut **tx)
        .await?;
        if by_code.is_some() {
            return Ok(by_code);
        }
    }
    sqlx::query_as(&format!(
        "SELECT v.id, v.occurrence_id FROM hall_visit v WHERE {unrated} \
         AND (v.finished_at >= ?2 - ?3 OR (v.finished_at IS NULL AND v.called_at >= ?2 - ?4)) \
         ORDER BY v.finished_at IS NULL, coalesce(v.finished_at, v.called_at) DESC, v.id DESC LIMIT 1"
    ))
    .bind(window)
    .bind(now)
    .bind(finished_within_ms)
    .bind(SERVING_AT_MOST_MS)
    .fetch_optional(&mut **tx)
    .await
}
