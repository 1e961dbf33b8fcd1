//! 公示 — the public figures, without logging in: by region, department, window and service item,
//! by month; the staff 公示; the rectification list. Everything comes from the aggregates; nothing
//! here carries personal data.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One published figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureView {
    pub name: String,
    /// "99.99 %", "样本不足" or "—".
    pub value: String,
    /// "95 % 区间 99.97 %–99.99 %" when shown.
    pub interval: Option<String>,
    pub num: i64,
    pub den: i64,
    /// Where a target is published: "目标 100 %，未达到：尚差 2 件" or "目标 100 %，已达到".
    pub target: Option<String>,
}

/// A child scope in a list (a department of the region, a window of a department …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildRow {
    pub href: Option<String>,
    pub name: String,
    pub occurrences: i64,
    pub rated: i64,
    pub rating_rate: String,
    pub good_rate: String,
    pub bad: i64,
    pub invalidated: i64,
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub month: String,
    pub rated: i64,
    pub good_rate: String,
    pub bad: i64,
}

/// One line of the by-channel table: a channel as GB/T 39046 names it, its codes and its ratings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub label: String,
    /// The common coding (1 PC端 … 7 短信); `None` where it has no code.
    pub common_code: Option<u8>,
    /// The variant with 6 = 短信, 7 = 系统默认评价.
    pub sms6_code: Option<u8>,
    pub count: i64,
    /// Share of the valid ratings ("12.34 %", truncated; "—" without ratings).
    pub share: String,
}

/// One line of the complaints table: a source (or 合计) and its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintRow {
    pub source: String,
    pub received: i64,
    pub on_time: i64,
    pub late: i64,
    pub complex: i64,
}

/// A public page of figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenFigures {
    pub title: String,
    /// (link, label) from the top.
    pub crumbs: Vec<(String, String)>,
    pub month: String,
    /// Months that can be chosen, newest first.
    pub months: Vec<String>,
    /// (level, count), 非常满意 first.
    pub levels: Vec<(String, i64)>,
    /// Valid ratings per channel used; the counts add up to `rated`.
    pub channels: Vec<ChannelRow>,
    pub occurrences: i64,
    pub rated: i64,
    pub invalidated: i64,
    /// 未关联办件的扫码评价 and their 差评: outside every figure.
    pub walk_ins: (i64, i64),
    /// 综合点评 (by citizens, typed in by staff, good, bad) and 监督查评 (all, 暗访, good, bad):
    /// counted apart from every figure.
    pub voices: [i64; 8],
    /// (kind, count): 一事一评, 一次一评, 默认评价.
    pub kinds: Vec<(String, i64)>,
    /// Ratings received from counties (a province).
    pub received: i64,
    /// 申诉 against 差评: filed, upheld, rejected.
    pub appeals: [i64; 3],
    pub figures: Vec<FigureView>,
    pub trend: Vec<TrendPoint>,
    /// (list title, rows)
    pub lists: Vec<(String, Vec<ChildRow>)>,
    /// (reason, count) of valid 差评.
    pub reasons: Vec<(String, i64)>,
    /// 投诉 per source, then 合计.
    pub complaints: Vec<ComplaintRow>,
}

/// A rectification as published: what, why, how, how long. No personal data, no free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationRow {
    pub department: String,
    pub item: String,
    pub reasons: String,
    pub how: String,
    pub working_days: Option<u32>,
}

/// 整改公示 of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RectificationsView {
    pub month: String,
    pub rows: Vec<RectificationRow>,
}

/// One page of the staff 公示.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffPage {
    pub month: String,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<ChildRow>,
}

