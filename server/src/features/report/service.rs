//! 月度报告 — the supervising office's report of a month: for each department, window and staff
//! member, registered occurrences, ratings, 评价率, satisfaction, 差评 and their handling, and the
//! ranking with its change from the month before; where 差评 cluster; as a page, CSV and XLSX.
//! Generated on demand, and kept as a file at the start of each month.

use domain::{
    access::{Actor, Role},
    stats::{Counts, Policy, Ranking, Rate, rank_change},
    time::{Month, Timestamp},
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
        rank_change(self.rank, self.previous_rank)
    }
}

/// The report of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReport {
    pub month: Month,
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

async fn section(
    state: &AppState,
    children: Children,
    month: Month,
    policy: Policy,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    let now = state.store.stat_children(children, month, month).await?;
    let before = month.prev();
    let before = state.store.stat_children(children, before, before).await?;
    let rank = |rows: &[ScopeCounts]| {
        Ranking::by_satisfaction(rows.iter().map(|r| (r.id, &r.counts)), policy)
    };
    let (now_ranks, before_ranks) = (rank(&now), rank(&before));
    let mut rows: Vec<ReportRow> = now
        .into_iter()
        .map(|r| ReportRow {
            rank: now_ranks.rank_of(r.id),
            previous_rank: before_ranks.rank_of(r.id),
            name: r.name,
            code: r.code,
            counts: r.counts,
        })
        .collect();
    rows.sort_by_key(|r| (r.rank.is_none(), r.rank));
    Ok(rows)
}

/// The report of `month`, built from the aggregates.
pub async fn build(state: &AppState, month: Month) -> Result<MonthlyReport, sqlx::Error> {
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
        .map(|(code, n)| (catalogue.label_or_code(code), n))
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
    month: Month,
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
    let month = Timestamp::from_unix_ms(now_ms).month_cst().prev();
    let dir = state.config.data_dir.join("reports");
    let file = dir.join(format!("{month}.xlsx"));
    if file.exists() {
        return Ok(None);
    }
    let report = build(state, month).await?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(&file, xlsx(&report)?)?;
    Ok(Some(file))
}
