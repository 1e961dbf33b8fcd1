//! Route handlers of the rating pages: show the form, take a submission (plain form or widget
//! JSON), confirm or refuse.

use std::net::SocketAddr;

use axum::{
    Json, Router,
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::{FieldError, RatingDraft};
use serde_json::json;

use super::{self as rate, RateError, Refusal, form::FormPage, input::RatingInput, outcome};
use crate::{
    AppState,
    platform::{
        device,
        error::AppError,
        extract::JsonOrForm,
        page::{Display, DisplayQuery, Lang},
    },
};

/// The citizen pages' routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/r/{token}", get(token_page).post(token_submit))
        .route("/embed/{token}", get(embed_page).post(embed_submit))
        .route("/w/{ecode}", get(window_page).post(window_submit))
        .route("/thanks/{code}", get(thanks))
        .merge(super::links::routes())
}

fn field_errors_json(lang: Lang, errors: &[FieldError]) -> Response {
    let errors: Vec<_> = errors
        .iter()
        .map(|e| json!({ "field": e.field().name(), "message": lang.t(&e.message_zh(), &e.message_en()) }))
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "errors": errors })),
    )
        .into_response()
}

fn refusal_response(display: Display, refusal: Refusal, json: bool) -> Response {
    let (status, page) = outcome::refusal(display, refusal);
    if json {
        (status, Json(json!({ "error": format!("{refusal:?}"), "message": display.lang.t("无法提交评价", "Rating refused") })))
            .into_response()
    } else {
        (status, Html(page)).into_response()
    }
}

/// Frames allowed for an embedded page: the portal origins registered by its business system.
fn frame_policy(origins: &str) -> HeaderValue {
    let allowed: Vec<&str> = origins
        .split_whitespace()
        .filter(|o| o.starts_with("https://") || o.starts_with("http://"))
        .filter(|o| {
            o.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":/.-".contains(c))
        })
        .collect();
    let ancestors = if allowed.is_empty() {
        "'none'".to_owned()
    } else {
        allowed.join(" ")
    };
    HeaderValue::from_str(&crate::platform::headers::page_policy(&ancestors))
        .unwrap_or(HeaderValue::from_static("frame-ancestors 'none'"))
}

async fn show_token(
    state: &AppState,
    token: &str,
    display: Display,
    action: &str,
) -> Result<Response, AppError> {
    match rate::open_by_token(state, token).await {
        Ok(occurrence) => {
            let page = FormPage {
                display,
                names: &occurrence.names,
                action,
                draft: &RatingDraft::default(),
                errors: &[],
            };
            let mut response = Html(page.render()).into_response();
            if display.embed {
                response.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    frame_policy(&occurrence.frame_origins),
                );
            }
            Ok(response)
        }
        Err(RateError::Refused(r)) => Ok(refusal_response(display, r, false)),
        Err(e) => Err(e.into()),
    }
}

async fn token_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DisplayQuery>,
) -> Result<Response, AppError> {
    show_token(&state, &token, q.display(false), &format!("/r/{token}")).await
}

async fn embed_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DisplayQuery>,
) -> Result<Response, AppError> {
    show_token(&state, &token, q.display(true), &format!("/embed/{token}")).await
}

