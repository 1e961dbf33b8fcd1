//! Service occurrences: registration by business systems and the state they read back.

use domain::ids::{BusinessSystemId, DepartmentId, ServiceItemId, StaffId, WindowId};
use domain::sql::Flag;
use domain::time::Timestamp;
use sqlx::Row;

use crate::features::admin::Names;
use crate::platform::db::{Store, StoreResult, now_ms};

/// A service occurrence to register; ids already resolved from the codes the API received.
#[derive(Debug, Clone)]
pub struct NewOccurrence {
    pub case_number: String,
    pub occurrence_no: i64,
    pub service_item_id: Option<ServiceItemId>,
    pub department_id: DepartmentId,
    pub window_id: Option<WindowId>,
    pub staff_id: Option<StaffId>,
    pub channel: domain::Channel,
    pub business_system_id: Option<BusinessSystemId>,
    pub evaluator_phone_enc: Option<Vec<u8>>,
    /// 评价主体 (GB/T 39046 服务对象), if the business system said.
    pub evaluator_type: Option<domain::EvaluatorType>,
    /// 匿名评价 chosen.
    pub anonymous: bool,
}

/// What registering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterOutcome {
    Created(i64),
    /// The same occurrence was registered before with the same details: idempotent repeat.
    AlreadyRegistered(i64),
    /// The case and occurrence numbers are taken by an occurrence with other details.
    Conflict,
}

/// An occurrence with what the rating page and the API need to know about it.
#[derive(Debug, Clone)]
pub struct OccurrenceView {
    pub id: i64,
    pub case_number: String,
    pub occurrence_no: i64,
    pub department_id: i64,
    pub window_id: Option<i64>,
    /// 评价渠道 the business system registered: what its rating links are issued for.
    pub channel: domain::Channel,
    pub names: Names,
    /// Portal origins allowed to frame this occurrence's rating page.
    pub frame_origins: String,
    pub registered_at: Timestamp,
    /// The business system registered the applicant's phone and the applicant did not choose to be
    /// anonymous: a 差评 of this occurrence is 实名 even when the citizen types no phone.
    pub registered_phone: bool,
    /// The evaluation, if it was rated.
    pub evaluation: Option<RatedAs>,
}

/// How an occurrence was rated, as its business system may read it back (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedAs {
    pub tracking_code: String,
    pub level: domain::Level,
    pub rated_at: Timestamp,
}

const VIEW: &str = "SELECT o.id, o.case_number, o.occurrence_no, o.department_id, o.window_id, \
     o.channel, o.registered_at, \
     (o.evaluator_phone_enc IS NOT NULL AND NOT o.anonymous) AS registered_phone, d.name AS department, h.name AS hall, w.number || ' ' || w.name AS window, \
     i.name AS item, coalesce(b.frame_origins, '') AS frame_origins, \
     e.tracking_code, e.level, e.created_at AS rated_at \
     FROM service_occurrence o JOIN department d ON d.id = o.department_id \
     LEFT JOIN service_window w ON w.id = o.window_id LEFT JOIN hall h ON h.id = w.hall_id \
     LEFT JOIN service_item i ON i.id = o.service_item_id \
     LEFT JOIN business_system b ON b.id = o.business_system_id \
     LEFT JOIN evaluation e ON e.occurrence_id = o.id";

fn view(row: &crate::platform::db::DbRow) -> StoreResult<OccurrenceView> {
    let tracking: Option<String> = row.try_get("tracking_code")?;
    Ok(OccurrenceView {
        id: row.try_get("id")?,
        case_number: row.try_get("case_number")?,
        occurrence_no: row.try_get("occurrence_no")?,
        department_id: row.try_get("department_id")?,
        window_id: row.try_get("window_id")?,
        channel: row.try_get("channel")?,
        names: Names {
            department: row.try_get("department")?,
            hall: row.try_get("hall")?,
            window: row.try_get("window")?,
            service_item: row.try_get("item")?,
        },
        frame_origins: row.try_get("frame_origins")?,
        registered_at: row.try_get("registered_at")?,
        registered_phone: row.try_get::<domain::sql::Flag, _>("registered_phone")?.0,
        evaluation: match tracking {
            Some(tracking_code) => Some(RatedAs {
                tracking_code,
                level: row.try_get("level")?,
                rated_at: row.try_get("rated_at")?,
            }),
            None => None,
        },
    })
}

