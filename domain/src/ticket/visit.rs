//! 回访记录 — the structured record of a return visit: when, how, whether the citizen was reached,
//! and (when reached) whether the review was 属实 and 合理. Only a reached visit verifies the
//! ticket and counts in 实名差评回访率; a failed attempt is kept on record and the visit is still owed.

use serde::{Deserialize, Serialize};

use super::{TicketAction, VISIT_NOTE_MIN_CHARS};
use crate::org::named;
use crate::time::{Date, Timestamp};

named! {
    /// 回访方式.
    VisitMethod {
        Phone = "phone", "电话";
        Sms = "sms", "短信";
        OnSite = "on_site", "上门或现场";
    }
}

/// What the visit found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// 未联系上 — a failed attempt: it does not count as a return visit.
    Unreached,
    /// 已联系上, with the handler's findings: whether what the citizen said is true (属实) and
    /// whether the complaint is reasonable (合理).
    Reached {
        substantiated: bool,
        reasonable: bool,
    },
}

/// One return visit as the handler records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnVisit {
    /// When the visit took place (not when it was typed in).
    pub at: Timestamp,
    pub method: VisitMethod,
    pub outcome: VisitOutcome,
    /// 回访情况, at least [`VISIT_NOTE_MIN_CHARS`] characters.
    pub note: String,
}

/// Why a visit record is refused; each names its form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("the visit's time is missing or not a time")]
    BadTime,
    #[error("the visit cannot be in the future")]
    InTheFuture,
    #[error("the visit cannot be before the ticket was opened")]
    BeforeTicket,
    #[error("unknown way of visiting")]
    BadMethod,
    #[error("say whether the citizen was reached")]
    ReachedMissing,
    #[error("a reached visit says whether the review is true")]
    SubstantiatedMissing,
    #[error("a reached visit says whether the review is reasonable")]
    ReasonableMissing,
    #[error("the visit's note is too short")]
    NoteTooShort,
}

impl VisitError {
    /// The message shown to the handler.
    pub fn message_zh(self) -> &'static str {
        match self {
            VisitError::BadTime => "回访时间：请填写回访的日期和时间",
            VisitError::InTheFuture => "回访时间：不能晚于现在",
            VisitError::BeforeTicket => "回访时间：不能早于工单生成时间",
            VisitError::BadMethod => "回访方式：请选择电话、短信或上门（现场）",
            VisitError::ReachedMissing => "是否联系上：请选择",
            VisitError::SubstantiatedMissing => "是否属实：联系上群众后须认定是否属实",
            VisitError::ReasonableMissing => "是否合理：联系上群众后须认定诉求是否合理",
            VisitError::NoteTooShort => "回访情况：至少需要5个字，请写明回访情况",
        }
    }

    /// The form field the refusal is about.
    pub fn field(self) -> &'static str {
        match self {
            VisitError::BadTime | VisitError::InTheFuture | VisitError::BeforeTicket => "at",
            VisitError::BadMethod => "method",
            VisitError::ReachedMissing => "reached",
            VisitError::SubstantiatedMissing => "substantiated",
            VisitError::ReasonableMissing => "reasonable",
            VisitError::NoteTooShort => "note",
        }
    }
}

/// A yes/no choice of the form ("yes" / "no"; empty when not chosen).
fn choice(text: &str, missing: VisitError) -> Result<bool, VisitError> {
    match text.trim() {
        "yes" | "true" | "1" | "是" => Ok(true),
        "no" | "false" | "0" | "否" => Ok(false),
        _ => Err(missing),
    }
}

/// A `datetime-local` value in China time ("2026-12-01T09:30", seconds allowed).
pub fn parse_local_time(text: &str) -> Option<Timestamp> {
    let (date, time) = text.trim().split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(str::parse::<u32>);
    let (year, month, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time.splitn(3, ':');
    let hour: i64 = t.next()?.parse().ok()?;
    let minute: i64 = t.next()?.parse().ok()?;
    let second: i64 = t.next().map_or(Some(0), |s| s.parse().ok())?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = Date::from_ymd(i32::try_from(year).ok()?, month, day).ok()?;
    let ms = date.start_unix_ms_cst() + ((hour * 60 + minute) * 60 + second) * 1000;
    Some(Timestamp::from_unix_ms(ms))
}

/// `at` as a `datetime-local` value in China time ("2026-12-01T09:30"): what `parse_local_time`
/// reads back.
pub fn format_local_time(at: Timestamp) -> String {
    at.to_string().replacen(' ', "T", 1)
}

/// Clocks differ a little between the handler's phone and the server.
const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

/// The visit form as typed: `at` as `datetime-local` (China time), `method` by name or label,
/// `reached`, `substantiated` and `reasonable` as yes / no (the last two only when reached).
#[derive(Debug, Clone, Copy, Default)]
pub struct VisitForm<'a> {
    pub at: &'a str,
    pub method: &'a str,
    pub reached: &'a str,
    pub substantiated: &'a str,
    pub reasonable: &'a str,
    pub note: &'a str,
}

impl VisitForm<'_> {
    /// The record, or the first field that is wrong. `opened_at` and `now` bound the time.
    pub fn read(self, opened_at: Timestamp, now: Timestamp) -> Result<ReturnVisit, VisitError> {
        let at = parse_local_time(self.at).ok_or(VisitError::BadTime)?;
        let method = VisitMethod::parse(self.method).ok_or(VisitError::BadMethod)?;
        let outcome = if choice(self.reached, VisitError::ReachedMissing)? {
            VisitOutcome::Reached {
                substantiated: choice(self.substantiated, VisitError::SubstantiatedMissing)?,
                reasonable: choice(self.reasonable, VisitError::ReasonableMissing)?,
            }
        } else {
            VisitOutcome::Unreached
        };
        let visit = ReturnVisit {
            at,
            method,
            outcome,
            note: self.note.trim().to_owned(),
        };
        visit.check(opened_at, now)?;
        Ok(visit)
    }
}

