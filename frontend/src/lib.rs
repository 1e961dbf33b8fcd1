//! The browser entry point of the site (the hydrate build): `scripts/build-site` compiles this
//! crate to wasm32 and wasm-bindgen names its output `app` for Leptos.

/// Hydrates the server-rendered page.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(app::App);
}
