//! Referrals (转办): stored with their complaint and ticket in one transaction, looked up by
//! (source, external id); their callbacks claimed in order per ticket and settled attempt by
//! attempt.

use domain::ids::BusinessSystemId;
use domain::referral::ReferralSource;
use domain::time::Timestamp;
use domain::upward::SignMethod;
use sqlx::Row;

use crate::platform::auth::{Audit, audit};
use crate::platform::db::{Store, StoreResult};

/// A referral ready to store, with the complaint and ticket it opens.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub system: BusinessSystemId,
    pub source: ReferralSource,
    pub external_id: String,
    pub category: &'static str,
    pub received_at: i64,
    pub fingerprint: Vec<u8>,
    pub department_id: i64,
    pub content: String,
    pub contact_phone_enc: Option<Vec<u8>>,
    pub tracking_code: String,
    /// When our ticket opens (unix ms): now, or a test's clock.
    pub opened_at: i64,
    pub reply_due_at: Option<Timestamp>,
}

/// A stored referral as the API answers it.
#[derive(Debug, Clone)]
pub struct StoredReferral {
    pub ticket_id: i64,
    pub tracking_code: String,
    pub fingerprint: Vec<u8>,
    pub reply_due_at: Option<Timestamp>,
    pub state: domain::ticket::TicketState,
}

/// A callback due to be sent: the oldest undelivered one of its ticket.
#[derive(Debug, Clone)]
pub struct DueCallback {
    pub id: i64,
    pub attempts: i64,
    pub status: String,
    pub note: Option<String>,
    pub at: i64,
    pub source: String,
    pub external_id: String,
    pub ticket_id: i64,
    pub url: String,
    /// `SignMethod`'s spelling.
    pub sign_method: String,
    pub secret_enc: Vec<u8>,
}

/// Where a referring platform's status changes go: the URL, how they are signed and the sealed
/// secret (or SM2 private key).
#[derive(Debug, Clone)]
pub struct CallbackTarget {
    pub url: String,
    pub sign_method: SignMethod,
    pub secret_enc: Vec<u8>,
}

/// A referring platform's callback as the administration page lists it, with how its callbacks
/// fare.
#[derive(Debug, Clone)]
pub struct CallbackLine {
    pub system_id: i64,
    pub name: String,
    pub url: Option<String>,
    pub sign_method: String,
    pub secret_set: bool,
    pub delivered: i64,
    pub waiting: i64,
    pub failing: i64,
    pub last_error: Option<String>,
}

