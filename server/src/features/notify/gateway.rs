//! The SMS gateway (a 政务短信平台's HTTP interface, or a development file) and group robots
//! (政务钉钉 / 企业微信 webhooks). An attempt either succeeds (any 2xx) or yields the error kept in
//! the message log; the message text and the phone never reach the tracing log.

use std::io::Write;

use serde_json::{Value, json};

use crate::features::admin::{SmsGateway, SmsKind};
use crate::platform::state::AppState;

/// One SMS: the phone, the template's variables and the full text (for gateways that take text).
pub(super) struct Sms<'a> {
    pub phone: &'a str,
    pub variables: Value,
    pub text: &'a str,
}

/// Opens a sealed secret from the settings; an unreadable one counts as none (with a warning).
pub(super) fn open_secret(state: &AppState, sealed: Option<&str>) -> Option<String> {
    use base64::Engine;
    let sealed = sealed?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .ok()?;
    state
        .secrets
        .decrypt(&bytes)
        .inspect_err(|_| tracing::warn!("a messaging secret could not be opened"))
        .ok()
}

/// Sends one SMS through the configured gateway. `Ok(())`: accepted.
pub(super) async fn send_sms(
    state: &AppState,
    gateway: &SmsGateway,
    sms: &Sms<'_>,
) -> Result<(), String> {
    let body = json!({
        "account": gateway.account,
        "phone": sms.phone,
        "template": gateway.template,
        "variables": sms.variables,
        "content": sms.text,
    });
    match gateway.kind {
        SmsKind::Off => Err("短信网关未启用".into()),
        SmsKind::File => append_line(state, &body),
        SmsKind::Http => {
            let mut request = state.http.post(&gateway.url).json(&body);
            if let Some(secret) = open_secret(state, gateway.secret_sealed.as_deref()) {
                request = request.bearer_auth(secret);
            }
            accepted(request.send().await).await
        }
    }
}

/// Development sink: one JSON line per message in `<data dir>/messages.jsonl`.
fn append_line(state: &AppState, body: &Value) -> Result<(), String> {
    let path = state.config.data_dir.join("messages.jsonl");
    let line = format!("{body}\n");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()))
        .map_err(|e| format!("写入消息文件失败：{e}"))
}

/// Posts a text message to a group robot; with a secret, DingTalk's `timestamp` and `sign` go in
/// the query string.
pub(super) async fn send_robot(
    state: &AppState,
    url: &str,
    secret: Option<&str>,
    text: &str,
    now: i64,
) -> Result<(), String> {
    let mut request = state
        .http
        .post(url)
        .json(&json!({ "msgtype": "text", "text": { "content": text } }));
    if let Some(secret) = secret {
        let sign = domain::notify::robot_sign(secret, now);
        request = request.query(&[("timestamp", now.to_string()), ("sign", sign)]);
    }
    accepted(request.send().await).await
}

/// Any 2xx is accepted; otherwise the status and the start of the answer, or the transport error.
async fn accepted(response: reqwest::Result<reqwest::Response>) -> Result<(), String> {
    let response = response.map_err(|e| format!("发送失败：{}", e.without_url()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response.text().await.unwrap_or_default();
    let text: String = text.chars().take(200).collect();
    Err(format!("HTTP {}: {text}", status.as_u16()))
}
