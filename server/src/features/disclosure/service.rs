//! 公示页面 — what the public pages show, assembled from the aggregates: a scope's figures for a
//! month with its trend and children, the staff 公示 page by page, the rectification list and the
//! settings in force. Percentages go through `domain::stats` (truncated, 样本不足, intervals).

use domain::stats::{Counts, Figures, Policy, Shown};

use super::{Children, Scope};
use domain::time::Month;

use crate::platform::{db::now, state::AppState};

/// Rows of the staff 公示 on one page.
pub const STAFF_PER_PAGE: usize = 100;

/// Why a public page cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum DisclosureError {
    /// No such region, department, window, item or page: the thing (地区, 部门 …) is named.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// One published figure: its value as shown ("99.99 %", "样本不足", "—") and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownFigure {
    pub name: &'static str,
    pub value: String,
    /// "95 % 区间 99.97 %–99.99 %" when a value is shown.
    pub interval: Option<String>,
    pub num: i64,
    pub den: i64,
}

/// A child scope in a list (a department of the region, a window of a department …).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildFigures {
    pub href: Option<String>,
    pub name: String,
    pub occurrences: i64,
    pub rated: i64,
    pub rating_rate: String,
    pub good_rate: String,
    pub bad: i64,
    pub invalidated: i64,
}

/// A titled list of child scopes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildList {
    pub title: &'static str,
    pub rows: Vec<ChildFigures>,
}

/// One month of a scope's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendMonth {
    pub month: String,
    pub rated: i64,
    pub good_rate: String,
    pub bad: i64,
}

/// A link up the scopes.
#[derive(Debug, Clone, PartialEq)]
pub struct Crumb {
    pub href: String,
    pub label: String,
}

/// A label with its count: a level's ratings, a reason's 差评.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub label: String,
    pub count: i64,
}

/// 公示 of one scope for one month.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeFigures {
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub month: String,
    /// Months that can be chosen, newest first.
    pub months: Vec<String>,
    /// Ratings per level, 非常满意 first.
    pub levels: Vec<Tally>,
    pub occurrences: i64,
    pub rated: i64,
    pub invalidated: i64,
    pub figures: Vec<ShownFigure>,
    /// The twelve months ending with the month shown, oldest first.
    pub trend: Vec<TrendMonth>,
    pub lists: Vec<ChildList>,
    /// The most frequent reasons of valid 差评.
    pub reasons: Vec<Tally>,
}

/// One page of the staff 公示.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffFigures {
    pub month: String,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<ChildFigures>,
}

/// A rectification as published: what, why, how, how long. No personal data, no free text.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRectification {
    pub department: String,
    pub item: String,
    pub reasons: String,
    pub how: String,
    pub working_days: Option<u32>,
}

/// 整改公示 of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Rectifications {
    pub month: String,
    pub rows: Vec<PublishedRectification>,
}

/// The settings and deadlines in force, for the methods page.
#[derive(Debug, Clone, PartialEq)]
pub struct Methods {
    pub basic_counts_as_good: bool,
    pub min_sample: i64,
    pub staff_by_name: bool,
    pub deadlines: domain::ticket::Deadlines,
}

/// This month (China time).
pub fn this_month() -> Month {
    now().month_cst()
}

/// The month asked for ("YYYY-MM"), or `default`.
pub fn month_or(asked: &str, default: Month) -> Month {
    Month::parse(asked.trim()).unwrap_or(default)
}

/// A rate as published, and its interval when shown.
fn shown(rate: domain::stats::Rate, policy: Policy) -> (String, Option<String>) {
    match rate.shown(policy) {
        Shown::None => ("—".into(), None),
        Shown::TooFew => ("样本不足".into(), None),
        Shown::Percent { value, low, high } => (
            format!("{value} %"),
            Some(format!("95 % 区间 {low} %–{high} %")),
        ),
    }
}

fn figures(c: &Counts, policy: Policy) -> Vec<ShownFigure> {
    Figures::of(c, policy)
        .named()
        .into_iter()
        .map(|(name, rate)| {
            let (value, interval) = shown(rate, policy);
            ShownFigure {
                name,
                value,
                interval,
                num: rate.num,
                den: rate.den,
            }
        })
        .collect()
}

