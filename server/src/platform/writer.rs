//! 写入器 — group commit. One connection writes the citizens' ratings (and whatever else is sent
//! here): requests wait in a queue, the writer takes all that are waiting as one batch, runs them
//! in one transaction (SQLite: `BEGIN IMMEDIATE`), commits once (`synchronous = FULL`: the commit is on disk
//! when it returns), and only then answers each request. Should a request fail, the batch is rolled
//! back and run again with a savepoint per request: the failing one rolls back to its savepoint and
//! fails alone, its neighbours are committed (requests are plain database work, so running one
//! twice inside a rolled-back transaction leaves nothing behind). If the commit itself fails,
//! every request of the batch is told so and nothing of it was written.
//!
//! One writer means no two write transactions compete for SQLite's lock (no busy waits), and one
//! fsync serves a whole batch. PostgreSQL has no such lock: there [`LANES`] writers take batches
//! from the same queue, each on a connection of its own (and so on its own counter shard), so that
//! the database's cores work in parallel while each batch still commits once.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use sqlx::Connection as _;
use tokio::sync::{mpsc, oneshot};

use super::db::{Backend, Connection, Pool, StoreError, StoreResult};

/// The most requests one transaction takes.
const MAX_BATCH: usize = 256;

/// How many batches run at once: one on SQLite (one write lock), several on PostgreSQL.
pub(crate) const fn lanes(backend: Backend) -> u32 {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => LANES,
    }
}

/// PostgreSQL's writers (see the module's comment). `bench` on PostgreSQL, 64 clients, database
/// and server on 2 cores: 1 lane ~950 ratings/s (p99 ~100 ms), 2 ~1,350, 3 ~1,630 (p99 84 ms),
/// 4 and 8 ~1,120 (p99 140–240 ms: more transactions wait on each other's counter rows).
const LANES: u32 = 3;

/// A job's work on the writer's connection; `true` when it succeeded. It may run twice (see above).
type Run = Box<
    dyn for<'c> Fn(&'c mut Connection) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>>
        + Send
        + Sync,
>;

struct Job {
    run: Run,
    /// Told after the batch's commit (or its failure).
    done: oneshot::Sender<Result<(), String>>,
}

/// Batch sizes seen, for the benchmark: batches and requests committed, the largest batch.
#[derive(Debug, Default)]
pub struct BatchStats {
    pub batches: AtomicU64,
    pub requests: AtomicU64,
    pub largest: AtomicU64,
}

/// The queue in front of the writing connection.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    pub stats: Arc<BatchStats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Writer {
    /// Starts the writer on `pool`, of which each lane takes one connection per batch (in
    /// production a pool of its own with one connection per lane).
    pub fn start(pool: Pool, backend: Backend) -> Writer {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let queue = Arc::new(tokio::sync::Mutex::new(queue));
        let stats = Arc::new(BatchStats::default());
        let begin = backend.begin_exclusive_sql();
        for _ in 0..lanes(backend) {
            tokio::spawn(write_forever(
                pool.clone(),
                begin,
                Arc::clone(&queue),
                Arc::clone(&stats),
            ));
        }
        Writer { jobs, stats }
    }

    /// Runs `work` in the next batch; answers once the batch is committed. `work` must not wait on
    /// anything but its connection (it holds up the batch), and may run twice (its first run rolled
    /// back) when a neighbour fails.
    pub async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> Fn(
                &'c mut Connection,
            ) -> Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>
            + Send
            + Sync
            + 'static,
    {
        let slot: Arc<Mutex<Option<StoreResult<T>>>> = Arc::new(Mutex::new(None));
        let filled = Arc::clone(&slot);
        let run: Run = Box::new(move |connection| {
            let filled = Arc::clone(&filled);
            let ran = work(connection);
            Box::pin(async move {
                let result = ran.await;
                let ok = result.is_ok();
                *filled
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
                ok
            })
        });
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job { run, done })
            .await
            .map_err(|_| StoreError::PoolClosed)?;
        let commit = committed.await.map_err(|_| StoreError::PoolClosed)?;
        let result = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or(StoreError::PoolClosed)?;
        match (commit, result) {
            (Ok(()), result) => result,
            // The job failed alone: its own error.
            (Err(_), Err(e)) => Err(e),
            (Err(message), Ok(_)) => Err(StoreError::Protocol(message)),
        }
    }
}

/// One lane: takes whatever waits (the lane holding the queue waits for the next request, the
/// others for the queue), writes it as one batch, answers, and goes back to the queue.
async fn write_forever(
    pool: Pool,
    begin: &'static str,
    queue: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>,
    stats: Arc<BatchStats>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            break;
        }
        let outcome = match pool.acquire().await {
            Ok(mut connection) => write_batch(&mut connection, begin, &mut batch).await,
            Err(e) => Outcome {
                ok: vec![false; batch.len()],
                commit: Err(e.to_string()),
            },
        };
        let size = batch.len() as u64;
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.requests.fetch_add(size, Ordering::Relaxed);
        stats.largest.fetch_max(size, Ordering::Relaxed);
        for (job, ok) in batch.drain(..).zip(outcome.iter()) {
            let answer = match (&outcome.commit, ok) {
                (Ok(()), true) => Ok(()),
                (Ok(()), false) => Err("the request failed".to_owned()),
                (Err(e), _) => Err(e.clone()),
            };
            // The requester may have gone (a closed connection): nothing to tell.
            let _ = job.done.send(answer);
        }
    }
}

