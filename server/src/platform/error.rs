//! `AppError` — the one error type of handlers. Internal causes are logged, never sent.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::features::{rating::RateError, registration::RegisterError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A field of an API request is wrong; the message names the field.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// The caller may not do this for what the field names (a business system outside its grant).
    #[error("forbidden {field}: {message}")]
    Forbidden { field: String, message: String },
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is larger than the route takes (413).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The body is not sent as the route's media type (415).
    #[error("unsupported media type: {0}")]
    MediaType(String),
    #[error("missing or unknown API key")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<RegisterError> for AppError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Field { field, message } => AppError::Field {
                field: field.to_owned(),
                message,
            },
            RegisterError::Forbidden { field, message } => AppError::Forbidden {
                field: field.to_owned(),
                message,
            },
            RegisterError::Conflict(..) => AppError::Conflict(e.to_string()),
            RegisterError::Store(e) => e.into(),
        }
    }
}

impl From<RateError> for AppError {
    fn from(e: RateError) -> Self {
        match e {
            RateError::Store(e) => e.into(),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            AppError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                json!({ "error": "bad_request", "message": m }),
            ),
            AppError::Field { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": "invalid_field", "field": field, "message": message }),
            ),
            AppError::Forbidden { field, message } => (
                StatusCode::FORBIDDEN,
                json!({ "error": "forbidden", "field": field, "message": message }),
            ),
            AppError::Conflict(m) => (
                StatusCode::CONFLICT,
                json!({ "error": "conflict", "message": m }),
            ),
            AppError::TooLarge(m) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "error": "too_large", "message": m }),
            ),
            AppError::MediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "error": "unsupported_media_type", "message": m }),
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "unauthorized", "message": "send a registered API key as: Authorization: Bearer <key>" }),
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                json!({ "error": "not_found", "message": "not found" }),
            ),
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({ "error": "internal", "message": "internal error" }),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
