//! 来访登记 — the queue system reports a visit (取号, 叫号, 办结), alone or in a batch.

use domain::CaseNumber;
use domain::ids::{BusinessSystemId, HallId, ServiceItemId, StaffId};
use domain::visit::{QueueNo, VisitTimes};
use serde::{Deserialize, Serialize};

use super::refusal::{RowError, VisitReportError, conflict, field};
use super::{NewVisit, StoredVisit, VisitOutcome, VisitRefused};
use crate::features::admin::ByCode;
use crate::platform::db::now_ms;
use crate::platform::state::AppState;

/// One visit as the queue system reports it. Its key is (hall, queue_no, the China-time day of
/// taken_at_ms): a report with the same key updates the same visit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    /// Code of the hall (大厅编码).
    pub hall: String,
    /// 取号号码, as printed on the ticket.
    pub queue_no: String,
    /// Code of the window that serves (or will serve) the visit.
    pub window: String,
    /// 工号 of the clerk, once known.
    #[serde(default)]
    pub staff: Option<String>,
    /// 实施编码 of the service item, once known.
    #[serde(default)]
    pub service_item: Option<String>,
    /// 办件编号 of the case the visit handled: the visit is then that case's occurrence 1 (the same
    /// one `POST /api/v1/occurrences` registers), rated once by its link or the e码.
    #[serde(default)]
    pub case_number: Option<String>,
    /// 取号时间, unix ms.
    pub taken_at_ms: i64,
    /// 叫号时间, unix ms.
    #[serde(default)]
    pub called_at_ms: Option<i64>,
    /// 办结时间, unix ms: the visit is then an occurrence waiting for its rating.
    #[serde(default)]
    pub finished_at_ms: Option<i64>,
}

/// What the queue system gets back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VisitReported {
    pub id: i64,
    pub created: bool,
    /// 评价码 to print on the queue ticket.
    pub visit_code: String,
    /// The window's e码 page for this visit (a QR code on the ticket may carry it).
    pub rating_url: String,
    pub finished: bool,
    pub rated: bool,
}

async fn code<I: ByCode>(
    state: &AppState,
    name: &'static str,
    code: Option<&str>,
    what: &str,
) -> Result<Option<I>, VisitReportError> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    match state.store.id_by_code(code).await? {
        Some(id) => Ok(Some(id)),
        None => Err(field(name, format!("未知的{what} {code:?}"))),
    }
}

/// The latest a reported time may be: a few minutes of clock drift, no visits from tomorrow.
const DRIFT_MS: i64 = 5 * 60 * 1000;

/// Checks one report and resolves its codes; the window's e码 comes back for the rating link.
async fn check(
    state: &AppState,
    system: BusinessSystemId,
    req: &VisitRequest,
) -> Result<(NewVisit, String), VisitReportError> {
    let queue_no = QueueNo::parse(&req.queue_no).map_err(|e| field(e.field(), e.to_string()))?;
    let case_number = match req.case_number.as_deref().map(str::trim) {
        Some(case) if !case.is_empty() => Some(
            CaseNumber::parse(case)
                .map_err(|_| field("case_number", "办件编号应为 1 至 50 个字母、数字或 - _ . /"))?
                .as_str()
                .to_owned(),
        ),
        _ => None,
    };
    let times = VisitTimes::new(req.taken_at_ms, req.called_at_ms, req.finished_at_ms)
        .map_err(|e| field(e.field(), e.to_string()))?;
    let latest = now_ms() + DRIFT_MS;
    for (name, at) in [
        ("taken_at_ms", Some(req.taken_at_ms)),
        ("called_at_ms", req.called_at_ms),
        ("finished_at_ms", req.finished_at_ms),
    ] {
        if at.is_some_and(|at| at > latest) {
            return Err(field(name, "时间晚于服务器当前时间"));
        }
    }
    let hall: HallId = code(state, "hall", Some(&req.hall), "大厅编码")
        .await?
        .ok_or_else(|| field("hall", "大厅编码不能为空"))?;
    let window = state
        .store
        .visit_window(req.window.trim())
        .await?
        .ok_or_else(|| field("window", format!("未知的窗口编码 {:?}", req.window.trim())))?;
    if window.hall_id != hall {
        return Err(field("window", "窗口不属于该大厅"));
    }
    if !state
        .store
        .may_register_for(system, window.department_id)
        .await?
    {
        return Err(VisitReportError::Forbidden {
            field: "window",
            message: "本业务系统未获该窗口所属部门的授权".into(),
        });
    }
    let staff: Option<StaffId> = code(state, "staff", req.staff.as_deref(), "工号").await?;
    let item: Option<ServiceItemId> = code(
        state,
        "service_item",
        req.service_item.as_deref(),
        "实施编码",
    )
    .await?;
    let new = NewVisit {
        business_system_id: system,
        hall_id: hall,
        queue_no: queue_no.as_str().to_owned(),
        window_id: window.id,
        department_id: window.department_id,
        staff_id: staff,
        service_item_id: item,
        case_number,
        times,
    };
    Ok((new, window.ecode))
}