impl Store {
    /// Registers an occurrence once; a repeat with the same details is harmless, with other details
    /// it is a conflict. The evaluator's phone is not compared: it may be given only once.
    pub async fn register_occurrence(&self, new: &NewOccurrence) -> StoreResult<RegisterOutcome> {
        let owned = new.clone();
        let inserted = self
            .writer
            .write(move |c| {
                let new = owned.clone();
                Box::pin(async move { insert_occurrence(c, &new).await })
            })
            .await?;
        if let Some(id) = inserted {
            return Ok(RegisterOutcome::Created(id));
        }
        let row = sqlx::query(
            "SELECT id, service_item_id, department_id, window_id, staff_id, channel, \
             business_system_id, evaluator_type, anonymous FROM service_occurrence \
             WHERE coalesce(business_system_id, 0) = coalesce($1, 0) AND case_number = $2 \
             AND occurrence_no = $3",
        )
        .bind(new.business_system_id)
        .bind(&new.case_number)
        .bind(new.occurrence_no)
        .fetch_one(&self.pool)
        .await?;
        let same = row.try_get::<Option<ServiceItemId>, _>("service_item_id")?
            == new.service_item_id
            && row.try_get::<DepartmentId, _>("department_id")? == new.department_id
            && row.try_get::<Option<WindowId>, _>("window_id")? == new.window_id
            && row.try_get::<Option<StaffId>, _>("staff_id")? == new.staff_id
            && row.try_get::<domain::Channel, _>("channel")? == new.channel
            && row.try_get::<Option<BusinessSystemId>, _>("business_system_id")?
                == new.business_system_id
            && row.try_get::<Option<i64>, _>("evaluator_type")?
                == new.evaluator_type.map(|t| i64::from(t.code()))
            && row.try_get::<Flag, _>("anonymous")?.0 == new.anonymous;
        Ok(if same {
            RegisterOutcome::AlreadyRegistered(row.get("id"))
        } else {
            RegisterOutcome::Conflict
        })
    }

    /// Whether `system` may register cases of `department`: it holds a grant of the department, or
    /// of the department's region or a region above it.
    pub async fn may_register_for(
        &self,
        system: BusinessSystemId,
        department: DepartmentId,
    ) -> StoreResult<bool> {
        sqlx::query_scalar::<_, domain::sql::Flag>(
            "WITH RECURSIVE up (id) AS (                  SELECT region_id FROM department WHERE id = $2                  UNION SELECT r.parent_id FROM region r JOIN up ON r.id = up.id                  WHERE r.parent_id IS NOT NULL)              SELECT EXISTS (SELECT 1 FROM business_system_grant WHERE business_system_id = $1                  AND (department_id = $2 OR region_id IN (SELECT id FROM up)))",
        )
        .bind(system)
        .bind(department)
        .fetch_one(&self.pool)
        .await
        .map(bool::from)
    }

    /// The first of the service item, window and staff member that is not `department`'s: the
    /// field to name. A business system registers only for its granted departments, and only what
    /// belongs to them.
    pub async fn outside_department(
        &self,
        department: DepartmentId,
        item: ServiceItemId,
        window: Option<WindowId>,
        staff: Option<StaffId>,
    ) -> StoreResult<Option<&'static str>> {
        let (item_ok, window_ok, staff_ok): (Flag, Flag, Flag) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM service_item WHERE id = $1 AND department_id = $4), \
             $2 IS NULL OR EXISTS (SELECT 1 FROM service_window WHERE id = $2 AND department_id = $4), \
             $3 IS NULL OR EXISTS (SELECT 1 FROM staff WHERE id = $3 AND department_id = $4)",
        )
        .bind(item)
        .bind(window)
        .bind(staff)
        .bind(department)
        .fetch_one(&self.pool)
        .await?;
        Ok([
            ("service_item", item_ok.0),
            ("window", window_ok.0),
            ("staff", staff_ok.0),
        ]
        .into_iter()
        .find(|(_, ok)| !ok)
        .map(|(name, _)| name))
    }

    /// One occurrence by id.
    pub async fn occurrence(&self, id: i64) -> StoreResult<Option<OccurrenceView>> {
        let sql = format!("{VIEW} WHERE o.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(view).transpose()
    }

    /// One occurrence by its case and occurrence numbers, as registered by `business_system`.
    pub async fn occurrence_by_case(
        &self,
        business_system: BusinessSystemId,
        case_number: &str,
        occurrence_no: i64,
    ) -> StoreResult<Option<OccurrenceView>> {
        let sql = format!(
            "{VIEW} WHERE o.case_number = $1 AND o.occurrence_no = $2 AND o.business_system_id = $3"
        );
        let row = sqlx::query(&sql)
            .bind(case_number)
            .bind(occurrence_no)
            .bind(business_system)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(view).transpose()
    }
}

impl RegisterOutcome {
    /// The occurrence id, unless the registration conflicted.
    pub fn id(self) -> Option<i64> {
        match self {
            RegisterOutcome::Created(id) | RegisterOutcome::AlreadyRegistered(id) => Some(id),
            RegisterOutcome::Conflict => None,
        }
    }
}

/// The occurrence's row, through the writer (one of a batch); `None` when its key exists already.
async fn insert_occurrence(
    c: &mut crate::platform::db::Connection,
    new: &NewOccurrence,
) -> StoreResult<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
         department_id, window_id, staff_id, channel, business_system_id, evaluator_phone_enc, \
         evaluator_type, anonymous, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&new.case_number)
    .bind(new.occurrence_no)
    .bind(new.service_item_id)
    .bind(new.department_id)
    .bind(new.window_id)
    .bind(new.staff_id)
    .bind(new.channel)
    .bind(new.business_system_id)
    .bind(&new.evaluator_phone_enc)
    .bind(new.evaluator_type.map(|t| i64::from(t.code())))
    .bind(new.anonymous)
    .bind(now_ms())
    .fetch_optional(&mut *c)
    .await
}
