//! The supervising office's analysis pages: the monthly report as a page, the hour × weekday heat
//! map of a hall, and the windows whose satisfaction dropped (满意度预警).

use domain::{
    access::{Actor, Role},
    org::Scope,
    time::Month,
};

use super::{
    CHANNEL_HEADINGS, COMPLAINT_HEADINGS, HEADINGS, INSPECTION_HEADINGS, ReportError,
    VOICE_HEADINGS, cells, channel_cells, complaint_cells, inspection_cells, monthly, percent,
    voice_cells,
};
use crate::features::disclosure::this_month;
use crate::platform::{db::now, state::AppState};

/// A service item where 差评 cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct BadItem {
    pub item: String,
    pub bad: i64,
    pub rated: i64,
}

/// A 差评 reason and how often it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

/// The monthly report as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPage {
    pub month: String,
    /// This month and the eleven before, newest first.
    pub months: Vec<String>,
    pub headings: [&'static str; super::export::WIDTH],
    /// The report's rows as text, in `HEADINGS` order.
    pub rows: Vec<[String; super::export::WIDTH]>,
    pub bad_items: Vec<BadItem>,
    pub bad_reasons: Vec<ReasonCount>,
    pub channel_headings: [&'static str; 5],
    /// Valid ratings by channel, in `CHANNEL_HEADINGS` order (they add up to the scope's ratings).
    pub channels: Vec<[String; 5]>,
    pub complaint_headings: [&'static str; 5],
    /// Complaints by source, in `COMPLAINT_HEADINGS` order, then 合计.
    pub complaints: Vec<[String; 5]>,
    pub voice_headings: [&'static str; 5],
    /// 综合点评 and 监督查评, in `VOICE_HEADINGS` order.
    pub voices: Vec<[String; 5]>,
    pub inspection_headings: [&'static str; 8],
    /// The month's inspections, in `INSPECTION_HEADINGS` order.
    pub inspections: Vec<[String; 8]>,
}

/// 月度报告 (supervisor) of the month asked for ("YYYY-MM"; the previous month by default).
pub async fn report_page(
    state: &AppState,
    actor: Actor,
    month: &str,
) -> Result<ReportPage, ReportError> {
    let this = this_month();
    let month = Month::parse(month.trim()).unwrap_or_else(|_| this.prev());
    let report = monthly(state, actor, month).await?;
    let mut months = this.last_n(12);
    months.reverse();
    Ok(ReportPage {
        month: month.to_string(),
        months: months.iter().map(Month::to_string).collect(),
        headings: HEADINGS,
        rows: cells(&report),
        channel_headings: CHANNEL_HEADINGS,
        channels: channel_cells(&report),
        complaint_headings: COMPLAINT_HEADINGS,
        complaints: complaint_cells(&report),
        voice_headings: VOICE_HEADINGS,
        voices: voice_cells(&report),
        inspection_headings: INSPECTION_HEADINGS,
        inspections: inspection_cells(&report),
        bad_items: report
            .bad_items
            .into_iter()
            .map(|(item, bad, rated)| BadItem { item, bad, rated })
            .collect(),
        bad_reasons: report
            .bad_reasons
            .into_iter()
            .map(|(reason, count)| ReasonCount { reason, count })
            .collect(),
    })
}

/// One weekday's line of the heat map.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatRow {
    /// 周一 … 周日.
    pub weekday: &'static str,
    /// One per hour of `HallAnalysis::hours`.
    pub cells: Vec<HeatCell>,
}

/// Ratings and 差评 in one weekday's hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeatCell {
    pub rated: i64,
    pub bad: i64,
}

/// A window whose satisfaction over the last days fell below the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct SatisfactionAlert {
    pub window: String,
    pub department: String,
    pub rated: i64,
    /// Truncated percent text.
    pub satisfaction: String,
}

/// 时段分析 and 满意度预警 of a hall's month.
#[derive(Debug, Clone, PartialEq)]
pub struct HallAnalysis {
    pub halls: Vec<(i64, String)>,
    pub hall: i64,
    pub month: String,
    /// The opening hours shown, 7 to 19.
    pub hours: Vec<i64>,
    /// Monday first.
    pub rows: Vec<HeatRow>,
    /// The most ratings in one cell, for shading.
    pub max: i64,
    pub alerts: Vec<SatisfactionAlert>,
    pub alert_days: u32,
    /// The threshold as percent text ("90.00 %").
    pub alert_threshold: String,
}

const WEEKDAYS: [(i64, &str); 7] = [
    (1, "周一"),
    (2, "周二"),
    (3, "周三"),
    (4, "周四"),
    (5, "周五"),
    (6, "周六"),
    (0, "周日"),
];

/// 时段分析 (supervisor): a hall's month (the first hall in their scope and this month by default)
/// by weekday and hour, and the satisfaction alerts of the windows in their scope. A hall outside
/// the scope is not shown: the first one inside is.
pub async fn hall_analysis(
    state: &AppState,
    actor: Actor,
    hall: &str,
    month: &str,
) -> Result<HallAnalysis, ReportError> {
    if actor.role != Role::Supervisor {
        return Err(ReportError::Forbidden);
    }
    let halls = state.store.halls_in(actor.scope).await?;
    let hall = hall
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| halls.iter().any(|(id, _)| id == h))
        .or_else(|| halls.first().map(|(id, _)| *id))
        .unwrap_or_default();
    let month = Month::parse(month.trim()).unwrap_or_else(|_| this_month());
    let found = state.store.heat(hall, month).await?;
    let hours: Vec<i64> = (7..=19).collect();
    let rows = WEEKDAYS
        .iter()
        .map(|&(day, weekday)| HeatRow {
            weekday,
            cells: hours
                .iter()
                .map(|&h| {
                    found
                        .iter()
                        .find(|c| c.weekday == day && c.hour == h)
                        .map_or_else(HeatCell::default, |c| HeatCell {
                            rated: c.rated,
                            bad: c.bad,
                        })
                })
                .collect(),
        })
        .collect();
    let max = found.iter().map(|c| c.rated).max().unwrap_or(0);
    let alert = state.rules().disclosure.alert;
    Ok(HallAnalysis {
        halls,
        hall,
        month: month.to_string(),
        hours,
        rows,
        max,
        alerts: alerts(state, actor.scope).await?,
        alert_days: alert.days,
        alert_threshold: alert.threshold_label(),
    })
}

/// 满意度预警 — the windows in `scope` whose share of good ratings over the last days is below the
/// threshold.
async fn alerts(state: &AppState, scope: Scope) -> Result<Vec<SatisfactionAlert>, sqlx::Error> {
    let disclosure = state.rules().disclosure;
    let (policy, alert) = (disclosure.policy, disclosure.alert);
    let found = state
        .store
        .window_alerts(alert.since(now()), (alert, policy), scope)
        .await?;
    Ok(found
        .into_iter()
        .map(|a| SatisfactionAlert {
            satisfaction: percent(domain::stats::Rate {
                num: a.good,
                den: a.rated,
            }),
            window: a.window,
            department: a.department,
            rated: a.rated,
        })
        .collect())
}
