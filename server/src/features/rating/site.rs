//! What the Leptos site's server functions ask for.

use domain::access::{Actor, Role};

use super::{StoredEvaluation, TicketProgress};
use crate::features::admin::WindowView;
use crate::platform::db::StoreResult;
use crate::platform::state::AppState;

/// Why the poster page is refused.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    /// Only supervisors and administrators print posters: a poster's link rates its window from
    /// anywhere, so the list is not public.
    #[error("supervisors and administrators only")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// 窗口评价码 — the active windows in the actor's scope with the link of their e码, for
/// supervisors and administrators.
pub async fn posters(
    state: &AppState,
    actor: Actor,
) -> Result<Vec<(WindowView, String)>, PosterError> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(PosterError::Forbidden);
    }
    let windows = state.store.poster_windows(actor.scope).await?;
    Ok(windows
        .into_iter()
        .map(|w| {
            let url = state.window_url(&w.ecode);
            (w, url)
        })
        .collect())
}

/// A rating by its tracking code; codes are upper-case, so the lookup forgives lower case.
pub async fn tracked(state: &AppState, code: &str) -> StoreResult<Option<StoredEvaluation>> {
    state
        .store
        .evaluation_by_tracking(&code.trim().to_uppercase())
        .await
}

/// The progress of a bad review's ticket, as told to the citizen: its state and, while the first
/// contact is pending, the day by which it is due.
pub fn progress_zh(ticket: TicketProgress) -> String {
    let TicketProgress {
        state,
        contact_due_at: due,
    } = ticket;
    match (state, due) {
        (domain::ticket::TicketState::Open, Some(due)) => {
            let day = due.deadline_date_cst();
            format!("处理进度：{}，应于{day}前回访", state.label_zh())
        }
        (state, _) => format!("处理进度：{}", state.label_zh()),
    }
}
