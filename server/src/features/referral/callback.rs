//! 办理状态回传 — each status change of a referred ticket goes back to the referring platform's
//! callback: signed like an upward report (`timestamp + "\n" + body`, with the callback's method:
//! an HMAC keyed by its secret, or SM2 with it as our private key), in order per ticket (only a
//! ticket's oldest undelivered change is ever sent), retried with the reporter's backoff, every
//! attempt recorded. The 12345 forwarding (`forward.rs`) signs and posts the same way.

use std::time::Duration;

use domain::referral::ReferralStatus;
use domain::upward::SignMethod;
use serde_json::{Value, json};

use super::store::DueCallback;
use crate::features::upward::backoff_ms;
use crate::platform::{crypto::from_hex, db::now_ms, state::AppState};

/// Callbacks per round.
const ROUND: i64 = 50;

/// The JSON a callback carries: no personal data, the reply text only with `replied`.
pub fn callback_body(due: &DueCallback) -> Value {
    status_body(
        &due.source,
        &due.external_id,
        due.ticket_id,
        due.id,
        &due.status,
        due.note.as_deref(),
        due.at,
    )
}

/// A status change as the platform that holds the work order hears of it (a referral's callback,
/// a forwarded 差评's status): the platform's own id, ours, the change's sequence number.
pub(super) fn status_body(
    source: &str,
    external_id: &str,
    ticket_id: i64,
    sequence: i64,
    status: &str,
    note: Option<&str>,
    at: i64,
) -> Value {
    let parsed = ReferralStatus::parse(status);
    json!({
        "source": source,
        "external_id": external_id,
        "ticket_id": ticket_id,
        "sequence": sequence,
        "status": status,
        "status_zh": parsed.map(ReferralStatus::label_zh),
        "at_ms": at,
        "reply": (parsed == Some(ReferralStatus::Replied)).then(|| json!({
            "text": note,
            "at_ms": at,
        })),
    })
}

/// The signing headers for `body` sent at `now_ms`: an HMAC keyed by `secret`'s bytes, or an SM2
/// signature with `secret` as the private key (hex). `None`: `secret` is no SM2 private key.
pub fn signature_headers(
    method: SignMethod,
    secret: &str,
    now_ms: i64,
    body: &[u8],
) -> Option<[(&'static str, String); 2]> {
    let timestamp = now_ms / 1000;
    let signature = match method {
        SignMethod::Sm2 => SignMethod::sm2_sign(&from_hex(secret.trim())?, timestamp, body)?,
        hmac => hmac.sign(secret.as_bytes(), timestamp, body),
    };
    Some(method.headers(timestamp, &signature))
}

/// POSTs `body` as JSON to `url`, signed: the answer's HTTP status and its text (at most 64 KiB
/// read), or why there was none.
pub(super) async fn post_signed(
    http: &reqwest::Client,
    url: &str,
    method: SignMethod,
    secret: &str,
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    let headers = signature_headers(method, secret, now_ms(), &body)
        .ok_or_else(|| "签名密钥不是有效的 SM2 私钥".to_owned())?;
    let mut request = http.post(url).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request
        .body(body)
        .send()
        .await
        .map_err(|e| format!("连接失败：{e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Ok((status, text.chars().take(64 * 1024).collect()))
}

/// The first 200 characters of an answer, for the record of an attempt.
pub(super) fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Sends one callback; the HTTP status (if any) and whether it was taken.
async fn send(state: &AppState, due: &DueCallback) -> (Option<u16>, Result<(), String>) {
    let secret = match state.secrets.decrypt(&due.secret_enc) {
        Ok(secret) => secret,
        Err(e) => return (None, Err(format!("回传密钥无法解密：{e}"))),
    };
    let method = SignMethod::parse(&due.sign_method).unwrap_or(SignMethod::HmacSha256);
    let body = serde_json::to_vec(&callback_body(due)).unwrap_or_default();
    match post_signed(&state.http, &due.url, method, &secret, body).await {
        Ok((status, _)) if (200..300).contains(&status) => (Some(status), Ok(())),
        Ok((status, text)) => (
            Some(status),
            Err(format!("HTTP {status}: {}", short(&text))),
        ),
        Err(error) => (None, Err(error)),
    }
}

/// One round: sends every callback due at `now`; how many were attempted.
pub async fn deliver_round(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let due = state.store.due_callbacks(now, ROUND).await?;
    let max = state.config.upward_max_backoff_ms;
    for callback in &due {
        let (status, outcome) = send(state, callback).await;
        let settled = now_ms().max(now);
        match outcome {
            Ok(()) => {
                state
                    .store
                    .settle_callback(callback.id, settled, status, Ok(()))
                    .await?;
            }
            Err(error) => {
                tracing::warn!(
                    callback = callback.id,
                    attempts = callback.attempts + 1,
                    "referral callback failed, retried later"
                );
                let next = settled + backoff_ms(callback.attempts, max);
                state
                    .store
                    .settle_callback(callback.id, settled, status, Err((next, &error)))
                    .await?;
            }
        }
    }
    Ok(due.len())
}

/// Runs for the life of the server, for the callbacks and the 12345 forwarding: a round as soon as
/// the last one sent something, else every 200 ms.
pub async fn deliver_forever(state: AppState) {
    let mut lease = crate::platform::lease::Lease::new("callbacks");
    loop {
        let now = now_ms();
        // One instance sends, where several share the database.
        if !lease.held(&state.store, now).await {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        let callbacks = deliver_round(&state, now).await.unwrap_or_else(|e| {
            tracing::warn!("referral callbacks: {e}");
            0
        });
        let forwarded = super::forward::forward_round(&state, now)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("12345 forwarding: {e}");
                0
            });
        let sent = callbacks + forwarded;
        if sent == 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_carries_its_text_and_other_statuses_none() {
        let mut due = DueCallback {
            id: 7,
            attempts: 0,
            status: "replied".into(),
            note: Some("已联系窗口整改".into()),
            at: 1_700_000_000_000,
            source: "12345".into(),
            external_id: "GD-1".into(),
            ticket_id: 3,
            url: "http://127.0.0.1/cb".into(),
            sign_method: "hmac-sha256".into(),
            secret_enc: Vec::new(),
        };
        let body = callback_body(&due);
        assert_eq!(body["reply"]["text"], "已联系窗口整改");
        assert_eq!(body["status_zh"], "已答复");
        due.status = "accepted".into();
        assert!(callback_body(&due)["reply"].is_null());
        let [(_, ts), (_, sig)] =
            signature_headers(SignMethod::HmacSha256, "k", 1_700_000_000_999, b"{}").unwrap();
        assert_eq!(ts, "1700000000");
        assert!(sig.starts_with("hmac-sha256=") && sig.len() == 12 + 64);
    }

    #[test]
    fn an_sm2_callback_is_signed_with_the_private_key_and_a_bad_key_signs_nothing() {
        let key = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
        let [_, (_, sig)] = signature_headers(SignMethod::Sm2, key, 1_000, b"{}").unwrap();
        assert!(sig.starts_with("sm2=") && sig.len() == 4 + 128, "{sig}");
        assert!(signature_headers(SignMethod::Sm2, "not hex", 1_000, b"{}").is_none());
        assert!(signature_headers(SignMethod::HmacSm3, "any", 1_000, b"{}").is_some());
    }
}
