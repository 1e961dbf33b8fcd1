//! Opinions and inspections: the occurrence, its side row, the evaluation and (for a 差评) its
//! ticket in one transaction; the lists; the counts of `stat_voice`.

use domain::{
    Level,
    ids::{DepartmentId, HallId, ServiceItemId, StaffId, WindowId},
    org::Scope,
    time::{Date, Month, Timestamp},
    voice::{InspectionMethod, InspectionTarget, OpinionSource},
};
use sqlx::Row;

use crate::features::rating::{NewEvaluation, store_evaluation};
use crate::platform::{
    db::{Store, StoreResult, now_ms},
    scope::{departments_sql, within},
};

/// What an opinion or inspection is about: always a department (the unit that owns a ticket), and
/// what else was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceSubject {
    pub department: DepartmentId,
    pub hall: Option<HallId>,
    pub window: Option<WindowId>,
    pub staff: Option<StaffId>,
    pub item: Option<ServiceItemId>,
}

/// What kind of voice, with its own record.
#[derive(Debug, Clone)]
pub enum NewVoice {
    /// 综合点评; `typed_by` is the account that typed it in (not for `Web`).
    Opinion {
        source: OpinionSource,
        typed_by: Option<i64>,
    },
    /// 监督查评 by `account`.
    Inspection {
        inspection_no: String,
        date: Date,
        target: InspectionTarget,
        method: InspectionMethod,
        findings: String,
        account: i64,
    },
}

/// Whether a voice was stored, and why not.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// The same device sent an opinion within the cool-down.
    TooSoon,
    /// This inspection id was recorded before.
    Duplicate,
}

impl Store {
    /// Stores an opinion or inspection with its evaluation (and ticket). A web opinion from a
    /// device that sent one at or after `cooldown_since` is refused.
    pub async fn insert_voice(
        &self,
        subject: VoiceSubject,
        voice: &NewVoice,
        evaluation: &NewEvaluation,
        cooldown_since: i64,
    ) -> StoreResult<Outcome> {
        let (voice, evaluation) = (voice.clone(), evaluation.clone());
        self.writer
            .write(move |c| {
                let (voice, evaluation) = (voice.clone(), evaluation.clone());
                Box::pin(async move {
                    store_voice(c, subject, &voice, &evaluation, cooldown_since).await
                })
            })
            .await
    }

