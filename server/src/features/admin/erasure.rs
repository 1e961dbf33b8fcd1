//! 个人信息删除 — on request, an evaluator's or complainant's phone numbers and words are erased by
//! the tracking code they hold; the rating (level, reasons, channel), its ticket and every figure
//! stay. The erasure is recorded (when, why) and audited; ratings stay immutable but for it.

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult, now_ms},
};

/// What the complaint's description becomes.
pub const ERASED_DESCRIPTION: &str = "（应投诉人申请，内容已删除）";

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    Evaluation(i64),
    Complaint(i64),
    /// No rating or complaint has this tracking code.
    NotFound,
    /// It was erased before.
    Already,
}

/// Keeps the erasure entry of the record `column` names; `false`: it was erased before.
async fn record(
    tx: &mut crate::platform::db::Tx<'_>,
    column: &str,
    id: i64,
    now: i64,
    reason: &str,
) -> StoreResult<bool> {
    let sql = format!(
        "INSERT INTO erasure ({column}, erased_at, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    );
    let inserted = sqlx::query(&sql)
        .bind(id)
        .bind(now)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    Ok(inserted.rows_affected() == 1)
}

impl Store {
    /// Erases the personal data of the rating or complaint with `code`, in one transaction with
    /// its erasure entry and its audit entry (`by`: `None` for the shell).
    pub async fn erase_personal_data(
        &self,
        code: &str,
        reason: &str,
        by: Option<i64>,
    ) -> StoreResult<Erased> {
        let code = code.trim().to_uppercase();
        let mut tx = self.pool.begin().await?;
        let evaluation: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, occurrence_id FROM evaluation WHERE tracking_code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
        let now = now_ms();
        let erased = if let Some((id, occurrence)) = evaluation {
            if !record(&mut tx, "evaluation_id", id, now, reason).await? {
                return Ok(Erased::Already);
            }
            sqlx::query("UPDATE evaluation SET comment = NULL, phone_enc = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE evaluation_follow_up SET comment = NULL WHERE evaluation_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE service_occurrence SET evaluator_phone_enc = NULL WHERE id = $1")
                .bind(occurrence)
                .execute(&mut *tx)
                .await?;
            Erased::Evaluation(id)
        } else {
            let complaint: Option<i64> =
                sqlx::query_scalar("SELECT id FROM complaint WHERE tracking_code = $1")
                    .bind(&code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(id) = complaint else {
                return Ok(Erased::NotFound);
            };
            if !record(&mut tx, "complaint_id", id, now, reason).await? {
                return Ok(Erased::Already);
            }
            sqlx::query(
                "UPDATE complaint SET contact_phone_enc = NULL, description = $1 WHERE id = $2",
            )
            .bind(ERASED_DESCRIPTION)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Erased::Complaint(id)
        };
        let entity = match erased {
            Erased::Evaluation(id) => ("evaluation", id),
            Erased::Complaint(id) => ("complaint", id),
            Erased::NotFound | Erased::Already => unreachable!("returned above"),
        };
        audit(&mut tx, Audit::new(by, "erase_personal_data", entity)).await?;
        tx.commit().await?;
        Ok(erased)
    }
}
