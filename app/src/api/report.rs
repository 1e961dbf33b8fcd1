//! Server functions of the supervising office's analysis: the monthly report, the hour × weekday
//! heat map of a hall, and the windows whose satisfaction dropped.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// A service item where 差评 cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadItemView {
    pub item: String,
    pub bad: i64,
    /// Valid ratings.
    pub rated: i64,
}

/// The monthly report as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub month: String,
    pub months: Vec<String>,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub bad_items: Vec<BadItemView>,
    /// (reason, count)
    pub bad_reasons: Vec<(String, i64)>,
    pub channel_headings: Vec<String>,
    /// Valid ratings by channel: label, both numberings, count, share.
    pub channels: Vec<Vec<String>>,
    pub complaint_headings: Vec<String>,
    /// Complaints by source: label, received, on time, late, complex; then 合计.
    pub complaints: Vec<Vec<String>>,
    pub voice_headings: Vec<String>,
    /// 综合点评 and 监督查评: kind, count, make-up, good, bad.
    pub voices: Vec<Vec<String>>,
    pub inspection_headings: Vec<String>,
    /// The month's inspections.
    pub inspections: Vec<Vec<String>>,
}

/// A window whose satisfaction over the last days fell below the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub window: String,
    pub department: String,
    pub rated: i64,
    pub satisfaction: String,
}

/// Ratings and 差评 in one hour of a weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCellView {
    pub rated: i64,
    pub bad: i64,
}

/// A hall's heat map: ratings and 差评 by weekday (rows, Monday first) and hour (columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatView {
    pub halls: Vec<(i64, String)>,
    pub hall: i64,
    pub month: String,
    pub hours: Vec<i64>,
    /// (weekday label, one cell per hour)
    pub rows: Vec<(String, Vec<HeatCellView>)>,
    pub max: i64,
    /// Windows whose satisfaction over the last days fell below the threshold.
    pub alerts: Vec<AlertView>,
    pub alert_days: u32,
    pub alert_threshold: String,
}

/// 月度报告 (supervisor).
#[server]
pub async fn monthly_report(month: String) -> Result<ReportView, ApiError> {
    let (state, session) = super::staff_session().await?;
    let r = server::features::report::report_page(&state, session.actor, &month).await?;
    Ok(from_server::report(r))
}

/// 时段分析 and 满意度预警 (supervisor): a hall's month by weekday and hour, and the windows whose
/// satisfaction over the last week fell below the threshold.
#[server]
pub async fn heat_map(hall: String, month: String) -> Result<HeatView, ApiError> {
    let (state, session) = super::staff_session().await?;
    let h = server::features::report::hall_analysis(&state, session.actor, &hall, &month).await?;
    Ok(from_server::heat(h))
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's report and analysis pages to this module's types.

    use server::features::report::{HallAnalysis, ReportPage};

    use super::{AlertView, BadItemView, HeatCellView, HeatView, ReportView};

    pub(super) fn report(r: ReportPage) -> ReportView {
        ReportView {
            month: r.month,
            months: r.months,
            headings: r.headings.iter().map(|h| (*h).to_owned()).collect(),
            rows: r.rows.into_iter().map(Vec::from).collect(),
            channel_headings: r.channel_headings.iter().map(|h| (*h).to_owned()).collect(),
            channels: r.channels.into_iter().map(Vec::from).collect(),
            complaint_headings: r
                .complaint_headings
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            complaints: r.complaints.into_iter().map(Vec::from).collect(),
            voice_headings: r.voice_headings.iter().map(|h| (*h).to_owned()).collect(),
            voices: r.voices.into_iter().map(Vec::from).collect(),
            inspection_headings: r
                .inspection_headings
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            inspections: r.inspections.into_iter().map(Vec::from).collect(),
            bad_items: r
                .bad_items
                .into_iter()
                .map(|b| BadItemView {
                    item: b.item,
                    bad: b.bad,
                    rated: b.rated,
                })
                .collect(),
            bad_reasons: r
                .bad_reasons
                .into_iter()
                .map(|r| (r.reason, r.count))
                .collect(),
        }
    }

    pub(super) fn heat(h: HallAnalysis) -> HeatView {
        HeatView {
            halls: h.halls,
            hall: h.hall,
            month: h.month,
            hours: h.hours,
            rows: h
                .rows
                .into_iter()
                .map(|r| {
                    let cells = r.cells.into_iter().map(|c| HeatCellView {
                        rated: c.rated,
                        bad: c.bad,
                    });
                    (r.weekday.to_owned(), cells.collect())
                })
                .collect(),
            max: h.max,
            alerts: h
                .alerts
                .into_iter()
                .map(|a| AlertView {
                    window: a.window,
                    department: a.department,
                    rated: a.rated,
                    satisfaction: a.satisfaction,
                })
                .collect(),
            alert_days: h.alert_days,
            alert_threshold: h.alert_threshold,
        }
    }
}
