//! 差评转送12345 — a 差评 ticket forwarded to the 12345 platform as a work order: the category it
//! goes as, the text it carries, and how the platform's answer reads (its order id; "already
//! received" is delivered).

use super::{EXTERNAL_ID_CHARS, ReferralCategory};
use crate::Level;

/// A forwarded 差评 is a 投诉.
pub const CATEGORY: ReferralCategory = ReferralCategory::Complaint;

/// Words in an answer that mean the platform holds the work order already (a re-send after a lost
/// answer): delivered.
pub const ALREADY_RECEIVED: [&str; 6] = [
    "duplicate",
    "already received",
    "already exists",
    "已接收",
    "已存在",
    "重复",
];

/// Whether `answer` says the work order was received before.
pub fn says_already_received(answer: &str) -> bool {
    let answer = answer.to_lowercase();
    ALREADY_RECEIVED.iter().any(|m| answer.contains(m))
}

/// The work order's content: the level, the reasons ticked (labels) and the citizen's words.
pub fn content(level: Level, reasons: &[&str], comment: Option<&str>) -> String {
    let mut text = format!("政务服务好差评差评：{}", level.label_zh());
    if !reasons.is_empty() {
        text.push_str("；评价标签：");
        text.push_str(&reasons.join("、"));
    }
    if let Some(comment) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        text.push_str("；群众留言：");
        text.push_str(comment);
    }
    text
}

/// The platform's order id as we keep it: 1 to 64 printable characters (like an external id);
/// anything else is no id.
pub fn order_id(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let fits = (1..=EXTERNAL_ID_CHARS).contains(&raw.chars().count())
        && !raw.chars().any(char::is_control);
    fits.then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_names_level_reasons_and_words_leaving_out_what_is_missing() {
        assert_eq!(
            content(
                Level::VeryDissatisfied,
                &["办事效率低", "态度生硬"],
                Some(" 等了两个小时 ")
            ),
            "政务服务好差评差评：非常不满意；评价标签：办事效率低、态度生硬；群众留言：等了两个小时"
        );
        assert_eq!(
            content(Level::Dissatisfied, &[], Some("  ")),
            "政务服务好差评差评：不满意"
        );
    }

    #[test]
    fn an_answer_that_says_it_was_received_before_counts_as_delivered() {
        for answer in [
            r#"{"code":409,"msg":"工单已存在"}"#,
            r#"{"code":1,"msg":"重复推送"}"#,
            "Duplicate order",
        ] {
            assert!(says_already_received(answer), "{answer}");
        }
        assert!(!says_already_received(r#"{"code":500,"msg":"系统繁忙"}"#));
    }

    #[test]
    fn an_order_id_is_short_and_printable() {
        assert_eq!(order_id(" GD-2026-1 "), Some("GD-2026-1".to_owned()));
        assert_eq!(order_id(""), None);
        assert_eq!(order_id(&"9".repeat(65)), None);
        assert_eq!(order_id("a\nb"), None);
    }
}
