//! 服务 — the service occurrence a rating is bound to, and the codes that identify it.

use serde::Serialize;

/// A malformed identifier, with the API field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{field} has {len} characters, at most {max} allowed")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} may only hold letters, digits and - _ . /")]
    BadCharacter { field: &'static str },
    #[error("{field} must be 1 or more")]
    NotPositive { field: &'static str },
}

impl IdError {
    /// The API field this error is about.
    pub fn field(&self) -> &'static str {
        match self {
            IdError::Empty { field }
            | IdError::TooLong { field, .. }
            | IdError::BadCharacter { field }
            | IdError::NotPositive { field } => field,
        }
    }
}

/// Fullwidth ASCII (ＡＢＣ１２３, as Chinese input methods type them) as plain ASCII: what NFKC does for
/// that block, the only one an identifier here may come in.
fn narrow(c: char) -> char {
    match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// A CJK ideograph (some case numbers carry one, e.g. 皖).
fn ideograph(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn code(field: &'static str, raw: &str, max: usize) -> Result<String, IdError> {
    let narrowed: String = raw.chars().map(narrow).collect();
    let text = narrowed.trim();
    let len = text.chars().count();
    if len == 0 {
        return Err(IdError::Empty { field });
    }
    if len > max {
        return Err(IdError::TooLong { field, len, max });
    }
    // ASCII letters and digits, CJK ideographs and a few separators; never spaces, quotes, control
    // characters or digits of other scripts that look like ours (٣, ৩ …).
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ideograph(c) || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Err(IdError::BadCharacter { field });
    }
    Ok(text.to_owned())
}

/// 办件编号 — a case number, at most 50 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CaseNumber(String);

impl CaseNumber {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        code("case_number", raw, Self::MAX_CHARS).map(CaseNumber)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 评价次数/服务次数 — which occurrence of the case is rated: 1 for the first, 2 for the second…
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OccurrenceNo(u16);

impl OccurrenceNo {
    pub fn new(n: i64) -> Result<Self, IdError> {
        u16::try_from(n)
            .ok()
            .filter(|&n| n >= 1)
            .map(OccurrenceNo)
            .ok_or(IdError::NotPositive {
                field: "occurrence_no",
            })
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

/// 实施编码 — the implementation code of a service item, at most 24 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ServiceItemCode(String);

impl ServiceItemCode {
    pub const MAX_CHARS: usize = 24;

    pub fn parse(raw: &str) -> Result<Self, IdError> {
        code("service_item", raw, Self::MAX_CHARS).map(ServiceItemCode)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_is_narrowed_and_look_alike_digits_are_refused() {
        assert_eq!(
            CaseNumber::parse("ＢＤＣ－２０２６－１").unwrap().as_str(),
            "BDC-2026-1"
        );
        assert_eq!(CaseNumber::parse("皖2026-1").unwrap().as_str(), "皖2026-1");
        assert!(matches!(
            CaseNumber::parse("BDC-٢٠٢٦"),
            Err(IdError::BadCharacter { .. })
        ));
        assert!(CaseNumber::parse("BDC\u{202E}1").is_err());
    }

    #[test]
    fn case_numbers_are_bounded_and_clean() {
        assert_eq!(
            CaseNumber::parse(" BDC-2026-000123 ").unwrap().as_str(),
            "BDC-2026-000123"
        );
        assert_eq!(
            CaseNumber::parse("").unwrap_err(),
            IdError::Empty {
                field: "case_number"
            }
        );
        let long = "A".repeat(51);
        assert_eq!(
            CaseNumber::parse(&long).unwrap_err(),
            IdError::TooLong {
                field: "case_number",
                len: 51,
                max: 50
            }
        );
        assert!(CaseNumber::parse(&"字".repeat(50)).is_ok());
        assert!(CaseNumber::parse("a'b").is_err());
        assert!(CaseNumber::parse("a b").is_err());
    }

    #[test]
    fn occurrence_numbers_start_at_one() {
        assert_eq!(OccurrenceNo::new(1).unwrap().get(), 1);
        assert!(OccurrenceNo::new(0).is_err());
        assert!(OccurrenceNo::new(-3).is_err());
        assert!(OccurrenceNo::new(70_000).is_err());
    }

    #[test]
    fn service_item_codes_have_at_most_24_characters() {
        assert!(ServiceItemCode::parse(&"1".repeat(24)).is_ok());
        assert_eq!(
            ServiceItemCode::parse(&"1".repeat(25)).unwrap_err().field(),
            "service_item"
        );
    }
}
