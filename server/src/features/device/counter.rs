//! 办结，请评价 — the window clerk finishes the visit being served at their window from their own
//! page (where no queue system reports 办结): the visit becomes an occurrence and the window's
//! tablet offers its rating. The clerk triggers; the choice is the citizen's, on the tablet.

use domain::access::{Actor, Role};
use domain::time::Timestamp;

use super::DeviceError;
use crate::features::visit::make_occurrence;
use crate::platform::db::{Store, StoreResult};
use crate::platform::state::AppState;

impl Store {
    /// Finishes the visit called last and not finished at the window of staff member `staff`
    /// (taking `staff` as its clerk when the queue system did not say): `None` when none is being
    /// served there.
    pub async fn finish_served_visit(
        &self,
        staff: i64,
        now: Timestamp,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let finished: Option<i64> = sqlx::query_scalar(
            "UPDATE hall_visit SET finished_at = $1, updated_at = $1, \
             staff_id = coalesce(staff_id, $2) WHERE id = ( \
                 SELECT v.id FROM hall_visit v JOIN staff s ON s.window_id = v.window_id \
                 WHERE s.id = $2 AND v.called_at IS NOT NULL AND v.called_at <= $1 \
                 AND v.finished_at IS NULL ORDER BY v.called_at DESC, v.id DESC LIMIT 1) \
             RETURNING id",
        )
        .bind(now)
        .bind(staff)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(visit) = finished else {
            tx.rollback().await?;
            return Ok(None);
        };
        make_occurrence(&mut tx, visit).await?;
        tx.commit().await?;
        Ok(Some(visit))
    }
}

/// 办结，请评价 — for a window clerk: finishes the visit being served at their window.
pub async fn finish_at_counter(
    state: &AppState,
    actor: Actor,
    now: Timestamp,
) -> Result<i64, DeviceError> {
    if actor.role != Role::WindowStaff {
        return Err(DeviceError::Forbidden);
    }
    let (staff, _) = state
        .store
        .account_staff(actor.account_id)
        .await?
        .ok_or(DeviceError::NoWindow)?;
    state
        .store
        .finish_served_visit(staff, now)
        .await?
        .ok_or(DeviceError::NoVisit)
}
