//! Ratings that could not be sent because the phone was offline wait in `localStorage` and are sent
//! again when the browser reports it is back online (or when the page is opened again).

use wasm_bindgen::{JsCast, prelude::Closure};

const ACTION: &str = "haochaping.pending.action";
const BODY: &str = "haochaping.pending.body";

/// A rating waiting to be sent: where to, and its JSON body.
pub(crate) struct Pending {
    pub(crate) action: String,
    pub(crate) body: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Keeps a rating to send later, and arranges for the retry.
pub(crate) fn keep(pending: &Pending) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(ACTION, &pending.action);
        let _ = storage.set_item(BODY, &pending.body);
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let retry = Closure::once_into_js(retry_pending);
    let _ = window.add_event_listener_with_callback("online", retry.unchecked_ref());
}

/// The address the rating form on this page posts to, if there is one.
fn this_form_action() -> Option<String> {
    let form = web_sys::window()?.document()?.get_element_by_id("rate")?;
    form.dyn_into::<web_sys::HtmlFormElement>()
        .ok()
        .map(|f| f.action())
}

/// Sends the waiting rating, if any; it is removed once the server answered (whatever the answer).
/// The answer is shown only on the page the rating was made on.
pub(crate) fn retry_pending() {
    let Some(storage) = storage() else { return };
    let (Ok(Some(action)), Ok(Some(body))) = (storage.get_item(ACTION), storage.get_item(BODY))
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(answer) = crate::form::send(&action, &body).await {
            let _ = storage.remove_item(ACTION);
            let _ = storage.remove_item(BODY);
            if this_form_action().as_deref() == Some(action.as_str()) {
                crate::form::show_answer(answer);
            }
        }
    });
}
