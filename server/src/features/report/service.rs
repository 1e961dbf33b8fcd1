//! 月度报告 — the supervising office's report of a month: for each department, window and staff
//! member, registered occurrences, ratings, 评价率, satisfaction, 差评 and their handling, and the
//! ranking with its change from the month before; where 差评 cluster; as a page, CSV and XLSX.
//! Generated on demand, and kept as a file at the start of each month.
//!
//! A scoped supervisor's report covers their scope only (see `platform::scope`). The aggregates of
//! a region count only its own departments, not the regions under it, so a region's report sums
//! the departments, windows, staff and items inside it. A hall's report has the hall's windows,
//! their staff and the hall's 差评 reasons; departments and service items are counted across every
//! hall, so it leaves them out rather than show wider figures as the hall's.

use domain::{
    access::{Actor, Role},
    stats::{Counts, Policy, Ranking, Rate, rank_change},
    time::{Month, Timestamp},
};

use crate::features::disclosure::{ByChannel, Children, ComplaintsBySource, ScopeCounts};
use crate::features::voices::{InspectionLine, VoiceCounts};
use crate::platform::scope::{departments_sql, windows_sql, within};
use crate::platform::state::AppState;
use domain::org::Scope;

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
    /// The scope's valid ratings by the channel the citizen used.
    pub channels: ByChannel,
    /// The scope's complaints by source (a hall's report has none: complaints name a department,
    /// not a hall).
    pub complaints: ComplaintsBySource,
    /// The scope's 综合点评 and 监督查评 (counted apart from every figure above).
    pub voices: VoiceCounts,
    /// The month's inspections in the scope.
    pub inspections: Vec<InspectionLine>,
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

/// The condition on a child row `x` of `children` that keeps those inside `scope`; `None` when
/// the children's figures reach beyond a hall (departments, items).
fn scope_filter(children: Children, scope: Scope) -> Option<String> {
    let hall = matches!(scope, Scope::Hall(_));
    match children {
        Children::Departments if !hall => Some(within("x.id", departments_sql(scope))),
        Children::Items if !hall => Some(within("x.department_id", departments_sql(scope))),
        Children::AllWindows => Some(within("x.id", windows_sql(scope))),
        Children::AllStaff if hall => Some(within("x.window_id", windows_sql(scope))),
        Children::AllStaff => Some(within("x.department_id", departments_sql(scope))),
        _ => None,
    }
}

/// The children inside `scope` with their counts of `month` (none when they reach beyond it).
async fn children_in(
    state: &AppState,
    children: Children,
    scope: Scope,
    month: Month,
) -> Result<Vec<ScopeCounts>, sqlx::Error> {
    match scope_filter(children, scope) {
        Some(filter) => {
            let store = &state.store;
            store
                .stat_children_within(children, &filter, month, month)
                .await
        }
        None => Ok(Vec::new()),
    }
}

