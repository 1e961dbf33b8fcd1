//! 评价 — a citizen opens a rating link or a window's e码 and rates the service.

use domain::{Catalogue, Channel, FieldError, RatingDraft, token::TokenError};

use super::{NewEvaluation, NewTicket, WindowRated, WindowRating};
use crate::features::admin::WindowView;
use crate::features::registration::OccurrenceView;
use crate::platform::db::now_ms;
use crate::platform::state::AppState;

/// Why a rating page cannot be used; each gets its own clear page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The token was altered or made up.
    Forged,
    /// The rating period is over.
    Expired,
    /// 本次服务已存在评价.
    AlreadyRated,
    /// No window has this e码.
    UnknownWindow,
    /// The window of this e码 was deactivated (停用).
    WindowClosed,
    /// The same device rated this window a moment ago.
    TooSoon,
}

/// Why a rating was not stored.
#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error("invalid rating")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Checks a token and loads the occurrence it names, refusing used, expired and forged links.
pub async fn open_by_token(state: &AppState, token: &str) -> Result<OccurrenceView, RateError> {
    open_with_channel(state, token).await.map(|(o, _)| o)
}

/// `open_by_token`, with the channel a rating through this link is stored with: the one the link
/// was issued for (a version-1 token's: the occurrence's registered channel), never the page's URL.
async fn open_with_channel(
    state: &AppState,
    token: &str,
) -> Result<(OccurrenceView, Channel), RateError> {
    let claims = state
        .secrets
        .verify_token(token, now_ms() / 1000)
        .map_err(|e| {
            RateError::Refused(match e {
                TokenError::Expired => Refusal::Expired,
                TokenError::Malformed | TokenError::Forged => Refusal::Forged,
            })
        })?;
    // A valid signature on a missing occurrence means the key signed something we never stored.
    let occurrence = state
        .store
        .occurrence(claims.occurrence_id)
        .await?
        .ok_or(RateError::Refused(Refusal::Forged))?;
    if occurrence.evaluation.is_some() {
        return Err(RateError::Refused(Refusal::AlreadyRated));
    }
    let channel = claims.channel.unwrap_or(occurrence.channel);
    Ok((occurrence, channel))
}

/// Loads the window of an e码.
pub async fn open_window(state: &AppState, ecode: &str) -> Result<WindowView, RateError> {
    state
        .store
        .window_by_ecode(ecode)
        .await?
        .ok_or(RateError::Refused(Refusal::UnknownWindow))
        .and_then(|w| {
            if w.active {
                Ok(w)
            } else {
                Err(RateError::Refused(Refusal::WindowClosed))
            }
        })
}

pub(crate) fn evaluation(
    state: &AppState,
    draft: &RatingDraft,
    channel: Channel,
) -> Result<NewEvaluation, RateError> {
    let rating = draft
        .validate(Catalogue::CURRENT)
        .map_err(RateError::Invalid)?;
    Ok(NewEvaluation {
        tracking_code: crate::platform::crypto::random_code(10),
        level: rating.level,
        catalogue_version: rating.catalogue_version,
        reasons: rating.reasons,
        comment: rating.comment.map(|c| c.as_str().to_owned()),
        phone_enc: rating
            .phone
            .as_ref()
            .map(|p| state.secrets.encrypt(p.as_str())),
        channel,
        device_hash: None,
        ticket: ticket_for(state, rating.level, rating.phone.is_some()),
    })
}

/// Every 差评 opens a ticket; its first contact is due after the configured working days.
pub fn ticket_for(state: &AppState, level: domain::Level, real_name: bool) -> Option<NewTicket> {
    level.is_bad().then(|| NewTicket {
        real_name,
        contact_due_at: state.deadline_after(state.rules().deadlines.first_contact),
    })
}

/// Rates the occurrence a token names, through the channel the token was issued for. Returns the
/// tracking code.
pub async fn submit_by_token(
    state: &AppState,
    token: &str,
    draft: &RatingDraft,
) -> Result<String, RateError> {
    let (occurrence, channel) = open_with_channel(state, token).await?;
    let mut new = evaluation(state, draft, channel)?;
    // 实名 when the citizen gave a phone or the case carries the applicant's registered one.
    if let Some(ticket) = new.ticket.as_mut() {
        ticket.real_name |= occurrence.registered_phone;
    }
    if !state.store.insert_evaluation(occurrence.id, &new).await? {
        return Err(RateError::Refused(Refusal::AlreadyRated));
    }
    if new.ticket.is_some() {
        crate::features::notify::notify_handlers_soon(state);
    }
    Ok(new.tracking_code)
}

/// Rates a visit to the window of an e码 (一次一评), at most once per device per cool-down: the
/// visit being served or just finished there, or the one whose 评价码 (`visit_code`, printed on
/// the queue ticket) was given; without one it is stored as a walk-in, outside 评价率.
pub async fn submit_at_window(
    state: &AppState,
    ecode: &str,
    visit_code: Option<&str>,
    draft: &RatingDraft,
    device_id: &str,
) -> Result<String, RateError> {
    let window = open_window(state, ecode).await?;
    let mut new = evaluation(state, draft, Channel::QrCode)?;
    new.device_hash = Some(state.secrets.device_hash(device_id));
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let at = WindowRating {
        window: window.id,
        department: window.department_id,
        visit_code: visit_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        cooldown_since: now_ms() - ms(state.config.window_cooldown),
        finished_within_ms: ms(state.config.visit_rating_window),
    };
    match state.store.insert_window_evaluation(&at, &new).await? {
        WindowRated::TooSoon => Err(RateError::Refused(Refusal::TooSoon)),
        WindowRated::AlreadyRated => Err(RateError::Refused(Refusal::AlreadyRated)),
        WindowRated::Visit | WindowRated::WalkIn => {
            if new.ticket.is_some() {
                crate::features::notify::notify_handlers_soon(state);
            }
            Ok(new.tracking_code)
        }
    }
}

/// Why a follow-up rating was not stored.
#[derive(Debug, thiserror::Error)]
pub enum FollowUpRefused {
    #[error("no bad review with this tracking code")]
    NotFound,
    /// Only once the ticket is closed (rectified and answered), and only once.
    #[error("a follow-up is not possible now")]
    NotNow,
    #[error("invalid follow-up")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// 追评 — one follow-up rating of a bad review, after its ticket was closed.
pub async fn follow_up(
    state: &AppState,
    code: &str,
    draft: &RatingDraft,
) -> Result<(), FollowUpRefused> {
    let situation = state
        .store
        .follow_up_state(code)
        .await?
        .ok_or(FollowUpRefused::NotFound)?;
    if !situation.open() {
        return Err(FollowUpRefused::NotNow);
    }
    let rating = draft
        .validate(Catalogue::CURRENT)
        .map_err(FollowUpRefused::Invalid)?;
    let comment = rating.comment.as_ref().map(domain::Comment::as_str);
    if !state
        .store
        .insert_follow_up(situation.evaluation_id, rating.level, comment)
        .await?
    {
        return Err(FollowUpRefused::NotNow);
    }
    Ok(())
}
