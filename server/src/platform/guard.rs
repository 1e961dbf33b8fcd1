//! 防刷 — what every anonymous write passes before its handler: a cross-site POST is refused; the
//! citizen's writes (ratings, complaints, follow-ups, a tablet's enrolment) and tracking look-ups
//! are limited per client address, and e码 ratings per window too; a plain form must carry the
//! signed time it was served (a minimum fill time) and leave the hidden honeypot field empty.
//!
//! The client address is the peer's, or — only when the peer is a configured proxy — the last
//! address `X-Forwarded-For` names that is not one of those proxies.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
};

use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Json, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;

use crate::platform::{
    db::now_ms,
    page::{Display, page, refused},
    state::AppState,
};

/// The limits; production's come from the environment (see the README), tests relax them.
#[derive(Debug, Clone)]
pub struct GuardConfig {
    /// Anonymous writes per client address per minute (a burst of as many).
    pub writes_per_minute: u32,
    /// e码 ratings per window per minute, whoever sends them.
    pub window_ratings_per_minute: u32,
    /// Tracking look-ups (`/t/…`) per client address per minute.
    pub lookups_per_minute: u32,
    /// A plain form posted sooner than this after it was served is refused (ms); 0: no minimum,
    /// and a form without its served time is let through (tests).
    pub min_fill_ms: i64,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
}

impl GuardConfig {
    /// Production's defaults: a hall's honest traffic passes, a script does not.
    pub fn production() -> Self {
        GuardConfig {
            writes_per_minute: 20,
            window_ratings_per_minute: 6,
            lookups_per_minute: 60,
            min_fill_ms: 3_000,
            trusted_proxies: Vec::new(),
        }
    }

