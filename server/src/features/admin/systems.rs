//! 业务系统 — administrators register the business systems that send service occurrences: the
//! portal origins that may frame their embed pages, what they may register cases for (regions with
//! everything under them, or single departments), and their API keys: shown once with only the hash
//! kept, rotated with an overlap, revoked at once. Every change is audited.

mod store;

use domain::access::{Actor, Role};
use domain::business_system::{FrameOrigin, KeyOverlap};
use domain::ids::{BusinessSystemId, DepartmentId, RegionId};
use domain::time::Timestamp;

pub use store::{Grant, KeyLine, NewSystem, SystemLine};

use super::{AdminError, invalid};
use crate::platform::{
    crypto::{hash_api_key, new_api_key},
    state::AppState,
};

/// Who changes a business system: a signed-in administrator, or the shell (`haochaping
/// add-business-system`, run by whoever operates the server).
#[derive(Debug, Clone, Copy)]
pub enum By {
    Admin(Actor),
    Shell,
}

impl By {
    /// The account the audit log names; refuses anyone but an administrator.
    fn account(self) -> Result<Option<i64>, AdminError> {
        match self {
            By::Admin(actor) if actor.role == Role::Admin => Ok(Some(actor.account_id)),
            By::Admin(_) => Err(AdminError::Forbidden),
            By::Shell => Ok(None),
        }
    }
}

/// A new business system as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct SystemForm<'a> {
    pub name: &'a str,
    /// Portal origins, separated by spaces or new lines.
    pub origins: &'a str,
    pub regions: Vec<RegionId>,
    pub departments: Vec<DepartmentId>,
}

/// A new API key, to show once.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub system: BusinessSystemId,
    pub key_id: i64,
    pub key: String,
}

/// Whether a key works at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// 有效.
    Active,
    /// 重叠期 — rotated, works until then.
    Overlap(Timestamp),
    /// 已过期 — its overlap ended.
    Expired(Timestamp),
    /// 已吊销.
    Revoked(Timestamp),
}

impl KeyLine {
    pub fn state(&self, now: Timestamp) -> KeyState {
        match (self.revoked_at, self.expires_at) {
            (Some(at), _) => KeyState::Revoked(at),
            (None, Some(until)) if until > now => KeyState::Overlap(until),
            (None, Some(until)) => KeyState::Expired(until),
            (None, None) => KeyState::Active,
        }
    }
}

impl KeyState {
    /// Whether the key still works (and so may be revoked).
    pub fn is_live(self) -> bool {
        matches!(self, KeyState::Active | KeyState::Overlap(_))
    }

    /// The state for people: 有效, 重叠期至…, 已过期, 已吊销.
    pub fn label_zh(self) -> String {
        match self {
            KeyState::Active => "有效".to_owned(),
            KeyState::Overlap(until) => format!("重叠期至 {until}"),
            KeyState::Expired(at) => format!("已于 {at} 停用"),
            KeyState::Revoked(at) => format!("已吊销（{at}）"),
        }
    }
}

/// 登记业务系统 — checks the form and registers the system with a new key.
pub async fn register_system(
    state: &AppState,
    by: By,
    form: SystemForm<'_>,
    now: Timestamp,
) -> Result<NewKey, AdminError> {
    let account = by.account()?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(invalid("系统名称：请填写，不超过64个字"));
    }
    let origins = FrameOrigin::parse_list(form.origins).map_err(|e| invalid(e.message_zh()))?;
    let (mut regions, mut departments) = (form.regions, form.departments);
    regions.sort_unstable();
    regions.dedup();
    departments.sort_unstable();
    departments.dedup();
    if regions.is_empty() && departments.is_empty() {
        return Err(invalid("可登记范围：请至少选择一个区划或部门"));
    }
    let new = NewSystem {
        name,
        origins: &origins,
        regions: &regions,
        departments: &departments,
    };
    let key = new_api_key();
    let (system, key_id) = state
        .store
        .register_business_system(account, &new, &hash_api_key(&key), now)
        .await?
        .ok_or_else(|| invalid("可登记范围：所选区划或部门不存在"))?;
    Ok(NewKey {
        system,
        key_id,
        key,
    })
}

/// 轮换密钥 — a new key; the old ones keep working for `overlap_days` (0 to 90).
pub async fn rotate_key(
    state: &AppState,
    by: By,
    system: BusinessSystemId,
    overlap_days: &str,
    now: Timestamp,
) -> Result<NewKey, AdminError> {
    let account = by.account()?;
    let overlap = KeyOverlap::parse(overlap_days).map_err(|e| invalid(e.message_zh()))?;
    let key = new_api_key();
    let key_id = state
        .store
        .rotate_api_key(account, system, &hash_api_key(&key), overlap.millis(), now)
        .await?
        .ok_or_else(|| invalid("业务系统不存在"))?;
    Ok(NewKey {
        system,
        key_id,
        key,
    })
}

/// 吊销密钥 — the key stops working at once.
pub async fn revoke_key(
    state: &AppState,
    by: By,
    key: i64,
    now: Timestamp,
) -> Result<(), AdminError> {
    let account = by.account()?;
    if state.store.revoke_api_key(account, key, now).await? {
        Ok(())
    } else {
        Err(invalid("密钥不存在或已吊销"))
    }
}

/// What the business-systems section lists.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemsPage {
    pub systems: Vec<SystemLine>,
    /// (id, name) choices for a grant.
    pub regions: Vec<(i64, String)>,
    pub departments: Vec<(i64, String)>,
}

/// The business systems with their grants and keys, and the grant choices (administrators only).
pub async fn systems_page(state: &AppState, actor: Actor) -> Result<SystemsPage, AdminError> {
    By::Admin(actor).account()?;
    let departments = state.store.active_departments().await?;
    Ok(SystemsPage {
        systems: state.store.business_systems().await?,
        regions: state.store.region_choices().await?,
        departments,
    })
}

/// Holds a new key for the administrator's next page (see `platform::once`); returns the handle.
pub fn hold_key(state: &AppState, actor: Actor, key: NewKey, now: Timestamp) -> String {
    state.shown_once.hold(actor.account_id, key.key, now)
}

/// The new key held under `handle` for this administrator, once.
pub fn take_key(state: &AppState, actor: Actor, handle: &str, now: Timestamp) -> Option<String> {
    state.shown_once.take(actor.account_id, handle, now)
}
