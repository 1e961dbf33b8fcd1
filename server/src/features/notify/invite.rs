//! 智能邀评 — an unrated service whose evaluator left a phone gets, N days after its registration,
//! an SMS with its rating link (a token issued for the SMS channel) and an opt-out link; then at
//! most K reminders M days apart; nothing in the quiet hours, nothing once it is rated, nothing to
//! a phone that opted out, nothing for a walk-in.

use domain::{Channel, time::MS_PER_DAY, time::Timestamp};
use serde_json::json;

use super::{
    Sent,
    gateway::{self, Sms},
    opt_out,
    store::{InviteCandidate, LogEntry},
};
use crate::features::admin::{NotifySettings, SmsKind};
use crate::features::registration::links;
use crate::platform::state::AppState;

/// A failed attempt is tried again after this long, not every minute.
const RETRY_MS: i64 = 3_600_000;

/// Sends the invitations and reminders due at `now` (unix ms).
pub async fn send_invitations(state: &AppState, now: i64) -> Result<Sent, sqlx::Error> {
    let settings = state.store.notify_settings().await?;
    let invite = settings.invite;
    if !invite.enabled || settings.sms.kind == SmsKind::Off {
        return Ok(Sent::default());
    }
    let at = Timestamp::from_unix_ms(now);
    if invite.quiet.contains(at) {
        return Ok(Sent::default());
    }
    // Only services whose last message could still be due: enabling invitations never reaches
    // back to services long past.
    let span = i64::from(invite.after_days)
        + i64::from(invite.reminders) * i64::from(invite.spacing_days)
        + 1;
    let candidates = state
        .store
        .invitation_candidates(
            now - span * MS_PER_DAY,
            now - i64::from(invite.after_days) * MS_PER_DAY,
            i64::from(invite.reminders),
            now - RETRY_MS,
        )
        .await?;
    let mut sent = Sent::default();
    for candidate in candidates {
        let count = u32::try_from(candidate.sent).unwrap_or(u32::MAX);
        let Some(which) = invite.due(candidate.registered_at, count, at) else {
            continue;
        };
        match invite_one(state, &settings, &candidate, which, now).await? {
            Some(true) => sent.done += 1,
            Some(false) => sent.failed += 1,
            None => {}
        }
    }
    Ok(sent)
}

/// Sends message `which` (0 the invitation) for one service: `None` when nothing was sent (the
/// phone opted out or cannot be read), else whether the gateway accepted it.
async fn invite_one(
    state: &AppState,
    settings: &NotifySettings,
    candidate: &InviteCandidate,
    which: u32,
    now: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let Ok(phone) = state.secrets.decrypt(&candidate.phone_enc) else {
        tracing::warn!(
            occurrence = candidate.id,
            "invitation skipped: phone unreadable"
        );
        return Ok(None);
    };
    if state
        .store
        .opted_out(&state.secrets.device_hashes(&opt_out::phone_key(&phone)))
        .await?
    {
        return Ok(None);
    }
    // Rated between the query and now: nothing.
    if state.store.is_rated(candidate.id).await? {
        return Ok(None);
    }
    let link = links(state, candidate.id, Channel::Sms, false).rating_url;
    let opt_out_url = opt_out::url(state, candidate.id, now);
    let text = domain::notify::invitation_text(which > 0, &link, &opt_out_url);
    let sms = Sms {
        phone: &phone,
        variables: json!({ "link": link, "unsubscribe": opt_out_url, "reminder": which > 0 }),
        text: &text,
    };
    let outcome = gateway::send_sms(state, &settings.sms, &sms).await;
    let accepted = outcome.is_ok();
    state
        .store
        .log_message(LogEntry {
            kind: if which == 0 { "invitation" } else { "reminder" },
            via: "sms",
            occurrence_id: Some(candidate.id),
            ticket_id: None,
            phone: Some(&phone),
            outcome: &outcome,
            at: now,
        })
        .await?;
    state
        .store
        .record_invitation(candidate.id, accepted, now)
        .await?;
    if !accepted {
        tracing::warn!(
            occurrence = candidate.id,
            "invitation not accepted by the gateway"
        );
    }
    Ok(Some(accepted))
}
