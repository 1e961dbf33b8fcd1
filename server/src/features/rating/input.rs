//! Reading a rating submission: JSON from the widget or the plain form, into one `RatingDraft`.

use axum::{
    body::Bytes,
    http::{HeaderMap, header},
};
use domain::{RatingDraft, reasons::level_of};

use crate::platform::{
    error::AppError,
    page::{Display, Lang},
};

/// A submission, from the plain form or from the widget.
pub(super) enum Submission {
    Form {
        draft: RatingDraft,
        display: Display,
    },
    Json(RatingDraft),
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Reads the body: JSON from the widget, or the plain form (whose `lang` field keeps the language).
pub(super) fn parse(
    headers: &HeaderMap,
    body: &Bytes,
    display: Display,
) -> Result<Submission, AppError> {
    if is_json(headers) {
        let draft =
            serde_json::from_slice(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
        return Ok(Submission::Json(draft));
    }
    let mut display = display;
    if let Some(lang) = form_urlencoded::parse(body).find(|(k, _)| k == "lang") {
        display.lang = Lang::parse(Some(&lang.1));
    }
    let draft = form_draft(body);
    Ok(Submission::Form { draft, display })
}

/// A rating from a plain form. The form shows every level's reasons (CSS hides the others where it
/// can), so reasons of other levels than the chosen one were hidden from the citizen and are dropped.
pub(crate) fn form_draft(body: &Bytes) -> RatingDraft {
    let mut draft = RatingDraft::default();
    for (key, value) in form_urlencoded::parse(body) {
        match &*key {
            // A value that is not a number is as unknown as "9": the domain reports it.
            "level" => draft.level = Some(value.trim().parse().unwrap_or(0)),
            "reasons" => draft.reasons.extend(value.trim().parse::<u16>()),
            "comment" => draft.comment = value.into_owned(),
            "phone" => draft.phone = value.into_owned(),
            _ => {}
        }
    }
    if let Some(level) = draft
        .level
        .and_then(|c| domain::Level::from_interface_code(c.into()).ok())
    {
        draft
            .reasons
            .retain(|&code| level_of(code).is_none_or(|l| l == level));
    }
    draft
}
