//! What the public pages list beside the figures: scope names, the closed 差评 loops of a month
//! (the rectification list) and the rows of the open data.

use domain::time::Timestamp;
use domain::{reasons::codes_from_list, stats::Counts, time::Month};
use sqlx::Row;

use crate::platform::db::{Store, StoreResult};

use super::channels::{channel_pivot, read_channels};
use super::{ByChannel, STAT_COLUMNS, counts};

/// A closed 差评 loop, as the public rectification list shows it.
#[derive(Debug, Clone)]
pub struct ClosedRectification {
    pub department: String,
    pub item: Option<String>,
    pub reasons: Vec<i64>,
    /// The last triage step's name (立行立改, 台账, 解释说明).
    pub triage: String,
    pub opened_at: Timestamp,
    pub closed_at: Timestamp,
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
                 WHERE d.id = $1"
            }
            "region" => "SELECT name, NULL, NULL FROM region WHERE id = $1",
            "window" => {
                "SELECT h.name || ' ' || w.number || '号窗口 ' || w.name, d.id, d.name FROM service_window w \
                 JOIN hall h ON h.id = w.hall_id JOIN department d ON d.id = w.department_id WHERE w.id = $1"
            }
            "item" => {
                "SELECT i.name, d.id, d.name FROM service_item i JOIN department d ON d.id = i.department_id \
                 WHERE i.id = $1"
            }
            _ => return Ok(None),
        };
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The 差评 of services in `month` whose loop closed (not invalidated), newest first.
    pub async fn closed_rectifications(
        &self,
        month: Month,
    ) -> StoreResult<Vec<ClosedRectification>> {
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
             AND t.service_registered_at >= $1 AND t.service_registered_at < $2 \
             ORDER BY t.id DESC LIMIT 200",
        )
        .bind(month.start_unix_ms_cst())
        .bind(month.end_unix_ms_cst())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ClosedRectification {
                department: r.get("department"),
                item: r.get("item"),
                reasons: codes_from_list(r.get::<Option<String>, _>("reasons").as_deref()),
                triage: r.get::<Option<String>, _>("triage").unwrap_or_default(),
                opened_at: r.get("opened_at"),
                closed_at: r
                    .get::<Option<Timestamp>, _>("closed_at")
                    .unwrap_or(Timestamp::from_unix_ms(0)),
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
    pub month: Month,
    pub counts: Counts,
    /// The valid ratings per channel the citizen used (they add up to `counts.rated()`).
    pub channels: ByChannel,
    /// e码 ratings without a visit, outside `counts` and `channels`.
    pub walk_ins: super::WalkIns,
    /// 综合点评 and 监督查评, outside `counts`.
    pub voices: crate::features::voices::VoiceCounts,
    /// 投诉 received in the month, in `COMPLAINT_COLUMNS` order: received, replied on time,
    /// replied late, complex, then received from the form, 12345, the website and the others.
    pub complaints: [i64; 8],
}

/// The complaint columns of the open data, summed over sources from `stat_complaint`.
const COMPLAINT_COLUMNS: [&str; 8] = [
    "CAST(sum(received) AS BIGINT)",
    "CAST(sum(on_time) AS BIGINT)",
    "CAST(sum(late) AS BIGINT)",
    "CAST(sum(complex) AS BIGINT)",
    "CAST(sum(CASE WHEN source = 'form' THEN received ELSE 0 END) AS BIGINT)",
    "CAST(sum(CASE WHEN source = '12345' THEN received ELSE 0 END) AS BIGINT)",
    "CAST(sum(CASE WHEN source = 'website' THEN received ELSE 0 END) AS BIGINT)",
    "CAST(sum(CASE WHEN source IN ('leader_mailbox', 'other') THEN received ELSE 0 END) AS BIGINT)",
];

