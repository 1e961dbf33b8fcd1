//! The rating form: reading it, checking it with `domain`, showing problems, and sending it.

use domain::{Catalogue, FieldError, RatingDraft, evaluation::Field, reasons::level_of};
use gloo_net::http::Request;
use wasm_bindgen::{JsCast, prelude::Closure};
use web_sys::{Document, Element, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement};

use crate::{frame, json, outbox};

const FIELDS: [Field; 4] = [Field::Level, Field::Reasons, Field::Comment, Field::Phone];

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

fn english() -> bool {
    document()
        .and_then(|d| d.document_element())
        .is_some_and(|e| e.get_attribute("lang").is_some_and(|l| l.starts_with("en")))
}

fn t(zh: &'static str, en: &'static str) -> &'static str {
    if english() { en } else { zh }
}

fn by_id(id: &str) -> Option<Element> {
    document()?.get_element_by_id(id)
}

/// The server's answer to a rating.
pub(crate) enum Answer {
    Stored(String),
    Invalid(Vec<(String, String)>),
    Refused(String),
}

/// The page's rating form.
#[derive(Clone)]
pub(crate) struct RatingForm {
    form: HtmlFormElement,
}

impl RatingForm {
    pub(crate) fn find(document: &Document) -> Option<Self> {
        let form = document
            .get_element_by_id("rate")?
            .dyn_into::<HtmlFormElement>()
            .ok()?;
        Some(RatingForm { form })
    }

    /// Attaches the handlers and shows the reasons of the level already chosen.
    pub(crate) fn enhance(self) {
        self.sync_groups();
        let on_change = {
            let this = self.clone();
            Closure::<dyn Fn()>::new(move || {
                this.sync_groups();
                let draft = this.read();
                // While typing, only problems with what was typed; the rest is checked on submit.
                let errors = draft.validate(Catalogue::CURRENT).err().unwrap_or_default();
                let typed: Vec<_> = errors
                    .into_iter()
                    .filter(|e| matches!(e.field(), Field::Comment | Field::Phone))
                    .collect();
                show_errors(&typed);
                frame::report_height();
            })
        };
        let _ = self
            .form
            .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget();
        let on_submit = {
            let this = self.clone();
            Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                this.submit();
            })
        };
        let _ = self
            .form
            .add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
    }

    fn chosen_level(&self) -> Option<u8> {
        let input = self
            .form
            .query_selector("input[name=level]:checked")
            .ok()??;
        input
            .dyn_into::<HtmlInputElement>()
            .ok()?
            .value()
            .parse()
            .ok()
    }

    /// Shows only the chosen level's reasons (and the phone field for a bad review), unticking
    /// reasons of other levels so that a hidden tick never travels with the rating.
    fn sync_groups(&self) {
        let level = self.chosen_level();
        let Ok(groups) = self.form.query_selector_all(".rg") else {
            return;
        };
        for i in 0..groups.length() {
            let Some(group) = groups.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let mine = level.is_some_and(|l| {
                group.get_attribute("data-level").as_deref() == Some(&l.to_string())
            });
            let _ = group.toggle_attribute_with_force("hidden", !mine);
            if !mine && let Ok(boxes) = group.query_selector_all("input:checked") {
                for j in 0..boxes.length() {
                    if let Some(input) = boxes
                        .item(j)
                        .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
                    {
                        input.set_checked(false);
                    }
                }
            }
        }
        if let Ok(Some(contact)) = self.form.query_selector(".contact") {
            let _ = contact.toggle_attribute_with_force("hidden", !matches!(level, Some(1 | 2)));
        }
    }

    fn read(&self) -> RatingDraft {
        let level = self.chosen_level();
        let mut reasons = Vec::new();
        if let Ok(boxes) = self.form.query_selector_all("input[name=reasons]:checked") {
            for i in 0..boxes.length() {
                let code = boxes
                    .item(i)
                    .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
                    .and_then(|b| b.value().parse::<u16>().ok());
                reasons.extend(code.filter(|&c| {
                    level.is_some_and(|l| level_of(c).map(|x| x.interface_code()) == Some(l))
                }));
            }
        }
        let comment = by_id("comment")
            .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
            .map(|t| t.value())
            .unwrap_or_default();
        let phone = by_id("phone")
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value())
            .unwrap_or_default();
        RatingDraft {
            level,
            reasons,
            comment,
            phone,
        }
    }

    fn submit(&self) {
        let draft = self.read();
        if let Err(errors) = draft.validate(Catalogue::CURRENT) {
            show_errors(&errors);
            if let Some(first) = errors.first() {
                focus_field(first.field());
            }
            return;
        }
        show_errors(&[]);
        // What waits on the device if the network fails: the rating without the phone, which is
        // never kept in the browser's storage.
        let kept = json::rating(&RatingDraft {
            phone: String::new(),
            ..draft.clone()
        });
        if crate::device::active() {
            crate::device::submit(self.form.action(), json::rating(&draft), kept);
            return;
        }
        set_status(t("正在提交…", "Sending…"));
        let pending = outbox::Pending {
            action: self.form.action(),
            body: json::rating(&draft),
        };
        wasm_bindgen_futures::spawn_local(async move {
            match send(&pending.action, &pending.body).await {
                Ok(answer) => show_answer(answer),
                Err(_) => {
                    outbox::keep(&outbox::Pending {
                        body: kept,
                        ..pending
                    });
                    set_status(t(
                        "网络不可用，您的评价已保存（联系电话不在本机保存），联网后将自动提交。",
                        "You are offline; your rating is kept (without the phone number, never stored on this device) and will be sent when you are back online.",
                    ));
                }
            }
        });
    }
}

