//! The headers every response carries (framing policy, no sniffing, referrer), compression, and
//! the built browser assets.

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::Response,
};
use tower_http::compression::CompressionLayer;

/// The built browser assets under `site_root/pkg`: the widget, the hydrate bundle and the CSS.
pub fn assets(site_root: &std::path::Path) -> Router {
    let pkg = tower_http::services::ServeDir::new(site_root.join("pkg"));
    Router::new().nest_service("/pkg", pkg)
}

/// Wraps the whole site: compression and the framing policy.
pub fn finish(state: crate::AppState, router: Router) -> Router {
    router
        .layer(middleware::from_fn_with_state(
            state,
            crate::platform::guard::anonymous_writes,
        ))
        .layer(middleware::map_response(deny_framing))
        .layer(CompressionLayer::new())
}

/// Every page refuses to be framed unless its handler set its own policy (the embed route).
async fn deny_framing(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
