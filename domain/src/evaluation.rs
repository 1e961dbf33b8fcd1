//! 评价 — checking what a citizen submitted before it becomes an evaluation.

use serde::{Deserialize, Serialize};

use crate::{Catalogue, Level, reasons::level_of};

/// The longest free text a citizen may write, in characters (not bytes).
pub const COMMENT_MAX_CHARS: usize = 500;

/// Free text as people wrote it, less what only hides or reorders it: control characters (line
/// breaks kept, CRLF as LF), the bidirectional overrides and isolates, and byte-order marks.
pub fn clean_text(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .chars()
        .filter(|&c| {
            c == '\n'
                || !(c.is_control()
                    || matches!(
                        c,
                        '\u{202A}'..='\u{202E}'
                            | '\u{2066}'..='\u{2069}'
                            | '\u{200E}'
                            | '\u{200F}'
                            | '\u{061C}'
                            | '\u{FEFF}'
                    ))
        })
        .collect()
}

/// 文字评价 — optional free text, trimmed, at most [`COMMENT_MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment(String);

impl Comment {
    /// Trims the text; empty text is no comment.
    pub fn parse(raw: &str) -> Result<Option<Comment>, FieldError> {
        let cleaned = clean_text(raw);
        let text = cleaned.trim();
        let len = text.chars().count();
        if len > COMMENT_MAX_CHARS {
            return Err(FieldError::CommentTooLong { len });
        }
        Ok((!text.is_empty()).then(|| Comment(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland mobile number (11 digits starting 13–19), given for a return visit (回访).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces and dashes between digits and an optional +86 prefix.
    pub fn parse(raw: &str) -> Result<Option<Phone>, FieldError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        if digits.is_empty() {
            return Ok(None);
        }
        let b = digits.as_bytes();
        let valid = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if valid {
            Ok(Some(Phone(digits.to_owned())))
        } else {
            Err(FieldError::PhoneInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the citizen sent, unchecked: the same shape from the plain form and from the widget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingDraft {
    /// The level's interface code (5 = 非常满意 … 1 = 非常不满意).
    pub level: Option<u8>,
    #[serde(default)]
    pub reasons: Vec<u16>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub phone: String,
}

/// A rating that passed every rule and can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRating {
    pub level: Level,
    pub catalogue_version: u16,
    pub reasons: Vec<u16>,
    pub comment: Option<Comment>,
    /// Only kept for a 差评, where it serves the return visit.
    pub phone: Option<Phone>,
}

/// The form field a problem belongs to, named as in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Level,
    Reasons,
    Comment,
    Phone,
}

impl Field {
    /// The form field's name attribute.
    pub fn name(self) -> &'static str {
        match self {
            Field::Level => "level",
            Field::Reasons => "reasons",
            Field::Comment => "comment",
            Field::Phone => "phone",
        }
    }
}

/// One problem with one field of a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("no satisfaction level chosen")]
    LevelMissing,
    #[error("{0} is not a satisfaction level")]
    LevelUnknown(u8),
    #[error("reason {0} is not in the catalogue")]
    ReasonUnknown(u16),
    #[error("reason {0} does not belong to the chosen level")]
    ReasonNotForLevel(u16),
    #[error("a bad review needs a reason or some text")]
    BadReviewNeedsReason,
    #[error("comment has {len} characters, more than allowed")]
    CommentTooLong { len: usize },
    #[error("not a mobile phone number")]
    PhoneInvalid,
}

impl FieldError {
    pub fn field(self) -> Field {
        match self {
            FieldError::LevelMissing | FieldError::LevelUnknown(_) => Field::Level,
            FieldError::ReasonUnknown(_)
            | FieldError::ReasonNotForLevel(_)
            | FieldError::BadReviewNeedsReason => Field::Reasons,
            FieldError::CommentTooLong { .. } => Field::Comment,
            FieldError::PhoneInvalid => Field::Phone,
        }
    }

    /// The message for citizens, in Chinese, naming the field.
    pub fn message_zh(self) -> String {
        match self {
            FieldError::LevelMissing => "请选择满意程度".into(),
            FieldError::LevelUnknown(_) => "满意程度无效，请重新选择".into(),
            FieldError::ReasonUnknown(_) => "所选评价标签不存在，请重新选择".into(),
            FieldError::ReasonNotForLevel(_) => "所选评价标签与满意程度不符，请重新选择".into(),
            FieldError::BadReviewNeedsReason => "差评请至少选择一项原因或填写文字说明".into(),
            FieldError::CommentTooLong { len } => {
                format!("文字评价最多{COMMENT_MAX_CHARS}字，当前{len}字")
            }
            FieldError::PhoneInvalid => "手机号码格式不正确，应为11位手机号".into(),
        }
    }

    /// The message in English.
    pub fn message_en(self) -> String {
        match self {
            FieldError::LevelMissing => "Please choose how satisfied you are".into(),
            FieldError::LevelUnknown(_) => "Unknown level, please choose again".into(),
            FieldError::ReasonUnknown(_) => "Unknown reason, please choose again".into(),
            FieldError::ReasonNotForLevel(_) => "A reason does not match the level".into(),
            FieldError::BadReviewNeedsReason => {
                "For a bad review, pick a reason or write a few words".into()
            }
            FieldError::CommentTooLong { len } => {
                format!("At most {COMMENT_MAX_CHARS} characters, you wrote {len}")
            }
            FieldError::PhoneInvalid => "Phone number must have 11 digits".into(),
        }
    }
}

impl RatingDraft {
    /// Checks every rule and reports every problem at once, so the citizen fixes them in one go.
    pub fn validate(&self, catalogue: Catalogue) -> Result<ValidRating, Vec<FieldError>> {
        let mut errors = Vec::new();
        let level = match self
            .level
            .map(|c| (c, Level::from_interface_code(c.into())))
        {
            None => {
                errors.push(FieldError::LevelMissing);
                None
            }
            Some((code, Err(_))) => {
                errors.push(FieldError::LevelUnknown(code));
                None
            }
            Some((_, Ok(level))) => Some(level),
        };
        let mut reasons = self.reasons.clone();
        reasons.sort_unstable();
        reasons.dedup();
        for &code in &reasons {
            if catalogue.get(code).is_none() {
                errors.push(FieldError::ReasonUnknown(code));
            } else if level.is_some_and(|l| level_of(code) != Some(l)) {
                errors.push(FieldError::ReasonNotForLevel(code));
            }
        }
        let comment = Comment::parse(&self.comment).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let phone = Phone::parse(&self.phone).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if level.is_some_and(Level::is_bad) && reasons.is_empty() && comment.is_none() {
            errors.push(FieldError::BadReviewNeedsReason);
        }
        match level {
            Some(level) if errors.is_empty() => Ok(ValidRating {
                level,
                catalogue_version: catalogue.version,
                reasons,
                comment,
                phone: if level.is_bad() { phone } else { None },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_loses_control_and_direction_characters_but_keeps_its_lines() {
        assert_eq!(
            clean_text("好\u{202E}评\r\n第二行\u{0007}\u{FEFF}"),
            "好评\n第二行"
        );
        let comment = Comment::parse("  \u{2066}排队太久\u{2069} ")
            .unwrap()
            .unwrap();
        assert_eq!(comment.as_str(), "排队太久");
    }

    fn draft(level: u8, reasons: &[u16], comment: &str, phone: &str) -> RatingDraft {
        RatingDraft {
            level: Some(level),
            reasons: reasons.to_vec(),
            comment: comment.into(),
            phone: phone.into(),
        }
    }

    #[test]
    fn a_good_rating_needs_nothing_but_a_level() {
        let rating = draft(5, &[], "  ", "").validate(Catalogue::V2).unwrap();
        assert_eq!(rating.level, Level::VerySatisfied);
        assert_eq!(rating.comment, None);
        assert_eq!(rating.catalogue_version, 2);
    }

    #[test]
    fn a_bad_review_needs_a_reason_or_text() {
        let errors = draft(2, &[], "", "").validate(Catalogue::V2).unwrap_err();
        assert_eq!(errors, [FieldError::BadReviewNeedsReason]);
        assert!(draft(1, &[115], "", "").validate(Catalogue::V2).is_ok());
        assert!(
            draft(1, &[], "排队两小时", "")
                .validate(Catalogue::V2)
                .is_ok()
        );
    }

    #[test]
    fn reasons_must_match_the_level() {
        let errors = draft(5, &[510, 115, 999], "", "")
            .validate(Catalogue::V2)
            .unwrap_err();
        assert_eq!(
            errors,
            [
                FieldError::ReasonNotForLevel(115),
                FieldError::ReasonUnknown(999)
            ]
        );
    }

    #[test]
    fn all_problems_are_reported_together() {
        let long = "字".repeat(COMMENT_MAX_CHARS + 1);
        let mut d = draft(1, &[], &long, "12345");
        d.level = None;
        let errors = d.validate(Catalogue::V2).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields, [Field::Level, Field::Comment, Field::Phone]);
        assert!(errors[1].message_zh().contains("501"));
    }

    #[test]
    fn comment_is_trimmed_and_counted_in_characters() {
        let exact = "好".repeat(COMMENT_MAX_CHARS);
        assert_eq!(
            Comment::parse(&format!("  {exact} \n"))
                .unwrap()
                .unwrap()
                .as_str(),
            exact
        );
        assert_eq!(Comment::parse(" \t ").unwrap(), None);
    }

    #[test]
    fn phone_is_kept_only_for_bad_reviews() {
        let bad = draft(2, &[213], "", "138 0013 8000")
            .validate(Catalogue::V2)
            .unwrap();
        assert_eq!(bad.phone.unwrap().as_str(), "13800138000");
        let good = draft(4, &[], "", "13800138000")
            .validate(Catalogue::V2)
            .unwrap();
        assert_eq!(good.phone, None);
        assert_eq!(
            Phone::parse("+8613912345678").unwrap().unwrap().as_str(),
            "13912345678"
        );
        assert_eq!(Phone::parse("12912345678"), Err(FieldError::PhoneInvalid));
        assert_eq!(Phone::parse("1391234567x"), Err(FieldError::PhoneInvalid));
    }

    #[test]
    fn unknown_level_code_is_refused() {
        let errors = draft(6, &[], "", "").validate(Catalogue::V2).unwrap_err();
        assert_eq!(errors, [FieldError::LevelUnknown(6)]);
    }
}
