//! Server functions of the supervising office's analysis: the monthly report, the hour × weekday
//! heat map of a hall, and the windows whose satisfaction dropped.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The monthly report as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub month: String,
    pub months: Vec<String>,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// (service item, 差评, valid ratings)
    pub bad_items: Vec<(String, i64, i64)>,
    pub bad_reasons: Vec<(String, i64)>,
}

/// A hall's heat map: ratings and 差评 by weekday (rows, Monday first) and hour (columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatView {
    pub halls: Vec<(i64, String)>,
    pub hall: i64,
    pub month: String,
    pub hours: Vec<i64>,
    /// (weekday label, [(rated, bad)] per hour)
    pub rows: Vec<(String, Vec<(i64, i64)>)>,
    pub max: i64,
    /// Windows whose satisfaction over the last days fell below the threshold:
    /// (window, department, rated, satisfaction text).
    pub alerts: Vec<(String, String, i64, String)>,
    pub alert_days: u32,
    pub alert_threshold: String,
}

#[cfg(feature = "ssr")]
fn month_now() -> i64 {
    domain::stats::month_of(domain::calendar::Date::from_unix_ms_cst(
        server::platform::db::now_ms(),
    ))
}

/// 月度报告 (supervisor).
#[server]
pub async fn monthly_report(month: String) -> Result<ReportView, ServerFnError> {
    use server::features::report::{self, ReportError};
    let (state, session) = super::staff::signed_in_for_admin().await?;
    let this = month_now();
    let month = domain::stats::parse_month(month.trim())
        .unwrap_or_else(|| domain::stats::previous_month(this));
    let r = report::monthly(&state, session.actor, month)
        .await
        .map_err(|e| match e {
            ReportError::Forbidden => super::staff::forbidden_error(),
            ReportError::Store(e) => ServerFnError::new(e.to_string()),
        })?;
    let mut months = vec![this];
    for _ in 0..11 {
        months.push(domain::stats::previous_month(
            *months.last().unwrap_or(&this),
        ));
    }
    Ok(ReportView {
        month: domain::stats::month_label(month),
        months: months.into_iter().map(domain::stats::month_label).collect(),
        headings: report::HEADINGS.iter().map(|h| (*h).to_owned()).collect(),
        rows: report::cells(&r).into_iter().map(Vec::from).collect(),
        bad_items: r.bad_items,
        bad_reasons: r.bad_reasons,
    })
}

/// 时段分析 and 满意度预警 (supervisor): a hall's month by weekday and hour, and the windows whose
/// satisfaction over the last week fell below the threshold.
#[server]
pub async fn heat_map(hall: String, month: String) -> Result<HeatView, ServerFnError> {
    let (state, session) = super::staff::signed_in_for_admin().await?;
    if session.actor.role != domain::access::Role::Supervisor {
        return Err(super::staff::forbidden_error());
    }
    let store_error = |e: server::platform::db::StoreError| ServerFnError::new(e.to_string());
    let halls = state.store.halls().await.map_err(store_error)?;
    let hall = hall
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| halls.iter().any(|(id, _)| id == h))
        .or_else(|| halls.first().map(|(id, _)| *id))
        .unwrap_or_default();
    let month = domain::stats::parse_month(month.trim()).unwrap_or_else(month_now);
    let cells = state.store.heat(hall, month).await.map_err(store_error)?;
    let hours: Vec<i64> = (7..=19).collect();
    let weekdays = [
        (1, "周一"),
        (2, "周二"),
        (3, "周三"),
        (4, "周四"),
        (5, "周五"),
        (6, "周六"),
        (0, "周日"),
    ];
    let rows = weekdays
        .iter()
        .map(|(day, label)| {
            let counts = hours
                .iter()
                .map(|h| {
                    cells
                        .iter()
                        .find(|(d, hour, ..)| d == day && hour == h)
                        .map_or((0, 0), |(.., rated, bad)| (*rated, *bad))
                })
                .collect();
            ((*label).to_owned(), counts)
        })
        .collect();
    let max = cells.iter().map(|c| c.2).max().unwrap_or(0);
    let disclosure = state.rules().disclosure;
    let (policy, alert) = (disclosure.policy, disclosure.alert);
    let since = server::platform::db::now_ms() - i64::from(alert.days) * 86_400_000;
    let (y, m, d) = domain::calendar::Date::from_unix_ms_cst(since).ymd();
    let since_day = i64::from(y) * 10_000 + i64::from(m) * 100 + i64::from(d);
    let alerts = state
        .store
        .window_alerts(
            since_day,
            alert.min_rated,
            alert.threshold_bp,
            policy.basic_counts_as_good,
        )
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|a| {
            let rate = domain::stats::Rate {
                num: a.good,
                den: a.rated,
            };
            (
                a.window,
                a.department,
                a.rated,
                server::features::report::percent(rate),
            )
        })
        .collect();
    Ok(HeatView {
        halls,
        hall,
        month: domain::stats::month_label(month),
        hours,
        rows,
        max,
        alerts,
        alert_days: alert.days,
        alert_threshold: format!("{} %", domain::stats::percent(alert.threshold_bp)),
    })
}
