//! The device a rating or complaint comes from, to refuse rapid repeats (anti-abuse): an HttpOnly
//! cookie the server issues and signs, or without a valid one the address and browser. A value the
//! client made up (unsigned, or signed with another key) counts as no cookie: rotating cookies
//! does not make a script a new device.

use std::net::IpAddr;

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};

use crate::platform::crypto::{Secrets, random_hex, to_hex};

const COOKIE: &str = "hcp_dev";

fn tag(secrets: &Secrets, id: &str) -> String {
    to_hex(&secrets.device_hash(&format!("cookie:{id}"))[..12])
}

/// Whether `signature` is the tag of `id` under the current or an earlier master key.
fn signed(secrets: &Secrets, id: &str, signature: &str) -> bool {
    secrets
        .device_hashes(&format!("cookie:{id}"))
        .iter()
        .any(|hash| to_hex(&hash[..12]) == signature)
}

/// The cookie's device id, when the server signed it.
fn cookie(secrets: &Secrets, headers: &HeaderMap) -> Option<String> {
    crate::platform::headers::cookie_values(headers, COOKIE)
        .filter_map(|value| value.split_once('.'))
        .find(|(id, signature)| id.len() == 32 && signed(secrets, id, signature))
        .map(|(id, _)| id.to_owned())
}

/// Gives the browser a signed device cookie if it has no valid one.
pub(crate) fn ensure_cookie(secrets: &Secrets, headers: &HeaderMap, response: &mut Response) {
    if cookie(secrets, headers).is_some() {
        return;
    }
    let id = random_hex(16);
    let value = format!(
        "{COOKIE}={id}.{}; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax",
        tag(secrets, &id)
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
}

/// The device's identity for the repeat guard: the signed cookie's id, else the client's address
/// (see `platform::guard`) and browser.
pub(crate) fn id(secrets: &Secrets, headers: &HeaderMap, client: IpAddr) -> String {
    cookie(secrets, headers).unwrap_or_else(|| {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        format!("{client}|{agent}")
    })
}
