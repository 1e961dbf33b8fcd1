//! What the Leptos site's server functions ask for.

use super::{StoredEvaluation, TicketProgress};
use crate::features::admin::WindowView;
use crate::platform::db::StoreResult;
use crate::platform::state::AppState;

/// Every window with the link of its e码.
pub async fn windows(state: &AppState) -> StoreResult<Vec<(WindowView, String)>> {
    let windows = state.store.windows().await?;
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
