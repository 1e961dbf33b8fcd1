//! The PostgreSQL schema (`server/migrations_pg`) against the SQLite one (`server/migrations`):
//! the same history of writes on a fresh database of each, and every aggregate — `stat` summed
//! over its shards — and every outbox the triggers fill must come out row for row the same.
//! PostgreSQL is a throw-away cluster the test starts itself and removes afterwards.

use server::platform::db::Store;
use sqlx::{Connection, PgConnection};
use tests::{
    backends::{Backend, Cell},
    history,
    postgres::PgCluster,
};

/// Each aggregate (the view PostgreSQL reads its shards through), keyed as its rows are.
const AGGREGATES: [(&str, &str); 8] = [
    ("stat", "scope, scope_id, month"),
    ("stat_reason", "scope, scope_id, month, reason_code"),
    ("stat_channel", "scope, scope_id, month, channel"),
    ("stat_walk_in", "scope, scope_id, month"),
    ("stat_voice", "scope, scope_id, month"),
    ("stat_complaint", "scope, scope_id, month, source"),
    ("stat_hour", "hall_id, month, weekday, hour"),
    ("stat_day", "window_id, day"),
];

/// What else the triggers write in the transaction of what they count: the kind of each
/// rating, the upward outbox and its steps, 12345's callbacks and forwarded work orders.
const WRITTEN_BY_TRIGGERS: [&str; 5] = [
    "SELECT tracking_code, kind, comment FROM evaluation ORDER BY tracking_code",
    "SELECT occurrence_id, kind, step_id FROM upward_outbox ORDER BY id",
    "SELECT id, occurrence_id, kind, text, at, ticket_event_id FROM upward_step ORDER BY id",
    "SELECT referral_id, event_id, status, note, at, next_try_at FROM referral_callback ORDER BY id",
    "SELECT ticket_id, kind, event_id, status, note, at, next_try_at FROM forward_message ORDER BY id",
];

