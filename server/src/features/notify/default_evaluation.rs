//! 默认评价 — a case or visit (never a walk-in) still unrated N natural days after its
//! registration gets a system evaluation at the configured level: channel 系统默认评价, no reasons,
//! no comment, no ticket, the rule and its version stored with it. Its rating link is then refused
//! as already rated (one evaluation per occurrence). Rerunning finds nothing new to do.

use domain::time::Timestamp;

use super::Sent;
use crate::platform::state::AppState;

/// Makes the default evaluations due at `now` (unix ms).
pub async fn apply_default_evaluations(state: &AppState, now: i64) -> Result<Sent, sqlx::Error> {
    let settings = state.store.notify_settings().await?;
    let rule = settings.default_evaluation;
    if !rule.enabled {
        return Ok(Sent::default());
    }
    let before = rule
        .registered_before(Timestamp::from_unix_ms(now))
        .unix_ms();
    let due = state
        .store
        .unrated_before(settings.default_since, before)
        .await?;
    let mut made = Sent::default();
    for occurrence in due {
        let code = crate::platform::crypto::random_code(10);
        if state
            .store
            .insert_default_evaluation(occurrence, &code, rule.level, rule.version, now)
            .await?
        {
            made.done += 1;
        }
    }
    if made.done > 0 {
        tracing::info!(count = made.done, "default evaluations made");
    }
    Ok(made)
}