    /// The department, hall and window of a window.
    pub async fn window_subject(&self, window: WindowId) -> StoreResult<Option<VoiceSubject>> {
        let row = sqlx::query(
            "SELECT department_id, hall_id FROM service_window \
             WHERE id = $1 AND deactivated_at IS NULL",
        )
        .bind(window)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| VoiceSubject {
            department: r.get("department_id"),
            hall: Some(r.get("hall_id")),
            window: Some(window),
            staff: None,
            item: None,
        }))
    }

    /// The department (and window, hall) of a staff member.
    pub async fn staff_subject(&self, staff: StaffId) -> StoreResult<Option<VoiceSubject>> {
        let row = sqlx::query(
            "SELECT s.department_id, s.window_id, w.hall_id FROM staff s \
             LEFT JOIN service_window w ON w.id = s.window_id \
             WHERE s.id = $1 AND s.deactivated_at IS NULL",
        )
        .bind(staff)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| VoiceSubject {
            department: r.get("department_id"),
            hall: r.get("hall_id"),
            window: r.get("window_id"),
            staff: Some(staff),
            item: None,
        }))
    }

    /// The department of a service item.
    pub async fn item_subject(&self, item: ServiceItemId) -> StoreResult<Option<VoiceSubject>> {
        let department: Option<DepartmentId> = sqlx::query_scalar(
            "SELECT department_id FROM service_item WHERE id = $1 AND deactivated_at IS NULL",
        )
        .bind(item)
        .fetch_optional(&self.pool)
        .await?;
        Ok(department.map(|department| VoiceSubject {
            department,
            hall: None,
            window: None,
            staff: None,
            item: Some(item),
        }))
    }

    /// Whether the department exists and is open.
    pub async fn department_active(&self, department: DepartmentId) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM department WHERE id = $1 AND deactivated_at IS NULL)",
        )
        .bind(department)
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// Whether the hall exists and is open.
    pub async fn hall_active(&self, hall: HallId) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM hall WHERE id = $1 AND deactivated_at IS NULL)",
        )
        .bind(hall)
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// The halls by name, for the opinion form.
    pub async fn hall_choices(&self) -> StoreResult<Vec<(HallId, String)>> {
        let rows =
            sqlx::query("SELECT id, name FROM hall WHERE deactivated_at IS NULL ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| (r.get("id"), r.get("name"))).collect())
    }

    /// The department that receives an opinion naming none (`haochaping set-opinion-department`).
    pub async fn opinion_department(&self) -> StoreResult<Option<(DepartmentId, String)>> {
        let row = sqlx::query(
            "SELECT d.id, d.name FROM setting s JOIN department d \
             ON d.code = json_extract(s.value, '$') AND d.deactivated_at IS NULL \
             WHERE s.key = 'opinion_department'",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.get("id"), r.get("name"))))
    }

    /// Sets the department that receives opinions naming none, audited.
    pub async fn set_opinion_department(&self, code: &str) -> StoreResult<()> {
        use crate::platform::auth::{Audit, audit};
        let value = serde_json::Value::String(code.to_owned());
        let mut tx = self.pool.begin().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT value FROM setting WHERE key = 'opinion_department'")
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO setting (key, value, updated_at) VALUES ('opinion_department', $1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(value.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let before = before.and_then(|b| serde_json::from_str(&b).ok());
        let entry =
            Audit::new(None, "set_opinion_department", ("setting", 0)).change(before, Some(value));
        audit(&mut tx, entry).await?;
        tx.commit().await
    }

    /// The opinions of `month` in `scope`, newest first.
    pub async fn opinions(&self, scope: Scope, month: Month) -> StoreResult<Vec<OpinionLine>> {
        let departments = within("o.department_id", departments_sql(scope));
        let sql = format!(
            "SELECT e.tracking_code, e.level, e.created_at, e.comment, g.source, d.name AS department, \
             coalesce(hw.name, h.name) AS hall, w.number AS window, a.username AS typed_by, \
             t.state AS ticket_state, \
             EXISTS (SELECT 1 FROM evaluation_invalidation i WHERE i.evaluation_id = e.id) AS invalid \
             FROM general_opinion g JOIN service_occurrence o ON o.id = g.occurrence_id \
             JOIN evaluation e ON e.occurrence_id = o.id \
             JOIN department d ON d.id = o.department_id \
             LEFT JOIN service_window w ON w.id = o.window_id \
             LEFT JOIN hall hw ON hw.id = w.hall_id LEFT JOIN hall h ON h.id = g.hall_id \
             LEFT JOIN account a ON a.id = g.typed_by \
             LEFT JOIN ticket t ON t.evaluation_id = e.id \
             WHERE o.registered_at >= $1 AND o.registered_at < $2 AND {departments} \
             ORDER BY e.created_at DESC, e.id DESC LIMIT 500"
        );
        let rows = sqlx::query(&sql)
            .bind(month.start_unix_ms_cst())
            .bind(month.end_unix_ms_cst())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OpinionLine {
                    tracking_code: r.try_get("tracking_code")?,
                    level: r.try_get("level")?,
                    created_at: r.try_get("created_at")?,
                    comment: r.try_get("comment")?,
                    source: r.try_get("source")?,
                    department: r.try_get("department")?,
                    hall: r.try_get("hall")?,
                    window: r.try_get("window")?,
                    typed_by: r.try_get("typed_by")?,
                    ticket: r.try_get("ticket_state")?,
                    invalidated: r.try_get::<domain::sql::Flag, _>("invalid")?.0,
                })
            })
            .collect()
    }

    /// The inspections made in `month` whose unit is in `scope`, newest first.
    pub async fn inspections(
        &self,
        scope: Scope,
        month: Month,
    ) -> StoreResult<Vec<InspectionLine>> {
        let departments = within("o.department_id", departments_sql(scope));
        let sql = format!(
            "SELECT i.inspection_no, o.registered_at, i.target, i.method, i.findings, e.level, \
             e.tracking_code, d.name AS department, coalesce(hw.name, h.name) AS hall, \
             w.number AS window, s.name AS staff, si.name AS item, a.username AS inspector, \
             t.state AS ticket_state, t.id AS ticket_id \
             FROM inspection i JOIN service_occurrence o ON o.id = i.occurrence_id \
             JOIN evaluation e ON e.occurrence_id = o.id \
             JOIN department d ON d.id = o.department_id \
             LEFT JOIN service_window w ON w.id = o.window_id \
             LEFT JOIN hall hw ON hw.id = w.hall_id LEFT JOIN hall h ON h.id = i.hall_id \
             LEFT JOIN staff s ON s.id = o.staff_id \
             LEFT JOIN service_item si ON si.id = o.service_item_id \
             JOIN account a ON a.id = i.account_id \
             LEFT JOIN ticket t ON t.evaluation_id = e.id \
             WHERE o.registered_at >= $1 AND o.registered_at < $2 AND {departments} \
             ORDER BY o.registered_at DESC, i.occurrence_id DESC LIMIT 500"
        );
        let rows = sqlx::query(&sql)
            .bind(month.start_unix_ms_cst())
            .bind(month.end_unix_ms_cst())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let target: InspectionTarget = r.try_get("target")?;
                let named: Option<String> = match target {
                    InspectionTarget::Window => r.try_get("window")?,
                    InspectionTarget::Staff => r.try_get("staff")?,
                    InspectionTarget::Item => r.try_get("item")?,
                    InspectionTarget::Hall => r.try_get("hall")?,
                };
                Ok(InspectionLine {
                    inspection_no: r.try_get("inspection_no")?,
                    date: Timestamp::from_unix_ms(r.try_get("registered_at")?).date_cst(),
                    target,
                    target_name: named.unwrap_or_default(),
                    method: r.try_get("method")?,
                    findings: r.try_get("findings")?,
                    level: r.try_get("level")?,
                    department: r.try_get("department")?,
                    hall: r.try_get("hall")?,
                    inspector: r.try_get("inspector")?,
                    ticket: r.try_get("ticket_state")?,
                    ticket_id: r.try_get("ticket_id")?,
                })
            })
            .collect()
    }

    /// The valid 综合点评 and 监督查评 of `scope` over `from ..= to` (`stat_voice`).
    pub async fn voice_counts(
        &self,
        scope: crate::features::disclosure::Scope,
        from: Month,
        to: Month,
    ) -> StoreResult<VoiceCounts> {
        let (scope, scope_id) = scope.key();
        let sql = format!(
            "SELECT {VOICE_SUMS} FROM stat_voice \
             WHERE scope = $1 AND scope_id = $2 AND month BETWEEN $3 AND $4"
        );
        let row = sqlx::query(&sql)
            .bind(scope)
            .bind(scope_id)
            .bind(from)
            .bind(to)
            .fetch_one(&self.pool)
            .await?;
        VoiceCounts::from_row(&row)
    }

    /// The department rows of `stat_voice` summed over the departments `departments` (SQL) selects.
    pub async fn voice_counts_of_departments(
        &self,
        departments: &str,
        from: Month,
        to: Month,
    ) -> StoreResult<VoiceCounts> {
        let stat_voice = self.backend().rows_of("stat_voice");
        let sql = format!(
            "SELECT {VOICE_SUMS} FROM {stat_voice} \
             WHERE scope = 'department' AND scope_id IN ({departments}) AND month BETWEEN $1 AND $2"
        );
        let row = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .fetch_one(&self.pool)
            .await?;
        VoiceCounts::from_row(&row)
    }

    /// Inspections per month (`YYYYMM`) in `scope` from `from` on, for the list's monthly counts.
    pub async fn inspections_per_month(
        &self,
        scope: Scope,
        from: Month,
    ) -> StoreResult<Vec<(Month, i64)>> {
        let sql = format!(
            "SELECT CAST(strftime('%Y%m', o.registered_at / 1000 + 28800, 'unixepoch') AS INTEGER) \
             AS month, count(*) AS n \
             FROM inspection i JOIN service_occurrence o ON o.id = i.occurrence_id \
             WHERE o.registered_at >= $1 AND {} GROUP BY month ORDER BY month DESC",
            within("o.department_id", departments_sql(scope))
        );
        let rows = sqlx::query(&sql)
            .bind(from.start_unix_ms_cst())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("month")?, r.try_get("n")?)))
            .collect()
    }
}