/// The columns of `table` as SQLite declares them (the view has the same).
async fn columns(sqlite: &mut Backend, table: &str) -> String {
    let names: Vec<String> = sqlite
        .rows(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .await
        .into_iter()
        .map(|row| match &row[0] {
            Cell::Text(name) => name.clone(),
            other => panic!("column name {other:?}"),
        })
        .collect();
    assert!(!names.is_empty(), "no table {table}");
    names.join(", ")
}

/// Rows of `sql` on both backends, with a readable difference when they are not the same.
async fn same_rows(sqlite: &mut Backend, postgres: &mut Backend, sql: &str) -> usize {
    let left = sqlite.rows(sql).await;
    let right = postgres.rows(sql).await;
    let only = |these: &[Vec<Cell>], those: &[Vec<Cell>]| {
        these
            .iter()
            .filter(|r| !those.contains(r))
            .map(|r| format!("\n  {r:?}"))
            .collect::<String>()
    };
    assert!(
        left == right,
        "{sql}\nonly on SQLite:{}\nonly on PostgreSQL:{}",
        only(&left, &right),
        only(&right, &left)
    );
    left.len()
}

fn int(cell: &Cell) -> i64 {
    match cell {
        Cell::Int(n) => *n,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn sqlite_and_postgres_keep_the_same_aggregates() {
    let cluster = PgCluster::start().await;
    let url = cluster.migrated_database("contract").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sqlite = Backend::sqlite(&dir.path().join("contract.db")).await;
    // Three connections taken in turn: the writes land in several shards.
    let mut postgres = Backend::postgres(&url, 3).await;

    history::write(&mut sqlite).await;
    history::write(&mut postgres).await;

    for (table, key) in AGGREGATES {
        let columns = columns(&mut sqlite, table).await;
        let rows = same_rows(
            &mut sqlite,
            &mut postgres,
            &format!("SELECT {columns} FROM {table} ORDER BY {key}"),
        )
        .await;
        assert!(rows > 0, "{table} is empty: the history does not reach it");
    }
    for sql in WRITTEN_BY_TRIGGERS {
        assert!(
            same_rows(&mut sqlite, &mut postgres, sql).await > 0,
            "{sql}"
        );
    }

    // The history reaches what it is meant to: both months, invalidations by appeal and by a
    // county, complaints late and on time, forwarded 差评 — and PostgreSQL's counts really are
    // spread over shards that the views add up.
    let all = sqlite
        .rows(
            "SELECT month, l1 + l2 + l3 + l4 + l5, invalidated, appeals_upheld, received \
             FROM stat WHERE scope = 'all' ORDER BY month",
        )
        .await;
    assert_eq!(all.len(), 2, "two months: {all:?}");
    assert!(all.iter().all(|row| int(&row[1]) > 0), "{all:?}");
    assert!(
        all.iter().map(|row| int(&row[2])).sum::<i64>() >= 3,
        "{all:?}"
    );
    let complaints = sqlite
        .rows(
            "SELECT sum(on_time), sum(late), sum(complex) FROM stat_complaint WHERE scope = 'all'",
        )
        .await;
    assert!(complaints[0].iter().all(|n| int(n) > 0), "{complaints:?}");
    let shards = postgres
        .rows(
            "SELECT count(DISTINCT shard) FROM stat_shard WHERE scope = 'all' \
             AND month = (SELECT min(month) FROM stat_shard)",
        )
        .await;
    assert!(int(&shards[0][0]) > 1, "one shard only: {shards:?}");

    // The full recount (`haochaping rebuild-stats`, and after old data) writes the same rows on
    // both: into the table on SQLite, into shard 0 under the view on PostgreSQL.
    let sqlite_url = format!("sqlite://{}", dir.path().join("contract.db").display());
    for url in [&sqlite_url, &url] {
        let store = Store::connect(url).await.expect("store");
        store.rebuild_stats().await.expect("rebuild");
        store.pool().close().await;
    }
    for (table, key) in AGGREGATES {
        let columns = columns(&mut sqlite, table).await;
        let sql = format!("SELECT {columns} FROM {table} ORDER BY {key}");
        assert!(
            same_rows(&mut sqlite, &mut postgres, &sql).await > 0,
            "{table} after the rebuild"
        );
    }
    let shards = postgres
        .rows("SELECT count(*) FROM stat_shard WHERE shard <> 0")
        .await;
    assert_eq!(int(&shards[0][0]), 0, "the rebuild leaves one shard");
}

/// The upward reporter's claim on PostgreSQL, where many transactions write the outbox at once: a
/// row whose id is smaller than one already claimed, committed later, is still claimed — every
/// committed outbox row gets its delivery row exactly once.
#[tokio::test]
async fn postgres_upward_claim_loses_no_row_committed_out_of_id_order() {
    let cluster = PgCluster::start().await;
    let url = cluster.migrated_database("claim").await;
    let mut db = Backend::postgres(&url, 1).await;
    history::write(&mut db).await;
    let store = Store::connect(&url).await.expect("store");
    sqlx::query(
        "INSERT INTO upward_target (name, url, mapping, sign_method, key_enc, data_source, created_at) \
         VALUES ('省平台', 'http://127.0.0.1:9/', 'national', 'hmac-sha256', '\\x00', 'county', 0)",
    )
    .execute(store.pool())
    .await
    .expect("target");
    let target: i64 = sqlx::query_scalar("SELECT id FROM upward_target")
        .fetch_one(store.pool())
        .await
        .expect("target id");
    let write = "INSERT INTO upward_outbox (occurrence_id, kind, created_at) \
                 SELECT min(id), 'evaluation', 0 FROM service_occurrence RETURNING id";

    // `early` takes its transaction id first; `late` then writes the smaller outbox id and is
    // still running when `early` writes the larger one and commits, and when the reporter claims.
    let mut early = PgConnection::connect(&url).await.expect("connect");
    let mut late = PgConnection::connect(&url).await.expect("connect");
    sqlx::query("BEGIN")
        .execute(&mut early)
        .await
        .expect("begin");
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut early)
        .await
        .expect("xid");
    sqlx::query("BEGIN")
        .execute(&mut late)
        .await
        .expect("begin");
    let smaller: i64 = sqlx::query_scalar(write)
        .fetch_one(&mut late)
        .await
        .expect("outbox row");
    let larger: i64 = sqlx::query_scalar(write)
        .fetch_one(&mut early)
        .await
        .expect("outbox row");
    assert!(smaller < larger);
    sqlx::query("COMMIT")
        .execute(&mut early)
        .await
        .expect("commit");
    let first = store.claim_upward(target, 0, 100_000).await.expect("claim");
    let claimed = |id: i64| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM upward_delivery WHERE target_id = $1 AND outbox_id = $2",
            )
            .bind(target)
            .bind(id)
            .fetch_one(store.pool())
            .await
            .expect("count")
        }
    };
    assert_eq!(claimed(larger).await, 1, "a committed row is claimed");
    assert_eq!(
        claimed(smaller).await,
        0,
        "a running transaction's row is not visible yet"
    );

    sqlx::query("COMMIT")
        .execute(&mut late)
        .await
        .expect("commit");
    let second = store.claim_upward(target, 0, 100_000).await.expect("claim");
    assert_eq!(second, 1, "only the late row is left");
    assert_eq!(
        claimed(smaller).await,
        1,
        "the late row is claimed after all"
    );
    assert_eq!(
        store.claim_upward(target, 0, 100_000).await.expect("claim"),
        0
    );
    let (outbox, deliveries): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM upward_outbox), \
         (SELECT count(*) FROM upward_delivery WHERE target_id = $1)",
    )
    .bind(target)
    .fetch_one(store.pool())
    .await
    .expect("counts");
    assert_eq!(outbox, deliveries, "every outbox row claimed once");
    assert_eq!(first + second, deliveries.unsigned_abs());
}

/// Every connection of the store runs without JIT compilation (it cost 1 s of the 1.4 s the
/// open data of a month took at 3 × 10⁷ ratings).
#[tokio::test]
async fn postgres_connections_run_without_jit() {
    let cluster = PgCluster::start().await;
    let url = cluster.migrated_database("jit").await;
    let store = Store::connect(&url).await.expect("store");
    // Three connections held at once, so that each answer comes from a connection of its own.
    let mut connections = Vec::new();
    for _ in 0..3 {
        connections.push(store.pool().acquire().await.expect("connection"));
    }
    let mut seen = Vec::new();
    for connection in &mut connections {
        let jit: String = sqlx::query_scalar("SELECT current_setting('jit')")
            .fetch_one(&mut **connection)
            .await
            .expect("setting");
        seen.push(jit);
    }
    assert_eq!(seen, ["off", "off", "off"]);
}
