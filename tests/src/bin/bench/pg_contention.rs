//! `bench pg-contention [RATINGS]`: what a hot counter row costs on PostgreSQL. 64 connections
//! store ratings of the same department in the same month (the product's rating transaction:
//! the evaluation, its reason, and for every 50th — a 差评 — its ticket; the triggers keep every
//! aggregate), into a fresh database of a throw-away cluster per run:
//! - the counters sharded as the schema has them (`stat_shard()`, 16 shards);
//! - one row per counter key (`haochaping.stat_shards = 1`: every rating adds to the same rows);
//! - and, as the ceiling, the same inserts with no trigger at all (no aggregate, no foreign key).
//!
//! Each run alternates twice, so that neither comes first only. Durable commits (fsync on).

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use tests::postgres::{PgCluster, pool};

const CLIENTS: u32 = 64;
/// 2026-03-02 09:00 China time: the one month every rating is in.
const MONTH: i64 = 1_772_413_200_000;

/// One way of keeping the counters.
struct Mode {
    label: &'static str,
    /// Run on every connection first.
    setup: &'static str,
    /// The shards the department's row of the month should end up in.
    shards: i64,
}

const MODES: [Mode; 3] = [
    Mode {
        label: "one row per key (shard 0)",
        setup: "SET haochaping.stat_shards = 1",
        shards: 1,
    },
    Mode {
        label: "16 shards (stat_shard())",
        setup: "SET haochaping.stat_shards = 16",
        shards: 16,
    },
    Mode {
        label: "ceiling: no triggers",
        setup: "SET session_replication_role = replica",
        shards: 0,
    },
];

/// The organisation and `n` registered occurrences of one department and month.
async fn prepare(url: &str, n: usize) {
    let pool = pool(url, 1, "SELECT 1").await;
    for sql in [
        "INSERT INTO region (id, code, name) VALUES (1, '341125', '示范县')",
        "INSERT INTO department (id, region_id, code, name) VALUES (1, 1, 'BDC', '县不动产登记中心')",
        "INSERT INTO hall (id, region_id, code, name) VALUES (1, 1, 'H1', '示范县政务服务中心')",
        "INSERT INTO service_window (id, hall_id, department_id, code, number, name, ecode) \
         VALUES (1, 1, 1, 'H1-A01', 'A01', '不动产登记', 'E1')",
        "INSERT INTO staff (id, department_id, window_id, staff_no, name) VALUES (1, 1, 1, 'S001', '王芳')",
        "INSERT INTO service_item (id, department_id, code, name) VALUES (1, 1, '000112001000', '不动产登记')",
    ] {
        sqlx::query(sql).execute(&pool).await.expect("organisation");
    }
    // In chunks: one transaction updating the same counter row thousands of times walks an
    // ever longer chain of its own row versions (quadratic).
    let n = i64::try_from(n).expect("count");
    for from in (1..=n).step_by(400) {
        sqlx::query(
            "INSERT INTO service_occurrence (id, case_number, occurrence_no, service_item_id, \
             department_id, window_id, staff_id, channel, registered_at) \
             SELECT g, 'BENCH-' || g, 1, 1, 1, 1, 1, 'sms', $1 + g FROM generate_series($2, $3) AS g",
        )
        .bind(MONTH)
        .bind(from)
        .bind((from + 399).min(n))
        .execute(&pool)
        .await
        .expect("occurrences");
    }
    sqlx::query("ANALYZE")
        .execute(&pool)
        .await
        .expect("analyze");
    pool.close().await;
}

