//! The outbox's deliveries, the records they carry, the targets, and the status a supervisor sees.

use domain::{
    Channel, EvaluatorType, Level,
    kind::EvaluationKind,
    time::Timestamp,
    upward::{Record, RecordKind, Step},
};
use sqlx::Row;

use crate::platform::{
    auth::{Audit, audit},
    db::{Backend, Store, StoreResult, now_ms},
};

/// An upstream platform, as configured (the key still sealed).
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub mapping: String,
    pub sign_method: String,
    pub key_enc: Vec<u8>,
    pub data_source: String,
}

/// A target to add.
pub struct NewTarget<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub mapping: &'a str,
    pub sign_method: &'a str,
    pub key_enc: &'a [u8],
    pub data_source: &'a str,
}

/// One outbox row due for a target.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub outbox_id: i64,
    pub attempts: i64,
}

/// Where the reporting to one target stands.
#[derive(Debug, Clone)]
pub struct TargetStatus {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub mapping: String,
    pub delivered: i64,
    /// Outbox rows not delivered yet (claimed or not).
    pub backlog: i64,
    /// … of which tried and failed at least once.
    pub failing: i64,
    /// When the oldest undelivered row was committed.
    pub oldest_undelivered: Option<Timestamp>,
    /// The latest failures: outbox id, attempts, error.
    pub errors: Vec<(i64, i64, String)>,
    /// Reconciliation rows that differ: day (YYYYMMDD), level, channel, ours, theirs.
    pub differences: Vec<(i64, i64, String, i64, i64)>,
    pub last_reconciled: Option<Timestamp>,
}

/// The counts compared in reconciliation: level, channel, number of valid ratings.
pub type DayCounts = Vec<(i64, String, i64)>;

const RECORD_SQL: &str = "SELECT x.id AS outbox_id, x.kind, o.case_number, o.occurrence_no, \
     i.code AS task_code, i.name AS task_name, r.code AS area_code, \
     coalesce(d.credit_code, d.code) AS dept_code, d.name AS dept_name, e.id AS evaluation_id, \
     e.level, e.comment, e.channel, e.created_at, o.registered_at, o.evaluator_type, \
     e.catalogue_version, e.kind AS eval_kind, \
     CASE x.kind WHEN 'follow_up' THEN coalesce(f.comment, '') ELSE s.text END AS step_text, \
     CASE x.kind WHEN 'follow_up' THEN f.created_at ELSE s.at END AS step_at, \
     CASE x.kind WHEN 'follow_up' THEN f.level END AS follow_level, \
     (SELECT group_concat(reason_code) FROM (SELECT reason_code FROM evaluation_reason \
        WHERE evaluation_id = e.id ORDER BY reason_code) AS ordered) AS tags, \
     EXISTS (SELECT 1 FROM evaluation_invalidation v WHERE v.evaluation_id = e.id \
        AND v.at <= coalesce(s.at, f.created_at)) AS invalid_before_step \
     FROM upward_outbox x JOIN service_occurrence o ON o.id = x.occurrence_id \
     JOIN evaluation e ON e.occurrence_id = o.id \
     JOIN department d ON d.id = o.department_id JOIN region r ON r.id = d.region_id \
     LEFT JOIN service_item i ON i.id = o.service_item_id \
     LEFT JOIN upward_step s ON s.id = x.step_id \
     LEFT JOIN evaluation_follow_up f ON f.evaluation_id = e.id AND x.kind = 'follow_up'";

