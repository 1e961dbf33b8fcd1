//! 差评转送12345 — while forwarding is on, each 差评 ticket's work order (written by a trigger in
//! the ticket's transaction) and then its status changes go to the 12345 platform: signed and
//! posted like a referral's callbacks, in order per ticket, retried with a doubling wait, every
//! attempt recorded. Our id (the 查询码) lets the platform dedup a re-send after a lost answer, and
//! "already received" counts as delivered; the platform's order id from its answer is kept. The
//! citizen's phone is decrypted only into the body of the request and never logged.

use domain::Catalogue;
use domain::referral::forward::{self as rules, CATEGORY};
use domain::upward::SignMethod;
use serde_json::{Value, json};

use super::callback::{post_signed, short, status_body};
use super::forward_store::{DueForward, WorkOrder};
use crate::features::admin::ForwardSettings;
use crate::features::upward::backoff_ms;
use crate::platform::{db::now_ms, state::AppState};

/// Rows per round.
const ROUND: i64 = 50;

/// Where and how to send, with the secret opened.
struct Target {
    url: String,
    method: SignMethod,
    secret: String,
}

impl Target {
    /// The target while forwarding is on and complete; `None` otherwise (nothing is sent, what
    /// waits keeps waiting).
    fn of(state: &AppState, settings: &ForwardSettings) -> anyhow::Result<Option<Target>> {
        let Some(sealed) = settings.secret_sealed.as_deref() else {
            return Ok(None);
        };
        if !settings.enabled || settings.url.is_empty() {
            return Ok(None);
        }
        use base64::Engine;
        let sealed = base64::engine::general_purpose::STANDARD.decode(sealed)?;
        Ok(Some(Target {
            url: settings.url.clone(),
            method: SignMethod::parse(&settings.sign_method).unwrap_or(SignMethod::HmacSha256),
            secret: state.secrets.decrypt(&sealed)?,
        }))
    }
}

/// The work order's JSON: our id, when we received the 差评, 投诉, the unit, the content (level,
/// reasons, the citizen's words) and the contact only if the citizen left one (`phone`, opened
/// by the caller for this request only).
pub fn work_order_body(order: &WorkOrder, phone: Option<&str>) -> Value {
    let catalogue = u16::try_from(order.catalogue_version)
        .ok()
        .and_then(Catalogue::by_version)
        .unwrap_or(Catalogue::CURRENT);
    let reasons = catalogue.labels_of(&order.reasons);
    let received = order.received_at;
    json!({
        "type": "work_order",
        "our_id": order.our_id,
        "ticket_id": order.ticket_id,
        "received_at_ms": received.unix_ms(),
        "received_at": received.to_string(),
        "category": CATEGORY.as_str(),
        "category_zh": CATEGORY.label_zh(),
        "unit": { "code": order.department_code, "name": order.department_name },
        "service_item": order.service_item,
        "level": order.level.interface_code(),
        "level_zh": order.level.label_zh(),
        "reasons": reasons,
        "comment": order.comment,
        "content": rules::content(order.level, &reasons, order.comment.as_deref()),
        "contact_phone": phone,
    })
}

/// A status change's JSON: a referral callback's shape, the 12345 order id as the platform's own
/// id, and ours beside it.
fn status_json(due: &DueForward) -> Value {
    let mut body = status_body(
        "12345",
        due.order_id.as_deref().unwrap_or_default(),
        due.ticket_id,
        due.id,
        due.status.as_deref().unwrap_or_default(),
        due.note.as_deref(),
        due.at,
    );
    body["type"] = json!("status");
    body["our_id"] = json!(due.our_id);
    body
}

