//! 公示 — the public figures, without logging in: by region, department, window and service item,
//! by month; the staff 公示; the rectification list. Everything comes from the aggregates; nothing
//! here carries personal data.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    pub occurrences: i64,
    pub rated: i64,
    pub invalidated: i64,
    pub figures: Vec<FigureView>,
    pub trend: Vec<TrendPoint>,
    /// (list title, rows)
    pub lists: Vec<(String, Vec<ChildRow>)>,
    /// (reason, count) of valid 差评.
    pub reasons: Vec<(String, i64)>,
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

/// Rows of the staff 公示 on one page.
pub const STAFF_PER_PAGE: usize = 100;

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
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::stats::{Counts, Figures, Policy, Shown, month_label, previous_month};
    use leptos::prelude::*;
    use server::features::disclosure::{Children, Scope};

    use super::{ChildRow, FigureView, TrendPoint};

    /// Public pages may be cached for a minute by browsers and proxies.
    pub(super) fn cacheable() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.insert_header(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("public, max-age=60"),
            );
        }
    }

    pub(super) fn not_found(what: &str) -> ServerFnError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        ServerFnError::new(format!("{what}不存在"))
    }

    pub(super) fn store_error(e: impl std::fmt::Display) -> ServerFnError {
        leptos::logging::error!("public page: {e}");
        ServerFnError::new("系统繁忙，请稍后再试")
    }

    /// This month (China time).
    pub(super) fn this_month() -> i64 {
        domain::stats::month_of(domain::calendar::Date::from_unix_ms_cst(
            server::platform::db::now_ms(),
        ))
    }

    /// The month asked for, or `default`.
    pub(super) fn month_or(asked: &str, default: i64) -> i64 {
        domain::stats::parse_month(asked.trim()).unwrap_or(default)
    }

    /// The twelve months ending with `month`, oldest first.
    pub(super) fn twelve_months(month: i64) -> Vec<i64> {
        let mut months = vec![month];
        for _ in 0..11 {
            months.push(previous_month(*months.last().unwrap_or(&month)));
        }
        months.reverse();
        months
    }

    pub(super) fn shown(rate: domain::stats::Rate, policy: Policy) -> (String, Option<String>) {
        match rate.shown(policy) {
            Shown::None => ("—".into(), None),
            Shown::TooFew => ("样本不足".into(), None),
            Shown::Percent { value, low, high } => (
                format!("{value} %"),
                Some(format!("95 % 区间 {low} %–{high} %")),
            ),
        }
    }

    pub(super) fn figures(c: &Counts, policy: Policy) -> Vec<FigureView> {
        Figures::of(c, policy)
            .named()
            .into_iter()
            .map(|(name, rate)| {
                let (value, interval) = shown(rate, policy);
                FigureView {
                    name: name.into(),
                    value,
                    interval,
                    num: rate.num,
                    den: rate.den,
                }
            })
            .collect()
    }

    pub(super) fn levels(c: &Counts) -> Vec<(String, i64)> {
        (1..=5)
            .rev()
            .map(|code| {
                let label =
                    domain::Level::from_interface_code(code).map_or("", domain::Level::label_zh);
                (label.to_owned(), c.levels[(code - 1) as usize])
            })
            .collect()
    }

    pub(super) fn trend(rows: &[(i64, Counts)], months: &[i64], policy: Policy) -> Vec<TrendPoint> {
        months
            .iter()
            .map(|&month| {
                let c = rows
                    .iter()
                    .find(|(m, _)| *m == month)
                    .map(|(_, c)| *c)
                    .unwrap_or_default();
                TrendPoint {
                    month: month_label(month),
                    rated: c.rated(),
                    good_rate: shown(Figures::of(&c, policy).good_rate, policy).0,
                    bad: c.bad(),
                }
            })
            .collect()
    }

    pub(super) async fn children(
        state: &server::AppState,
        children: Children,
        month: i64,
        link: Option<&str>,
        policy: Policy,
    ) -> Result<Vec<ChildRow>, ServerFnError> {
        let rows = state
            .store
            .stat_children(children, month, month)
            .await
            .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let f = Figures::of(&r.counts, policy);
                ChildRow {
                    href: link.map(|l| format!("/open/{l}/{}?month={}", r.id, month_label(month))),
                    name: r.name,
                    occurrences: r.counts.occurrences,
                    rated: r.counts.rated(),
                    rating_rate: shown(f.rating_rate, policy).0,
                    good_rate: shown(f.good_rate, policy).0,
                    bad: r.counts.bad(),
                    invalidated: r.counts.invalidated,
                }
            })
            .collect())
    }

    /// The scope a page is about, its title and its breadcrumbs.
    pub(super) async fn scope_of(
        state: &server::AppState,
        kind: &str,
        id: i64,
    ) -> Result<(Scope, String, Vec<(String, String)>), ServerFnError> {
        let top = ("/open".to_owned(), "全部".to_owned());
        let name = |kind: &'static str| async move {
            state.store.scope_name(kind, id).await.map_err(store_error)
        };
        match kind {
            "all" => Ok((Scope::All, "政务服务“好差评”公示".into(), vec![top])),
            "region" => {
                let (region, ..) = name("region").await?.ok_or_else(|| not_found("地区"))?;
                Ok((Scope::Region(id), region, vec![top]))
            }
            "department" => {
                let (dept, region_id, region) =
                    name("department").await?.ok_or_else(|| not_found("部门"))?;
                let up = (
                    format!("/open/region/{}", region_id.unwrap_or_default()),
                    region.unwrap_or_default(),
                );
                Ok((Scope::Department(id), dept, vec![top, up]))
            }
            "window" => {
                let (window, dept_id, dept) =
                    name("window").await?.ok_or_else(|| not_found("窗口"))?;
                let up = (
                    format!("/open/department/{}", dept_id.unwrap_or_default()),
                    dept.unwrap_or_default(),
                );
                Ok((Scope::Window(id), window, vec![top, up]))
            }
            "item" => {
                let (item, dept_id, dept) = name("item").await?.ok_or_else(|| not_found("事项"))?;
                let up = (
                    format!("/open/department/{}", dept_id.unwrap_or_default()),
                    dept.unwrap_or_default(),
                );
                Ok((Scope::Item(id), item, vec![top, up]))
            }
            _ => Err(not_found("页面")),
        }
    }
}

