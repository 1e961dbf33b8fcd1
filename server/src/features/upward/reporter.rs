//! The reporter: sends the outbox to every target, in order per occurrence, with retries and
//! exponential backoff; a target that answers "already received" has it. Values are never altered
//! on a re-send: every record is built from the stored rows.

use std::time::Duration;

use domain::upward::{Cell, Mapping, Record, SignMethod};
use serde_json::{Map, Value, json};

use super::store::{Due, Target};
use crate::platform::{
    crypto::{from_hex, hash_api_key},
    db::now_ms,
    state::AppState,
};

/// Records per request to a target that takes batches.
const BATCH: i64 = 500;
/// Records per round to a target that takes one per request.
const SINGLE_ROUND: i64 = 50;

/// The wait before the next try after `attempts` failures: 1 s doubling, at most `max_ms`.
pub fn backoff_ms(attempts: i64, max_ms: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 30)).unwrap_or(30);
    1000_i64.saturating_mul(1 << exp).min(max_ms)
}

/// The record as JSON in the target's spelling.
pub fn record_json(mapping: &Mapping, record: &Record, data_source: &str) -> Value {
    let mut object = Map::new();
    for (name, cell) in mapping.write(record, data_source) {
        let value = match cell {
            Cell::Text(t) => Value::String(t),
            Cell::Int(n) => Value::from(n),
        };
        object.insert(name.to_owned(), value);
    }
    Value::Object(object)
}

