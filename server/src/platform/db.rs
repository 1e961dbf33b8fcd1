//! `Store` — the one handle to the database. Each feature adds the methods it needs in its own
//! `store.rs` (`impl Store` blocks), named after the use case they serve.

use std::{str::FromStr, time::Duration};

use sqlx::{
    Executor,
    any::{AnyPoolOptions, install_default_drivers},
    sqlite::SqliteConnectOptions,
};

/// The database behind the store: sqlx's `Any` over SQLite (one centre, embedded) or PostgreSQL
/// (a province), chosen at run time by the URL's scheme. The queries are written once, in the SQL
/// both accept (`$1` placeholders, `CAST(… AS BIGINT)` where a sum must stay an integer); the
/// PostgreSQL schema gives SQLite's few functions the product uses (`group_concat`,
/// `json_extract`, …) and its table names (views over the sharded counters).
pub type Db = sqlx::Any;
/// A pool of connections to it.
pub type Pool = sqlx::AnyPool;
/// One connection (the writer's, or a transaction's).
pub type Connection = sqlx::AnyConnection;
/// A transaction.
pub type Tx<'c> = sqlx::Transaction<'c, Db>;
/// A row read without a `FromRow` type.
pub type DbRow = sqlx::any::AnyRow;

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded file (`sqlite://…`): one writer at a time, group commit.
    Sqlite,
    /// A server (`postgres://…`): many writers, sharded counters, advisory locks.
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    /// The table that holds the rows of the aggregate `name` (`stat`, `stat_reason`, …) for a
    /// query that sums them anyway: SQLite keeps one row per key in `name` itself; PostgreSQL keeps
    /// writers' shards in `<name>_shard`, which the view `name` sums per key. Reading the shards
    /// lets PostgreSQL reach one key's rows by its index instead of summing the whole view before
    /// a join (a department's windows in a month at 3 × 10⁷ ratings: 9.9 → 0.5 ms).
    pub fn rows_of(self, name: &str) -> String {
        match self {
            Backend::Sqlite => name.to_owned(),
            Backend::Postgres => format!("{name}_shard"),
        }
    }

    /// Starts a transaction that no other writer runs beside: SQLite's `BEGIN IMMEDIATE` (the
    /// write lock up front), PostgreSQL's transaction-scoped advisory lock `key` (taken by every
    /// instance before the same read-then-write).
    pub(crate) fn begin_exclusive_sql(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

/// The one handle to the database, built at start-up and shared through `AppState`.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Group commit for the citizens' writes (`platform::writer`).
    pub(crate) writer: super::writer::Writer,
    pub(crate) backend: Backend,
}

/// A failure of the database layer. Never shown to clients.
pub type StoreResult<T> = Result<T, StoreError>;

/// The database layer's error.
pub type StoreError = sqlx::Error;

/// Every SQLite connection: write-ahead log, every commit durable (`synchronous = FULL`: on disk
/// before it returns, so an acknowledged write survives a power cut as well as `kill -9`), foreign
/// keys enforced, a writer waits up to 5 s for the lock. The log is cut back to 64 MB whenever a
/// checkpoint empties it: one big transaction (an import, `generate`) would otherwise leave a log
/// as large as everything it wrote on the disk for good (8 GB after 3 × 10⁷ generated ratings).
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA journal_size_limit = 67108864;";

/// Every PostgreSQL connection: no JIT compilation. The product's queries are short or read the
/// kept aggregates; compiling them cost more than it saved (the open data of a month at 3 × 10⁷
/// ratings: 1,390 ms with JIT, 330 ms without).
const POSTGRES_SETUP: &str = "SET jit = off";

/// The SQLite URL with the file created when missing (`mode=rwc`) unless it says otherwise.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// A pool of `size` connections to `url` (`backend`'s), each set up as the store needs.
async fn pool(url: &str, backend: Backend, size: u32) -> anyhow::Result<Pool> {
    pool_with(url, backend, AnyPoolOptions::new().max_connections(size)).await
}