/// The sums of `stat_voice`'s counts, named as `VoiceCounts::from_row` reads them.
const VOICE_SUMS: &str = "coalesce(CAST(sum(general) AS BIGINT), 0) AS general, \
    coalesce(CAST(sum(general_typed) AS BIGINT), 0) AS general_typed, \
    coalesce(CAST(sum(general_good) AS BIGINT), 0) AS general_good, coalesce(CAST(sum(general_bad) AS BIGINT), 0) AS general_bad, \
    coalesce(CAST(sum(inspections) AS BIGINT), 0) AS inspections, \
    coalesce(CAST(sum(inspection_covert) AS BIGINT), 0) AS inspection_covert, \
    coalesce(CAST(sum(inspection_good) AS BIGINT), 0) AS inspection_good, \
    coalesce(CAST(sum(inspection_bad) AS BIGINT), 0) AS inspection_bad";

/// The valid 综合点评 and 监督查评 of a scope over some months.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoiceCounts {
    /// 综合点评 entered by citizens themselves (the public form).
    pub general: i64,
    /// 综合点评 typed in by staff (意见箱, e-mail, letter, hotline, platform).
    pub general_typed: i64,
    pub general_good: i64,
    pub general_bad: i64,
    pub inspections: i64,
    pub inspection_covert: i64,
    pub inspection_good: i64,
    pub inspection_bad: i64,
}

