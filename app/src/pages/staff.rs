//! 管理端 — log-in, the ticket list and one ticket with its steps. Forms are `ActionForm`s: they
//! post to the server functions before hydration and work without reload after it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::staff::{
    RevealPhone, StaffLogin, StaffLogout, TicketStep, TicketView, department_overview, load_ticket,
    my_tickets, own_ratings, whoami,
};

/// 工作人员登录.
#[component]
pub fn Login() -> impl IntoView {
    let login = ServerAction::<StaffLogin>::new();
    let failed = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="card narrow">
            <h1>"工作人员登录"</h1>
            <ActionForm action=login>
                <label for="username">"用户名"</label>
                <input id="username" name="username" required autocomplete="username" />
                <label for="password">"密码"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    required
                    autocomplete="current-password"
                />
                <label for="code">"动态验证码（监督、管理人员必填）"</label>
                <input
                    id="code"
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="6"
                />
                <button type="submit">"登录"</button>
            </ActionForm>
            <p class="err" role="alert">
                {failed}
            </p>
        </section>
    }
}

/// The bar on every staff page: who is signed in, their pages, and 退出登录.
#[component]
pub fn StaffBar() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let logout = ServerAction::<StaffLogout>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await
                    .ok()
                    .map(|me| {
                        let links = domain::access::Role::parse(&me.role)
                            .map_or(&[][..], domain::access::Role::navigation);
                        view! {
                            <nav class="staff-bar" aria-label="工作人员导航">
                                {links
                                    .iter()
                                    .map(|p| view! { <a href=p.href>{p.label_zh}</a> })
                                    .collect_view()}
                                <span class="who">{me.username}</span>
                                <ActionForm action=logout attr:class="inline">
                                    <input type="hidden" name="csrf" value=me.csrf />
                                    <button type="submit" class="link">
                                        "退出登录"
                                    </button>
                                </ActionForm>
                            </nav>
                        }
                    })
            })}
        </Suspense>
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

/// 工单 — the tickets of the handler's department, or all for the supervisor.
#[component]
pub fn Tickets() -> impl IntoView {
    let tickets = Resource::new(|| (), |_| my_tickets());
    view! {
        <StaffBar />
        <h1>"差评与投诉工单"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match tickets.await {
                    Ok(list) if list.is_empty() => view! { <p>"暂无工单。"</p> }.into_any(),
                    Ok(list) => {
                        let overdue = list.iter().filter(|t| t.overdue).count();
                        let escalated = list.iter().filter(|t| t.escalated).count();
                        view! {
                            <p id="summary" class:err=overdue + escalated != 0>
                                {format!(
                                    "共 {} 件；超时 {overdue} 件，督办 {escalated} 件",
                                    list.len(),
                                )}
                            </p>
                            <table class="tickets">
                                <thead>
                                    <tr>
                                        <th>"编号"</th>
                                        <th>"类型"</th>
                                        <th>"部门"</th>
                                        <th>"状态"</th>
                                        <th>"时限"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|t| {
                                            view! {
                                                <tr class:overdue=t.overdue>
                                                    <td>
                                                        <a href=format!(
                                                            "/staff/tickets/{}",
                                                            t.id,
                                                        )>{format!("#{}", t.id)}</a>
                                                    </td>
                                                    <td>{t.kind_zh}</td>
                                                    <td>{t.department}</td>
                                                    <td>{t.state_zh}{t.escalated.then_some("（督办）")}</td>
                                                    <td>{t.due}" "<span class="left">{t.left}</span></td>
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

#[component]
pub(crate) fn SignInHint(message: String) -> impl IntoView {
    view! {
        <p class="err" role="alert">
            {message}
            " "
            <a href="/staff/login">"登录"</a>
        </p>
    }
}

/// One ticket: what was said, what was done, and the next steps.
#[component]
pub fn Ticket() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let step = ServerAction::<TicketStep>::new();
    let ticket = Resource::new(
        move || (id(), step.version().get()),
        |(id, _)| load_ticket(id),
    );
    view! {
        <StaffBar />
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(t) => view! { <TicketBody ticket=t step=step /> }.into_any(),
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        <p class="err" role="alert" id="step-error">
            {move || step.value().get().and_then(Result::err).map(|e| e.to_string())}
        </p>
    }
}

#[component]
fn TicketBody(ticket: TicketView, step: ServerAction<TicketStep>) -> impl IntoView {
    let TicketView {
        card,
        level_zh,
        reasons,
        text,
        history,
        actions,
        can_reveal_phone,
        phone,
        csrf,
        ..
    } = ticket;
    let id = card.id;
    let phone =
        can_reveal_phone.then(|| view! { <PhoneReveal id csrf=csrf.clone() shown=phone /> });
    let forms = actions
        .into_iter()
        .map(|(name, label)| {
            let note_id = format!("note-{name}");
            let csrf = csrf.clone();
            view! {
                <ActionForm action=step attr:class="step">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="action" value=name />
                    <input type="hidden" name="csrf" value=csrf />
                    <label for=note_id.clone()>{format!("{label}：说明")}</label>
                    <textarea id=note_id name="note" rows="2"></textarea>
                    <button type="submit">{label}</button>
                </ActionForm>
            }
        })
        .collect_view();
    let history = history
        .into_iter()
        .map(|h| view! { <li>{format!("{} {}", h.at, h.what)}{h.note.map(|n| format!("：{n}"))}</li> })
        .collect_view();
    view! {
        <h1>{format!("工单 #{id}：{}", card.kind_zh)}</h1>
        <p id="ticket-state">
            {format!(
                "{} · {} · 时限 {} {}",
                card.department,
                card.state_zh,
                card.due,
                card.left,
            )}
        </p>
        <section class="card">
            <h2>"群众意见"</h2>
            <p>{level_zh}" "{reasons.join("、")}</p>
            <p>{text}</p>
            {phone}
        </section>
        <section class="card">
            <h2>"处理"</h2>
            {forms}
        </section>
        <section class="card">
            <h2>"处理记录"</h2>
            <ol id="history">{history}</ol>
        </section>
    }
}

/// 查看联系电话 — shown on request only, and logged.
#[component]
fn PhoneReveal(id: i64, csrf: String, shown: Option<String>) -> impl IntoView {
    let reveal = ServerAction::<RevealPhone>::new();
    view! {
        <ActionForm action=reveal>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="csrf" value=csrf />
            <button type="submit">
                "查看联系电话（回访用，将记录查看日志）"
            </button>
        </ActionForm>
        <p id="phone">
            {move || match reveal.value().get() {
                Some(Ok(Some(phone))) => phone,
                Some(Ok(None)) => "未留电话".into(),
                Some(Err(e)) => e.to_string(),
                None => shown.clone().unwrap_or_default(),
            }}
        </p>
    }
}
