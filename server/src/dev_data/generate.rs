//! 测试数据生成 — fills an empty database with a province-like year for load tests and benchmarks:
//! counties with halls, departments, windows, staff and service items; millions of occurrences
//! and ratings with a realistic level mix; bad reviews with their tickets in every state; some
//! appeals upheld. Bulk SQL in one transaction on either backend: each table is filled by one
//! `INSERT … SELECT` over a series of numbers computed inside the database (nothing row by row
//! crosses the connection); the aggregate triggers are set aside while the rows go in and the
//! aggregates are recomputed once at the end (the same result, far faster).

use crate::platform::db::{Backend, Store, StoreResult, Tx, now, now_ms};

/// The few spellings of bulk generation that differ between SQLite and PostgreSQL.
#[derive(Debug, Clone, Copy)]
struct Bulk(Backend);

impl Bulk {
    /// `WITH c(n)`: the numbers `0 .. $1`.
    fn numbers(self) -> &'static str {
        match self.0 {
            Backend::Sqlite => {
                "WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n + 1 < $1)"
            }
            Backend::Postgres => "WITH c(n) AS (SELECT generate_series(CAST(0 AS BIGINT), $1 - 1))",
        }
    }

    /// A random whole number in `0 .. below`, new for each row.
    fn random_below(self, below: i64) -> String {
        match self.0 {
            Backend::Sqlite => format!("abs(random()) % {below}"),
            Backend::Postgres => format!("CAST(floor(random() * {below}) AS BIGINT)"),
        }
    }

    /// `prefix` and the number `n` (at most `width` digits) in `width` digits, zeros in front.
    fn padded(self, prefix: &str, n: &str, width: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("printf('{prefix}%0{width}d', {n})"),
            Backend::Postgres => format!("'{prefix}' || lpad(CAST({n} AS TEXT), {width}, '0')"),
        }
    }

    /// `chars` (≤ 24) random upper-case hexadecimal digits, new for each row.
    fn random_hex(self, chars: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("substr(hex(randomblob(12)), 1, {chars})"),
            Backend::Postgres => format!(
                "upper(substr(md5(CAST(random() AS TEXT) || CAST(clock_timestamp() AS TEXT)), 1, {chars}))"
            ),
        }
    }

    /// Sets the aggregate triggers aside for this transaction; returns how to put them back.
    async fn set_triggers_aside(self, tx: &mut Tx<'_>) -> StoreResult<Vec<String>> {
        let (list, aside, back) = match self.0 {
            Backend::Sqlite => (
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stat_%'",
                "DROP TRIGGER {name}",
                "{sql}",
            ),
            Backend::Postgres => (
                "SELECT CAST(t.tgname AS TEXT) AS name, CAST(c.relname AS TEXT) AS sql FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE NOT t.tgisinternal AND t.tgname LIKE '%_counted'",
                "ALTER TABLE {sql} DISABLE TRIGGER {name}",
                "ALTER TABLE {sql} ENABLE TRIGGER {name}",
            ),
        };
        let triggers: Vec<(String, String)> = sqlx::query_as(list).fetch_all(&mut **tx).await?;
        let mut restore = Vec::with_capacity(triggers.len());
        for (name, sql) in &triggers {
            let fill = |text: &str| text.replace("{name}", name).replace("{sql}", sql);
            sqlx::query(&fill(aside)).execute(&mut **tx).await?;
            restore.push(fill(back));
        }
        Ok(restore)
    }
}

/// `prefix` followed by the number `n`.
fn numbered(prefix: &str, n: &str) -> String {
    format!("'{prefix}' || CAST({n} AS TEXT)")
}

/// The largest id of `table` so far (0 when empty).
async fn last_id(tx: &mut Tx<'_>, table: &str) -> StoreResult<i64> {
    sqlx::query_scalar(&format!("SELECT coalesce(max(id), 0) FROM {table}"))
        .fetch_one(&mut **tx)
        .await
}

/// The first id `table` gave after `before` (one statement's rows take consecutive ids).
async fn first_after(tx: &mut Tx<'_>, table: &str, before: i64) -> StoreResult<i64> {
    sqlx::query_scalar(&format!(
        "SELECT coalesce(min(id), 0) FROM {table} WHERE id > $1"
    ))
    .bind(before)
    .fetch_one(&mut **tx)
    .await
}

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateSpec {
    pub ratings: i64,
    pub counties: i64,
    pub departments_per_county: i64,
    pub windows_per_department: i64,
    pub items_per_department: i64,
    /// The months before now that the year spans.
    pub months: i64,
}

