//! Talking to the portal that embeds the page in an iframe (postMessage).

use wasm_bindgen::JsValue;

fn post(message: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    // Only when framed: the top window is its own parent.
    if JsValue::from(&parent) != JsValue::from(&window) {
        let _ = parent.post_message(&JsValue::from_str(message), "*");
    }
}

/// Tells the embedding page how tall the content is, so it can size the iframe.
pub(crate) fn report_height() {
    let height = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .map_or(0, |e| e.scroll_height());
    post(&format!(
        r#"{{"type":"haochaping:height","height":{height}}}"#
    ));
}

/// Tells the embedding page the rating is done (the tracking code is no personal data).
pub(crate) fn rated(tracking_code: &str) {
    let code: String = tracking_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    post(&format!(
        r#"{{"type":"haochaping:rated","tracking_code":"{code}"}}"#
    ));
}
