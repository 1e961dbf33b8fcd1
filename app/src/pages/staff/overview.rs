//! The supervisor's 督办总览 and a window clerk's own ratings.

use leptos::prelude::*;

use crate::api::staff::{department_overview, own_ratings};

use super::{SignInHint, StaffBar};

/// 督办总览 — every department's tickets: open, overdue, raised, appeals waiting (supervisor).
#[component]
pub fn Overview() -> impl IntoView {
    let loads = Resource::new(|| (), |_| department_overview());
    let alerts = Resource::new(
        || (),
        |_| crate::api::report::heat_map(String::new(), String::new()),
    );
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

/// 我的评价 — a window clerk's ratings of the last 30 days (no personal data).
#[component]
pub fn OwnRatings() -> impl IntoView {
    let own = Resource::new(|| (), |_| own_ratings());
    view! {
        <StaffBar />
        <h1>"我的服务评价"</h1>
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
                            <table class="tickets">
                                <thead>
                                    <tr>
                                        <th scope="col">"时间"</th>
                                        <th scope="col">"评价"</th>
                                        <th scope="col">"原因"</th>
                                        <th scope="col">"意见"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {own
                                        .ratings
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    <td>{r.at}</td>
                                                    <td>
                                                        {r.level_zh}
                                                        {r.invalidated.then_some("（申诉成立，不计入）")}
                                                    </td>
                                                    <td>{r.reasons}</td>
                                                    <td>{r.comment}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
