//! PostgreSQL for the contract tests and the benchmark: a throw-away cluster started through
//! `scripts/pg-cluster` (installed from Debian's packages if missing, on a private socket
//! directory), the PostgreSQL migrations applied, and everything stopped and removed when the
//! guard is dropped — also when the test fails.

use std::path::{Path, PathBuf};

use sqlx::{Connection, PgConnection, postgres::PgPoolOptions};

/// `scripts/pg-cluster`, from the workspace.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg-cluster")
}

/// A running throw-away cluster; dropping it stops the server and removes its directory.
pub struct PgCluster {
    dir: PathBuf,
    /// `postgres://…?host=<socket directory>`, for sqlx and psql alike.
    pub url: String,
}

impl PgCluster {
    /// Starts a cluster of its own (a few seconds: initdb, then pg_ctl -w).
    pub async fn start() -> PgCluster {
        let dir = tempfile::Builder::new()
            .prefix("haochaping-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        // The guard exists before the cluster does, so that a failed start is cleaned up too.
        let mut cluster = PgCluster {
            dir,
            url: String::new(),
        };
        let out = tokio::process::Command::new(script())
            .arg("start")
            .arg(&cluster.dir)
            .output()
            .await
            .expect("run scripts/pg-cluster");
        assert!(
            out.status.success(),
            "scripts/pg-cluster start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.url = String::from_utf8(out.stdout)
            .expect("url")
            .trim()
            .to_owned();
        cluster
    }

    /// A new database `name` with `server/migrations_pg` applied (sqlx's migrator, as the server
    /// will); its URL.
    pub async fn migrated_database(&self, name: &str) -> String {
        let mut admin = PgConnection::connect(&self.url).await.expect("connect");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        // The cluster's URL names the database `postgres` before its query string.
        let url = self.url.replacen("/postgres?", &format!("/{name}?"), 1);
        let mut conn = PgConnection::connect(&url).await.expect("connect");
        sqlx::migrate!("../server/migrations_pg")
            .run(&mut conn)
            .await
            .expect("PostgreSQL migrations");
        url
    }
}

/// Database `name` in the cluster at `cluster` (a `postgres://…/postgres?host=…` URL), created when
/// missing: its URL. The benchmarks keep their generated databases so.
pub async fn named_database(cluster: &str, name: &str) -> String {
    let mut admin = PgConnection::connect(cluster).await.expect("connect");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .expect("pg_database");
    if !exists {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
    }
    admin.close().await.expect("close");
    cluster.replacen("/postgres?", &format!("/{name}?"), 1)
}

/// The cluster the suite runs on, when `HAOCHAPING_TEST_POSTGRES` names one (`scripts/test` starts
/// it and runs the suite a second time): every test server gets a database of its own, copied from
/// a template that has `server/migrations_pg` applied (made once per test binary). `None`: the
/// suite runs on SQLite files.
pub async fn test_database() -> Option<String> {
    static TEMPLATE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let cluster = std::env::var("HAOCHAPING_TEST_POSTGRES").ok()?;
    let database = |name: &str| cluster.replacen("/postgres?", &format!("/{name}?"), 1);
    TEMPLATE
        .get_or_init(|| async {
            let mut admin = PgConnection::connect(&cluster).await.expect("connect");
            sqlx::query("DROP DATABASE IF EXISTS haochaping_template")
                .execute(&mut admin)
                .await
                .expect("drop the old template");
            sqlx::query("CREATE DATABASE haochaping_template")
                .execute(&mut admin)
                .await
                .expect("create the template");
            let mut conn = PgConnection::connect(&database("haochaping_template"))
                .await
                .expect("connect to the template");
            sqlx::migrate!("../server/migrations_pg")
                .run(&mut conn)
                .await
                .expect("PostgreSQL migrations");
            conn.close().await.expect("close");
            admin.close().await.expect("close");
        })
        .await;
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = PgConnection::connect(&cluster).await.expect("connect");
    sqlx::query(&format!(
        "CREATE DATABASE {name} TEMPLATE haochaping_template"
    ))
    .execute(&mut admin)
    .await
    .expect("create the test's database");
    admin.close().await.expect("close");
    Some(database(&name))
}

/// A pool of `size` connections to `url`, each running `setup` first (e.g. `SET …`).
pub async fn pool(url: &str, size: u32, setup: &'static str) -> sqlx::PgPool {
    PgPoolOptions::new()
        .max_connections(size)
        .min_connections(size)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                sqlx::query(setup).execute(conn).await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .expect("pool")
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let stopped = std::process::Command::new(script())
            .arg("stop")
            .arg(&self.dir)
            .status();
        if !matches!(stopped, Ok(s) if s.success()) {
            eprintln!("scripts/pg-cluster stop {} failed", self.dir.display());
        }
    }
}