impl VoiceCounts {
    pub(crate) fn from_row(row: &crate::platform::db::DbRow) -> StoreResult<VoiceCounts> {
        Ok(VoiceCounts {
            general: row.try_get("general")?,
            general_typed: row.try_get("general_typed")?,
            general_good: row.try_get("general_good")?,
            general_bad: row.try_get("general_bad")?,
            inspections: row.try_get("inspections")?,
            inspection_covert: row.try_get("inspection_covert")?,
            inspection_good: row.try_get("inspection_good")?,
            inspection_bad: row.try_get("inspection_bad")?,
        })
    }

    /// Every 综合点评, whoever entered it.
    pub fn general_total(&self) -> i64 {
        self.general + self.general_typed
    }
}

/// One 综合点评 on the supervisor's list (the citizen's phone is never read here).
#[derive(Debug, Clone)]
pub struct OpinionLine {
    pub tracking_code: String,
    pub level: Level,
    pub created_at: Timestamp,
    pub comment: Option<String>,
    pub source: OpinionSource,
    pub department: String,
    pub hall: Option<String>,
    pub window: Option<String>,
    pub typed_by: Option<String>,
    pub ticket: Option<domain::ticket::TicketState>,
    pub invalidated: bool,
}

/// One 监督查评 on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionLine {
    pub inspection_no: String,
    pub date: Date,
    pub target: InspectionTarget,
    pub target_name: String,
    pub method: InspectionMethod,
    pub findings: String,
    pub level: Level,
    pub department: String,
    pub hall: Option<String>,
    pub inspector: String,
    pub ticket: Option<domain::ticket::TicketState>,
    pub ticket_id: Option<i64>,
}

/// `insert_voice` inside the writer's transaction: the guards are read first (the writer is the
/// only writer of opinions and inspections), then everything is written.
async fn store_voice(
    c: &mut crate::platform::db::Connection,
    subject: VoiceSubject,
    voice: &NewVoice,
    evaluation: &NewEvaluation,
    cooldown_since: i64,
) -> StoreResult<Outcome> {
    let now = now_ms();
    if let Some(device) = &evaluation.device_hash {
        let recent: Option<i64> = sqlx::query_scalar(
            "SELECT e.id FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE e.device_hash = $1 AND e.created_at >= $2 AND o.kind = 'general' LIMIT 1",
        )
        .bind(device)
        .bind(cooldown_since)
        .fetch_optional(&mut *c)
        .await?;
        if recent.is_some() {
            return Ok(Outcome::TooSoon);
        }
    }
    if let NewVoice::Inspection { inspection_no, .. } = voice {
        let taken: bool = sqlx::query_scalar::<_, domain::sql::Flag>(
            "SELECT EXISTS (SELECT 1 FROM inspection WHERE inspection_no = $1)",
        )
        .bind(inspection_no)
        .fetch_one(&mut *c)
        .await?
        .into();
        if taken {
            return Ok(Outcome::Duplicate);
        }
    }
    let (kind, registered_at, prefix) = match voice {
        NewVoice::Opinion { .. } => ("general", now, "ZH"),
        // An inspection counts in the month it was made.
        NewVoice::Inspection { date, .. } => ("inspection", date.start_unix_ms_cst(), "JC"),
    };
    let occurrence: i64 = sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
         department_id, window_id, staff_id, channel, registered_at, anonymous, kind) \
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(format!("{prefix}-{}", evaluation.tracking_code))
    .bind(subject.item)
    .bind(subject.department)
    .bind(subject.window)
    .bind(subject.staff)
    .bind(evaluation.channel)
    .bind(registered_at)
    .bind(evaluation.phone_enc.is_none())
    .bind(kind)
    .fetch_one(&mut *c)
    .await?;
    match voice {
        NewVoice::Opinion { source, typed_by } => {
            sqlx::query(
                "INSERT INTO general_opinion (occurrence_id, source, hall_id, typed_by) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(occurrence)
            .bind(source)
            .bind(subject.hall)
            .bind(typed_by)
            .execute(&mut *c)
            .await?;
        }
        NewVoice::Inspection {
            inspection_no,
            target,
            method,
            findings,
            account,
            ..
        } => {
            sqlx::query(
                "INSERT INTO inspection (occurrence_id, inspection_no, target, hall_id, method, \
                 findings, account_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(occurrence)
            .bind(inspection_no)
            .bind(target)
            .bind(subject.hall)
            .bind(method)
            .bind(findings)
            .bind(account)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
    }
    store_evaluation(c, occurrence, evaluation).await?;
    Ok(Outcome::Stored)
}
