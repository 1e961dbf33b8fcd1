//! 公示 of one scope (the whole centre, a region, department, window or service item) for a month:
//! the five levels, the channels used, every figure, the twelve-month trend, its children and the top 差评 reasons.

use domain::{
    stats::{Counts, Figures, Policy},
    time::Month,
};

use super::{
    ChildList, Children, Crumb, DisclosureError, Scope, ScopeFigures, Tally, TrendMonth, child,
    figures, month_or, shown, this_month,
};
use crate::platform::state::AppState;

fn levels(c: &Counts) -> Vec<Tally> {
    domain::Level::ALL
        .into_iter()
        .map(|level| Tally {
            label: level.label_zh().to_owned(),
            count: c.levels[usize::from(level.interface_code() - 1)],
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
            label: catalogue.label_or_code(code),
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
    let channels = state.store.channel_counts(scope, month, month).await?;
    let walk_ins = state.store.walk_in_counts(scope, month, month).await?;
    let complaints = state.store.complaint_counts(scope, month, month).await?;
    let voices = state.store.voice_counts(scope, month, month).await?;
    let mut choices = this_month.last_n(12);
    choices.reverse();
    Ok(ScopeFigures {
        title,
        crumbs,
        month: month.to_string(),
        months: choices.iter().map(Month::to_string).collect(),
        levels: levels(&counts),
        channels: channels.table(),
        occurrences: counts.occurrences,
        rated: counts.rated(),
        invalidated: counts.invalidated,
        walk_ins,
        voices,
        kinds: domain::kind::EvaluationKind::OF_SERVICE
            .iter()
            .zip(counts.kinds)
            .map(|(kind, count)| super::service::Tally {
                label: kind.label_zh().to_owned(),
                count,
            })
            .collect(),
        received: counts.received,
        appeals: counts.appeals,
        figures: figures(&counts, policy),
        trend: trend(&rows, &months, policy),
        lists: lists(state, scope, month, policy).await?,
        reasons: reason_tallies(reasons),
        complaints,
    })
}
