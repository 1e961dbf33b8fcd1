//! The province tier's receiving end: `POST /api/v1/upward/records` (a county's records, in
//! haochaping's own mapping) and `POST /api/v1/upward/reconciliation` (a day's counts). A county
//! is a business system here, granted its region; its requests carry its API key and are signed
//! over the timestamp and body (the key's SHA-256 keys the HMAC).

use axum::{
    Json, Router,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::post,
};
use domain::upward::{Cell, Mapping, SIGNATURE_HEADER, SignMethod, TIMESTAMP_HEADER};
use serde_json::{Value, json};

use crate::{
    AppState,
    features::registration::BusinessSystem,
    platform::{crypto::hash_api_key, db::now_ms, error::AppError},
};

/// Records per request at most.
const MAX_RECORDS: usize = 1000;
/// How far a request's timestamp may be from our clock.
const SKEW_SECS: i64 = 300;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/upward/records", post(records))
        .route("/api/v1/upward/reconciliation", post(reconciliation))
}

fn refuse(message: &str) -> Response {
    (
        axum::http::StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "bad_signature", "message": message })),
    )
        .into_response()
}

/// Checks the request's signature; the message says what is wrong.
fn check_signature(headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let key = header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("missing API key")?;
    let timestamp: i64 = header(TIMESTAMP_HEADER)
        .and_then(|t| t.trim().parse().ok())
        .ok_or("missing or bad X-Hcp-Timestamp")?;
    if (timestamp - now_ms() / 1000).abs() > SKEW_SECS {
        return Err("X-Hcp-Timestamp is more than five minutes from our clock");
    }
    let (method, signature) = header(SIGNATURE_HEADER)
        .and_then(|s| s.split_once('='))
        .ok_or("missing X-Hcp-Signature")?;
    let method = SignMethod::parse(method).ok_or("unknown signature method")?;
    let signing_key = hash_api_key(key.trim());
    if method.verify(&signing_key, timestamp, body, signature.trim()) {
        Ok(())
    } else {
        Err("the signature does not match the body")
    }
}

fn cell(value: &Value) -> Option<Cell> {
    match value {
        Value::String(s) => Some(Cell::Text(s.clone())),
        Value::Number(n) => n.as_i64().map(Cell::Int),
        Value::Bool(b) => Some(Cell::Int(i64::from(*b))),
        _ => None,
    }
}

/// The body of a signed request as JSON; `Err` is the answer instead (413, 401 or 400).
fn signed_json(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, Box<Response>> {
    let body = body.map_err(|e| Box::new(AppError::TooLarge(e.body_text()).into_response()))?;
    check_signature(headers, &body).map_err(|m| Box::new(refuse(m)))?;
    serde_json::from_slice(&body)
        .map_err(|e| Box::new(AppError::BadRequest(format!("malformed JSON: {e}")).into_response()))
}

async fn records(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let parsed = match signed_json(&headers, body) {
        Ok(parsed) => parsed,
        Err(answer) => return Ok(*answer),
    };
    let Some(list) = parsed.get("records").and_then(Value::as_array) else {
        return Err(AppError::Field {
            field: "records".into(),
            message: "records 应为记录数组".into(),
        });
    };
    if list.len() > MAX_RECORDS {
        return Err(AppError::Field {
            field: "records".into(),
            message: format!("一次至多 {MAX_RECORDS} 条"),
        });
    }
    let mapping = Mapping::HAOCHAPING;
    let read: Vec<_> = list
        .iter()
        .map(|item| mapping.read(|name| item.get(name).and_then(cell)))
        .collect();
    let results = state.store.receive_upward(system.0, &read).await?;
    let results: Vec<Value> = results
        .iter()
        .map(|r| match r {
            super::Received::Refused { field, message } => {
                json!({ "outcome": r.outcome(), "field": field, "message": message })
            }
            _ => json!({ "outcome": r.outcome() }),
        })
        .collect();
    Ok(Json(json!({ "results": results })).into_response())
}

async fn reconciliation(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let parsed = match signed_json(&headers, body) {
        Ok(parsed) => parsed,
        Err(answer) => return Ok(*answer),
    };
    let day = parsed
        .get("day")
        .and_then(Value::as_i64)
        .and_then(super::date_of)
        .ok_or_else(|| AppError::Field {
            field: "day".into(),
            message: "day 应为 YYYYMMDD".into(),
        })?;
    let counts = state.store.upward_day_counts(day, Some(system.0)).await?;
    let counts: Vec<Value> = counts
        .into_iter()
        .map(|(level, channel, n)| json!({ "level": level, "channel": channel, "n": n }))
        .collect();
    Ok(Json(json!({ "day": day.yyyymmdd(), "counts": counts })).into_response())
}
