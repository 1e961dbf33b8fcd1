//! 作业租约 — a background job runs in one instance at a time when several share a database: it
//! works only while this process holds the job's lease (`job_lease`), renews it before it runs
//! out, and another instance takes it over once it has run out.

use std::sync::OnceLock;

use super::db::{Store, StoreResult};

/// How long a lease lasts unless renewed (ms).
pub const LEASE_MS: i64 = 30_000;

/// This process's name in `job_lease.holder`: random, drawn once.
pub fn holder() -> &'static str {
    static HOLDER: OnceLock<String> = OnceLock::new();
    HOLDER.get_or_init(|| super::crypto::random_code(16))
}

impl Store {
    /// Takes or renews the lease on `job` for `holder` at `now` (unix ms) until `now + LEASE_MS`;
    /// `false` while another holder's lease runs.
    pub async fn hold_lease(&self, job: &str, holder: &str, now: i64) -> StoreResult<bool> {
        let held: Option<String> = sqlx::query_scalar(
            "INSERT INTO job_lease (name, holder, until) VALUES ($1, $2, $3 + $4) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE job_lease.holder = excluded.holder OR job_lease.until <= $3 \
             RETURNING holder",
        )
        .bind(job)
        .bind(holder)
        .bind(now)
        .bind(LEASE_MS)
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.is_some())
    }
}

/// A job's lease as its loop keeps it: asks the database only when half of it has run.
#[derive(Debug)]
pub struct Lease {
    job: &'static str,
    held_until: i64,
}

impl Lease {
    pub fn new(job: &'static str) -> Lease {
        Lease { job, held_until: 0 }
    }

    /// Whether this process may run the job now (taking or renewing the lease as needed). A
    /// database error counts as not held: the job waits for the next round.
    pub async fn held(&mut self, store: &Store, now: i64) -> bool {
        if now < self.held_until - LEASE_MS / 2 {
            return true;
        }
        match store.hold_lease(self.job, holder(), now).await {
            Ok(true) => {
                self.held_until = now + LEASE_MS;
                true
            }
            Ok(false) => {
                self.held_until = 0;
                false
            }
            Err(e) => {
                tracing::warn!("lease {}: {e}", self.job);
                self.held_until = 0;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_renewed_by_it_taken_over_once_run_out() {
        let pool = crate::platform::db::memory_pool().await;
        let store = Store::on_pool(pool);
        let t = 1_000_000;
        assert!(store.hold_lease("minute", "a", t).await.unwrap());
        assert!(!store.hold_lease("minute", "b", t + 1).await.unwrap());
        assert!(
            store.hold_lease("upward", "b", t + 1).await.unwrap(),
            "another job"
        );
        // The holder renews it; the other still waits until the renewed lease has run out.
        assert!(store.hold_lease("minute", "a", t + 20_000).await.unwrap());
        assert!(
            !store
                .hold_lease("minute", "b", t + LEASE_MS + 1)
                .await
                .unwrap()
        );
        assert!(
            store
                .hold_lease("minute", "b", t + 20_000 + LEASE_MS)
                .await
                .unwrap()
        );
        assert!(
            !store
                .hold_lease("minute", "a", t + 20_000 + LEASE_MS + 1)
                .await
                .unwrap()
        );
    }
}
