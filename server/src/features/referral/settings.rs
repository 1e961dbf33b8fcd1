//! 转办回传与12345转送 on the administration page: each referring platform's callback (URL,
//! signing method, secret) and the 差评 forwarding to 12345, with how both fare. Administrators
//! only; every change audited without secrets; a secret left blank stays as it was, and none is
//! ever read back to a page.

use base64::Engine;
use domain::access::{Actor, Role};
use domain::ids::BusinessSystemId;
use domain::upward::SignMethod;

use super::forward_store::{ForwardHealth, ForwardedTicket};
use super::service::check_callback_url;
use super::store::{CallbackLine, CallbackTarget};
use crate::features::admin::{AdminError, ForwardSettings};
use crate::platform::state::AppState;

/// Forwarded tickets the page lists.
const LISTED: i64 = 20;
/// The longest secret (an SM2 key is 64 hex digits).
const SECRET_CHARS: usize = 256;

/// A referring platform's callback as sent by its form. Blank secret: keep; `clear`: remove the
/// callback altogether.
#[derive(Debug, Clone, Default)]
pub struct CallbackForm<'a> {
    pub system: i64,
    pub url: &'a str,
    pub sign_method: &'a str,
    pub secret: &'a str,
    pub clear: bool,
}

/// The forwarding form. Blank secret: keep.
#[derive(Debug, Clone, Default)]
pub struct ForwardForm<'a> {
    pub enabled: bool,
    pub url: &'a str,
    pub sign_method: &'a str,
    pub secret: &'a str,
}

/// What the section shows: no secret, only whether one is set.
#[derive(Debug, Clone)]
pub struct ForwardingView {
    pub callbacks: Vec<CallbackLine>,
    pub enabled: bool,
    pub url: String,
    pub sign_method: String,
    pub secret_set: bool,
    pub health: ForwardHealth,
    pub tickets: Vec<ForwardedTicket>,
}

fn admin(actor: Actor) -> Result<(), AdminError> {
    (actor.role == Role::Admin)
        .then_some(())
        .ok_or(AdminError::Forbidden)
}

fn invalid(message: &str) -> AdminError {
    AdminError::Invalid(message.to_owned())
}

fn method(text: &str) -> Result<SignMethod, AdminError> {
    SignMethod::parse(text.trim())
        .ok_or_else(|| invalid("签名方式：请选择 HMAC-SHA256、HMAC-SM3 或 SM2"))
}

/// Checks that `secret` can sign with `method` (any text for an HMAC, a private key for SM2).
fn signs(method: SignMethod, secret: &str) -> Result<(), AdminError> {
    if secret.chars().count() > SECRET_CHARS {
        return Err(invalid("密钥：至多256个字符"));
    }
    super::signature_headers(method, secret, 0, b"")
        .map(|_| ())
        .ok_or_else(|| invalid("密钥：SM2 签名需填写64位十六进制私钥"))
}

/// The page's data.
pub async fn forwarding_view(state: &AppState, actor: Actor) -> Result<ForwardingView, AdminError> {
    admin(actor)?;
    let settings = state.store.forward_settings().await?;
    Ok(ForwardingView {
        callbacks: state.store.referral_callbacks().await?,
        enabled: settings.enabled,
        url: settings.url,
        sign_method: settings.sign_method,
        secret_set: settings.secret_sealed.is_some(),
        health: state.store.forward_health().await?,
        tickets: state.store.forwarded_tickets(LISTED).await?,
    })
}

/// Sets, changes or clears a referring platform's callback, audited.
pub async fn save_callback(
    state: &AppState,
    actor: Actor,
    form: CallbackForm<'_>,
) -> Result<(), AdminError> {
    admin(actor)?;
    let system = BusinessSystemId(form.system);
    let target = if form.clear {
        None
    } else {
        let url = check_callback_url(form.url)
            .map_err(|_| invalid("回传地址：请填写 http:// 或 https:// 开头的地址"))?;
        let sign_method = method(form.sign_method)?;
        let secret = form.secret.trim();
        let secret_enc = if secret.is_empty() {
            match state.store.callback_secret(system).await? {
                Some(sealed) => {
                    let old = state
                        .secrets
                        .decrypt(&sealed)
                        .map_err(|_| invalid("回传密钥：原密钥无法解密，请重新填写"))?;
                    signs(sign_method, &old)?;
                    sealed
                }
                None => return Err(invalid("回传密钥：请填写")),
            }
        } else {
            signs(sign_method, secret)?;
            state.secrets.encrypt(secret)
        };
        Some(CallbackTarget {
            url,
            sign_method,
            secret_enc,
        })
    };
    if !state
        .store
        .set_referral_callback(Some(actor.account_id), system, target.as_ref())
        .await?
    {
        return Err(invalid("业务系统：请选择一个业务系统"));
    }
    Ok(())
}

/// Switches the 差评 forwarding on or off with its target, audited. On needs a URL and a secret.
pub async fn save_forwarding(
    state: &AppState,
    actor: Actor,
    form: ForwardForm<'_>,
) -> Result<(), AdminError> {
    admin(actor)?;
    let before = state.store.forward_settings().await?;
    let url = form.url.trim();
    if !url.is_empty() || form.enabled {
        domain::notify::check_url(url)
            .map_err(|_| invalid("12345 平台地址：请填写 http:// 或 https:// 开头的地址"))?;
    }
    let sign_method = method(form.sign_method)?;
    let secret = form.secret.trim();
    let secret_sealed = if secret.is_empty() {
        if let Some(sealed) = &before.secret_sealed {
            let old = base64::engine::general_purpose::STANDARD
                .decode(sealed)
                .ok()
                .and_then(|s| state.secrets.decrypt(&s).ok())
                .ok_or_else(|| invalid("密钥：原密钥无法解密，请重新填写"))?;
            signs(sign_method, &old)?;
        } else if form.enabled {
            return Err(invalid("密钥：启用转送需填写 12345 平台的密钥"));
        }
        before.secret_sealed.clone()
    } else {
        signs(sign_method, secret)?;
        Some(base64::engine::general_purpose::STANDARD.encode(state.secrets.encrypt(secret)))
    };
    let after = ForwardSettings {
        enabled: form.enabled,
        url: url.to_owned(),
        sign_method: sign_method.as_str().to_owned(),
        secret_sealed,
    };
    state
        .store
        .save_forward_settings(actor.account_id, before, after)
        .await?;
    Ok(())
}
