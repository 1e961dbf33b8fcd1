//! 进度查询 — one tracking page (`/t/{code}`) for ratings and complaints alike: the ticket's
//! progress, the department's answers, and the citizen's rating of the fix and 追评. Plain HTML,
//! like the rating page; no personal data.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use domain::{Level, ticket::TicketState};
use maud::{Markup, html};

use crate::{
    AppState,
    features::rating::{RatingInput, TicketProgress, site::progress_zh},
    platform::{
        error::AppError,
        extract::JsonOrForm,
        page::{Display, DisplayQuery, page, refused},
    },
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/t", get(lookup))
        .route("/t/{code}", get(tracking_page).post(rate_fix))
        .route("/t/{code}/follow-up", axum::routing::post(follow_up))
}

#[derive(serde::Deserialize)]
struct Lookup {
    #[serde(default)]
    code: String,
}

/// 评价查询 from the home page's form: to the code's tracking page (letters and digits only).
async fn lookup(Query(q): Query<Lookup>) -> axum::response::Redirect {
    let code: String = q
        .code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    axum::response::Redirect::to(&format!("/t/{}", code.to_uppercase()))
}

/// 进度查询 — what happened to a rating or a complaint, by its tracking code.
async fn tracking_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<DisplayQuery>,
) -> Result<Response, AppError> {
    let display = q.display(false);
    let code = code.trim().to_uppercase();
    let (kind, department, progress) =
        if let Some(e) = state.store.evaluation_by_tracking(&code).await? {
            let level = e.level.label_zh();
            let progress = e.ticket.map_or_else(|| "无需整改".to_owned(), progress_zh);
            (format!("服务评价：{level}"), e.department, progress)
        } else if let Some(c) = state.store.complaint_by_tracking(&code).await? {
            let due = c
                .reply_due_at
                .map(|d| format!("，应于{}前答复", d.deadline_date_cst()));
            let progress = format!(
                "{}{}",
                progress_zh(TicketProgress {
                    state: c.state,
                    contact_due_at: None,
                }),
                due.unwrap_or_default()
            );
            ("投诉".to_owned(), c.department, progress)
        } else {
            let body = refused("未找到该查询码", "请核对查询码后重试。");
            return Ok((
                StatusCode::NOT_FOUND,
                Html(page(display, "未找到", body, false)),
            )
                .into_response());
        };
    let answers = answers(&state, &code).await?;
    let body = html! {
        div.done #tracking {
            h1 { "进度查询" }
            p.code {
                span { "查询码" }
                " "
                strong #tracking-code { (code) }
            }
            p { (kind) }
            p { "受理部门：" (department) }
            p #progress { (progress) }
            (answers)
        }
    };
    Ok(Html(page(display, "进度查询", body, false)).into_response())
}

/// The department's reply and rectification, and, once replied, the form to rate the fix.
async fn answers(state: &AppState, code: &str) -> Result<Markup, AppError> {
    let Some(id) = state.store.ticket_id_by_tracking(code).await? else {
        return Ok(Markup::default());
    };
    let notes = state.store.ticket_answers(id).await?;
    let replied = state
        .store
        .ticket(id)
        .await?
        .is_some_and(|t| t.state == TicketState::Replied);
    let follow_up = follow_up_part(state, code).await?;
    Ok(html! {
        @for (action, note) in &notes {
            p.answer {
                strong { (if action == "reply" { "答复" } else { "整改情况" }) "：" }
                (note)
            }
        }
        @if replied {
            form method="post" action={ "/t/" (code) } #rate-fix {
                fieldset.levels {
                    legend { "您对整改结果是否满意？" }
                    label { input type="radio" name="rating" value="satisfied" required; " 满意" }
                    label { input type="radio" name="rating" value="basically_satisfied"; " 基本满意" }
                    label {
                        input type="radio" name="rating" value="dissatisfied";
                        " 不满意（将重新办理并督办）"
                    }
                }
                button type="submit" { "提交整改评价" }
            }
        }
        (follow_up)
    })
}

/// 追评 — the follow-up given, or the form for it once the ticket is closed.
async fn follow_up_part(state: &AppState, code: &str) -> Result<Markup, AppError> {
    let Some(situation) = state.store.follow_up_state(code).await? else {
        return Ok(Markup::default());
    };
    Ok(html! {
        @if let Some(level) = situation.given {
            p #follow-up { strong { "追评：" } (level.label_zh()) }
        } @else if situation.open() {
            form method="post" action={ "/t/" (code) "/follow-up" } #follow-up-form {
                fieldset.levels {
                    legend { "追评：整改后您对本次服务的评价（仅一次）" }
                    @for level in Level::ALL {
                        label {
                            input type="radio" name="level" value=(level.interface_code()) required;
                            " " (level.label_zh())
                        }
                    }
                }
                label for="comment" { "补充说明（选填）" }
                textarea #comment name="comment" rows="2" maxlength="500" {}
                button type="submit" { "提交追评" }
            }
        }
    })
}

/// Receives the follow-up rating from the tracking page.
async fn follow_up(
    State(state): State<AppState>,
    Path(code): Path<String>,
    input: JsonOrForm<RatingInput>,
) -> Result<Response, AppError> {
    use crate::features::rating::{FollowUpRefused, follow_up};
    let code = code.trim().to_uppercase();
    let draft = input.into_inner().draft;
    let refused = |status: StatusCode, title: &str, text: &str| {
        let body = refused(title, text);
        Ok((status, Html(page(Display::default(), title, body, false))).into_response())
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
    use crate::features::ticket::{TicketActError, citizen_rates_fix};
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
            let body = refused("已评价或尚未答复", "整改结果每轮只能评价一次。");
            Ok((
                StatusCode::CONFLICT,
                Html(page(Display::default(), "无法评价", body, false)),
            )
                .into_response())
        }
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