impl Store {
    /// The referral with this (source, external id), if any.
    pub async fn referral_by_external(
        &self,
        source: &str,
        external_id: &str,
    ) -> StoreResult<Option<StoredReferral>> {
        let row = sqlx::query(
            "SELECT t.id, c.tracking_code, r.fingerprint, t.reply_due_at, t.state \
             FROM referral r JOIN complaint c ON c.id = r.complaint_id \
             JOIN ticket t ON t.complaint_id = c.id WHERE r.source = $1 AND r.external_id = $2",
        )
        .bind(source)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| StoredReferral {
            ticket_id: r.get("id"),
            tracking_code: r.get("tracking_code"),
            fingerprint: r.get("fingerprint"),
            reply_due_at: r.get("reply_due_at"),
            state: r.get("state"),
        }))
    }

    /// Stores the complaint, the referral and the ticket, opened at `new.opened_at`. `false`: the
    /// (source, external id) was stored meanwhile (the caller reads it again).
    pub async fn insert_referral(&self, new: &NewReferral) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let complaint: i64 = sqlx::query_scalar(
            "INSERT INTO complaint (tracking_code, department_id, description, contact_phone_enc, \
             created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&new.tracking_code)
        .bind(new.department_id)
        .bind(&new.content)
        .bind(&new.contact_phone_enc)
        .bind(new.opened_at)
        .fetch_one(&mut *tx)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO referral (complaint_id, business_system_id, source, external_id, category, \
             received_at, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (source, external_id) DO NOTHING",
        )
        .bind(complaint)
        .bind(new.system)
        .bind(new.source.as_str())
        .bind(&new.external_id)
        .bind(new.category)
        .bind(new.received_at)
        .bind(&new.fingerprint)
        .bind(new.opened_at)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let ticket: i64 = sqlx::query_scalar(
            "INSERT INTO ticket (kind, complaint_id, department_id, state, real_name, opened_at, \
             reply_due_at, updated_at) VALUES ('complaint', $1, $2, 'open', $3, $4, $5, $6) RETURNING id",
        )
        .bind(complaint)
        .bind(new.department_id)
        .bind(new.contact_phone_enc.is_some())
        .bind(new.opened_at)
        .bind(new.reply_due_at)
        .bind(new.opened_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ticket_event (ticket_id, actor, action, to_state, note, at) \
             VALUES ($1, 'system', 'open', 'open', $2, $3)",
        )
        .bind(ticket)
        .bind(new.source.label_zh())
        .bind(new.opened_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets the system's callback (`None`: clears it), audited without the secret. `false`: no
    /// such system.
    pub async fn set_referral_callback(
        &self,
        by: Option<i64>,
        system: BusinessSystemId,
        target: Option<&CallbackTarget>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let before = sqlx::query(
            "SELECT callback_url, callback_sign_method, callback_secret_enc IS NOT NULL AS secret \
             FROM business_system WHERE id = $1",
        )
        .bind(system)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = before else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE business_system SET callback_url = $1, callback_secret_enc = $2, \
             callback_sign_method = $3 WHERE id = $4",
        )
        .bind(target.map(|t| &t.url))
        .bind(target.map(|t| &t.secret_enc))
        .bind(target.map_or("hmac-sha256", |t| t.sign_method.as_str()))
        .bind(system)
        .execute(&mut *tx)
        .await?;
        let shown = |url: Option<&str>, method: &str, secret: bool| {
            serde_json::json!({
                "callback_url": url,
                "sign_method": method,
                "secret": if secret { "已设置" } else { "未设置" },
            })
        };
        let entry = Audit::new(
            by,
            "set_referral_callback",
            ("business_system", system.get()),
        )
        .change(
            Some(shown(
                before.get("callback_url"),
                before.get("callback_sign_method"),
                before.get::<domain::sql::Flag, _>("secret").0,
            )),
            Some(shown(
                target.map(|t| t.url.as_str()),
                target.map_or("hmac-sha256", |t| t.sign_method.as_str()),
                target.is_some(),
            )),
        );
        audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The system's sealed callback secret, if one is set.
    pub async fn callback_secret(&self, system: BusinessSystemId) -> StoreResult<Option<Vec<u8>>> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT callback_secret_enc FROM business_system WHERE id = $1")
                .bind(system)
                .fetch_optional(&self.pool)
                .await?;
        Ok(sealed.flatten())
    }

    /// Every business system with its callback and how its callbacks fare, by id.
    pub async fn referral_callbacks(&self) -> StoreResult<Vec<CallbackLine>> {
        let rows = sqlx::query(
            "SELECT b.id, b.name, b.callback_url, b.callback_sign_method, \
             b.callback_secret_enc IS NOT NULL AS secret_set, \
             count(c.delivered_at) AS delivered, \
             count(c.id) FILTER (WHERE c.delivered_at IS NULL AND c.attempts = 0) AS waiting, \
             count(c.id) FILTER (WHERE c.delivered_at IS NULL AND c.attempts > 0) AS failing, \
             (SELECT c2.last_error FROM referral_callback c2 \
              JOIN referral r2 ON r2.id = c2.referral_id \
              WHERE r2.business_system_id = b.id AND c2.delivered_at IS NULL \
              AND c2.last_error IS NOT NULL ORDER BY c2.id DESC LIMIT 1) AS last_error \
             FROM business_system b \
             LEFT JOIN referral r ON r.business_system_id = b.id \
             LEFT JOIN referral_callback c ON c.referral_id = r.id \
             GROUP BY b.id ORDER BY b.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| CallbackLine {
                system_id: r.get("id"),
                name: r.get("name"),
                url: r.get("callback_url"),
                sign_method: r.get("callback_sign_method"),
                secret_set: r.get::<domain::sql::Flag, _>("secret_set").0,
                delivered: r.get("delivered"),
                waiting: r.get("waiting"),
                failing: r.get("failing"),
                last_error: r.get("last_error"),
            })
            .collect())
    }

    /// Callbacks due at `now`: per ticket only the oldest undelivered one, so that a ticket's
    /// statuses arrive in order; only to systems with a callback.
    pub async fn due_callbacks(&self, now: i64, limit: i64) -> StoreResult<Vec<DueCallback>> {
        let rows = sqlx::query(
            "SELECT c.id, c.attempts, c.status, c.note, c.at, r.source, r.external_id, \
             t.id AS ticket_id, b.callback_url, b.callback_sign_method, b.callback_secret_enc \
             FROM referral_callback c JOIN referral r ON r.id = c.referral_id \
             JOIN business_system b ON b.id = r.business_system_id \
             JOIN ticket t ON t.complaint_id = r.complaint_id \
             WHERE c.delivered_at IS NULL AND c.next_try_at <= $1 \
             AND b.callback_url IS NOT NULL AND b.callback_secret_enc IS NOT NULL \
             AND c.id = (SELECT min(id) FROM referral_callback \
                         WHERE referral_id = c.referral_id AND delivered_at IS NULL) \
             ORDER BY c.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| DueCallback {
                id: r.get("id"),
                attempts: r.get("attempts"),
                status: r.get("status"),
                note: r.get("note"),
                at: r.get("at"),
                source: r.get("source"),
                external_id: r.get("external_id"),
                ticket_id: r.get("ticket_id"),
                url: r.get("callback_url"),
                sign_method: r.get("callback_sign_method"),
                secret_enc: r.get("callback_secret_enc"),
            })
            .collect())
    }

    /// Records one attempt and settles the callback: delivered at `now`, or retried at
    /// `next_try_at` with the error.
    pub async fn settle_callback(
        &self,
        id: i64,
        now: i64,
        http_status: Option<u16>,
        outcome: Result<(), (i64, &str)>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let error = outcome.err().map(|(_, e)| e);
        sqlx::query(
            "INSERT INTO referral_callback_attempt (callback_id, at, http_status, error) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(now)
        .bind(http_status.map(i64::from))
        .bind(error)
        .execute(&mut *tx)
        .await?;
        match outcome {
            Ok(()) => sqlx::query(
                "UPDATE referral_callback SET attempts = attempts + 1, delivered_at = $1, \
                 last_error = NULL WHERE id = $2",
            )
            .bind(now)
            .bind(id),
            Err((next_try_at, error)) => sqlx::query(
                "UPDATE referral_callback SET attempts = attempts + 1, next_try_at = $1, \
                 last_error = $2 WHERE id = $3",
            )
            .bind(next_try_at)
            .bind(error)
            .bind(id),
        }
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
