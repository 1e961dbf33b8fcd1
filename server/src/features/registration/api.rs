//! The business-system API: register service occurrences and read their state. It has no route
//! that creates, alters or deletes a rating: only the citizen's own page does that.

use axum::{
    Json, Router,
    extract::{FromRequestParts, Path, State, rejection::JsonRejection},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;

use super::{self as register, openapi};
use crate::{
    AppState,
    platform::{crypto::hash_api_key, error::AppError},
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/occurrences", post(register_occurrence))
        .route(
            "/api/v1/occurrences/{case_number}/{occurrence_no}",
            get(occurrence_state),
        )
        .route("/api/v1/openapi.json", get(openapi::document))
}

/// The business system that sent the request, proven by its API key.
pub(crate) struct BusinessSystem(pub(crate) domain::ids::BusinessSystemId);

impl FromRequestParts<AppState> for BusinessSystem {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized)?;
        let id = state
            .store
            .business_system_by_key(&hash_api_key(key.trim()), crate::platform::db::now())
            .await?;
        id.map(BusinessSystem).ok_or(AppError::Unauthorized)
    }
}

/// JSON that could not be read becomes a 4xx naming what was wrong: 413 past the body limit, 415
/// when not sent as JSON, 422 naming the field, 400 for what does not parse.
pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v).map_err(|rejection| match rejection {
        JsonRejection::JsonDataError(e) => {
            let message = e.body_text();
            AppError::Field {
                field: field_of(&message),
                message,
            }
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::TooLarge(other.body_text())
        }
        other if other.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::MediaType(other.body_text())
        }
        other => AppError::BadRequest(other.body_text()),
    })
}

/// The field a deserialisation message is about. serde names missing and unknown fields in
/// backticks; for a wrong type, axum puts the field's path before the reason.
pub(crate) fn field_of(message: &str) -> String {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(name) = message
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split('`').next())
        {
            return name.to_owned();
        }
    }
    message
        .split(": ")
        .nth(1)
        .filter(|path| {
            !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
        })
        .unwrap_or("body")
        .to_owned()
}

async fn register_occurrence(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    body: Result<Json<register::RegisterRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = json_body(body)?;
    let registered = register::register(&state, system, &request).await?;
    let status = if registered.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(registered)).into_response())
}

async fn occurrence_state(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    Path((case_number, occurrence_no)): Path<(String, String)>,
) -> Result<Response, AppError> {
    // Not a number: no such occurrence either (404, like any other unknown one).
    let occurrence_no: i64 = occurrence_no.parse().map_err(|_| AppError::NotFound)?;
    let occurrence = state
        .store
        .occurrence_by_case(system, &case_number, occurrence_no)
        .await?
        .ok_or(AppError::NotFound)?;
    let rating = occurrence.evaluation.map(|rated| {
        json!({
            "satisfaction": rated.level.interface_code(),
            "level": rated.level,
            "bad_review": rated.level.is_bad(),
            "rated_at_ms": rated.rated_at,
        })
    });
    Ok(Json(json!({
        "id": occurrence.id,
        "case_number": occurrence.case_number,
        "occurrence_no": occurrence.occurrence_no,
        "registered_at_ms": occurrence.registered_at,
        "rated": rating.is_some(),
        "rating": rating,
    }))
    .into_response())
}
