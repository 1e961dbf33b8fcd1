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

/// The fields of a row, in order, with their meaning.
const FIELDS: [(&str, &str); 21] = [
    (
        "scope",
        "统计范围：all 全部、region 地区、department 部门、hall 大厅、window 窗口、staff 工作人员、item 事项",
    ),
    ("scope_id", "范围编号（all 为 0）"),
    ("name", "名称（工作人员按公示设置显示姓名或工号）"),
    ("month", "统计月份 YYYYMM（所评价服务的月份，北京时间）"),
    ("occurrences", "登记办件数"),
    ("l1", "有效评价：非常不满意"),
    ("l2", "有效评价：不满意"),
    ("l3", "有效评价：基本满意"),
    ("l4", "有效评价：满意"),
    ("l5", "有效评价：非常满意"),
    ("a1", "主动评价：非常不满意"),
    ("a2", "主动评价：不满意"),
    ("a3", "主动评价：基本满意"),
    ("a4", "主动评价：满意"),
    ("a5", "主动评价：非常满意"),
    ("invalidated", "申诉成立、不计入统计的评价"),
    ("bad_replied", "已答复的有效差评"),
    ("bad_rectified", "经回访且已办结的有效差评"),
    ("bad_real_name", "实名有效差评"),
    ("fix_rated", "群众评价过的整改次数"),
    ("fix_satisfied", "其中满意或基本满意"),
];

fn values(r: &OpenRow) -> [i64; 17] {
    let c = &r.counts;
    [
        c.occurrences,
        c.levels[0],
        c.levels[1],
        c.levels[2],
        c.levels[3],
        c.levels[4],
        c.active_levels[0],
        c.active_levels[1],
        c.active_levels[2],
        c.active_levels[3],
        c.active_levels[4],
        c.invalidated,
        c.bad_replied,
        c.bad_rectified,
        c.bad_real_name,
        c.fix_rated,
        c.fix_satisfied,
    ]
}

async fn rows(state: &AppState, q: &MonthQuery) -> Result<Vec<OpenRow>, AppError> {
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Some(
            domain::stats::parse_month(m).ok_or_else(|| AppError::Field {
                field: "month".into(),
                message: "月份格式应为 YYYY-MM".into(),
            })?,
        ),
        None => None,
    };
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

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

async fn csv(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let rows = rows(&state, &q).await?;
    // A byte-order mark, so that spreadsheet programs read the Chinese names as UTF-8.
    let mut out = String::from('\u{feff}');
    let header: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in &rows {
        let mut line = vec![
            r.scope.clone(),
            r.scope_id.to_string(),
            field(&r.name),
            r.month.to_string(),
        ];
        line.extend(values(r).iter().map(i64::to_string));
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(cacheable(out.into_response(), "text/csv; charset=utf-8"))
}

async fn json_data(
    State(state): State<AppState>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let rows = rows(&state, &q).await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut object = serde_json::Map::new();
            object.insert("scope".into(), json!(r.scope));
            object.insert("scope_id".into(), json!(r.scope_id));
            object.insert("name".into(), json!(r.name));
            object.insert("month".into(), json!(r.month));
            for ((name, _), value) in FIELDS[4..].iter().zip(values(r)) {
                object.insert((*name).into(), json!(value));
            }
            Value::Object(object)
        })
        .collect();
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
            "主动评价好评率": "(a5+a4[+a3]) / (a1+a2+a3+a4+a5)",
            "差评率": "(l1+l2) / (l1+l2+l3+l4+l5)",
            "差评回复率": "bad_replied / (l1+l2)",
            "回访整改率": "bad_rectified / (l1+l2)",
            "回访整改满意率": "fix_satisfied / fix_rated",
        },
        "rounding": "percentages truncated to two decimals, never rounded up; below min_sample a rate is not published",
        "sums": "rows of the same scope may be added across months; the 'all' row of a month is the sum of its departments",
    });
    cacheable(Json(body).into_response(), "application/json")
}
