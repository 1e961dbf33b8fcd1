//! 投诉 / 服务不满意 — a complaint about a service, from anyone, checked before it is stored.

use crate::evaluation::Phone;

/// The shortest and longest description of what happened, in characters.
pub const DESCRIPTION_CHARS: std::ops::RangeInclusive<usize> = 5..=1000;

/// A complaint as submitted, unchecked. Department and service item are chosen from lists (ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintDraft {
    pub department: Option<i64>,
    pub service_item: Option<i64>,
    pub description: String,
    pub phone: String,
}

/// A complaint that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidComplaint {
    pub department: i64,
    pub service_item: Option<i64>,
    pub description: String,
    pub phone: Option<Phone>,
}

/// One problem with one field of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("no department chosen")]
    DepartmentMissing,
    #[error("description too short")]
    DescriptionTooShort,
    #[error("description too long ({0} characters)")]
    DescriptionTooLong(usize),
    #[error("not a mobile phone number")]
    PhoneInvalid,
}

impl ComplaintError {
    /// The form field's name.
    pub fn field(self) -> &'static str {
        match self {
            ComplaintError::DepartmentMissing => "department",
            ComplaintError::DescriptionTooShort | ComplaintError::DescriptionTooLong(_) => {
                "description"
            }
            ComplaintError::PhoneInvalid => "phone",
        }
    }

    /// The message for citizens, naming the field.
    pub fn message_zh(self) -> String {
        match self {
            ComplaintError::DepartmentMissing => "请选择办事部门".into(),
            ComplaintError::DescriptionTooShort => {
                format!(
                    "请在“问题描述”中写下发生了什么（至少{}字）",
                    DESCRIPTION_CHARS.start()
                )
            }
            ComplaintError::DescriptionTooLong(len) => {
                format!("问题描述最多{}字，当前{len}字", DESCRIPTION_CHARS.end())
            }
            ComplaintError::PhoneInvalid => "联系电话格式不正确，应为11位手机号".into(),
        }
    }
}

impl ComplaintDraft {
    /// Checks every rule, reporting every problem at once.
    pub fn validate(&self) -> Result<ValidComplaint, Vec<ComplaintError>> {
        let mut errors = Vec::new();
        if self.department.is_none() {
            errors.push(ComplaintError::DepartmentMissing);
        }
        let cleaned = crate::evaluation::clean_text(&self.description);
        let description = cleaned.trim();
        let len = description.chars().count();
        if len < *DESCRIPTION_CHARS.start() {
            errors.push(ComplaintError::DescriptionTooShort);
        } else if len > *DESCRIPTION_CHARS.end() {
            errors.push(ComplaintError::DescriptionTooLong(len));
        }
        let phone = Phone::parse(&self.phone).unwrap_or_else(|_| {
            errors.push(ComplaintError::PhoneInvalid);
            None
        });
        match self.department {
            Some(department) if errors.is_empty() => Ok(ValidComplaint {
                department,
                service_item: self.service_item,
                description: description.to_owned(),
                phone,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_needs_a_department_and_a_description() {
        let errors = ComplaintDraft::default().validate().unwrap_err();
        assert_eq!(
            errors,
            [
                ComplaintError::DepartmentMissing,
                ComplaintError::DescriptionTooShort
            ]
        );
        let ok = ComplaintDraft {
            department: Some(3),
            description: "  窗口午休无人  ".into(),
            ..Default::default()
        };
        let valid = ok.validate().unwrap();
        assert_eq!(valid.description, "窗口午休无人");
        assert_eq!(valid.phone, None);
    }

    #[test]
    fn limits_and_phone_are_checked() {
        let long = ComplaintDraft {
            department: Some(1),
            description: "长".repeat(1001),
            phone: "123".into(),
            ..Default::default()
        };
        let errors = long.validate().unwrap_err();
        assert_eq!(
            errors,
            [
                ComplaintError::DescriptionTooLong(1001),
                ComplaintError::PhoneInvalid
            ]
        );
        assert!(errors[0].message_zh().contains("1001"));
        assert_eq!(errors[1].field(), "phone");
    }
}
