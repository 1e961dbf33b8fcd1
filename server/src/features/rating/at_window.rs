//! 一次一评 by a window's e码: the rating rates the visit served or just finished there (or the one
//! of the 评价码 given), else it is stored as a walk-in; one device per window per cool-down.

use domain::ids::{DepartmentId, WindowId};

use super::NewEvaluation;
use crate::platform::db::Connection;

use super::store::insert;
use crate::features::visit::{bindable_visit, make_occurrence, visit_code_rated};
use crate::platform::db::{Store, StoreResult, now_ms};

/// Where and when an e码 rating is made.
#[derive(Debug, Clone)]
pub struct WindowRating {
    pub window: WindowId,
    pub department: DepartmentId,
    /// The 评价码 printed on the queue ticket, if the citizen came with it.
    pub visit_code: Option<String>,
    /// A device that rated this window at or after this instant (unix ms) is refused.
    pub cooldown_since: i64,
    /// A visit finished this long ago (ms) may still be rated from the window's e码.
    pub finished_within_ms: i64,
}

/// What an e码 rating rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRated {
    /// A visit the queue system reported: counted in 评价率 and for its clerk.
    Visit,
    /// No visit: 扫码评价 without a proven service, counted apart.
    WalkIn,
    /// The same device rated this window within the cool-down: nothing stored.
    TooSoon,
    /// The visit of the 评价码 given was rated already: nothing stored.
    AlreadyRated,
}

/// A walk-in's own occurrence: the window and a random suffix make its case number.
async fn walk_in(tx: &mut Connection, at: &WindowRating, now: i64) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, department_id, window_id, \
         channel, registered_at, kind) VALUES ($1, 1, $2, $3, 'qr_code', $4, 'walk_in') RETURNING id",
    )
    .bind(format!(
        "V{}-{now}-{}",
        at.window,
        crate::platform::crypto::random_code(6)
    ))
    .bind(at.department)
    .bind(at.window)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
}

impl Store {
    /// Stores an e码 rating at `at.window` (一次一评), unless the same device rated that window at or
    /// after `at.cooldown_since` (unix ms). It rates the visit being served or just finished there
    /// (or the one whose 评价码 was given), else it is stored as a walk-in (no visit proven).
    pub async fn insert_window_evaluation(
        &self,
        at: &WindowRating,
        new: &NewEvaluation,
    ) -> StoreResult<WindowRated> {
        let (at, new) = (at.clone(), new.clone());
        self.writer
            .write(move |tx| {
                let (at, new) = (at.clone(), new.clone());
                Box::pin(async move { rate_at_window(tx, &at, &new).await })
            })
            .await
    }
}

/// The e码 rating inside the writer's transaction, which holds SQLite's write lock before it reads
/// the guard and the visit.
async fn rate_at_window(
    tx: &mut Connection,
    at: &WindowRating,
    new: &NewEvaluation,
) -> StoreResult<WindowRated> {
    let recent: Option<i64> = sqlx::query_scalar(
        "SELECT e.id FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE e.device_hash = $1 AND e.created_at >= $2 AND o.window_id = $3 LIMIT 1",
    )
    .bind(&new.device_hash)
    .bind(at.cooldown_since)
    .bind(at.window)
    .fetch_optional(&mut *tx)
    .await?;
    if recent.is_some() {
        return Ok(WindowRated::TooSoon);
    }
    if let Some(code) = at.visit_code.as_deref()
        && visit_code_rated(tx, at.window, code).await?
    {
        return Ok(WindowRated::AlreadyRated);
    }
    let now = now_ms();
    let visit = bindable_visit(
        tx,
        at.window,
        at.visit_code.as_deref(),
        now,
        at.finished_within_ms,
    )
    .await?;
    let (occurrence_id, rated) = match visit {
        Some((_, Some(occurrence))) => (occurrence, WindowRated::Visit),
        Some((visit, None)) => match make_occurrence(tx, visit).await? {
            Some(occurrence) => (occurrence, WindowRated::Visit),
            None => (walk_in(tx, at, now).await?, WindowRated::WalkIn),
        },
        None => (walk_in(tx, at, now).await?, WindowRated::WalkIn),
    };
    insert(tx, occurrence_id, new).await?;
    Ok(rated)
}