/// One rating as `features::rating` stores it.
async fn rate(pool: &sqlx::PgPool, occurrence: i64) -> Result<(), sqlx::Error> {
    let bad = occurrence % 50 == 0;
    let now = MONTH + 3_600_000 + occurrence;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, comment, \
         phone_enc, channel, device_hash, created_at) VALUES ($1, $2, $3, 1, $4, NULL, 'sms', \
         NULL, $5) ON CONFLICT (occurrence_id) DO NOTHING RETURNING id",
    )
    .bind(occurrence)
    .bind(format!("B{occurrence:09}"))
    .bind(if bad { 2_i64 } else { 5 })
    .bind(bad.then_some("等了很久"))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO evaluation_reason (evaluation_id, reason_code) VALUES ($1, $2)")
        .bind(id)
        .bind(if bad { 213_i64 } else { 510 })
        .execute(&mut *tx)
        .await?;
    if bad {
        let ticket: i64 = sqlx::query_scalar(
            "INSERT INTO ticket (kind, evaluation_id, department_id, state, real_name, opened_at, \
             contact_due_at, updated_at, service_registered_at) SELECT 'bad_review', $1, \
             department_id, 'open', FALSE, $2, NULL, $2, registered_at FROM service_occurrence \
             WHERE id = $3 RETURNING id",
        )
        .bind(id)
        .bind(now)
        .bind(occurrence)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ticket_event (ticket_id, actor, action, to_state, at) \
             VALUES ($1, 'system', 'open', 'open', $2)",
        )
        .bind(ticket)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Ratings per second and every rating's time (begin to commit).
async fn measure(url: &str, mode: &Mode, n: usize) -> (f64, Vec<Duration>) {
    let pool = pool(url, CLIENTS, mode.setup).await;
    let next = Arc::new(AtomicI64::new(1));
    let last = i64::try_from(n).expect("count");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (pool, next) = (pool.clone(), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let occurrence = next.fetch_add(1, Ordering::Relaxed);
                if occurrence > last {
                    break times;
                }
                let t = Instant::now();
                rate(&pool, occurrence).await.expect("rating stored");
                times.push(t.elapsed());
            }
        }));
    }
    let mut times = Vec::with_capacity(n);
    for task in tasks {
        times.extend(task.await.expect("client"));
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    pool.close().await;
    (rate, times)
}

/// The department's month as the shards add up, and how many shards hold its ratings.
async fn check(url: &str, mode: &Mode, n: usize) {
    let pool = pool(url, 1, "SELECT 1").await;
    let (rated, shards): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(l2 + l5), 0)::BIGINT, \
         count(DISTINCT shard) FILTER (WHERE l2 + l5 <> 0) FROM stat_shard \
         WHERE scope = 'department' AND scope_id = 1 AND month = 202603",
    )
    .fetch_one(&pool)
    .await
    .expect("stat");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM evaluation")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(stored as usize, n, "every acknowledged rating is stored");
    if mode.shards > 0 {
        assert_eq!(rated as usize, n, "{}: the department's counts", mode.label);
        assert!(shards <= mode.shards, "{}: {shards} shards", mode.label);
    }
    pool.close().await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `bench pg-contention [RATINGS]` (default 12,800 per run).
pub(crate) async fn run(n: usize) {
    let cluster = PgCluster::start().await;
    println!(
        "\nPostgreSQL contention: {CLIENTS} connections, {n} ratings per run of ONE department in \
         ONE month (every 50th a 差评 with its ticket), durable commits"
    );
    println!(
        "{:<28} {:>11} {:>9} {:>9}",
        "counters", "ratings/s", "p50 ms", "p99 ms"
    );
    let mut results: Vec<(usize, f64, f64)> = Vec::new();
    for round in 0..2 {
        for (m, mode) in MODES.iter().enumerate() {
            let url = cluster
                .migrated_database(&format!("bench_{round}_{m}"))
                .await;
            prepare(&url, n).await;
            let (rate, mut times) = measure(&url, mode, n).await;
            check(&url, mode, n).await;
            times.sort();
            let at = |q: f64| ms(times[((times.len() as f64 - 1.0) * q).round() as usize]);
            let (p50, p99) = (at(0.5), at(0.99));
            println!("{:<28} {rate:>11.0} {p50:>9.2} {p99:>9.2}", mode.label);
            results.push((m, rate, p99));
        }
    }
    let mean = |m: usize, f: fn(&(usize, f64, f64)) -> f64| {
        let picked: Vec<f64> = results.iter().filter(|r| r.0 == m).map(f).collect();
        picked.iter().sum::<f64>() / picked.len() as f64
    };
    println!(
        "16 shards / one row: ratings/s x{:.2}, p99 x{:.2}; 16 shards / no triggers: ratings/s x{:.2}",
        mean(1, |r| r.1) / mean(0, |r| r.1),
        mean(1, |r| r.2) / mean(0, |r| r.2),
        mean(1, |r| r.1) / mean(2, |r| r.1),
    );
}
