//! 评价器 mode: the page of a tablet at a window (`#device`). It waits, asking the server every two
//! seconds for a visit its window finished; shows that visit's rating; goes back to waiting after
//! the configured seconds without a touch (storing nothing); thanks the citizen after a rating.
//! A rating the network did not carry waits in `localStorage` and is sent again every few
//! seconds: the server answers a repeat with the rating it already stored, so a visit is rated at
//! most once whatever the retries.

use std::cell::RefCell;

use gloo_net::http::Request;
use js_sys::Date;
use wasm_bindgen::{JsCast, prelude::Closure};
use web_sys::{Element, HtmlElement, HtmlFormElement};

use crate::form::{self, Answer};
use crate::json;

const QUEUE: &str = "haochaping.device.queue";
/// Milliseconds between asks for the next visit, between retries, and of the thanks.
const POLL_MS: f64 = 2_000.0;
const RETRY_MS: f64 = 5_000.0;
const THANKS_MS: f64 = 4_000.0;

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// Showing visit `code` until `until` (ms), pushed back by every touch.
    Rating {
        code: String,
        until: f64,
    },
    /// Thanking the citizen until `until`.
    Thanks {
        until: f64,
    },
}

struct Screen {
    phase: Phase,
    idle_ms: f64,
    /// The visits shown and left (timed out or rated): not shown again.
    seen: Vec<String>,
    next_poll: f64,
    next_retry: f64,
    polling: bool,
    sending: bool,
}

thread_local! {
    static SCREEN: RefCell<Screen> = const { RefCell::new(Screen {
        phase: Phase::Idle,
        idle_ms: 60_000.0,
        seen: Vec::new(),
        next_poll: 0.0,
        next_retry: 0.0,
        polling: false,
        sending: false,
    }) };
}

fn by_id(id: &str) -> Option<Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

