//! 月度报告 — the supervising office's report of a month: for each department, window and staff
//! member, registered occurrences, ratings, 评价率, satisfaction, 差评 and their handling, and the
//! ranking with its change from the month before; where 差评 cluster; as a page, CSV and XLSX.
//! Generated on demand, and kept as a file at the start of each month.

use domain::{
    access::{Actor, Role},
    stats::{Counts, Figures, Policy, Rate, month_label, previous_month},
};

use crate::features::disclosure::{Children, ScopeCounts};
use crate::platform::state::AppState;

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub name: String,
    pub code: String,
    pub counts: Counts,
    /// 1 = best satisfaction; `None` without ratings.
    pub rank: Option<usize>,
    pub previous_rank: Option<usize>,
}

impl ReportRow {
    /// Places gained since last month (positive = up).
    pub fn change(&self) -> Option<i64> {
        Some(self.previous_rank? as i64 - self.rank? as i64)
    }
}

/// The report of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReport {
    pub month: i64,
    pub policy: Policy,
    /// (section title, rows) for departments, windows and staff.
    pub sections: Vec<(&'static str, Vec<ReportRow>)>,
    /// Service items with the most 差评: (name, 差评, valid ratings).
    pub bad_items: Vec<(String, i64, i64)>,
    /// The most frequent 差评 reasons: (reason, count).
    pub bad_reasons: Vec<(String, i64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("supervisors only")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Truncated percent text of a rate, for the report (no suppression: the office sees the counts).
pub fn percent(rate: Rate) -> String {
    rate.basis_points().map_or_else(
        || "—".into(),
        |bp| format!("{} %", domain::stats::percent(bp)),
    )
}

/// Ranks by satisfaction (good share, then more ratings first); rows without ratings are unranked.
fn ranks(rows: &[ScopeCounts], policy: Policy) -> Vec<(i64, usize)> {
    let mut rated: Vec<(&ScopeCounts, i64)> = rows
        .iter()
        .filter_map(|r| {
            Figures::of(&r.counts, policy)
                .good_rate
                .basis_points()
                .map(|bp| (r, bp))
        })
        .collect();
    rated.sort_by(|(a, abp), (b, bbp)| {
        bbp.cmp(abp)
            .then(b.counts.rated().cmp(&a.counts.rated()))
            .then(a.id.cmp(&b.id))
    });
    rated
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (r.id, i + 1))
        .collect()
}

async fn section(
    state: &AppState,
    children: Children,
    month: i64,
    policy: Policy,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    let now = state.store.stat_children(children, month, month).await?;
    let before = state
        .store
        .stat_children(children, previous_month(month), previous_month(month))
        .await?;
    let (now_ranks, before_ranks) = (ranks(&now, policy), ranks(&before, policy));
    let rank_of = |ranks: &[(i64, usize)], id| ranks.iter().find(|(i, _)| *i == id).map(|r| r.1);
    let mut rows: Vec<ReportRow> = now
        .into_iter()
        .map(|r| ReportRow {
            rank: rank_of(&now_ranks, r.id),
            previous_rank: rank_of(&before_ranks, r.id),
            name: r.name,
            code: r.code,
            counts: r.counts,
        })
        .collect();
    rows.sort_by_key(|r| (r.rank.is_none(), r.rank));
    Ok(rows)
}

/// The report of `month`, built from the aggregates.
pub async fn build(state: &AppState, month: i64) -> Result<MonthlyReport, sqlx::Error> {
    let policy = state.rules().disclosure.policy;
    let sections = vec![
        (
            "部门",
            section(state, Children::Departments, month, policy).await?,
        ),
        (
            "窗口",
            section(state, Children::AllWindows, month, policy).await?,
        ),
        (
            "窗口工作人员",
            section(state, Children::AllStaff, month, policy).await?,
        ),
    ];
    let mut items = state
        .store
        .stat_children(Children::Items, month, month)
        .await?;
    items.retain(|i| i.counts.bad() > 0);
    items.sort_by(|a, b| b.counts.bad().cmp(&a.counts.bad()).then(a.id.cmp(&b.id)));
    let bad_items = items
        .into_iter()
        .take(10)
        .map(|i| (i.name, i.counts.bad(), i.counts.rated()))
        .collect();
    let catalogue = domain::Catalogue::CURRENT;
    let bad_reasons = state
        .store
        .top_bad_reasons(crate::features::disclosure::Scope::All, month, month, 10)
        .await?
        .into_iter()
        .map(|(code, n)| {
            let label = u16::try_from(code)
                .ok()
                .and_then(|c| catalogue.get(c))
                .map_or_else(|| code.to_string(), |r| r.label_zh.to_owned());
            (label, n)
        })
        .collect();
    Ok(MonthlyReport {
        month,
        policy,
        sections,
        bad_items,
        bad_reasons,
    })
}

/// The report for the supervising office only.
pub async fn monthly(
    state: &AppState,
    actor: Actor,
    month: i64,
) -> Result<MonthlyReport, ReportError> {
    if actor.role != Role::Supervisor {
        return Err(ReportError::Forbidden);
    }
    Ok(build(state, month).await?)
}

/// The downloads are written in `export`; the monthly archive below keeps the XLSX.
pub use super::export::{HEADINGS, cells, csv, xlsx};

/// At the start of a month, keeps the previous month's report as a file under
/// `<data dir>/reports/` (once). Returns the file written, if any.
pub async fn archive_previous_month(
    state: &AppState,
    now_ms: i64,
) -> anyhow::Result<Option<std::path::PathBuf>> {
    let this = domain::stats::month_of(domain::calendar::Date::from_unix_ms_cst(now_ms));
    let month = previous_month(this);
    let dir = state.config.data_dir.join("reports");
    let file = dir.join(format!("{}.xlsx", month_label(month)));
    if file.exists() {
        return Ok(None);
    }
    let report = build(state, month).await?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(&file, xlsx(&report)?)?;
    Ok(Some(file))
}
