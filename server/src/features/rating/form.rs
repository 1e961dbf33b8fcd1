//! The rating form: five levels, the reasons of each level, text, and a phone for a return visit.

use std::fmt::Write;

use domain::{
    Catalogue, FieldError, Level, RatingDraft,
    evaluation::{COMMENT_MAX_CHARS, Field},
};

use crate::features::admin::Names;
use crate::platform::page::{Display, Lang, esc, page};

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
    fn error(&self, field: Field) -> String {
        let messages: Vec<String> = self
            .errors
            .iter()
            .filter(|e| e.field() == field)
            .map(|e| esc(self.display.lang.t(&e.message_zh(), &e.message_en())))
            .collect();
        let name = field.name();
        if messages.is_empty() {
            format!("<p class=\"err\" id=\"err-{name}\" hidden></p>")
        } else {
            format!(
                "<p class=\"err\" id=\"err-{name}\" role=\"alert\">{}</p>",
                messages.join(" ")
            )
        }
    }

    fn invalid(&self, field: Field) -> &'static str {
        if self.errors.iter().any(|e| e.field() == field) {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    }

    fn levels(&self, out: &mut String) {
        let lang = self.display.lang;
        let _ = write!(
            out,
            "<fieldset class=\"levels\" aria-describedby=\"err-level\"><legend>{}</legend>{}",
            lang.t(
                "您对本次服务是否满意？",
                "How satisfied are you with this service?"
            ),
            self.error(Field::Level)
        );
        for level in Level::ALL {
            let code = level.interface_code();
            let checked = if self.draft.level == Some(code) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<label class=\"lv lv{code}\"><input type=\"radio\" name=\"level\" value=\"{code}\" \
                 id=\"lv{code}\" required{checked}><span class=\"face\" aria-hidden=\"true\">{}</span>\
                 <span>{}</span></label>",
                face(level),
                label(lang, level)
            );
        }
        out.push_str("</fieldset>");
    }

    fn reasons(&self, out: &mut String) {
        let lang = self.display.lang;
        let _ = write!(
            out,
            "<fieldset class=\"reasons\" aria-describedby=\"err-reasons\"><legend>{}</legend>{}",
            lang.t("评价原因（可多选）", "Reasons (choose any)"),
            self.error(Field::Reasons)
        );
        for level in Level::ALL {
            let code = level.interface_code();
            let _ = write!(
                out,
                "<div class=\"rg\" id=\"rg{code}\" data-level=\"{code}\"><p class=\"rgh\">{}</p>",
                label(lang, level)
            );
            for reason in Catalogue::CURRENT.for_level(level) {
                let checked = if self.draft.reasons.contains(&reason.code) {
                    " checked"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<label class=\"tag\"><input type=\"checkbox\" name=\"reasons\" value=\"{}\"{checked}>\
                     <span>{}</span></label>",
                    reason.code,
                    lang.t(reason.label_zh, reason.label_en)
                );
            }
            out.push_str("</div>");
        }
        out.push_str("</fieldset>");
    }

    fn text_fields(&self, out: &mut String) {
        let lang = self.display.lang;
        let _ = write!(
            out,
            "<label for=\"comment\">{}</label>{}<textarea id=\"comment\" name=\"comment\" rows=\"3\" \
             maxlength=\"{COMMENT_MAX_CHARS}\" aria-describedby=\"err-comment\"{}>{}</textarea>\
             <div class=\"contact\"><label for=\"phone\">{}</label><p class=\"hint\" id=\"phone-hint\">{}</p>{}\
             <input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"numeric\" autocomplete=\"tel\" \
             maxlength=\"20\" aria-describedby=\"phone-hint err-phone\" value=\"{}\"{}></div>",
            lang.t("文字评价（选填）", "Comments (optional)"),
            self.error(Field::Comment),
            self.invalid(Field::Comment),
            esc(&self.draft.comment),
            lang.t("联系电话（选填）", "Phone (optional)"),
            lang.t(
                "差评时留下手机号，工作人员将回访核实；号码加密保存，不会公开。",
                "For a bad review, leave a mobile number for a return call; it is stored encrypted and never published."
            ),
            self.error(Field::Phone),
            esc(&self.draft.phone),
            self.invalid(Field::Phone),
        );
    }

    /// The form again, with the problems shown and the citizen's input kept.
    pub(crate) fn refused(&self) -> axum::response::Response {
        use axum::response::IntoResponse;
        let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        (status, axum::response::Html(self.render())).into_response()
    }

    /// The whole page.
    pub(crate) fn render(&self) -> String {
        let lang = self.display.lang;
        let mut body = String::with_capacity(8192);
        let subject: Vec<&str> = [
            self.names.hall.as_deref(),
            Some(self.names.department.as_str()),
            self.names.window.as_deref(),
            self.names.service_item.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = write!(
            body,
            "<h1>{}</h1><p class=\"subject\">{}</p><form method=\"post\" action=\"{}\" id=\"rate\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">",
            lang.t("服务评价", "Rate this service"),
            esc(&subject.join(" · ")),
            esc(self.action),
            lang.code(),
        );
        self.levels(&mut body);
        self.reasons(&mut body);
        self.text_fields(&mut body);
        let _ = write!(
            body,
            "<button type=\"submit\">{}</button><p class=\"status\" id=\"status\" role=\"status\"></p></form>\
             <p class=\"note\">{}</p>",
            lang.t("提交评价", "Submit"),
            lang.t(
                "评价自愿、免费，工作人员不得强制或干预您的评价。",
                "Rating is voluntary and free; staff may not press or influence you."
            ),
        );
        page(
            self.display,
            lang.t("服务评价", "Rate this service"),
            &body,
            true,
        )
    }
}
