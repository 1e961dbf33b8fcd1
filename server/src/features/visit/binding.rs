//! Which visit an e码 rating rates, and the occurrence a visit becomes (at 办结, or when rated
//! while being served).

use domain::ids::WindowId;

use crate::platform::db::Connection;
use crate::platform::db::StoreResult;

/// The visit's occurrence: 'visit', its month the month the ticket was taken, rated by e码. A visit
/// that handled a case registered before (same business system) takes that case's occurrence 1, so
/// that the link and the e码 rate one service once (case numbers are unique per business system).
/// `None`: that case's occurrence is bound to another visit already.
pub(crate) async fn make_occurrence(tx: &mut Connection, visit: i64) -> StoreResult<Option<i64>> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, department_id, \
         window_id, staff_id, channel, business_system_id, registered_at, kind) \
         SELECT coalesce(v.case_number, 'QV-' || v.code), 1, v.service_item_id, w.department_id, \
         v.window_id, v.staff_id, 'qr_code', v.business_system_id, v.taken_at, 'visit' \
         FROM hall_visit v JOIN service_window w ON w.id = v.window_id WHERE v.id = $1 \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(visit)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match inserted {
        Some(id) => Some(id),
        None => {
            sqlx::query_scalar(
                "SELECT o.id FROM service_occurrence o JOIN hall_visit v \
                 ON o.case_number = coalesce(v.case_number, 'QV-' || v.code) AND o.occurrence_no = 1 \
                 AND coalesce(o.business_system_id, 0) = coalesce(v.business_system_id, 0) WHERE v.id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM hall_visit u WHERE u.occurrence_id = o.id)",
            )
            .bind(visit)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    if let Some(id) = id {
        sqlx::query("UPDATE hall_visit SET occurrence_id = $1 WHERE id = $2")
            .bind(id)
            .bind(visit)
            .execute(&mut *tx)
            .await?;
    }
    Ok(id)
}

/// Whether the visit with 评价码 `code` at `window` was rated already (by its e码 or its case link).
pub(crate) async fn visit_code_rated(
    tx: &mut Connection,
    window: WindowId,
    code: &str,
) -> StoreResult<bool> {
    sqlx::query_scalar::<_, domain::sql::Flag>(
        "SELECT EXISTS (SELECT 1 FROM hall_visit v JOIN evaluation e ON e.occurrence_id = v.occurrence_id \
         WHERE v.window_id = $1 AND v.code = $2)",
    )
    .bind(window)
    .bind(code.trim().to_ascii_uppercase())
    .fetch_one(&mut *tx)
    .await
        .map(bool::from)
}

/// How long a called, unfinished visit counts as being served: a queue system that never reports
/// 办结 must not leave a visit open for e码 ratings all day.
pub const SERVING_AT_MOST_MS: i64 = 4 * 3600 * 1000;

/// The unrated visit an e码 rating at `window` at `now` rates, with its occurrence if it has one:
/// the visit whose 评价码 was given (at this window), else the one finished last within
/// `finished_within_ms`, else the one called last and still being served (a queue system's
/// clock may run a minute ahead). Just-finished visits
/// come first because a citizen is asked to rate after 办结; the printed 评价码 removes any doubt.
pub(crate) async fn bindable_visit(
    tx: &mut Connection,
    window: WindowId,
    code: Option<&str>,
    now: i64,
    finished_within_ms: i64,
) -> StoreResult<Option<(i64, Option<i64>)>> {
    let unrated = "v.window_id = $1 AND v.called_at IS NOT NULL AND v.called_at <= $2 + 60000 \
         AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.occurrence_id = v.occurrence_id)";
    if let Some(code) = code {
        let by_code = sqlx::query_as(&format!(
            "SELECT v.id, v.occurrence_id FROM hall_visit v WHERE {unrated} AND v.code = $3"
        ))
        .bind(window)
        .bind(now)
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&mut *tx)
        .await?;
        if by_code.is_some() {
            return Ok(by_code);
        }
    }
    sqlx::query_as(&format!(
        "SELECT v.id, v.occurrence_id FROM hall_visit v WHERE {unrated} \
         AND (v.finished_at >= $2 - $3 OR (v.finished_at IS NULL AND v.called_at >= $2 - $4)) \
         ORDER BY v.finished_at IS NULL, coalesce(v.finished_at, v.called_at) DESC, v.id DESC LIMIT 1"
    ))
    .bind(window)
    .bind(now)
    .bind(finished_within_ms)
    .bind(SERVING_AT_MOST_MS)
    .fetch_optional(&mut *tx)
    .await
}
