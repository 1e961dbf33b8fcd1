//! Regions, departments, halls, windows, staff, service items and business systems.

use domain::ids::{
    BusinessSystemId, DepartmentId, HallId, RegionId, ServiceItemId, StaffId, WindowId,
};
use domain::time::Timestamp;
use sqlx::Row;

use crate::platform::db::{Store, StoreResult};

/// A window as shown on its e码 poster and rating page.
#[derive(Debug, Clone)]
pub struct WindowView {
    pub id: WindowId,
    pub number: String,
    pub name: String,
    pub ecode: String,
    pub department_id: DepartmentId,
    pub department: String,
    pub hall: String,
    /// False once the window, its department or its hall is deactivated: its e码 rates no more.
    pub active: bool,
}

/// The names of what was rated, for the rating page's heading.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub department: String,
    pub hall: Option<String>,
    pub window: Option<String>,
    pub service_item: Option<String>,
}

impl WindowView {
    /// What a visit to this window rates, for the rating page's heading.
    pub fn names(&self) -> Names {
        Names {
            department: self.department.clone(),
            hall: Some(self.hall.clone()),
            window: Some(format!("{} {}", self.number, self.name)),
            service_item: None,
        }
    }
}

const WINDOW_VIEW: &str = "SELECT w.id, w.number, w.name, w.ecode, w.department_id, d.name AS department, \
     h.name AS hall, (w.deactivated_at IS NULL AND d.deactivated_at IS NULL \
     AND h.deactivated_at IS NULL) AS active FROM service_window w JOIN department d ON d.id = w.department_id \
     JOIN hall h ON h.id = w.hall_id";

fn window_view(row: &crate::platform::db::DbRow) -> WindowView {
    WindowView {
        id: row.get("id"),
        number: row.get("number"),
        name: row.get("name"),
        ecode: row.get("ecode"),
        department_id: row.get("department_id"),
        department: row.get("department"),
        hall: row.get("hall"),
        active: row.get::<domain::sql::Flag, _>("active").0,
    }
}

impl Store {
    /// True when no region exists yet: a new database.
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM region")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    pub async fn insert_region(
        &self,
        code: &str,
        name: &str,
        parent: Option<RegionId>,
    ) -> StoreResult<RegionId> {
        sqlx::query_scalar(
            "INSERT INTO region (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(code)
        .bind(name)
        .bind(parent)
        .fetch_one(&self.pool)
        .await
    }

    pub async fn insert_department(
        &self,
        region: RegionId,
        code: &str,
        name: &str,
    ) -> StoreResult<DepartmentId> {
        sqlx::query_scalar(
            "INSERT INTO department (region_id, code, name) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(region)
        .bind(code)
        .bind(name)
        .fetch_one(&self.pool)
        .await
    }

    pub async fn insert_hall(
        &self,
        region: RegionId,
        code: &str,
        name: &str,
        address: &str,
    ) -> StoreResult<HallId> {
        sqlx::query_scalar(
            "INSERT INTO hall (region_id, code, name, address) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(region)
        .bind(code)
        .bind(name)
        .bind(address)
        .fetch_one(&self.pool)
        .await
    }

    /// Adds a window with a fresh random e码.
    pub async fn insert_window(
        &self,
        hall: HallId,
        department: DepartmentId,
        code: &str,
        number: &str,
        name: &str,
    ) -> StoreResult<WindowId> {
        sqlx::query_scalar(
            "INSERT INTO service_window (hall_id, department_id, code, number, name, ecode) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(hall)
        .bind(department)
        .bind(code)
        .bind(number)
        .bind(name)
        .bind(crate::platform::crypto::random_hex(12))
        .fetch_one(&self.pool)
        .await
    }

    pub async fn insert_staff(
        &self,
        department: DepartmentId,
        window: Option<WindowId>,
        staff_no: &str,
        name: &str,
    ) -> StoreResult<StaffId> {
        sqlx::query_scalar(
            "INSERT INTO staff (department_id, window_id, staff_no, name) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(department)
        .bind(window)
        .bind(staff_no)
        .bind(name)
        .fetch_one(&self.pool)
        .await
    }

    pub async fn insert_service_item(
        &self,
        department: DepartmentId,
        code: &str,
        name: &str,
    ) -> StoreResult<ServiceItemId> {
        sqlx::query_scalar(
            "INSERT INTO service_item (department_id, code, name) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(department)
        .bind(code)
        .bind(name)
        .fetch_one(&self.pool)
        .await
    }

    /// The business system holding this key, while the key is neither revoked nor past its overlap.
    pub async fn business_system_by_key(
        &self,
        api_key_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<BusinessSystemId>> {
        sqlx::query_scalar(
            "SELECT business_system_id FROM api_key WHERE key_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(api_key_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Every window, by hall and number: the poster index.
    pub async fn windows(&self) -> StoreResult<Vec<WindowView>> {
        let sql = format!("{WINDOW_VIEW} ORDER BY h.name, w.number");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(window_view).collect())
    }

    /// The active windows in `scope`, by hall and number: the staff page of e码 posters.
    pub async fn poster_windows(&self, scope: domain::org::Scope) -> StoreResult<Vec<WindowView>> {
        use crate::platform::scope::{windows_sql, within};
        let sql = format!(
            "{WINDOW_VIEW} WHERE w.deactivated_at IS NULL AND {} ORDER BY h.name, w.number",
            within("w.id", windows_sql(scope))
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(window_view).collect())
    }

    /// The window printed with this e码.
    pub async fn window_by_id(&self, id: i64) -> StoreResult<Option<WindowView>> {
        let sql = format!("{WINDOW_VIEW} WHERE w.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(window_view))
    }

    pub async fn window_by_ecode(&self, ecode: &str) -> StoreResult<Option<WindowView>> {
        let sql = format!("{WINDOW_VIEW} WHERE w.ecode = $1");
        let row = sqlx::query(&sql)
            .bind(ecode)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(window_view))
    }

    /// The row with this code, its id type naming the table (`id_by_code::<DepartmentId>`).
    pub async fn id_by_code<I: ByCode>(&self, code: &str) -> StoreResult<Option<I>> {
        sqlx::query_scalar(I::SQL)
            .bind(code)
            .fetch_optional(&self.pool)
            .await
    }
}

/// The tables that business systems and administrators address by code (编码, 工号, 实施编码): the
/// id type says which table is searched. Deactivated records are not found: nothing new is
/// registered against them.
pub trait ByCode:
    for<'r> sqlx::Decode<'r, crate::platform::db::Db>
    + sqlx::Type<crate::platform::db::Db>
    + Send
    + Unpin
{
    const SQL: &'static str;
}

impl ByCode for RegionId {
    const SQL: &'static str = "SELECT id FROM region WHERE code = $1";
}

impl ByCode for DepartmentId {
    const SQL: &'static str =
        "SELECT id FROM department WHERE code = $1 AND deactivated_at IS NULL";
}

impl ByCode for ServiceItemId {
    const SQL: &'static str =
        "SELECT id FROM service_item WHERE code = $1 AND deactivated_at IS NULL";
}

impl ByCode for WindowId {
    const SQL: &'static str =
        "SELECT id FROM service_window WHERE code = $1 AND deactivated_at IS NULL";
}

impl ByCode for StaffId {
    const SQL: &'static str = "SELECT id FROM staff WHERE staff_no = $1 AND deactivated_at IS NULL";
}
