//! The use cases: a citizen's 综合点评 on the public form, one typed in by staff, a 监督查评, and the
//! lists of both.

use domain::{
    Catalogue, Channel, FieldError, RatingDraft,
    access::Actor,
    ids::{DepartmentId, HallId, ServiceItemId, StaffId, WindowId},
    time::{Month, Timestamp},
    voice::{InspectionDraft, InspectionError, InspectionTarget, OpinionSource},
};

use super::store::{NewVoice, Outcome, VoiceSubject};
use super::{InspectionLine, OpinionLine};
use crate::features::rating::{NewEvaluation, ticket_for};
use crate::platform::{db::now_ms, state::AppState};

/// A 综合点评 as sent: the rating (level, reasons, words, phone) and what it is about, chosen from
/// lists (ids); `source` only when staff type it in.
#[derive(Debug, Clone, Default)]
pub struct OpinionDraft {
    pub rating: RatingDraft,
    pub department: Option<i64>,
    pub item: Option<i64>,
    pub hall: Option<i64>,
    /// A window's code (staff entry only).
    pub window_code: String,
    pub source: String,
}

/// One problem with one field of an opinion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpinionProblem {
    Rating(FieldError),
    /// No department named and none set for opinions that name none.
    DepartmentMissing,
    /// The item, hall or window is unknown, closed, or not of the department chosen.
    Unknown(&'static str),
    /// Staff must say where the opinion came from.
    SourceMissing,
}

impl OpinionProblem {
    pub fn field(&self) -> &'static str {
        match self {
            OpinionProblem::Rating(e) => e.field().name(),
            OpinionProblem::DepartmentMissing => "department",
            OpinionProblem::Unknown(field) => field,
            OpinionProblem::SourceMissing => "source",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            OpinionProblem::Rating(e) => e.message_zh(),
            OpinionProblem::DepartmentMissing => "请选择所涉部门".into(),
            OpinionProblem::Unknown("service_item") => "所选办理事项不属于所选部门或已停用".into(),
            OpinionProblem::Unknown("window") => "窗口编码不存在或已停用".into(),
            OpinionProblem::Unknown(_) => "所选大厅或部门不存在或已停用".into(),
            OpinionProblem::SourceMissing => {
                "请选择来源（意见箱、电子邮件、来信、热线电话或监督平台）".into()
            }
        }
    }
}

/// Why an opinion or inspection was not stored.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("not for this role")]
    Forbidden,
    #[error("invalid opinion")]
    Opinion(Vec<OpinionProblem>),
    #[error("invalid inspection")]
    Inspection(Vec<InspectionError>),
    #[error("the same device sent an opinion a moment ago")]
    TooSoon,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// What was stored: the evaluation's tracking code, and whether a ticket opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceStored {
    pub tracking_code: String,
    pub ticket: bool,
}

async fn opinion_subject(
    state: &AppState,
    draft: &OpinionDraft,
) -> Result<VoiceSubject, VoiceError> {
    let store = &state.store;
    let unknown = |field| VoiceError::Opinion(vec![OpinionProblem::Unknown(field)]);
    let mut subject = match (draft.window_code.trim(), draft.item, draft.department) {
        ("", None, None) => {
            let (department, _) = store
                .opinion_department()
                .await?
                .ok_or(VoiceError::Opinion(vec![OpinionProblem::DepartmentMissing]))?;
            VoiceSubject {
                department,
                hall: None,
                window: None,
                staff: None,
                item: None,
            }
        }
        ("", None, Some(department)) => {
            let department = DepartmentId(department);
            if !store.department_active(department).await? {
                return Err(unknown("department"));
            }
            VoiceSubject {
                department,
                hall: None,
                window: None,
                staff: None,
                item: None,
            }
        }
        ("", Some(item), _) => store
            .item_subject(ServiceItemId(item))
            .await?
            .ok_or_else(|| unknown("service_item"))?,
        (code, _, _) => {
            let window = store
                .id_by_code::<WindowId>(code)
                .await?
                .ok_or_else(|| unknown("window"))?;
            store
                .window_subject(window)
                .await?
                .ok_or_else(|| unknown("window"))?
        }
    };
    if draft
        .department
        .is_some_and(|d| DepartmentId(d) != subject.department)
    {
        let field = if draft.window_code.trim().is_empty() {
            "service_item"
        } else {
            "window"
        };
        return Err(unknown(field));
    }
    if let Some(hall) = draft.hall.map(HallId) {
        if !store.hall_active(hall).await? {
            return Err(unknown("hall"));
        }
        subject.hall = subject.hall.or(Some(hall));
    }
    Ok(subject)
}

