//! 公示统计 — reading the aggregates the triggers of migration 0008 keep: a scope's months, its
//! children ranked, their pages, and the top 差评 reasons.

use domain::{stats::Counts, time::Month};
use sqlx::Row;

use crate::platform::db::{Store, StoreResult};

/// A scope of the published figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    Region(i64),
    Department(i64),
    Hall(i64),
    Window(i64),
    Staff(i64),
    Item(i64),
}

impl Scope {
    /// The name and id the aggregates are keyed by.
    pub fn key(self) -> (&'static str, i64) {
        match self {
            Scope::All => ("all", 0),
            Scope::Region(id) => ("region", id),
            Scope::Department(id) => ("department", id),
            Scope::Hall(id) => ("hall", id),
            Scope::Window(id) => ("window", id),
            Scope::Staff(id) => ("staff", id),
            Scope::Item(id) => ("item", id),
        }
    }
}

/// The columns of `stat`, in the order `counts` reads them.
pub const STAT_COLUMNS: &str = "occurrences, l1, l2, l3, l4, l5, a1, a2, a3, a4, a5, invalidated, \
     bad_replied, bad_rectified, bad_real_name, fix_rated, fix_satisfied, bad_real_name_visited, \
     et1, et2, et3, et4, et5, et6, anonymous, received, k_case, k_visit, k_default, appeals_filed, appeals_upheld, \
     appeals_rejected";

/// The same columns summed, for a range of months.
pub(super) const SUMMED: &str = "CAST(sum(occurrences) AS BIGINT) AS occurrences, CAST(sum(l1) AS BIGINT) AS l1, CAST(sum(l2) AS BIGINT) AS l2, CAST(sum(l3) AS BIGINT) AS l3, \
     CAST(sum(l4) AS BIGINT) AS l4, CAST(sum(l5) AS BIGINT) AS l5, CAST(sum(a1) AS BIGINT) AS a1, CAST(sum(a2) AS BIGINT) AS a2, CAST(sum(a3) AS BIGINT) AS a3, CAST(sum(a4) AS BIGINT) AS a4, \
     CAST(sum(a5) AS BIGINT) AS a5, CAST(sum(invalidated) AS BIGINT) AS invalidated, CAST(sum(bad_replied) AS BIGINT) AS bad_replied, \
     CAST(sum(bad_rectified) AS BIGINT) AS bad_rectified, CAST(sum(bad_real_name) AS BIGINT) AS bad_real_name, \
     CAST(sum(fix_rated) AS BIGINT) AS fix_rated, CAST(sum(fix_satisfied) AS BIGINT) AS fix_satisfied, \
     CAST(sum(bad_real_name_visited) AS BIGINT) AS bad_real_name_visited, CAST(sum(et1) AS BIGINT) AS et1, CAST(sum(et2) AS BIGINT) AS et2, \
     CAST(sum(et3) AS BIGINT) AS et3, CAST(sum(et4) AS BIGINT) AS et4, CAST(sum(et5) AS BIGINT) AS et5, CAST(sum(et6) AS BIGINT) AS et6, \
     CAST(sum(anonymous) AS BIGINT) AS anonymous, CAST(sum(received) AS BIGINT) AS received, CAST(sum(k_case) AS BIGINT) AS k_case, \
     CAST(sum(k_visit) AS BIGINT) AS k_visit, CAST(sum(k_default) AS BIGINT) AS k_default, CAST(sum(appeals_filed) AS BIGINT) AS appeals_filed, \
     CAST(sum(appeals_upheld) AS BIGINT) AS appeals_upheld, CAST(sum(appeals_rejected) AS BIGINT) AS appeals_rejected";

