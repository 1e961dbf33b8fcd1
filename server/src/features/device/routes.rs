//! The tablet's routes, under `/device`: only the tablet's own cookie opens them; a staff session
//! is nothing here (the clerk can finish a visit, never rate it).

use axum::{
    Form, Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::RatingDraft;
use serde::Deserialize;
use serde_json::json;

use super::{DeviceError, page, service};
use crate::{
    AppState,
    features::rating::{RateError, Refusal},
    platform::error::AppError,
};

const COOKIE: &str = "hcp_tablet";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/device", get(screen))
        .route("/device/enrol", post(enrol))
        .route("/device/next", get(next))
        .route("/device/rate/{code}", post(rate))
}

/// The tablet's token, from its cookie.
fn token(headers: &HeaderMap) -> Option<String> {
    crate::platform::headers::cookie_values(headers, COOKIE)
        .find(|value| value.len() == 64)
        .map(str::to_owned)
}

fn not_enrolled() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "message": "本设备未绑定为评价器" })),
    )
        .into_response()
}

async fn screen(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    match service::screen(&state, token(&headers).as_deref()).await {
        Ok(s) => Ok(Html(page::screen(&s.window, s.settings)).into_response()),
        Err(DeviceError::NotEnrolled) => Ok(Html(page::enrol(None)).into_response()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}

#[derive(Deserialize)]
struct EnrolForm {
    #[serde(default)]
    code: String,
}

async fn enrol(
    State(state): State<AppState>,
    Form(form): Form<EnrolForm>,
) -> Result<Response, AppError> {
    match service::enrol(&state, &form.code).await {
        Ok(token) => {
            let cookie = format!(
                "{COOKIE}={token}; Max-Age=315360000; Path=/device; HttpOnly; SameSite=Strict"
            );
            let mut response = Redirect::to("/device").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(DeviceError::BadCode) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page::enrol(Some(
                "绑定码：无效、已使用或已过期，请管理员重新生成",
            ))),
        )
            .into_response()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}

async fn next(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    match service::next(&state, token(&headers).as_deref()).await {
        Ok(Some(visit)) => {
            Ok(Json(json!({ "visit": visit.code, "item": visit.item })).into_response())
        }
        Ok(None) => Ok(Json(json!({ "visit": null })).into_response()),
        Err(DeviceError::NotEnrolled) => Ok(not_enrolled()),
        Err(e) => Err(AppError::Internal(e.into())),
    }
}

async fn rate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Json(draft): Json<RatingDraft>,
) -> Result<Response, AppError> {
    let refused =
        |message: &str| (StatusCode::CONFLICT, Json(json!({ "message": message }))).into_response();
    match service::rate(&state, token(&headers).as_deref(), &code, &draft).await {
        Ok(tracking) => Ok((
            StatusCode::CREATED,
            Json(json!({ "tracking_code": tracking })),
        )
            .into_response()),
        Err(DeviceError::NotEnrolled) => Ok(not_enrolled()),
        Err(DeviceError::NoVisit) => Ok(refused("没有找到这次办件，请向工作人员询问")),
        Err(DeviceError::Rate(RateError::Refused(Refusal::AlreadyRated))) => {
            Ok(refused("本次服务已评价"))
        }
        Err(DeviceError::Rate(RateError::Invalid(errors))) => {
            let errors: Vec<_> = errors
                .iter()
                .map(|e| json!({ "field": e.field().name(), "message": e.message_zh() }))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "errors": errors })),
            )
                .into_response())
        }
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
