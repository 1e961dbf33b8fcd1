//! Recomputing every aggregate (`stat`, `stat_reason`, `stat_channel`, `stat_walk_in`, `stat_voice`, `stat_complaint`,
//! `stat_hour`, `stat_day`) from the ratings themselves (`rebuild_stats`, after old data or on request), and the plain scan
//! that is the benchmark's baseline and the tests' reference.

use domain::{stats::Counts, time::Month};
use sqlx::Row;

use crate::platform::db::{Backend, Store, StoreResult};

use super::{STAT_COLUMNS, Scope, counts, store::SUMMED};

impl Store {
    /// Whether ratings exist that the aggregates do not count yet (data from before them).
    pub async fn stats_missing(&self) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT NOT EXISTS (SELECT 1 FROM stat) \
             AND EXISTS (SELECT 1 FROM service_occurrence \
                         WHERE kind NOT IN ('walk_in', 'general', 'inspection'))",
        )
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// Recomputes every aggregate from the ratings, tickets and invalidations (a full scan), in one
    /// transaction: each occurrence is read once, then summed per scope.
    pub async fn rebuild_stats(&self) -> StoreResult<()> {
        let kept = Kept(self.backend);
        let mut tx = self.pool.begin().await?;
        sqlx::query(&kept.clear("stat")).execute(&mut *tx).await?;
        sqlx::query(&kept.clear("stat_reason"))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DROP TABLE IF EXISTS stat_occurrence")
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "CREATE TEMP TABLE stat_occurrence AS {PER_OCCURRENCE}"
        ))
        .execute(&mut *tx)
        .await?;
        for scope in SCOPES {
            let column = scope_column(scope);
            let select = format!(
                "SELECT '{scope}', {column}, month, {SUMMED} FROM stat_occurrence \
                 WHERE {column} IS NOT NULL GROUP BY {column}, month"
            );
            let columns = format!("scope, scope_id, month, {STAT_COLUMNS}");
            sqlx::query(&kept.fill("stat", &columns, &select))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DROP TABLE stat_occurrence")
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_reason",
            "scope, scope_id, month, reason_code, n",
            "SELECT s.scope, s.scope_id, s.month, r.reason_code, count(*) \
             FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id \
             JOIN evaluation_reason r ON r.evaluation_id = e.id \
             WHERE e.level <= 2 AND s.scope_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY s.scope, s.scope_id, s.month, r.reason_code",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.clear("stat_channel"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_channel",
            "scope, scope_id, month, channel, n",
            "SELECT s.scope, s.scope_id, s.month, e.channel, count(*) \
             FROM evaluation e JOIN occurrence_scope s ON s.occurrence_id = e.occurrence_id \
             WHERE s.scope_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY s.scope, s.scope_id, s.month, e.channel",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.clear("stat_walk_in"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_walk_in",
            "scope, scope_id, month, rated, bad",
            "SELECT s.scope, s.scope_id, s.month, count(*), CAST(sum(CASE WHEN e.level <= 2 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM evaluation e JOIN walk_in_scope s ON s.occurrence_id = e.occurrence_id \
             WHERE s.scope_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY s.scope, s.scope_id, s.month",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.clear("stat_voice"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_voice",
            "scope, scope_id, month, general, general_typed, general_good, \
             general_bad, inspections, inspection_covert, inspection_good, inspection_bad",
            "SELECT s.scope, s.scope_id, s.month, \
             CAST(sum(CASE WHEN s.kind = 'general' AND NOT s.typed THEN 1 ELSE 0 END) AS BIGINT), CAST(sum(CASE WHEN s.kind = 'general' AND s.typed THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN s.kind = 'general' AND e.level >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(sum(CASE WHEN s.kind = 'general' AND e.level <= 2 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN s.kind = 'inspection' THEN 1 ELSE 0 END) AS BIGINT), CAST(sum(CASE WHEN s.kind = 'inspection' AND s.covert THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN s.kind = 'inspection' AND e.level >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(sum(CASE WHEN s.kind = 'inspection' AND e.level <= 2 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM evaluation e JOIN voice_scope s ON s.occurrence_id = e.occurrence_id \
             WHERE s.scope_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY s.scope, s.scope_id, s.month",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.clear("stat_hour"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.clear("stat_day"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_hour",
            "hall_id, month, weekday, hour, rated, bad",
            "SELECT w.hall_id, CAST(strftime('%Y%m', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             CAST(strftime('%w', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             CAST(strftime('%H', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             count(*), CAST(sum(CASE WHEN e.level <= 2 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             JOIN service_window w ON w.id = o.window_id \
             WHERE o.kind NOT IN ('general', 'inspection') \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY 1, 2, 3, 4",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.fill(
            "stat_day",
            "window_id, day, rated, good, basic",
            "SELECT o.window_id, CAST(strftime('%Y%m%d', e.created_at / 1000 + 28800, 'unixepoch') AS INTEGER), \
             count(*), CAST(sum(CASE WHEN e.level >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(sum(CASE WHEN e.level = 3 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE o.window_id IS NOT NULL AND o.kind NOT IN ('general', 'inspection') \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY 1, 2",
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&kept.clear("stat_complaint"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&kept.fill(
            "stat_complaint",
            "scope, scope_id, month, source, received, on_time, late, complex",
            REBUILD_COMPLAINTS,
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Every non-zero complaint count: (scope, id, month, source, [received, on time, late,
    /// complex]).
    pub async fn all_complaint_stats(
        &self,
    ) -> StoreResult<Vec<(String, i64, i64, String, [i64; 4])>> {
        let rows = sqlx::query(
            "SELECT scope, scope_id, month, source, received, on_time, late, complex \
             FROM stat_complaint WHERE received + on_time + late + complex <> 0 \
             ORDER BY scope, scope_id, month, source",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("scope"),
                    r.get("scope_id"),
                    r.get("month"),
                    r.get("source"),
                    [
                        r.get("received"),
                        r.get("on_time"),
                        r.get("late"),
                        r.get("complex"),
                    ],
                )
            })
            .collect())
    }

    /// The counts of one scope over `from ..= to` computed from the ratings themselves, without
    /// the aggregates: what a page would cost without them (the benchmark's baseline).
    pub async fn scan_counts(&self, scope: Scope, from: Month, to: Month) -> StoreResult<Counts> {
        let (name, id) = scope.key();
        let column = scope_column(name);
        let sql = format!(
            "SELECT {SUMMED} FROM ({PER_OCCURRENCE}) AS p WHERE {column} = $1 AND month BETWEEN $2 AND $3"
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

    /// Every non-zero channel count: (scope, id, month, channel, n).
    pub async fn all_channel_stats(
        &self,
    ) -> StoreResult<Vec<(String, i64, i64, domain::Channel, i64)>> {
        sqlx::query_as(
            "SELECT scope, scope_id, month, channel, n FROM stat_channel WHERE n <> 0 \
             ORDER BY scope, scope_id, month, channel",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Every non-zero row of `stat_voice`: (scope, id, month, counts).
    pub async fn all_voice_stats(
        &self,
    ) -> StoreResult<Vec<(String, i64, i64, crate::features::voices::VoiceCounts)>> {
        let rows = sqlx::query(
            "SELECT scope, scope_id, month, general, general_typed, general_good, general_bad, \
             inspections, inspection_covert, inspection_good, inspection_bad FROM stat_voice \
             WHERE general + general_typed + inspections <> 0 ORDER BY scope, scope_id, month",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("scope")?,
                    r.try_get("scope_id")?,
                    r.try_get("month")?,
                    crate::features::voices::VoiceCounts::from_row(r)?,
                ))
            })
            .collect()
    }

    /// Every non-zero walk-in count: (scope, id, month, rated, bad).
    pub async fn all_walk_in_stats(&self) -> StoreResult<Vec<(String, i64, i64, i64, i64)>> {
        sqlx::query_as(
            "SELECT scope, scope_id, month, rated, bad FROM stat_walk_in WHERE rated <> 0 \
             ORDER BY scope, scope_id, month",
        )
        .fetch_all(&self.pool)
        .await
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

/// `stat_complaint` from the tickets and their histories (migration 0024's view
/// `complaint_scope`): a complaint counts in the month its ticket opened; its first reply is on
/// time at or before `reply_due_at` (none: on time), late after it.
const REBUILD_COMPLAINTS: &str = "SELECT s.scope, s.scope_id, s.month, s.source, count(*), \
    CAST(sum(CASE WHEN f.at IS NOT NULL AND (t.reply_due_at IS NULL OR f.at <= t.reply_due_at) THEN 1 ELSE 0 END) AS BIGINT), \
    CAST(sum(CASE WHEN f.at IS NOT NULL AND t.reply_due_at IS NOT NULL AND f.at > t.reply_due_at THEN 1 ELSE 0 END) AS BIGINT), \
    CAST(sum(CASE WHEN EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id AND e.action = 'mark_complex') THEN 1 ELSE 0 END) AS BIGINT) \
    FROM complaint_scope s JOIN ticket t ON t.id = s.ticket_id \
    LEFT JOIN ticket_event f ON f.id = (SELECT min(id) FROM ticket_event \
        WHERE ticket_id = t.id AND action = 'reply') \
    WHERE s.scope_id IS NOT NULL GROUP BY s.scope, s.scope_id, s.month, s.source";

/// Every occurrence with the scopes it counts in and its counts (0 or 1 each; the ticket's
/// fix ratings may be more): the plain scan that the aggregates replace. Walk-in e码 ratings are
/// not occurrences of the figures (`stat_walk_in` counts them).
const PER_OCCURRENCE: &str = "SELECT o.id, \
     CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) AS month, \
     0 AS all_id, d.region_id, o.department_id, w.hall_id, o.window_id, o.staff_id, \
     o.service_item_id AS item_id, CASE WHEN o.kind <> 'reported' THEN 1 ELSE 0 END AS occurrences, \
     CASE WHEN e.level = 1 AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS l1, \
     CASE WHEN e.level = 2 AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS l2, \
     CASE WHEN e.level = 3 AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS l3, \
     CASE WHEN e.level = 4 AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS l4, \
     CASE WHEN e.level = 5 AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS l5, \
     CASE WHEN e.level = 1 AND i.evaluation_id IS NULL AND e.channel <> 'system_default' THEN 1 ELSE 0 END AS a1, \
     CASE WHEN e.level = 2 AND i.evaluation_id IS NULL AND e.channel <> 'system_default' THEN 1 ELSE 0 END AS a2, \
     CASE WHEN e.level = 3 AND i.evaluation_id IS NULL AND e.channel <> 'system_default' THEN 1 ELSE 0 END AS a3, \
     CASE WHEN e.level = 4 AND i.evaluation_id IS NULL AND e.channel <> 'system_default' THEN 1 ELSE 0 END AS a4, \
     CASE WHEN e.level = 5 AND i.evaluation_id IS NULL AND e.channel <> 'system_default' THEN 1 ELSE 0 END AS a5, \
     CASE WHEN i.evaluation_id IS NOT NULL THEN 1 ELSE 0 END AS invalidated, \
     CASE WHEN t.id IS NOT NULL AND i.evaluation_id IS NULL AND EXISTS \
         (SELECT 1 FROM ticket_event v WHERE v.ticket_id = t.id AND v.action = 'reply') THEN 1 ELSE 0 END AS bad_replied, \
     CASE WHEN t.state = 'closed' AND i.evaluation_id IS NULL AND EXISTS \
         (SELECT 1 FROM ticket_event v WHERE v.ticket_id = t.id AND v.action = 'record_visit') \
         THEN 1 ELSE 0 END AS bad_rectified, \
     CASE WHEN i.evaluation_id IS NULL AND t.real_name THEN 1 ELSE 0 END AS bad_real_name, \
     CASE WHEN i.evaluation_id IS NULL AND t.id IS NOT NULL THEN (SELECT count(*) FROM ticket_event v \
         WHERE v.ticket_id = t.id AND v.action LIKE 'rate_fix_%') ELSE 0 END AS fix_rated, \
     CASE WHEN i.evaluation_id IS NULL AND t.id IS NOT NULL THEN (SELECT count(*) FROM ticket_event v \
         WHERE v.ticket_id = t.id AND v.action IN ('rate_fix_satisfied', 'rate_fix_basically_satisfied')) \
         ELSE 0 END AS fix_satisfied, \
     CASE WHEN i.evaluation_id IS NULL AND t.real_name AND EXISTS \
         (SELECT 1 FROM ticket_event v WHERE v.ticket_id = t.id AND v.action = 'record_visit') \
         THEN 1 ELSE 0 END AS bad_real_name_visited, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 1 THEN 1 ELSE 0 END AS et1, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 2 THEN 1 ELSE 0 END AS et2, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 3 THEN 1 ELSE 0 END AS et3, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 4 THEN 1 ELSE 0 END AS et4, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 5 THEN 1 ELSE 0 END AS et5, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.evaluator_type = 6 THEN 1 ELSE 0 END AS et6, \
     CASE WHEN e.id IS NOT NULL AND i.evaluation_id IS NULL AND o.anonymous THEN 1 ELSE 0 END AS anonymous, \
     CASE WHEN e.id IS NOT NULL AND o.kind = 'reported' THEN 1 ELSE 0 END AS received, \
     CASE WHEN e.kind = 'case' AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS k_case, \
     CASE WHEN e.kind = 'visit' AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS k_visit, \
     CASE WHEN e.kind = 'default' AND i.evaluation_id IS NULL THEN 1 ELSE 0 END AS k_default, \
     (SELECT count(*) FROM ticket_event v WHERE v.ticket_id = t.id \
         AND v.action = 'triage_appeal') AS appeals_filed, \
     (SELECT count(*) FROM ticket_event v WHERE v.ticket_id = t.id \
         AND v.action = 'decide_appeal_upheld') AS appeals_upheld, \
     (SELECT count(*) FROM ticket_event v WHERE v.ticket_id = t.id \
         AND v.action = 'decide_appeal_rejected') AS appeals_rejected \
     FROM service_occurrence o \
     JOIN department d ON d.id = o.department_id \
     LEFT JOIN service_window w ON w.id = o.window_id \
     LEFT JOIN evaluation e ON e.occurrence_id = o.id \
     LEFT JOIN evaluation_invalidation i ON i.evaluation_id = e.id \
     LEFT JOIN ticket t ON t.evaluation_id = e.id AND t.kind = 'bad_review' \
     WHERE o.kind NOT IN ('walk_in', 'general', 'inspection')";

/// Where the rebuild writes an aggregate: SQLite keeps it as the table `name`; PostgreSQL keeps
/// shards (`<name>_shard`, summed by the view `name`), and a rebuild puts every count in shard 0.
#[derive(Clone, Copy)]
struct Kept(Backend);

impl Kept {
    /// Empties the aggregate `name`.
    fn clear(self, name: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("DELETE FROM {name}"),
            Backend::Postgres => format!("DELETE FROM {name}_shard"),
        }
    }

    /// Inserts the rows `select` yields, its columns named by `columns`, into the aggregate `name`.
    fn fill(self, name: &str, columns: &str, select: &str) -> String {
        match self.0 {
            Backend::Sqlite => format!("INSERT INTO {name} ({columns}) {select}"),
            Backend::Postgres => format!(
                "INSERT INTO {name}_shard (shard, {columns}) SELECT 0, kept_rows.* FROM ({select}) AS kept_rows"
            ),
        }
    }
}

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
