//! 管辖范围 in SQL — what a supervisor's or administrator's [`Scope`] covers, for every feature
//! that lists or counts: the departments, halls, windows and regions inside it, as SQL fragments to
//! put in a `WHERE` and as `Store` questions (`department_in_scope`, …).
//!
//! The semantics (written once, here and in `domain::org::scope`):
//! - `All`: everything.
//! - `Region(r)`: the regions `r` and under it (`region.parent_id`, any depth); the departments
//!   whose `region_id` is one of them; the halls in them and those halls' windows.
//! - `Hall(h)`: hall `h` and its windows; the departments with a window in `h`; no region.
//!
//! The fragments inline the scope's row id: an `i64` of a typed id, so nothing a user typed
//! reaches the SQL text, and a fragment composes with any query's own numbered binds.

use domain::ids::{DepartmentId, HallId, RegionId, WindowId};
use domain::org::{Coverage, Scope};
use domain::sql::Flag;

use crate::platform::db::{Store, StoreResult};

/// `SELECT id` of region `r` and every region under it.
fn subtree(region: RegionId) -> String {
    format!(
        "WITH RECURSIVE sub(id) AS (VALUES (CAST({region} AS BIGINT)) \
         UNION SELECT x.id FROM region x JOIN sub ON x.parent_id = sub.id) SELECT id FROM sub"
    )
}

/// A query of the ids of `scope`'s regions; `None` for all of them.
pub fn regions_sql(scope: Scope) -> Option<String> {
    match scope {
        Scope::All => None,
        Scope::Region(r) => Some(subtree(r)),
        Scope::Hall(_) => Some("SELECT id FROM region WHERE FALSE".into()),
    }
}

/// A query of the ids of `scope`'s departments; `None` for all of them.
pub fn departments_sql(scope: Scope) -> Option<String> {
    match scope {
        Scope::All => None,
        Scope::Region(r) => Some(format!(
            "SELECT id FROM department WHERE region_id IN ({})",
            subtree(r)
        )),
        Scope::Hall(h) => Some(format!(
            "SELECT DISTINCT department_id FROM service_window WHERE hall_id = {h}"
        )),
    }
}

/// A query of the ids of `scope`'s halls; `None` for all of them.
pub fn halls_sql(scope: Scope) -> Option<String> {
    match scope {
        Scope::All => None,
        Scope::Region(r) => Some(format!(
            "SELECT id FROM hall WHERE region_id IN ({})",
            subtree(r)
        )),
        Scope::Hall(h) => Some(format!("VALUES ({h})")),
    }
}

/// A query of the ids of `scope`'s windows; `None` for all of them.
pub fn windows_sql(scope: Scope) -> Option<String> {
    halls_sql(scope)
        .map(|halls| format!("SELECT id FROM service_window WHERE hall_id IN ({halls})"))
}

/// `column IN (…)` for a query returned above, or `TRUE` for everything.
pub fn within(column: &str, ids: Option<String>) -> String {
    ids.map_or_else(|| "TRUE".into(), |ids| format!("{column} IN ({ids})"))
}

impl Store {
    /// The departments `scope` covers, in id order.
    pub async fn scope_departments(&self, scope: Scope) -> StoreResult<Vec<DepartmentId>> {
        let sql = format!(
            "SELECT id FROM department WHERE {} ORDER BY id",
            within("id", departments_sql(scope))
        );
        sqlx::query_scalar(&sql).fetch_all(&self.pool).await
    }

    /// `scope` resolved for `domain`'s rules; `All` without asking the database.
    pub async fn coverage(&self, scope: Scope) -> StoreResult<Coverage> {
        match scope {
            Scope::All => Ok(Coverage::Everything),
            _ => Ok(Coverage::of(self.scope_departments(scope).await?)),
        }
    }

    /// Whether `id` is one of the ids the query `ids` returns (everything when `None`).
    async fn in_scope(&self, ids: Option<String>, id: i64) -> StoreResult<bool> {
        let Some(ids) = ids else {
            return Ok(true);
        };
        sqlx::query_scalar::<_, Flag>(&format!("SELECT $1 IN ({ids})"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map(bool::from)
    }

    /// Is region `region` inside `scope` (the scope's region or under it)? A hall's scope holds
    /// no region.
    pub async fn region_in_scope(&self, scope: Scope, region: RegionId) -> StoreResult<bool> {
        self.in_scope(regions_sql(scope), region.0).await
    }

    /// Is `department` inside `scope`?
    pub async fn department_in_scope(
        &self,
        scope: Scope,
        department: DepartmentId,
    ) -> StoreResult<bool> {
        self.in_scope(departments_sql(scope), department.0).await
    }

    /// Is `hall` inside `scope`?
    pub async fn hall_in_scope(&self, scope: Scope, hall: HallId) -> StoreResult<bool> {
        self.in_scope(halls_sql(scope), hall.0).await
    }

    /// Is `window` inside `scope` (its hall is)?
    pub async fn window_in_scope(&self, scope: Scope, window: WindowId) -> StoreResult<bool> {
        self.in_scope(windows_sql(scope), window.0).await
    }

    /// Is `inner` an existing region or hall inside `outer` (or both everything)? What an
    /// administrator of `outer` may give a new account: never wider than their own scope.
    pub async fn scope_within(&self, outer: Scope, inner: Scope) -> StoreResult<bool> {
        let (table, id, ids) = match inner {
            Scope::All => return Ok(outer == Scope::All),
            Scope::Region(r) => ("region", r.0, regions_sql(outer)),
            Scope::Hall(h) => ("hall", h.0, halls_sql(outer)),
        };
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1 AND {})",
            within("id", ids)
        );
        sqlx::query_scalar::<_, Flag>(&sql)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map(bool::from)
    }

    /// The scopes an administrator of `outer` may give (for the new-account form): everything
    /// when theirs is everything, then the regions (by code) and the halls inside theirs, each
    /// with its name.
    pub async fn scope_choices(&self, outer: Scope) -> StoreResult<Vec<(Scope, String)>> {
        let regions: Vec<(RegionId, String)> = sqlx::query_as(&format!(
            "SELECT id, name FROM region WHERE {} ORDER BY code",
            within("id", regions_sql(outer))
        ))
        .fetch_all(&self.pool)
        .await?;
        let halls: Vec<(HallId, String)> = sqlx::query_as(&format!(
            "SELECT id, name FROM hall WHERE {} ORDER BY id",
            within("id", halls_sql(outer))
        ))
        .fetch_all(&self.pool)
        .await?;
        let all = (outer == Scope::All).then(|| (Scope::All, "全部".to_owned()));
        Ok(all
            .into_iter()
            .chain(
                regions
                    .into_iter()
                    .map(|(id, name)| (Scope::Region(id), name)),
            )
            .chain(halls.into_iter().map(|(id, name)| (Scope::Hall(id), name)))
            .collect())
    }

    /// The scope of the region with this 行政区划代码, if any (the shell's `--region`).
    pub async fn region_scope(&self, code: &str) -> StoreResult<Option<Scope>> {
        let id: Option<RegionId> = sqlx::query_scalar("SELECT id FROM region WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(Scope::Region))
    }

    /// The scope of the hall with this code, if any (the shell's `--hall`).
    pub async fn hall_scope(&self, code: &str) -> StoreResult<Option<Scope>> {
        let id: Option<HallId> = sqlx::query_scalar("SELECT id FROM hall WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(Scope::Hall))
    }
}
