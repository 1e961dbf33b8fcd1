//! Ratings that could not be sent because the phone was offline wait in `localStorage` and are sent
//! again when the browser reports it is back online (or when the page is opened again).

use domain::RatingDraft;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, prelude::Closure};

const KEY: &str = "haochaping.pending";

/// A rating waiting to be sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) action: String,
    pub(crate) draft: RatingDraft,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Keeps a rating to send later, and arranges for the retry.
pub(crate) fn keep(pending: &Pending) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(pending)) {
        let _ = storage.set_item(KEY, &json);
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let retry = Closure::once_into_js(retry_pending);
    let _ = window.add_event_listener_with_callback("online", retry.unchecked_ref());
}

/// Sends the waiting rating, if any; it is removed once the server answered (whatever the answer).
pub(crate) fn retry_pending() {
    let Some(storage) = storage() else { return };
    let Some(pending) = storage
        .get_item(KEY)
        .ok()
        .flatten()
        .and_then(|j| serde_json::from_str::<Pending>(&j).ok())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(answer) = crate::form::send(&pending.action, &pending.draft).await {
            let _ = storage.remove_item(KEY);
            crate::form::show_answer(answer);
        }
    });
}
