//! 服务不满意/投诉 — the public complaint page. Plain HTML, like the rating page.

use std::{fmt::Write, net::SocketAddr};

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::complaint::{ComplaintDraft, ComplaintError};

use super::{self as complaint, ComplaintRefused, DepartmentChoice};
use crate::{
    AppState,
    platform::{
        device,
        error::AppError,
        page::{Display, DisplayQuery, esc, page},
    },
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/complaint", get(complaint_page).post(complaint_submit))
}

fn error_slot(errors: &[ComplaintError], field: &str) -> String {
    let messages: Vec<String> = errors
        .iter()
        .filter(|e| e.field() == field)
        .map(|e| esc(&e.message_zh()))
        .collect();
    if messages.is_empty() {
        format!("<p class=\"err\" id=\"err-{field}\" hidden></p>")
    } else {
        format!(
            "<p class=\"err\" id=\"err-{field}\" role=\"alert\">{}</p>",
            messages.join(" ")
        )
    }
}

fn options(departments: &[DepartmentChoice], draft: &ComplaintDraft) -> (String, String) {
    let mut department = String::from("<option value=\"\">请选择</option>");
    let mut items = String::from("<option value=\"\">不确定/其他</option>");
    for d in departments {
        let selected = if draft.department == Some(d.id) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            department,
            "<option value=\"{}\"{selected}>{}</option>",
            d.id,
            esc(&d.name)
        );
        let _ = write!(items, "<optgroup label=\"{}\">", esc(&d.name));
        for (id, name) in &d.items {
            let selected = if draft.service_item == Some(*id) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                items,
                "<option value=\"{id}\"{selected}>{}</option>",
                esc(name)
            );
        }
        items.push_str("</optgroup>");
    }
    (department, items)
}

fn render(
    display: Display,
    departments: &[DepartmentChoice],
    draft: &ComplaintDraft,
    errors: &[ComplaintError],
) -> String {
    let (department_options, item_options) = options(departments, draft);
    let body = format!(
        "<h1>服务不满意？请告诉我们</h1><p class=\"subject\">投诉将转交办事部门核实处理，一般在2个工作日内答复。</p>\
         <form method=\"post\" action=\"/complaint\" id=\"complain\">\
         <label for=\"department\">办事部门</label>{}<select id=\"department\" name=\"department\" required \
         aria-describedby=\"err-department\">{department_options}</select>\
         <label for=\"service_item\">办理事项（选填）</label><select id=\"service_item\" name=\"service_item\">{item_options}</select>\
         <label for=\"description\">问题描述</label>{}<textarea id=\"description\" name=\"description\" rows=\"5\" \
         maxlength=\"1000\" required aria-describedby=\"err-description\">{}</textarea>\
         <label for=\"phone\">联系电话（选填）</label><p class=\"hint\" id=\"phone-hint\">留下手机号以便答复；号码加密保存，不会公开。</p>{}\
         <input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"numeric\" autocomplete=\"tel\" maxlength=\"20\" \
         aria-describedby=\"phone-hint err-phone\" value=\"{}\">\
         <button type=\"submit\">提交</button></form>",
        error_slot(errors, "department"),
        error_slot(errors, "description"),
        esc(&draft.description),
        error_slot(errors, "phone"),
        esc(&draft.phone),
    );
    page(display, "服务不满意", &body, false)
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
    device::ensure_cookie(&headers, &mut response);
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
    match complaint::submit(&state, &draft, &device::id(&headers, peer)).await {
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
            let body = "<div class=\"refused\" id=\"refused\"><h1>您刚刚已提交过投诉</h1><p>请勿重复提交，我们会尽快处理。</p></div>";
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                Html(page(display, "请勿重复提交", body, false)),
            )
                .into_response())
        }
        Err(ComplaintRefused::Store(e)) => Err(e.into()),
    }
}