impl GenerateSpec {
    /// A province: 10 million ratings over 12 months, 100 counties × 10 departments × 3 windows
    /// (3,000 windows and clerks) × 5 service items.
    pub fn province(ratings: i64) -> Self {
        GenerateSpec {
            ratings,
            counties: 100,
            departments_per_county: 10,
            windows_per_department: 3,
            items_per_department: 5,
            months: 12,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy)]
pub struct Generated {
    pub windows: i64,
    pub occurrences: i64,
    pub ratings: i64,
    pub bad: i64,
}

impl Store {
    /// Generates `spec` into an empty database. The reason codes for 不满意 and 非常不满意 come from
    /// the catalogue, so the data is valid for it.
    pub async fn generate(
        &self,
        spec: GenerateSpec,
        bad_reasons: (i64, i64),
    ) -> StoreResult<Generated> {
        let bulk = Bulk(self.backend);
        let numbers = bulk.numbers();
        let mut tx = self.pool.begin().await?;
        let triggers = bulk.set_triggers_aside(&mut tx).await?;
        let province: i64 = sqlx::query_scalar(
            "INSERT INTO region (code, name) VALUES ('980000', '示范省') RETURNING id",
        )
        .fetch_one(&mut *tx)
        .await?;
        let windows_per_county = spec.departments_per_county * spec.windows_per_department;
        // Organisation, in id order so that arithmetic on row numbers finds each one's parents.
        sqlx::query(&format!(
            "{numbers} INSERT INTO region (code, name, parent_id) SELECT {}, {}, $2 FROM c ORDER BY n",
            bulk.padded("99", "n", 4),
            numbered("示范县", "n"),
        ))
        .bind(spec.counties)
        .bind(province)
        .execute(&mut *tx)
        .await?;
        let first_county: i64 =
            sqlx::query_scalar("SELECT min(id) FROM region WHERE parent_id = $1")
                .bind(province)
                .fetch_one(&mut *tx)
                .await?;
        let before = last_id(&mut tx, "hall").await?;
        sqlx::query(
            "INSERT INTO hall (region_id, code, name) SELECT id, 'H' || code, name || '政务服务中心' \
             FROM region WHERE parent_id = $1 ORDER BY id",
        )
        .bind(province)
        .execute(&mut *tx)
        .await?;
        let first_hall = first_after(&mut tx, "hall", before).await?;
        let before = last_id(&mut tx, "department").await?;
        let departments = spec.counties * spec.departments_per_county;
        sqlx::query(&format!(
            "{numbers} INSERT INTO department (region_id, code, name) \
             SELECT $2 + n / $3, {}, {} FROM c ORDER BY n",
            bulk.padded("GD", "n", 5),
            numbered("部门", "n"),
        ))
        .bind(departments)
        .bind(first_county)
        .bind(spec.departments_per_county)
        .execute(&mut *tx)
        .await?;
        let first_department = first_after(&mut tx, "department", before).await?;
        let before = last_id(&mut tx, "service_window").await?;
        let windows = departments * spec.windows_per_department;
        sqlx::query(&format!(
            "{numbers} INSERT INTO service_window (hall_id, department_id, code, number, name, ecode) \
             SELECT $2 + n / $3, $4 + n / $5, {}, CAST(n % $5 + 1 AS TEXT), '综合窗口', lower({}) \
             FROM c ORDER BY n",
            bulk.padded("GW", "n", 6),
            bulk.random_hex(24),
        ))
        .bind(windows)
        .bind(first_hall)
        .bind(windows_per_county)
        .bind(first_department)
        .bind(spec.windows_per_department)
        .execute(&mut *tx)
        .await?;
        let first_window = first_after(&mut tx, "service_window", before).await?;
        let before = last_id(&mut tx, "staff").await?;
        sqlx::query(
            "INSERT INTO staff (department_id, window_id, staff_no, name) \
             SELECT department_id, id, 'G' || code, '工作人员' || CAST(id AS TEXT) FROM service_window \
             WHERE id >= $1 ORDER BY id",
        )
        .bind(first_window)
        .execute(&mut *tx)
        .await?;
        let first_staff = first_after(&mut tx, "staff", before).await?;
        let before = last_id(&mut tx, "service_item").await?;
        sqlx::query(&format!(
            "{numbers} INSERT INTO service_item (department_id, code, name) \
             SELECT $2 + n / $3, {}, {} FROM c ORDER BY n",
            bulk.padded("99", "n", 10),
            numbered("事项", "n"),
        ))
        .bind(departments * spec.items_per_department)
        .bind(first_department)
        .bind(spec.items_per_department)
        .execute(&mut *tx)
        .await?;
        let first_item = first_after(&mut tx, "service_item", before).await?;
        let account: i64 = sqlx::query_scalar(
            "INSERT INTO account (username, password_hash, role, created_at) \
             VALUES ('generator', '!', 'supervisor', $1) RETURNING id",
        )
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;

        // Occurrences: one in twenty is never rated. Spread evenly over the months, at office hours.
        let occurrences = spec.ratings * 20 / 19;
        let start = now_ms() - spec.months * 30 * 86_400_000;
        let span = spec.months * 30 * 86_400_000;
        let before = last_id(&mut tx, "service_occurrence").await?;
        sqlx::query(&format!(
            "{numbers} INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
             department_id, window_id, staff_id, channel, registered_at) \
             SELECT {}, 1, \
             $2 + ((n % $3) / $4) * $5 + (n / $3) % $5, \
             $6 + (n % $3) / $4, $7 + n % $3, $8 + n % $3, \
             CASE {} WHEN 0 THEN 'sms' WHEN 1 THEN 'pc' WHEN 2 THEN 'mobile' \
                  WHEN 3 THEN 'hall_device' ELSE 'qr_code' END, \
             $9 + n * $10 / $1 - ($9 + n * $10 / $1) % 86400000 + 3600000 * {} + {} \
             FROM c ORDER BY n",
            bulk.padded("G", "n", 10),
            bulk.random_below(10),
            bulk.random_below(9),
            bulk.random_below(3_600_000),
        ))
        .bind(occurrences)
        .bind(first_item)
        .bind(windows)
        .bind(spec.windows_per_department)
        .bind(spec.items_per_department)
        .bind(first_department)
        .bind(first_window)
        .bind(first_staff)
        .bind(start)
        .bind(span)
        .execute(&mut *tx)
        .await?;
        let first_occurrence = first_after(&mut tx, "service_occurrence", before).await?;
        // Ratings: 19 of every 20 occurrences; 97.6 % 非常满意, 2 % 满意, 0.3 % 基本满意,
        // 0.07 % 不满意, 0.03 % 非常不满意 (≈ 0.1 % 差评, as domain.md §7 reports).
        sqlx::query(&format!(
            "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, channel, created_at) \
             SELECT id, 'G' || {}, \
             CASE WHEN r < 30 THEN 1 WHEN r < 100 THEN 2 WHEN r < 400 THEN 3 WHEN r < 2400 THEN 4 ELSE 5 END, \
             2, channel, registered_at + 60000 \
             FROM (SELECT id, channel, registered_at, {} AS r FROM service_occurrence \
                   WHERE id >= $1 AND (id - $1) % 20 <> 19) AS o ORDER BY id",
            bulk.random_hex(15),
            bulk.random_below(100_000),
        ))
        .bind(first_occurrence)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO evaluation_reason (evaluation_id, reason_code) \
             SELECT id, CASE level WHEN 1 THEN $1 ELSE $2 END FROM evaluation WHERE level <= 2",
        )
        .bind(bad_reasons.0)
        .bind(bad_reasons.1)
        .execute(&mut *tx)
        .await?;
        tickets_for_generated(&mut tx, first_occurrence, account).await?;
        for sql in &triggers {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.rebuild_stats().await?;
        if self.backend == Backend::Postgres {
            // Planner statistics for the loaded tables now, not whenever autovacuum comes by: a
            // department's page right after loading 10⁶ ratings took 9.1 ms without, 3.7 ms with.
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        let count = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&self.pool)
                .await
        };
        Ok(Generated {
            windows,
            occurrences,
            ratings: count("SELECT count(*) FROM evaluation").await?,
            bad: count("SELECT count(*) FROM evaluation WHERE level <= 2").await?,
        })
    }
}

