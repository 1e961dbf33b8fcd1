//! 公示页面 — what the public pages show, assembled from the aggregates: the types the pages
//! receive, the month asked for, and each figure as published (through `domain::stats`: truncated,
//! 样本不足, intervals). A scope's page is in `scope.rs`, the other pages in `lists.rs`.

use domain::stats::{Counts, Figures, Policy, Shown};

use domain::time::Month;

use crate::platform::db::now;

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
    /// Where the figure has a published target: whether it is met ("目标 100 %，未达到：尚有 2 件").
    pub target: Option<String>,
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
    /// Valid ratings per channel the citizen used, every channel listed; the counts add up to
    /// `rated`.
    pub channels: Vec<super::ChannelShare>,
    pub occurrences: i64,
    pub rated: i64,
    pub invalidated: i64,
    /// e码 ratings without a visit, outside every figure.
    pub walk_ins: super::WalkIns,
    /// 综合点评 and 监督查评, counted apart from every service figure.
    pub voices: crate::features::voices::VoiceCounts,
    /// Valid ratings by kind: 一事一评, 一次一评, 默认评价 (they add up to `rated`).
    pub kinds: Vec<Tally>,
    /// Ratings received from counties (a province), outside 评价率.
    pub received: i64,
    /// 申诉 against 差评: filed, upheld, rejected.
    pub appeals: [i64; 3],
    pub figures: Vec<ShownFigure>,
    /// The twelve months ending with the month shown, oldest first.
    pub trend: Vec<TrendMonth>,
    pub lists: Vec<ChildList>,
    /// The most frequent reasons of valid 差评.
    pub reasons: Vec<Tally>,
    /// 投诉 of the month per source: received, replied on time and late, complex.
    pub complaints: super::ComplaintsBySource,
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
    /// 默认评价: the rule in force, as a sentence.
    pub default_evaluation: String,
    /// 评价邀请: the rule in force, as a sentence.
    pub invitations: String,
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

pub(super) fn figures(c: &Counts, policy: Policy) -> Vec<ShownFigure> {
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
                target: target(name, rate),
            }
        })
        .collect()
}

/// Whether `rate` meets the target of figure `name`, if it has one. A shortfall is stated
/// whatever the sample: each missing case is a citizen owed a visit.
fn target(name: &str, rate: domain::stats::Rate) -> Option<String> {
    let target = Figures::target(name)?;
    let goal = domain::stats::percent(target);
    if rate.den == 0 {
        return Some(format!("目标 {goal} %（本期无此类案件）"));
    }
    let short = rate.shortfall(target);
    Some(if short > 0 {
        format!("目标 {goal} %，未达到：尚差 {short} 件")
    } else {
        format!("目标 {goal} %，已达到")
    })
}

/// A child scope's line; `href` links to its own page.
pub(super) fn child(
    counts: &Counts,
    name: String,
    href: Option<String>,
    policy: Policy,
) -> ChildFigures {
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
