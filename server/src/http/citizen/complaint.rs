//! 服务不满意/投诉 — the public complaint page, and one tracking page (`/t/{code}`) for ratings and
//! complaints alike. Plain HTML, like the rating page; no personal data on the tracking page.

use std::{fmt::Write, net::SocketAddr};

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::complaint::{ComplaintDraft, ComplaintError};

use super::{
    device,
    handlers::DisplayQuery,
    html::{Display, esc, page},
};
use crate::{
    http::AppError,
    services::{
        AppState,
        complaint::{self, ComplaintRefused},
        site::progress_zh,
    },
    store::DepartmentChoice,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaint", get(complaint_page).post(complaint_submit))
        .route("/t/{code}", get(tracking_page).post(rate_fix))
        .route("/t/{code}/follow-up", axum::routing::post(follow_up))
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

/// 进度查询 — what happened to a rating or a complaint, by its tracking code.
async fn tracking_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DisplayQuery>,
) -> Result<Response, AppError> {
    let display = q.display(false);
    let code = code.trim().to_uppercase();
    let (kind, department, progress) = if let Some(e) =
        state.store.evaluation_by_tracking(&code).await?
    {
        let level = domain::Level::from_interface_code(e.level).map_or("", domain::Level::label_zh);
        let progress = e
            .ticket
            .as_ref()
            .map_or_else(|| "无需整改".to_owned(), progress_zh);
        (format!("服务评价：{level}"), e.department, progress)
    } else if let Some(c) = state.store.complaint_by_tracking(&code).await? {
        let due = c.reply_due_at.map(|d| {
            format!(
                "，应于{}前答复",
                domain::calendar::Date::from_unix_ms_cst(d - 1)
            )
        });
        let progress = format!(
            "{}{}",
            progress_zh(&(c.state, None)),
            due.unwrap_or_default()
        );
        ("投诉".to_owned(), c.department, progress)
    } else {
        let body = "<div class=\"refused\" id=\"refused\"><h1>未找到该查询码</h1><p>请核对查询码后重试。</p></div>";
        return Ok((
            StatusCode::NOT_FOUND,
            Html(page(display, "未找到", body, false)),
        )
            .into_response());
    };
    let body = format!(
        "<div class=\"done\" id=\"tracking\"><h1>进度查询</h1><p class=\"code\"><span>查询码</span> \
         <strong id=\"tracking-code\">{}</strong></p><p>{}</p><p>受理部门：{}</p><p id=\"progress\">{}</p>{}</div>",
        esc(&code),
        esc(&kind),
        esc(&department),
        esc(&progress),
        answers(&state, &code).await?,
    );
    Ok(Html(page(display, "进度查询", &body, false)).into_response())
}

/// The department's reply and rectification, and, once replied, the form to rate the fix.
async fn answers(state: &AppState, code: &str) -> Result<String, AppError> {
    let Some(id) = state.store.ticket_id_by_tracking(code).await? else {
        return Ok(String::new());
    };
    let mut out = String::new();
    for (action, note) in state.store.ticket_answers(id).await? {
        let title = if action == "reply" {
            "答复"
        } else {
            "整改情况"
        };
        let _ = write!(
            out,
            "<p class=\"answer\"><strong>{title}：</strong>{}</p>",
            esc(&note)
        );
    }
    let replied = state
        .store
        .ticket(id)
        .await?
        .is_some_and(|t| t.state == "replied");
    if replied {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/t/{}\" id=\"rate-fix\"><fieldset class=\"levels\">\
             <legend>您对整改结果是否满意？</legend>\
             <label><input type=\"radio\" name=\"rating\" value=\"satisfied\" required> 满意</label>\
             <label><input type=\"radio\" name=\"rating\" value=\"basically_satisfied\"> 基本满意</label>\
             <label><input type=\"radio\" name=\"rating\" value=\"dissatisfied\"> 不满意（将重新办理并督办）</label>\
             </fieldset><button type=\"submit\">提交整改评价</button></form>",
            esc(code)
        );
    }
    out.push_str(&follow_up_part(state, code).await?);
    Ok(out)
}