/// The figures of one scope (`kind`: all, department, window, item) for one month.
#[server]
pub async fn open_page(kind: String, id: i64, month: String) -> Result<OpenFigures, ServerFnError> {
    use server::features::disclosure::{Children, Scope};
    let state = expect_context::<server::AppState>();
    ssr::cacheable();
    let policy = state.rules().disclosure.policy;
    let (scope, title, crumbs) = ssr::scope_of(&state, &kind, id).await?;
    let this_month = ssr::this_month();
    let month = ssr::month_or(&month, this_month);
    let months = ssr::twelve_months(month);
    let rows = state
        .store
        .stat_months(scope, months[0], month)
        .await
        .map_err(ssr::store_error)?;
    let counts = rows
        .iter()
        .find(|(m, _)| *m == month)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let lists = match scope {
        Scope::All => {
            // A province lists its counties; a single county its departments.
            let regions =
                ssr::children(&state, Children::Regions, month, Some("region"), policy).await?;
            if regions.len() > 1 {
                vec![("各地区".to_owned(), regions)]
            } else {
                vec![(
                    "各部门".to_owned(),
                    ssr::children(
                        &state,
                        Children::Departments,
                        month,
                        Some("department"),
                        policy,
                    )
                    .await?,
                )]
            }
        }
        Scope::Region(id) => vec![(
            "各部门".to_owned(),
            ssr::children(
                &state,
                Children::DepartmentsIn(id),
                month,
                Some("department"),
                policy,
            )
            .await?,
        )],
        Scope::Department(id) => vec![
            (
                "各窗口".to_owned(),
                ssr::children(
                    &state,
                    Children::WindowsOf(id),
                    month,
                    Some("window"),
                    policy,
                )
                .await?,
            ),
            (
                "各事项".to_owned(),
                ssr::children(&state, Children::ItemsOf(id), month, Some("item"), policy).await?,
            ),
        ],
        _ => Vec::new(),
    };
    let catalogue = domain::Catalogue::CURRENT;
    let reasons = state
        .store
        .top_bad_reasons(scope, month, month, 10)
        .await
        .map_err(ssr::store_error)?
        .into_iter()
        .map(|(code, n)| {
            let label = u16::try_from(code)
                .ok()
                .and_then(|c| catalogue.get(c))
                .map_or_else(|| code.to_string(), |r| r.label_zh.to_owned());
            (label, n)
        })
        .collect();
    let mut choices = ssr::twelve_months(this_month);
    choices.reverse();
    Ok(OpenFigures {
        title,
        crumbs,
        month: domain::stats::month_label(month),
        months: choices
            .into_iter()
            .map(domain::stats::month_label)
            .collect(),
        levels: ssr::levels(&counts),
        occurrences: counts.occurrences,
        rated: counts.rated(),
        invalidated: counts.invalidated,
        figures: ssr::figures(&counts, policy),
        trend: ssr::trend(&rows, &months, policy),
        lists,
        reasons,
    })
}

