//! The rating page's enhancement, in the browser. The page works fully without it; with it, the
//! reasons follow the chosen level, mistakes show as they happen (with the same `domain` rules the
//! server applies), the rating is sent without a reload, a rating made offline is sent when the
//! phone is back online, and inside a portal's iframe the page reports its height and completion.
//! On a window's 评价器 (tablet) it also runs the tablet's screen.

mod device;
mod form;
mod frame;
mod json;
mod outbox;

use wasm_bindgen::prelude::*;

/// Runs when the module loads.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.class_list().add_1("js");
    }
    if let Some(done) = document.get_element_by_id("done") {
        frame::rated(&done.get_attribute("data-tracking").unwrap_or_default());
    }
    if let Some(form) = form::RatingForm::find(&document) {
        form.enhance();
        if device::active() {
            device::run();
        } else {
            outbox::retry_pending();
        }
    }
    frame::report_height();
}
