//! Server functions of 评价邀请与消息 on the administration page: invitations, the default
//! evaluation, the SMS gateway and each department's robot and contact phone. Secrets are never
//! sent back to the page: only whether one is set.

// The settings form is one plain form with a field per setting, one argument each (the `#[server]`
// macro does not pass a function-level allow on to the code it generates).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

/// A department's targets as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetLine {
    pub code: String,
    pub name: String,
    pub robot_url: String,
    pub robot_secret_set: bool,
    pub contact_phone: String,
}

/// A line of the message log (the phone masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub at: String,
    pub kind: String,
    pub via: String,
    pub phone: String,
    pub status: String,
}

/// What the section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyPage {
    pub invite_enabled: bool,
    pub invite_after_days: u32,
    pub invite_reminders: u32,
    pub invite_spacing_days: u32,
    pub quiet_start: u32,
    pub quiet_end: u32,
    pub default_enabled: bool,
    pub default_after_days: u32,
    /// Interface code of the level (5 … 3).
    pub default_level: u8,
    pub sms_kind: String,
    pub sms_url: String,
    pub sms_account: String,
    pub sms_secret_set: bool,
    pub sms_template: String,
    pub departments: Vec<TargetLine>,
    pub messages: Vec<MessageView>,
    pub csrf: String,
}

/// 评价邀请与消息.
#[server]
pub async fn admin_notify() -> Result<NotifyPage, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let view = server::features::notify::view(&state, session.actor).await?;
    Ok(from_server::page(view, session.csrf()))
}

/// Saves invitations, default evaluation and the SMS gateway.
#[server]
pub async fn admin_notify_settings(
    invite_enabled: Option<String>,
    invite_after_days: String,
    invite_reminders: String,
    invite_spacing_days: String,
    quiet_start: String,
    quiet_end: String,
    default_enabled: Option<String>,
    default_after_days: String,
    default_level: String,
    sms_kind: String,
    sms_url: String,
    sms_account: String,
    sms_secret: String,
    sms_template: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let form = server::features::notify::NotifyForm {
        invite_enabled: invite_enabled.is_some(),
        invite_after_days: &invite_after_days,
        invite_reminders: &invite_reminders,
        invite_spacing_days: &invite_spacing_days,
        quiet_start: &quiet_start,
        quiet_end: &quiet_end,
        default_enabled: default_enabled.is_some(),
        default_after_days: &default_after_days,
        default_level: &default_level,
        sms_kind: &sms_kind,
        sms_url: &sms_url,
        sms_account: &sms_account,
        sms_secret: &sms_secret,
        sms_template: &sms_template,
    };
    Ok(server::features::notify::save_settings(&state, session.actor, form).await?)
}

/// Saves one department's group robot and contact phone.
#[server]
pub async fn admin_notify_target(
    department: String,
    robot_url: String,
    robot_secret: String,
    clear_secret: Option<String>,
    contact_phone: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let form = server::features::notify::TargetForm {
        department: &department,
        robot_url: &robot_url,
        robot_secret: &robot_secret,
        clear_secret: clear_secret.is_some(),
        contact_phone: &contact_phone,
    };
    Ok(server::features::notify::save_target(&state, session.actor, form).await?)
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's settings view to this page's types.

    use server::features::notify::NotifyView;

    use super::{MessageView, NotifyPage, TargetLine};

    pub(super) fn page(v: NotifyView, csrf: &str) -> NotifyPage {
        NotifyPage {
            invite_enabled: v.invite.enabled,
            invite_after_days: v.invite.after_days,
            invite_reminders: v.invite.reminders,
            invite_spacing_days: v.invite.spacing_days,
            quiet_start: v.invite.quiet.start,
            quiet_end: v.invite.quiet.end,
            default_enabled: v.default_evaluation.enabled,
            default_after_days: v.default_evaluation.after_days,
            default_level: v.default_evaluation.level.interface_code(),
            sms_kind: v.sms_kind.as_str().to_owned(),
            sms_url: v.sms_url,
            sms_account: v.sms_account,
            sms_secret_set: v.sms_secret_set,
            sms_template: v.sms_template,
            departments: v
                .departments
                .into_iter()
                .map(|d| TargetLine {
                    code: d.code,
                    name: d.name,
                    robot_url: d.robot_url,
                    robot_secret_set: d.robot_secret_set,
                    contact_phone: d.contact_phone,
                })
                .collect(),
            messages: v
                .messages
                .into_iter()
                .map(|m| MessageView {
                    at: m.at.to_string(),
                    kind: domain::notify::message_label(&m.kind).to_owned(),
                    via: domain::notify::message_label(&m.via).to_owned(),
                    phone: m.phone_masked.unwrap_or_else(|| "—".into()),
                    status: if m.status == "accepted" {
                        "已受理".into()
                    } else {
                        format!("失败：{}", m.error.unwrap_or_default())
                    },
                })
                .collect(),
            csrf: csrf.to_owned(),
        }
    }
}
