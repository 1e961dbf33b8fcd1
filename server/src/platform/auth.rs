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
    /// Unknown user, wrong password or wrong authenticator code: they are not told apart.
    #[error("wrong user name, password or authenticator code")]
    Invalid,
    #[error("locked until {0}")]
    Locked(i64),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Runs argon2 off the async workers: hashing takes tens of milliseconds of CPU on purpose.
async fn blocking(check: impl FnOnce() -> bool + Send + 'static) -> bool {
    tokio::task::spawn_blocking(check).await.unwrap_or(false)
}

/// Hashes a new password off the async workers (argon2 is slow on purpose). A panic while hashing
/// goes on as if it had happened here.
pub async fn hash_password_off_thread(password: &str) -> String {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Checks the password; after too many failures in a row the account is locked for a while.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: &str,
) -> Result<Session, LoginError> {
    let now = now();
    let Some(account) = state.store.account_for_login(username.trim()).await? else {
        // Spend the same time as for a real account, so timing does not reveal user names.
        static DUMMY: OnceLock<String> = OnceLock::new();
        let password = password.to_owned();
        blocking(move || {
            verify_password(
                &password,
                DUMMY.get_or_init(|| hash_password("not a real account")),
            )
        })
        .await;
        return Err(LoginError::Invalid);
    };
    if let Some(until) = account.locked_until.filter(|&until| until > now) {
        return Err(LoginError::Locked(until.unix_ms()));
    }
    let role = account.role;
    let second_factor_ok = !role.needs_second_factor()
        || account
            .totp_secret_enc
            .as_deref()
            .and_then(|sealed| state.secrets.decrypt_bytes(sealed).ok())
            .is_some_and(|secret| domain::totp::verify(&secret, code, now.unix_secs()));
    let password_ok = {
        let (password, hash) = (password.to_owned(), account.password_hash.clone());
        blocking(move || verify_password(&password, &hash)).await
    };
    let (true, true) = (password_ok, second_factor_ok) else {
        let failures = account.failed_logins + 1;
        let lock = LoginThrottle::default()
            .lock_after(u32::try_from(failures).unwrap_or(u32::MAX), now.unix_ms())
            .map(Timestamp::from_unix_ms);
        state
            .store
            .record_failed_login(account.id, failures, lock)
            .await?;
        return Err(lock.map_or(LoginError::Invalid, |t| LoginError::Locked(t.unix_ms())));
    };
    let session = Session {
        token: random_hex(32),
        csrf: random_hex(16),
        expires_at: now.plus_ms(SESSION_MS),
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
