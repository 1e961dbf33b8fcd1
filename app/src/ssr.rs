//! The server side of the site: Leptos routes merged into `server`'s router.

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use server::AppState;

use crate::{App, shell};

/// Leptos' options without cargo-leptos: the hydrate bundle is `pkg/app.js` + `pkg/app_bg.wasm`
/// under the site root, built by `scripts/build-site`.
pub fn leptos_options(state: &AppState) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("app")
        .site_root(state.config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .build()
}

/// The whole site: API, citizen pages, static assets and the Leptos pages.
pub fn site(state: AppState) -> Router {
    let options = leptos_options(&state);
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options);
    let assets = server::platform::headers::assets(&state.config.site_root);
    let router = server::features::router(state.clone())
        .merge(assets)
        .merge(pages);
    server::platform::headers::finish(state, router)
}
