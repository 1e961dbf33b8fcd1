//! 综合点评 — the public form `/opinion`: plain HTML like the rating page, the same levels and
//! reasons, an optional hall, department and service item, the same abuse guard as the other
//! anonymous forms (per-address limit, signed served time, honeypot, per-device cool-down).

use std::net::SocketAddr;

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::{FieldError, ids::HallId};
use maud::{Markup, html};

use super::{OpinionDraft, OpinionProblem, VoiceError};
use crate::{
    AppState,
    features::{
        admin::Names,
        complaint::DepartmentChoice,
        rating::{FormPage, RatingInput},
    },
    platform::{
        device,
        error::AppError,
        extract::FromForm,
        page::{Display, DisplayQuery, error_slot, page, refused},
    },
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/opinion", get(opinion_page).post(opinion_submit))
}

struct Choices {
    halls: Vec<(HallId, String)>,
    departments: Vec<DepartmentChoice>,
    /// The department that takes opinions naming none, if set.
    fallback: Option<String>,
}

async fn choices(state: &AppState) -> Result<Choices, AppError> {
    Ok(Choices {
        halls: state.store.hall_choices().await?,
        departments: state.store.department_choices().await?,
        fallback: state
            .store
            .opinion_department()
            .await?
            .map(|(_, name)| name),
    })
}

fn problem_slot(problems: &[OpinionProblem], field: &str) -> Markup {
    let messages: Vec<String> = problems
        .iter()
        .filter(|p| p.field() == field)
        .map(OpinionProblem::message_zh)
        .collect();
    error_slot(field, &messages)
}

fn render(
    display: Display,
    choices: &Choices,
    draft: &OpinionDraft,
    problems: &[OpinionProblem],
) -> String {
    let rating_errors: Vec<FieldError> = problems
        .iter()
        .filter_map(|p| match p {
            OpinionProblem::Rating(e) => Some(*e),
            _ => None,
        })
        .collect();
    let names = Names::default();
    let form = FormPage {
        display,
        names: &names,
        action: "/opinion",
        draft: &draft.rating,
        errors: &rating_errors,
    };
    let department_hint = match &choices.fallback {
        Some(name) => format!("不选时转交{name}"),
        None => "请选择所涉部门".to_owned(),
    };
    let body = html! {
        h1 { "综合点评" }
        p.subject {
            "对政务服务的环境、流程、作风提出评价和建议，不必对应某一次办件。差评将转交相关部门核实整改，一般在1个工作日内联系。"
        }
        form method="post" action="/opinion" #opinion {
            (crate::platform::guard::form_fields())
            label for="hall" { "所在大厅（选填）" }
            (problem_slot(problems, "hall"))
            select #hall name="hall" aria-describedby="err-hall" {
                option value="" { "不限" }
                @for (id, name) in &choices.halls {
                    option value=(id.0) selected[draft.hall == Some(id.0)] { (name) }
                }
            }
            label for="department" { "所涉部门" }
            p.hint #department-hint { (department_hint) }
            (problem_slot(problems, "department"))
            select #department name="department" aria-describedby="department-hint err-department"
                required[choices.fallback.is_none()] {
                option value="" { "不确定" }
                @for d in &choices.departments {
                    option value=(d.id) selected[draft.department == Some(d.id)] { (d.name) }
                }
            }
            label for="service_item" { "办理事项（选填）" }
            (problem_slot(problems, "service_item"))
            select #service_item name="service_item" aria-describedby="err-service_item" {
                option value="" { "不确定/其他" }
                @for d in &choices.departments {
                    optgroup label=(d.name) {
                        @for (id, name) in &d.items {
                            option value=(id) selected[draft.item == Some(*id)] { (name) }
                        }
                    }
                }
            }
            (form.levels())
            (form.reasons())
            (form.text_fields())
            button type="submit" { "提交" }
        }
        p.note { "可匿名评价；留下的手机号加密保存，仅用于差评回访，不会公开。" }
    };
    page(display, "综合点评", body, false)
}

async fn opinion_page(
    State(state): State<AppState>,
    Query(q): Query<DisplayQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let choices = choices(&state).await?;
    let mut response = Html(render(
        q.display(false),
        &choices,
        &OpinionDraft::default(),
        &[],
    ))
    .into_response();
    device::ensure_cookie(&state.secrets, &headers, &mut response);
    Ok(response)
}

/// Reads the plain form: the rating fields as the rating page reads them, and the subject.
pub(crate) fn parse(body: &[u8]) -> OpinionDraft {
    let rating = RatingInput::from_form(form_urlencoded::parse(body)).draft;
    let mut draft = OpinionDraft {
        rating,
        ..OpinionDraft::default()
    };
    for (key, value) in form_urlencoded::parse(body) {
        let id = || value.trim().parse().ok();
        match &*key {
            "department" => draft.department = id(),
            "service_item" => draft.item = id(),
            "hall" => draft.hall = id(),
            "window" => draft.window_code = value.trim().to_owned(),
            "source" => draft.source = value.trim().to_owned(),
            _ => {}
        }
    }
    draft
}

fn mobile(headers: &HeaderMap) -> bool {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.contains("Mobile") || ua.contains("Android"))
}

async fn opinion_submit(
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
    match super::submit_opinion(&state, &draft, &device, mobile(&headers)).await {
        Ok(stored) => {
            Ok(Redirect::to(&format!("/thanks/{}", stored.tracking_code)).into_response())
        }
        Err(VoiceError::Opinion(problems)) => {
            let choices = choices(&state).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(display, &choices, &draft, &problems)),
            )
                .into_response())
        }
        Err(VoiceError::TooSoon) => {
            let body = refused(
                "您刚刚已提交过点评",
                "请勿重复提交，我们会认真对待每一条意见。",
            );
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                Html(page(display, "请勿重复提交", body, false)),
            )
                .into_response())
        }
        Err(VoiceError::Store(e)) => Err(e.into()),
        Err(e @ (VoiceError::Forbidden | VoiceError::Inspection(_))) => {
            Err(AppError::Internal(e.into()))
        }
    }
}
