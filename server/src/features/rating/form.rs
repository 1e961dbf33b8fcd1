//! The rating form: five levels, the reasons of each level, text, and a phone for a return visit.

use domain::{
    Catalogue, FieldError, Level, RatingDraft,
    evaluation::{COMMENT_MAX_CHARS, Field},
};

use maud::{Markup, html};

use crate::{
    features::admin::Names,
    platform::page::{Display, Lang, error_slot, page},
};

/// What the form is about and where it posts.
pub(crate) struct FormPage<'a> {
    pub(crate) display: Display,
    pub(crate) names: &'a Names,
    pub(crate) action: &'a str,
    pub(crate) draft: &'a RatingDraft,
    pub(crate) errors: &'a [FieldError],
}

fn face(level: Level) -> &'static str {
    match level {
        Level::VerySatisfied => "😄",
        Level::Satisfied => "🙂",
        Level::BasicallySatisfied => "😐",
        Level::Dissatisfied => "🙁",
        Level::VeryDissatisfied => "😠",
    }
}

fn label(lang: Lang, level: Level) -> &'static str {
    lang.t(level.label_zh(), level.label_en())
}

impl FormPage<'_> {
    fn error(&self, field: Field) -> Markup {
        let lang = self.display.lang;
        let messages: Vec<String> = self
            .errors
            .iter()
            .filter(|e| e.field() == field)
            .map(|e| lang.t(&e.message_zh(), &e.message_en()).to_owned())
            .collect();
        error_slot(field.name(), &messages)
    }

    fn invalid(&self, field: Field) -> Option<&'static str> {
        self.errors
            .iter()
            .any(|e| e.field() == field)
            .then_some("true")
    }

    pub(crate) fn levels(&self) -> Markup {
        let lang = self.display.lang;
        html! {
            fieldset.levels aria-describedby="err-level" {
                legend { (lang.t("您对本次服务是否满意？", "How satisfied are you with this service?")) }
                (self.error(Field::Level))
                @for level in Level::ALL {
                    @let code = level.interface_code();
                    label class={ "lv lv" (code) } {
                        input type="radio" name="level" value=(code) id={ "lv" (code) } required
                            checked[self.draft.level == Some(code)];
                        span.face aria-hidden="true" { (face(level)) }
                        span { (label(lang, level)) }
                    }
                }
            }
        }
    }

    pub(crate) fn reasons(&self) -> Markup {
        let lang = self.display.lang;
        html! {
            fieldset.reasons aria-describedby="err-reasons" {
                legend { (lang.t("评价原因（可多选）", "Reasons (choose any)")) }
                (self.error(Field::Reasons))
                @for level in Level::ALL {
                    @let code = level.interface_code();
                    div.rg id={ "rg" (code) } data-level=(code) {
                        p.rgh { (label(lang, level)) }
                        @for reason in Catalogue::CURRENT.for_level(level) {
                            label.tag {
                                input type="checkbox" name="reasons" value=(reason.code)
                                    checked[self.draft.reasons.contains(&reason.code)];
                                span { (lang.t(reason.label_zh, reason.label_en)) }
                            }
                        }
                    }
                }
            }
        }
    }

    pub(crate) fn text_fields(&self) -> Markup {
        let lang = self.display.lang;
        html! {
            label for="comment" { (lang.t("文字评价（选填）", "Comments (optional)")) }
            (self.error(Field::Comment))
            textarea #comment name="comment" rows="3" maxlength=(COMMENT_MAX_CHARS)
                aria-describedby="err-comment" aria-invalid=[self.invalid(Field::Comment)] {
                (self.draft.comment)
            }
            div.contact {
                label for="phone" { (lang.t("联系电话（选填）", "Phone (optional)")) }
                p.hint #phone-hint {
                    (lang.t(
                        "差评时留下手机号，工作人员将回访核实；号码加密保存，不会公开。",
                        "For a bad review, leave a mobile number for a return call; it is stored encrypted and never published.",
                    ))
                }
                (self.error(Field::Phone))
                input #phone name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20"
                    aria-describedby="phone-hint err-phone" value=(self.draft.phone)
                    aria-invalid=[self.invalid(Field::Phone)];
            }
        }
    }

    /// The form again, with the problems shown and the citizen's input kept.
    pub(crate) fn refused(&self) -> axum::response::Response {
        use axum::response::IntoResponse;
        let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        (status, axum::response::Html(self.render())).into_response()
    }

    /// The form itself: levels, reasons, text and phone, the submit button and its status line.
    pub(crate) fn form(&self) -> Markup {
        let lang = self.display.lang;
        html! {
            form method="post" action=(self.action) #rate {
                input type="hidden" name="lang" value=(lang.code());
                (crate::platform::guard::form_fields())
                (self.levels())
                (self.reasons())
                (self.text_fields())
                button type="submit" { (lang.t("提交评价", "Submit")) }
                p.status #status role="status" {}
            }
        }
    }

    /// The whole page.
    pub(crate) fn render(&self) -> String {
        let lang = self.display.lang;
        let subject: Vec<&str> = [
            self.names.hall.as_deref(),
            Some(self.names.department.as_str()),
            self.names.window.as_deref(),
            self.names.service_item.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let body = html! {
            h1 { (lang.t("服务评价", "Rate this service")) }
            p.subject { (subject.join(" · ")) }
            (self.form())
            p.note {
                (lang.t(
                    "评价自愿、免费，工作人员不得强制或干预您的评价。",
                    "Rating is voluntary and free; staff may not press or influence you.",
                ))
            }
        };
        page(
            self.display,
            lang.t("服务评价", "Rate this service"),
            body,
            true,
        )
    }
}
