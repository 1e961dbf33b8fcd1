//! 工单 — the ticket list and one ticket with its history, its steps and the logged phone reveal.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::staff::{
    RecordVisit, RevealPhone, TicketStep, TicketView, load_ticket, my_tickets,
};

use super::appeal::{AppealCard, AppealForm};
use super::{SignInHint, StaffBar};

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
    let visit = ServerAction::<RecordVisit>::new();
    let ticket = Resource::new(
        move || (id(), step.version().get(), visit.version().get()),
        |(id, _, _)| load_ticket(id),
    );
    view! {
        <StaffBar />
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Ok(t) => view! { <TicketBody ticket=t step=step visit=visit /> }.into_any(),
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        <p class="err" role="alert" id="step-error">
            {move || {
                step.value()
                    .get()
                    .and_then(Result::err)
                    .or_else(|| visit.value().get().and_then(Result::err))
                    .map(|e| e.to_string())
            }}
        </p>
    }
}

#[component]
fn TicketBody(
    ticket: TicketView,
    step: ServerAction<TicketStep>,
    visit: ServerAction<RecordVisit>,
) -> impl IntoView {
    let TicketView {
        card,
        level_zh,
        reasons,
        text,
        history,
        actions,
        can_reveal_phone,
        phone,
        now_local,
        csrf,
        appeal,
        may_add_evidence,
        ..
    } = ticket;
    let id = card.id;
    let phone =
        can_reveal_phone.then(|| view! { <PhoneReveal id csrf=csrf.clone() shown=phone /> });
    // A return visit has its own form (when, how, reached, findings): both of its steps.
    let visit_form = actions
        .iter()
        .any(|(name, _)| name == "record_visit")
        .then(|| view! { <VisitForm id csrf=csrf.clone() now=now_local action=visit /> });
    // An appeal is filed with its category, reason and evidence: a multipart form of its own.
    let appeal_form = actions
        .iter()
        .any(|(name, _)| name == "triage_appeal")
        .then(|| view! { <AppealForm id csrf=csrf.clone() /> });
    let appeal = appeal.map(|appeal| {
        view! { <AppealCard appeal id csrf=csrf.clone() may_add=may_add_evidence /> }
    });
    let forms = actions
        .into_iter()
        .filter(|(name, _)| !name.starts_with("record_visit") && name != "triage_appeal")
        .map(|(name, label)| {
            let note_id = format!("note-{name}");
            let csrf = csrf.clone();
            // The steps that answer for the citizen say what was done (TicketAction::check_note).
            let note_label = match name.as_str() {
                "reply" => format!("{label}：答复内容（必填）"),
                _ => format!("{label}：说明"),
            };
            view! {
                <ActionForm action=step attr:class="step">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="action" value=name />
                    <input type="hidden" name="csrf" value=csrf />
                    <label for=note_id.clone()>{note_label}</label>
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
        {appeal}
        <section class="card">
            <h2>"处理"</h2>
            {visit_form}
            {forms}
            {appeal_form}
        </section>
        <section class="card">
            <h2>"处理记录"</h2>
            <ol id="history">{history}</ol>
        </section>
    }
}

/// 回访记录 — when, how, whether the citizen was reached and, if so, whether the review is 属实 and
/// 合理. A visit that did not reach the citizen is kept on record; the visit is still owed.
#[component]
fn VisitForm(
    id: i64,
    csrf: String,
    now: String,
    action: ServerAction<RecordVisit>,
) -> impl IntoView {
    let radios =
        |name: &'static str, choices: &[(&'static str, &'static str)], checked: Option<&str>| {
            choices
                .iter()
                .map(|&(value, label)| {
                    let input_id = format!("visit-{name}-{value}");
                    view! {
                        <input
                            type="radio"
                            id=input_id.clone()
                            name=name
                            value=value
                            checked=checked == Some(value)
                        />
                        <label for=input_id>{label}</label>
                    }
                })
                .collect_view()
        };
    view! {
        <ActionForm action=action attr:class="step" attr:id="visit-form">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="csrf" value=csrf />
            <p>
                <label for="visit-at">"回访时间"</label>
                <input type="datetime-local" id="visit-at" name="at" value=now required />
            </p>
            <fieldset>
                <legend>"回访方式"</legend>
                {radios(
                    "method",
                    &[("phone", "电话"), ("sms", "短信"), ("on_site", "上门或现场")],
                    Some("phone"),
                )}
            </fieldset>
            <fieldset>
                <legend>"是否联系上群众"</legend>
                {radios(
                    "reached",
                    &[("yes", "已联系上"), ("no", "未联系上（不计为回访）")],
                    None,
                )}
            </fieldset>
            <fieldset>
                <legend>"反映问题是否属实（联系上时填写）"</legend>
                {radios("substantiated", &[("yes", "属实"), ("no", "不属实")], None)}
            </fieldset>
            <fieldset>
                <legend>"诉求是否合理（联系上时填写）"</legend>
                {radios("reasonable", &[("yes", "合理"), ("no", "不合理")], None)}
            </fieldset>
            <label for="visit-note">
                {format!("回访情况（至少{}个字）", domain::ticket::VISIT_NOTE_MIN_CHARS)}
            </label>
            <textarea id="visit-note" name="note" rows="2"></textarea>
            <button type="submit">"记录回访"</button>
        </ActionForm>
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