/// Which jobs succeeded, and whether the batch was committed.
struct Outcome {
    ok: Vec<bool>,
    commit: Result<(), String>,
}

impl Outcome {
    fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        self.ok.iter().copied()
    }
}

async fn write_batch(
    connection: &mut Connection,
    begin: &'static str,
    batch: &mut [Job],
) -> Outcome {
    // Most batches fail nowhere: all requests in one transaction, no savepoints.
    match together(connection, begin, batch).await {
        Ok(()) => Outcome {
            ok: vec![true; batch.len()],
            commit: Ok(()),
        },
        Err(Failed::Commit(e)) => Outcome {
            ok: vec![false; batch.len()],
            commit: Err(e),
        },
        Err(Failed::Request) => one_by_one(connection, begin, batch).await,
    }
}

enum Failed {
    /// A request failed: the transaction was rolled back.
    Request,
    /// Beginning or committing failed: nothing was written.
    Commit(String),
}

async fn together(
    connection: &mut Connection,
    begin: &'static str,
    batch: &[Job],
) -> Result<(), Failed> {
    let mut tx = connection
        .begin_with(begin)
        .await
        .map_err(|e| Failed::Commit(e.to_string()))?;
    for job in batch {
        if !(job.run)(&mut tx).await {
            let _ = tx.rollback().await;
            return Err(Failed::Request);
        }
    }
    tx.commit().await.map_err(|e| Failed::Commit(e.to_string()))
}

/// The batch again, each request in a savepoint of its own.
async fn one_by_one(connection: &mut Connection, begin: &'static str, batch: &[Job]) -> Outcome {
    let mut ok = Vec::with_capacity(batch.len());
    let mut tx = match connection.begin_with(begin).await {
        Ok(tx) => tx,
        Err(e) => {
            return Outcome {
                ok: vec![false; batch.len()],
                commit: Err(e.to_string()),
            };
        }
    };
    for job in batch {
        let succeeded = match tx.begin().await {
            Ok(mut savepoint) => {
                if (job.run)(&mut savepoint).await {
                    savepoint.commit().await.is_ok()
                } else {
                    // Dropping it would roll back as well, but only once polled again: now.
                    let _ = savepoint.rollback().await;
                    false
                }
            }
            Err(_) => false,
        };
        ok.push(succeeded);
    }
    let commit = tx.commit().await.map_err(|e| e.to_string());
    Outcome { ok, commit }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn writer(dir: &std::path::Path) -> (Writer, Pool) {
        let url = format!("sqlite://{}", dir.join("w.db").display());
        let pool = crate::platform::db::test_pool(&url, 4).await;
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
            .execute(&pool)
            .await
            .unwrap();
        let own = crate::platform::db::test_pool(&url, 1).await;
        (Writer::start(own, Backend::Sqlite), pool)
    }

    #[tokio::test]
    async fn a_failing_request_fails_alone_and_its_batch_neighbours_are_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, pool) = writer(dir.path()).await;
        // 200 writes at once, every tenth a duplicate of an earlier value (the UNIQUE refuses it),
        // each inserting two rows so that a half-written failure would show.
        let mut tasks = Vec::new();
        for i in 0..200 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                let v = if i % 10 == 9 {
                    "dup".to_owned()
                } else {
                    format!("v{i}")
                };
                writer
                    .write(move |c| {
                        let v = v.clone();
                        Box::pin(async move {
                            sqlx::query("INSERT INTO t (v) VALUES ($1)")
                                .bind(format!("{v}-a"))
                                .execute(&mut *c)
                                .await?;
                            sqlx::query("INSERT INTO t (v) VALUES ($1)")
                                .bind(if v == "dup" {
                                    "dup".to_owned()
                                } else {
                                    v.clone()
                                })
                                .execute(&mut *c)
                                .await?;
                            Ok(i)
                        })
                    })
                    .await
            }));
        }
        let mut stored = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => stored += 1,
                Err(_) => refused += 1,
            }
        }
        // The first "dup" is stored with its pair; the other 19 fail, alone.
        assert_eq!((stored, refused), (181, 19));
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 2 * 181, "no half-written request");
        let half: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM t a WHERE a.v LIKE '%-a' AND NOT EXISTS \
             (SELECT 1 FROM t b WHERE b.v = substr(a.v, 1, length(a.v) - 2) \
              OR (b.v = 'dup' AND a.v = 'dup-a'))",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(half, 0);
        assert!(
            writer.stats.largest.load(Ordering::Relaxed) > 1,
            "requests waiting together were committed together"
        );
    }
}
