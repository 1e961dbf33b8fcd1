//! 投诉 — a citizen reports a service that was not satisfactory; a ticket opens with it.

use domain::complaint::{ComplaintDraft, ComplaintError};

use super::NewComplaint;
use crate::platform::db::now_ms;
use crate::platform::state::AppState;

/// Why a complaint was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintRefused {
    #[error("invalid complaint")]
    Invalid(Vec<ComplaintError>),
    #[error("the same device complained a moment ago")]
    TooSoon,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Checks and stores a complaint; returns its tracking code.
pub async fn submit(
    state: &AppState,
    draft: &ComplaintDraft,
    device_id: &str,
) -> Result<String, ComplaintRefused> {
    let complaint = draft.validate().map_err(ComplaintRefused::Invalid)?;
    // Chosen from lists, but a forged form could name anything: unknown choices are "not chosen".
    if !state
        .store
        .complaint_target_exists(complaint.department, complaint.service_item)
        .await?
    {
        return Err(ComplaintRefused::Invalid(vec![
            ComplaintError::DepartmentMissing,
        ]));
    }
    let new = NewComplaint {
        tracking_code: crate::platform::crypto::random_code(10),
        department_id: complaint.department,
        service_item_id: complaint.service_item,
        description: complaint.description,
        contact_phone_enc: complaint.phone.map(|p| state.secrets.encrypt(p.as_str())),
        device_hash: state.secrets.device_hash(device_id),
        reply_due_at: state.deadline_after(state.rules().deadlines.complaint_reply),
    };
    let cooldown = i64::try_from(state.config.window_cooldown.as_millis()).unwrap_or(i64::MAX);
    if !state
        .store
        .insert_complaint(&new, now_ms() - cooldown)
        .await?
    {
        return Err(ComplaintRefused::TooSoon);
    }
    crate::features::notify::notify_handlers_soon(state);
    Ok(new.tracking_code)
}
