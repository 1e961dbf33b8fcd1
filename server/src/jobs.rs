//! Jobs the server runs on its own, on a timer: overdue tickets, messages (invitations, handlers'
//! notices), default evaluations, the monthly report file and the daily reconciliation with
//! upstream platforms.

use crate::{AppState, features, platform::db::now_ms};

/// Once a minute: deadlines the calendar lacked filled in, 超时督办 (overdue tickets raised to the
/// supervisor), and at the start of a month the previous month's report kept as a file.
pub(crate) async fn every_minute(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut reconciled = None;
    let mut swept = None;
    let mut lease = crate::platform::lease::Lease::new("minute");
    loop {
        tick.tick().await;
        // Where several instances share the database, one of them runs the timer.
        if !lease.held(&state.store, now_ms()).await {
            state.guard.forget_idle();
            continue;
        }
        // 对账: yesterday's counts compared with every upstream target, once a day after 01:00.
        let now = crate::platform::db::now();
        let yesterday = now.minus_days(1).date_cst();
        if now.hour_cst() >= 1 && reconciled != Some(yesterday) {
            match features::upward::reconcile(&state, yesterday).await {
                Ok(done) => {
                    reconciled = Some(yesterday);
                    for target in done.iter().filter(|t| t.differences().next().is_some()) {
                        tracing::warn!(
                            target = target.target,
                            day = yesterday.yyyymmdd(),
                            "reconciliation: the counts differ (see 上报 on the overview)"
                        );
                    }
                }
                Err(e) => tracing::warn!("reconciliation failed: {e}"),
            }
        }
        // Evidence files a crash left without their row: at start-up, then once a day.
        if swept != Some(now.date_cst()) {
            match features::appeal::sweep_orphans(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!("removed {n} evidence files without a record"),
                Err(e) => tracing::warn!("evidence sweep failed: {e}"),
            }
            swept = Some(now.date_cst());
        }
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
        messages(&state, now_ms()).await;
        match features::report::archive_previous_month(&state, now_ms()).await {
            Ok(Some(file)) => tracing::info!("monthly report kept as {}", file.display()),
            Ok(None) => {}
            Err(e) => tracing::warn!("monthly report failed: {e}"),
        }
    }
}

/// 智能邀评, 默认评价 and the handlers' notices at `now`; each off unless configured.
async fn messages(state: &AppState, now: i64) {
    if let Err(e) = features::notify::notify_handlers(state, now).await {
        tracing::warn!("handlers' notices failed: {e}");
    }
    if let Err(e) = features::notify::send_invitations(state, now).await {
        tracing::warn!("invitations failed: {e}");
    }
    if let Err(e) = features::notify::apply_default_evaluations(state, now).await {
        tracing::warn!("default evaluations failed: {e}");
    }
}
