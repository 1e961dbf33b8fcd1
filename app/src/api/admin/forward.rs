//! Server functions of 转办回传与12345转送 on the administration page: each referring platform's
//! callback, the 差评 forwarding to 12345 and how both fare. Administrators only, CSRF-checked;
//! secrets are never sent back to the page, only whether one is set.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

/// A referring platform's callback as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackView {
    pub system: i64,
    pub name: String,
    pub url: String,
    pub sign_method: String,
    pub secret_set: bool,
    /// "已回传 3，待回传 0，失败待重试 1".
    pub health: String,
    /// The latest error of an undelivered callback, or empty.
    pub last_error: String,
}

/// A forwarded 差评 ticket as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardedView {
    /// 查询码: our id.
    pub our_id: String,
    pub department: String,
    pub opened_at: String,
    pub state_zh: String,
    /// 已送达 …, 待发送, 失败待重试 ….
    pub delivery: String,
    /// The 12345 platform's order id, or "—".
    pub order_id: String,
}

/// What the section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForwardingPage {
    pub callbacks: Vec<CallbackView>,
    pub enabled: bool,
    pub url: String,
    pub sign_method: String,
    pub secret_set: bool,
    pub delivered: i64,
    pub waiting: i64,
    pub failing: i64,
    /// "—", or how long the oldest undelivered row has waited.
    pub oldest_wait: String,
    /// "—", or when and what the latest error of an undelivered row was.
    pub last_error: String,
    /// Failures, or a row waiting over a minute while forwarding is on.
    pub alert: bool,
    pub tickets: Vec<ForwardedView>,
    pub csrf: String,
}

/// 转办回传与12345转送.
#[server]
pub async fn admin_forwarding() -> Result<ForwardingPage, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let view = server::features::referral::forwarding_view(&state, session.actor).await?;
    let now = server::platform::db::now_ms();
    Ok(from_server::page(view, session.csrf(), now))
}

/// Sets, changes or clears one referring platform's callback.
#[server]
pub async fn admin_set_callback(
    system: i64,
    url: String,
    sign_method: String,
    secret: String,
    clear: Option<String>,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let form = server::features::referral::CallbackForm {
        system,
        url: &url,
        sign_method: &sign_method,
        secret: &secret,
        clear: clear.is_some(),
    };
    Ok(server::features::referral::save_callback(&state, session.actor, form).await?)
}

/// Switches the 差评 forwarding to 12345 on or off, with its target.
#[server]
pub async fn admin_set_forwarding(
    enabled: Option<String>,
    url: String,
    sign_method: String,
    secret: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::with_csrf(&csrf).await?;
    let form = server::features::referral::ForwardForm {
        enabled: enabled.is_some(),
        url: &url,
        sign_method: &sign_method,
        secret: &secret,
    };
    Ok(server::features::referral::save_forwarding(&state, session.actor, form).await?)
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's view to this page's types.

    use server::features::referral::{CallbackLine, ForwardedTicket, ForwardingView};

    use super::{CallbackView, ForwardedView, ForwardingPage};

    fn wait(ms: i64) -> String {
        match ms / 1000 {
            s if s < 120 => format!("{s} 秒"),
            s if s < 7200 => format!("{} 分钟", s / 60),
            s => format!("{} 小时", s / 3600),
        }
    }

    fn callback(c: CallbackLine) -> CallbackView {
        CallbackView {
            system: c.system_id,
            name: c.name,
            url: c.url.unwrap_or_default(),
            sign_method: c.sign_method,
            secret_set: c.secret_set,
            health: format!(
                "已回传 {}，待回传 {}，失败待重试 {}",
                c.delivered, c.waiting, c.failing
            ),
            last_error: c.last_error.unwrap_or_default(),
        }
    }

    fn ticket(t: ForwardedTicket) -> ForwardedView {
        let delivery = match (t.delivered_at, t.last_error) {
            (Some(at), _) => format!("已送达 {at}"),
            (None, Some(error)) => format!("失败待重试（已试 {} 次）：{error}", t.attempts),
            (None, None) => "待发送".to_owned(),
        };
        ForwardedView {
            our_id: t.our_id,
            department: t.department,
            opened_at: t.opened_at.to_string(),
            state_zh: t.state.label_zh().to_owned(),
            delivery,
            order_id: t.order_id.unwrap_or_else(|| "—".to_owned()),
        }
    }

    pub(super) fn page(v: ForwardingView, csrf: &str, now: i64) -> ForwardingPage {
        let h = v.health;
        let waited = h.oldest_waiting.map(|t| now - t.unix_ms());
        ForwardingPage {
            callbacks: v.callbacks.into_iter().map(callback).collect(),
            alert: h.failing > 0
                || (v.enabled && waited.is_some_and(|w| w > domain::upward::LAG_ALERT_MS)),
            enabled: v.enabled,
            url: v.url,
            sign_method: v.sign_method,
            secret_set: v.secret_set,
            delivered: h.delivered,
            waiting: h.waiting,
            failing: h.failing,
            oldest_wait: waited.map_or_else(|| "—".to_owned(), wait),
            last_error: h
                .last_error
                .map_or_else(|| "—".to_owned(), |(at, e)| format!("{at}：{e}")),
            tickets: v.tickets.into_iter().map(ticket).collect(),
            csrf: csrf.to_owned(),
        }
    }
}
