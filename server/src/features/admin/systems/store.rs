//! Business systems, their grants and their keys: the queries. Every change by an administrator or
//! the shell is written with its audit-log entry (before/after), in one transaction.

use domain::business_system::FrameOrigin;
use domain::ids::{BusinessSystemId, DepartmentId, RegionId};
use domain::time::Timestamp;
use serde_json::json;
use sqlx::Row;

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult},
};

/// A business system to register, checked.
#[derive(Debug, Clone, Copy)]
pub struct NewSystem<'a> {
    pub name: &'a str,
    pub origins: &'a [FrameOrigin],
    pub regions: &'a [RegionId],
    pub departments: &'a [DepartmentId],
}

/// What a business system may register cases for, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A region with every region under it.
    Region {
        id: RegionId,
        name: String,
    },
    Department {
        id: DepartmentId,
        name: String,
    },
}

/// One API key as the administrator sees it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub id: i64,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A registered business system with its grants and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemLine {
    pub id: BusinessSystemId,
    pub name: String,
    /// Portal origins allowed to frame its embed pages, space separated.
    pub origins: String,
    pub created_at: Timestamp,
    pub grants: Vec<Grant>,
    pub keys: Vec<KeyLine>,
}

impl NewSystem<'_> {
    fn audited(&self) -> serde_json::Value {
        let origins: Vec<&str> = self.origins.iter().map(FrameOrigin::as_str).collect();
        json!({ "name": self.name, "origins": origins, "regions": self.regions,
                "departments": self.departments })
    }
}

