//! The tables and the chart of the public pages: figures with their intervals, the five levels,
//! the channels used, the twelve-month trend (an SVG with the same numbers in a table) and the children of a scope.

use leptos::prelude::*;

use crate::api::open::{ChannelRow, ChildRow, ComplaintRow, FigureView, TrendPoint};

#[component]
pub fn FigureTable(month: String, figures: Vec<FigureView>) -> impl IntoView {
    view! {
        <table class="figures" id="figures">
            <caption>{format!("{month} 主要指标（百分比截断不进位）")}</caption>
            <thead>
                <tr>
                    <th scope="col">"指标"</th>
                    <th scope="col">"数值"</th>
                    <th scope="col">"置信区间"</th>
                    <th scope="col">"分子/分母"</th>
                </tr>
            </thead>
            <tbody>
                {figures
                    .into_iter()
                    .map(|f| {
                        view! {
                            <tr>
                                <th scope="row">{f.name}</th>
                                <td>
                                    {f.value}
                                    {f
                                        .target
                                        .map(|t| {
                                            let missed = t.contains("未达到");
                                            view! {
                                                " "
                                                <span class="target" class:err=missed>
                                                    {t}
                                                </span>
                                            }
                                        })}
                                </td>
                                <td>{f.interval.unwrap_or_default()}</td>
                                <td>{format!("{}/{}", f.num, f.den)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn LevelTable(levels: Vec<(String, i64)>) -> impl IntoView {
    view! {
        <table class="figures" id="levels">
            <caption>"五级评价分布"</caption>
            <thead>
                <tr>
                    <th scope="col">"评价"</th>
                    <th scope="col">"条数"</th>
                </tr>
            </thead>
            <tbody>
                {levels
                    .into_iter()
                    .map(|(level, n)| {
                        view! {
                            <tr>
                                <th scope="row">{level}</th>
                                <td>{n}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A code of one numbering, "—" where it has none.
fn code(code: Option<u8>) -> String {
    code.map_or_else(|| "—".into(), |c| c.to_string())
}

/// Valid ratings by the channel the citizen used, with both numberings beside the GB/T 39046 text.
#[component]
pub fn ChannelTable(rated: i64, channels: Vec<ChannelRow>) -> impl IntoView {
    view! {
        <table class="figures" id="channels">
            <caption>{format!("评价渠道分布（有效评价 {rated} 条）")}</caption>
            <thead>
                <tr>
                    <th scope="col">"评价渠道"</th>
                    <th scope="col">"通用编码"</th>
                    <th scope="col">"另一编码（6 短信、7 系统默认）"</th>
                    <th scope="col">"条数"</th>
                    <th scope="col">"占比"</th>
                </tr>
            </thead>
            <tbody>
                {channels
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr>
                                <th scope="row">{c.label}</th>
                                <td>{code(c.common_code)}</td>
                                <td>{code(c.sms6_code)}</td>
                                <td>{c.count}</td>
                                <td>{c.share}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// 投诉 of the month by source: received, replied on time, replied late, found complex.
#[component]
pub fn ComplaintTable(complaints: Vec<ComplaintRow>) -> impl IntoView {
    view! {
        <table class="figures" id="complaints">
            <caption>"投诉受理与答复（按来源）"</caption>
            <thead>
                <tr>
                    <th scope="col">"来源"</th>
                    <th scope="col">"收到"</th>
                    <th scope="col">"按时答复"</th>
                    <th scope="col">"超时答复"</th>
                    <th scope="col">"复杂投诉"</th>
                </tr>
            </thead>
            <tbody>
                {complaints
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr>
                                <th scope="row">{c.source}</th>
                                <td>{c.received}</td>
                                <td>{c.on_time}</td>
                                <td>{c.late}</td>
                                <td>{c.complex}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Ratings per month as bars, with the same numbers (and 好评率) in a table.
#[component]
pub fn Trend(points: Vec<TrendPoint>) -> impl IntoView {
    let max = points.iter().map(|p| p.rated).max().unwrap_or(0).max(1);
    let (width, height, bar) = (600, 160, 40);
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.rated * (height - 30) / max;
            let x = 10 + i as i64 * (bar + 8);
            let y = height - 20 - h;
            let label = p.month[5..].to_owned();
            view! {
                <g>
                    <rect x=x y=y width=bar height=h class="bar">
                        <title>
                            {format!("{}：{} 条，好评率 {}", p.month, p.rated, p.good_rate)}
                        </title>
                    </rect>
                    <text x=x + bar / 2 y=height - 5 text-anchor="middle">
                        {label}
                    </text>
                </g>
            }
        })
        .collect_view();
    let first = points.first().map(|p| p.month.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.month.clone()).unwrap_or_default();
    view! {
        <section class="card">
            <h2 id="trend-title">"近12个月评价数"</h2>
            <svg
                class="trend"
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-labelledby="trend-title trend-desc"
            >
                <desc id="trend-desc">
                    {format!(
                        "{first} 至 {last} 每月有效评价条数的柱状图，数据见下表。",
                    )}
                </desc>
                {bars}
            </svg>
            <table class="figures" id="trend">
                <caption>"逐月数据"</caption>
                <thead>
                    <tr>
                        <th scope="col">"月份"</th>
                        <th scope="col">"有效评价"</th>
                        <th scope="col">"好评率"</th>
                        <th scope="col">"差评"</th>
                    </tr>
                </thead>
                <tbody>
                    {points
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <th scope="row">{p.month}</th>
                                    <td>{p.rated}</td>
                                    <td>{p.good_rate}</td>
                                    <td>{p.bad}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn ChildTable(caption: String, rows: Vec<ChildRow>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <table class="figures children">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"名称"</th>
                    <th scope="col">"登记办件"</th>
                    <th scope="col">"有效评价"</th>
                    <th scope="col">"评价率"</th>
                    <th scope="col">"好评率"</th>
                    <th scope="col">"差评"</th>
                    <th scope="col">"申诉成立"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        view! {
                            <tr>
                                <th scope="row">
                                    {match r.href {
                                        Some(href) => view! { <a href=href>{r.name}</a> }.into_any(),
                                        None => r.name.into_any(),
                                    }}
                                </th>
                                <td>{r.occurrences}</td>
                                <td>{r.rated}</td>
                                <td>{r.rating_rate}</td>
                                <td>{r.good_rate}</td>
                                <td>{r.bad}</td>
                                <td>{r.invalidated}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
                {empty
                    .then(|| {
                        view! {
                            <tr>
                                <td colspan="7">"本月无数据"</td>
                            </tr>
                        }
                    })}
            </tbody>
        </table>
    }
}
