//! Jobs the server runs on its own, on a timer: overdue tickets and the monthly report file.

use crate::{AppState, features, platform::db::now_ms};

/// Once a minute: deadlines the calendar lacked filled in, 超时督办 (overdue tickets raised to the
/// supervisor), and at the start of a month the previous month's report kept as a file.
pub(crate) async fn every_minute(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        state.guard.forget_idle();
        if let Err(e) = state.store.purge_expired_sessions(now_ms()).await {
            tracing::warn!("expired sessions not purged: {e}");
        }
        if let Err(e) = features::ticket::fill_missing_deadlines(&state).await {
            tracing::warn!("missing deadlines not filled: {e}");
        }
        if let Err(e) = features::ticket::escalate_overdue(&state, now_ms()).await {
            tracing::warn!("overdue check failed: {e}");
        }
        match features::report::archive_previous_month(&state, now_ms()).await {
            Ok(Some(file)) => tracing::info!("monthly report kept as {}", file.display()),
            Ok(None) => {}
            Err(e) => tracing::warn!("monthly report failed: {e}"),
        }
    }
}