    /// For tests that are not about abuse: limits far above what they send.
    pub fn relaxed() -> Self {
        GuardConfig {
            writes_per_minute: 100_000,
            window_ratings_per_minute: 100_000,
            lookups_per_minute: 100_000,
            min_fill_ms: 0,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The limiters, shared by every request.
pub struct Guard {
    config: GuardConfig,
    writes: DefaultKeyedRateLimiter<IpAddr>,
    windows: DefaultKeyedRateLimiter<String>,
    lookups: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("config", &self.config)
            .finish()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Guard {
    pub fn new(config: GuardConfig) -> Self {
        Guard {
            writes: RateLimiter::dashmap(per_minute(config.writes_per_minute)),
            windows: RateLimiter::dashmap(per_minute(config.window_ratings_per_minute)),
            lookups: RateLimiter::dashmap(per_minute(config.lookups_per_minute)),
            config,
        }
    }

    /// Forgets keys whose limits are full again (run every minute): memory stays bounded.
    pub fn forget_idle(&self) {
        self.writes.retain_recent();
        self.windows.retain_recent();
        self.lookups.retain_recent();
    }

    /// The client's address: the peer, or behind a trusted proxy the forwarded one.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.config.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        forwarded
            .into_iter()
            .rev()
            .find(|a| !self.config.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }
}

/// What kind of anonymous request a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A citizen's write; `window` for an e码 rating.
    Write {
        window: bool,
    },
    Lookup,
    Other,
}

fn kind(method: &Method, path: &str) -> Kind {
    let write_paths = [
        "/w/",
        "/r/",
        "/embed/",
        "/complaint",
        "/opinion",
        "/t/",
        "/device/enrol",
    ];
    match *method {
        Method::POST if write_paths.iter().any(|p| path.starts_with(p)) => Kind::Write {
            window: path.starts_with("/w/"),
        },
        Method::GET if path == "/t" || path.starts_with("/t/") => Kind::Lookup,
        _ => Kind::Other,
    }
}

/// The plain forms that carry a served time and a honeypot.
fn plain_form(path: &str, headers: &HeaderMap) -> bool {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    form && ["/w/", "/r/", "/embed/", "/complaint", "/opinion"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// The key that signs a form's served time: drawn at start-up, so a form served before a restart
/// is refused as expired (the citizen reloads it).
fn form_key() -> &'static [u8] {
    static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| crate::platform::crypto::random_bytes(32))
}

/// The hidden fields a plain form carries: `issued` (when it was served, signed) and `website`
/// (the honeypot, left empty by people; CSS and `tabindex` keep it out of their way).
pub fn form_fields() -> maud::Markup {
    let now = now_ms();
    maud::html! {
        input type="hidden" name="issued" value=(issued_value(now));
        div.hp aria-hidden="true" {
            label for="website" { "网址（请勿填写）" }
            input #website name="website" type="text" tabindex="-1" autocomplete="off";
        }
    }
}

/// The `issued` value of a form served at `at` (unix ms), as `form_fields` writes it.
pub fn issued_value(at: i64) -> String {
    format!("{at}.{}", issued_tag(at))
}

fn issued_tag(at: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(form_key()).expect("any key length");
    mac.update(&at.to_be_bytes());
    crate::platform::crypto::to_hex(&mac.finalize().into_bytes()[..8])
}

/// Why a request is refused here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    CrossSite,
    TooMany,
    WindowBusy,
    TooFast,
    Expired,
    Honeypot,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::CrossSite => StatusCode::FORBIDDEN,
            Refusal::TooMany | Refusal::WindowBusy => StatusCode::TOO_MANY_REQUESTS,
            Refusal::TooFast | Refusal::Expired | Refusal::Honeypot => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    fn message(self) -> &'static str {
        match self {
            Refusal::CrossSite => "不接受来自其他网站的提交",
            Refusal::TooMany => "提交过于频繁，请稍后再试",
            Refusal::WindowBusy => "该窗口的评价提交过于频繁，请稍后再试",
            Refusal::TooFast => "提交过快，请确认填写内容后再提交",
            Refusal::Expired => "页面已过期，请刷新后重新填写",
            Refusal::Honeypot => "提交未被接受",
        }
    }
}

fn refusal(refused_for: Refusal, json: bool) -> Response {
    let status = refused_for.status();
    let mut response = if json {
        (status, Json(json!({ "message": refused_for.message() }))).into_response()
    } else {
        let body = refused("无法提交", refused_for.message());
        (
            status,
            Html(page(Display::default(), "无法提交", body, false)),
        )
            .into_response()
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response
}

/// Whether a POST comes from another site: the browser says so (`Sec-Fetch-Site`), or, from a
/// browser that does not, its `Origin` is not ours.
fn cross_site(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match text("sec-fetch-site") {
        Some(site) => site == "cross-site",
        None => text("origin").is_some_and(|origin| {
            origin != "null" && !public_url.starts_with(origin.trim_end_matches('/'))
        }),
    }
}

/// The middleware: see the module's description.
pub async fn anonymous_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let headers = request.headers();
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"))
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.starts_with("application/json"));
    if method == Method::POST
        && !path.starts_with("/api/v1/")
        && cross_site(headers, &state.config.public_url)
    {
        return refusal(Refusal::CrossSite, json);
    }
    let guard = &state.guard;
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = guard.client(peer, headers);
    match kind(&method, &path) {
        Kind::Other => return next.run(request).await,
        Kind::Lookup => {
            if guard.lookups.check_key(&client).is_err() {
                return refusal(Refusal::TooMany, json);
            }
            return next.run(request).await;
        }
        Kind::Write { window } => {
            if guard.writes.check_key(&client).is_err() {
                return refusal(Refusal::TooMany, json);
            }
            if window {
                let ecode = path.trim_start_matches("/w/").to_owned();
                if guard.windows.check_key(&ecode).is_err() {
                    return refusal(Refusal::WindowBusy, json);
                }
            }
        }
    }
    if !plain_form(&path, request.headers()) {
        return next.run(request).await;
    }
    // A plain form: read it, check its served time and honeypot, hand it on unchanged.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "表单内容过长").into_response();
    };
    if let Some(refused_for) = check_form(&guard.config, &bytes) {
        tracing::info!(path, "plain form refused: {refused_for:?}");
        return refusal(refused_for, false);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn check_form(config: &GuardConfig, body: &[u8]) -> Option<Refusal> {
    let mut issued = None;
    let mut honeypot = false;
    for (key, value) in form_urlencoded::parse(body) {
        match &*key {
            "issued" => issued = Some(value.into_owned()),
            "website" => honeypot |= !value.trim().is_empty(),
            _ => {}
        }
    }
    if honeypot {
        return Some(Refusal::Honeypot);
    }
    let Some(issued) = issued else {
        return (config.min_fill_ms > 0).then_some(Refusal::Expired);
    };
    let Some((at, tag)) = issued.split_once('.') else {
        return Some(Refusal::Expired);
    };
    let Ok(at) = at.parse::<i64>() else {
        return Some(Refusal::Expired);
    };
    if tag != issued_tag(at) {
        return Some(Refusal::Expired);
    }
    (now_ms() - at < config.min_fill_ms).then_some(Refusal::TooFast)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let guard = Guard::new(GuardConfig {
            trusted_proxies: vec![proxy],
            ..GuardConfig::production()
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.2.3.4, 5.6.7.8, 10.0.0.1".parse().unwrap(),
        );
        assert_eq!(guard.client(proxy, &headers), IpAddr::from([5, 6, 7, 8]));
        let stranger: IpAddr = [9, 9, 9, 9].into();
        assert_eq!(guard.client(stranger, &headers), stranger);
    }

    #[test]
    fn cross_site_posts_are_recognised() {
        let mut headers = HeaderMap::new();
        headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(cross_site(&headers, "https://hcp.example.cn"));
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!cross_site(&headers, "https://hcp.example.cn"));
        let mut old = HeaderMap::new();
        old.insert("origin", "https://evil.example".parse().unwrap());
        assert!(cross_site(&old, "https://hcp.example.cn"));
        old.insert("origin", "https://hcp.example.cn".parse().unwrap());
        assert!(!cross_site(&old, "https://hcp.example.cn"));
    }

    #[test]
    fn paths_are_sorted_into_writes_lookups_and_the_rest() {
        assert_eq!(kind(&Method::POST, "/w/ABC"), Kind::Write { window: true });
        assert_eq!(
            kind(&Method::POST, "/complaint"),
            Kind::Write { window: false }
        );
        assert_eq!(
            kind(&Method::POST, "/opinion"),
            Kind::Write { window: false }
        );
        assert_eq!(kind(&Method::GET, "/t/XYZ"), Kind::Lookup);
        assert_eq!(kind(&Method::GET, "/w/ABC"), Kind::Other);
        assert_eq!(kind(&Method::POST, "/api/v1/occurrences"), Kind::Other);
    }
}