/// Tickets for the generated 差评 of occurrences from `from_occurrence` on, taken through the loop
/// in bulk: most closed after the whole loop, some still open or rectifying, one in twenty appealed
/// and upheld (decided by `account`).
async fn tickets_for_generated(
    tx: &mut Tx<'_>,
    from_occurrence: i64,
    account: i64,
) -> StoreResult<()> {
    // Tickets: most closed after the whole loop; some still open or rectifying; one in twenty
    // appealed and upheld.
    sqlx::query(
        "INSERT INTO ticket (kind, evaluation_id, department_id, state, real_name, opened_at, \
             contact_due_at, state_due_at, escalated, updated_at, service_registered_at) \
             SELECT 'bad_review', e.id, o.department_id, \
             CASE WHEN e.id % 20 = 0 THEN 'closed' WHEN e.id % 10 = 1 THEN 'open' \
                  WHEN e.id % 10 = 2 THEN 'rectifying' ELSE 'closed' END, \
             e.id % 2 = 1, e.created_at, e.created_at + 86400000, \
             CASE WHEN e.id % 20 <> 0 AND e.id % 10 = 2 THEN e.created_at + 3 * 86400000 END, \
             FALSE, e.created_at, o.registered_at \
             FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE e.level <= 2 AND o.id >= $1",
    )
    .bind(from_occurrence)
    .execute(&mut **tx)
    .await?;
    for (action, to, only) in [
        ("open", "open", "TRUE"),
        ("record_check", "verified", "t.state <> 'open'"),
        ("triage_appeal", "appealed", "e.id % 20 = 0"),
        ("decide_appeal_upheld", "closed", "e.id % 20 = 0"),
        (
            "triage_fix_now",
            "rectifying",
            "t.state <> 'open' AND e.id % 20 <> 0",
        ),
        (
            "record_rectification",
            "awaiting_reply",
            "t.state = 'closed' AND e.id % 20 <> 0",
        ),
        ("reply", "replied", "t.state = 'closed' AND e.id % 20 <> 0"),
        (
            "rate_fix_satisfied",
            "closed",
            "t.state = 'closed' AND e.id % 20 <> 0",
        ),
    ] {
        let actor = if action == "open" {
            "'system'".to_owned()
        } else if action == "rate_fix_satisfied" {
            "'citizen'".to_owned()
        } else {
            format!("'account:{account}'")
        };
        sqlx::query(&format!(
            "INSERT INTO ticket_event (ticket_id, actor, action, to_state, at) \
                 SELECT t.id, {actor}, $1, $2, t.opened_at + 3600000 FROM ticket t \
                 JOIN evaluation e ON e.id = t.evaluation_id \
                 WHERE e.occurrence_id >= $3 AND ({only}) ORDER BY t.id"
        ))
        .bind(action)
        .bind(to)
        .bind(from_occurrence)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO evaluation_invalidation (evaluation_id, ticket_id, decided_by, reason, at) \
             SELECT e.id, t.id, $1, '回访核实系误评（生成数据）', t.opened_at + 7200000 \
             FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id \
             WHERE e.id % 20 = 0 AND e.occurrence_id >= $2",
    )
    .bind(account)
    .bind(from_occurrence)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Demo history: for each window, `per_month` services in each of the `months` months before
    /// this one, most rated (a few 差评, each with its ticket taken through the loop by `account`),
    /// so that the demo's trend, report and rankings have something to show. Triggers count them.
    pub async fn demo_history(
        &self,
        months: i64,
        per_month: i64,
        account: i64,
        bad_reason: i64,
    ) -> StoreResult<()> {
        let bulk = Bulk(self.backend);
        let mut tx = self.pool.begin().await?;
        let before = last_id(&mut tx, "service_occurrence").await?;
        let mut month = now().month_cst();
        for _ in 0..months {
            month = month.prev();
            let start = month.start_unix_ms_cst();
            sqlx::query(&format!(
                "{} INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
                 department_id, window_id, staff_id, channel, registered_at) \
                 SELECT 'HIST-' || CAST($2 AS TEXT) || '-' || CAST(w.id AS TEXT) || '-' || CAST(n AS TEXT), 1, \
                 (SELECT min(id) FROM service_item i WHERE i.department_id = w.department_id), \
                 w.department_id, w.id, (SELECT min(id) FROM staff s WHERE s.window_id = w.id), 'qr_code', \
                 $3 + n * 2160000000 / $1 + 3600000 + 60000 * ((w.id * 37 + n * 11) % 420) \
                 FROM service_window w, c ORDER BY w.id, n",
                bulk.numbers()
            ))
            .bind(per_month)
            .bind(month)
            .bind(start)
            .execute(&mut *tx)
            .await?;
        }
        let first_occurrence = first_after(&mut tx, "service_occurrence", before).await?;
        sqlx::query(&format!(
            "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, channel, created_at) \
             SELECT id, 'H' || {}, \
             CASE WHEN r < 6 + (window_id % 3) * 8 THEN 2 WHEN r < 60 THEN 3 WHEN r < 260 THEN 4 ELSE 5 END, \
             2, channel, registered_at + 600000 \
             FROM (SELECT id, window_id, channel, registered_at, {} AS r \
                   FROM service_occurrence WHERE id >= $1 AND id % 10 <> 9) AS o ORDER BY id",
            bulk.random_hex(15),
            bulk.random_below(1000),
        ))
        .bind(first_occurrence)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO evaluation_reason (evaluation_id, reason_code) \
             SELECT id, $1 FROM evaluation WHERE level <= 2 AND occurrence_id >= $2",
        )
        .bind(bad_reason)
        .bind(first_occurrence)
        .execute(&mut *tx)
        .await?;
        tickets_for_generated(&mut tx, first_occurrence, account).await?;
        tx.commit().await
    }
}