/// Sends a rating (already JSON) to the form's own address; network failure is an `Err`.
pub(crate) async fn send(action: &str, body: &str) -> Result<Answer, gloo_net::Error> {
    let url = format!("{action}?lang={}", if english() { "en" } else { "zh" });
    let response = Request::post(&url)
        .header("Content-Type", "application/json")
        .body(body)?
        .send()
        .await?;
    let answer = json::parse(&response.text().await?);
    Ok(match response.status() {
        201 => Answer::Stored(json::text(&answer, "tracking_code")),
        422 => Answer::Invalid(
            json::items(&answer, "errors")
                .iter()
                .map(|e| (json::text(e, "field"), json::text(e, "message")))
                .collect(),
        ),
        _ => Answer::Refused(
            Some(json::text(&answer, "message"))
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| {
                    t("提交失败，请稍后再试", "Could not send, please try again").into()
                }),
        ),
    })
}

/// Shows what the server said.
pub(crate) fn show_answer(answer: Answer) {
    match answer {
        Answer::Stored(code) => {
            let code: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
            if let Some(main) = document().and_then(|d| d.query_selector("main").ok().flatten()) {
                main.set_inner_html(&format!(
                    "<div class=\"done\" id=\"done\" data-tracking=\"{code}\"><h1 tabindex=\"-1\">{}</h1>\
                     <p class=\"code\"><span>{}</span> <strong id=\"tracking-code\">{code}</strong></p></div>",
                    t("评价已提交，感谢您的反馈", "Thank you, your rating is saved"),
                    t("查询码", "Tracking code"),
                ));
                if let Some(heading) = main
                    .query_selector("h1")
                    .ok()
                    .flatten()
                    .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = heading.focus();
                }
            }
            frame::rated(&code);
            frame::report_height();
        }
        Answer::Invalid(errors) => {
            for field in FIELDS {
                let messages: Vec<&str> = errors
                    .iter()
                    .filter(|(f, _)| f == field.name())
                    .map(|(_, m)| m.as_str())
                    .collect();
                show_field(field, &messages.join(" "));
            }
            set_status("");
        }
        Answer::Refused(message) => set_status(&message),
    }
}

fn show_errors(errors: &[FieldError]) {
    for field in FIELDS {
        let messages: Vec<String> = errors
            .iter()
            .filter(|e| e.field() == field)
            .map(|e| {
                if english() {
                    e.message_en()
                } else {
                    e.message_zh()
                }
            })
            .collect();
        show_field(field, &messages.join(" "));
    }
    frame::report_height();
}

fn show_field(field: Field, message: &str) {
    let Some(slot) = by_id(&format!("err-{}", field.name())) else {
        return;
    };
    slot.set_text_content(Some(message));
    let _ = slot.toggle_attribute_with_force("hidden", message.is_empty());
    if message.is_empty() {
        let _ = slot.remove_attribute("role");
    } else {
        let _ = slot.set_attribute("role", "alert");
    }
}

fn focus_field(field: Field) {
    let selector = match field {
        Field::Level => "input[name=level]",
        Field::Reasons => ".rg:not([hidden]) input",
        Field::Comment => "#comment",
        Field::Phone => "#phone",
    };
    let target = document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        let _ = target.focus();
    }
}

fn set_status(text: &str) {
    if let Some(status) = by_id("status") {
        status.set_text_content(Some(text));
    }
}