/// The settings and definitions in force, for the methods page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodsView {
    pub basic_counts_as_good: bool,
    pub min_sample: i64,
    pub staff_by_name: bool,
    pub deadlines: [u32; 4],
    /// 申诉复核时限 — working days from the filing to the supervisor's decision.
    pub appeal_review: u32,
    pub default_evaluation: String,
    pub invitations: String,
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's published figures to this page's types.

    use server::features::disclosure as d;

    use super::{
        ChannelRow, ChildRow, ComplaintRow, FigureView, OpenFigures, RectificationRow, StaffPage,
        TrendPoint,
    };

    /// Public pages may be cached for a minute by browsers and proxies.
    pub(super) fn cacheable() {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.insert_header(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("public, max-age=60"),
            );
        }
    }

    fn child(r: d::ChildFigures) -> ChildRow {
        ChildRow {
            href: r.href,
            name: r.name,
            occurrences: r.occurrences,
            rated: r.rated,
            rating_rate: r.rating_rate,
            good_rate: r.good_rate,
            bad: r.bad,
            invalidated: r.invalidated,
        }
    }

    fn tallies(t: Vec<d::Tally>) -> Vec<(String, i64)> {
        t.into_iter().map(|t| (t.label, t.count)).collect()
    }

    fn channel(c: d::ChannelShare) -> ChannelRow {
        ChannelRow {
            label: c.label.to_owned(),
            common_code: c.common_code,
            sms6_code: c.sms6_code,
            count: c.count,
            share: c.share,
        }
    }

    fn complaints(c: &d::ComplaintsBySource) -> Vec<ComplaintRow> {
        let row = |source: &str, n: d::ComplaintCounts| ComplaintRow {
            source: source.to_owned(),
            received: n.received,
            on_time: n.on_time,
            late: n.late,
            complex: n.complex,
        };
        c.rows
            .iter()
            .map(|(source, n)| row(source.label_zh(), *n))
            .chain(std::iter::once(row("合计", c.total)))
            .collect()
    }

    pub(super) fn figures(p: d::ScopeFigures) -> OpenFigures {
        OpenFigures {
            complaints: complaints(&p.complaints),
            title: p.title,
            crumbs: p.crumbs.into_iter().map(|c| (c.href, c.label)).collect(),
            month: p.month,
            months: p.months,
            levels: tallies(p.levels),
            channels: p.channels.into_iter().map(channel).collect(),
            occurrences: p.occurrences,
            rated: p.rated,
            invalidated: p.invalidated,
            walk_ins: (p.walk_ins.rated, p.walk_ins.bad),
            voices: [
                p.voices.general,
                p.voices.general_typed,
                p.voices.general_good,
                p.voices.general_bad,
                p.voices.inspections,
                p.voices.inspection_covert,
                p.voices.inspection_good,
                p.voices.inspection_bad,
            ],
            kinds: tallies(p.kinds),
            received: p.received,
            appeals: p.appeals,
            figures: p
                .figures
                .into_iter()
                .map(|f| FigureView {
                    name: f.name.to_owned(),
                    value: f.value,
                    interval: f.interval,
                    num: f.num,
                    den: f.den,
                    target: f.target,
                })
                .collect(),
            trend: p
                .trend
                .into_iter()
                .map(|t| TrendPoint {
                    month: t.month,
                    rated: t.rated,
                    good_rate: t.good_rate,
                    bad: t.bad,
                })
                .collect(),
            lists: p
                .lists
                .into_iter()
                .map(|l| (l.title.to_owned(), l.rows.into_iter().map(child).collect()))
                .collect(),
            reasons: tallies(p.reasons),
        }
    }

    pub(super) fn staff(p: d::StaffFigures) -> StaffPage {
        StaffPage {
            month: p.month,
            page: p.page,
            pages: p.pages,
            rows: p.rows.into_iter().map(child).collect(),
        }
    }

    pub(super) fn rectification(r: d::PublishedRectification) -> RectificationRow {
        RectificationRow {
            department: r.department,
            item: r.item,
            reasons: r.reasons,
            how: r.how,
            working_days: r.working_days,
        }
    }
}

/// The figures of one scope (`kind`: all, region, department, window, item) for one month.
#[server]
pub async fn open_page(kind: String, id: i64, month: String) -> Result<OpenFigures, ApiError> {
    let state = expect_context::<server::AppState>();
    from_server::cacheable();
    let page = server::features::disclosure::scope_figures(&state, &kind, id, &month).await?;
    Ok(from_server::figures(page))
}

/// 窗口工作人员评价公示 — each window clerk's 评价率 and 满意度 for a month (the previous one by
/// default), by name or by staff number as set.
#[server]
pub async fn staff_disclosure(month: String, page: String) -> Result<StaffPage, ApiError> {
    let state = expect_context::<server::AppState>();
    from_server::cacheable();
    let page = server::features::disclosure::staff_figures(&state, &month, &page).await?;
    Ok(from_server::staff(page))
}

/// 整改公示 — the 差评 whose loop closed, for the month of their service.
#[server]
pub async fn rectifications(month: String) -> Result<RectificationsView, ApiError> {
    let state = expect_context::<server::AppState>();
    from_server::cacheable();
    let list = server::features::disclosure::rectifications(&state, &month).await?;
    Ok(RectificationsView {
        month: list.month,
        rows: list
            .rows
            .into_iter()
            .map(from_server::rectification)
            .collect(),
    })
}

/// The definitions and settings in force.
#[server]
pub async fn methods() -> Result<MethodsView, ApiError> {
    let state = expect_context::<server::AppState>();
    from_server::cacheable();
    use domain::ticket::DeadlineSetting;
    let m = server::features::disclosure::methods(&state).await?;
    Ok(MethodsView {
        default_evaluation: m.default_evaluation,
        invitations: m.invitations,
        basic_counts_as_good: m.basic_counts_as_good,
        min_sample: m.min_sample,
        staff_by_name: m.staff_by_name,
        appeal_review: m.deadlines.get(DeadlineSetting::AppealReview),
        deadlines: [
            DeadlineSetting::FirstContact,
            DeadlineSetting::Rectification,
            DeadlineSetting::ComplaintReply,
            DeadlineSetting::ComplaintReplyComplex,
        ]
        .map(|s| m.deadlines.get(s)),
    })
}
