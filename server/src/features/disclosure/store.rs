//! 公示统计 — reading the aggregates the triggers of migration 0008 keep, and recomputing them from
//! the ratings themselves (`rebuild_stats`, also the plain-scan baseline of the benchmark).

use domain::stats::Counts;
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
     bad_replied, bad_rectified, bad_real_name, fix_rated, fix_satisfied";

/// The same columns summed, for a range of months.
const SUMMED: &str = "sum(occurrences) AS occurrences, sum(l1) AS l1, sum(l2) AS l2, sum(l3) AS l3, \
     sum(l4) AS l4, sum(l5) AS l5, sum(a1) AS a1, sum(a2) AS a2, sum(a3) AS a3, sum(a4) AS a4, \
     sum(a5) AS a5, sum(invalidated) AS invalidated, sum(bad_replied) AS bad_replied, \
     sum(bad_rectified) AS bad_rectified, sum(bad_real_name) AS bad_real_name, \
     sum(fix_rated) AS fix_rated, sum(fix_satisfied) AS fix_satisfied";

/// Reads the counts from a row with the `stat` column names.
pub fn counts(r: &sqlx::sqlite::SqliteRow) -> Counts {
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
            Children::Regions => ("region", "region", "?3 IS NULL"),
            Children::Departments => ("department", "department", "?3 IS NULL"),
            Children::DepartmentsIn(_) => ("department", "department", "x.region_id = ?3"),
            Children::WindowsOf(_) => ("window", "service_window", "x.department_id = ?3"),
            Children::ItemsOf(_) => ("item", "service_item", "x.department_id = ?3"),
            Children::StaffOf(_) => ("staff", "staff", "x.window_id = ?3"),
            Children::AllStaff => ("staff", "staff", "?3 IS NULL"),
            Children::AllWindows => ("window", "service_window", "?3 IS NULL"),
            Children::Items => ("item", "service_item", "?3 IS NULL"),
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
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<(i64, Counts)>> {
        let (name, id) = scope.key();
        let sql = format!(
            "SELECT month, {STAT_COLUMNS} FROM stat WHERE scope = ? AND scope_id = ? \
             AND month BETWEEN ? AND ? ORDER BY month"
        );
        let rows = sqlx::query(&sql)
            .bind(name)
            .bind(id)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get("month"), counts(r))).collect())
    }

    /// The children of a scope with their counts over `from ..= to`.
    pub async fn stat_children(
        &self,
        children: Children,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<ScopeCounts>> {
        self.stat_children_page(children, from, to, i64::MAX, 0)
            .await
    }

    /// How many children of a scope have counts over `from ..= to`.
    pub async fn count_children(&self, children: Children, from: i64, to: i64) -> StoreResult<i64> {
        let (scope, table, filter) = children.sql();
        let sql = format!(
            "SELECT count(*) FROM {table} x WHERE ({filter}) AND EXISTS (SELECT 1 FROM stat s \
             WHERE s.scope = '{scope}' AND s.scope_id = x.id AND s.month BETWEEN ?1 AND ?2)"
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
        from: i64,
        to: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<ScopeCounts>> {
        let (scope, table, filter) = children.sql();
        let names = children.name_columns();
        let sql = format!(
            "SELECT x.id AS id, {names}, {SUMMED} FROM {table} x \
             JOIN stat s ON s.scope = '{scope}' AND s.scope_id = x.id AND s.month BETWEEN ?1 AND ?2 \
                          WHERE {filter} GROUP BY x.id ORDER BY x.id LIMIT ?4 OFFSET ?5"
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
        from: i64,
        to: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let (name, id) = scope.key();
        sqlx::query_as(
            "SELECT reason_code, sum(n) AS n FROM stat_reason WHERE scope = ? AND scope_id = ? \
             AND month BETWEEN ? AND ? GROUP BY reason_code HAVING sum(n) > 0 \
             ORDER BY n DESC, reason_code LIMIT ?",
        )
        .bind(name)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Whether ratings exist that the aggregates do not count yet (data from before them).
    pub async fn stats_missing(&self) -> StoreResult<bool> {
        sqlx::query_scalar(
            "SELECT NOT EXISTS (SELECT 1 FROM stat) AND EXISTS (SELECT 1 FROM service_occurrence)",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// Recomputes every aggregate from the ratings, tickets and invalidations (a full scan), in one
    /// transaction: each occurrence is read once, then summed per scope.
    pub async fn rebuild_stats(&self) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM stat").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM stat_reason")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DROP TABLE IF EXISTS temp.stat_occurrence")
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "CREATE TEMP TABLE stat_occurrence AS {PER_OCCURRENCE}"
        ))
        .execute(&mut *tx)
        .await?;
        for scope in SCOPES {
            let column = scope_column(scope);
            let sql = format!(
                "INSERT INTO stat (scope, scope_id, month, {STAT_COLUMNS}) \
                 SELECT '{scope}', {column}, month, {SUMMED} FROM temp.stat_occurrence \
                 WHERE {column} IS NOT NULL GROUP BY {column}, month"
            );
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
        sqlx::query("DROP TABLE temp.stat_occurrence")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO stat_reason (scope, scope_id, month, reason_code, n) \
             SELECT s.scope, s.scope_id, s.month, r.reason_code, count(*) \
             FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id \
             JOIN evaluation_reason r ON r.evaluation_id = e.id \
             WHERE e.level <= 2 AND s.scope_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY s.scope, s.scope_id, s.month, r.reason_code",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM stat_hour")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM stat_day")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO stat_hour (hall_id, month, weekday, hour, rated, bad) \
             SELECT w.hall_id, CAST(strftime('%Y%m', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             CAST(strftime('%w', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             CAST(strftime('%H', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             count(*), sum(e.level <= 2) \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             JOIN service_window w ON w.id = o.window_id \
             WHERE NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY 1, 2, 3, 4",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO stat_day (window_id, day, rated, good, basic) \
             SELECT o.window_id, CAST(strftime('%Y%m%d', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             count(*), sum(e.level >= 4), sum(e.level = 3) \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE o.window_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY 1, 2",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The counts of one scope over `from ..= to` computed from the ratings themselves, without
    /// the aggregates: what a page would cost without them (the benchmark's baseline).
    pub async fn scan_counts(&self, scope: Scope, from: i64, to: i64) -> StoreResult<Counts> {
        let (name, id) = scope.key();
        let column = scope_column(name);
        let sql = format!(
            "SELECT {SUMMED} FROM ({PER_OCCURRENCE}) WHERE {column} = ? AND month BETWEEN ? AND ?"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(from)
            .bind(to)
            .fetch_one(&self.pool)
            .await?;
        Ok(counts(&row))
    }

    /// Every aggregate row, for comparing with a recomputation: (scope, id, month, counts).
    pub async fn all_stats(&self) -> StoreResult<Vec<(String, i64, i64, Counts)>> {
        let sql = format!(
            "SELECT scope, scope_id, month, {STAT_COLUMNS} FROM stat ORDER BY scope, scope_id, month"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("scope"), r.get("scope_id"), r.get("month"), counts(r)))
            .collect())
    }

    /// Every non-zero reason count: (scope, id, month, reason, n).
    pub async fn all_reason_stats(&self) -> StoreResult<Vec<(String, i64, i64, i64, i64)>> {
        sqlx::query_as(
            "SELECT scope, scope_id, month, reason_code, n FROM stat_reason WHERE n <> 0 \
             ORDER BY scope, scope_id, month, reason_code",
        )
        .fetch_all(&self.pool)
        .await
    }
}

/// Every occurrence with the scopes it counts in and its counts (0 or 1 each; the ticket's
/// fix ratings may be more): the plain scan that the aggregates replace.
const PER_OCCURRENCE: &str = "SELECT o.id, \
     CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month, \
     0 AS all_id, d.region_id, o.department_id, w.hall_id, o.window_id, o.staff_id, \
     o.service_item_id AS item_id, 1 AS occurrences, \
     coalesce(e.level = 1 AND i.evaluation_id IS NULL, 0) AS l1, \
     coalesce(e.level = 2 AND i.evaluation_id IS NULL, 0) AS l2, \
     coalesce(e.level = 3 AND i.evaluation_id IS NULL, 0) AS l3, \
     coalesce(e.level = 4 AND i.evaluation_id IS NULL, 0) AS l4, \
     coalesce(e.level = 5 AND i.evaluation_id IS NULL, 0) AS l5, \
     coalesce(e.level = 1 AND i.evaluation_id IS NULL AND e.channel <> 'system_default', 0) AS a1, \
     coalesce(e.level = 2 AND i.evaluation_id IS NULL AND e.channel <> 'system_default', 0) AS a2, \
     coalesce(e.level = 3 AND i.evaluation_id IS NULL AND e.channel <> 'system_default', 0) AS a3, \
     coalesce(e.level = 4 AND i.evaluation_id IS NULL AND e.channel <> 'system_default', 0) AS a4, \
     coalesce(e.level = 5 AND i.evaluation_id IS NULL AND e.channel <> 'system_default', 0) AS a5, \
     i.evaluation_id IS NOT NULL AS invalidated, \
     CASE WHEN t.id IS NOT NULL AND i.evaluation_id IS NULL THEN EXISTS \
         (SELECT 1 FROM ticket_event v WHERE v.ticket_id = t.id AND v.action = 'reply') ELSE 0 END AS bad_replied, \
     CASE WHEN t.state = 'closed' AND i.evaluation_id IS NULL THEN EXISTS \
         (SELECT 1 FROM ticket_event v WHERE v.ticket_id = t.id AND v.action IN ('record_visit', 'record_check')) \
         ELSE 0 END AS bad_rectified, \
     coalesce(i.evaluation_id IS NULL AND t.real_name, 0) AS bad_real_name, \
     CASE WHEN i.evaluation_id IS NULL AND t.id IS NOT NULL THEN (SELECT count(*) FROM ticket_event v \
         WHERE v.ticket_id = t.id AND v.action LIKE 'rate_fix_%') ELSE 0 END AS fix_rated, \
     CASE WHEN i.evaluation_id IS NULL AND t.id IS NOT NULL THEN (SELECT count(*) FROM ticket_event v \
         WHERE v.ticket_id = t.id AND v.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied')) \
         ELSE 0 END AS fix_satisfied \
     FROM service_occurrence o \
     JOIN department d ON d.id = o.department_id \
     LEFT JOIN service_window w ON w.id = o.window_id \
     LEFT JOIN evaluation e ON e.occurrence_id = o.id \
     LEFT JOIN evaluation_invalidation i ON i.evaluation_id = e.id \
     LEFT JOIN ticket t ON t.evaluation_id = e.id AND t.kind = 'bad_review'";

/// The column of `PER_OCCURRENCE` that holds each scope's id.
fn scope_column(scope: &str) -> &'static str {
    match scope {
        "region" => "region_id",
        "department" => "department_id",
        "hall" => "hall_id",
        "window" => "window_id",
        "staff" => "staff_id",
        "item" => "item_id",
        _ => "all_id",
    }
}

/// The scopes, in the order they are rebuilt.
const SCOPES: [&str; 7] = [
    "all",
    "region",
    "department",
    "hall",
    "window",
    "staff",
    "item",
];

/// A closed 差评 loop, as the public rectification list shows it.
#[derive(Debug, Clone)]
pub struct ClosedRectification {
    pub department: String,
    pub item: Option<String>,
    pub reasons: Vec<i64>,
    /// The last triage step's name (立行立改, 台账, 解释说明).
    pub triage: String,
    pub opened_at: i64,
    pub closed_at: i64,
}

/// The first instant (unix ms) of YYYYMM in China time.
pub fn month_start_ms(month: i64) -> i64 {
    let (year, mon) = (month / 100, month % 100);
    domain::calendar::Date::from_ymd(
        i32::try_from(year).unwrap_or(2000),
        u32::try_from(mon).unwrap_or(1),
        1,
    )
    .map_or(0, |d| d.end_unix_ms_cst() - 86_400_000)
}

impl Store {
    /// The name of a department, window or service item, with its department's id and name
    /// (for a window or item).
    pub async fn scope_name(
        &self,
        kind: &str,
        id: i64,
    ) -> StoreResult<Option<(String, Option<i64>, Option<String>)>> {
        let sql = match kind {
            "department" => {
                "SELECT d.name, r.id, r.name FROM department d JOIN region r ON r.id = d.region_id \
                 WHERE d.id = ?"
            }
            "region" => "SELECT name, NULL, NULL FROM region WHERE id = ?",
            "window" => {
                "SELECT h.name || ' ' || w.number || '号窗口 ' || w.name, d.id, d.name FROM service_window w \
                 JOIN hall h ON h.id = w.hall_id JOIN department d ON d.id = w.department_id WHERE w.id = ?"
            }
            "item" => {
                "SELECT i.name, d.id, d.name FROM service_item i JOIN department d ON d.id = i.department_id \
                 WHERE i.id = ?"
            }
            _ => return Ok(None),
        };
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The 差评 of services in `month` whose loop closed (not invalidated), newest first.
    pub async fn closed_rectifications(&self, month: i64) -> StoreResult<Vec<ClosedRectification>> {
        let next = if month % 100 == 12 {
            month + 89
        } else {
            month + 1
        };
        let rows = sqlx::query(
            "SELECT d.name AS department, i.name AS item, t.opened_at, \
             (SELECT max(at) FROM ticket_event WHERE ticket_id = t.id) AS closed_at, \
             (SELECT action FROM ticket_event WHERE ticket_id = t.id AND action LIKE 'triage_%' \
              ORDER BY id DESC LIMIT 1) AS triage, \
             (SELECT group_concat(reason_code) FROM evaluation_reason WHERE evaluation_id = e.id) AS reasons \
             FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id \
             JOIN service_occurrence o ON o.id = e.occurrence_id \
             JOIN department d ON d.id = t.department_id \
             LEFT JOIN service_item i ON i.id = o.service_item_id \
             WHERE t.kind = 'bad_review' AND t.state = 'closed' \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation v WHERE v.evaluation_id = e.id) \
             AND o.registered_at >= ? AND o.registered_at < ? ORDER BY t.id DESC LIMIT 200",
        )
        .bind(month_start_ms(month))
        .bind(month_start_ms(next))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ClosedRectification {
                department: r.get("department"),
                item: r.get("item"),
                reasons: r
                    .get::<Option<String>, _>("reasons")
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|c| c.parse().ok())
                    .collect(),
                triage: r.get::<Option<String>, _>("triage").unwrap_or_default(),
                opened_at: r.get("opened_at"),
                closed_at: r.get::<Option<i64>, _>("closed_at").unwrap_or_default(),
            })
            .collect())
    }
}

/// One row of the open data: a scope, a month and its counts.
#[derive(Debug, Clone)]
pub struct OpenRow {
    pub scope: String,
    pub scope_id: i64,
    pub name: String,
    pub month: i64,
    pub counts: Counts,
}

impl Store {
    /// Every aggregate (of `month`, or all months), named; staff by name or by staff number.
    pub async fn open_data(
        &self,
        month: Option<i64>,
        staff_by_name: bool,
    ) -> StoreResult<Vec<OpenRow>> {
        let staff = if staff_by_name { "name" } else { "staff_no" };
        // Two statements rather than `?1 IS NULL OR …`, so that a month's rows come by index.
        let filter = if month.is_some() {
            "s.month = ?1"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT s.scope, s.scope_id, s.month, coalesce(CASE s.scope \
               WHEN 'all' THEN '全部' \
               WHEN 'region' THEN (SELECT name FROM region WHERE id = s.scope_id) \
               WHEN 'department' THEN (SELECT name FROM department WHERE id = s.scope_id) \
               WHEN 'hall' THEN (SELECT name FROM hall WHERE id = s.scope_id) \
               WHEN 'window' THEN (SELECT number || '号窗口 ' || name FROM service_window WHERE id = s.scope_id) \
               WHEN 'staff' THEN (SELECT {staff} FROM staff WHERE id = s.scope_id) \
               WHEN 'item' THEN (SELECT name FROM service_item WHERE id = s.scope_id) END, '') AS name, \
             {STAT_COLUMNS} FROM stat s WHERE {filter} \
             ORDER BY s.month, s.scope, s.scope_id"
        );
        let rows = sqlx::query(&sql).bind(month).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| OpenRow {
                scope: r.get("scope"),
                scope_id: r.get("scope_id"),
                name: r.get("name"),
                month: r.get("month"),
                counts: counts(r),
            })
            .collect())
    }
}

