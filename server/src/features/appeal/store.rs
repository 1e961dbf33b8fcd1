//! The appeal's rows: the filing (in the transaction of its ticket step), evidence added later,
//! what the ticket page lists, and the audit lines of every upload and download (the account, the
//! ticket, the file's id and checksum; never its content).

use domain::appeal::{AppealCategory, EvidenceType};
use domain::time::Timestamp;
use serde_json::json;

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult, now_ms},
};

/// A file written to the evidence directory, waiting for its row.
#[derive(Debug, Clone)]
pub struct StoredEvidence {
    pub stored_name: String,
    /// The uploader's name, sanitised (`domain::appeal::evidence::file_name`).
    pub original_name: String,
    pub kind: EvidenceType,
    pub size: i64,
    pub sha256: String,
}

/// A filing as the ticket step writes it.
#[derive(Debug, Clone)]
pub struct NewAppeal<'a> {
    pub category: AppealCategory,
    pub evidence: &'a [StoredEvidence],
}

/// The appeal on record for a ticket, as its page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppealRecord {
    pub id: i64,
    pub category: AppealCategory,
    pub filed_by: String,
    pub filed_at: Timestamp,
    pub evidence: Vec<EvidenceRecord>,
}

/// One evidence file's record.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvidenceRecord {
    pub id: i64,
    pub stored_name: String,
    pub original_name: String,
    #[sqlx(rename = "content_type")]
    pub kind: EvidenceType,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
}

type Tx<'t> = crate::platform::db::Tx<'t>;

/// Writes the appeal of ticket `ticket`, filed by the step `event`, and its evidence.
pub(crate) async fn insert_filing(
    tx: &mut Tx<'_>,
    ticket: i64,
    event: i64,
    account: i64,
    appeal: &NewAppeal<'_>,
    at: i64,
) -> StoreResult<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO appeal (ticket_id, event_id, category, filed_by, filed_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(ticket)
    .bind(event)
    .bind(appeal.category)
    .bind(account)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    insert_evidence(tx, (id, ticket), account, appeal.evidence, at).await?;
    Ok(())
}

/// Writes the rows of evidence files of appeal `appeal.0` on ticket `appeal.1`, each audited.
async fn insert_evidence(
    tx: &mut Tx<'_>,
    (appeal, ticket): (i64, i64),
    account: i64,
    files: &[StoredEvidence],
    at: i64,
) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO appeal_evidence (appeal_id, ticket_id, stored_name, original_name, \
             content_type, size, sha256, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(appeal)
        .bind(ticket)
        .bind(&f.stored_name)
        .bind(&f.original_name)
        .bind(f.kind)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(account)
        .bind(at)
        .fetch_one(&mut **tx)
        .await?;
        let after = json!({
            "evidence": id, "appeal": appeal, "content_type": f.kind.as_str(),
            "size": f.size, "sha256": f.sha256,
        });
        let entry = Audit::new(Some(account), "upload_evidence", ("ticket", ticket));
        audit(tx, entry.change(None, Some(after))).await?;
        ids.push(id);
    }
    Ok(ids)
}

impl Store {
    /// The appeal filed on `ticket` since categories are recorded (migration 0027), with its
    /// evidence, oldest first.
    pub async fn appeal_of(&self, ticket: i64) -> StoreResult<Option<AppealRecord>> {
        let row: Option<(i64, AppealCategory, String, Timestamp)> = sqlx::query_as(
            "SELECT a.id, a.category, u.username, a.filed_at FROM appeal a \
             JOIN account u ON u.id = a.filed_by WHERE a.ticket_id = $1",
        )
        .bind(ticket)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, category, filed_by, filed_at)) = row else {
            return Ok(None);
        };
        let evidence = sqlx::query_as(
            "SELECT v.id, v.stored_name, v.original_name, v.content_type, v.size, v.sha256, \
             u.username AS uploaded_by, v.uploaded_at FROM appeal_evidence v \
             JOIN account u ON u.id = v.uploaded_by WHERE v.appeal_id = $1 ORDER BY v.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(AppealRecord {
            id,
            category,
            filed_by,
            filed_at,
            evidence,
        }))
    }

    /// Adds evidence to the undecided appeal `appeal` of `ticket`: `None` when the ticket left
    /// 申诉复核中 meanwhile (the supervisor decided first); nothing is written then.
    pub async fn add_evidence(
        &self,
        (appeal, ticket): (i64, i64),
        account: i64,
        files: &[StoredEvidence],
    ) -> StoreResult<Option<Vec<i64>>> {
        let mut tx = self.pool.begin().await?;
        let undecided: bool = sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM ticket WHERE id = $1 AND state = $2)",
        )
        .bind(ticket)
        .bind(domain::ticket::TicketState::Appealed)
        .fetch_one(&mut *tx)
        .await?
        .into();
        if !undecided {
            return Ok(None);
        }
        let ids = insert_evidence(&mut tx, (appeal, ticket), account, files, now_ms()).await?;
        tx.commit().await?;
        Ok(Some(ids))
    }

    /// One evidence file's record, if it belongs to `ticket`.
    pub async fn evidence(&self, ticket: i64, id: i64) -> StoreResult<Option<EvidenceRecord>> {
        sqlx::query_as(
            "SELECT v.id, v.stored_name, v.original_name, v.content_type, v.size, v.sha256, \
             u.username AS uploaded_by, v.uploaded_at FROM appeal_evidence v \
             JOIN account u ON u.id = v.uploaded_by WHERE v.id = $1 AND v.ticket_id = $2",
        )
        .bind(id)
        .bind(ticket)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records that `account` downloaded evidence file `id` of `ticket`.
    pub async fn audit_evidence_download(
        &self,
        account: i64,
        ticket: i64,
        id: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let entry = Audit::new(Some(account), "download_evidence", ("ticket", ticket));
        audit(&mut tx, entry.change(None, Some(json!({ "evidence": id })))).await?;
        tx.commit().await
    }

    /// Every stored name on record (to find files a crash left without their row).
    pub async fn evidence_names(&self) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT stored_name FROM appeal_evidence")
            .fetch_all(&self.pool)
            .await
    }
}
