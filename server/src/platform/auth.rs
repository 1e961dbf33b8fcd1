//! 登录 — staff log-in with argon2 passwords, temporary lock-out, and sessions.

mod store;

use std::sync::OnceLock;

use domain::access::{Actor, LoginThrottle, Role};

pub use store::{AccountLogin, SessionOwner};
pub(crate) use store::{Audit, audit};

use crate::platform::state::AppState;
use crate::platform::{
    crypto::{hash_api_key, hash_password, random_hex, verify_password},
    db::now_ms,
};

/// How long a session lasts: one working day.
const SESSION_MS: i64 = 12 * 3_600_000;

/// A new session: the token for the HttpOnly cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub expires_at: i64,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password or wrong authenticator code: they are not told apart.
    #[error("wrong user name, password or authenticator code")]
    Invalid,
    #[error("locked until {0}")]
    Locked(i64),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Checks the password; after too many failures in a row the account is locked for a while.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: &str,
) -> Result<Session, LoginError> {
    let now = now_ms();
    let Some(account) = state.store.account_for_login(username.trim()).await? else {
        // Spend the same time as for a real account, so timing does not reveal user names.
        static DUMMY: OnceLock<String> = OnceLock::new();
        verify_password(
            password,
            DUMMY.get_or_init(|| hash_password("not a real account")),
        );
        return Err(LoginError::Invalid);
    };
    if let Some(until) = account.locked_until.filter(|&until| until > now) {
        return Err(LoginError::Locked(until));
    }
    let role = Role::parse(&account.role);
    let second_factor_ok = match role {
        Some(role) if role.needs_second_factor() => account
            .totp_secret_enc
            .as_deref()
            .and_then(|sealed| state.secrets.decrypt_bytes(sealed).ok())
            .is_some_and(|secret| domain::totp::verify(&secret, code, now / 1000)),
        Some(_) => true,
        None => false,
    };
    let (true, true, Some(role)) = (
        verify_password(password, &account.password_hash),
        second_factor_ok,
        role,
    ) else {
        let failures = account.failed_logins + 1;
        let lock =
            LoginThrottle::default().lock_after(u32::try_from(failures).unwrap_or(u32::MAX), now);
        state
            .store
            .record_failed_login(account.id, failures, lock)
            .await?;
        return Err(lock.map_or(LoginError::Invalid, LoginError::Locked));
    };
    let session = Session {
        token: random_hex(32),
        csrf: random_hex(16),
        expires_at: now + SESSION_MS,
        role,
    };
    state
        .store
        .open_session(
            account.id,
            &hash_api_key(&session.token),
            &session.csrf,
            session.expires_at,
        )
        .await?;
    Ok(session)
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hcp_staff";

/// The Set-Cookie value for a new session: HttpOnly, SameSite=Strict, gone when the session ends.
pub fn session_cookie(session: &Session) -> String {
    let max_age = (session.expires_at - now_ms()) / 1000;
    format!(
        "{SESSION_COOKIE}={}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Strict",
        session.token
    )
}

/// A signed-in staff member and their session's CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub csrf: String,
}

impl SignedIn {
    /// Forms carry the session's CSRF token; a form from elsewhere does not know it.
    pub fn check_csrf(&self, given: &str) -> bool {
        !given.is_empty() && given == self.csrf
    }
}

/// The staff member a session token belongs to, if the session is live.
pub async fn actor(state: &AppState, token: &str) -> Result<Option<Actor>, sqlx::Error> {
    Ok(signed_in(state, token).await?.map(|s| s.actor))
}

/// The session of a token, if live.
pub async fn signed_in(state: &AppState, token: &str) -> Result<Option<SignedIn>, sqlx::Error> {
    let owner = state.store.session_owner(&hash_api_key(token)).await?;
    Ok(owner.and_then(|(account_id, role, department_id, csrf)| {
        Role::parse(&role).map(|role| SignedIn {
            actor: Actor {
                account_id,
                role,
                department_id,
            },
            csrf,
        })
    }))
}

/// The session token in a request's cookie.
fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// 退出登录 — ends the request's session. Returns the Set-Cookie value that clears the cookie.
pub async fn logout(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<String, sqlx::Error> {
    if let Some(token) = session_token(headers) {
        state.store.close_session(&hash_api_key(&token)).await?;
    }
    Ok(format!(
        "{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
    ))
}

/// The page a staff member starts from after signing in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::WindowStaff => "/staff/ratings",
        Role::Handler => "/staff/tickets",
        Role::Supervisor => "/staff/overview",
        Role::Admin => "/staff/admin",
    }
}

/// The session named by a request's cookie, if live.
pub async fn from_headers(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<SignedIn>, sqlx::Error> {
    match session_token(headers) {
        Some(token) => signed_in(state, &token).await,
        None => Ok(None),
    }
}

/// The authenticator link of an account `admin` created in the last ten minutes and that has not
/// signed in yet: shown to that administrator only, and each showing is logged.
pub async fn new_account_totp(
    state: &AppState,
    admin: i64,
    account: i64,
) -> Result<Option<String>, sqlx::Error> {
    let since = now_ms() - 10 * 60 * 1000;
    let Some((username, sealed)) = state.store.fresh_totp(admin, account, since).await? else {
        return Ok(None);
    };
    Ok(state
        .secrets
        .decrypt_bytes(&sealed)
        .ok()
        .map(|secret| domain::totp::provisioning_uri("haochaping", &username, &secret)))
}

/// A new TOTP secret for a supervisor or administrator: (encrypted for storage, provisioning URI).
pub fn new_totp(state: &AppState, username: &str) -> (Vec<u8>, String) {
    let secret = crate::platform::crypto::random_bytes(20);
    (
        state.secrets.encrypt_bytes(&secret),
        domain::totp::provisioning_uri("haochaping", username, &secret),
    )
}
