//! 会话 — the signed-in staff member of a request, as an axum extractor (`StaffSession`), the
//! cookies that open and close a session, and the forms' CSRF check.
//!
//! The session cookie is HttpOnly and SameSite=Strict, and `Secure` when the site is served over
//! HTTPS (`Config::public_url`). Forms carry the session's CSRF token, compared in constant time.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use cookie::{Cookie, SameSite, time::Duration};
use domain::access::Actor;
use domain::time::Timestamp;
use subtle::ConstantTimeEq;

use crate::platform::{crypto::hash_api_key, db::now, error::AppError, state::AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hcp_staff";

/// A signed-in staff member: who they are and their session's CSRF token.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub actor: Actor,
    csrf: String,
    /// The SHA-256 of the cookie's token: what the store knows the session by.
    token_hash: Vec<u8>,
}

/// Why a request has no usable session.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No session cookie, or its session ended.
    #[error("not signed in")]
    SignedOut,
    /// A form's CSRF token is not the session's: the form came from elsewhere.
    #[error("the form's CSRF token is not the session's")]
    CsrfMismatch,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// For plain axum handlers: 401 or 403 with the message for staff; a store failure as `AppError`.
impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        match self {
            SessionError::SignedOut => (StatusCode::UNAUTHORIZED, "请先登录").into_response(),
            SessionError::CsrfMismatch => (StatusCode::FORBIDDEN, "无权进行该操作").into_response(),
            SessionError::Store(e) => AppError::from(e).into_response(),
        }
    }
}

impl StaffSession {
    /// The session's CSRF token, for the forms of the page.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Forms carry the session's CSRF token; a form from elsewhere does not know it.
    pub fn check_csrf(&self, given: &str) -> Result<(), SessionError> {
        let same: bool = given.as_bytes().ct_eq(self.csrf.as_bytes()).into();
        if same && !given.is_empty() {
            Ok(())
        } else {
            Err(SessionError::CsrfMismatch)
        }
    }

    /// The live session of a cookie token, if any.
    pub async fn of_token(state: &AppState, token: &str) -> Result<Option<Self>, sqlx::Error> {
        let token_hash = hash_api_key(token);
        let owner = state.store.session_owner(&token_hash).await?;
        Ok(owner.map(|owner| StaffSession {
            actor: Actor {
                account_id: owner.account_id,
                role: owner.role,
                department_id: owner.department_id,
                scope: owner.scope(),
            },
            csrf: owner.csrf_token,
            token_hash,
        }))
    }

    /// The live session named by a request's cookie, if any.
    pub async fn of_headers(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<Self>, sqlx::Error> {
        match session_token(headers) {
            Some(token) => Self::of_token(state, &token).await,
            None => Ok(None),
        }
    }

    /// Ends this session in the store.
    pub async fn close(&self, state: &AppState) -> Result<(), sqlx::Error> {
        state.store.close_session(&self.token_hash).await
    }

    /// What the store knows this session by (to keep it when the password changes).
    pub fn token_hash(&self) -> &[u8] {
        &self.token_hash
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = SessionError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Self::of_headers(state, &parts.headers)
            .await?
            .ok_or(SessionError::SignedOut)
    }
}

/// The session token in a request's cookies.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// The session cookie with its attributes; `Secure` when the site is served over HTTPS.
fn cookie(value: String, max_age_s: i64, secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(Duration::seconds(max_age_s))
        .build()
        .to_string()
}

fn over_https(state: &AppState) -> bool {
    state.config.public_url.starts_with("https://")
}

/// The Set-Cookie value of a new session: gone when the session ends.
pub fn opening_cookie(state: &AppState, token: &str, expires_at: Timestamp) -> String {
    let max_age_s = expires_at.minus(now()) / 1000;
    cookie(token.to_owned(), max_age_s, over_https(state))
}

/// The Set-Cookie value that clears the session cookie.
pub fn closing_cookie(state: &AppState) -> String {
    cookie(String::new(), 0, over_https(state))
}

#[cfg(test)]
mod tests {
    use domain::access::Role;

    use super::*;

    fn session(csrf: &str) -> StaffSession {
        StaffSession {
            actor: Actor {
                account_id: 1,
                role: Role::Handler,
                department_id: Some(1),
                scope: domain::org::Scope::All,
            },
            csrf: csrf.into(),
            token_hash: Vec::new(),
        }
    }

    #[test]
    fn only_the_sessions_own_csrf_token_passes() {
        let s = session("0123456789abcdef");
        assert!(s.check_csrf("0123456789abcdef").is_ok());
        for forged in [
            "",
            "0123456789abcdeF",
            "0123456789abcde",
            "0123456789abcdef0",
        ] {
            assert!(matches!(
                s.check_csrf(forged),
                Err(SessionError::CsrfMismatch)
            ));
        }
        assert!(
            session("").check_csrf("").is_err(),
            "an empty token never passes"
        );
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_https() {
        let plain = cookie("t0k".into(), 60, false);
        assert!(plain.starts_with("hcp_staff=t0k"), "{plain}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
            assert!(plain.contains(attribute), "{plain}");
        }
        assert!(!plain.contains("Secure"), "{plain}");
        assert!(cookie("t0k".into(), 60, true).contains("Secure"));
        assert!(cookie(String::new(), 0, true).contains("Max-Age=0"));
    }

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(
            axum::http::header::COOKIE,
            "hcp_device=abc; hcp_staff=s3cret".parse().unwrap(),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("s3cret"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }
}
