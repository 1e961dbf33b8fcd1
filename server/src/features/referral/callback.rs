//! 办理状态回传 — each status change of a referred ticket goes back to the referring platform's
//! callback: signed like an upward report (HMAC-SHA256 of `timestamp + "\n" + body`, keyed by the
//! platform's callback secret), in order per ticket (only a ticket's oldest undelivered change is
//! ever sent), retried with the reporter's backoff, every attempt recorded.

use std::time::Duration;

use domain::referral::ReferralStatus;
use domain::upward::SignMethod;
use serde_json::{Value, json};

use super::store::DueCallback;
use crate::features::upward::backoff_ms;
use crate::platform::{db::now_ms, state::AppState};

/// Callbacks per round.
const ROUND: i64 = 50;

/// The JSON a callback carries: no personal data, the reply text only with `replied`.
pub fn callback_body(due: &DueCallback) -> Value {
    let status = ReferralStatus::parse(&due.status);
    json!({
        "source": due.source,
        "external_id": due.external_id,
        "ticket_id": due.ticket_id,
        "sequence": due.id,
        "status": due.status,
        "status_zh": status.map(ReferralStatus::label_zh),
        "at_ms": due.at,
        "reply": (status == Some(ReferralStatus::Replied)).then(|| json!({
            "text": due.note,
            "at_ms": due.at,
        })),
    })
}

/// The signing headers for `body` sent at `now_ms` with `secret`.
pub fn signature_headers(secret: &str, now_ms: i64, body: &[u8]) -> [(&'static str, String); 2] {
    let timestamp = now_ms / 1000;
    let signature = SignMethod::HmacSha256.sign(secret.as_bytes(), timestamp, body);
    SignMethod::HmacSha256.headers(timestamp, &signature)
}

/// Sends one callback; the HTTP status (if any) and whether it was taken.
async fn send(state: &AppState, due: &DueCallback) -> (Option<u16>, Result<(), String>) {
    let secret = match state.secrets.decrypt(&due.secret_enc) {
        Ok(secret) => secret,
        Err(e) => return (None, Err(format!("回传密钥无法解密：{e}"))),
    };
    let body = serde_json::to_vec(&callback_body(due)).unwrap_or_default();
    let mut request = state
        .http
        .post(&due.url)
        .header("content-type", "application/json");
    for (name, value) in signature_headers(&secret, now_ms(), &body) {
        request = request.header(name, value);
    }
    match request.body(body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            if response.status().is_success() {
                (Some(status), Ok(()))
            } else {
                let text: String = response
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                (Some(status), Err(format!("HTTP {status}: {text}")))
            }
        }
        Err(e) => (None, Err(format!("连接失败：{e}"))),
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

/// Runs for the life of the server: a round as soon as the last one sent something, else every
/// 200 ms.
pub async fn deliver_forever(state: AppState) {
    loop {
        let sent = deliver_round(&state, now_ms()).await.unwrap_or_else(|e| {
            tracing::warn!("referral callbacks: {e}");
            0
        });
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
            secret_enc: Vec::new(),
        };
        let body = callback_body(&due);
        assert_eq!(body["reply"]["text"], "已联系窗口整改");
        assert_eq!(body["status_zh"], "已答复");
        due.status = "accepted".into();
        assert!(callback_body(&due)["reply"].is_null());
        let [(_, ts), (_, sig)] = signature_headers("k", 1_700_000_000_999, b"{}");
        assert_eq!(ts, "1700000000");
        assert!(sig.starts_with("hmac-sha256=") && sig.len() == 12 + 64);
    }
}