fn record(row: &crate::platform::db::DbRow) -> StoreResult<(i64, Record)> {
    let kind: String = row.try_get("kind")?;
    let kind = RecordKind::parse(&kind).unwrap_or(RecordKind::Evaluation);
    let step = match (
        row.try_get::<Option<String>, _>("step_text")?,
        row.try_get::<Option<Timestamp>, _>("step_at")?,
    ) {
        (Some(text), Some(at)) => Some(Step { text, at }),
        _ => None,
    };
    let effective = match kind {
        RecordKind::Evaluation => true,
        RecordKind::Invalidation => false,
        _ => {
            !row.try_get::<domain::sql::Flag, _>("invalid_before_step")?
                .0
        }
    };
    let tags: Option<String> = row.try_get("tags")?;
    let record = Record {
        kind,
        project_no: row.try_get("case_number")?,
        assess_number: u16::try_from(row.try_get::<i64, _>("occurrence_no")?).unwrap_or(1),
        task_code: row.try_get("task_code")?,
        task_name: row.try_get("task_name")?,
        area_code: row.try_get("area_code")?,
        dept_code: row.try_get("dept_code")?,
        dept_name: row.try_get("dept_name")?,
        level: row.try_get::<Level, _>("level")?,
        tags: tags
            .unwrap_or_default()
            .split(',')
            .filter_map(|c| c.parse().ok())
            .collect(),
        writing: row.try_get("comment")?,
        channel: row.try_get::<Channel, _>("channel")?,
        assess_time: row.try_get("created_at")?,
        service_time: row.try_get("registered_at")?,
        user_prop: row
            .try_get::<Option<i64>, _>("evaluator_type")?
            .and_then(EvaluatorType::from_code),
        catalogue_version: u16::try_from(row.try_get::<i64, _>("catalogue_version")?).unwrap_or(2),
        effective,
        step,
        follow_level: row.try_get::<Option<Level>, _>("follow_level")?,
        eval_kind: row
            .try_get::<Option<EvaluationKind>, _>("eval_kind")?
            .unwrap_or(EvaluationKind::PerCase),
    };
    Ok((row.try_get("outbox_id")?, record))
}

impl Store {
    /// Adds an upstream target; it will receive every record from the first.
    pub async fn add_upward_target(&self, new: &NewTarget<'_>) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO upward_target (name, url, mapping, sign_method, key_enc, data_source, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.name)
        .bind(new.url)
        .bind(new.mapping)
        .bind(new.sign_method)
        .bind(new.key_enc)
        .bind(new.data_source)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let after = serde_json::json!({
            "name": new.name, "url": new.url, "mapping": new.mapping,
            "sign_method": new.sign_method, "data_source": new.data_source,
        });
        audit(
            &mut tx,
            Audit::new(None, "add_upward_target", ("upward_target", id)).change(None, Some(after)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The targets records go to.
    pub async fn upward_targets(&self) -> StoreResult<Vec<Target>> {
        let rows = sqlx::query(
            "SELECT id, name, url, mapping, sign_method, key_enc, data_source FROM upward_target \
             WHERE disabled_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Target {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    url: r.try_get("url")?,
                    mapping: r.try_get("mapping")?,
                    sign_method: r.try_get("sign_method")?,
                    key_enc: r.try_get("key_enc")?,
                    data_source: r.try_get("data_source")?,
                })
            })
            .collect()
    }

    /// Gives the next outbox rows their delivery rows for `target` (due now); how many.
    pub async fn claim_upward(&self, target: i64, now: i64, limit: i64) -> StoreResult<u64> {
        match self.backend {
            Backend::Sqlite => self.claim_upward_in_id_order(target, now, limit).await,
            Backend::Postgres => sqlx::query_scalar::<_, i64>(CLAIM_BY_TRANSACTION)
                .bind(target)
                .bind(now)
                .bind(limit)
                .fetch_one(&self.pool)
                .await
                .map(|n| n.unsigned_abs()),
        }
    }