fn opinion_evaluation(
    state: &AppState,
    draft: &RatingDraft,
    channel: Channel,
    device_hash: Option<Vec<u8>>,
) -> Result<NewEvaluation, VoiceError> {
    let rating = draft.validate(Catalogue::CURRENT).map_err(|errors| {
        VoiceError::Opinion(errors.into_iter().map(OpinionProblem::Rating).collect())
    })?;
    Ok(NewEvaluation {
        tracking_code: crate::platform::crypto::random_code(10),
        level: rating.level,
        catalogue_version: rating.catalogue_version,
        reasons: rating.reasons,
        comment: rating.comment.map(|c| c.as_str().to_owned()),
        phone_enc: rating
            .phone
            .as_ref()
            .map(|p| state.secrets.encrypt(p.as_str())),
        channel,
        device_hash,
        ticket: ticket_for(state, rating.level, rating.phone.is_some()),
    })
}

async fn store_voice(
    state: &AppState,
    subject: VoiceSubject,
    voice: NewVoice,
    evaluation: NewEvaluation,
) -> Result<VoiceStored, VoiceError> {
    let cooldown = i64::try_from(state.config.window_cooldown.as_millis()).unwrap_or(i64::MAX);
    match state
        .store
        .insert_voice(subject, &voice, &evaluation, now_ms() - cooldown)
        .await?
    {
        Outcome::Stored => {}
        Outcome::TooSoon => return Err(VoiceError::TooSoon),
        Outcome::Duplicate => {
            return Err(VoiceError::Inspection(vec![InspectionError::Duplicate]));
        }
    }
    if evaluation.ticket.is_some() {
        crate::features::notify::notify_handlers_soon(state);
    }
    Ok(VoiceStored {
        tracking_code: evaluation.tracking_code,
        ticket: evaluation.ticket.is_some(),
    })
}

/// 综合点评 from the public form; `device_id` keeps one device to one opinion per cool-down.
pub async fn submit_opinion(
    state: &AppState,
    draft: &OpinionDraft,
    device_id: &str,
    mobile: bool,
) -> Result<VoiceStored, VoiceError> {
    let draft = OpinionDraft {
        window_code: String::new(),
        ..draft.clone()
    };
    let channel = if mobile { Channel::Mobile } else { Channel::Pc };
    let device = Some(state.secrets.device_hash(device_id));
    let evaluation = opinion_evaluation(state, &draft.rating, channel, device)?;
    let subject = opinion_subject(state, &draft).await?;
    let voice = NewVoice::Opinion {
        source: OpinionSource::Web,
        typed_by: None,
    };
    store_voice(state, subject, voice, evaluation).await
}

/// 综合点评 typed in by a supervisor or administrator from a card, e-mail, letter, call or
/// platform message; counted apart from what citizens entered.
pub async fn enter_opinion(
    state: &AppState,
    actor: Actor,
    draft: &OpinionDraft,
) -> Result<VoiceStored, VoiceError> {
    if !actor.role.keeps_opinions() {
        return Err(VoiceError::Forbidden);
    }
    let source = OpinionSource::parse(draft.source.trim())
        .filter(|s| s.typed())
        .ok_or(VoiceError::Opinion(vec![OpinionProblem::SourceMissing]))?;
    let channel = if source == OpinionSource::Hotline {
        Channel::Phone
    } else {
        Channel::Pc
    };
    let evaluation = opinion_evaluation(state, &draft.rating, channel, None)?;
    let subject = opinion_subject(state, draft).await?;
    if !state
        .store
        .department_in_scope(actor.scope, subject.department)
        .await?
    {
        return Err(VoiceError::Opinion(vec![OpinionProblem::Unknown(
            "department",
        )]));
    }
    let voice = NewVoice::Opinion {
        source,
        typed_by: Some(actor.account_id),
    };
    store_voice(state, subject, voice, evaluation).await
}

