//! Server functions of 评价器管理: administrators issue a window's one-time enrolment code (shown
//! once, through a redirect that works without JavaScript), list and revoke tablets, and set the
//! idle timeout and the silence alarm.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

/// A tablet as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub window: String,
    pub hall: String,
    pub enrolled: String,
    /// Its last rating, or "尚无评价".
    pub last_rated: String,
    pub revoked: bool,
}

/// What 评价器管理 shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevicesView {
    pub devices: Vec<DeviceView>,
    /// Active windows: (id, "A01 不动产登记 · 政务服务中心").
    pub windows: Vec<(i64, String)>,
    pub idle_seconds: u32,
    pub silence_hours: u32,
    pub csrf: String,
}

/// 评价器管理.
#[server]
pub async fn admin_devices() -> Result<DevicesView, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let devices = server::features::device::devices(&state, session.actor).await?;
    let windows = state.store.windows().await?;
    Ok(from_server::page(
        devices,
        windows,
        state.rules().devices,
        session.csrf(),
    ))
}

/// 生成绑定码 for `window`: held for this administrator and shown once on the page.
#[server]
pub async fn admin_device_code(window: i64, csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let code = server::features::device::issue_code(&state, session.actor, window).await?;
    let now = server::platform::db::now();
    let handle = state.shown_once.hold(session.actor.account_id, code, now);
    leptos_axum::redirect(&format!("/staff/devices?code={handle}"));
    Ok(())
}

/// The enrolment code held under `handle` for this administrator: given once.
#[server]
pub async fn admin_take_device_code(handle: String) -> Result<Option<String>, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let now = server::platform::db::now();
    Ok(state
        .shown_once
        .take(session.actor.account_id, &handle, now))
}

/// 停用评价器.
#[server]
pub async fn admin_revoke_device(device: i64, csrf: String) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    server::features::device::revoke(&state, session.actor, device).await?;
    Ok(())
}

/// 评价器设置: seconds before the tablet goes back to idle, working hours before the silence alarm.
#[server]
pub async fn admin_device_settings(
    idle_seconds: String,
    silence_hours: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let number = |text: &str, field: &str, message: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| ApiError::invalid(field, message))
    };
    let settings = domain::device::DeviceSettings {
        idle_seconds: number(&idle_seconds, "idle_seconds", "评价等待时间：请填写秒数")?,
        silence_hours: number(
            &silence_hours,
            "silence_hours",
            "静默预警：请填写工作小时数",
        )?,
    };
    server::features::device::save_settings(&state, session.actor, settings).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's tablets and windows to this page's types.

    use server::features::{admin::WindowView, device::DeviceLine};

    use super::{DeviceView, DevicesView};

    pub(super) fn page(
        devices: Vec<DeviceLine>,
        windows: Vec<WindowView>,
        settings: domain::device::DeviceSettings,
        csrf: &str,
    ) -> DevicesView {
        DevicesView {
            devices: devices
                .into_iter()
                .map(|d| DeviceView {
                    id: d.id,
                    window: d.window,
                    hall: d.hall,
                    enrolled: d.enrolled_at.to_string(),
                    last_rated: d
                        .last_rated_at
                        .map_or_else(|| "尚无评价".to_owned(), |t| t.to_string()),
                    revoked: d.revoked,
                })
                .collect(),
            windows: windows
                .into_iter()
                .filter(|w| w.active)
                .map(|w| (w.id.get(), format!("{} {} · {}", w.number, w.name, w.hall)))
                .collect(),
            idle_seconds: settings.idle_seconds,
            silence_hours: settings.silence_hours,
            csrf: csrf.to_owned(),
        }
    }
}