fn show(id: &str, visible: bool) {
    if let Some(e) = by_id(id) {
        let _ = e.toggle_attribute_with_force("hidden", !visible);
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(e) = by_id(id) {
        e.set_text_content(Some(text));
    }
}

fn the_form() -> Option<HtmlFormElement> {
    by_id("rate")?.dyn_into().ok()
}

/// Whether this page is a tablet's.
pub(crate) fn active() -> bool {
    by_id("device").is_some()
}

/// Starts the tablet: the ticker, and touches that keep a rating on screen.
pub(crate) fn run() {
    let idle_s: f64 = by_id("device")
        .and_then(|d| d.get_attribute("data-idle"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    SCREEN.with_borrow_mut(|s| s.idle_ms = idle_s * 1000.0);
    let Some(window) = web_sys::window() else {
        return;
    };
    let tick = Closure::<dyn Fn()>::new(tick);
    let _ = window
        .set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 500);
    tick.forget();
    if let Some(form) = the_form() {
        let touch = Closure::<dyn Fn()>::new(touched);
        for event in ["input", "change", "pointerdown", "keydown"] {
            let _ = form.add_event_listener_with_callback(event, touch.as_ref().unchecked_ref());
        }
        touch.forget();
    }
}

/// A touch on the form keeps the rating on screen for another full timeout.
fn touched() {
    SCREEN.with_borrow_mut(|s| {
        let idle = s.idle_ms;
        if let Phase::Rating { until, .. } = &mut s.phase {
            *until = Date::now() + idle;
        }
    });
}

fn tick() {
    let now = Date::now();
    let (poll, retry, back_to_idle) = SCREEN.with_borrow_mut(|s| {
        let expired = match &s.phase {
            Phase::Rating { until, code } if now > *until => Some(code.clone()),
            Phase::Thanks { until } if now > *until => Some(String::new()),
            _ => None,
        };
        if let Some(code) = &expired
            && !code.is_empty()
        {
            s.seen.push(code.clone());
        }
        let poll = s.phase == Phase::Idle && !s.polling && now >= s.next_poll;
        if poll {
            s.polling = true;
            s.next_poll = now + POLL_MS;
        }
        let retry = !s.sending && now >= s.next_retry;
        if retry {
            s.next_retry = now + RETRY_MS;
        }
        (poll, retry, expired.is_some())
    });
    if back_to_idle {
        idle();
    }
    if poll {
        wasm_bindgen_futures::spawn_local(ask_next());
    }
    if retry && !queued().is_empty() {
        wasm_bindgen_futures::spawn_local(send_queued());
    }
}

/// Back to waiting: the form emptied, nothing kept.
fn idle() {
    if let Some(form) = the_form() {
        form.reset();
        let _ = form.dispatch_event(&web_sys::Event::new("change").expect("an event"));
    }
    set_text("status", "");
    show("device-rate", false);
    show("device-done", false);
    show("device-idle", true);
    SCREEN.with_borrow_mut(|s| s.phase = Phase::Idle);
}

async fn ask_next() {
    let answer = async {
        let response = Request::get("/device/next").send().await.ok()?;
        if !response.ok() {
            return None;
        }
        let value = json::parse(&response.text().await.ok()?);
        Some((json::text(&value, "visit"), json::text(&value, "item")))
    }
    .await;
    let offer = SCREEN.with_borrow_mut(|s| {
        s.polling = false;
        match answer {
            Some((code, item))
                if !code.is_empty() && s.phase == Phase::Idle && !s.seen.contains(&code) =>
            {
                s.phase = Phase::Rating {
                    code: code.clone(),
                    until: Date::now() + s.idle_ms,
                };
                Some((code, item))
            }
            _ => None,
        }
    });
    if let Some((code, item)) = offer {
        offer_visit(&code, &item);
    }
}

/// Shows the rating of visit `code`.
fn offer_visit(code: &str, item: &str) {
    if let Some(form) = the_form() {
        form.reset();
        let code: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
        form.set_action(&format!("/device/rate/{code}"));
        let _ = form.dispatch_event(&web_sys::Event::new("change").expect("an event"));
    }
    set_text("device-item", item);
    set_text("status", "");
    show("device-idle", false);
    show("device-done", false);
    show("device-rate", true);
    if let Some(first) = by_id("lv5").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = first.focus();
    }
}

/// The ratings waiting to be sent: (address, JSON body).
fn queued() -> Vec<(String, String)> {
    let Some(storage) = storage() else {
        return Vec::new();
    };
    storage
        .get_item(QUEUE)
        .ok()
        .flatten()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn keep(entries: &[(String, String)]) {
    if let Some(storage) = storage() {
        let text: Vec<String> = entries.iter().map(|(a, b)| format!("{a}\t{b}")).collect();
        let _ = storage.set_item(QUEUE, &text.join("\n"));
    }
}

/// Replaces or adds the rating for `action` in the queue.
fn enqueue(action: &str, body: &str) {
    let mut entries = queued();
    entries.retain(|(a, _)| a != action);
    entries.push((action.to_owned(), body.to_owned()));
    keep(&entries);
}

fn dequeue(action: &str) {
    let mut entries = queued();
    entries.retain(|(a, _)| a != action);
    keep(&entries);
}

/// The citizen's rating of the visit on screen (already checked by the form): queued first, so
/// that a drop loses nothing — `kept`, the rating without the phone, which is never stored on the
/// tablet — then sent whole.
pub(crate) fn submit(action: String, body: String, kept: String) {
    enqueue(&action, &kept);
    set_text("status", "正在提交…");
    wasm_bindgen_futures::spawn_local(async move {
        SCREEN.with_borrow_mut(|s| s.sending = true);
        let sent = form::send(&action, &body).await;
        SCREEN.with_borrow_mut(|s| s.sending = false);
        match sent {
            Ok(Answer::Invalid(errors)) => {
                dequeue(&action);
                form::show_answer(Answer::Invalid(errors));
            }
            Ok(Answer::Refused(message)) => {
                dequeue(&action);
                thank(&message);
            }
            Ok(Answer::Stored(_)) => {
                dequeue(&action);
                thank("");
            }
            Err(_) => thank("网络暂时中断，您的评价已保存，恢复后自动提交。"),
        }
    });
}

/// The thanks, then waiting again; `note` says more when there is more to say.
fn thank(note: &str) {
    SCREEN.with_borrow_mut(|s| {
        if let Phase::Rating { code, .. } = &s.phase {
            s.seen.push(code.clone());
        }
        s.phase = Phase::Thanks {
            until: Date::now() + THANKS_MS,
        };
    });
    show("device-rate", false);
    show("device-idle", false);
    show("device-done", true);
    set_text("device-status", note);
}

/// Sends the waiting ratings; each leaves the queue once the server answered.
async fn send_queued() {
    SCREEN.with_borrow_mut(|s| s.sending = true);
    for (action, body) in queued() {
        if form::send(&action, &body).await.is_ok() {
            dequeue(&action);
        }
    }
    if queued().is_empty() {
        set_text("device-status", "");
    }
    SCREEN.with_borrow_mut(|s| s.sending = false);
}