async fn inspection_subject(
    state: &AppState,
    target: InspectionTarget,
    code: &str,
    department: Option<&str>,
) -> Result<Option<VoiceSubject>, sqlx::Error> {
    let store = &state.store;
    Ok(match target {
        InspectionTarget::Window => match store.id_by_code::<WindowId>(code).await? {
            Some(window) => store.window_subject(window).await?,
            None => None,
        },
        InspectionTarget::Staff => match store.id_by_code::<StaffId>(code).await? {
            Some(staff) => store.staff_subject(staff).await?,
            None => None,
        },
        InspectionTarget::Item => match store.id_by_code::<ServiceItemId>(code).await? {
            Some(item) => store.item_subject(item).await?,
            None => None,
        },
        InspectionTarget::Hall => {
            let hall = store.id_by_code::<HallId>(code).await?;
            let department = match department {
                Some(code) => store.id_by_code::<DepartmentId>(code).await?,
                None => None,
            };
            hall.zip(department).map(|(hall, department)| VoiceSubject {
                department,
                hall: Some(hall),
                window: None,
                staff: None,
                item: None,
            })
        }
    })
}

/// 监督查评 — an inspector records an inspection of a window, staff member, item or hall in their
/// scope; a 差评 opens a ticket to the unit concerned with the usual deadlines.
pub async fn record_inspection(
    state: &AppState,
    actor: Actor,
    draft: &InspectionDraft,
) -> Result<VoiceStored, VoiceError> {
    if !actor.role.records_inspections() {
        return Err(VoiceError::Forbidden);
    }
    let today = Timestamp::from_unix_ms(now_ms()).date_cst();
    let valid = draft.validate(today).map_err(VoiceError::Inspection)?;
    let unknown = || VoiceError::Inspection(vec![InspectionError::TargetUnknown]);
    let subject = inspection_subject(
        state,
        valid.target,
        &valid.target_code,
        valid.department_code.as_deref(),
    )
    .await?
    .ok_or_else(unknown)?;
    let store = &state.store;
    let hall_ok = match subject.hall {
        Some(hall) => store.hall_in_scope(actor.scope, hall).await?,
        None => true,
    };
    if !hall_ok
        || !store
            .department_in_scope(actor.scope, subject.department)
            .await?
    {
        return Err(unknown());
    }
    let evaluation = NewEvaluation {
        tracking_code: crate::platform::crypto::random_code(10),
        level: valid.level,
        catalogue_version: Catalogue::CURRENT.version,
        reasons: Vec::new(),
        comment: Some(valid.findings.clone()),
        phone_enc: None,
        channel: Channel::Pc,
        device_hash: None,
        ticket: ticket_for(state, valid.level, false),
    };
    let voice = NewVoice::Inspection {
        inspection_no: valid.inspection_no,
        date: valid.date,
        target: valid.target,
        method: valid.method,
        findings: valid.findings,
        account: actor.account_id,
    };
    store_voice(state, subject, voice, evaluation).await
}

/// The supervisor's list of 综合点评 of a month, in their scope.
pub async fn opinions(
    state: &AppState,
    actor: Actor,
    month: Month,
) -> Result<Vec<OpinionLine>, VoiceError> {
    if !actor.role.keeps_opinions() {
        return Err(VoiceError::Forbidden);
    }
    Ok(state.store.opinions(actor.scope, month).await?)
}

/// The list of 监督查评 of a month, and the count per month of the last year, in the scope of an
/// inspector or supervisor.
pub async fn inspections(
    state: &AppState,
    actor: Actor,
    month: Month,
) -> Result<(Vec<InspectionLine>, Vec<(Month, i64)>), VoiceError> {
    if !actor.role.lists_inspections() {
        return Err(VoiceError::Forbidden);
    }
    let year_ago = month.last_n(12).first().copied().unwrap_or(month);
    let lines = state.store.inspections(actor.scope, month).await?;
    let counts = state
        .store
        .inspections_per_month(actor.scope, year_ago)
        .await?;
    Ok((lines, counts))
}
