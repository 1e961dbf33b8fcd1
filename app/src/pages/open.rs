//! 公示 — the public pages: figures by scope and month, the trend as an accessible SVG chart with
//! the same numbers in a table, the staff 公示, the rectification list and the methods. All read
//! completely without JavaScript; the month is chosen with a plain GET form.

pub mod lists;
pub mod tables;

use leptos::prelude::*;

use super::MonthPicker;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::open::{OpenFigures, open_page};

pub(super) fn month_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("month").unwrap_or_default())
}

/// 公示 of one scope: `/open` (everything) and `/open/{department|window|item}/{id}`.
#[component]
pub fn OpenScope() -> impl IntoView {
    let params = use_params_map();
    let month = month_query();
    let page = Resource::new(
        move || {
            let p = params.read();
            (
                p.get("kind").unwrap_or_else(|| "all".into()),
                p.get("id")
                    .and_then(|id| id.parse::<i64>().ok())
                    .unwrap_or_default(),
                month.get(),
            )
        },
        |(kind, id, month)| open_page(kind, id, month),
    );
    view! {
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Figures page /> }.into_any(),
                    Err(e) => {
                        view! {
                            <p class="err" role="alert">
                                {e.to_string()}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// 未关联办件的扫码评价: said when there are any, so that no one reads them into the figures.
#[component]
fn WalkIns(walk_ins: (i64, i64)) -> impl IntoView {
    let (rated, bad) = walk_ins;
    (rated > 0)
        .then(|| {
            view! {
                <p id="walk-ins">
                    {format!(
                        "另有 {rated} 条未关联办件的扫码评价（其中差评 {bad} 条，已照常处理），不计入评价率和满意率。",
                    )}
                </p>
            }
        })
}

/// 综合点评 and 监督查评: always said, apart from the figures they never enter.
#[component]
fn Voices(voices: [i64; 8]) -> impl IntoView {
    let [
        general,
        typed,
        general_good,
        general_bad,
        inspections,
        covert,
        good,
        bad,
    ] = voices;
    view! {
        <p id="voices">
            {format!(
                "综合点评 {} 条（群众网上提交 {general} 条，工作人员据意见箱、来信、电话等录入 {typed} 条；满意 {general_good} 条，差评 {general_bad} 条）；监督查评 {inspections} 次（暗访 {covert} 次；满意 {good} 次，不满意 {bad} 次）。二者单独统计，不计入一事一评、一次一评的评价率和满意率。",
                general + typed,
            )}
        </p>
    }
}

#[component]
fn Figures(page: OpenFigures) -> impl IntoView {
    let OpenFigures {
        title,
        crumbs,
        month,
        months,
        levels,
        channels,
        occurrences,
        rated,
        invalidated,
        walk_ins,
        voices,
        kinds,
        received,
        appeals,
        figures,
        trend,
        lists,
        reasons,
        complaints,
    } = page;
    let crumbs = crumbs
        .into_iter()
        .map(|(href, label)| {
            view! {
                <a href=href>{label}</a>
                " › "
            }
        })
        .collect_view();
    let reasons = if reasons.is_empty() {
        view! { <p>"本月无有效差评。"</p> }.into_any()
    } else {
        view! {
            <ol id="reasons">
                {reasons
                    .into_iter()
                    .map(|(reason, n)| view! { <li>{format!("{reason}（{n} 次）")}</li> })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <nav class="crumbs" aria-label="位置">
            {crumbs}
        </nav>
        <h1>{title}</h1>
        <MonthPicker label="统计月份" month=month.clone() months />
        <p id="totals">
            {format!(
                "{month}：登记办件 {occurrences} 件，有效评价 {rated} 条，申诉成立不计入 {invalidated} 条。",
            )}
        </p>
        <p id="appeals">
            {format!(
                "对差评提出申诉 {} 件：成立 {} 件（该评价不计入），不成立 {} 件。",
                appeals[0],
                appeals[1],
                appeals[2],
            )}
        </p>
        <p id="kinds">
            {format!(
                "评价类型：{}。",
                kinds
                    .iter()
                    .map(|(kind, n)| format!("{kind} {n} 条"))
                    .collect::<Vec<_>>()
                    .join("、"),
            )}
            {(received > 0)
                .then(|| {
                    format!(
                        "其中下级平台上报 {received} 条（不含其未评价的办件，不计入评价率）。",
                    )
                })}
        </p>
        <WalkIns walk_ins />
        <Voices voices />
        <FigureTable month=month.clone() figures />
        <LevelTable levels />
        <ChannelTable rated channels />
        <ComplaintTable complaints />
        <Trend points=trend />
        {lists
            .into_iter()
            .map(|(caption, rows)| view! { <ChildTable caption rows /> })
            .collect_view()}
        <section class="card">
            <h2>"差评主要原因"</h2>
            {reasons}
        </section>
        <p>
            <a href="/open/methods">"统计口径与设置"</a>
            " · "
            <a href="/open/rectifications">"整改公示"</a>
            " · "
            <a href="/open/staff">"窗口工作人员评价公示"</a>
            " · "
            <a href="/open/data.csv">"下载数据（CSV）"</a>
        </p>
    }
}

pub use lists::{OpenMethods, OpenRectifications, OpenStaff};
use tables::{ChannelTable, ChildTable, ComplaintTable, FigureTable, LevelTable, Trend};