fn reported(state: &AppState, ecode: &str, visit: StoredVisit, created: bool) -> VisitReported {
    VisitReported {
        id: visit.id,
        created,
        rating_url: format!("{}/w/{ecode}?v={}", state.config.public_url, visit.code),
        finished: visit.occurrence_id.is_some(),
        rated: visit.rated,
        visit_code: visit.code,
    }
}

fn answer(
    state: &AppState,
    ecode: &str,
    outcome: VisitOutcome,
) -> Result<VisitReported, VisitReportError> {
    match outcome {
        VisitOutcome::Created(v) => Ok(reported(state, ecode, v, true)),
        VisitOutcome::Updated(v) => Ok(reported(state, ecode, v, false)),
        VisitOutcome::Refused(refused) => Err(refusal(refused)),
    }
}

fn refusal(refused: VisitRefused) -> VisitReportError {
    match refused {
        VisitRefused::Conflict(name) => conflict(name),
        VisitRefused::Invalid(e) => field(e.field(), e.to_string()),
    }
}

/// Checks and stores one visit (idempotent on its key).
pub async fn report_visit(
    state: &AppState,
    system: BusinessSystemId,
    req: &VisitRequest,
) -> Result<VisitReported, VisitReportError> {
    let (new, ecode) = check(state, system, req).await?;
    let code = crate::platform::crypto::random_code(8);
    let outcome = state.store.report_visit(&new, &code).await?;
    answer(state, &ecode, outcome)
}

/// At most this many visits in one batch.
pub const BATCH_MAX: usize = 5000;

/// Checks every row, then stores them all in one transaction or none; refused rows are named by
/// their index (from 0).
pub async fn report_batch(
    state: &AppState,
    system: BusinessSystemId,
    rows: &[Result<VisitRequest, RowError>],
) -> Result<Vec<VisitReported>, VisitReportError> {
    let mut checked = Vec::with_capacity(rows.len());
    let mut refused = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let req = match row {
            Ok(req) => req,
            Err(e) => {
                refused.push(e.clone());
                continue;
            }
        };
        match check(state, system, req).await {
            Ok(ok) => checked.push(ok),
            Err(VisitReportError::Store(e)) => return Err(e.into()),
            Err(e) => refused.push(e.at_row(i)),
        }
    }
    if !refused.is_empty() {
        return Err(VisitReportError::Rows {
            conflict: false,
            rows: refused,
        });
    }
    let visits: Vec<(NewVisit, String)> = checked
        .iter()
        .map(|(new, _)| (new.clone(), crate::platform::crypto::random_code(8)))
        .collect();
    match state.store.report_visits(&visits).await? {
        Ok(outcomes) => checked
            .iter()
            .zip(outcomes)
            .map(|((_, ecode), outcome)| answer(state, ecode, outcome))
            .collect(),
        Err((row, refused)) => {
            let e = refusal(refused);
            Err(VisitReportError::Rows {
                conflict: matches!(e, VisitReportError::Conflict { .. }),
                rows: vec![e.at_row(row)],
            })
        }
    }
}
