//! 开放数据 — the aggregates behind every published figure, as CSV and JSON with a documented
//! schema. No personal data: counts per scope and month only.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::OpenRow;
use super::data_row::{FIELDS, csv_document, json_rows};
use crate::AppState;
use crate::platform::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open/data.csv", get(csv))
        .route("/open/data.json", get(json_data))
        .route("/open/data-schema.json", get(schema))
}

#[derive(Debug, Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

/// One month's rows (`?month=YYYY-MM`, this month when not given): a download is bounded by
/// the organisation's size, whatever the history.
async fn rows(state: &AppState, q: &MonthQuery) -> Result<Vec<OpenRow>, AppError> {
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => domain::time::Month::parse(m).map_err(|e| AppError::Field {
            field: "month".into(),
            message: e.message_zh().into(),
        })?,
        None => super::service::this_month(),
    };
    let month = Some(month);
    let staff_by_name = state.rules().disclosure.staff_by_name;
    Ok(state.store.open_data(month, staff_by_name).await?)
}

fn cacheable(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn csv(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let rows = rows(&state, &q).await?;
    let body = csv_document(&rows).map_err(|e| AppError::Internal(e.into()))?;
    Ok(cacheable(body.into_response(), "text/csv; charset=utf-8"))
}

async fn json_data(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let rows = rows(&state, &q).await?;
    let rows = json_rows(&rows).map_err(|e| AppError::Internal(e.into()))?;
    let policy = state.rules().disclosure.policy;
    let body = json!({
        "schema": "/open/data-schema.json",
        "settings": {
            "basic_counts_as_good": policy.basic_counts_as_good,
            "min_sample": policy.min_sample,
        },
        "rows": rows,
    });
    Ok(cacheable(Json(body).into_response(), "application/json"))
}

async fn schema() -> Response {
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|(name, meaning)| json!({ "name": name, "meaning": meaning }))
        .collect();
    let body = json!({
        "title": "政务服务“好差评”统计数据",
        "fields": fields,
        "formulas": {
            "评价率": "(l1+l2+l3+l4+l5+invalidated) / occurrences",
            "好评率": "(l5+l4[+l3 when basic_counts_as_good]) / (l1+l2+l3+l4+l5)",
            "主动评价好评率": "(a5+a4[+a3]) / (a1+a2+a3+a4+a5): citizen-made ratings only, system default evaluations (ch_system_default) excluded",
            "未评率": "(occurrences-l1-l2-l3-l4-l5-invalidated) / occurrences: services without any rating (a default evaluation counts as a rating)",
            "差评率": "(l1+l2) / (l1+l2+l3+l4+l5)",
            "差评回复率": "bad_replied / (l1+l2)",
            "回访整改率": "bad_rectified / (l1+l2)",
            "回访整改满意率": "fix_satisfied / fix_rated",
            "实名差评回访率": "bad_real_name_visited / bad_real_name (target 100 %)",
        },
        "rounding": "percentages truncated to two decimals, never rounded up; below min_sample a rate is not published",
        "sums": "rows of the same scope may be added across months; the 'all' row of a month is the sum of its departments; in every row ch_* add up to l1+l2+l3+l4+l5",
        "evaluators": "et1..et6 count valid ratings by the 评价主体 type the business system registered (GB/T 39046 1 自然人 … 6 其他组织); ratings registered without a type are in none; anonymous counts valid ratings whose evaluator chose anonymity",
        "channels": "ch_* count valid ratings by the channel the citizen actually used (the channel the rating link was issued for; a window e码 is 二维码); codes: common coding 1 PC端 … 7 短信, the other variant 6 短信, 7 系统默认评价",
    });
    cacheable(Json(body).into_response(), "application/json")
}
