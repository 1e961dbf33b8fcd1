//! The other voices of the 立体式评价体系: society's 综合点评 (a review not bound to a case: the
//! public form, 意见箱 cards, e-mails, letters, hotline calls, supervision platforms) and the
//! 监督查评 of supervising bodies (inspections, 明察 or 暗访). Both are evaluations of their own
//! kind: counted apart, never in the 一事一评 / 一次一评 rates; a 差评 among them opens a ticket.

use crate::{Level, time::Date};

/// Where a 综合点评 came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpinionSource {
    /// 网上留言 — the public form, entered by the citizen.
    Web,
    /// 意见箱 — a card from the hall's box.
    Box,
    /// 电子邮件.
    Email,
    /// 来信.
    Letter,
    /// 热线电话 (12345 or the hall's own line).
    Hotline,
    /// 监督平台 — a supervision platform's message.
    Platform,
}

impl OpinionSource {
    pub const ALL: [OpinionSource; 6] = [
        OpinionSource::Web,
        OpinionSource::Box,
        OpinionSource::Email,
        OpinionSource::Letter,
        OpinionSource::Hotline,
        OpinionSource::Platform,
    ];

    /// The sources staff type in (all but the public form).
    pub const TYPED: [OpinionSource; 5] = [
        OpinionSource::Box,
        OpinionSource::Email,
        OpinionSource::Letter,
        OpinionSource::Hotline,
        OpinionSource::Platform,
    ];

    /// The stable name (`general_opinion.source`).
    pub fn as_str(self) -> &'static str {
        match self {
            OpinionSource::Web => "web",
            OpinionSource::Box => "box",
            OpinionSource::Email => "email",
            OpinionSource::Letter => "letter",
            OpinionSource::Hotline => "hotline",
            OpinionSource::Platform => "platform",
        }
    }

    pub fn parse(name: &str) -> Option<OpinionSource> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OpinionSource::Web => "网上留言",
            OpinionSource::Box => "意见箱",
            OpinionSource::Email => "电子邮件",
            OpinionSource::Letter => "来信",
            OpinionSource::Hotline => "热线电话",
            OpinionSource::Platform => "监督平台",
        }
    }

    /// Typed in by staff rather than entered by the citizen.
    pub fn typed(self) -> bool {
        self != OpinionSource::Web
    }
}

/// 明察 or 暗访.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionMethod {
    /// 明察 — announced.
    Open,
    /// 暗访 — unannounced, as a citizen.
    Covert,
}

impl InspectionMethod {
    pub const ALL: [InspectionMethod; 2] = [InspectionMethod::Open, InspectionMethod::Covert];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionMethod::Open => "open",
            InspectionMethod::Covert => "covert",
        }
    }

    pub fn parse(name: &str) -> Option<InspectionMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            InspectionMethod::Open => "明察",
            InspectionMethod::Covert => "暗访",
        }
    }
}

/// What was inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectionTarget {
    Window,
    Staff,
    Item,
    Hall,
}

impl InspectionTarget {
    pub const ALL: [InspectionTarget; 4] = [
        InspectionTarget::Window,
        InspectionTarget::Staff,
        InspectionTarget::Item,
        InspectionTarget::Hall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionTarget::Window => "window",
            InspectionTarget::Staff => "staff",
            InspectionTarget::Item => "item",
            InspectionTarget::Hall => "hall",
        }
    }

    pub fn parse(name: &str) -> Option<InspectionTarget> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            InspectionTarget::Window => "窗口",
            InspectionTarget::Staff => "工作人员",
            InspectionTarget::Item => "办理事项",
            InspectionTarget::Hall => "大厅",
        }
    }

    /// A window, a staff member and an item name their department; a hall does not, so the unit
    /// concerned must be named with it.
    pub fn needs_department(self) -> bool {
        self == InspectionTarget::Hall
    }
}

/// The shortest and longest findings, in characters (they are also the evaluation's text).
pub const FINDINGS_CHARS: std::ops::RangeInclusive<usize> =
    5..=crate::evaluation::COMMENT_MAX_CHARS;
