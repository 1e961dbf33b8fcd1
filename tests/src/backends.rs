//! The same SQL on SQLite and PostgreSQL, for the contract tests: one connection to either
//! backend, statements with `$n` parameters (both accept them), transactions, and rows read back
//! as comparable cells.
//!
//! On PostgreSQL each transaction takes the next of several connections, so that the writes
//! spread over the counter shards (`stat_shard()` is per connection), as a pool's do.

use sqlx::{
    Column, Connection, PgConnection, Row, SqliteConnection,
    postgres::PgArguments,
    query::Query,
    sqlite::{SqliteArguments, SqliteConnectOptions},
};

/// A parameter, typed so that both backends bind it (a NULL needs its type on PostgreSQL).
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    Bool(bool),
    Bytes(&'a [u8]),
    NullInt,
    NullText,
    NullBool,
    NullBytes,
}

impl<'a> From<i64> for Arg<'a> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<bool> for Arg<'a> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl<'a> From<Option<i64>> for Arg<'a> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::NullInt, Arg::Int)
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Arg::NullText, Arg::Text)
    }
}

/// A value read back: integers and text are all the aggregates hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One connection to SQLite, or several to PostgreSQL taken in turn.
pub enum Backend {
    Sqlite(SqliteConnection),
    Postgres {
        connections: Vec<PgConnection>,
        current: usize,
    },
}

fn bind_sqlite<'q>(
    query: Query<'q, sqlx::Sqlite, SqliteArguments<'q>>,
    arg: Arg<'q>,
) -> Query<'q, sqlx::Sqlite, SqliteArguments<'q>> {
    match arg {
        Arg::Int(v) => query.bind(v),
        Arg::Text(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
        Arg::Bytes(v) => query.bind(v),
        Arg::NullInt => query.bind(None::<i64>),
        Arg::NullText => query.bind(None::<&str>),
        Arg::NullBool => query.bind(None::<bool>),
        Arg::NullBytes => query.bind(None::<&[u8]>),
    }
}

fn bind_postgres<'q>(
    query: Query<'q, sqlx::Postgres, PgArguments>,
    arg: Arg<'q>,
) -> Query<'q, sqlx::Postgres, PgArguments> {
    match arg {
        Arg::Int(v) => query.bind(v),
        Arg::Text(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
        Arg::Bytes(v) => query.bind(v),
        Arg::NullInt => query.bind(None::<i64>),
        Arg::NullText => query.bind(None::<&str>),
        Arg::NullBool => query.bind(None::<bool>),
        Arg::NullBytes => query.bind(None::<&[u8]>),
    }
}

/// Every column of `row`, as cells.
fn cells<R: Row>(row: &R) -> Vec<Cell>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.columns().len())
        .map(|i| {
            if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                v.map_or(Cell::Null, Cell::Int)
            } else {
                let v: Option<String> = row
                    .try_get(i)
                    .unwrap_or_else(|e| panic!("column {}: {e}", row.columns()[i].name()));
                v.map_or(Cell::Null, Cell::Text)
            }
        })
        .collect()
}

impl Backend {
    /// A fresh SQLite database at `path`, migrated like the server's (`server/migrations`).
    pub async fn sqlite(path: &std::path::Path) -> Backend {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .expect("sqlite");
        sqlx::migrate!("../server/migrations")
            .run(&mut conn)
            .await
            .expect("SQLite migrations");
        Backend::Sqlite(conn)
    }

    /// `n` connections to the migrated PostgreSQL database at `url`, each writing a different
    /// counter shard.
    pub async fn postgres(url: &str, n: usize) -> Backend {
        let mut connections = Vec::with_capacity(n);
        let mut shards = Vec::with_capacity(n);
        for _ in 0..100 {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            let shard: i16 = sqlx::query_scalar("SELECT stat_shard()")
                .fetch_one(&mut conn)
                .await
                .expect("shard");
            if !shards.contains(&shard) {
                shards.push(shard);
                connections.push(conn);
            }
            if connections.len() == n {
                break;
            }
        }
        assert_eq!(connections.len(), n, "{n} connections on different shards");
        Backend::Postgres {
            connections,
            current: 0,
        }
    }

    /// "SQLite" or "PostgreSQL", for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Starts a transaction (on PostgreSQL, on the next connection).
    pub async fn begin(&mut self) {
        if let Backend::Postgres {
            connections,
            current,
        } = self
        {
            *current = (*current + 1) % connections.len();
        }
        self.run("BEGIN", &[]).await;
    }

    /// Commits the transaction.
    pub async fn commit(&mut self) {
        self.run("COMMIT", &[]).await;
    }

    /// Runs `sql`; the first column of its first row (an id from `RETURNING`), if any.
    pub async fn try_run(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<i64>, String> {
        let row = match self {
            Backend::Sqlite(conn) => {
                let query = args
                    .iter()
                    .fold(sqlx::query(sql), |q, a| bind_sqlite(q, *a));
                query
                    .fetch_optional(&mut *conn)
                    .await
                    .map(|row| row.map(|r| cells(&r)))
            }
            Backend::Postgres {
                connections,
                current,
            } => {
                let query = args
                    .iter()
                    .fold(sqlx::query(sql), |q, a| bind_postgres(q, *a));
                query
                    .fetch_optional(&mut connections[*current])
                    .await
                    .map(|row| row.map(|r| cells(&r)))
            }
        };
        match row.map_err(|e| e.to_string())? {
            Some(cells) => match cells.first() {
                Some(Cell::Int(id)) => Ok(Some(*id)),
                _ => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// Runs `sql`, which must succeed.
    pub async fn run(&mut self, sql: &str, args: &[Arg<'_>]) -> Option<i64> {
        let name = self.name();
        self.try_run(sql, args)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}\n{sql}"))
    }

    /// Every row of `sql`, as cells.
    pub async fn rows(&mut self, sql: &str) -> Vec<Vec<Cell>> {
        let name = self.name();
        let rows = match self {
            Backend::Sqlite(conn) => sqlx::query(sql)
                .fetch_all(&mut *conn)
                .await
                .map(|rows| rows.iter().map(cells).collect()),
            Backend::Postgres {
                connections,
                current,
            } => sqlx::query(sql)
                .fetch_all(&mut connections[*current])
                .await
                .map(|rows| rows.iter().map(cells).collect()),
        };
        rows.unwrap_or_else(|e| panic!("{name}: {e}\n{sql}"))
    }
}