async fn submit_token(
    state: &AppState,
    token: &str,
    display: Display,
    input: JsonOrForm<RatingInput>,
) -> Result<Response, AppError> {
    match input {
        JsonOrForm::Json(RatingInput { draft, .. }) => {
            match rate::submit_by_token(state, token, &draft).await {
                Ok(code) => Ok(
                    (StatusCode::CREATED, Json(json!({ "tracking_code": code }))).into_response(),
                ),
                Err(RateError::Invalid(errors)) => Ok(field_errors_json(display.lang, &errors)),
                Err(RateError::Refused(r)) => Ok(refusal_response(display, r, true)),
                Err(e) => Err(e.into()),
            }
        }
        JsonOrForm::Form(input) => {
            let display = input.display(display);
            let draft = input.draft;
            match rate::submit_by_token(state, token, &draft).await {
                Ok(code) => finish(state, display, &code, token).await,
                Err(RateError::Invalid(errors)) => {
                    let occurrence = rate::open_by_token(state, token).await?;
                    let action = if display.embed {
                        format!("/embed/{token}")
                    } else {
                        format!("/r/{token}")
                    };
                    let page = FormPage {
                        display,
                        names: &occurrence.names,
                        action: &action,
                        draft: &draft,
                        errors: &errors,
                    };
                    Ok(page.refused())
                }
                Err(RateError::Refused(r)) => Ok(refusal_response(display, r, false)),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// After a plain-form rating: a redirect to the confirmation, or in an iframe the confirmation itself
/// (so that it stays frameable by the same portal).
async fn finish(
    state: &AppState,
    display: Display,
    code: &str,
    token: &str,
) -> Result<Response, AppError> {
    if !display.embed {
        let query = display.query_with(|_| {});
        return Ok(Redirect::to(&format!("/thanks/{code}{query}")).into_response());
    }
    let evaluation = state
        .store
        .evaluation_by_tracking(code)
        .await?
        .ok_or(AppError::NotFound)?;
    let claims = state.secrets.verify_token(token, 0).ok();
    let origins = match claims {
        Some(c) => state
            .store
            .occurrence(c.occurrence_id)
            .await?
            .map(|o| o.frame_origins)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut response = Html(outcome::thanks(display, &evaluation)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, frame_policy(&origins));
    Ok(response)
}

async fn token_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DisplayQuery>,
    input: JsonOrForm<RatingInput>,
) -> Result<Response, AppError> {
    submit_token(&state, &token, q.display(false), input).await
}

async fn embed_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<DisplayQuery>,
    input: JsonOrForm<RatingInput>,
) -> Result<Response, AppError> {
    submit_token(&state, &token, q.display(true), input).await
}

/// `?v=CODE`: the 评价码 printed on the queue ticket, naming the visit rated from the window's e码.
#[derive(Debug, Default, serde::Deserialize)]
struct VisitQuery {
    v: Option<String>,
}

impl VisitQuery {
    /// The form's action: the e码 page, keeping the visit's code.
    fn action(&self, ecode: &str) -> String {
        match self.v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(code) if code.chars().all(|c| c.is_ascii_alphanumeric()) => {
                format!("/w/{ecode}?v={code}")
            }
            _ => format!("/w/{ecode}"),
        }
    }
}

async fn window_page(
    State(state): State<AppState>,
    Path(ecode): Path<String>,
    Query(q): Query<DisplayQuery>,
    Query(visit): Query<VisitQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let display = q.display(false);
    let window = match rate::open_window(&state, &ecode).await {
        Ok(window) => window,
        Err(RateError::Refused(r)) => return Ok(refusal_response(display, r, false)),
        Err(e) => return Err(e.into()),
    };
    let page = FormPage {
        display,
        names: &window.names(),
        action: &visit.action(&ecode),
        draft: &RatingDraft::default(),
        errors: &[],
    };
    let mut response = Html(page.render()).into_response();
    device::ensure_cookie(&state.secrets, &headers, &mut response);
    Ok(response)
}

async fn window_submit(
    State(state): State<AppState>,
    Path(ecode): Path<String>,
    Query(q): Query<DisplayQuery>,
    Query(visit): Query<VisitQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    input: JsonOrForm<RatingInput>,
) -> Result<Response, AppError> {
    let client = state.guard.client(peer.ip(), &headers);
    let device = device::id(&state.secrets, &headers, client);
    let json = input.is_json();
    let input = input.into_inner();
    let display = input.display(q.display(false));
    let draft = input.draft;
    match rate::submit_at_window(&state, &ecode, visit.v.as_deref(), &draft, &device).await {
        Ok(code) if json => {
            Ok((StatusCode::CREATED, Json(json!({ "tracking_code": code }))).into_response())
        }
        Ok(code) => Ok(
            Redirect::to(&format!("/thanks/{code}{}", display.query_with(|_| {}))).into_response(),
        ),
        Err(RateError::Invalid(errors)) if json => Ok(field_errors_json(display.lang, &errors)),
        Err(RateError::Invalid(errors)) => {
            let window = rate::open_window(&state, &ecode).await?;
            let page = FormPage {
                display,
                names: &window.names(),
                action: &visit.action(&ecode),
                draft: &draft,
                errors: &errors,
            };
            Ok(page.refused())
        }
        Err(RateError::Refused(r)) => Ok(refusal_response(display, r, json)),
        Err(e) => Err(e.into()),
    }
}

async fn thanks(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DisplayQuery>,
) -> Result<Response, AppError> {
    let evaluation = state
        .store
        .evaluation_by_tracking(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Html(outcome::thanks(q.display(false), &evaluation)).into_response())
}