/// Reads the counts from a row with the `stat` column names.
pub fn counts(r: &crate::platform::db::DbRow) -> Counts {
    let get = |name: &str| {
        r.try_get::<Option<i64>, _>(name)
            .ok()
            .flatten()
            .unwrap_or(0)
    };
    Counts {
        occurrences: get("occurrences"),
        levels: [get("l1"), get("l2"), get("l3"), get("l4"), get("l5")],
        active_levels: [get("a1"), get("a2"), get("a3"), get("a4"), get("a5")],
        invalidated: get("invalidated"),
        bad_replied: get("bad_replied"),
        bad_rectified: get("bad_rectified"),
        bad_real_name: get("bad_real_name"),
        fix_rated: get("fix_rated"),
        fix_satisfied: get("fix_satisfied"),
        bad_real_name_visited: get("bad_real_name_visited"),
        evaluator_types: [
            get("et1"),
            get("et2"),
            get("et3"),
            get("et4"),
            get("et5"),
            get("et6"),
        ],
        anonymous: get("anonymous"),
        received: get("received"),
        kinds: [get("k_case"), get("k_visit"), get("k_default")],
        appeals: [
            get("appeals_filed"),
            get("appeals_upheld"),
            get("appeals_rejected"),
        ],
    }
}

/// A child scope in a ranking: id, name, and its counts for the period.
#[derive(Debug, Clone)]
pub struct ScopeCounts {
    pub id: i64,
    pub name: String,
    /// For staff: the staff number (公示 by number when names are not shown).
    pub code: String,
    pub counts: Counts,
}

/// Which children of a scope to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Children {
    /// The regions that have figures (counties of a province).
    Regions,
    Departments,
    DepartmentsIn(i64),
    WindowsOf(i64),
    ItemsOf(i64),
    StaffOf(i64),
    /// Every staff member (the monthly 公示).
    AllStaff,
    /// Every window (the monthly report and the alerts).
    AllWindows,
    /// Every service item (where 差评 cluster).
    Items,
}

impl Children {
    /// (scope name, table with the names, filter on it).
    fn sql(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Children::Regions => ("region", "region", "$3 IS NULL"),
            Children::Departments => ("department", "department", "$3 IS NULL"),
            Children::DepartmentsIn(_) => ("department", "department", "x.region_id = $3"),
            Children::WindowsOf(_) => ("window", "service_window", "x.department_id = $3"),
            Children::ItemsOf(_) => ("item", "service_item", "x.department_id = $3"),
            Children::StaffOf(_) => ("staff", "staff", "x.window_id = $3"),
            Children::AllStaff => ("staff", "staff", "$3 IS NULL"),
            Children::AllWindows => ("window", "service_window", "$3 IS NULL"),
            Children::Items => ("item", "service_item", "$3 IS NULL"),
        }
    }

    fn parent(self) -> Option<i64> {
        match self {
            Children::DepartmentsIn(id)
            | Children::WindowsOf(id)
            | Children::ItemsOf(id)
            | Children::StaffOf(id) => Some(id),
            _ => None,
        }
    }

    /// The column that names a child, and the one that codes it.
    fn name_columns(self) -> &'static str {
        match self {
            Children::StaffOf(_) | Children::AllStaff => "x.name AS name, x.staff_no AS code",
            Children::WindowsOf(_) | Children::AllWindows => {
                "x.number || '号窗口 ' || x.name AS name, x.number AS code"
            }
            _ => "x.name AS name, x.code AS code",
        }
    }
}