/// 窗口工作人员评价公示 — each window clerk's 评价率 and 满意度 for a month (the previous one by
/// default), by name or by staff number as set.
#[server]
pub async fn staff_disclosure(month: String, page: String) -> Result<StaffPage, ServerFnError> {
    use server::features::disclosure::Children;
    let state = expect_context::<server::AppState>();
    ssr::cacheable();
    let disclosure = state.rules().disclosure;
    let month = ssr::month_or(&month, domain::stats::previous_month(ssr::this_month()));
    let total = state
        .store
        .count_children(Children::AllStaff, month, month)
        .await
        .map_err(ssr::store_error)?;
    let policy = disclosure.policy;
    let pages = usize::try_from(total)
        .unwrap_or(0)
        .div_ceil(STAFF_PER_PAGE)
        .max(1);
    let page = page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let per_page = STAFF_PER_PAGE as i64;
    let rows = state
        .store
        .stat_children_page(
            Children::AllStaff,
            month,
            month,
            per_page,
            (page as i64 - 1) * per_page,
        )
        .await
        .map_err(ssr::store_error)?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let f = domain::stats::Figures::of(&r.counts, policy);
            ChildRow {
                href: None,
                name: if disclosure.staff_by_name {
                    r.name
                } else {
                    format!("工号 {}", r.code)
                },
                occurrences: r.counts.occurrences,
                rated: r.counts.rated(),
                rating_rate: ssr::shown(f.rating_rate, policy).0,
                good_rate: ssr::shown(f.good_rate, policy).0,
                bad: r.counts.bad(),
                invalidated: r.counts.invalidated,
            }
        })
        .collect();
    Ok(StaffPage {
        month: domain::stats::month_label(month),
        page,
        pages,
        rows,
    })
}

/// 整改公示 — the 差评 whose loop closed, for the month of their service.
#[server]
pub async fn rectifications(
    month: String,
) -> Result<(String, Vec<RectificationRow>), ServerFnError> {
    let state = expect_context::<server::AppState>();
    ssr::cacheable();
    let month = ssr::month_or(&month, ssr::this_month());
    let rows = state
        .store
        .closed_rectifications(
            domain::time::Month::from_yyyymm(month)
                .map_err(|e| ServerFnError::new(e.to_string()))?,
        )
        .await
        .map_err(ssr::store_error)?;
    let calendar = state.rules().calendar;
    let catalogue = domain::Catalogue::CURRENT;
    let rows = rows
        .into_iter()
        .map(|r| {
            let day = domain::calendar::Date::from_unix_ms_cst;
            RectificationRow {
                department: r.department,
                item: r.item.unwrap_or_else(|| "窗口服务".into()),
                reasons: r
                    .reasons
                    .iter()
                    .filter_map(|&c| u16::try_from(c).ok().and_then(|c| catalogue.get(c)))
                    .map(|r| r.label_zh)
                    .collect::<Vec<_>>()
                    .join("、"),
                how: domain::ticket::TicketAction::parse(&r.triage)
                    .map_or("—", domain::ticket::TicketAction::label_zh)
                    .to_owned(),
                working_days: calendar
                    .working_days_between(day(r.opened_at), day(r.closed_at))
                    .ok(),
            }
        })
        .collect();
    Ok((domain::stats::month_label(month), rows))
}

/// The definitions and settings in force.
#[server]
pub async fn methods() -> Result<MethodsView, ServerFnError> {
    let state = expect_context::<server::AppState>();
    ssr::cacheable();
    let rules = state.rules();
    let d = rules.deadlines;
    Ok(MethodsView {
        basic_counts_as_good: rules.disclosure.policy.basic_counts_as_good,
        min_sample: rules.disclosure.policy.min_sample,
        staff_by_name: rules.disclosure.staff_by_name,
        deadlines: [
            d.first_contact,
            d.rectification,
            d.complaint_reply,
            d.complaint_reply_complex,
        ],
    })
}
