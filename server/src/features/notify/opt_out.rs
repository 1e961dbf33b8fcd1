//! 退订 — the citizen's opt-out from invitations: a signed link in every invitation opens a small
//! page (`GET` only shows it, so that a link preview in a messaging app opts no one out; the
//! button `POST`s), and the SMS platform forwards a "TD" reply to `POST /api/v1/opt-outs` with a
//! business-system key. Only a keyed hash of the phone is kept.

use axum::{
    Json, Router,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use domain::token::TokenClaims;
use maud::html;
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;

use crate::features::registration::{BusinessSystem, json_body};
use crate::platform::{
    db::now_ms,
    error::AppError,
    page::{Display, page, refused},
    state::AppState,
};

/// Where the opt-out page lives.
pub const OPT_OUT_PATH: &str = "/unsubscribe";

/// How long an opt-out link works (unix seconds): half a year.
const LINK_TTL_S: i64 = 180 * 86_400;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/unsubscribe/{token}", get(show).post(confirm))
        .route("/api/v1/opt-outs", post(api_opt_out))
}

/// The keyed-hash input of a phone (never stored as such).
pub(super) fn phone_key(phone: &str) -> String {
    format!("phone:{phone}")
}

/// The key that signs opt-out links: derived from the master key, distinct from the rating
/// token's, so that an opt-out link never rates and a rating link never opts out.
fn link_key(state: &AppState) -> Vec<u8> {
    state.secrets.device_hash("opt-out-link")
}

/// The opt-out link of occurrence `id` (whose registered phone it opts out).
pub fn url(state: &AppState, id: i64, now: i64) -> String {
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let claims = TokenClaims {
        occurrence_id: id,
        expires_at: now / 1000 + LINK_TTL_S,
        channel: Some(domain::Channel::Sms),
        nonce,
    };
    let token = claims.sign(&link_key(state));
    format!("{}{OPT_OUT_PATH}/{token}", state.config.public_url)
}

/// The occurrence an opt-out link names, checked with the current key and each listed older one.
fn occurrence_of(state: &AppState, token: &str) -> Option<i64> {
    let now = now_ms() / 1000;
    state
        .secrets
        .device_hashes("opt-out-link")
        .iter()
        .find_map(|key| TokenClaims::verify(token, key, now).ok())
        .map(|claims| claims.occurrence_id)
}

fn citizen_page(status: StatusCode, title: &str, body: maud::Markup) -> Response {
    (status, Html(page(Display::default(), title, body, false))).into_response()
}

fn bad_link() -> Response {
    citizen_page(
        StatusCode::NOT_FOUND,
        "链接无效",
        refused(
            "链接无效",
            "该退订链接无效或已过期。如需退订，可直接回复短信“TD”。",
        ),
    )
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if occurrence_of(&state, &token).is_none() {
        return bad_link();
    }
    let body = html! {
        h1 { "退订评价邀请短信" }
        p { "退订后，本手机号将不再收到政务服务“好差评”的评价邀请和提醒短信。已办理事项仍可随时通过原链接或窗口二维码评价。" }
        form method="post" action={ (OPT_OUT_PATH) "/" (token) } {
            button type="submit" { "确认退订" }
        }
    };
    citizen_page(StatusCode::OK, "退订评价邀请短信", body)
}

async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(occurrence) = occurrence_of(&state, &token) else {
        return Ok(bad_link());
    };
    let sealed = state.store.occurrence_phone(occurrence).await?;
    if let Some(phone) = sealed.and_then(|s| state.secrets.decrypt(&s).ok()) {
        let hash = state.secrets.device_hash(&phone_key(&phone));
        state.store.add_opt_out(&hash, "link", now_ms()).await?;
    }
    let body = html! {
        div #opted-out {
            h1 { "已退订" }
            p { "本手机号将不再收到评价邀请和提醒短信。感谢您对政务服务的关注。" }
        }
    };
    Ok(citizen_page(StatusCode::OK, "已退订", body))
}

/// What the SMS platform forwards when a citizen replies "TD".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptOutRequest {
    phone: String,
}

async fn api_opt_out(
    State(state): State<AppState>,
    BusinessSystem(_system): BusinessSystem,
    body: Result<Json<OptOutRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = json_body(body)?;
    let phone = domain::evaluation::Phone::parse(&request.phone)
        .ok()
        .flatten()
        .ok_or_else(|| AppError::Field {
            field: "phone".into(),
            message: "not an 11-digit mobile number".into(),
        })?;
    let hash = state.secrets.device_hash(&phone_key(phone.as_str()));
    state.store.add_opt_out(&hash, "sms", now_ms()).await?;
    Ok((StatusCode::OK, Json(json!({ "opted_out": true }))).into_response())
}
