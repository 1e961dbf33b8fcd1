//! 申诉 — the handling unit's appeal against a 差评 it finds mistaken or malicious (domain.md §4.5):
//! its category, required when it is filed, and the evidence files it carries ([`evidence`]).
//! The supervising office decides it within the appeal deadline
//! ([`crate::ticket::Deadlines::appeal_review`], counted in working days from the day of filing).

use serde::{Deserialize, Serialize};

use crate::ticket::TicketState;

pub mod evidence;
mod zip_names;

pub use evidence::{EvidenceError, EvidenceType, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES};

/// 申诉类别 — why the unit says the 差评 should not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealCategory {
    /// 误评 — the citizen chose the wrong level or rated the wrong service or window.
    Mistaken,
    /// 恶意差评 — a bad review given in bad faith (e.g. to press an unlawful demand).
    Malicious,
}

impl AppealCategory {
    /// Every category, in the order of the form.
    pub const ALL: [AppealCategory; 2] = [AppealCategory::Mistaken, AppealCategory::Malicious];

    /// The stable name used in the database (`appeal.category`) and on the form.
    pub fn as_str(self) -> &'static str {
        match self {
            AppealCategory::Mistaken => "mistaken",
            AppealCategory::Malicious => "malicious",
        }
    }

    /// Reads the stable name.
    pub fn parse(name: &str) -> Option<AppealCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The label shown to staff.
    pub fn label_zh(self) -> &'static str {
        match self {
            AppealCategory::Mistaken => "误评",
            AppealCategory::Malicious => "恶意差评",
        }
    }

    /// What the category covers, for the form and the methods page.
    pub fn description_zh(self) -> &'static str {
        match self {
            AppealCategory::Mistaken => "群众误选评价等级，或评价的并非本次服务、本窗口",
            AppealCategory::Malicious => {
                "评价人并非因服务问题给出差评，如以差评要挟办理不符合规定的事项"
            }
        }
    }
}

/// The longest 申诉理由, in characters.
pub const REASON_MAX_CHARS: usize = 500;

/// A refused filing: the category and the reason are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    #[error("an appeal needs its category")]
    CategoryRequired,
    #[error("an appeal needs its reason")]
    ReasonRequired,
    #[error("the reason is longer than {REASON_MAX_CHARS} characters")]
    ReasonTooLong,
}

impl AppealError {
    /// The message shown to staff, naming the field.
    pub fn message_zh(self) -> String {
        match self {
            AppealError::CategoryRequired => "申诉类别：请选择“误评”或“恶意差评”".into(),
            AppealError::ReasonRequired => "申诉理由：请写明申诉的事实和理由".into(),
            AppealError::ReasonTooLong => format!("申诉理由：最多 {REASON_MAX_CHARS} 字"),
        }
    }

    /// The form field the refusal is about.
    pub fn field(self) -> &'static str {
        match self {
            AppealError::CategoryRequired => "category",
            AppealError::ReasonRequired | AppealError::ReasonTooLong => "note",
        }
    }
}

/// Reads the category the form sent: one of the stable names, nothing else.
pub fn read_category(raw: &str) -> Result<AppealCategory, AppealError> {
    AppealCategory::parse(raw.trim()).ok_or(AppealError::CategoryRequired)
}

/// 申诉理由 — what the supervisor reads beside the evidence: cleaned, trimmed, not empty, at most
/// [`REASON_MAX_CHARS`].
pub fn read_reason(raw: &str) -> Result<String, AppealError> {
    let cleaned = crate::evaluation::clean_text(raw);
    let reason = cleaned.trim();
    match reason.chars().count() {
        0 => Err(AppealError::ReasonRequired),
        n if n > REASON_MAX_CHARS => Err(AppealError::ReasonTooLong),
        _ => Ok(reason.to_owned()),
    }
}

