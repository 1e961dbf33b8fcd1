//! The use cases of the 评价器: an administrator issues a code, a tablet enrols with it, asks for
//! the visit to rate and rates it; the supervisor sees the silent ones.

use domain::{
    Channel, RatingDraft,
    access::{Actor, Role},
    device::{DeviceActivity, DeviceSettings, enrol_code_valid},
    time::Timestamp,
};

use super::store::OfferedVisit;
use super::{DeviceLine, SilentDevice};
use crate::{
    features::rating::{RateError, Refusal, evaluation},
    platform::{crypto, db::now, state::AppState},
};

/// How long an enrolment code stays valid.
const CODE_MINUTES: i64 = 10;

/// A visit finished this long ago is still offered on the tablet.
const OFFER_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("not allowed")]
    Forbidden,
    /// Not an enrolled tablet (no cookie, a revoked one, a closed window).
    #[error("not an enrolled device")]
    NotEnrolled,
    #[error("no such window")]
    NoWindow,
    #[error("wrong or expired code")]
    BadCode,
    /// No finished visit with this 评价码 at the tablet's window.
    #[error("no such visit")]
    NoVisit,
    #[error("{}", .0.message_zh())]
    Setting(domain::device::DeviceSettingError),
    #[error(transparent)]
    Rate(#[from] RateError),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// The keyed hash kept for a code or a token (never the thing itself).
fn hashed(state: &AppState, kind: &str, secret: &str) -> Vec<u8> {
    state.secrets.device_hash(&format!("{kind}:{secret}"))
}

/// 生成绑定码 — an administrator's one-time code for the tablet of `window`, valid ten minutes.
/// Returned once; only its hash is kept.
pub async fn issue_code(
    state: &AppState,
    actor: Actor,
    window: i64,
) -> Result<String, DeviceError> {
    if actor.role != Role::Admin {
        return Err(DeviceError::Forbidden);
    }
    let found = state.store.window_by_id(window).await?;
    if !found.is_some_and(|w| w.active) {
        return Err(DeviceError::NoWindow);
    }
    let digits = crypto::random_bytes(8);
    let code: String = digits.iter().map(|b| char::from(b'0' + b % 10)).collect();
    let now = now();
    let expires = now.plus_ms(CODE_MINUTES * 60_000);
    let hash = hashed(state, "enrol", &code);
    state
        .store
        .issue_enrol_code(window, actor.account_id, &hash, now, expires)
        .await?;
    Ok(code)
}

/// 绑定 — enrols the tablet that typed `code`: returns the token its cookie keeps.
pub async fn enrol(state: &AppState, code: &str) -> Result<String, DeviceError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if !enrol_code_valid(&code) {
        return Err(DeviceError::BadCode);
    }
    let token = crypto::random_hex(32);
    let enrolled = state
        .store
        .enrol_device(
            &hashed(state, "enrol", &code),
            &token_hash(state, &token),
            now(),
        )
        .await?;
    match enrolled {
        Some(_) => Ok(token),
        None => Err(DeviceError::BadCode),
    }
}

/// The hash a tablet is known by (and the `device_hash` of its ratings).
pub fn token_hash(state: &AppState, token: &str) -> Vec<u8> {
    hashed(state, "tablet", token)
}

/// The enrolled tablet holding `token`: (device, window, the hash it is known by). A tablet
/// enrolled under an earlier master key (still listed in `HAOCHAPING_OLD_KEYS`) keeps its hash,
/// so that its ratings before and after the change are one device's.
pub async fn device(
    state: &AppState,
    token: Option<&str>,
) -> Result<(i64, i64, Vec<u8>), DeviceError> {
    let token = token.ok_or(DeviceError::NotEnrolled)?;
    let hashes = state.secrets.device_hashes(&format!("tablet:{token}"));
    state
        .store
        .device_by_token(&hashes)
        .await?
        .ok_or(DeviceError::NotEnrolled)
}

/// What the tablet shows: the window's names and the idle timeout.
pub struct DeviceScreen {
    pub window: crate::features::admin::WindowView,
    pub settings: DeviceSettings,
}