async fn section(
    state: &AppState,
    children: Children,
    (month, scope): (Month, Scope),
    policy: Policy,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    let now = children_in(state, children, scope, month).await?;
    let before = children_in(state, children, scope, month.prev()).await?;
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

/// The report of `month` for `scope`, built from the aggregates.
pub async fn build(
    state: &AppState,
    month: Month,
    scope: Scope,
) -> Result<MonthlyReport, sqlx::Error> {
    let policy = state.rules().disclosure.policy;
    let at = (month, scope);
    let mut sections = Vec::new();
    for (title, children) in [
        ("部门", Children::Departments),
        ("窗口", Children::AllWindows),
        ("窗口工作人员", Children::AllStaff),
    ] {
        if scope_filter(children, scope).is_some() {
            sections.push((title, section(state, children, at, policy).await?));
        }
    }
    let mut items = children_in(state, Children::Items, scope, month).await?;
    items.retain(|i| i.counts.bad() > 0);
    items.sort_by(|a, b| b.counts.bad().cmp(&a.counts.bad()).then(a.id.cmp(&b.id)));
    let bad_items = items
        .into_iter()
        .take(10)
        .map(|i| (i.name, i.counts.bad(), i.counts.rated()))
        .collect();
    let catalogue = domain::Catalogue::CURRENT;
    let bad_reasons = bad_reasons(state, scope, month)
        .await?
        .into_iter()
        .map(|(code, n)| (catalogue.label_or_code(code), n))
        .collect();
    let channels = channels(state, scope, month).await?;
    let complaints = complaints(state, scope, month).await?;
    let voices = voices(state, scope, month).await?;
    let inspections = state.store.inspections(scope, month).await?;
    Ok(MonthlyReport {
        complaints,
        voices,
        inspections,
        month,
        policy,
        sections,
        bad_items,
        bad_reasons,
        channels,
    })
}

/// The valid ratings of `scope` per channel, read like `bad_reasons`.
async fn channels(state: &AppState, scope: Scope, month: Month) -> Result<ByChannel, sqlx::Error> {
    use crate::features::disclosure::Scope as Stat;
    let store = &state.store;
    match scope {
        Scope::All => store.channel_counts(Stat::All, month, month).await,
        Scope::Hall(h) => store.channel_counts(Stat::Hall(h.0), month, month).await,
        Scope::Region(_) => {
            let departments = departments_sql(scope).unwrap_or_default();
            store
                .channel_counts_of_departments(&departments, month, month)
                .await
        }
    }
}

/// The 综合点评 and 监督查评 of `scope`, read like `channels`.
async fn voices(state: &AppState, scope: Scope, month: Month) -> Result<VoiceCounts, sqlx::Error> {
    use crate::features::disclosure::Scope as Stat;
    let store = &state.store;
    match scope {
        Scope::All => store.voice_counts(Stat::All, month, month).await,
        Scope::Hall(h) => store.voice_counts(Stat::Hall(h.0), month, month).await,
        Scope::Region(_) => {
            let departments = departments_sql(scope).unwrap_or_default();
            store
                .voice_counts_of_departments(&departments, month, month)
                .await
        }
    }
}

/// The complaints of `scope` by source, read like `channels`.
async fn complaints(
    state: &AppState,
    scope: Scope,
    month: Month,
) -> Result<ComplaintsBySource, sqlx::Error> {
    use crate::features::disclosure::Scope as Stat;
    let store = &state.store;
    match scope {
        Scope::All => store.complaint_counts(Stat::All, month, month).await,
        Scope::Hall(_) => Ok(ComplaintsBySource::default()),
        Scope::Region(_) => {
            let departments = departments_sql(scope).unwrap_or_default();
            store
                .complaint_counts_of_departments(&departments, month, month)
                .await
        }
    }
}

/// The ten most frequent 差评 reasons of `scope`: the whole centre's or a hall's aggregate, the
/// sum of a region's departments.
async fn bad_reasons(
    state: &AppState,
    scope: Scope,
    month: Month,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    use crate::features::disclosure::Scope as Stat;
    let store = &state.store;
    match scope {
        Scope::All => store.top_bad_reasons(Stat::All, month, month, 10).await,
        Scope::Hall(h) => {
            store
                .top_bad_reasons(Stat::Hall(h.0), month, month, 10)
                .await
        }
        Scope::Region(_) => {
            let departments = departments_sql(scope).unwrap_or_default();
            store
                .top_bad_reasons_of_departments(&departments, month, month, 10)
                .await
        }
    }
}

/// The report for the supervising office only, of the supervisor's scope.
pub async fn monthly(
    state: &AppState,
    actor: Actor,
    month: Month,
) -> Result<MonthlyReport, ReportError> {
    if actor.role != Role::Supervisor {
        return Err(ReportError::Forbidden);
    }
    Ok(build(state, month, actor.scope).await?)
}

/// The downloads are written in `export`; the monthly archive below keeps the XLSX.
pub use super::export::{
    CHANNEL_HEADINGS, COMPLAINT_HEADINGS, HEADINGS, INSPECTION_HEADINGS, VOICE_HEADINGS, cells,
    channel_cells, complaint_cells, csv, inspection_cells, voice_cells, xlsx,
};

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
    // The monthly file is the whole centre's, for the supervising office's records.
    let report = build(state, month, Scope::All).await?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(&file, xlsx(&report)?)?;
    Ok(Some(file))
}
