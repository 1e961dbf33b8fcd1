//! Staff accounts, sessions and the audit log.

use domain::access::Role;
use domain::time::Timestamp;
use sqlx::FromRow;

use crate::platform::db::{Store, StoreResult, now_ms};

/// An account as the log-in needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountLogin {
    pub id: i64,
    pub role: Role,
    pub totp_secret_enc: Option<Vec<u8>>,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
}

/// Who a live session belongs to, and the session's CSRF token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionOwner {
    #[sqlx(rename = "id")]
    pub account_id: i64,
    pub role: Role,
    pub department_id: Option<i64>,
    /// The account's scope (`region_id`, `hall_id`).
    pub region_id: Option<domain::ids::RegionId>,
    pub hall_id: Option<domain::ids::HallId>,
    pub csrf_token: String,
}

impl SessionOwner {
    /// Where the account works: a supervisor's or administrator's region or hall, else everything.
    pub fn scope(&self) -> domain::org::Scope {
        domain::org::Scope::from_columns(self.region_id, self.hall_id)
    }
}

impl Store {
    /// Adds a staff account; `password_hash` is an argon2 PHC string.
    pub async fn insert_account(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        department: Option<domain::ids::DepartmentId>,
    ) -> StoreResult<i64> {
        let scope = domain::org::Scope::All;
        self.insert_account_with_totp(username, password_hash, (role, department, scope), None)
            .await
    }