/// Inserts the system, its first key and its grants (each id once). `None`: a granted region or
/// department does not exist (the caller drops the transaction, so nothing is written).
async fn insert_system(
    tx: &mut crate::platform::db::Tx<'_>,
    new: &NewSystem<'_>,
    key_hash: &[u8],
    now: Timestamp,
) -> StoreResult<Option<(BusinessSystemId, i64)>> {
    let origins: Vec<&str> = new.origins.iter().map(FrameOrigin::as_str).collect();
    let id: BusinessSystemId = sqlx::query_scalar(
        "INSERT INTO business_system (name, api_key_hash, frame_origins, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(new.name)
    .bind(key_hash)
    .bind(origins.join(" "))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let key = insert_key(tx, id, key_hash, now).await?;
    for region in new.regions {
        let done = sqlx::query(
            "INSERT INTO business_system_grant (business_system_id, region_id) \
             SELECT $1, id FROM region WHERE id = $2",
        )
        .bind(id)
        .bind(region)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
    }
    for department in new.departments {
        let done = sqlx::query(
            "INSERT INTO business_system_grant (business_system_id, department_id) \
             SELECT $1, id FROM department WHERE id = $2",
        )
        .bind(id)
        .bind(department)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
    }
    Ok(Some((id, key)))
}

async fn insert_key(
    tx: &mut crate::platform::db::Tx<'_>,
    system: BusinessSystemId,
    key_hash: &[u8],
    now: Timestamp,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO api_key (business_system_id, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(system)
    .bind(key_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// The live keys of a system, as the audit log records them.
async fn live_keys(
    tx: &mut crate::platform::db::Tx<'_>,
    system: BusinessSystemId,
    now: Timestamp,
) -> StoreResult<serde_json::Value> {
    let rows = sqlx::query(
        "SELECT id, expires_at FROM api_key WHERE business_system_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) ORDER BY id",
    )
    .bind(system)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let keys: Vec<_> = rows
        .iter()
        .map(|r| json!({ "id": r.get::<i64, _>("id"), "expires_at": r.get::<Option<i64>, _>("expires_at") }))
        .collect();
    Ok(json!({ "keys": keys }))
}

impl Store {
    /// Registers a business system with its first key and grants, without an audit entry: for
    /// demo data and test fixtures (as `insert_region`). `None`: a grant names nothing.
    pub async fn insert_business_system(
        &self,
        new: &NewSystem<'_>,
        key_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<BusinessSystemId>> {
        let mut tx = self.pool.begin().await?;
        let Some((id, _)) = insert_system(&mut tx, new, key_hash, now).await? else {
            return Ok(None);
        };
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Registers a business system for an administrator (`None`: the shell), audited. Returns the
    /// system and its first key's id; `None`: a granted region or department does not exist.
    pub async fn register_business_system(
        &self,
        by: Option<i64>,
        new: &NewSystem<'_>,
        key_hash: &[u8],
        now: Timestamp,
    ) -> StoreResult<Option<(BusinessSystemId, i64)>> {
        let mut tx = self.pool.begin().await?;
        let Some((id, key)) = insert_system(&mut tx, new, key_hash, now).await? else {
            return Ok(None);
        };
        let mut after = new.audited();
        after["key_id"] = json!(key);
        let entry = Audit::new(
            by,
            "register_business_system",
            ("business_system", id.get()),
        )
        .change(None, Some(after));
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(Some((id, key)))
    }

    /// Adds a new key; the system's other live keys work until `now + overlap_ms` (at the latest).
    /// Audited with the live keys before and after. `None`: no such system.
    pub async fn rotate_api_key(
        &self,
        by: Option<i64>,
        system: BusinessSystemId,
        key_hash: &[u8],
        overlap_ms: i64,
        now: Timestamp,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let exists: bool = sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM business_system WHERE id = $1)",
        )
        .bind(system)
        .fetch_one(&mut *tx)
        .await?
        .into();
        if !exists {
            return Ok(None);
        }
        let before = live_keys(&mut tx, system, now).await?;
        let until = now.plus_ms(overlap_ms);
        sqlx::query(
            "UPDATE api_key SET expires_at = min(coalesce(expires_at, $1), $1) \
             WHERE business_system_id = $2 AND revoked_at IS NULL",
        )
        .bind(until)
        .bind(system)
        .execute(&mut *tx)
        .await?;
        let key = insert_key(&mut tx, system, key_hash, now).await?;
        let after = live_keys(&mut tx, system, now).await?;
        let entry = Audit::new(by, "rotate_api_key", ("business_system", system.get()))
            .change(Some(before), Some(after));
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(Some(key))
    }

    /// Revokes a key at once, audited. `false`: no such key, or revoked already.
    pub async fn revoke_api_key(
        &self,
        by: Option<i64>,
        key: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE api_key SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL \
             RETURNING business_system_id, expires_at",
        )
        .bind(now)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let system: i64 = row.get("business_system_id");
        let expires: Option<i64> = row.get("expires_at");
        let common = json!({ "business_system_id": system, "expires_at": expires });
        let mut after = common.clone();
        after["revoked_at"] = json!(now);
        let mut before = common;
        before["revoked_at"] = serde_json::Value::Null;
        let entry =
            Audit::new(by, "revoke_api_key", ("api_key", key)).change(Some(before), Some(after));
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every business system with its grants (named) and keys: three queries, not one per system.
    pub async fn business_systems(&self) -> StoreResult<Vec<SystemLine>> {
        let mut systems: Vec<SystemLine> = sqlx::query(
            "SELECT id, name, frame_origins, created_at FROM business_system ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| SystemLine {
            id: r.get("id"),
            name: r.get("name"),
            origins: r.get("frame_origins"),
            created_at: r.get("created_at"),
            grants: Vec::new(),
            keys: Vec::new(),
        })
        .collect();
        let grants = sqlx::query(
            "SELECT g.business_system_id, g.region_id, g.department_id, \
             coalesce(r.name, d.name) AS name FROM business_system_grant g \
             LEFT JOIN region r ON r.id = g.region_id LEFT JOIN department d ON d.id = g.department_id \
             ORDER BY g.region_id IS NULL, coalesce(g.region_id, g.department_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let keys = sqlx::query(
            "SELECT id, business_system_id, created_at, expires_at, revoked_at FROM api_key ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        for system in &mut systems {
            let mine = |r: &&crate::platform::db::DbRow| {
                r.get::<BusinessSystemId, _>("business_system_id") == system.id
            };
            system.grants = grants
                .iter()
                .filter(mine)
                .map(|r| match r.get::<Option<RegionId>, _>("region_id") {
                    Some(id) => Grant::Region {
                        id,
                        name: r.get("name"),
                    },
                    None => Grant::Department {
                        id: r.get("department_id"),
                        name: r.get("name"),
                    },
                })
                .collect();
            system.keys = keys
                .iter()
                .filter(mine)
                .map(|r| KeyLine {
                    id: r.get("id"),
                    created_at: r.get("created_at"),
                    expires_at: r.get("expires_at"),
                    revoked_at: r.get("revoked_at"),
                })
                .collect();
        }
        Ok(systems)
    }

    /// (id, name) of every region, for the administrator's grant choices.
    pub async fn region_choices(&self) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, name FROM region ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }
}
