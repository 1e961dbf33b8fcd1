//! 公示 — the public pages: figures by scope and month, the trend as an accessible SVG chart with
//! the same numbers in a table, the staff 公示, the rectification list and the methods. All read
//! completely without JavaScript; the month is chosen with a plain GET form.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::open::{
    ChildRow, FigureView, OpenFigures, RectificationsView, StaffPage, TrendPoint, methods,
    open_page, rectifications, staff_disclosure,
};

fn month_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("month").unwrap_or_default())
}

/// The month chooser: a GET form, so it works without JavaScript.
#[component]
fn MonthPicker(month: String, months: Vec<String>) -> impl IntoView {
    view! {
        <form method="get" class="month-picker">
            <label for="month">"统计月份"</label>
            <select id="month" name="month">
                {months
                    .into_iter()
                    .map(|m| {
                        let selected = m == month;
                        view! {
                            <option value=m.clone() selected=selected>
                                {m.clone()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit">"查看"</button>
        </form>
    }
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

#[component]
fn Figures(page: OpenFigures) -> impl IntoView {
    let OpenFigures {
        title,
        crumbs,
        month,
        months,
        levels,
        occurrences,
        rated,
        invalidated,
        figures,
        trend,
        lists,
        reasons,
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
        <MonthPicker month=month.clone() months />
        <p id="totals">
            {format!(
                "{month}：登记办件 {occurrences} 件，有效评价 {rated} 条，申诉成立不计入 {invalidated} 条。",
            )}
        </p>
        <FigureTable month=month.clone() figures />
        <LevelTable levels />
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

#[component]
fn FigureTable(month: String, figures: Vec<FigureView>) -> impl IntoView {
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
                                <td>{f.value}</td>
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
fn LevelTable(levels: Vec<(String, i64)>) -> impl IntoView {
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

/// Ratings per month as bars, with the same numbers (and 好评率) in a table.
#[component]
fn Trend(points: Vec<TrendPoint>) -> impl IntoView {
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
fn ChildTable(caption: String, rows: Vec<ChildRow>) -> impl IntoView {
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

/// 窗口工作人员评价公示 — the previous month by default.
#[component]
pub fn OpenStaff() -> impl IntoView {
    let month = month_query();
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").unwrap_or_default());
    let data = Resource::new(
        move || (month.get(), page.get()),
        |(month, page)| staff_disclosure(month, page),
    );
    view! {
        <nav class="crumbs" aria-label="位置">
            <a href="/open">"全部"</a>
            " › "
        </nav>
        <h1>"窗口工作人员评价公示"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|StaffPage { month, page, pages, rows }| {
                        let link = |p: usize| format!("/open/staff?month={month}&page={p}");
                        view! {
                            <p>
                                {format!(
                                    "{month} 各窗口工作人员的评价率与满意度（好评率）；样本不足的不计算比率。",
                                )}
                            </p>
                            <ChildTable
                                caption=format!(
                                    "{month} 窗口工作人员（第 {page}/{pages} 页）",
                                )
                                rows
                            />
                            <nav class="pages" aria-label="分页">
                                {(page > 1)
                                    .then(|| {
                                        view! {
                                            <a href=link(page - 1) rel="prev">
                                                "上一页"
                                            </a>
                                        }
                                    })}
                                " "
                                {(page < pages)
                                    .then(|| {
                                        view! {
                                            <a href=link(page + 1) rel="next">
                                                "下一页"
                                            </a>
                                        }
                                    })}
                            </nav>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}

/// 整改公示 — what was done about the 差评 of a month. No personal data, no free text.
#[component]
pub fn OpenRectifications() -> impl IntoView {
    let month = month_query();
    let data = Resource::new(move || month.get(), rectifications);
    view! {
        <nav class="crumbs" aria-label="位置">
            <a href="/open">"全部"</a>
            " › "
        </nav>
        <h1>"差评整改公示"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|RectificationsView { month, rows }| {
                        let empty = rows.is_empty();
                        view! {
                            <table class="figures" id="rectifications">
                                <caption>{format!("{month} 已办结的差评整改")}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"部门"</th>
                                        <th scope="col">"事项"</th>
                                        <th scope="col">"差评原因"</th>
                                        <th scope="col">"处置方式"</th>
                                        <th scope="col">"用时（工作日）"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    <td>{r.department}</td>
                                                    <td>{r.item}</td>
                                                    <td>{r.reasons}</td>
                                                    <td>{r.how}</td>
                                                    <td>
                                                        {r
                                                            .working_days
                                                            .map_or_else(|| "—".to_owned(), |d| d.to_string())}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                    {empty
                                        .then(|| {
                                            view! {
                                                <tr>
                                                    <td colspan="5">"本月无已办结的差评整改"</td>
                                                </tr>
                                            }
                                        })}
                                </tbody>
                            </table>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}

/// 统计口径 — every formula and setting in force.
#[component]
pub fn OpenMethods() -> impl IntoView {
    let data = Resource::new(|| (), |_| methods());
    view! {
        <h1>"统计口径与设置"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                data.await
                    .map(|m| {
                        view! {
                            <section class="card" id="methods">
                                <h2>"指标定义"</h2>
                                <dl>
                                    <dt>"评价率"</dt>
                                    <dd>
                                        "当月服务中已评价的办件数（含申诉成立后不计入统计的评价）÷ 当月登记的办件数。窗口扫码评价同时计为一次办件。"
                                    </dd>
                                    <dt>"好评率"</dt>
                                    <dd>
                                        {format!(
                                            "（非常满意 + 满意{}）÷ 有效评价数。",
                                            if m.basic_counts_as_good { " + 基本满意" } else { "" },
                                        )}
                                    </dd>
                                    <dt>"主动评价好评率"</dt>
                                    <dd>
                                        "同上，仅计群众本人作出的评价（不含系统默认评价）。"
                                    </dd>
                                    <dt>"差评率"</dt>
                                    <dd>
                                        "（不满意 + 非常不满意）÷ 有效评价数。"
                                    </dd>
                                    <dt>"差评回复率"</dt>
                                    <dd>"已答复群众的差评 ÷ 有效差评。"</dd>
                                    <dt>"回访整改率"</dt>
                                    <dd>
                                        "经回访（匿名差评经核实）且已办结的差评 ÷ 有效差评。"
                                    </dd>
                                    <dt>"回访整改满意率"</dt>
                                    <dd>
                                        "群众评价为满意或基本满意的整改次数 ÷ 群众评价过的整改次数（每轮整改各计一次）。"
                                    </dd>
                                    <dt>"有效评价"</dt>
                                    <dd>
                                        "申诉复核成立的评价不计入各项比率，但单独公示其数量；评价本身从不删除或修改。"
                                    </dd>
                                    <dt>"统计月份"</dt>
                                    <dd>
                                        "评价计入其所评价服务的月份（北京时间）。"
                                    </dd>
                                </dl>
                                <h2>"显示规则"</h2>
                                <ul>
                                    <li>
                                        "百分比保留两位小数，截断不进位：23283 条中 1 条差评，好评率显示 99.99 %，不显示 100.00 %。"
                                    </li>
                                    <li>
                                        {format!(
                                            "分母少于 {} 时显示“样本不足”，不计算比率。",
                                            m.min_sample,
                                        )}
                                    </li>
                                    <li>"比率附 95 % 置信区间（Wilson 方法）。"</li>
                                    <li>
                                        {if m.staff_by_name {
                                            "窗口工作人员公示显示姓名。"
                                        } else {
                                            "窗口工作人员公示显示工号。"
                                        }}
                                    </li>
                                </ul>
                                <h2>
                                    "办理时限（工作日，按国务院办公厅节假日安排含调休）"
                                </h2>
                                <ul>
                                    <li>
                                        {format!(
                                            "差评首次联系：{} 个工作日",
                                            m.deadlines[0],
                                        )}
                                    </li>
                                    <li>
                                        {format!("台账整改：{} 个工作日", m.deadlines[1])}
                                    </li>
                                    <li>
                                        {format!(
                                            "投诉答复：{} 个工作日；复杂投诉 {} 个工作日",
                                            m.deadlines[2],
                                            m.deadlines[3],
                                        )}
                                    </li>
                                </ul>
                                <h2>"开放数据"</h2>
                                <p>
                                    "全部统计数据可下载："
                                    <a href="/open/data.csv">"CSV"</a>"、"
                                    <a href="/open/data.json">"JSON"</a> "，字段说明见 "
                                    <a href="/open/data-schema.json">"数据结构"</a>
                                    "。各页面上的每个数字均可由其重新计算。"
                                </p>
                            </section>
                        }
                    })
                    .map_err(|e| e.to_string())
            })}
        </Suspense>
    }
}