impl Store {
    /// Every aggregate (of `month`, or all months), named; staff by name or by staff number.
    pub async fn open_data(
        &self,
        month: Option<Month>,
        staff_by_name: bool,
    ) -> StoreResult<Vec<OpenRow>> {
        let staff = if staff_by_name { "name" } else { "staff_no" };
        // Two statements rather than `?1 IS NULL OR …`, so that a month's rows come by index.
        let (filter, months) = if month.is_some() {
            ("s.month = $1", "month = $1")
        } else {
            ("$1 IS NULL", "$1 IS NULL")
        };
        let (channel_join, channels) = channel_pivot(months);
        let complaint_sums = COMPLAINT_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, sum)| format!("{sum} AS c{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let complaint_columns = (0..COMPLAINT_COLUMNS.len())
            .map(|i| format!("coalesce(c.c{i}, 0) AS c{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT s.scope, s.scope_id, s.month, coalesce(CASE s.scope \
               WHEN 'all' THEN '全部' \
               WHEN 'region' THEN (SELECT name FROM region WHERE id = s.scope_id) \
               WHEN 'department' THEN (SELECT name FROM department WHERE id = s.scope_id) \
               WHEN 'hall' THEN (SELECT name FROM hall WHERE id = s.scope_id) \
               WHEN 'window' THEN (SELECT number || '号窗口 ' || name FROM service_window WHERE id = s.scope_id) \
               WHEN 'staff' THEN (SELECT {staff} FROM staff WHERE id = s.scope_id) \
               WHEN 'item' THEN (SELECT name FROM service_item WHERE id = s.scope_id) END, '') AS name, \
             {STAT_COLUMNS}, {channels}, coalesce(w.rated, 0) AS walk_in, \
             coalesce(w.bad, 0) AS walk_in_bad, {complaint_columns}, \
             coalesce(v.general, 0) AS general, coalesce(v.general_typed, 0) AS general_typed, \
             coalesce(v.general_good, 0) AS general_good, coalesce(v.general_bad, 0) AS general_bad, \
             coalesce(v.inspections, 0) AS inspections, \
             coalesce(v.inspection_covert, 0) AS inspection_covert, \
             coalesce(v.inspection_good, 0) AS inspection_good, \
             coalesce(v.inspection_bad, 0) AS inspection_bad \
             FROM (SELECT scope, scope_id, month FROM stat \
                   UNION SELECT scope, scope_id, month FROM stat_walk_in \
                   UNION SELECT scope, scope_id, month FROM stat_complaint \
                   UNION SELECT scope, scope_id, month FROM stat_voice) s \
             LEFT JOIN stat t ON t.scope = s.scope AND t.scope_id = s.scope_id AND t.month = s.month \
             {channel_join} \
             LEFT JOIN stat_walk_in w ON w.scope = s.scope AND w.scope_id = s.scope_id \
                  AND w.month = s.month \
             LEFT JOIN stat_voice v ON v.scope = s.scope AND v.scope_id = s.scope_id \
                  AND v.month = s.month \
             LEFT JOIN (SELECT scope, scope_id, month, {complaint_sums} FROM stat_complaint \
                        GROUP BY scope, scope_id, month) c \
                  ON c.scope = s.scope AND c.scope_id = s.scope_id AND c.month = s.month \
             WHERE {filter} ORDER BY s.month, s.scope, s.scope_id"
        );
        let rows = sqlx::query(&sql).bind(month).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(OpenRow {
                    scope: r.try_get("scope")?,
                    scope_id: r.try_get("scope_id")?,
                    name: r.try_get("name")?,
                    month: r.try_get("month")?,
                    counts: counts(r),
                    channels: read_channels(r)?,
                    walk_ins: super::WalkIns {
                        rated: r.try_get("walk_in")?,
                        bad: r.try_get("walk_in_bad")?,
                    },
                    complaints: complaint_counts(r)?,
                    voices: crate::features::voices::VoiceCounts::from_row(r)?,
                })
            })
            .collect()
    }
}

/// The complaint columns `c0` … `c7` of an open-data row.
fn complaint_counts(r: &crate::platform::db::DbRow) -> Result<[i64; 8], sqlx::Error> {
    let mut out = [0; 8];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = r.try_get(format!("c{i}").as_str())?;
    }
    Ok(out)
}
