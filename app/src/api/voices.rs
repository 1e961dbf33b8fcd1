//! Server functions of 综合点评 (supervisors and administrators: the month's list, and typing in
//! an opinion from a card, e-mail, letter, call or platform) and 监督查评 (inspectors record;
//! inspectors and supervisors list). CSRF-checked. The forms' fields are the server functions'
//! arguments, as a plain form posts them: hence more than clippy's seven.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One 综合点评 on the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpinionRow {
    pub tracking_code: String,
    pub at: String,
    pub level: String,
    pub source: String,
    pub subject: String,
    pub comment: String,
    pub typed_by: String,
    pub ticket: String,
}

#[cfg(feature = "ssr")]
impl From<server::features::voices::OpinionLine> for OpinionRow {
    fn from(l: server::features::voices::OpinionLine) -> Self {
        OpinionRow {
            tracking_code: l.tracking_code,
            at: l.created_at.to_string(),
            level: l.level.label_zh().to_owned(),
            source: l.source.label_zh().to_owned(),
            subject: [
                Some(l.department),
                l.hall,
                l.window.map(|w| format!("{w}号窗口")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
            comment: if l.invalidated {
                "（申诉成立，已不计入）".to_owned()
            } else {
                l.comment.unwrap_or_default()
            },
            typed_by: l.typed_by.unwrap_or_else(|| "群众本人".to_owned()),
            ticket: l
                .ticket
                .map_or_else(|| "—".to_owned(), |t| t.label_zh().to_owned()),
        }
    }
}

/// A choice of a select: (value, label).
pub type Choice = (String, String);

/// The 综合点评 page: the month's list, the choices of the entry form, the form token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpinionsView {
    pub month: String,
    pub months: Vec<String>,
    pub rows: Vec<OpinionRow>,
    pub sources: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub halls: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub csrf: String,
}

#[cfg(feature = "ssr")]
fn months(month: &str) -> (domain::time::Month, Vec<String>) {
    let this = server::features::disclosure::this_month();
    let month = domain::time::Month::parse(month.trim()).unwrap_or(this);
    let mut months = this.last_n(12);
    months.reverse();
    (month, months.iter().map(ToString::to_string).collect())
}

#[cfg(feature = "ssr")]
fn levels() -> Vec<Choice> {
    domain::Level::ALL
        .iter()
        .map(|l| (l.interface_code().to_string(), l.label_zh().to_owned()))
        .collect()
}

/// 综合点评 of a month ("YYYY-MM"; this month by default).
#[server]
pub async fn opinions_page(month: String) -> Result<OpinionsView, ApiError> {
    let (state, session) = super::staff_session().await?;
    let (month, months) = months(&month);
    let lines = server::features::voices::opinions(&state, session.actor, month).await?;
    let rows = lines.into_iter().map(OpinionRow::from).collect();
    let departments = state
        .store
        .department_choices()
        .await?
        .into_iter()
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    let halls = state
        .store
        .hall_choices()
        .await?
        .into_iter()
        .map(|(id, name)| (id.0.to_string(), name))
        .collect();
    Ok(OpinionsView {
        month: month.to_string(),
        months,
        rows,
        sources: domain::voice::OpinionSource::TYPED
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
            .collect(),
        departments,
        halls,
        levels: levels(),
        csrf: session.csrf().to_owned(),
    })
}

/// 录入综合点评 — returns the tracking code (the citizen can follow a 差评 with it).
#[server]
pub async fn enter_opinion(
    csrf: String,
    source: String,
    level: String,
    comment: String,
    phone: String,
    department: String,
    hall: String,
    window: String,
) -> Result<String, ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let draft = server::features::voices::OpinionDraft {
        rating: domain::RatingDraft {
            level: Some(level.trim().parse().unwrap_or(0)),
            reasons: Vec::new(),
            comment,
            phone,
        },
        department: department.trim().parse().ok(),
        item: None,
        hall: hall.trim().parse().ok(),
        window_code: window,
        source,
    };
    let stored = server::features::voices::enter_opinion(&state, session.actor, &draft).await?;
    Ok(stored.tracking_code)
}

/// One 监督查评 on the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRow {
    pub inspection_no: String,
    pub date: String,
    pub target: String,
    pub method: String,
    pub level: String,
    pub department: String,
    pub findings: String,
    pub inspector: String,
    pub ticket: String,
}

#[cfg(feature = "ssr")]
impl From<server::features::voices::InspectionLine> for InspectionRow {
    fn from(l: server::features::voices::InspectionLine) -> Self {
        InspectionRow {
            inspection_no: l.inspection_no,
            date: l.date.to_string(),
            target: format!("{} {}", l.target.label_zh(), l.target_name),
            method: l.method.label_zh().to_owned(),
            level: l.level.label_zh().to_owned(),
            department: l.department,
            findings: l.findings,
            inspector: l.inspector,
            ticket: l
                .ticket
                .map_or_else(|| "—".to_owned(), |t| t.label_zh().to_owned()),
        }
    }
}

/// The 监督查评 page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionsView {
    pub month: String,
    pub months: Vec<String>,
    pub rows: Vec<InspectionRow>,
    /// (month, inspections), newest first.
    pub per_month: Vec<(String, i64)>,
    /// Only inspectors record.
    pub can_record: bool,
    pub targets: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub csrf: String,
}

/// 监督查评 of a month ("YYYY-MM"; this month by default).
#[server]
pub async fn inspections_page(month: String) -> Result<InspectionsView, ApiError> {
    use domain::voice::{InspectionMethod, InspectionTarget};
    let (state, session) = super::staff_session().await?;
    let (month, months) = months(&month);
    let (lines, per_month) =
        server::features::voices::inspections(&state, session.actor, month).await?;
    let rows = lines.into_iter().map(InspectionRow::from).collect();
    Ok(InspectionsView {
        month: month.to_string(),
        months,
        rows,
        per_month: per_month
            .into_iter()
            .map(|(m, n)| (m.to_string(), n))
            .collect(),
        can_record: session.actor.role.records_inspections(),
        targets: InspectionTarget::ALL
            .iter()
            .map(|t| (t.as_str().to_owned(), t.label_zh().to_owned()))
            .collect(),
        methods: InspectionMethod::ALL
            .iter()
            .map(|m| (m.as_str().to_owned(), m.label_zh().to_owned()))
            .collect(),
        levels: levels(),
        csrf: session.csrf().to_owned(),
    })
}

/// 登记监督查评 — returns the evaluation's tracking code.
#[server]
pub async fn record_inspection(
    csrf: String,
    inspection_no: String,
    date: String,
    target: String,
    target_code: String,
    department_code: String,
    method: String,
    level: String,
    findings: String,
) -> Result<String, ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let draft = domain::voice::InspectionDraft {
        inspection_no,
        date,
        target,
        target_code,
        department_code,
        method,
        level: level.trim().parse().ok(),
        findings,
    };
    let stored = server::features::voices::record_inspection(&state, session.actor, &draft).await?;
    Ok(stored.tracking_code)
}
