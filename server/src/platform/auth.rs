//! 登录 — staff log-in with argon2 passwords, temporary lock-out, and sessions.

mod store;

use domain::time::Timestamp;
use std::sync::OnceLock;

use domain::access::{Actor, LoginThrottle, Role};

pub use store::{AccountLogin, SessionOwner};
pub(crate) use store::{Audit, audit};

use crate::platform::state::AppState;
use crate::platform::{
    crypto::{hash_api_key, hash_password, random_hex, verify_password},
    db::{now, now_ms},
    session::StaffSession,
};

/// How long a session lasts: one working day.
const SESSION_MS: i64 = 12 * 3_600_000;

/// A new session: the token for the HttpOnly cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub expires_at: Timestamp,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password or authenticator code, a disabled account or one waiting after
    /// failures: they are not told apart, in words or in time.
    #[error("wrong user name, password or authenticator code")]
    Invalid,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Password checks running at once: argon2 takes tens of milliseconds of CPU on purpose, so more
/// log-ins wait their turn instead of taking every core from the pages.
static ARGON: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs argon2 off the async workers, a few at a time.
async fn blocking(check: impl FnOnce() -> bool + Send + 'static) -> bool {
    let Ok(_turn) = ARGON.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(check).await.unwrap_or(false)
}

/// Hashes a new password off the async workers (argon2 is slow on purpose). A panic while hashing
/// goes on as if it had happened here.
pub async fn hash_password_off_thread(password: &str) -> String {
    let password = password.to_owned();
    let _turn = ARGON.acquire().await;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Checks a password against its hash off the async workers, a few at a time (as the log-in does).
pub async fn verify_password_off_thread(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    blocking(move || verify_password(&password, &hash)).await
}

/// A refusal that costs what a real check costs: one argon2 verification.
async fn refuse(password: &str) -> Result<Session, LoginError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let password = password.to_owned();
    blocking(move || {
        verify_password(
            &password,
            DUMMY.get_or_init(|| hash_password("not a real account")),
        )
    })
    .await;
    Err(LoginError::Invalid)
}

/// Checks the password (and a supervisor's or administrator's authenticator code, each code once).
/// Every attempt counts as a failure until it succeeds, claimed before the check, so parallel
/// guesses cannot slip past the growing wait (`LoginThrottle`).
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: &str,
) -> Result<Session, LoginError> {
    let now = now();
    let Some(account) = state.store.account_for_login(username.trim()).await? else {
        return refuse(password).await;
    };
    let Some(claimed) = state
        .store
        .claim_login_attempt(account.id, now, LoginThrottle::default())
        .await?
    else {
        return refuse(password).await;
    };
    let role = account.role;
    let step = if role.needs_second_factor() {
        let step = account
            .totp_secret_enc
            .as_deref()
            .and_then(|sealed| state.secrets.decrypt_bytes(sealed).ok())
            .and_then(|secret| domain::totp::matching_step(&secret, code, now.unix_secs()));
        if step.is_none() {
            return refuse(password).await;
        }
        step
    } else {
        None
    };
    if !verify_password_off_thread(password, &account.password_hash).await {
        return Err(LoginError::Invalid);
    }
    let session = Session {
        token: random_hex(32),
        csrf: random_hex(16),
        expires_at: now.plus_ms(SESSION_MS),
        role,
    };
    let opened = state
        .store
        .open_session(
            account.id,
            &hash_api_key(&session.token),
            &session.csrf,
            session.expires_at,
            step,
            claimed,
        )
        .await?;
    if !opened {
        // The authenticator code was used before: a replay.
        return Err(LoginError::Invalid);
    }
    Ok(session)
}

/// The Set-Cookie value for a new session (see `platform::session`).
pub fn session_cookie(state: &AppState, session: &Session) -> String {
    crate::platform::session::opening_cookie(state, &session.token, session.expires_at)
}

/// The staff member a session token belongs to, if the session is live.
pub async fn actor(state: &AppState, token: &str) -> Result<Option<Actor>, sqlx::Error> {
    Ok(StaffSession::of_token(state, token).await?.map(|s| s.actor))
}

/// 退出登录 — ends the session. Returns the Set-Cookie value that clears the cookie.
pub async fn logout(state: &AppState, session: &StaffSession) -> Result<String, sqlx::Error> {
    session.close(state).await?;
    Ok(crate::platform::session::closing_cookie(state))
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