/// What the platform's answer says: delivered (with its order id, if named) or why not.
pub(super) fn read_answer(status: u16, text: &str) -> Result<Option<String>, String> {
    let answer: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let order_id = ["order_id", "orderId", "work_order_id", "workOrderId"]
        .iter()
        .flat_map(|key| [&answer[key], &answer["data"][key]])
        .find_map(|v| match v {
            Value::String(s) => rules::order_id(s),
            Value::Number(n) => rules::order_id(&n.to_string()),
            _ => None,
        });
    // Many platforms answer 200 with their own code: 0 (or 200) is success.
    let code_ok = match &answer["code"] {
        Value::Null => true,
        Value::Number(n) => matches!(n.as_i64(), Some(0 | 200)),
        Value::String(s) => matches!(s.as_str(), "0" | "200" | "success" | "ok"),
        _ => false,
    };
    if ((200..300).contains(&status) && code_ok) || rules::says_already_received(text) {
        Ok(order_id)
    } else {
        // An error answer may echo the phone it was given: masked before it is kept or shown.
        Err(format!(
            "HTTP {status}: {}",
            short(&domain::mask::phones_in(text))
        ))
    }
}

/// The body of one row. A work order opens the citizen's phone here, for this request only.
async fn body(state: &AppState, due: &DueForward) -> anyhow::Result<Vec<u8>> {
    let body = if due.kind == "work_order" {
        let Some(order) = state.store.work_order(due.ticket_id).await? else {
            anyhow::bail!("工单 {} 不是差评工单", due.ticket_id);
        };
        let phone = match order.phone_enc.as_deref() {
            Some(sealed) => Some(state.secrets.decrypt(sealed)?),
            None => None,
        };
        work_order_body(&order, phone.as_deref())
    } else {
        status_json(due)
    };
    Ok(serde_json::to_vec(&body)?)
}

/// Sends one row; the HTTP status (if any) and what became of it. A body that cannot be built
/// fails like a refused request: recorded and tried again later, never holding up other tickets.
async fn send(
    state: &AppState,
    target: &Target,
    due: &DueForward,
) -> (Option<u16>, Result<Option<String>, String>) {
    let body = match body(state, due).await {
        Ok(body) => body,
        Err(e) => return (None, Err(format!("无法生成：{e}"))),
    };
    match post_signed(
        &state.http,
        &target.url,
        target.method,
        &target.secret,
        body,
    )
    .await
    {
        Ok((status, text)) => (Some(status), read_answer(status, &text)),
        Err(error) => (None, Err(error)),
    }
}

/// One round: sends every row due at `now` while forwarding is on; how many were attempted.
pub async fn forward_round(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let due = state.store.due_forward(now, ROUND).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let Some(target) = Target::of(state, &state.store.forward_settings().await?)? else {
        return Ok(0);
    };
    let max = state.config.upward_max_backoff_ms;
    for row in &due {
        let (status, outcome) = send(state, &target, row).await;
        let settled = now_ms().max(now);
        let outcome = match &outcome {
            Ok(order_id) => Ok(order_id.as_deref()),
            Err(error) => {
                tracing::warn!(
                    forward = row.id,
                    attempts = row.attempts + 1,
                    "12345 forwarding failed, retried later"
                );
                Err((settled + backoff_ms(row.attempts, max), error.as_str()))
            }
        };
        state
            .store
            .settle_forward(row.id, settled, status, outcome)
            .await?;
    }
    Ok(due.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_delivered_when_it_says_so_or_says_it_had_it_before() {
        assert_eq!(
            read_answer(200, r#"{"code":0,"data":{"orderId":"GD-1"}}"#),
            Ok(Some("GD-1".into()))
        );
        assert_eq!(
            read_answer(201, r#"{"order_id":12345}"#),
            Ok(Some("12345".into()))
        );
        assert_eq!(read_answer(200, "OK"), Ok(None));
        assert_eq!(
            read_answer(409, r#"{"code":409,"msg":"工单已存在","order_id":"GD-1"}"#),
            Ok(Some("GD-1".into()))
        );
        assert!(read_answer(200, r#"{"code":500,"msg":"系统繁忙"}"#).is_err());
        assert_eq!(
            read_answer(400, "bad phone 13600136000"),
            Err("HTTP 400: bad phone 136****6000".to_owned())
        );
        assert_eq!(read_answer(500, "boom"), Err("HTTP 500: boom".to_owned()));
    }
}
