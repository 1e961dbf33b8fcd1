//! The supervisor's 督办总览 and a window clerk's own ratings.

use leptos::prelude::*;

use crate::api::staff::{
    FinishVisit, SilentDeviceView, department_overview, own_ratings, silent_devices, whoami,
};

use super::{SignInHint, StaffBar};
use crate::api::upward::{UpwardView, upward_status};

/// 办结，请评价 — the clerk finishes the visit being served; the window's tablet offers its rating.
#[component]
fn FinishForm() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let finish = ServerAction::<FinishVisit>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await
                    .ok()
                    .map(|me| {
                        view! {
                            <ActionForm action=finish attr:class="step" attr:id="finish-visit">
                                <input type="hidden" name="csrf" value=me.csrf />
                                <button type="submit">
                                    "办结，请群众在评价器上评价"
                                </button>
                            </ActionForm>
                        }
                    })
            })}
        </Suspense>
        <p role="status" id="finish-status">
            {move || match finish.value().get() {
                Some(Ok(())) => {
                    "已办结，评价器正在显示本次服务的评价。".to_owned()
                }
                Some(Err(e)) => e.to_string(),
                None => String::new(),
            }}
        </p>
    }
}

/// 评价器静默 — tablets that rated nothing for the set working hours while their window served.
#[component]
fn SilentDevices(list: Vec<SilentDeviceView>) -> impl IntoView {
    view! {
        <section class="card" id="silent-devices">
            <h2>"评价器静默预警"</h2>
            {if list.is_empty() {
                view! { <p>"各评价器运行正常。"</p> }.into_any()
            } else {
                view! {
                    <ul class="err">
                        {list
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <li>
                                        {format!(
                                            "{}（{}）：自 {} 起无评价，其间窗口办结 {} 件",
                                            d.window,
                                            d.hall,
                                            d.since,
                                            d.served,
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

/// 上报 — each upstream platform: delivered, waiting, failing, the oldest wait, differences found
/// by reconciliation; raised as 上报预警 when something needs attention.
#[component]
fn Upward(list: Vec<UpwardView>) -> impl IntoView {
    view! {
        <section class="card" id="upward">
            <h2>"数据上报"</h2>
            {if list.is_empty() {
                view! { <p>"未配置上级平台。"</p> }.into_any()
            } else {
                view! {
                    <table class="tickets">
                        <caption>"上报到上级平台（实时、全量）"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"上级平台"</th>
                                <th scope="col">"已送达"</th>
                                <th scope="col">"待上报"</th>
                                <th scope="col">"失败待重试"</th>
                                <th scope="col">"最久等待"</th>
                                <th scope="col">"最近对账"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list
                                .iter()
                                .map(|t| {
                                    view! {
                                        <tr class:overdue=t.alert>
                                            <th scope="row">
                                                {t.name.clone()} <br /> <small>{t.mapping.clone()}</small>
                                            </th>
                                            <td>{t.delivered}</td>
                                            <td>{t.backlog}</td>
                                            <td>{t.failing}</td>
                                            <td>{t.oldest_wait.clone()}</td>
                                            <td>{t.last_reconciled.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    {list
                        .into_iter()
                        .filter(|t| t.alert)
                        .map(|t| {
                            view! {
                                <div class="err" role="alert">
                                    <p>{format!("上报预警：{}", t.name)}</p>
                                    <ul>
                                        {t
                                            .errors
                                            .into_iter()
                                            .chain(t.differences)
                                            .map(|line| view! { <li>{line}</li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })
                        .collect_view()}
                }
                    .into_any()
            }}
        </section>
    }
}

/// 督办总览 — every department's tickets: open, overdue, raised, appeals waiting (supervisor).
#[component]
pub fn Overview() -> impl IntoView {
    let loads = Resource::new(|| (), |_| department_overview());
    let alerts = Resource::new(
        || (),
        |_| crate::api::report::heat_map(String::new(), String::new()),
    );
    let silent = Resource::new(|| (), |_| silent_devices());
    let upward = Resource::new(|| (), |_| upward_status());
    view! {
        <StaffBar />
        <h1>"督办总览"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match loads.await {
                    Ok(loads) => {
                        let overdue: i64 = loads.iter().map(|l| l.overdue).sum();
                        let escalated: i64 = loads.iter().map(|l| l.escalated).sum();
                        view! {
                            <p id="summary" class:err=overdue + escalated != 0>
                                {format!("超时未办 {overdue} 件，督办中 {escalated} 件")}
                            </p>
                            <table class="tickets">
                                <caption>"各部门工单"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"部门"</th>
                                        <th scope="col">"在办"</th>
                                        <th scope="col">"超时"</th>
                                        <th scope="col">"督办"</th>
                                        <th scope="col">"待复核申诉"</th>
                                        <th scope="col">"已办结"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {loads
                                        .into_iter()
                                        .map(|l| {
                                            view! {
                                                <tr class:overdue=l.overdue != 0>
                                                    <th scope="row">{l.department}</th>
                                                    <td>{l.open}</td>
                                                    <td>{l.overdue}</td>
                                                    <td>{l.escalated}</td>
                                                    <td>{l.appealed}</td>
                                                    <td>{l.closed}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <p>
                                <a href="/staff/tickets">"查看全部工单"</a>
                            </p>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    silent.await.ok().map(|list| view! { <SilentDevices list /> })
                                })}
                            </Suspense>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    upward.await.ok().map(|list| view! { <Upward list /> })
                                })}
                            </Suspense>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    alerts
                                        .await
                                        .ok()
                                        .map(|heat| view! { <crate::pages::report::Alerts heat /> })
                                })}
                            </Suspense>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 我的评价 — a window clerk's ratings of the last 30 days: counts per level, day and reason, and
/// the words they may read; no times, no personal data.
#[component]
pub fn OwnRatings() -> impl IntoView {
    let own = Resource::new(|| (), |_| own_ratings());
    view! {
        <StaffBar />
        <h1>"我的服务评价"</h1>
        <FinishForm />
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match own.await {
                    Ok(own) => {
                        view! {
                            <p id="own-staff">{format!("{} · 近{}天", own.staff, own.days)}</p>
                            <ul class="counts" id="own-counts">
                                {own
                                    .counts
                                    .into_iter()
                                    .map(|(level, n)| view! { <li>{format!("{level} {n}")}</li> })
                                    .collect_view()}
                            </ul>
                            <h2>"每日评价"</h2>
                            <table class="tickets" id="own-days">
                                <thead>
                                    <tr>
                                        <th scope="col">"日期"</th>
                                        <th scope="col">"非常满意"</th>
                                        <th scope="col">"满意"</th>
                                        <th scope="col">"基本满意"</th>
                                        <th scope="col">"不满意"</th>
                                        <th scope="col">"非常不满意"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {own
                                        .per_day
                                        .into_iter()
                                        .map(|(day, counts)| {
                                            view! {
                                                <tr>
                                                    <th scope="row">{day}</th>
                                                    {counts
                                                        .into_iter()
                                                        .map(|n| view! { <td>{n}</td> })
                                                        .collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <h2>"评价原因"</h2>
                            <ul class="counts" id="own-reasons">
                                {own
                                    .reasons
                                    .into_iter()
                                    .map(|(label, n)| view! { <li>{format!("{label} {n}")}</li> })
                                    .collect_view()}
                            </ul>
                            <h2>"群众意见"</h2>
                            <ul id="own-comments">
                                {own
                                    .comments
                                    .into_iter()
                                    .map(|(day, level, text)| {
                                        view! { <li>{format!("{day} · {level}：")}{text}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                            <p id="own-withheld">
                                {(own.withheld > 0)
                                    .then(|| {
                                        format!(
                                            "另有{}条差评意见，待整改办结后显示（保护评价人，防止打击报复）。",
                                            own.withheld,
                                        )
                                    })}
                                {(own.invalidated > 0)
                                    .then(|| {
                                        format!(
                                            "{}条评价经申诉复核不计入。",
                                            own.invalidated,
                                        )
                                    })}
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