impl Store {
    /// The counts of `scope` for each month in `from ..= to` that has any.
    pub async fn stat_months(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
    ) -> StoreResult<Vec<(Month, Counts)>> {
        let (name, id) = scope.key();
        let sql = format!(
            "SELECT month, {STAT_COLUMNS} FROM stat WHERE scope = $1 AND scope_id = $2 \
             AND month BETWEEN $3 AND $4 ORDER BY month"
        );
        let rows = sqlx::query(&sql)
            .bind(name)
            .bind(id)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("month")?, counts(r))))
            .collect()
    }

    /// The children of a scope with their counts over `from ..= to`.
    pub async fn stat_children(
        &self,
        children: Children,
        from: Month,
        to: Month,
    ) -> StoreResult<Vec<ScopeCounts>> {
        self.stat_children_page(children, from, to, i64::MAX, 0)
            .await
    }

    /// How many children of a scope have counts over `from ..= to`.
    pub async fn count_children(
        &self,
        children: Children,
        from: Month,
        to: Month,
    ) -> StoreResult<i64> {
        let (scope, table, filter) = children.sql();
        let stat = self.backend().rows_of("stat");
        let sql = format!(
            "SELECT count(*) FROM {table} x WHERE ({filter}) AND EXISTS (SELECT 1 FROM {stat} s \
             WHERE s.scope = '{scope}' AND s.scope_id = x.id AND s.month BETWEEN $1 AND $2)"
        );
        sqlx::query_scalar(&sql)
            .bind(from)
            .bind(to)
            .bind(children.parent())
            .fetch_one(&self.pool)
            .await
    }

    /// One page of `stat_children`, in id order.
    pub async fn stat_children_page(
        &self,
        children: Children,
        from: Month,
        to: Month,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ScopeCounts>> {
        self.stat_children_where(children, "TRUE", from, to, (limit, offset))
            .await
    }

    /// The children of a scope over `from ..= to` that also meet `within`, a condition on the
    /// child row `x` (a staff page's scope: `platform::scope::within`).
    pub async fn stat_children_within(
        &self,
        children: Children,
        within: &str,
        from: Month,
        to: Month,
    ) -> StoreResult<Vec<ScopeCounts>> {
        self.stat_children_where(children, within, from, to, (i64::MAX, 0))
            .await
    }

    async fn stat_children_where(
        &self,
        children: Children,
        within: &str,
        from: Month,
        to: Month,
        (limit, offset): (i64, i64),
    ) -> StoreResult<Vec<ScopeCounts>> {
        let (scope, table, filter) = children.sql();
        let names = children.name_columns();
        let stat = self.backend().rows_of("stat");
        let sql = format!(
            "SELECT x.id AS id, {names}, {SUMMED} FROM {table} x \
             JOIN {stat} s ON s.scope = '{scope}' AND s.scope_id = x.id AND s.month BETWEEN $1 AND $2 \
                          WHERE ({filter}) AND ({within}) GROUP BY x.id ORDER BY x.id LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .bind(children.parent())
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| ScopeCounts {
                id: r.get("id"),
                name: r.get("name"),
                code: r.get("code"),
                counts: counts(r),
            })
            .collect())
    }

    /// The most frequent reasons given with valid 差评 in `scope` over `from ..= to`.
    pub async fn top_bad_reasons(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let (name, id) = scope.key();
        let stat_reason = self.backend().rows_of("stat_reason");
        let sql = format!(
            "SELECT reason_code, CAST(sum(n) AS BIGINT) AS n FROM {stat_reason} WHERE scope = $1 AND scope_id = $2 \
             AND month BETWEEN $3 AND $4 GROUP BY reason_code HAVING CAST(sum(n) AS BIGINT) > 0 \
             ORDER BY n DESC, reason_code LIMIT $5"
        );
        sqlx::query_as(&sql)
            .bind(name)
            .bind(id)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// The most frequent reasons given with valid 差评 in the departments `departments` (a query
    /// of their ids: `platform::scope::departments_sql`), summed over `from ..= to`.
    pub async fn top_bad_reasons_of_departments(
        &self,
        departments: &str,
        from: Month,
        to: Month,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let stat_reason = self.backend().rows_of("stat_reason");
        let sql = format!(
            "SELECT reason_code, CAST(sum(n) AS BIGINT) AS n FROM {stat_reason} WHERE scope = 'department' \
             AND scope_id IN ({departments}) AND month BETWEEN $1 AND $2 GROUP BY reason_code \
             HAVING CAST(sum(n) AS BIGINT) > 0 ORDER BY n DESC, reason_code LIMIT $3"
        );
        sqlx::query_as(&sql)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
}