/// A window whose satisfaction over the last days fell below the threshold.
#[derive(Debug, Clone)]
pub struct WindowAlert {
    pub window: String,
    pub department: String,
    pub rated: i64,
    pub good: i64,
}

impl Store {
    /// When a hall's ratings and 差评 came in `month`: (weekday 0 = Sunday, hour, rated, bad).
    pub async fn heat(&self, hall: i64, month: i64) -> StoreResult<Vec<(i64, i64, i64, i64)>> {
        sqlx::query_as(
            "SELECT weekday, hour, rated, bad FROM stat_hour WHERE hall_id = ? AND month = ? \
             ORDER BY weekday, hour",
        )
        .bind(hall)
        .bind(month)
        .fetch_all(&self.pool)
        .await
    }

    /// Windows rated at least `min_rated` times since `since_day` (YYYYMMDD) whose share of good
    /// ratings is below `threshold_bp` hundredths of a percent.
    pub async fn window_alerts(
        &self,
        since_day: i64,
        min_rated: i64,
        threshold_bp: i64,
        basic_counts_as_good: bool,
    ) -> StoreResult<Vec<WindowAlert>> {
        let rows = sqlx::query(
            "SELECT h.name || ' ' || w.number || '号窗口 ' || w.name AS window, d.name AS department, \
             sum(s.rated) AS rated, sum(s.good) + (CASE WHEN ?4 THEN sum(s.basic) ELSE 0 END) AS good \
             FROM stat_day s JOIN service_window w ON w.id = s.window_id \
             JOIN hall h ON h.id = w.hall_id JOIN department d ON d.id = w.department_id \
             WHERE s.day >= ?1 GROUP BY s.window_id \
             HAVING sum(s.rated) >= ?2 AND good * 10000 < ?3 * sum(s.rated) \
             ORDER BY good * 1.0 / sum(s.rated), window LIMIT 50",
        )
        .bind(since_day)
        .bind(min_rated)
        .bind(threshold_bp)
        .bind(basic_counts_as_good)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| WindowAlert {
                window: r.get("window"),
                department: r.get("department"),
                rated: r.get("rated"),
                good: r.get("good"),
            })
            .collect())
    }

    /// The halls, for choosing a heat map.
    pub async fn halls(&self) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, name FROM hall ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }

    /// Every non-zero row of the time aggregates, for comparing with a recomputation.
    pub async fn all_time_stats(
        &self,
    ) -> StoreResult<(
        Vec<(i64, i64, i64, i64, i64, i64)>,
        Vec<(i64, i64, i64, i64, i64)>,
    )> {
        let hours = sqlx::query_as(
            "SELECT hall_id, month, weekday, hour, rated, bad FROM stat_hour WHERE rated <> 0 \
             ORDER BY 1, 2, 3, 4",
        )
        .fetch_all(&self.pool)
        .await?;
        let days = sqlx::query_as(
            "SELECT window_id, day, rated, good, basic FROM stat_day WHERE rated <> 0 ORDER BY 1, 2",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((hours, days))
    }
}
