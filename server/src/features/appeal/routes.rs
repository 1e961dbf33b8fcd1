//! The ticket page's appeal forms (multipart, which server functions do not take) and the evidence
//! downloads, for signed-in staff: `POST /staff/tickets/{id}/appeal` files the appeal,
//! `POST /staff/tickets/{id}/evidence` adds files, both answering 303 back to the ticket page or a
//! plain page naming the refused field (so that they work the same with and without JavaScript);
//! `GET /staff/tickets/{id}/evidence/{file}` sends one file as an attachment.

use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, State, multipart::MultipartRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use domain::appeal::{EvidenceError, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES};
use maud::html;

use super::{AppealActError, Filing, Upload};
use crate::AppState;
use crate::features::ticket::TicketActError;
use crate::platform::{
    error::AppError,
    page::{Display, page},
    session::StaffSession,
};

/// The whole form: every file at its largest, and room for the text fields and the framing.
const BODY_LIMIT: usize = MAX_EVIDENCE_FILES * MAX_EVIDENCE_BYTES + 1024 * 1024;
/// The text fields' limit (a reason is at most 500 characters).
const TEXT_LIMIT: usize = 16 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets/{id}/appeal", post(file))
        .route("/staff/tickets/{id}/evidence", post(add))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route("/staff/tickets/{id}/evidence/{file}", get(download))
}

/// A refusal as the form's answer page shows it: the status, the field and the message.
struct Refusal {
    status: StatusCode,
    field: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, field: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            field,
            message: message.into(),
        }
    }
}

fn evidence_refusal(e: &EvidenceError) -> Refusal {
    let status = match e {
        EvidenceError::WrongType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        EvidenceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        EvidenceError::Closed => StatusCode::CONFLICT,
        EvidenceError::TooMany | EvidenceError::Empty(_) | EvidenceError::Missing => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Refusal::new(status, EvidenceError::FIELD, e.message_zh())
}

/// A form post that did not go through: a refusal to show on the answer page, or an answer made
/// elsewhere (401, 403, the one 5xx shape).
enum Answer {
    Refused(Refusal),
    Made(Response),
}

/// What staff are told; internal failures are logged and answered in the one 5xx shape.
fn refusal(e: AppealActError) -> Answer {
    use domain::ticket::TicketError;
    Answer::Refused(match e {
        AppealActError::Filing(e) => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, e.field(), e.message_zh())
        }
        AppealActError::Evidence(e) => evidence_refusal(&e),
        AppealActError::Ticket(TicketActError::NotFound) => {
            Refusal::new(StatusCode::NOT_FOUND, "id", "工单不存在或无权查看")
        }
        AppealActError::Ticket(TicketActError::Forbidden) => Refusal::new(
            StatusCode::FORBIDDEN,
            "id",
            "只有工单承办部门的经办人可以提出申诉、补充证据",
        ),
        AppealActError::Ticket(TicketActError::Refused(e @ TicketError::AlreadyAppealed))
        | AppealActError::Ticket(TicketActError::Refused(e @ TicketError::NotNow(_))) => {
            Refusal::new(StatusCode::CONFLICT, "id", e.message_zh())
        }
        AppealActError::Ticket(TicketActError::Changed) => {
            Refusal::new(StatusCode::CONFLICT, "id", "工单已被他人更新，请刷新后重试")
        }
        e => {
            tracing::error!("appeal: {e}");
            return Answer::Made(AppError::Internal(e.into()).into_response());
        }
    })
}

/// The signed-in staff member, or the answer for anyone else.
async fn staff(state: &AppState, headers: &HeaderMap) -> Result<StaffSession, Response> {
    match StaffSession::of_headers(state, headers).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err((StatusCode::UNAUTHORIZED, "请先登录").into_response()),
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

/// The form's fields: `csrf`, `category`, `note` (the reason), and files as `evidence`.
#[derive(Default)]
struct Form {
    csrf: String,
    category: String,
    note: String,
    files: Vec<Upload>,
}

/// Reads the whole form. A file over the limit (or past the count) is read to its end and
/// dropped, so that the answer names it instead of cutting the upload off; the first such
/// refusal is kept.
async fn read_form(mut multipart: Multipart) -> Result<Form, Refusal> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("证据材料：上传内容合计超过 {} MB", BODY_LIMIT >> 20)
        } else {
            "上传内容无法读取，请重新选择文件后提交".to_owned()
        };
        Refusal::new(status, EvidenceError::FIELD, message)
    };
    let mut form = Form::default();
    let mut refused: Option<EvidenceError> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let limit = if name == "evidence" {
            MAX_EVIDENCE_BYTES
        } else {
            TEXT_LIMIT
        };
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            over = over || bytes.len() + chunk.len() > limit;
            if !over {
                bytes.extend_from_slice(&chunk);
            }
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "evidence" => {
                let file_name = file_name.unwrap_or_default();
                // A file input left empty still sends a part: no name, no bytes.
                if file_name.is_empty() && bytes.is_empty() && !over {
                    continue;
                }
                if over {
                    refused.get_or_insert(EvidenceError::TooLarge(file_name));
                } else if form.files.len() == MAX_EVIDENCE_FILES {
                    refused.get_or_insert(EvidenceError::TooMany);
                } else {
                    form.files.push(Upload {
                        name: file_name,
                        bytes,
                    });
                }
            }
            "csrf" => form.csrf = text(),
            "category" => form.category = text(),
            // Over the limit: longer than any reason may be, which the domain refuses by name.
            "note" if over => form.note = "长".repeat(domain::appeal::REASON_MAX_CHARS + 1),
            "note" => form.note = text(),
            _ => {}
        }
    }
    match refused {
        Some(e) => Err(evidence_refusal(&e)),
        None => Ok(form),
    }
}