async fn pool_with(url: &str, backend: Backend, options: AnyPoolOptions) -> anyhow::Result<Pool> {
    install_default_drivers();
    let options = options.acquire_timeout(Duration::from_secs(30));
    let (setup, url) = match backend {
        Backend::Sqlite => (SQLITE_SETUP, sqlite_url(url)),
        Backend::Postgres => (POSTGRES_SETUP, url.to_owned()),
    };
    let pool = options
        .after_connect(move |connection, _| {
            Box::pin(async move {
                connection.execute(setup).await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    Ok(pool)
}

impl Store {
    /// Opens the database at `url` (an SQLite file is created if missing) and applies its
    /// backend's migrations. The citizens' writes share commits through the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let backend = Backend::of(url)?;
        let pool = pool(url, backend, 8).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations_pg").run(&pool).await?,
        }
        let writing = pool_for_writer(url, backend).await?;
        let writer = super::writer::Writer::start(writing, backend);
        Ok(Store {
            pool,
            writer,
            backend,
        })
    }

    /// A store on `pool` whose writer shares it (unit tests on an in-memory database).
    #[cfg(test)]
    pub(crate) fn on_pool(pool: Pool) -> Store {
        let writer = super::writer::Writer::start(pool.clone(), Backend::Sqlite);
        Store {
            pool,
            writer,
            backend: Backend::Sqlite,
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that no other writer of any instance runs beside (see
    /// [`Backend::begin_exclusive_sql`]); `lock` names the read-then-write it protects.
    pub(crate) async fn begin_exclusive(&self, lock: ExclusiveLock) -> StoreResult<Tx<'static>> {
        let mut tx = self
            .pool
            .begin_with(self.backend.begin_exclusive_sql())
            .await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock as i64)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// The writer's batch sizes so far (the benchmark reports them).
    pub fn batch_stats(&self) -> &super::writer::BatchStats {
        &self.writer.stats
    }

    /// The pool itself: for the demo data, the tests and the benchmarks only (feature `dev-data`).
    #[cfg(feature = "dev-data")]
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// A pool of `size` connections to the SQLite database `url`, set up like the store's (unit tests).
#[cfg(test)]
pub(crate) async fn test_pool(url: &str, size: u32) -> Pool {
    pool(url, Backend::Sqlite, size).await.expect("test pool")
}

/// A migrated in-memory SQLite database on one connection (unit tests).
#[cfg(test)]
pub(crate) async fn memory_pool() -> Pool {
    let pool = test_pool("sqlite::memory:", 1).await;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .expect("migrations");
    pool
}

/// The read-then-write sequences that must not interleave across instances (PostgreSQL advisory
/// lock keys; SQLite's write lock covers them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i64)]
pub(crate) enum ExclusiveLock {
    /// Counting a name's failed log-ins and claiming the next attempt.
    LoginAttempt = 0x6863_7001,
    /// Reading a queue system's visit by (hall, day, number) and writing it.
    Visit = 0x6863_7002,
}

/// The writer's own connections, one per lane, kept open for good: SQLite's one writing
/// connection (group commit); PostgreSQL's writers.
async fn pool_for_writer(url: &str, backend: Backend) -> anyhow::Result<Pool> {
    let lanes = super::writer::lanes(backend);
    let options = AnyPoolOptions::new()
        .max_connections(lanes)
        .min_connections(lanes)
        .idle_timeout(None)
        .max_lifetime(None);
    pool_with(url, backend, options).await
}

/// 备份 — a consistent copy of the SQLite database at `url`, taken while the server runs: `VACUUM
/// INTO` reads one snapshot (a WAL read transaction, so writers go on) into a new file next to
/// `dest`, which is checked (`PRAGMA integrity_check`), made readable by its owner only (it holds
/// sealed personal data) and then renamed to `dest`. Returns the evaluations the copy holds.
pub async fn backup(url: &str, dest: &std::path::Path) -> anyhow::Result<i64> {
    use anyhow::Context;
    use sqlx::{ConnectOptions, Connection};
    anyhow::ensure!(
        Backend::of(url)? == Backend::Sqlite,
        "PostgreSQL is backed up with its own tools (pg_dump, base backups): see the README"
    );
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut source = SqliteConnectOptions::from_str(url)?
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .context("open the database")?;
    let target = partial.to_str().context("a backup path in UTF-8")?;
    sqlx::query("VACUUM INTO $1")
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
