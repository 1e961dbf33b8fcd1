//! Administration: accounts and the organisation. Every change is written together with its
//! audit-log entry, in one transaction.

use domain::ids::{DepartmentId, HallId, WindowId};
use domain::time::Timestamp;
use serde::Serialize;
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
}

/// Something an administrator adds to the organisation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrgEntry {
    Department {
        code: String,
        name: String,
    },
    Window {
        hall: HallId,
        department: DepartmentId,
        number: String,
        name: String,
    },
    Staff {
        department: DepartmentId,
        window: Option<WindowId>,
        staff_no: String,
        name: String,
    },
    ServiceItem {
        department: DepartmentId,
        code: String,
        name: String,
    },
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
    /// Every account, for the administrator.
    pub async fn accounts(&self) -> StoreResult<Vec<AccountSummary>> {
        let rows = sqlx::query(
            "SELECT a.id, a.username, a.role, d.name AS department, s.staff_no, a.locked_until \
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
            })
            .collect())
    }

    /// Adds an account, with the audit-log entry. `Ok(None)`: the user name is taken.
    pub async fn create_account(&self, by: i64, new: &NewAccount<'_>) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let (region, hall) = new.scope.columns();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO account (username, password_hash, role, department_id, staff_id, region_id, hall_id, \
             totp_secret_enc, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
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
            sqlx::query("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?")
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

    /// Adds to the organisation, with the audit-log entry. `Ok(None)`: the code or number is taken.
    pub async fn add_to_organisation(&self, by: i64, entry: &OrgEntry) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let (entity, query) = match entry {
            OrgEntry::Department { code, name } => (
                "department",
                sqlx::query_scalar(
                    "INSERT INTO department (region_id, code, name) \
                     SELECT id, ?, ? FROM region WHERE parent_id IS NULL ORDER BY id LIMIT 1 \
                     ON CONFLICT (code) DO NOTHING RETURNING id",
                )
                .bind(code)
                .bind(name),
            ),
            OrgEntry::Window {
                hall,
                department,
                number,
                name,
            } => (
                "service_window",
                sqlx::query_scalar(
                    "INSERT INTO service_window (hall_id, department_id, code, number, name, ecode) \
                     SELECT h.id, d.id, h.code || '-' || ?, ?, ?, ? FROM hall h, department d \
                     WHERE h.id = ? AND d.id = ? ON CONFLICT (code) DO NOTHING RETURNING id",
                )
                .bind(number)
                .bind(number)
                .bind(name)
                .bind(crate::platform::crypto::random_hex(12))
                .bind(hall)
                .bind(department),
            ),
            OrgEntry::Staff {
                department,
                window,
                staff_no,
                name,
            } => (
                "staff",
                sqlx::query_scalar(
                    "INSERT INTO staff (department_id, window_id, staff_no, name) \
                     SELECT d.id, (SELECT id FROM service_window WHERE id = ?), ?, ? FROM department d \
                     WHERE d.id = ? ON CONFLICT (staff_no) DO NOTHING RETURNING id",
                )
                .bind(window)
                .bind(staff_no)
                .bind(name)
                .bind(department),
            ),
            OrgEntry::ServiceItem {
                department,
                code,
                name,
            } => (
                "service_item",
                sqlx::query_scalar(
                    "INSERT INTO service_item (department_id, code, name) \
                     SELECT d.id, ?, ? FROM department d WHERE d.id = ? \
                     ON CONFLICT (code) DO NOTHING RETURNING id",
                )
                .bind(code)
                .bind(name)
                .bind(department),
            ),
        };
        let id: Option<i64> = query.fetch_optional(&mut *tx).await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let after = serde_json::to_value(entry).map_err(|e| sqlx::Error::Encode(e.into()))?;
        let record =
            Audit::new(Some(by), "add_organisation", (entity, id)).change(None, Some(after));
        audit(&mut tx, record).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// (id, name) of every department, hall and window, for the administrator's choice lists.
    pub async fn organisation_choices(&self) -> StoreResult<[Vec<(i64, String)>; 3]> {
        let departments = sqlx::query_as("SELECT id, name FROM department ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let halls = sqlx::query_as("SELECT id, name FROM hall ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let windows = sqlx::query_as(
            "SELECT w.id, h.name || ' ' || w.number || '号窗口 ' || w.name FROM service_window w \
             JOIN hall h ON h.id = w.hall_id ORDER BY w.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok([departments, halls, windows])
    }
}