/// The longest inspection id.
pub const INSPECTION_NO_CHARS: usize = 50;

/// An inspection as the form sent it, unchecked; the target and department are codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionDraft {
    pub inspection_no: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub target: String,
    pub target_code: String,
    pub department_code: String,
    pub method: String,
    pub level: Option<u8>,
    pub findings: String,
}

/// An inspection that passed the rules (the codes are still to be found in the organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInspection {
    pub inspection_no: String,
    pub date: Date,
    pub target: InspectionTarget,
    pub target_code: String,
    /// Only for a hall: the department concerned.
    pub department_code: Option<String>,
    pub method: InspectionMethod,
    pub level: Level,
    pub findings: String,
}

/// One problem with one field of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    #[error("no inspection id")]
    NoMissing,
    #[error("inspection id too long")]
    NoTooLong,
    #[error("not a date")]
    DateInvalid,
    #[error("date in the future")]
    DateInFuture,
    #[error("no target kind")]
    TargetMissing,
    #[error("no target code")]
    TargetCodeMissing,
    #[error("no department for a hall")]
    DepartmentMissing,
    #[error("no method")]
    MethodMissing,
    #[error("no level")]
    LevelMissing,
    #[error("findings too short")]
    FindingsTooShort,
    #[error("findings too long ({0})")]
    FindingsTooLong(usize),
    /// The organisation has no such target (or it is outside the inspector's scope).
    #[error("unknown target")]
    TargetUnknown,
    #[error("duplicate inspection id")]
    Duplicate,
}

impl InspectionError {
    /// The form field's name.
    pub fn field(&self) -> &'static str {
        match self {
            InspectionError::NoMissing
            | InspectionError::NoTooLong
            | InspectionError::Duplicate => "inspection_no",
            InspectionError::DateInvalid | InspectionError::DateInFuture => "date",
            InspectionError::TargetMissing => "target",
            InspectionError::TargetCodeMissing | InspectionError::TargetUnknown => "target_code",
            InspectionError::DepartmentMissing => "department_code",
            InspectionError::MethodMissing => "method",
            InspectionError::LevelMissing => "level",
            InspectionError::FindingsTooShort | InspectionError::FindingsTooLong(_) => "findings",
        }
    }

    /// The message, naming the field.
    pub fn message_zh(&self) -> String {
        match self {
            InspectionError::NoMissing => "请填写检查编号".into(),
            InspectionError::NoTooLong => format!("检查编号最多{INSPECTION_NO_CHARS}个字符"),
            InspectionError::DateInvalid => "检查日期格式应为 YYYY-MM-DD".into(),
            InspectionError::DateInFuture => "检查日期不能晚于今天".into(),
            InspectionError::TargetMissing => "请选择检查对象类型".into(),
            InspectionError::TargetCodeMissing => "请填写检查对象编码".into(),
            InspectionError::DepartmentMissing => "检查大厅时请填写被检查部门编码".into(),
            InspectionError::MethodMissing => "请选择检查方式（明察或暗访）".into(),
            InspectionError::LevelMissing => "请选择评价等级".into(),
            InspectionError::FindingsTooShort => {
                format!("请填写检查发现（至少{}字）", FINDINGS_CHARS.start())
            }
            InspectionError::FindingsTooLong(n) => {
                format!("检查发现最多{}字，当前{n}字", FINDINGS_CHARS.end())
            }
            InspectionError::TargetUnknown => "检查对象编码不存在或不在您的管辖范围内".into(),
            InspectionError::Duplicate => "该检查编号已登记".into(),
        }
    }
}

fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Date::from_ymd(year, month, day).ok()
}

