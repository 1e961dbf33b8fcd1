//! 窗口工作人员 — a window clerk sees the ratings of their own service (no personal data).

use domain::access::{Actor, Role};

use super::OwnRating;
use crate::platform::state::AppState;

/// A clerk's ratings over the last days.
#[derive(Debug, Clone)]
pub struct OwnRatings {
    /// Staff number and name.
    pub staff: String,
    pub days: u32,
    /// Newest first.
    pub ratings: Vec<OwnRating>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClerkError {
    #[error("window staff only")]
    Forbidden,
    #[error("this account is not linked to a staff record")]
    NotLinked,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// The ratings of the clerk's own service in the last `days` days.
pub async fn own_ratings(
    state: &AppState,
    actor: Actor,
    days: u32,
) -> Result<OwnRatings, ClerkError> {
    if actor.role != Role::WindowStaff {
        return Err(ClerkError::Forbidden);
    }
    let (staff_id, staff) = state
        .store
        .account_staff(actor.account_id)
        .await?
        .ok_or(ClerkError::NotLinked)?;
    let since = crate::platform::db::now_ms() - i64::from(days) * 86_400_000;
    Ok(OwnRatings {
        staff,
        days,
        ratings: state.store.staff_ratings(staff_id, since).await?,
    })
}
