//! `POST /api/v1/visits` (one visit) and `POST /api/v1/visits/batch` (a JSON array, all or none),
//! with the registration API's key and grants.

use axum::{
    Json, Router,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

use super::refusal::{RowError, VisitReportError};
use super::service::{self as visit, BATCH_MAX, VisitRequest};
use crate::{
    AppState,
    features::registration::{BusinessSystem, json_body},
    platform::error::AppError,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/visits", post(report_visit))
        .route("/api/v1/visits/batch", post(report_batch))
}

/// A refusal as the API answers it: the registration API's error body, and for a batch the
/// refused rows (nothing was stored).
fn refusal(e: VisitReportError) -> Response {
    let (status, body) = match e {
        VisitReportError::Store(e) => return AppError::from(e).into_response(),
        VisitReportError::Rows { conflict, rows } => (
            if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
            json!({ "error": "invalid_rows", "message": format!("{} 条来访有误，均未登记", rows.len()), "rows": rows }),
        ),
        e => {
            let (status, error) = match e {
                VisitReportError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
                VisitReportError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
            };
            (
                status,
                json!({ "error": error, "field": e.field_name(), "message": e.message() }),
            )
        }
    };
    (status, Json(body)).into_response()
}

async fn report_visit(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    body: Result<Json<VisitRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = json_body(body)?;
    Ok(match visit::report_visit(&state, system, &request).await {
        Ok(reported) => {
            let status = if reported.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(reported)).into_response()
        }
        Err(e) => refusal(e),
    })
}

/// One row of a batch read on its own, so that every malformed row is named.
fn row(i: usize, value: Value) -> Result<VisitRequest, RowError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let field = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|m| inner.split(m).nth(1)?.split('`').next())
            .map_or(path, str::to_owned);
        RowError {
            row: i,
            field: if field == "." { "body".into() } else { field },
            message: inner,
        }
    })
}

async fn report_batch(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    body: Result<Json<Vec<Value>>, JsonRejection>,
) -> Result<Response, AppError> {
    let values = json_body(body)?;
    if values.is_empty() || values.len() > BATCH_MAX {
        return Err(AppError::Field {
            field: "body".into(),
            message: format!("一批应有 1 至 {BATCH_MAX} 条来访"),
        });
    }
    let rows: Vec<_> = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| row(i, v))
        .collect();
    Ok(match visit::report_batch(&state, system, &rows).await {
        Ok(reported) => {
            let created = reported.iter().filter(|r| r.created).count();
            (
                StatusCode::OK,
                Json(json!({ "created": created, "visits": reported })),
            )
                .into_response()
        }
        Err(e) => refusal(e),
    })
}
