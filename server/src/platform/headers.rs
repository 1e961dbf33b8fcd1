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
            state.clone(),
            crate::platform::guard::anonymous_writes,
        ))
        .layer(middleware::from_fn_with_state(state, transport))
        .layer(middleware::map_response(deny_framing))
        .layer(CompressionLayer::new())
}

/// Pages and answers that may show personal data or a session's state are never stored by a
/// browser or a proxy.
fn private(path: &str) -> bool {
    ["/staff", "/api/", "/device", "/t/"]
        .iter()
        .any(|p| path.starts_with(p))
        && !path.starts_with("/api/v1/openapi.json")
}

/// `Cache-Control: no-store` where `private`; and when the public address is https, HSTS and
/// every cookie `Secure`.
async fn transport(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let no_store = private(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.public_url.starts_with("https://") {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| {
                let secure = if v.contains("; Secure") {
                    v.to_owned()
                } else {
                    format!("{v}; Secure")
                };
                HeaderValue::from_str(&secure).ok()
            })
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    response
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
