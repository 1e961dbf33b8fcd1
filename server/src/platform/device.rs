//! The device a rating or complaint comes from, to refuse rapid repeats (anti-abuse): an HttpOnly
//! random cookie, or without cookies the address and browser.

use std::net::SocketAddr;

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};

const COOKIE: &str = "hcp_dev";

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && value.len() == 32)
        .map(|(_, value)| value.to_owned())
}

/// Gives the browser a device cookie if it has none.
pub(crate) fn ensure_cookie(headers: &HeaderMap, response: &mut Response) {
    if cookie(headers).is_some() {
        return;
    }
    let value = format!(
        "{COOKIE}={}; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax",
        crate::platform::crypto::random_hex(16)
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
}

/// The device's identity for the repeat guard.
pub(crate) fn id(headers: &HeaderMap, peer: SocketAddr) -> String {
    cookie(headers).unwrap_or_else(|| {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        format!("{}|{agent}", peer.ip())
    })
}
