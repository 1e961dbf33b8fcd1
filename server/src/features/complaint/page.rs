//! 服务不满意/投诉 — the public complaint page. Plain HTML, like the rating page.

use std::net::SocketAddr;

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::complaint::{ComplaintDraft, ComplaintError};
use maud::{Markup, html};

use super::{self as complaint, ComplaintRefused, DepartmentChoice};
use crate::{
    AppState,
    platform::{
        device,
        error::AppError,
        page::{Display, DisplayQuery, error_slot, page, refused},
    },
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/complaint", get(complaint_page).post(complaint_submit))
}

fn error(errors: &[ComplaintError], field: &str) -> Markup {
    let messages: Vec<String> = errors
        .iter()
        .filter(|e| e.field() == field)
        .map(|e| e.message_zh())
        .collect();
    error_slot(field, &messages)
}

fn department_options(departments: &[DepartmentChoice], draft: &ComplaintDraft) -> Markup {
    html! {
        option value="" { "请选择" }
        @for d in departments {
            option value=(d.id) selected[draft.department == Some(d.id)] { (d.name) }
        }
    }
}

fn item_options(departments: &[DepartmentChoice], draft: &ComplaintDraft) -> Markup {
    html! {
        option value="" { "不确定/其他" }
        @for d in departments {
            optgroup label=(d.name) {
                @for (id, name) in &d.items {
                    option value=(id) selected[draft.service_item == Some(*id)] { (name) }
                }
            }
        }
    }
}

fn render(
    display: Display,
    departments: &[DepartmentChoice],
    draft: &ComplaintDraft,
    errors: &[ComplaintError],
) -> String {
    let body = html! {
        h1 { "服务不满意？请告诉我们" }
        p.subject { "投诉将转交办事部门核实处理，一般在2个工作日内答复。" }
        form method="post" action="/complaint" #complain {
            (crate::platform::guard::form_fields())
            label for="department" { "办事部门" }
            (error(errors, "department"))
            select #department name="department" required aria-describedby="err-department" {
                (department_options(departments, draft))
            }
            label for="service_item" { "办理事项（选填）" }
            select #service_item name="service_item" { (item_options(departments, draft)) }
            label for="description" { "问题描述" }
            (error(errors, "description"))
            textarea #description name="description" rows="5" maxlength="1000" required
                aria-describedby="err-description" { (draft.description) }
            label for="phone" { "联系电话（选填）" }
            p.hint #phone-hint { "留下手机号以便答复；号码加密保存，不会公开。" }
            (error(errors, "phone"))
            input #phone name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20"
                aria-describedby="phone-hint err-phone" value=(draft.phone);
            button type="submit" { "提交" }
        }
    };
    page(display, "服务不满意", body, false)
}

async fn complaint_page(
    State(state): State<AppState>,
    Query(q): Query<DisplayQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let departments = state.store.department_choices().await?;
    let mut response = Html(render(
        q.display(false),
        &departments,
        &ComplaintDraft::default(),
        &[],
    ))
    .into_response();
    device::ensure_cookie(&state.secrets, &headers, &mut response);
    Ok(response)
}

fn parse(body: &Bytes) -> ComplaintDraft {
    let mut draft = ComplaintDraft::default();
    for (key, value) in form_urlencoded::parse(body) {
        match &*key {
            "department" => draft.department = value.trim().parse().ok(),
            "service_item" => draft.service_item = value.trim().parse().ok(),
            "description" => draft.description = value.into_owned(),
            "phone" => draft.phone = value.into_owned(),
            _ => {}
        }
    }
    draft
}

async fn complaint_submit(
    State(state): State<AppState>,
    Query(q): Query<DisplayQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let draft = parse(&body);
    let display = q.display(false);
    let client = state.guard.client(peer.ip(), &headers);
    let device = device::id(&state.secrets, &headers, client);
    match complaint::submit(&state, &draft, &device).await {
        Ok(code) => Ok(Redirect::to(&format!("/t/{code}")).into_response()),
        Err(ComplaintRefused::Invalid(errors)) => {
            let departments = state.store.department_choices().await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(display, &departments, &draft, &errors)),
            )
                .into_response())
        }
        Err(ComplaintRefused::TooSoon) => {
            let body = refused("您刚刚已提交过投诉", "请勿重复提交，我们会尽快处理。");
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                Html(page(display, "请勿重复提交", body, false)),
            )
                .into_response())
        }
        Err(ComplaintRefused::Store(e)) => Err(e.into()),
    }
}
