//! Request extractors shared by the citizen pages.

use std::borrow::Cow;

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{HeaderMap, header},
};
use serde::de::DeserializeOwned;

use super::error::AppError;

/// A body sent as JSON (by the widget) or as a plain form (by a page without JavaScript). The same
/// route answers both, each in its own way, so the handler learns which one came.
#[derive(Debug)]
pub(crate) enum JsonOrForm<T> {
    Json(T),
    Form(T),
}

/// Reads a type from a form's key–value pairs, in order and with repeated keys
/// (`reasons=1&reasons=4`), leniently: a value that is not what the field expects is kept in a form
/// the domain's validation will name, instead of failing the whole request.
pub(crate) trait FromForm: Sized {
    fn from_form<'a>(pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>) -> Self;
}

impl<T> JsonOrForm<T> {
    pub(crate) fn is_json(&self) -> bool {
        matches!(self, JsonOrForm::Json(_))
    }

    pub(crate) fn into_inner(self) -> T {
        match self {
            JsonOrForm::Json(t) | JsonOrForm::Form(t) => t,
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

impl<S, T> FromRequest<S> for JsonOrForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned + FromForm,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(request.headers());
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        if json {
            serde_json::from_slice(&body)
                .map(JsonOrForm::Json)
                .map_err(|e| AppError::BadRequest(e.to_string()))
        } else {
            Ok(JsonOrForm::Form(T::from_form(form_urlencoded::parse(
                &body,
            ))))
        }
    }
}