/// 追评 — the follow-up given, or the form for it once the ticket is closed.
async fn follow_up_part(state: &AppState, code: &str) -> Result<String, AppError> {
    let Some(situation) = state.store.follow_up_state(code).await? else {
        return Ok(String::new());
    };
    if let Some(level) = situation.given {
        let label = domain::Level::from_interface_code(level).map_or("", domain::Level::label_zh);
        return Ok(format!(
            "<p id=\"follow-up\"><strong>追评：</strong>{label}</p>"
        ));
    }
    if !situation.open() {
        return Ok(String::new());
    }
    let mut levels = String::new();
    for level in domain::Level::ALL {
        let _ = write!(
            levels,
            "<label><input type=\"radio\" name=\"level\" value=\"{}\" required> {}</label>",
            level.interface_code(),
            level.label_zh()
        );
    }
    Ok(format!(
        "<form method=\"post\" action=\"/t/{}/follow-up\" id=\"follow-up-form\"><fieldset class=\"levels\">\
         <legend>追评：整改后您对本次服务的评价（仅一次）</legend>{levels}</fieldset>\
         <label for=\"comment\">补充说明（选填）</label><textarea id=\"comment\" name=\"comment\" rows=\"2\" \
         maxlength=\"500\"></textarea><button type=\"submit\">提交追评</button></form>",
        esc(code)
    ))
}

/// Receives the follow-up rating from the tracking page.
async fn follow_up(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    use crate::services::rate::{FollowUpRefused, follow_up};
    let code = code.trim().to_uppercase();
    let draft = super::handlers::form_draft(&body);
    let refused = |status: StatusCode, title: &str, text: &str| {
        let body = format!(
            "<div class=\"refused\" id=\"refused\"><h1>{title}</h1><p>{}</p></div>",
            esc(text)
        );
        Ok((status, Html(page(Display::default(), title, &body, false))).into_response())
    };
    match follow_up(&state, &code, &draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/t/{code}")).into_response()),
        Err(FollowUpRefused::NotFound) => Err(AppError::NotFound),
        Err(FollowUpRefused::NotNow) => {
            refused(StatusCode::CONFLICT, "暂不能追评", "整改办结后可追评一次。")
        }
        Err(FollowUpRefused::Invalid(errors)) => {
            let text: Vec<String> = errors.iter().map(|e| e.message_zh()).collect();
            refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "追评未提交",
                &text.join(" "),
            )
        }
        Err(FollowUpRefused::Store(e)) => Err(e.into()),
    }
}

/// 整改评价 — the citizen rates the fix from the tracking page.
async fn rate_fix(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    use crate::services::ticket::{TicketActError, citizen_rates_fix};
    use domain::ticket::FixRating;
    let code = code.trim().to_uppercase();
    let rating = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "rating")
        .and_then(|(_, v)| match &*v {
            "satisfied" => Some(FixRating::Satisfied),
            "basically_satisfied" => Some(FixRating::BasicallySatisfied),
            "dissatisfied" => Some(FixRating::Dissatisfied),
            _ => None,
        });
    let Some(rating) = rating else {
        return Err(AppError::Field {
            field: "rating".into(),
            message: "请选择满意程度".into(),
        });
    };
    match citizen_rates_fix(&state, &code, rating).await {
        Ok(_) => Ok(Redirect::to(&format!("/t/{code}")).into_response()),
        Err(TicketActError::NotFound) => Err(AppError::NotFound),
        Err(TicketActError::Refused(_) | TicketActError::Changed) => {
            let body = "<div class=\"refused\" id=\"refused\"><h1>已评价或尚未答复</h1><p>整改结果每轮只能评价一次。</p></div>";
            Ok((
                StatusCode::CONFLICT,
                Html(page(Display::default(), "无法评价", body, false)),
            )
                .into_response())
        }
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
