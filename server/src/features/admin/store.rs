//! Administration: accounts and the organisation. Every change is written together with its
//! audit-log entry, in one transaction.

use domain::time::Timestamp;
use serde_json::json;
use sqlx::Row;

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult, now_ms},
};

/// An account as the administrator's list shows it (no secrets).
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: i64,
    pub username: String,
    pub role: domain::access::Role,
    pub department: Option<String>,
    pub staff_no: Option<String>,
    pub locked_until: Option<Timestamp>,
    /// 停用: when an administrator disabled it.
    pub disabled_at: Option<Timestamp>,
}

/// A new account, its password already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: domain::access::Role,
    pub department: Option<domain::ids::DepartmentId>,
    pub staff: Option<domain::ids::StaffId>,
    /// A supervisor's or administrator's region or hall (`All` for everyone else).
    pub scope: domain::org::Scope,
    pub totp_secret_enc: Option<&'a [u8]>,
}

impl Store {
    /// Whether any administrator account exists (a new installation has none).
    pub async fn has_administrator(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM account WHERE role = 'admin'")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Every account, for the administrator.
    pub async fn accounts(&self) -> StoreResult<Vec<AccountSummary>> {
        let rows = sqlx::query(
            "SELECT a.id, a.username, a.role, d.name AS department, s.staff_no, a.locked_until, a.disabled_at \
             FROM account a LEFT JOIN department d ON d.id = a.department_id \
             LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| AccountSummary {
                id: r.get("id"),
                username: r.get("username"),
                role: r.get("role"),
                department: r.get("department"),
                staff_no: r.get("staff_no"),
                locked_until: r.get("locked_until"),
                disabled_at: r.get("disabled_at"),
            })
            .collect())
    }

    /// Adds an account, with the audit-log entry. `Ok(None)`: the user name is taken.
    pub async fn create_account(&self, by: i64, new: &NewAccount<'_>) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let (region, hall) = new.scope.columns();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO account (username, password_hash, role, department_id, staff_id, region_id, hall_id, \
             totp_secret_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(new.username)
        .bind(new.password_hash)
        .bind(new.role)
        .bind(new.department)
        .bind(new.staff)
        .bind(region)
        .bind(hall)
        .bind(new.totp_secret_enc)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let after =
            json!({ "username": new.username, "role": new.role.as_str(), "scope": new.scope });
        let entry =
            Audit::new(Some(by), "create_account", ("account", id)).change(None, Some(after));
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Lifts a lock-out, with the audit-log entry. `false`: no such account.
    pub async fn unlock_account(&self, by: i64, id: i64) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        audit(
            &mut tx,
            Audit::new(Some(by), "unlock_account", ("account", id)),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// (id, name) of every active department, for the administrator's choice lists.
    pub async fn active_departments(&self) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, name FROM department WHERE deactivated_at IS NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }
}