    /// SQLite's claim: one writer commits at a time, so ids commit in order and everything up to
    /// the largest claimed id is claimed.
    async fn claim_upward_in_id_order(
        &self,
        target: i64,
        now: i64,
        limit: i64,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO upward_delivery (target_id, outbox_id, occurrence_id, next_at) \
             SELECT t.id, x.id, x.occurrence_id, $2 FROM upward_target t \
             JOIN upward_outbox x ON x.id > t.claimed_to WHERE t.id = $1 ORDER BY x.id LIMIT $3",
        )
        .bind(target)
        .bind(now)
        .bind(limit)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed > 0 {
            sqlx::query(
                "UPDATE upward_target SET claimed_to = (SELECT max(outbox_id) FROM upward_delivery \
                 WHERE target_id = $1) WHERE id = $1",
            )
            .bind(target)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// The rows to send to `target` now: due (found by when they are due, so that a long backlog
    /// waiting out its backoff costs nothing), and each the first undelivered row of its
    /// occurrence (records of one occurrence arrive in the order they happened).
    pub async fn due_upward(&self, target: i64, now: i64, limit: i64) -> StoreResult<Vec<Due>> {
        let rows = sqlx::query(
            "SELECT d.outbox_id, d.attempts FROM upward_delivery d \
             WHERE d.target_id = $1 AND d.delivered_at IS NULL AND d.next_at <= $2 \
             AND NOT EXISTS (SELECT 1 FROM upward_delivery w WHERE w.target_id = d.target_id \
                 AND w.occurrence_id = d.occurrence_id AND w.delivered_at IS NULL \
                 AND w.outbox_id < d.outbox_id) \
             ORDER BY d.next_at, d.outbox_id LIMIT $3",
        )
        .bind(target)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Due {
                    outbox_id: r.try_get("outbox_id")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// The records of these outbox rows, built from the stored rows (the same on every re-send).
    pub async fn upward_records(&self, outbox_ids: &[i64]) -> StoreResult<Vec<(i64, Record)>> {
        let mut out = Vec::with_capacity(outbox_ids.len());
        for chunk in outbox_ids.chunks(500) {
            let marks = (1..=chunk.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("{RECORD_SQL} WHERE x.id IN ({marks}) ORDER BY x.id");
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(record(&row)?);
            }
        }
        Ok(out)
    }

    /// Writes what became of a send: delivered rows, and failed ones with their next try.
    pub async fn settle_upward(
        &self,
        target: i64,
        delivered: &[i64],
        failed: &[(i64, i64, String)],
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let mut newly = 0;
        for id in delivered {
            newly += sqlx::query(
                "UPDATE upward_delivery SET delivered_at = $3, attempts = attempts + 1, \
                 last_error = NULL WHERE target_id = $1 AND outbox_id = $2 \
                 AND delivered_at IS NULL",
            )
            .bind(target)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        sqlx::query("UPDATE upward_target SET delivered = delivered + $1 WHERE id = $2")
            .bind(i64::try_from(newly).unwrap_or(i64::MAX))
            .bind(target)
            .execute(&mut *tx)
            .await?;
        for (id, next_at, error) in failed {
            sqlx::query(
                "UPDATE upward_delivery SET attempts = attempts + 1, next_at = $3, last_error = $4 \
                 WHERE target_id = $1 AND outbox_id = $2",
            )
            .bind(target)
            .bind(id)
            .bind(next_at)
            .bind(error)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The outbox rows `x` that target `t` has not claimed yet (see [`CLAIM_BY_TRANSACTION`]).
    fn unclaimed(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "x.id > t.claimed_to",
            Backend::Postgres => "(x.written_in, x.id) > (t.claimed_xid, t.claimed_to)",
        }
    }

    /// Where each target stands: backlog, failures, the oldest undelivered row, differences.
    pub async fn upward_status(&self) -> StoreResult<Vec<TargetStatus>> {
        let mut out = Vec::new();
        let unclaimed = self.unclaimed();
        for target in self.upward_targets().await? {
            let row = sqlx::query(&format!(
                "SELECT (SELECT delivered FROM upward_target WHERE id = $1) AS delivered, \
                 (SELECT count(*) FROM upward_delivery WHERE target_id = $1 \
                    AND delivered_at IS NULL) AS waiting, \
                 (SELECT count(*) FROM upward_delivery WHERE target_id = $1 \
                    AND delivered_at IS NULL AND attempts > 0) AS failing, \
                 (SELECT min(x.created_at) FROM upward_delivery d \
                    JOIN upward_outbox x ON x.id = d.outbox_id \
                    WHERE d.target_id = $1 AND d.delivered_at IS NULL) AS oldest_claimed, \
                 (SELECT min(x.created_at) FROM upward_target t JOIN upward_outbox x \
                    ON {unclaimed} WHERE t.id = $1) AS oldest_unclaimed, \
                 (SELECT count(*) FROM upward_target t JOIN upward_outbox x \
                    ON {unclaimed} WHERE t.id = $1) AS unclaimed, \
                 (SELECT max(checked_at) FROM upward_reconciliation WHERE target_id = $1) \
                    AS last_reconciled",
            ))
            .bind(target.id)
            .fetch_one(&self.pool)
            .await?;
            let unclaimed: i64 = row.try_get("unclaimed")?;
            let oldest = [
                row.try_get::<Option<Timestamp>, _>("oldest_claimed")?,
                row.try_get::<Option<Timestamp>, _>("oldest_unclaimed")?,
            ]
            .into_iter()
            .flatten()
            .min();
            let errors = sqlx::query_as::<_, (i64, i64, String)>(
                "SELECT outbox_id, attempts, last_error FROM upward_delivery \
                 WHERE target_id = $1 AND delivered_at IS NULL AND last_error IS NOT NULL \
                 ORDER BY outbox_id LIMIT 10",
            )
            .bind(target.id)
            .fetch_all(&self.pool)
            .await?;
            let differences = sqlx::query_as::<_, (i64, i64, String, i64, i64)>(
                "SELECT day, level, channel, ours, theirs FROM upward_reconciliation \
                 WHERE target_id = $1 AND ours <> theirs ORDER BY day DESC, level, channel LIMIT 50",
            )
            .bind(target.id)
            .fetch_all(&self.pool)
            .await?;
            out.push(TargetStatus {
                id: target.id,
                name: target.name,
                url: target.url,
                mapping: target.mapping,
                delivered: row.try_get("delivered")?,
                backlog: row.try_get::<i64, _>("waiting")? + unclaimed,
                failing: row.try_get("failing")?,
                oldest_undelivered: oldest,
                errors,
                differences,
                last_reconciled: row.try_get("last_reconciled")?,
            });
        }
        Ok(out)
    }

    /// Valid ratings made on `day` (China time) that go upward, by level and channel: ours, or
    /// (with `from`) those received from that business system.
    pub async fn upward_day_counts(
        &self,
        day: domain::time::Date,
        from: Option<i64>,
    ) -> StoreResult<DayCounts> {
        sqlx::query_as(
            "SELECT e.level, e.channel, count(*) FROM evaluation e \
             JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE e.created_at >= $1 AND e.created_at < $2 AND o.kind NOT IN ('walk_in', 'general', 'inspection') \
             AND ($3 IS NULL OR (o.business_system_id = $3 AND o.kind = 'reported')) \
             AND NOT EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) \
             GROUP BY e.level, e.channel ORDER BY e.level, e.channel",
        )
        .bind(day.start_unix_ms_cst())
        .bind(day.end_unix_ms_cst())
        .bind(from)
        .fetch_all(&self.pool)
        .await
    }

    /// Keeps a day's comparison (replacing an earlier one of that day).
    pub async fn save_reconciliation(
        &self,
        target: i64,
        day: i64,
        rows: &[(i64, String, i64, i64)],
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM upward_reconciliation WHERE target_id = $1 AND day = $2")
            .bind(target)
            .bind(day)
            .execute(&mut *tx)
            .await?;
        for (level, channel, ours, theirs) in rows {
            sqlx::query(
                "INSERT INTO upward_reconciliation (target_id, day, level, channel, ours, theirs, \
                 checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(target)
            .bind(day)
            .bind(level)
            .bind(channel)
            .bind(ours)
            .bind(theirs)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// PostgreSQL's claim, one statement: outbox rows after the target's cursor in (transaction, id)
/// order, written by transactions that have all ended (older than the oldest still running, so
/// no row can still appear before the cursor: migration 0004), get their delivery rows; the
/// cursor moves to the last of them; the count claimed.
const CLAIM_BY_TRANSACTION: &str = "WITH next AS ( \
        SELECT x.id, x.occurrence_id, x.written_in FROM upward_target t \
        JOIN upward_outbox x ON (x.written_in, x.id) > (t.claimed_xid, t.claimed_to) \
        WHERE t.id = $1 AND x.written_in < pg_snapshot_xmin(pg_current_snapshot()) \
        ORDER BY x.written_in, x.id LIMIT $3), \
    claimed AS ( \
        INSERT INTO upward_delivery (target_id, outbox_id, occurrence_id, next_at) \
        SELECT $1, id, occurrence_id, $2 FROM next RETURNING 1), \
    last AS (SELECT written_in, id FROM next ORDER BY written_in DESC, id DESC LIMIT 1), \
    moved AS ( \
        UPDATE upward_target t SET claimed_xid = last.written_in, claimed_to = last.id \
        FROM last WHERE t.id = $1 RETURNING 1) \
    SELECT count(*) FROM claimed";