pub async fn screen(state: &AppState, token: Option<&str>) -> Result<DeviceScreen, DeviceError> {
    let (_, window, _) = device(state, token).await?;
    let window = state
        .store
        .window_by_id(window)
        .await?
        .ok_or(DeviceError::NotEnrolled)?;
    Ok(DeviceScreen {
        window,
        settings: state.rules().devices,
    })
}

/// The visit the tablet should offer now: the newest one its window finished in the last minutes
/// that nobody rated.
pub async fn next(
    state: &AppState,
    token: Option<&str>,
) -> Result<Option<OfferedVisit>, DeviceError> {
    let (id, window, _) = device(state, token).await?;
    let now = now();
    state.store.touch_device(id, now).await?;
    Ok(state
        .store
        .offered_visit(window, now.minus_ms(OFFER_MS))
        .await?)
}

/// Rates the visit with 评价码 `code` on the tablet (channel hall_device). Sent again after a
/// network drop, a rating this tablet already stored answers with its tracking code: at most one
/// rating per visit, whatever the retries.
pub async fn rate(
    state: &AppState,
    token: Option<&str>,
    code: &str,
    draft: &RatingDraft,
) -> Result<String, DeviceError> {
    let token = token.ok_or(DeviceError::NotEnrolled)?;
    let (_, window, mine) = device(state, Some(token)).await?;
    let mut new = evaluation(state, draft, Channel::HallDevice)?;
    new.device_hash = Some(mine.clone());
    for _ in 0..2 {
        let (occurrence, rated, by) = state
            .store
            .device_visit(window, code)
            .await?
            .ok_or(DeviceError::NoVisit)?;
        match (rated, by) {
            (Some(tracking), Some(by)) if by == mine => return Ok(tracking),
            (Some(_), _) => return Err(RateError::Refused(Refusal::AlreadyRated).into()),
            (None, _) => {
                if state.store.insert_evaluation(occurrence, &new).await? {
                    if new.ticket.is_some() {
                        crate::features::notify::notify_handlers_soon(state);
                    }
                    return Ok(new.tracking_code);
                }
                // Stored meanwhile (by this tablet's retry, or another way): look again.
            }
        }
    }
    Err(RateError::Refused(Refusal::AlreadyRated).into())
}

/// 评价器列表 — every tablet, for administrators.
pub async fn devices(state: &AppState, actor: Actor) -> Result<Vec<DeviceLine>, DeviceError> {
    if actor.role != Role::Admin {
        return Err(DeviceError::Forbidden);
    }
    Ok(state.store.devices().await?)
}

/// 停用评价器.
pub async fn revoke(state: &AppState, actor: Actor, id: i64) -> Result<bool, DeviceError> {
    if actor.role != Role::Admin {
        return Err(DeviceError::Forbidden);
    }
    Ok(state
        .store
        .revoke_device(id, actor.account_id, now())
        .await?)
}

/// 评价器设置 — saved with the audit entry and in force at once.
pub async fn save_settings(
    state: &AppState,
    actor: Actor,
    settings: DeviceSettings,
) -> Result<(), DeviceError> {
    if actor.role != Role::Admin {
        return Err(DeviceError::Forbidden);
    }
    let settings = settings.check().map_err(DeviceError::Setting)?;
    let before = state.rules().devices;
    state
        .store
        .save_device_settings(actor.account_id, before, settings)
        .await?;
    state.update_rules(|r| r.devices = settings);
    Ok(())
}

/// 评价器静默 — the tablets (in the supervisor's scope) that rated nothing for the set working
/// hours while their window served, as of `at`.
pub async fn silent(
    state: &AppState,
    actor: Actor,
    at: Timestamp,
) -> Result<Vec<SilentDevice>, DeviceError> {
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Err(DeviceError::Forbidden);
    }
    let rules = state.rules();
    let coverage = state.store.coverage(actor.scope).await?;
    let mut out = Vec::new();
    for (device, served_since) in state.store.device_activity().await? {
        let within = coverage.covers(device.department_id);
        let activity = DeviceActivity {
            since: device.last_rated_at.unwrap_or(device.enrolled_at),
            served_since,
        };
        if within && activity.silent(&rules.calendar, at, rules.devices) {
            out.push(SilentDevice {
                device,
                served_since,
            });
        }
    }
    Ok(out)
}
