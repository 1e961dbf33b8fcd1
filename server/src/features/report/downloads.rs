//! 月度报告 downloads (CSV, XLSX) for the supervising office; the same session as the pages.

use domain::time::Month;

use axum::{
    Router,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use super::{self as report, ReportError};
use crate::platform::error::AppError;
use crate::{AppState, platform::session::StaffSession};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/report.csv", get(csv))
        .route("/staff/report.xlsx", get(xlsx))
}

#[derive(Debug, Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

/// The signed-in supervisor's report of the month asked for (the previous month by default).
async fn report_for(
    state: &AppState,
    headers: &HeaderMap,
    q: &MonthQuery,
) -> Result<Result<report::MonthlyReport, Response>, AppError> {
    let Some(session) = StaffSession::of_headers(state, headers).await? else {
        return Ok(Err((StatusCode::UNAUTHORIZED, "请先登录").into_response()));
    };
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(|e| AppError::Field {
            field: "month".into(),
            message: e.message_zh().into(),
        })?,
        None => crate::platform::db::now().month_cst().prev(),
    };
    match report::monthly(state, session.actor, month).await {
        Ok(r) => Ok(Ok(r)),
        Err(ReportError::Forbidden) => Ok(Err(
            (StatusCode::FORBIDDEN, "仅监督股可下载月度报告").into_response()
        )),
        Err(ReportError::Store(e)) => Err(e.into()),
    }
}

fn download(body: Vec<u8>, content_type: &'static str, name: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// The report's two download formats.
#[derive(Debug, Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    export(&state, &headers, &q, Format::Csv).await
}

async fn xlsx(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    export(&state, &headers, &q, Format::Xlsx).await
}

/// The signed-in supervisor's report as a file of `format`.
async fn export(
    state: &AppState,
    headers: &HeaderMap,
    q: &MonthQuery,
    format: Format,
) -> Result<Response, AppError> {
    let r = match report_for(state, headers, q).await? {
        Ok(r) => r,
        Err(refused) => return Ok(refused),
    };
    let (bytes, content_type, extension) = match format {
        Format::Csv => (
            report::csv(&r).map_err(|e| AppError::Internal(e.into()))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            report::xlsx(&r).map_err(|e| AppError::Internal(e.into()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    Ok(download(
        bytes,
        content_type,
        format!("report-{}.{extension}", r.month),
    ))
}