impl InspectionDraft {
    /// Checks every rule at once; `today` is the China date of the recording.
    pub fn validate(&self, today: Date) -> Result<ValidInspection, Vec<InspectionError>> {
        let mut errors = Vec::new();
        let no = self.inspection_no.trim();
        if no.is_empty() {
            errors.push(InspectionError::NoMissing);
        } else if no.chars().count() > INSPECTION_NO_CHARS {
            errors.push(InspectionError::NoTooLong);
        }
        let date = parse_date(&self.date);
        match date {
            None => errors.push(InspectionError::DateInvalid),
            Some(d) if d > today => errors.push(InspectionError::DateInFuture),
            Some(_) => {}
        }
        let target = InspectionTarget::parse(self.target.trim());
        if target.is_none() {
            errors.push(InspectionError::TargetMissing);
        }
        let code = self.target_code.trim();
        if code.is_empty() {
            errors.push(InspectionError::TargetCodeMissing);
        }
        let department = self.department_code.trim();
        if target.is_some_and(InspectionTarget::needs_department) && department.is_empty() {
            errors.push(InspectionError::DepartmentMissing);
        }
        let method = InspectionMethod::parse(self.method.trim());
        if method.is_none() {
            errors.push(InspectionError::MethodMissing);
        }
        let level = self
            .level
            .and_then(|c| Level::from_interface_code(c.into()).ok());
        if level.is_none() {
            errors.push(InspectionError::LevelMissing);
        }
        let cleaned = crate::evaluation::clean_text(&self.findings);
        let findings = cleaned.trim();
        let len = findings.chars().count();
        if len < *FINDINGS_CHARS.start() {
            errors.push(InspectionError::FindingsTooShort);
        } else if len > *FINDINGS_CHARS.end() {
            errors.push(InspectionError::FindingsTooLong(len));
        }
        match (date, target, method, level) {
            (Some(date), Some(target), Some(method), Some(level)) if errors.is_empty() => {
                Ok(ValidInspection {
                    inspection_no: no.to_owned(),
                    date,
                    target,
                    target_code: code.to_owned(),
                    department_code: (!department.is_empty()).then(|| department.to_owned()),
                    method,
                    level,
                    findings: findings.to_owned(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 12, 1).unwrap()
    }

    fn draft() -> InspectionDraft {
        InspectionDraft {
            inspection_no: "JC-2026-118".into(),
            date: "2026-11-30".into(),
            target: "window".into(),
            target_code: "W01".into(),
            department_code: String::new(),
            method: "covert".into(),
            level: Some(2),
            findings: "窗口人员离岗二十分钟，群众排队无人受理".into(),
        }
    }

    #[test]
    fn a_complete_inspection_passes_and_keeps_its_values() {
        let valid = draft().validate(today()).unwrap();
        assert_eq!(valid.level, Level::Dissatisfied);
        assert_eq!(valid.method, InspectionMethod::Covert);
        assert_eq!(valid.target, InspectionTarget::Window);
        assert_eq!(valid.date, Date::from_ymd(2026, 11, 30).unwrap());
        assert_eq!(valid.department_code, None);
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let errors = InspectionDraft {
            date: "2026-12-02".into(),
            target: "hall".into(),
            ..InspectionDraft::default()
        }
        .validate(today())
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(InspectionError::field).collect();
        assert_eq!(
            fields,
            [
                "inspection_no",
                "date",
                "target_code",
                "department_code",
                "method",
                "level",
                "findings"
            ]
        );
        assert!(errors.contains(&InspectionError::DateInFuture));
        let bad_date = InspectionDraft {
            date: "2026-02-30".into(),
            ..draft()
        };
        assert_eq!(
            bad_date.validate(today()).unwrap_err(),
            [InspectionError::DateInvalid]
        );
    }

    #[test]
    fn names_round_trip() {
        for s in OpinionSource::ALL {
            assert_eq!(OpinionSource::parse(s.as_str()), Some(s));
        }
        assert!(OpinionSource::TYPED.iter().all(|s| s.typed()));
        assert!(!OpinionSource::Web.typed());
        for m in InspectionMethod::ALL {
            assert_eq!(InspectionMethod::parse(m.as_str()), Some(m));
        }
        for t in InspectionTarget::ALL {
            assert_eq!(InspectionTarget::parse(t.as_str()), Some(t));
        }
        assert!(InspectionTarget::Hall.needs_department());
    }
}