    /// Adds a staff account with its role, department and scope, and an (encrypted) TOTP secret
    /// for the second factor.
    pub async fn insert_account_with_totp(
        &self,
        username: &str,
        password_hash: &str,
        (role, department, scope): (Role, Option<domain::ids::DepartmentId>, domain::org::Scope),
        totp_secret_enc: Option<&[u8]>,
    ) -> StoreResult<i64> {
        let (region, hall) = scope.columns();
        sqlx::query_scalar(
            "INSERT INTO account (username, password_hash, role, department_id, region_id, hall_id, \
             totp_secret_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role)
        .bind(department)
        .bind(region)
        .bind(hall)
        .bind(totp_secret_enc)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await
    }

    pub async fn account_for_login(&self, username: &str) -> StoreResult<Option<AccountLogin>> {
        let row = sqlx::query(
            "SELECT id, role, totp_secret_enc, password_hash, failed_logins, locked_until FROM account WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| AccountLogin::from_row(&r)).transpose()
    }

    /// Claims a log-in attempt before the password is checked: counted as a failure at once (a
    /// success clears it), in one transaction that holds the write lock, so that parallel
    /// attempts cannot all pass the throttle. The failure count it wrote; `None`: the account is
    /// waiting, or disabled.
    pub async fn claim_login_attempt(
        &self,
        account: i64,
        now: Timestamp,
        throttle: domain::access::LoginThrottle,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self
            .begin_exclusive(crate::platform::db::ExclusiveLock::LoginAttempt)
            .await?;
        let (failures, last, locked, disabled): (i64, Option<i64>, Option<i64>, Option<i64>) =
            sqlx::query_as(
                "SELECT failed_logins, last_failed_at, locked_until, disabled_at FROM account WHERE id = $1",
            )
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
        if disabled.is_some() || locked.is_some_and(|until| until > now.unix_ms()) {
            tx.rollback().await?;
            return Ok(None);
        }
        let counted = throttle.counted(
            u32::try_from(failures).unwrap_or(u32::MAX),
            last,
            now.unix_ms(),
        );
        let failures = counted.saturating_add(1);
        let wait = throttle.wait_after(failures, now.unix_ms());
        sqlx::query(
            "UPDATE account SET failed_logins = $1, last_failed_at = $2, locked_until = $3 WHERE id = $4",
        )
        .bind(i64::from(failures))
        .bind(now)
        .bind(wait)
        .bind(account)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(i64::from(failures)))
    }

    /// Opens a session (only the token's hash is stored) and clears the failure count — unless
    /// attempts were claimed after this one's (`claimed`, the count its claim wrote): those
    /// guesses keep counting; with an authenticator code's `step`, only if no code of that step or
    /// a later one was used before. `false`: the code was used already (nothing written).
    pub async fn open_session(
        &self,
        account: i64,
        token_hash: &[u8],
        csrf: &str,
        expires_at: Timestamp,
        step: Option<i64>,
        claimed: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        // Every SET reads the row as it was: the CASEs test the count before this update.
        let cleared = sqlx::query(
            "UPDATE account SET \
             failed_logins = CASE WHEN failed_logins = $3 THEN 0 ELSE failed_logins END, \
             locked_until = CASE WHEN failed_logins = $3 THEN NULL ELSE locked_until END, \
             last_failed_at = CASE WHEN failed_logins = $3 THEN NULL ELSE last_failed_at END, \
             totp_last_step = coalesce($2, totp_last_step) WHERE id = $1 \
             AND ($2 IS NULL OR totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(account)
        .bind(step)
        .bind(claimed)
        .execute(&mut *tx)
        .await?;
        if cleared.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("INSERT INTO session (token_hash, account_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account)
            .bind(csrf)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends a session.
    pub async fn close_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user name and sealed TOTP secret of an account `admin` created since `since` and that
    /// never signed in; logs that the administrator was shown it.
    pub async fn fresh_totp(
        &self,
        admin: i64,
        account: i64,
        since: i64,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        let mut tx = self.pool.begin().await?;
        let found: Option<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT a.username, a.totp_secret_enc FROM account a WHERE a.id = $1 \
             AND a.totp_secret_enc IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM session s WHERE s.account_id = a.id) \
             AND EXISTS (SELECT 1 FROM audit_log l WHERE l.entity = 'account' AND l.entity_id = a.id \
                 AND l.action = 'create_account' AND l.account_id = $2 AND l.at >= $3)",
        )
        .bind(account)
        .bind(admin)
        .bind(since)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_some() {
            audit(
                &mut tx,
                Audit::new(Some(admin), "show_totp", ("account", account)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    /// The account with this user name.
    pub async fn id_by_username(&self, username: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM account WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
    }

    /// The user name of an account.
    pub async fn username(&self, account: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT username FROM account WHERE id = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await
    }

    /// The owner of a live session.
    pub async fn session_owner(&self, token_hash: &[u8]) -> StoreResult<Option<SessionOwner>> {
        let row = sqlx::query(
            "SELECT a.id, a.role, a.department_id, a.region_id, a.hall_id, s.csrf_token FROM session s JOIN account a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| SessionOwner::from_row(&r)).transpose()
    }
}

/// One audit-log entry: who did what to which record, and the record before and after as JSON.
#[derive(Debug)]
pub(crate) struct Audit<'a> {
    /// `None` for the shell command or the system itself.
    pub(crate) account: Option<i64>,
    pub(crate) action: &'a str,
    /// The table and row the action concerns.
    pub(crate) entity: (&'a str, i64),
    pub(crate) before: Option<serde_json::Value>,
    pub(crate) after: Option<serde_json::Value>,
}

impl<'a> Audit<'a> {
    /// An entry without before/after (a look at personal data, an unlock).
    pub(crate) fn new(account: Option<i64>, action: &'a str, entity: (&'a str, i64)) -> Self {
        Audit {
            account,
            action,
            entity,
            before: None,
            after: None,
        }
    }

    /// The same entry with the record's state before and after the change.
    pub(crate) fn change(
        self,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Self {
        Audit {
            before,
            after,
            ..self
        }
    }
}

/// Writes an audit-log entry in the transaction of the change it records.
pub(crate) async fn audit(
    tx: &mut crate::platform::db::Tx<'_>,
    entry: Audit<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (account_id, action, entity, entity_id, before, after, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.account)
    .bind(entry.action)
    .bind(entry.entity.0)
    .bind(entry.entity.1)
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
