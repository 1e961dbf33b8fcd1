//! What the Leptos site's server functions ask for.

use super::AppState;
use crate::store::{StoreResult, StoredEvaluation, WindowView};

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
