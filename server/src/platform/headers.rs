//! The headers every response carries (framing policy, no sniffing, referrer), compression, and
//! the built browser assets.

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::Response,
};
use tower_http::compression::CompressionLayer;

/// The values of the request's cookies named `name`.
pub(crate) fn cookie_values<'a>(
    headers: &'a axum::http::HeaderMap,
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, value)| value)
}

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

/// A request's id: on every answer (`X-Request-Id`) and on every log line of the request, so that
/// a citizen's or vendor's report of a failure finds its log.
fn request_id() -> String {
    crate::platform::crypto::random_hex(8)
}

/// What a failure (5xx) says, whatever failed: one shape, the request's id, nothing internal.
fn failure(id: &str, html: bool) -> Response {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    if html {
        let body = crate::platform::page::refused(
            "服务暂时不可用",
            &format!("请稍后再试。如需反映，请提供请求编号 {id}。"),
        );
        let page = crate::platform::page::page(Default::default(), "服务暂时不可用", body, false);
        (status, axum::response::Html(page)).into_response()
    } else {
        let body = serde_json::json!({
            "error": "internal",
            "message": "服务器内部错误，请稍后再试 / internal error",
            "request_id": id,
        });
        (status, axum::Json(body)).into_response()
    }
}

/// `Cache-Control: no-store` where `private`; when the public address is https, HSTS and every
/// cookie `Secure`; the request's id on the answer and its log lines; a failure in one shape.
async fn transport(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    use tracing::Instrument;
    let no_store = private(request.uri().path());
    let html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    // The site's server functions answer with their own error type, which their pages read.
    let path = request.uri().path();
    let ours = !path.starts_with("/api/") || path.starts_with("/api/v1/");
    let id = request_id();
    let span = tracing::info_span!("request", id = %id);
    let mut response = next.run(request).instrument(span).await;
    if ours && response.status().is_server_error() {
        response = failure(&id, html);
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert("x-request-id", value);
    }
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

/// The content security policy of the server's own pages (the citizen pages, the tablet): their
/// scripts only from here (the widget, whose wasm needs `wasm-unsafe-eval`), their one inline
/// stylesheet by its hash, no plugins, no `<base>`, forms only to here; `frame_ancestors` says who
/// may frame them ('none' but for the portal iframe). The Leptos pages send their own, with the
/// render's nonce (`app::shell`).
pub fn page_policy(frame_ancestors: &str) -> String {
    static STYLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let style = STYLE.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(crate::platform::page::CSS.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(digest)
    });
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'sha256-{style}'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The policy of the Leptos pages: scripts only from here or with this render's nonce.
pub fn site_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Every page refuses to be framed unless its handler set its own policy (the embed route).
async fn deny_framing(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&page_policy("'none'")) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
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
