//! The province tier: records a county sends are stored as that county's reported ratings — its
//! departments and service items found or made under its own region, never another county's.
//! Idempotent on (county, 办件编号, 评价次数): a re-send is answered "duplicate" and changes nothing.

use domain::upward::{Record, RecordKind, WireError};

use crate::platform::{
    crypto::random_code,
    db::{Store, StoreResult, now_ms},
};

/// What became of one received record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Accepted,
    /// Received before: nothing changed.
    Duplicate,
    /// Not stored; the message says why (the sender retries and shows it).
    Refused {
        field: Option<&'static str>,
        message: String,
    },
}

impl Received {
    pub fn outcome(&self) -> &'static str {
        match self {
            Received::Accepted => "accepted",
            Received::Duplicate => "duplicate",
            Received::Refused { .. } => "refused",
        }
    }

    fn refused(field: &'static str, message: impl Into<String>) -> Received {
        Received::Refused {
            field: Some(field),
            message: message.into(),
        }
    }
}

type Tx<'a> = sqlx::Transaction<'a, crate::platform::db::Db>;

/// The region `code` if it lies within what `system` was granted.
async fn granted_region(tx: &mut Tx<'_>, system: i64, code: &str) -> StoreResult<Option<i64>> {
    sqlx::query_scalar(
        "WITH RECURSIVE up (id) AS (SELECT id FROM region WHERE code = $2 \
             UNION SELECT r.parent_id FROM region r JOIN up ON r.id = up.id \
             WHERE r.parent_id IS NOT NULL) \
         SELECT (SELECT id FROM region WHERE code = $2) WHERE EXISTS (SELECT 1 \
             FROM business_system_grant WHERE business_system_id = $1 \
             AND region_id IN (SELECT id FROM up))",
    )
    .bind(system)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await
    .map(Option::flatten)
}

/// The department the record names, made under `region` when it is new here. `Err`: it exists
/// under another region (another county's).
async fn department(
    tx: &mut Tx<'_>,
    region: i64,
    record: &Record,
) -> StoreResult<Result<i64, Received>> {
    let credit = domain::org::CreditCode::parse(&record.dept_code).ok();
    let own_code = format!("{}-{}", record.area_code, record.dept_code);
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, region_id FROM department WHERE credit_code = $1 OR code = $2 LIMIT 1",
    )
    .bind(credit.as_ref().map(|c| c.as_str()))
    .bind(&own_code)
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some((id, at)) if at == region => Ok(Ok(id)),
        Some(_) => Ok(Err(Received::refused(
            "deptCode",
            "该部门已登记在其他地区，不能由本地区上报",
        ))),
        None => {
            let name = if record.dept_name.is_empty() {
                record.dept_code.clone()
            } else {
                record.dept_name.clone()
            };
            let id = sqlx::query_scalar(
                "INSERT INTO department (region_id, code, name, credit_code) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(region)
            .bind(&own_code)
            .bind(name)
            .bind(credit.as_ref().map(|c| c.as_str()))
            .fetch_one(&mut **tx)
            .await?;
            Ok(Ok(id))
        }
    }
}

/// The department's service item with the record's 实施编码, made when new. `None` when the
/// record names none, or the code is another department's here.
async fn item(tx: &mut Tx<'_>, department: i64, record: &Record) -> StoreResult<Option<i64>> {
    let Some(code) = &record.task_code else {
        return Ok(None);
    };
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, department_id FROM service_item WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match found {
        Some((id, owner)) if owner == department => Some(id),
        Some(_) => None,
        None => Some(
            sqlx::query_scalar(
                "INSERT INTO service_item (department_id, code, name) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(department)
            .bind(code)
            .bind(record.task_name.as_deref().unwrap_or(code))
            .fetch_one(&mut **tx)
            .await?,
        ),
    })
}

/// The evaluation of the county's occurrence, if received.
async fn received_evaluation(
    tx: &mut Tx<'_>,
    system: i64,
    record: &Record,
) -> StoreResult<Option<(i64, i64)>> {
    sqlx::query_as(
        "SELECT o.id, e.id FROM service_occurrence o JOIN evaluation e ON e.occurrence_id = o.id \
         WHERE o.business_system_id = $1 AND o.case_number = $2 AND o.occurrence_no = $3",
    )
    .bind(system)
    .bind(&record.project_no)
    .bind(i64::from(record.assess_number))
    .fetch_optional(&mut **tx)
    .await
}

