//! 账号管理 — an administrator disables and re-enables an account (its sessions end at once) and
//! resets a password (the account's sessions end); every staff member changes their own password
//! and signs out everywhere. Every change audited; nothing deleted.

use domain::access::Actor;
use serde_json::json;

use super::{AdminError, admin_only, invalid};
use crate::platform::{
    auth::{Audit, audit, hash_password_off_thread, verify_password_off_thread},
    db::{Store, StoreResult, now_ms},
    state::AppState,
};

impl Store {
    /// Sets or clears `disabled_at`, ending the account's sessions when disabling; audited.
    /// `false`: no such account.
    pub async fn set_account_disabled(
        &self,
        by: i64,
        id: i64,
        disabled: bool,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE account SET disabled_at = CASE WHEN $1 THEN coalesce(disabled_at, $2) END WHERE id = $3",
        )
        .bind(disabled)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if disabled {
            sqlx::query("DELETE FROM session WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled {
            "disable_account"
        } else {
            "enable_account"
        };
        audit(&mut tx, Audit::new(Some(by), action, ("account", id))).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces an account's password hash and ends its sessions (but `keep`, the session that
    /// changed its own password); audited as `action` by `by`.
    pub async fn set_password(
        &self,
        by: i64,
        id: i64,
        hash: &str,
        keep: Option<&[u8]>,
        action: &str,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE account SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM session WHERE account_id = $1 AND token_hash IS DISTINCT FROM $2")
            .bind(id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        let entry = Audit::new(Some(by), action, ("account", id))
            .change(None, Some(json!({ "sessions": "ended" })));
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The password hash of an account.
    pub async fn password_hash(&self, id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT password_hash FROM account WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Ends every session of an account.
    pub async fn end_sessions(&self, id: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM session WHERE account_id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Forgets sessions that expired (run every minute).
    pub async fn purge_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM session WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}

/// 停用 / 启用账号. An administrator cannot disable their own account.
pub async fn set_disabled(
    state: &AppState,
    actor: Actor,
    id: i64,
    disabled: bool,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    if disabled && id == actor.account_id {
        return Err(invalid("不能停用自己的账号"));
    }
    if state
        .store
        .set_account_disabled(actor.account_id, id, disabled)
        .await?
    {
        Ok(())
    } else {
        Err(invalid("账号不存在"))
    }
}

/// 重置密码 — by an administrator; the account's sessions end.
pub async fn reset_password(
    state: &AppState,
    actor: Actor,
    id: i64,
    password: &str,
) -> Result<(), AdminError> {
    admin_only(actor)?;
    domain::access::check_password(password).map_err(|e| invalid(e.message_zh()))?;
    let hash = hash_password_off_thread(password).await;
    if state
        .store
        .set_password(actor.account_id, id, &hash, None, "reset_password")
        .await?
    {
        Ok(())
    } else {
        Err(invalid("账号不存在"))
    }
}

/// 修改密码 — one's own, with the current one; the account's other sessions end.
pub async fn change_own_password(
    state: &AppState,
    actor: Actor,
    session_token_hash: &[u8],
    current: &str,
    new: &str,
) -> Result<(), AdminError> {
    let hash = state
        .store
        .password_hash(actor.account_id)
        .await?
        .ok_or_else(|| invalid("账号不存在"))?;
    if !verify_password_off_thread(current, &hash).await {
        return Err(invalid("当前密码：不正确"));
    }
    domain::access::check_password(new)
        .map_err(|e| invalid(format!("新密码：{}", e.message_zh())))?;
    let hash = hash_password_off_thread(new).await;
    state
        .store
        .set_password(
            actor.account_id,
            actor.account_id,
            &hash,
            Some(session_token_hash),
            "change_own_password",
        )
        .await?;
    Ok(())
}