impl ReturnVisit {
    /// Whether the record holds together: a time between the ticket's opening (to the minute the
    /// form can say) and now, and a note that says something.
    pub fn check(&self, opened_at: Timestamp, now: Timestamp) -> Result<(), VisitError> {
        if self.at > now.plus_ms(CLOCK_SLACK_MS) {
            return Err(VisitError::InTheFuture);
        }
        // The form gives minutes: a visit in the minute the ticket opened is fine.
        if self.at.unix_ms() < opened_at.unix_ms() - opened_at.unix_ms().rem_euclid(60_000) {
            return Err(VisitError::BeforeTicket);
        }
        if self.note.trim().chars().count() < VISIT_NOTE_MIN_CHARS {
            return Err(VisitError::NoteTooShort);
        }
        Ok(())
    }

    /// The reached visit verifies the ticket; a failed attempt only goes on record.
    pub fn action(&self) -> TicketAction {
        match self.outcome {
            VisitOutcome::Reached { .. } => TicketAction::RecordVisit,
            VisitOutcome::Unreached => TicketAction::RecordVisitAttempt,
        }
    }

    /// The record in words, for the ticket's history: "电话回访，已联系上，属实，合理".
    pub fn summary_zh(&self) -> String {
        let found = match self.outcome {
            VisitOutcome::Unreached => "未联系上".to_owned(),
            VisitOutcome::Reached {
                substantiated,
                reasonable,
            } => format!(
                "已联系上，{}，{}",
                if substantiated { "属实" } else { "不属实" },
                if reasonable { "合理" } else { "不合理" }
            ),
        };
        format!("{}回访，{found}", self.method.label_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENED: Timestamp = Timestamp::from_unix_ms(1_764_550_800_000); // 2025-12-01 09:00 CST
    const NOW: Timestamp = Timestamp::from_unix_ms(1_764_568_800_000); // 2025-12-01 14:00 CST

    fn form(
        at: &str,
        reached: &str,
        substantiated: &str,
        reasonable: &str,
        note: &str,
    ) -> Result<ReturnVisit, VisitError> {
        let form = VisitForm {
            at,
            method: "phone",
            reached,
            substantiated,
            reasonable,
            note,
        };
        form.read(OPENED, NOW)
    }

    #[test]
    fn the_form_gives_a_time_in_china_time() {
        assert_eq!(parse_local_time("2025-12-01T09:00"), Some(OPENED));
        assert_eq!(parse_local_time("2025-12-01 14:00:00"), Some(NOW));
        assert_eq!(parse_local_time("2025-12-01T24:00"), None);
        assert_eq!(parse_local_time("2025-02-30T10:00"), None);
        assert_eq!(parse_local_time("今天"), None);
        assert_eq!(parse_local_time(&format_local_time(NOW)), Some(NOW));
    }

    #[test]
    fn a_reached_visit_verifies_and_says_whether_the_review_is_true_and_reasonable() {
        let v = form(
            "2025-12-01T10:30",
            "yes",
            "yes",
            "no",
            "电话联系，群众反映属实",
        )
        .unwrap();
        assert_eq!(
            v.outcome,
            VisitOutcome::Reached {
                substantiated: true,
                reasonable: false
            }
        );
        assert_eq!(v.action(), TicketAction::RecordVisit);
        assert_eq!(v.summary_zh(), "电话回访，已联系上，属实，不合理");
        assert_eq!(
            form(
                "2025-12-01T10:30",
                "yes",
                "",
                "no",
                "电话联系，群众反映属实"
            ),
            Err(VisitError::SubstantiatedMissing)
        );
        assert_eq!(
            form(
                "2025-12-01T10:30",
                "yes",
                "no",
                "",
                "电话联系，群众反映属实"
            ),
            Err(VisitError::ReasonableMissing)
        );
    }

    #[test]
    fn a_failed_attempt_needs_no_findings_and_does_not_verify() {
        let v = form("2025-12-01T10:30", "no", "", "", "两次拨打无人接听").unwrap();
        assert_eq!(v.outcome, VisitOutcome::Unreached);
        assert_eq!(v.action(), TicketAction::RecordVisitAttempt);
        assert_eq!(
            form("2025-12-01T10:30", "", "", "", "两次拨打无人接听"),
            Err(VisitError::ReachedMissing)
        );
    }

    #[test]
    fn the_time_lies_between_the_ticket_and_now_and_the_note_says_something() {
        let note = "电话联系，群众反映属实";
        assert_eq!(form("", "no", "", "", note), Err(VisitError::BadTime));
        assert_eq!(
            form("2025-12-01T15:00", "no", "", "", note),
            Err(VisitError::InTheFuture)
        );
        assert_eq!(
            form("2025-12-01T08:59", "no", "", "", note),
            Err(VisitError::BeforeTicket)
        );
        assert!(form("2025-12-01T09:00", "no", "", "", note).is_ok());
        assert_eq!(
            form("2025-12-01T10:00", "no", "", "", " 已联系 "),
            Err(VisitError::NoteTooShort)
        );
        let email = VisitForm {
            at: "2025-12-01T10:00",
            method: "email",
            reached: "no",
            note,
            ..VisitForm::default()
        };
        assert_eq!(email.read(OPENED, NOW), Err(VisitError::BadMethod));
        assert_eq!(VisitError::SubstantiatedMissing.field(), "substantiated");
    }
}