/// 补充证据 — evidence is added while the appeal waits for its decision, never after: the
/// supervisor decided on what was there.
pub fn takes_evidence(state: TicketState) -> bool {
    state == TicketState::Appealed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_have_stable_names_and_chinese_labels() {
        let names: Vec<_> = AppealCategory::ALL.map(AppealCategory::as_str).into();
        // migrations/0027_appeal.sql: CHECK (category IN ('mistaken', 'malicious')).
        assert_eq!(names, ["mistaken", "malicious"]);
        for c in AppealCategory::ALL {
            assert_eq!(AppealCategory::parse(c.as_str()), Some(c));
            assert!(!c.description_zh().is_empty());
        }
        assert_eq!(AppealCategory::Mistaken.label_zh(), "误评");
        assert_eq!(AppealCategory::Malicious.label_zh(), "恶意差评");
        assert_eq!(AppealCategory::parse("Mistaken"), None);
        assert_eq!(AppealCategory::parse("误评"), None);
    }

    #[test]
    fn the_reason_is_required_and_bounded() {
        assert_eq!(
            read_reason("  群众误点差评\u{202E} "),
            Ok("群众误点差评".into())
        );
        assert_eq!(read_reason(" \n "), Err(AppealError::ReasonRequired));
        let long = "误".repeat(REASON_MAX_CHARS);
        assert_eq!(read_reason(&long), Ok(long.clone()));
        assert_eq!(
            read_reason(&format!("{long}评")),
            Err(AppealError::ReasonTooLong)
        );
        assert_eq!(AppealError::ReasonTooLong.field(), "note");
        assert!(
            AppealError::ReasonRequired
                .message_zh()
                .starts_with("申诉理由")
        );
    }

    #[test]
    fn the_category_is_required() {
        assert_eq!(read_category(" malicious "), Ok(AppealCategory::Malicious));
        for raw in ["", " ", "other", "误评"] {
            assert_eq!(read_category(raw), Err(AppealError::CategoryRequired));
        }
        let e = AppealError::CategoryRequired;
        assert!(e.message_zh().starts_with("申诉类别"));
        assert_eq!(e.field(), "category");
    }

    #[test]
    fn the_decision_is_due_five_working_days_after_filing_on_the_holiday_calendar() {
        use crate::calendar::Calendar;
        use crate::ticket::{
            DeadlineSetting, Deadlines, DueFrom, TicketAction, TicketKind, Triage,
        };
        use crate::time::Date;
        let filing = TicketAction::Triage(Triage::Appeal);
        for kind in TicketKind::ALL {
            for replied in [false, true] {
                assert_eq!(
                    kind.due_after(filing, TicketState::Appealed, replied),
                    DueFrom::Setting(DeadlineSetting::AppealReview),
                    "{kind:?}"
                );
            }
        }
        let days = Deadlines::default().get(DeadlineSetting::AppealReview);
        assert_eq!(days, 5);
        let c = Calendar::official();
        let d = |m, day| Date::from_ymd(2026, m, day).unwrap();
        // Filed on the eve of National Day (1–7 October off, Saturday 10 October worked).
        assert_eq!(c.add_working_days(d(9, 30), days), Ok(d(10, 13)));
        // Filed on a Friday: the day of filing does not count.
        assert_eq!(c.add_working_days(d(11, 6), days), Ok(d(11, 13)));
    }

    #[test]
    fn an_appeal_is_never_a_plain_step() {
        use crate::ticket::{TicketAction, TicketError, Triage};
        let plain: Vec<_> = TicketAction::ALL
            .into_iter()
            .filter(|a| a.is_appeal_filing())
            .collect();
        assert_eq!(plain, [TicketAction::Triage(Triage::Appeal)]);
        assert!(
            TicketError::AppealFilingRequired
                .message_zh()
                .contains("申诉类别")
        );
    }

    #[test]
    fn evidence_only_while_the_appeal_is_undecided() {
        for state in TicketState::ALL {
            assert_eq!(takes_evidence(state), state == TicketState::Appealed);
        }
    }
}