fn levels(c: &Counts) -> Vec<Tally> {
    (1..=5)
        .rev()
        .map(|code| Tally {
            label: domain::Level::from_interface_code(code)
                .map_or("", domain::Level::label_zh)
                .to_owned(),
            count: c.levels[(code - 1) as usize],
        })
        .collect()
}

fn trend(rows: &[(Month, Counts)], months: &[Month], policy: Policy) -> Vec<TrendMonth> {
    months
        .iter()
        .map(|&month| {
            let c = rows
                .iter()
                .find(|(m, _)| *m == month)
                .map(|(_, c)| *c)
                .unwrap_or_default();
            TrendMonth {
                month: month.to_string(),
                rated: c.rated(),
                good_rate: shown(Figures::of(&c, policy).good_rate, policy).0,
                bad: c.bad(),
            }
        })
        .collect()
}

/// A child scope's line; `href` links to its own page.
fn child(counts: &Counts, name: String, href: Option<String>, policy: Policy) -> ChildFigures {
    let f = Figures::of(counts, policy);
    ChildFigures {
        href,
        name,
        occurrences: counts.occurrences,
        rated: counts.rated(),
        rating_rate: shown(f.rating_rate, policy).0,
        good_rate: shown(f.good_rate, policy).0,
        bad: counts.bad(),
        invalidated: counts.invalidated,
    }
}

async fn children(
    state: &AppState,
    title: &'static str,
    children: Children,
    month: Month,
    link: &str,
    policy: Policy,
) -> Result<ChildList, sqlx::Error> {
    let rows = state.store.stat_children(children, month, month).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let href = format!("/open/{link}/{}?month={}", r.id, month);
            child(&r.counts, r.name, Some(href), policy)
        })
        .collect();
    Ok(ChildList { title, rows })
}

/// The lists under a scope: a province's counties or a county's departments; a department's
/// windows and items.
async fn lists(
    state: &AppState,
    scope: Scope,
    month: Month,
    policy: Policy,
) -> Result<Vec<ChildList>, sqlx::Error> {
    Ok(match scope {
        Scope::All => {
            let regions =
                children(state, "各地区", Children::Regions, month, "region", policy).await?;
            if regions.rows.len() > 1 {
                vec![regions]
            } else {
                let all = Children::Departments;
                vec![children(state, "各部门", all, month, "department", policy).await?]
            }
        }
        Scope::Region(id) => {
            let within = Children::DepartmentsIn(id);
            vec![children(state, "各部门", within, month, "department", policy).await?]
        }
        Scope::Department(id) => vec![
            children(
                state,
                "各窗口",
                Children::WindowsOf(id),
                month,
                "window",
                policy,
            )
            .await?,
            children(
                state,
                "各事项",
                Children::ItemsOf(id),
                month,
                "item",
                policy,
            )
            .await?,
        ],
        _ => Vec::new(),
    })
}

/// The scope a page is about (`kind`: all, region, department, window, item), its title and its
/// breadcrumbs.
async fn scope_of(
    state: &AppState,
    kind: &str,
    id: i64,
) -> Result<(Scope, String, Vec<Crumb>), DisclosureError> {
    let top = Crumb {
        href: "/open".into(),
        label: "全部".into(),
    };
    let (scope, what, up) = match kind {
        "all" => return Ok((Scope::All, "政务服务“好差评”公示".into(), vec![top])),
        "region" => (Scope::Region(id), "地区", None),
        "department" => (Scope::Department(id), "部门", Some("region")),
        "window" => (Scope::Window(id), "窗口", Some("department")),
        "item" => (Scope::Item(id), "事项", Some("department")),
        _ => return Err(DisclosureError::NotFound("页面")),
    };
    let (name, parent_id, parent) = state
        .store
        .scope_name(kind, id)
        .await?
        .ok_or(DisclosureError::NotFound(what))?;
    let crumbs = match up {
        None => vec![top],
        Some(up) => {
            let href = format!("/open/{up}/{}", parent_id.unwrap_or_default());
            let label = parent.unwrap_or_default();
            vec![top, Crumb { href, label }]
        }
    };
    Ok((scope, name, crumbs))
}

