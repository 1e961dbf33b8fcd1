//! `POST /api/v1/referrals` — a referring platform (12345, a government website …), registered
//! as a business system and granted its departments or regions, refers a work order.

use axum::{
    Json, Router,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};

use super::{ReferralError, ReferralRequest};
use crate::{
    AppState,
    features::registration::{BusinessSystem, json_body},
    platform::{db::now_ms, error::AppError},
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/referrals", post(refer))
}

impl From<ReferralError> for AppError {
    fn from(e: ReferralError) -> Self {
        match e {
            ReferralError::Field(f) => AppError::Field {
                field: f.field.to_owned(),
                message: f.message,
            },
            ReferralError::Forbidden(_) => AppError::Forbidden {
                field: "department".to_owned(),
                message: e.to_string(),
            },
            ReferralError::Conflict(..) => AppError::Conflict(e.to_string()),
            ReferralError::Store(e) => e.into(),
        }
    }
}

async fn refer(
    State(state): State<AppState>,
    BusinessSystem(system): BusinessSystem,
    body: Result<Json<ReferralRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let request = json_body(body)?;
    let referred = super::refer(&state, system, &request, now_ms()).await?;
    let status = if referred.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(referred)).into_response())
}
