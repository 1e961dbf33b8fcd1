//! Reading a rating submission: JSON from the widget or the plain form, into one `RatingDraft`.

use std::borrow::Cow;

use domain::{RatingDraft, reasons::level_of};
use serde::Deserialize;

use crate::platform::{
    extract::FromForm,
    page::{Display, Lang},
};

/// A rating as submitted, with the page language a plain form carries.
#[derive(Debug, Deserialize)]
pub(crate) struct RatingInput {
    #[serde(flatten)]
    pub(crate) draft: RatingDraft,
    /// The plain form's `lang` field: the language to answer in.
    #[serde(default)]
    lang: Option<String>,
}

impl RatingInput {
    /// `display` in the language the form was filled in.
    pub(crate) fn display(&self, display: Display) -> Display {
        match &self.lang {
            Some(lang) => Display {
                lang: Lang::parse(Some(lang)),
                ..display
            },
            None => display,
        }
    }
}

/// A rating from a plain form. The form shows every level's reasons (CSS hides the others where it
/// can), so reasons of other levels than the chosen one were hidden from the citizen and are dropped.
impl FromForm for RatingInput {
    fn from_form<'a>(pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>) -> Self {
        let mut draft = RatingDraft::default();
        let mut lang = None;
        for (key, value) in pairs {
            match &*key {
                // A value that is not a number is as unknown as "9": the domain reports it.
                "level" => draft.level = Some(value.trim().parse().unwrap_or(0)),
                "reasons" => draft.reasons.extend(value.trim().parse::<u16>()),
                "comment" => draft.comment = value.into_owned(),
                "phone" => draft.phone = value.into_owned(),
                "lang" => lang = Some(value.into_owned()),
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
        RatingInput { draft, lang }
    }
}
