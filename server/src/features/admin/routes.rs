//! The organisation page's file routes: the import templates and the import itself (a multipart
//! upload, which server functions do not take), for signed-in administrators. The import answers
//! with a plain page listing what was or would be written and every row's problem, so that it works
//! the same with and without JavaScript.

use axum::{
    Router,
    extract::{Multipart, Path, State, multipart::MultipartRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use maud::html;

use super::{AdminError, ImportKind, ImportReport, template_csv, template_xlsx};
use crate::AppState;
use crate::platform::{
    error::AppError,
    page::{Display, page},
    session::StaffSession,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/organisation/template/{file}", get(template))
        .route("/staff/organisation/import", post(import))
}

/// The signed-in administrator, or the answer for anyone else.
async fn administrator(state: &AppState, headers: &HeaderMap) -> Result<StaffSession, Response> {
    match StaffSession::of_headers(state, headers).await {
        Ok(Some(s)) if s.actor.role == domain::access::Role::Admin => Ok(s),
        Ok(Some(_)) => Err((StatusCode::FORBIDDEN, "仅系统管理员可导入机构数据").into_response()),
        Ok(None) => Err((StatusCode::UNAUTHORIZED, "请先登录").into_response()),
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

async fn template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    if let Err(refusal) = administrator(&state, &headers).await {
        return refusal;
    }
    let Some((kind, format)) = file
        .split_once('.')
        .and_then(|(kind, format)| Some((ImportKind::parse(kind)?, format)))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (body, content_type) = match format {
        "csv" => (template_csv(kind), "text/csv; charset=utf-8"),
        "xlsx" => match template_xlsx(kind) {
            Ok(body) => (
                body,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(e) => {
                tracing::error!("import template: {e}");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The upload's fields: `csrf`, `kind` (items, staff), `mode` (check, import), and the file as
/// `file` (an upload) or `content` (base64, from the confirmation form of a check).
#[derive(Default)]
struct Upload {
    csrf: String,
    kind: String,
    mode: String,
    file: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, String> {
    let mut upload = Upload::default();
    let unreadable = |_| "上传内容无法读取".to_owned();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => upload.file = field.bytes().await.map_err(unreadable)?.to_vec(),
            "content" => {
                let text = field.text().await.map_err(unreadable)?;
                if !text.is_empty() {
                    upload.file = base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .map_err(|_| "确认内容已损坏，请重新上传文件".to_owned())?;
                }
            }
            "csrf" => upload.csrf = field.text().await.map_err(unreadable)?,
            "kind" => upload.kind = field.text().await.map_err(unreadable)?,
            "mode" => upload.mode = field.text().await.map_err(unreadable)?,
            _ => {}
        }
    }
    Ok(upload)
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    // Who asks comes first: a stranger learns 401, not what is wrong with the upload.
    let session = match administrator(&state, &headers).await {
        Ok(session) => session,
        Err(refusal) => return refusal,
    };
    let multipart = match multipart {
        Ok(multipart) => multipart,
        Err(rejection) => {
            return answer(
                rejection.status(),
                "请以表单上传文件（multipart/form-data）",
                None,
                None,
            );
        }
    };
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(message) => return answer(StatusCode::UNPROCESSABLE_ENTITY, &message, None, None),
    };
    if let Err(e) = session.check_csrf(&upload.csrf) {
        return e.into_response();
    }
    let Some(kind) = ImportKind::parse(&upload.kind) else {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择导入内容：事项或人员",
            None,
            None,
        );
    };
    if upload.file.is_empty() {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择要导入的文件",
            None,
            None,
        );
    }
    let write = upload.mode == "import";
    let by = super::Editor::of(session.actor);
    match state.store.import_org(by, kind, &upload.file, write).await {
        Ok(report) => {
            let status = if report.problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let content = base64::engine::general_purpose::STANDARD.encode(&upload.file);
            answer(status, "", Some(&report), Some((&content, session.csrf())))
        }
        Err(AdminError::Invalid(message)) => {
            answer(StatusCode::UNPROCESSABLE_ENTITY, &message, None, None)
        }
        Err(AdminError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(AdminError::Store(e)) => AppError::from(e).into_response(),
    }
}

/// The result page: the refusal, or the report with, after a clean check, the form that imports
/// the same file. `confirm` is the file (base64) and the session's CSRF token.
fn answer(
    status: StatusCode,
    refusal: &str,
    report: Option<&ImportReport>,
    confirm: Option<(&str, &str)>,
) -> Response {
    let (content, csrf) = confirm.unwrap_or_default();
    let body = html! {
        h1 { "导入" (report.map(|r| r.kind.label_zh()).unwrap_or_default()) }
        @if !refusal.is_empty() {
            p.err role="alert" id="import-error" { (refusal) }
        }
        @if let Some(r) = report {
            @let verb = if r.written { "已导入" } else if r.problems.is_empty() { "检查通过，可导入" } else { "未导入" };
            p id="import-summary" role="status" {
                (verb) "：共" (r.rows) "行，新增" (r.created) "，更新" (r.updated) "，未变" (r.unchanged)
                @if !r.problems.is_empty() { "，有问题" (r.problems.len()) "行（整个文件未写入）" }
                "。"
            }
            @if !r.problems.is_empty() {
                table id="import-problems" {
                    thead { tr { th scope="col" { "行" } th scope="col" { "问题" } } }
                    tbody {
                        @for p in &r.problems {
                            tr { th scope="row" { (p.row) } td { (p.message) } }
                        }
                    }
                }
            }
            @if !r.written && r.problems.is_empty() {
                form method="post" action="/staff/organisation/import" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="kind" value=(r.kind.as_str());
                    input type="hidden" name="mode" value="import";
                    input type="hidden" name="content" value=(content);
                    button type="submit" { "确认导入" }
                }
            }
        }
        p { a href="/staff/organisation" { "返回机构管理" } }
    };
    let display = Display::default();
    (status, Html(page(display, "导入 — 机构管理", body, false))).into_response()
}