/// The labels of 差评 reason codes, for counted reasons.
fn reason_tallies(rows: Vec<(i64, i64)>) -> Vec<Tally> {
    let catalogue = domain::Catalogue::CURRENT;
    rows.into_iter()
        .map(|(code, count)| Tally {
            label: u16::try_from(code)
                .ok()
                .and_then(|c| catalogue.get(c))
                .map_or_else(|| code.to_string(), |r| r.label_zh.to_owned()),
            count,
        })
        .collect()
}

/// The figures of one scope for the month asked for (this month by default).
pub async fn scope_figures(
    state: &AppState,
    kind: &str,
    id: i64,
    month: &str,
) -> Result<ScopeFigures, DisclosureError> {
    let policy = state.rules().disclosure.policy;
    let (scope, title, crumbs) = scope_of(state, kind, id).await?;
    let this_month = this_month();
    let month = month_or(month, this_month);
    let months = month.last_n(12);
    let rows = state.store.stat_months(scope, months[0], month).await?;
    let counts = rows
        .iter()
        .find(|(m, _)| *m == month)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let reasons = state.store.top_bad_reasons(scope, month, month, 10).await?;
    let mut choices = this_month.last_n(12);
    choices.reverse();
    Ok(ScopeFigures {
        title,
        crumbs,
        month: month.to_string(),
        months: choices.iter().map(Month::to_string).collect(),
        levels: levels(&counts),
        occurrences: counts.occurrences,
        rated: counts.rated(),
        invalidated: counts.invalidated,
        figures: figures(&counts, policy),
        trend: trend(&rows, &months, policy),
        lists: lists(state, scope, month, policy).await?,
        reasons: reason_tallies(reasons),
    })
}

/// 窗口工作人员评价公示 — each window clerk's 评价率 and 满意度 for a month (the previous one by
/// default), by name or by staff number as set, `STAFF_PER_PAGE` to a page.
pub async fn staff_figures(
    state: &AppState,
    month: &str,
    page: &str,
) -> Result<StaffFigures, DisclosureError> {
    let disclosure = state.rules().disclosure;
    let policy = disclosure.policy;
    let month = month_or(month, this_month().prev());
    let total = state
        .store
        .count_children(Children::AllStaff, month, month)
        .await?;
    let pages = usize::try_from(total)
        .unwrap_or(0)
        .div_ceil(STAFF_PER_PAGE)
        .max(1);
    let page = page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let per_page = STAFF_PER_PAGE as i64;
    let offset = (page as i64 - 1) * per_page;
    let rows = state
        .store
        .stat_children_page(Children::AllStaff, month, month, per_page, offset)
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let name = if disclosure.staff_by_name {
                r.name
            } else {
                format!("工号 {}", r.code)
            };
            child(&r.counts, name, None, policy)
        })
        .collect();
    Ok(StaffFigures {
        month: month.to_string(),
        page,
        pages,
        rows,
    })
}

/// 整改公示 — the 差评 of a month's services (this month by default) whose loop closed.
pub async fn rectifications(
    state: &AppState,
    month: &str,
) -> Result<Rectifications, DisclosureError> {
    let month = month_or(month, this_month());
    let rows = state.store.closed_rectifications(month).await?;
    let calendar = state.rules().calendar;
    let catalogue = domain::Catalogue::CURRENT;
    let day = domain::calendar::Date::from_unix_ms_cst;
    let rows = rows
        .into_iter()
        .map(|r| PublishedRectification {
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
        })
        .collect();
    Ok(Rectifications {
        month: month.to_string(),
        rows,
    })
}

/// The definitions' settings and the deadlines in force.
pub fn methods(state: &AppState) -> Methods {
    let rules = state.rules();
    Methods {
        basic_counts_as_good: rules.disclosure.policy.basic_counts_as_good,
        min_sample: rules.disclosure.policy.min_sample,
        staff_by_name: rules.disclosure.staff_by_name,
        deadlines: rules.deadlines,
    }
}
