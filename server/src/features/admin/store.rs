//! Administration: settings, holiday years, accounts and the organisation. Every change is written
//! together with its audit-log entry, in one transaction.

use sqlx::Row;

use crate::platform::{
    auth::audit,
    db::{Store, StoreResult, now_ms},
};

/// The keys of the deadline settings, in working days.
const DEADLINE_KEYS: [&str; 4] = [
    "deadline.first_contact",
    "deadline.rectification",
    "deadline.complaint_reply",
    "deadline.complaint_reply_complex",
];

fn deadline_values(d: domain::ticket::Deadlines) -> [u32; 4] {
    [
        d.first_contact,
        d.rectification,
        d.complaint_reply,
        d.complaint_reply_complex,
    ]
}

/// An account as the administrator's list shows it (no secrets).
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub department: Option<String>,
    pub staff_no: Option<String>,
    pub locked_until: Option<i64>,
}

/// Something an administrator adds to the organisation.
#[derive(Debug, Clone)]
pub enum OrgEntry {
    Department {
        code: String,
        name: String,
    },
    Window {
        hall: i64,
        department: i64,
        number: String,
        name: String,
    },
    Staff {
        department: i64,
        window: Option<i64>,
        staff_no: String,
        name: String,
    },
    ServiceItem {
        department: i64,
        code: String,
        name: String,
    },
}

/// A new account, its password already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub department: Option<i64>,
    pub staff: Option<i64>,
    pub totp_secret_enc: Option<&'a [u8]>,
}

impl Store {
    /// The deadlines in force: the administrator's saved ones over `defaults` (from the environment).
    pub async fn deadlines(
        &self,
        defaults: domain::ticket::Deadlines,
    ) -> StoreResult<domain::ticket::Deadlines> {
        let saved: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM setting WHERE key LIKE 'deadline.%'")
                .fetch_all(&self.pool)
                .await?;
        let mut values = deadline_values(defaults);
        for (key, value) in saved {
            let slot = DEADLINE_KEYS.iter().position(|k| *k == key);
            if let (Some(slot), Ok(days)) = (slot, value.parse()) {
                values[slot] = days;
            }
        }
        let [
            first_contact,
            rectification,
            complaint_reply,
            complaint_reply_complex,
        ] = values;
        Ok(domain::ticket::Deadlines {
            first_contact,
            rectification,
            complaint_reply,
            complaint_reply_complex,
        })
    }

    /// The disclosure settings in force (defaults where none were saved).
    pub async fn disclosure(&self) -> StoreResult<crate::platform::state::Disclosure> {
        let saved: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM setting WHERE key LIKE 'disclosure.%'")
                .fetch_all(&self.pool)
                .await?;
        let mut d = crate::platform::state::Disclosure::default();
        for (key, value) in saved {
            match key.as_str() {
                "disclosure.basic_counts_as_good" => {
                    d.policy.basic_counts_as_good = value == "1";
                }
                "disclosure.min_sample" => {
                    if let Ok(n) = value.parse() {
                        d.policy.min_sample = n;
                    }
                }
                "disclosure.staff_by_name" => d.staff_by_name = value == "1",
                "disclosure.alert_days" => {
                    if let Ok(n) = value.parse() {
                        d.alert.days = n;
                    }
                }
                "disclosure.alert_min_rated" => {
                    if let Ok(n) = value.parse() {
                        d.alert.min_rated = n;
                    }
                }
                "disclosure.alert_threshold_bp" => {
                    if let Ok(n) = value.parse() {
                        d.alert.threshold_bp = n;
                    }
                }
                _ => {}
            }
        }
        Ok(d)
    }

    /// Saves the disclosure settings, with the audit-log entry.
    pub async fn save_disclosure(
        &self,
        account: i64,
        before: crate::platform::state::Disclosure,
        after: crate::platform::state::Disclosure,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
        for (key, value) in [
            (
                "disclosure.basic_counts_as_good",
                flag(after.policy.basic_counts_as_good),
            ),
            ("disclosure.min_sample", after.policy.min_sample.to_string()),
            ("disclosure.staff_by_name", flag(after.staff_by_name)),
            ("disclosure.alert_days", after.alert.days.to_string()),
            (
                "disclosure.alert_min_rated",
                after.alert.min_rated.to_string(),
            ),
            (
                "disclosure.alert_threshold_bp",
                after.alert.threshold_bp.to_string(),
            ),
        ] {
            sqlx::query(
                "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            Some(account),
            "set_disclosure",
            ("setting", 0),
            Some(&format!("{before:?}")),
            Some(&format!("{after:?}")),
        )
        .await?;
        tx.commit().await
    }

    /// Saves the deadlines, with the audit-log entry (before → after).
    pub async fn save_deadlines(
        &self,
        account: i64,
        before: domain::ticket::Deadlines,
        after: domain::ticket::Deadlines,
    ) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        for (key, days) in DEADLINE_KEYS.iter().zip(deadline_values(after)) {
            sqlx::query(
                "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(days.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let show = |d| format!("{:?}", deadline_values(d));
        audit(
            &mut tx,
            Some(account),
            "set_deadlines",
            ("setting", 0),
            Some(&show(before)),
            Some(&show(after)),
        )
        .await?;
        tx.commit().await
    }

    /// Enters or replaces a year's holiday schedule, with the audit-log entry. `account`: `None`
    /// for the shell command.
    pub async fn set_holiday_year(
        &self,
        account: Option<i64>,
        year: i32,
        off: &str,
        work: &str,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT off_days || ' / ' || work_days FROM holiday_year WHERE year = ?",
        )
        .bind(year)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO holiday_year (year, off_days, work_days, entered_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (year) DO UPDATE SET off_days = excluded.off_days, work_days = excluded.work_days, \
             entered_at = excluded.entered_at",
        )
        .bind(year)
        .bind(off)
        .bind(work)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let after = format!("{off} / {work}");
        let entity = ("holiday_year", i64::from(year));
        audit(
            &mut tx,
            account,
            "set_holidays",
            entity,
            before.as_deref(),
            Some(&after),
        )
        .await?;
        tx.commit().await
    }

    /// Every entered holiday schedule: (year, days off, days worked).
    pub async fn holiday_years(&self) -> StoreResult<Vec<(i32, String, String)>> {
        sqlx::query_as("SELECT year, off_days, work_days FROM holiday_year ORDER BY year")
            .fetch_all(&self.pool)
            .await
    }

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
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO account (username, password_hash, role, department_id, staff_id, totp_secret_enc, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(new.username)
        .bind(new.password_hash)
        .bind(new.role)
        .bind(new.department)
        .bind(new.staff)
        .bind(new.totp_secret_enc)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let after = format!("{} {}", new.username, new.role);
        audit(
            &mut tx,
            Some(by),
            "create_account",
            ("account", id),
            None,
            Some(&after),
        )
        .await?;
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
            Some(by),
            "unlock_account",
            ("account", id),
            None,
            None,
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
        audit(
            &mut tx,
            Some(by),
            "add_organisation",
            (entity, id),
            None,
            Some(&format!("{entry:?}")),
        )
        .await?;
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