async fn evaluation(tx: &mut Tx<'_>, system: i64, record: &Record) -> StoreResult<Received> {
    if received_evaluation(tx, system, record).await?.is_some() {
        return Ok(Received::Duplicate);
    }
    let Some(region) = granted_region(tx, system, &record.area_code).await? else {
        return Ok(Received::refused(
            "areaCode",
            "行政区划未在本平台登记，或不在本地区的上报范围内",
        ));
    };
    let department = match department(tx, region, record).await? {
        Ok(id) => id,
        Err(refused) => return Ok(refused),
    };
    let item = item(tx, department, record).await?;
    let occurrence: i64 = match sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
         department_id, channel, business_system_id, registered_at, evaluator_type, kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'reported') ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&record.project_no)
    .bind(i64::from(record.assess_number))
    .bind(item)
    .bind(department)
    .bind(record.channel)
    .bind(system)
    .bind(record.service_time)
    .bind(record.user_prop.map(|p| i64::from(p.code())))
    .fetch_optional(&mut **tx)
    .await?
    {
        Some(id) => id,
        None => {
            sqlx::query_scalar(
                "SELECT id FROM service_occurrence WHERE business_system_id = $1 \
                 AND case_number = $2 AND occurrence_no = $3",
            )
            .bind(system)
            .bind(&record.project_no)
            .bind(i64::from(record.assess_number))
            .fetch_one(&mut **tx)
            .await?
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, comment, \
         channel, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(occurrence)
    .bind(random_code(10))
    .bind(record.level)
    .bind(i64::from(record.catalogue_version))
    .bind(&record.writing)
    .bind(record.channel)
    .bind(record.assess_time)
    .fetch_one(&mut **tx)
    .await?;
    // The kind the county gave it (set once; the database derives it only for its own ratings).
    sqlx::query("UPDATE evaluation SET kind = $1 WHERE id = $2")
        .bind(record.eval_kind)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for code in &record.tags {
        sqlx::query("INSERT INTO evaluation_reason (evaluation_id, reason_code) VALUES ($1, $2)")
            .bind(id)
            .bind(i64::from(*code))
            .execute(&mut **tx)
            .await?;
    }
    Ok(Received::Accepted)
}

async fn later_fact(tx: &mut Tx<'_>, system: i64, record: &Record) -> StoreResult<Received> {
    let Some((occurrence, evaluation)) = received_evaluation(tx, system, record).await? else {
        return Ok(Received::refused(
            "projectNo",
            "尚未收到该办件的评价，请先上报评价",
        ));
    };
    let changed = match (record.kind, &record.step) {
        (RecordKind::Invalidation, _) => sqlx::query(
            "INSERT INTO evaluation_invalidation (evaluation_id, reason, at, received_from) \
             VALUES ($1, '下级平台上报：申诉成立，评价失效', $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(evaluation)
        .bind(now_ms())
        .bind(system)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        (RecordKind::FollowUp, Some(step)) => sqlx::query(
            "INSERT INTO evaluation_follow_up (evaluation_id, level, comment, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(evaluation)
        .bind(record.follow_level)
        .bind(Some(step.text.as_str()).filter(|t| !t.is_empty()))
        .bind(step.at)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        (kind, Some(step)) => sqlx::query(
            "INSERT INTO upward_step (occurrence_id, kind, text, at, received_from) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(occurrence)
        .bind(kind.as_str())
        .bind(&step.text)
        .bind(step.at)
        .bind(system)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        (_, None) => return Ok(Received::refused("stepText", "此类记录须有办理内容")),
    };
    Ok(if changed == 0 {
        Received::Duplicate
    } else {
        Received::Accepted
    })
}

impl Store {
    /// Stores what county `system` sent, in order, each record on its own (one refused record
    /// leaves its neighbours stored), and the receipt of every one. One transaction for the batch.
    pub async fn receive_upward(
        &self,
        system: i64,
        records: &[Result<Record, WireError>],
    ) -> StoreResult<Vec<Received>> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let (received, kind, project, number) = match record {
                Err(e) => (
                    Received::Refused {
                        field: Some(e.field),
                        message: e.message.clone(),
                    },
                    "unknown",
                    String::new(),
                    0,
                ),
                Ok(record) => {
                    let mut one = sqlx::Acquire::begin(&mut *tx).await?;
                    let received = match record.kind {
                        RecordKind::Evaluation => evaluation(&mut one, system, record).await?,
                        _ => later_fact(&mut one, system, record).await?,
                    };
                    if received == Received::Accepted {
                        one.commit().await?;
                    } else {
                        one.rollback().await?;
                    }
                    (
                        received,
                        record.kind.as_str(),
                        record.project_no.clone(),
                        record.assess_number,
                    )
                }
            };
            let message = match &received {
                Received::Refused { message, .. } => Some(message.clone()),
                _ => None,
            };
            sqlx::query(
                "INSERT INTO upward_receipt (business_system_id, kind, project_no, assess_number, \
                 outcome, message, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(system)
            .bind(kind)
            .bind(project)
            .bind(i64::from(number))
            .bind(received.outcome())
            .bind(message)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            out.push(received);
        }
        tx.commit().await?;
        Ok(out)
    }
}