/// The session, then the form, then its CSRF token: a stranger learns 401, not what is wrong
/// with the upload.
async fn session_and_form(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StaffSession, Form), Answer> {
    let session = staff(state, headers).await.map_err(Answer::Made)?;
    let multipart = match multipart {
        Ok(multipart) => multipart,
        Err(r) => {
            let message = "请以表单上传文件（multipart/form-data）";
            return Err(Answer::Refused(Refusal::new(
                r.status(),
                EvidenceError::FIELD,
                message,
            )));
        }
    };
    let form = read_form(multipart).await.map_err(Answer::Refused)?;
    if let Err(e) = session.check_csrf(&form.csrf) {
        return Err(Answer::Made(e.into_response()));
    }
    Ok((session, form))
}

async fn file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (session, form) = match session_and_form(&state, &headers, multipart).await {
        Ok(both) => both,
        Err(answer) => return answer_page(id, answer),
    };
    let filing = Filing {
        category: form.category,
        reason: form.note,
        files: form.files,
    };
    match super::file(&state, session.actor, id, filing).await {
        Ok(_) => Redirect::to(&format!("/staff/tickets/{id}")).into_response(),
        Err(e) => answer_page(id, refusal(e)),
    }
}

async fn add(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (session, form) = match session_and_form(&state, &headers, multipart).await {
        Ok(both) => both,
        Err(answer) => return answer_page(id, answer),
    };
    match super::add_evidence(&state, session.actor, id, form.files).await {
        Ok(_) => Redirect::to(&format!("/staff/tickets/{id}")).into_response(),
        Err(e) => answer_page(id, refusal(e)),
    }
}

/// The refusal page (or the answer already made: 401, 403, 5xx).
fn answer_page(id: i64, answer: Answer) -> Response {
    let r = match answer {
        Answer::Refused(r) => r,
        Answer::Made(response) => return response,
    };
    let body = html! {
        h1 { "申诉 — 工单 #" (id) }
        p.err role="alert" id="appeal-error" data-field=(r.field) { (r.message) }
        p { "未保存任何内容。" a href={ "/staff/tickets/" (id) } { "返回工单" } }
    };
    let title = format!("申诉未提交 — 工单 #{id}");
    (
        r.status,
        Html(page(Display::default(), &title, body, false)),
    )
        .into_response()
}

async fn download(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    let session = match staff(&state, &headers).await {
        Ok(session) => session,
        Err(refusal) => return refusal,
    };
    let d = match super::download(&state, session.actor, id, file).await {
        Ok(d) => d,
        Err(e) => {
            return match refusal(e) {
                Answer::Refused(r) => (r.status, r.message).into_response(),
                Answer::Made(response) => response,
            };
        }
    };
    let mut response = d.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(d.record.kind.as_str()),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; sandbox"),
    );
    if let Ok(value) = HeaderValue::from_str(&attachment(d.record.id, &d.record.original_name)) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `Content-Disposition: attachment` with an ASCII fallback name and the real one (RFC 6266,
/// RFC 5987: UTF-8, percent-encoded).
fn attachment(id: i64, name: &str) -> String {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    let ascii: String = ext.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"evidence-{id}.{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn the_download_name_is_encoded_never_raw() {
        assert_eq!(
            attachment(7, "回访 截图.png"),
            "attachment; filename=\"evidence-7.png\"; \
             filename*=UTF-8''%E5%9B%9E%E8%AE%BF%20%E6%88%AA%E5%9B%BE.png"
        );
        assert!(!attachment(1, "a\"b.pdf").contains("a\"b"));
    }
}
