//! 监督股 analysis pages: the monthly report (with CSV and XLSX downloads) and the heat map of a
//! hall. Month and hall are chosen with plain GET forms.

use leptos::prelude::*;

use super::MonthPicker;
use leptos_router::hooks::use_query_map;

use super::staff::{SignInHint, StaffBar};
use crate::api::report::{HeatCellView, HeatView, ReportView, heat_map, monthly_report};

fn query(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// 月度报告.
#[component]
pub fn Report() -> impl IntoView {
    let month = query("month");
    let report = Resource::new(move || month.get(), monthly_report);
    view! {
        <StaffBar />
        <h1>"月度报告"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <ReportBody report=r /> }.into_any(),
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportBody(report: ReportView) -> impl IntoView {
    let ReportView {
        month,
        months,
        headings,
        rows,
        bad_items,
        bad_reasons,
        channel_headings,
        channels,
        complaint_headings,
        complaints,
        voice_headings,
        voices,
        inspection_headings,
        inspections,
    } = report;
    view! {
        <MonthPicker label="月份" month=month.clone() months=months />
        <p id="downloads">
            <a href=format!("/staff/report.xlsx?month={month}")>"下载 XLSX"</a>
            " · "
            <a href=format!("/staff/report.csv?month={month}")>"下载 CSV"</a>
        </p>
        <table class="figures" id="report">
            <caption>
                {format!(
                    "{month} 部门、窗口、窗口工作人员评价情况（按满意度排名）",
                )}
            </caption>
            <thead>
                <tr>
                    {headings
                        .into_iter()
                        .map(|h| view! { <th scope="col">{h}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|cells| {
                        view! {
                            <tr>
                                {cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <CountSection
            id="report-channels"
            caption=format!("{month} 评价渠道分布")
            headings=channel_headings
            rows=channels
        />
        <CountSection
            id="report-complaints"
            caption=format!("{month} 投诉受理与答复（按来源）")
            headings=complaint_headings
            rows=complaints
        />
        <CountSection
            id="report-voices"
            caption=format!(
                "{month} 综合点评与监督查评（单独统计，不计入以上比率）",
            )
            headings=voice_headings
            rows=voices
        />
        <CountSection
            id="report-inspections"
            caption=format!("{month} 监督查评记录")
            headings=inspection_headings
            rows=inspections
        />
        <section class="card" id="clusters">
            <h2>"差评集中的事项"</h2>
            <ol>
                {bad_items
                    .into_iter()
                    .map(|b| {
                        view! {
                            <li>
                                {format!(
                                    "{}：差评 {} 条 / 有效评价 {} 条",
                                    b.item,
                                    b.bad,
                                    b.rated,
                                )}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <h2>"差评主要原因"</h2>
            <ol>
                {bad_reasons
                    .into_iter()
                    .map(|(reason, n)| view! { <li>{format!("{reason}（{n} 次）")}</li> })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// A section of counts with a label per row: the valid ratings by the channel the citizen used,
/// the complaints by source.
#[component]
pub(crate) fn CountSection(
    id: &'static str,
    caption: String,
    headings: Vec<String>,
    rows: Vec<Vec<String>>,
) -> impl IntoView {
    view! {
        <table class="figures" id=id>
            <caption>{caption}</caption>
            <thead>
                <tr>
                    {headings
                        .into_iter()
                        .map(|h| view! { <th scope="col">{h}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|cells| {
                        let mut cells = cells.into_iter();
                        let label = cells.next().unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row">{label}</th>
                                {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// 时段分析 — when a hall's ratings and 差评 come, and the satisfaction alerts.
#[component]
pub fn Analysis() -> impl IntoView {
    let hall = query("hall");
    let month = query("month");
    let heat = Resource::new(
        move || (hall.get(), month.get()),
        |(hall, month)| heat_map(hall, month),
    );
    view! {
        <StaffBar />
        <h1>"时段分析与满意度预警"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match heat.await {
                    Ok(h) => {
                        view! {
                            <Alerts heat=h.clone() />
                            <HeatTable heat=h />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 满意度预警 — windows whose satisfaction over the last days fell below the threshold.
#[component]
pub fn Alerts(heat: HeatView) -> impl IntoView {
    let HeatView {
        alerts,
        alert_days,
        alert_threshold,
        ..
    } = heat;
    let empty = alerts.is_empty();
    view! {
        <section class="card" id="alerts">
            <h2>
                {format!(
                    "满意度预警（近{alert_days}天满意度低于 {alert_threshold} 的窗口）",
                )}
            </h2>
            {if empty {
                view! { <p>"暂无预警。"</p> }.into_any()
            } else {
                view! {
                    <ul class="alerts">
                        {alerts
                            .into_iter()
                            .map(|a| {
                                view! {
                                    <li class="err">
                                        {format!(
                                            "{} {}：{} 条评价，满意度 {}",
                                            a.department,
                                            a.window,
                                            a.rated,
                                            a.satisfaction,
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn HeatTable(heat: HeatView) -> impl IntoView {
    let HeatView {
        halls,
        hall,
        month,
        hours,
        rows,
        max,
        ..
    } = heat;
    let shade = move |rated: i64| {
        let level = if max == 0 { 0 } else { rated * 4 / max };
        format!("heat-{level}")
    };
    view! {
        <form method="get" class="month-picker">
            <label for="hall">"大厅"</label>
            <select id="hall" name="hall">
                {halls
                    .into_iter()
                    .map(|(id, name)| {
                        view! {
                            <option value=id selected=id == hall>
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="month">"月份（YYYY-MM）"</label>
            <input id="month" name="month" value=month.clone() inputmode="numeric" />
            <button type="submit">"查看"</button>
        </form>
        <table class="figures heat" id="heat">
            <caption>{format!("{month} 各时段评价数（括号内为差评）")}</caption>
            <thead>
                <tr>
                    <th scope="col">"星期"</th>
                    {hours
                        .iter()
                        .map(|h| view! { <th scope="col">{format!("{h}时")}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(day, counts)| {
                        view! {
                            <tr>
                                <th scope="row">{day}</th>
                                {counts
                                    .into_iter()
                                    .map(|HeatCellView { rated, bad }| {
                                        view! {
                                            <td class=shade(
                                                rated,
                                            )>
                                                {if bad > 0 {
                                                    format!("{rated}（{bad}）")
                                                } else {
                                                    rated.to_string()
                                                }}
                                            </td>
                                        }
                                    })
                                    .collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
