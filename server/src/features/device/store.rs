//! Enrolment codes, tablets, the visit a tablet shows next, and what the silence alarm reads.

use domain::time::Timestamp;
use sqlx::{FromRow, Row};

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult},
};

/// Wrong codes tolerated while a code is open; past them every open code is void.
pub(super) const MAX_FAILURES: i64 = 20;

/// An enrolled tablet, as the administrator's list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeviceLine {
    pub id: i64,
    pub window_id: i64,
    /// The window's department (for a supervisor's scope).
    pub department_id: domain::ids::DepartmentId,
    /// "A01 不动产登记" and its hall.
    pub window: String,
    pub hall: String,
    pub enrolled_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    /// Its last rating, if it made one.
    pub last_rated_at: Option<Timestamp>,
    #[sqlx(try_from = "domain::sql::Flag")]
    pub revoked: bool,
}

/// A tablet that rated nothing for the set working hours while its window served.
#[derive(Debug, Clone)]
pub struct SilentDevice {
    pub device: DeviceLine,
    /// Visits its window finished since its last rating (or its enrolment).
    pub served_since: i64,
}

/// The visit a tablet offers for rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedVisit {
    /// Its 评价码: the tablet rates it by this code.
    pub code: String,
    /// What was done, for the heading: the service item, if known.
    pub item: Option<String>,
}

const DEVICE_LINE: &str = "SELECT d.id, d.window_id, w.department_id, w.number || ' ' || w.name AS window, h.name AS hall, \
     d.enrolled_at, d.last_seen_at, d.revoked_at IS NOT NULL AS revoked, \
     (SELECT max(e.created_at) FROM evaluation e WHERE e.device_hash = d.token_hash) AS last_rated_at \
     FROM device d JOIN service_window w ON w.id = d.window_id JOIN hall h ON h.id = w.hall_id";

impl Store {
    /// Keeps a new enrolment code (its hash) for `window`, issued by `account`, with the audit entry.
    pub async fn issue_enrol_code(
        &self,
        window: i64,
        account: i64,
        code_hash: &[u8],
        now: Timestamp,
        expires: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO device_enrolment (code_hash, window_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(window)
        .bind(account)
        .bind(now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            Audit::new(
                Some(account),
                "issue_device_code",
                ("service_window", window),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Enrols a tablet with an open code: the code is used up, the tablet's token hash kept.
    /// `None`: no such open code (a failure is counted against every open code).
    pub async fn enrol_device(
        &self,
        code_hash: &[u8],
        token_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<i64>> {
        // The first statement writes: the transaction holds the write lock from the start.
        let mut tx = self.pool.begin().await?;
        let used: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE device_enrolment SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL \
             AND expires_at > $1 AND failures < $3 RETURNING window_id, created_by",
        )
        .bind(now)
        .bind(code_hash)
        .bind(MAX_FAILURES)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((window, by)) = used else {
            sqlx::query(
                "UPDATE device_enrolment SET failures = failures + 1 \
                 WHERE used_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(None);
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO device (window_id, token_hash, enrolled_at, enrolled_by, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(window)
        .bind(token_hash)
        .bind(now)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            Audit::new(Some(by), "enrol_device", ("device", id)),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(window))
    }

    /// The enrolled, not revoked tablet known by one of `hashes`: its id, its window (if still
    /// active) and the hash it is known by.
    pub async fn device_by_token(
        &self,
        hashes: &[Vec<u8>],
    ) -> StoreResult<Option<(i64, i64, Vec<u8>)>> {
        for hash in hashes {
            let found = sqlx::query_as(
                "SELECT d.id, d.window_id, d.token_hash FROM device d \
                 JOIN service_window w ON w.id = d.window_id \
                 WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND w.deactivated_at IS NULL",
            )
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Notes that the tablet asked for work (at most once a minute is written).
    pub async fn touch_device(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "UPDATE device SET last_seen_at = $1 WHERE id = $2 \
             AND (last_seen_at IS NULL OR last_seen_at < $1 - 60000)",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Revokes a tablet (it shows the enrolment form again), with the audit entry.
    pub async fn revoke_device(&self, id: i64, account: i64, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE device SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if done {
            audit(
                &mut tx,
                Audit::new(Some(account), "revoke_device", ("device", id)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Every tablet, newest first.
    pub async fn devices(&self) -> StoreResult<Vec<DeviceLine>> {
        sqlx::query_as(&format!(
            "{DEVICE_LINE} ORDER BY d.revoked_at IS NOT NULL, d.id DESC"
        ))
        .fetch_all(&self.pool)
        .await
    }

    /// The newest visit its window finished at or after `since` that nobody rated yet.
    pub async fn offered_visit(
        &self,
        window: i64,
        since: Timestamp,
    ) -> StoreResult<Option<OfferedVisit>> {
        let row = sqlx::query(
            "SELECT v.code, i.name AS item FROM hall_visit v \
             LEFT JOIN service_item i ON i.id = v.service_item_id \
             WHERE v.window_id = $1 AND v.finished_at >= $2 AND v.occurrence_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.occurrence_id = v.occurrence_id) \
             ORDER BY v.finished_at DESC, v.id DESC LIMIT 1",
        )
        .bind(window)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OfferedVisit {
                code: r.try_get("code")?,
                item: r.try_get("item")?,
            })
        })
        .transpose()
    }

    /// The occurrence of the finished visit with 评价码 `code` at `window`, with its rating if it
    /// has one: (occurrence, rating's tracking code, rating's device hash).
    pub async fn device_visit(
        &self,
        window: i64,
        code: &str,
    ) -> StoreResult<Option<(i64, Option<String>, Option<Vec<u8>>)>> {
        sqlx::query_as(
            "SELECT v.occurrence_id, e.tracking_code, e.device_hash FROM hall_visit v \
             LEFT JOIN evaluation e ON e.occurrence_id = v.occurrence_id \
             WHERE v.window_id = $1 AND v.code = $2 AND v.occurrence_id IS NOT NULL",
        )
        .bind(window)
        .bind(code)
        .fetch_optional(&self.pool)
        .await
    }

    /// For each active tablet, in one query: the tablet, and how many visits its window finished
    /// since it went quiet (its last rating, else its enrolment).
    pub async fn device_activity(&self) -> StoreResult<Vec<(DeviceLine, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT l.*, (SELECT count(*) FROM hall_visit v WHERE v.window_id = l.window_id \
             AND v.finished_at > coalesce(l.last_rated_at, l.enrolled_at)) AS served \
             FROM ({DEVICE_LINE} WHERE d.revoked_at IS NULL AND w.deactivated_at IS NULL) l ORDER BY l.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((DeviceLine::from_row(r)?, r.try_get("served")?)))
            .collect()
    }
}
