//! 办件登记 — a business system registers a service occurrence and gets its rating link.

use domain::{
    CaseNumber, Channel, EvaluatorType, OccurrenceNo, ServiceItemCode, evaluation::Phone,
    token::TokenClaims,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{NewOccurrence, RegisterOutcome};
use crate::features::admin::ByCode;
use crate::platform::state::AppState;
use domain::ids::BusinessSystemId;

/// The API's registration request, as sent by a business system.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 办件编号, at most 50 characters.
    pub case_number: String,
    /// 评价次数/服务次数: 1 for the first occurrence of the case.
    pub occurrence_no: i64,
    /// 实施编码 of a registered service item.
    pub service_item: String,
    /// Code of the department that handled the case (谁办理、谁负责).
    pub department: String,
    /// Code of the window, for on-site service.
    #[serde(default)]
    pub window: Option<String>,
    /// Staff number of the clerk who handled it.
    #[serde(default)]
    pub staff: Option<String>,
    /// The channel the rating will be made through: `pc`, `mobile`, `qr_code`, `sms`, … The link's
    /// token carries it and a rating through the link is stored with it.
    pub channel: String,
    /// The evaluator's mobile number, kept encrypted, for a return visit after a bad review.
    #[serde(default)]
    pub evaluator_phone: Option<String>,
    /// 评价主体 — GB/T 39046 服务对象 code: 1 自然人, 2 企业法人, 3 事业法人, 4 社会组织法人,
    /// 5 行政机关, 6 其他组织.
    #[serde(default)]
    pub evaluator_type: Option<i64>,
    /// The evaluator chose to rate anonymously (匿名评价).
    #[serde(default)]
    pub anonymous: bool,
}

/// What the business system gets back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registered {
    pub id: i64,
    pub created: bool,
    pub rating_url: String,
    pub embed_url: String,
    pub qr_svg_url: String,
    pub qr_png_url: String,
    pub iframe_html: String,
    /// Unix seconds after which the link is refused.
    pub expires_at: i64,
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// The system holds no grant for what the field names (403).
    #[error("{field}: {message}")]
    Forbidden {
        field: &'static str,
        message: String,
    },
    #[error("case {0} occurrence {1} is already registered with other details")]
    Conflict(String, i64),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

fn field(field: &'static str, message: impl Into<String>) -> RegisterError {
    RegisterError::Field {
        field,
        message: message.into(),
    }
}

async fn resolve<I: ByCode>(
    state: &AppState,
    name: &'static str,
    code: &str,
) -> Result<I, RegisterError> {
    state
        .store
        .id_by_code(code.trim())
        .await?
        .ok_or_else(|| field(name, format!("unknown code {code:?}")))
}

async fn resolve_optional<I: ByCode>(
    state: &AppState,
    name: &'static str,
    code: Option<&str>,
) -> Result<Option<I>, RegisterError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => resolve(state, name, code).await.map(Some),
        None => Ok(None),
    }
}

/// Checks the request, registers the occurrence (idempotently) and signs a fresh rating link.
pub async fn register(
    state: &AppState,
    system: BusinessSystemId,
    req: &RegisterRequest,
) -> Result<Registered, RegisterError> {
    let case = CaseNumber::parse(&req.case_number).map_err(|e| field(e.field(), e.to_string()))?;
    let no = OccurrenceNo::new(req.occurrence_no).map_err(|e| field(e.field(), e.to_string()))?;
    let item =
        ServiceItemCode::parse(&req.service_item).map_err(|e| field(e.field(), e.to_string()))?;
    let channel = Channel::parse(&req.channel)
        .filter(|c| *c != Channel::SystemDefault)
        .ok_or_else(|| field("channel", format!("unknown channel {:?}", req.channel)))?;
    let phone = Phone::parse(req.evaluator_phone.as_deref().unwrap_or(""))
        .map_err(|_| field("evaluator_phone", "not an 11-digit mobile number"))?;
    let evaluator_type = req
        .evaluator_type
        .map(|code| {
            EvaluatorType::from_code(code)
                .ok_or_else(|| field("evaluator_type", "1 to 6 (GB/T 39046 服务对象)"))
        })
        .transpose()?;
    let service_item = resolve(state, "service_item", item.as_str()).await?;
    let department = resolve(state, "department", &req.department).await?;
    if !state.store.may_register_for(system, department).await? {
        return Err(RegisterError::Forbidden {
            field: "department",
            message: format!(
                "this business system is not granted department {:?}",
                req.department.trim()
            ),
        });
    }
    let window_id = resolve_optional(state, "window", req.window.as_deref()).await?;
    let staff_id = resolve_optional(state, "staff", req.staff.as_deref()).await?;
    if let Some(name) = state
        .store
        .outside_department(department, service_item, window_id, staff_id)
        .await?
    {
        return Err(field(
            name,
            format!("does not belong to department {:?}", req.department.trim()),
        ));
    }
    let new = NewOccurrence {
        case_number: case.as_str().to_owned(),
        occurrence_no: no.get().into(),
        service_item_id: Some(service_item),
        department_id: department,
        window_id,
        staff_id,
        channel,
        business_system_id: Some(system),
        evaluator_phone_enc: phone.map(|p| state.secrets.encrypt(p.as_str())),
        evaluator_type,
        anonymous: req.anonymous,
    };
    let outcome = state.store.register_occurrence(&new).await?;
    let id = outcome
        .id()
        .ok_or_else(|| RegisterError::Conflict(new.case_number.clone(), new.occurrence_no))?;
    // A repeated registration has the same channel (or it is a conflict), so the link's channel is
    // always the one stored.
    Ok(links(
        state,
        id,
        channel,
        matches!(outcome, RegisterOutcome::Created(_)),
    ))
}

/// Signs a new token for occurrence `id`, issued for `channel`, and builds every form of its link.
pub fn links(state: &AppState, id: i64, channel: Channel, created: bool) -> Registered {
    let now = crate::platform::db::now_ms() / 1000;
    let ttl = i64::try_from(state.config.token_ttl.as_secs()).unwrap_or(i64::MAX);
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let claims = TokenClaims {
        occurrence_id: id,
        expires_at: now.saturating_add(ttl),
        channel: Some(channel),
        nonce,
    };
    let token = claims.sign(state.secrets.token_key());
    let base = &state.config.public_url;
    let embed_url = format!("{base}/embed/{token}");
    Registered {
        id,
        created,
        rating_url: state.rating_url(&token),
        qr_svg_url: format!("{base}/r/{token}/qr.svg"),
        qr_png_url: format!("{base}/r/{token}/qr.png"),
        iframe_html: format!(
            "<iframe src=\"{embed_url}\" title=\"政务服务好差评\" width=\"100%\" height=\"640\" \
             style=\"border:0\" loading=\"lazy\"></iframe>"
        ),
        embed_url,
        expires_at: claims.expires_at,
    }
}
