//! 转办 — a 12345 or website work order becomes a complaint ticket of the department it is for;
//! the platform that sent it hears back through its callback.

use domain::ids::{BusinessSystemId, DepartmentId};
use domain::referral::{ReferralFieldError, ReferralFields};
use domain::time::Timestamp;
use domain::upward::SignMethod;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CallbackTarget, NewReferral, StoredReferral};
use crate::platform::state::AppState;

/// The API's referral request, as the referring platform sends it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// `12345`, `website`, `leader_mailbox` or `other`.
    pub source: String,
    /// The platform's own work-order id; with the source, the key of the referral.
    pub external_id: String,
    /// When the platform received the work order (unix ms).
    pub received_at_ms: i64,
    /// 投诉, 建议, 咨询, 求助 (or complaint, suggestion, inquiry, help).
    pub category: String,
    /// Code of the department the work order is for.
    pub department: String,
    /// What the citizen said.
    pub content: String,
    /// The citizen's mobile number, if given: kept encrypted, shown masked.
    #[serde(default)]
    pub contact_phone: Option<String>,
}

/// What the platform gets back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Referred {
    pub ticket_id: i64,
    pub created: bool,
    /// 查询码 of the ticket's public tracking page.
    pub tracking_code: String,
    pub tracking_url: String,
    /// End of the working day the reply is due (unix ms); null when the calendar lacks the year.
    pub reply_due_at_ms: Option<i64>,
    pub state: domain::ticket::TicketState,
}

/// Why a referral was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error(transparent)]
    Field(#[from] ReferralFieldError),
    /// The department is outside the platform's grant (403).
    #[error("department: this system is not granted department {0:?}")]
    Forbidden(String),
    #[error("work order {0} {1} was referred before with other details")]
    Conflict(String, String),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Earliest received-at accepted: 2000-01-01 (a unix-seconds value sent as ms would be 1970).
const EARLIEST_MS: i64 = 946_684_800_000;
/// How far ahead of our clock a received-at may be (the platform's clock may run ahead).
const SKEW_MS: i64 = 5 * 60 * 1000;

fn fingerprint(
    system: BusinessSystemId,
    department: DepartmentId,
    req: &ReferralRequest,
    f: &ReferralFields,
) -> Vec<u8> {
    let mut hash = Sha256::new();
    for part in [
        system.get().to_string(),
        department.get().to_string(),
        req.received_at_ms.to_string(),
        f.category.as_str().to_owned(),
        f.content.clone(),
        f.contact
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().to_vec()
}

fn answer(state: &AppState, stored: StoredReferral, created: bool) -> Referred {
    Referred {
        ticket_id: stored.ticket_id,
        created,
        tracking_url: format!("{}/t/{}", state.config.public_url, stored.tracking_code),
        tracking_code: stored.tracking_code,
        reply_due_at_ms: stored.reply_due_at.map(Timestamp::unix_ms),
        state: stored.state,
    }
}

/// Checks the work order and opens its complaint ticket at `now` (unix ms), idempotently on
/// (source, external id): the same details again answer the same ticket, others a conflict.
pub async fn refer(
    state: &AppState,
    system: BusinessSystemId,
    req: &ReferralRequest,
    now: i64,
) -> Result<Referred, ReferralError> {
    let fields = ReferralFields::check(
        &req.source,
        &req.external_id,
        &req.category,
        &req.content,
        req.contact_phone.as_deref(),
    )?;
    if !(EARLIEST_MS..=now + SKEW_MS).contains(&req.received_at_ms) {
        return Err(ReferralFieldError {
            field: "received_at_ms",
            message: "unix ms, after 2000 and not in the future".into(),
        }
        .into());
    }
    let department: DepartmentId = state
        .store
        .id_by_code(req.department.trim())
        .await?
        .ok_or_else(|| ReferralFieldError {
            field: "department",
            message: format!("unknown code {:?}", req.department),
        })?;
    if !state.store.may_register_for(system, department).await? {
        return Err(ReferralError::Forbidden(req.department.trim().to_owned()));
    }
    let print = fingerprint(system, department, req, &fields);
    let source = fields.source.as_str();
    for _ in 0..2 {
        if let Some(stored) = state
            .store
            .referral_by_external(source, &fields.external_id)
            .await?
        {
            if stored.fingerprint != print {
                return Err(ReferralError::Conflict(
                    source.to_owned(),
                    fields.external_id,
                ));
            }
            return Ok(answer(state, stored, false));
        }
        let new = NewReferral {
            system,
            source: fields.source,
            external_id: fields.external_id.clone(),
            category: fields.category.as_str(),
            received_at: req.received_at_ms,
            fingerprint: print.clone(),
            department_id: department.get(),
            content: fields.content.clone(),
            contact_phone_enc: fields
                .contact
                .as_ref()
                .map(|p| state.secrets.encrypt(p.as_str())),
            tracking_code: crate::platform::crypto::random_code(10),
            opened_at: now,
            reply_due_at: state.deadline_from(
                Timestamp::from_unix_ms(now),
                state.rules().deadlines.complaint_reply,
            ),
        };
        if state.store.insert_referral(&new).await? {
            crate::features::notify::notify_handlers_soon(state);
            let stored = state
                .store
                .referral_by_external(source, &new.external_id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?;
            return Ok(answer(state, stored, true));
        }
        // Stored by a concurrent request meanwhile: read it as a repeat.
    }
    Err(ReferralError::Conflict(
        source.to_owned(),
        fields.external_id,
    ))
}

/// Why a callback was not configured.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("the callback URL must be http:// or https://")]
    Url,
    #[error("no business system {0}")]
    NoSystem(i64),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Sets where the system's referred tickets report their statuses, with a new HMAC-SHA256 secret
/// (sealed at rest; returned to be shown once): the shell's `set-callback`. `by`: the account,
/// `None` for the shell.
pub async fn set_callback(
    state: &AppState,
    by: Option<i64>,
    system: BusinessSystemId,
    url: &str,
) -> Result<String, CallbackError> {
    let url = check_callback_url(url)?;
    let secret = crate::platform::crypto::new_api_key().replacen("hcp_", "hcpcb_", 1);
    let target = CallbackTarget {
        url,
        sign_method: SignMethod::HmacSha256,
        secret_enc: state.secrets.encrypt(&secret),
    };
    if !state
        .store
        .set_referral_callback(by, system, Some(&target))
        .await?
    {
        return Err(CallbackError::NoSystem(system.get()));
    }
    Ok(secret)
}

/// The URL trimmed, if it is an http(s) address with a host.
pub(super) fn check_callback_url(url: &str) -> Result<String, CallbackError> {
    let url = url.trim();
    let parsed = reqwest::Url::parse(url).map_err(|_| CallbackError::Url)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(CallbackError::Url);
    }
    Ok(url.to_owned())
}
