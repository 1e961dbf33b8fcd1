//! What prints and loads a rating page: the QR codes of rating links and window e码s, and the
//! widget's boot script.

use axum::{
    Router,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    AppState,
    platform::{error::AppError, qr},
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/r/{token}/qr.svg", get(token_qr_svg))
        .route("/r/{token}/qr.png", get(token_qr_png))
        .route("/w/{ecode}/qr.svg", get(window_qr_svg))
        .route("/widget/boot.js", get(boot_js))
}

/// The QR code of a rating link; only for a genuine token (expired ones still print).
fn signed(state: &AppState, token: &str) -> Result<(), AppError> {
    match state.secrets.verify_token(token, i64::MIN) {
        Ok(_) => Ok(()),
        Err(_) => Err(AppError::NotFound),
    }
}

async fn token_qr_svg(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    signed(&state, &token)?;
    Ok(qr::svg_response(&state.rating_url(&token)))
}

async fn token_qr_png(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    signed(&state, &token)?;
    Ok(qr::png_response(&state.rating_url(&token)))
}

async fn window_qr_svg(
    State(state): State<AppState>,
    Path(ecode): Path<String>,
) -> Result<Response, AppError> {
    state
        .store
        .window_by_ecode(&ecode)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(qr::svg_response(&state.window_url(&ecode)))
}

/// Loads the widget; a separate file so the pages need no inline script (CSP).
async fn boot_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        "import init from \"/pkg/widget.js\";init().catch(()=>{});",
    )
        .into_response()
}
