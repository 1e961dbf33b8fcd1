//! JSON through the browser's own `JSON` object: no serde_json in the wasm, which keeps the widget
//! within its size budget.

use domain::RatingDraft;
use js_sys::{Array, JSON, Reflect};
use wasm_bindgen::JsValue;

fn quoted(text: &str) -> String {
    JSON::stringify(&JsValue::from_str(text))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "\"\"".into())
}

/// The rating as the JSON body the server reads into a `RatingDraft`.
pub(crate) fn rating(draft: &RatingDraft) -> String {
    let level = draft.level.map_or("null".to_owned(), |l| l.to_string());
    let reasons: Vec<String> = draft.reasons.iter().map(u16::to_string).collect();
    format!(
        "{{\"level\":{level},\"reasons\":[{}],\"comment\":{},\"phone\":{}}}",
        reasons.join(","),
        quoted(&draft.comment),
        quoted(&draft.phone)
    )
}

/// Parses a JSON text; anything unreadable is `undefined`.
pub(crate) fn parse(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// A string property, or "".
pub(crate) fn text(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// An array property's items, or none.
pub(crate) fn items(value: &JsValue, key: &str) -> Vec<JsValue> {
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .filter(Array::is_array)
        .map(|v| Array::from(&v).iter().collect())
        .unwrap_or_default()
}