/// What a request carries to prove who sent it: the Bearer credential, and the headers that sign
/// `body` at `now_ms`. For HMAC the key is the target's key and the HMAC is keyed by its hash
/// (`hash_api_key`: what a haochaping province keeps of it); for SM2 the configured key is
/// `ID:PRIVATE-KEY-HEX`, the ID goes as the credential and the private key signs.
pub fn credentials(
    method: SignMethod,
    key: &str,
    now_ms: i64,
    body: &[u8],
) -> (String, [(&'static str, String); 2]) {
    let timestamp = now_ms / 1000;
    let (bearer, signature) = if method == SignMethod::Sm2 {
        let (id, secret) = key.split_once(':').unwrap_or(("", key));
        let secret = from_hex(secret.trim()).unwrap_or_default();
        let signature = SignMethod::sm2_sign(&secret, timestamp, body).unwrap_or_default();
        (id.trim().to_owned(), signature)
    } else {
        let signing_key = hash_api_key(key);
        (key.to_owned(), method.sign(&signing_key, timestamp, body))
    };
    (bearer, method.headers(timestamp, &signature))
}

/// The records endpoint of a target: a haochaping province's API under its base URL, another
/// target's URL as configured.
fn records_url(target: &Target, mapping: &Mapping) -> String {
    if *mapping == Mapping::HAOCHAPING {
        format!("{}/api/v1/upward/records", target.url.trim_end_matches('/'))
    } else {
        target.url.clone()
    }
}

async fn post(
    http: &reqwest::Client,
    target: &Target,
    key: &str,
    url: &str,
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    let method = SignMethod::parse(&target.sign_method).unwrap_or(SignMethod::HmacSha256);
    let (bearer, headers) = credentials(method, key, now_ms(), &body);
    let mut request = http
        .post(url)
        .bearer_auth(bearer)
        .header("content-type", "application/json");
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
    Ok((status, text))
}

fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

/// What became of each record sent: delivered, or the error.
type Outcomes = Vec<(i64, Result<(), String>)>;

async fn send_batch(
    http: &reqwest::Client,
    target: &Target,
    mapping: &Mapping,
    key: &str,
    records: &[(i64, Record)],
) -> Outcomes {
    let body = json!({
        "source": target.data_source,
        "records": records.iter().map(|(_, r)| record_json(mapping, r, &target.data_source)).collect::<Vec<_>>(),
    });
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let all = |error: String| {
        records
            .iter()
            .map(|(id, _)| (*id, Err(error.clone())))
            .collect()
    };
    let (status, text) = match post(http, target, key, &records_url(target, mapping), body).await {
        Ok(answer) => answer,
        Err(error) => return all(error),
    };
    if !(200..300).contains(&status) {
        return all(format!("HTTP {status}: {}", short(&text)));
    }
    let results = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("results").and_then(Value::as_array).cloned());
    match results {
        Some(results) if results.len() == records.len() => records
            .iter()
            .zip(results)
            .map(|((id, _), result)| {
                let outcome = result.get("outcome").and_then(Value::as_str).unwrap_or("");
                if outcome == "accepted" || mapping.says_duplicate(outcome) {
                    (*id, Ok(()))
                } else {
                    let field = result.get("field").and_then(Value::as_str).unwrap_or("");
                    let message = result.get("message").and_then(Value::as_str).unwrap_or("");
                    (*id, Err(short(&format!("拒收 {field}：{message}"))))
                }
            })
            .collect(),
        _ => all(format!("无法读取应答：{}", short(&text))),
    }
}

async fn send_single(
    http: &reqwest::Client,
    target: &Target,
    mapping: &Mapping,
    key: &str,
    records: &[(i64, Record)],
) -> Outcomes {
    let mut out = Vec::with_capacity(records.len());
    for (id, record) in records {
        let body = serde_json::to_vec(&record_json(mapping, record, &target.data_source))
            .unwrap_or_default();
        let outcome = match post(http, target, key, &records_url(target, mapping), body).await {
            Ok((status, _)) if (200..300).contains(&status) => Ok(()),
            Ok((_, text)) if mapping.says_duplicate(&text) => Ok(()),
            Ok((status, text)) => Err(format!("HTTP {status}: {}", short(&text))),
            Err(error) => Err(error),
        };
        out.push((*id, outcome));
    }
    out
}

/// One round for one target: claim new outbox rows, send what is due, write what became of it.
/// How many records were sent.
pub(super) async fn report_target(
    state: &AppState,
    target: &Target,
    now: i64,
) -> anyhow::Result<usize> {
    let Some(mapping) = Mapping::named(&target.mapping) else {
        anyhow::bail!(
            "target {} names an unknown mapping {:?}",
            target.name,
            target.mapping
        );
    };
    let store = &state.store;
    store.claim_upward(target.id, now, 5 * BATCH).await?;
    let limit = if mapping.batch { BATCH } else { SINGLE_ROUND };
    let due: Vec<Due> = store.due_upward(target.id, now, limit).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = due.iter().map(|d| d.outbox_id).collect();
    // What the target does not take (a 追评 to an interface without one) is settled as sent.
    let (records, not_carried): (Vec<_>, Vec<_>) = store
        .upward_records(&ids)
        .await?
        .into_iter()
        .partition(|(_, r)| mapping.carries(r.kind));
    let key = String::from_utf8(state.secrets.decrypt_bytes(&target.key_enc)?)?;
    let outcomes = if records.is_empty() {
        Vec::new()
    } else if mapping.batch {
        send_batch(&state.http, target, &mapping, &key, &records).await
    } else {
        send_single(&state.http, target, &mapping, &key, &records).await
    };
    let settled = now_ms().max(now);
    let max = state.config.upward_max_backoff_ms;
    let mut delivered: Vec<i64> = not_carried.iter().map(|(id, _)| *id).collect();
    let mut failed = Vec::new();
    for (id, outcome) in outcomes {
        let attempts = due
            .iter()
            .find(|d| d.outbox_id == id)
            .map_or(0, |d| d.attempts);
        match outcome {
            Ok(()) => delivered.push(id),
            Err(error) => failed.push((id, settled + backoff_ms(attempts, max), error)),
        }
    }
    // A row whose record could not be built (it cannot happen while ratings are immutable) is
    // left due: it shows on the supervisor's page as the oldest undelivered row.
    store
        .settle_upward(target.id, &delivered, &failed, settled)
        .await?;
    if !failed.is_empty() {
        tracing::warn!(
            target = target.name,
            failed = failed.len(),
            delivered = delivered.len(),
            "upward reporting: some records failed, retried later"
        );
    }
    Ok(records.len() + not_carried.len())
}

/// One round over every target; how many records were sent.
pub async fn report_round(state: &AppState, now: i64) -> usize {
    let targets = match state.store.upward_targets().await {
        Ok(targets) => targets,
        Err(e) => {
            tracing::warn!("upward targets not read: {e}");
            return 0;
        }
    };
    let mut sent = 0;
    for target in &targets {
        match report_target(state, target, now).await {
            Ok(n) => sent += n,
            Err(e) => tracing::warn!(target = target.name, "upward reporting failed: {e}"),
        }
    }
    sent
}

/// Runs for the life of the server: a round as soon as the last one sent something, else every
/// 100 ms (the lag a record waits at most before it is picked up).
pub async fn report_forever(state: AppState) {
    let mut lease = crate::platform::lease::Lease::new("upward");
    loop {
        // One instance reports, where several share the database.
        if !lease.held(&state.store, now_ms()).await {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        if report_round(&state, now_ms()).await == 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_up_to_its_cap() {
        let max = 300_000;
        assert_eq!(backoff_ms(0, max), 1000);
        assert_eq!(backoff_ms(1, max), 2000);
        assert_eq!(backoff_ms(5, max), 32_000);
        assert_eq!(backoff_ms(9, max), 300_000);
        assert_eq!(backoff_ms(1000, max), 300_000);
        assert_eq!(backoff_ms(3, 1500), 1500);
    }
}
