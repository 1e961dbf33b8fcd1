//! `Store` — the one handle to the database. Each feature adds the methods it needs in its own
//! `store.rs` (`impl Store` blocks), named after the use case they serve.

use std::{str::FromStr, time::Duration};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The one handle to the database, built at start-up and shared through `AppState`.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: SqlitePool,
    /// Group commit for the citizens' writes (`platform::writer`).
    pub(crate) writer: super::writer::Writer,
}

/// A failure of the database layer. Never shown to clients.
pub type StoreResult<T> = Result<T, StoreError>;

/// The database layer's error.
pub type StoreError = sqlx::Error;

impl Store {
    /// Opens (creating if missing) the SQLite database at `url` and applies the migrations.
    /// Every commit is durable (`synchronous = FULL`: on disk before it returns, so an
    /// acknowledged write survives a power cut as well as `kill -9`); the citizens' writes share
    /// commits through the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let writing = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let writer = super::writer::Writer::start(writing);
        Ok(Store { pool, writer })
    }

    /// A store on `pool` whose writer shares it (unit tests on an in-memory database).
    #[cfg(test)]
    pub(crate) fn on_pool(pool: SqlitePool) -> Store {
        let writer = super::writer::Writer::start(pool.clone());
        Store { pool, writer }
    }

    /// The writer's batch sizes so far (the benchmark reports them).
    pub fn batch_stats(&self) -> &super::writer::BatchStats {
        &self.writer.stats
    }

    /// The pool itself: for the demo data, the tests and the benchmarks only (feature `dev-data`).
    #[cfg(feature = "dev-data")]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// 备份 — a consistent copy of the SQLite database at `url`, taken while the server runs: `VACUUM
/// INTO` reads one snapshot (a WAL read transaction, so writers go on) into a new file next to
/// `dest`, which is checked (`PRAGMA integrity_check`), made readable by its owner only (it holds
/// sealed personal data) and then renamed to `dest`. Returns the evaluations the copy holds.
pub async fn backup(url: &str, dest: &std::path::Path) -> anyhow::Result<i64> {
    use anyhow::Context;
    use sqlx::{ConnectOptions, Connection};
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut source = SqliteConnectOptions::from_str(url)?
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .context("open the database")?;
    let target = partial.to_str().context("a backup path in UTF-8")?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut source)
        .await
        .context("copy the database")?;
    source.close().await?;
    let mut copy = SqliteConnectOptions::new()
        .filename(&partial)
        .read_only(true)
        .connect()
        .await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    anyhow::ensure!(
        check == "ok",
        "the copy failed its integrity check: {check}"
    );
    let evaluations: i64 = sqlx::query_scalar("SELECT count(*) FROM evaluation")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&partial, dest).context("put the backup in place")?;
    Ok(evaluations)
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// Now, as the domain's time value.
pub fn now() -> domain::time::Timestamp {
    domain::time::Timestamp::from_unix_ms(now_ms())
}

/// Runs a query that returns one integer: for tests and benchmarks that count rows (feature
/// `dev-data`).
#[cfg(feature = "dev-data")]
pub async fn scalar(store: &Store, sql: &str) -> StoreResult<i64> {
    sqlx::query_scalar(sql).fetch_one(&store.pool).await
}
