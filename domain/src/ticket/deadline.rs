//! 时限 — the ticket deadlines administrators set, and which stored deadline applies in each state.

use super::{TicketKind, TicketState};
use crate::time::Timestamp;

/// 时限 — deadlines in working days (domain.md §4); local practice differs, so they are settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// First contact (return visit) after a bad review.
    pub first_contact: u32,
    /// Rectification of a ledger entry.
    pub rectification: u32,
    /// Reply to a complaint.
    pub complaint_reply: u32,
    /// Reply to a complex complaint.
    pub complaint_reply_complex: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            first_contact: 1,
            rectification: 15,
            complaint_reply: 2,
            complaint_reply_complex: 5,
        }
    }
}

/// One field of [`Deadlines`], as the administration form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineSetting {
    FirstContact,
    Rectification,
    ComplaintReply,
    ComplaintReplyComplex,
}

impl DeadlineSetting {
    /// In the order of the form.
    pub const ALL: [DeadlineSetting; 4] = [
        DeadlineSetting::FirstContact,
        DeadlineSetting::Rectification,
        DeadlineSetting::ComplaintReply,
        DeadlineSetting::ComplaintReplyComplex,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            DeadlineSetting::FirstContact => "首次联系时限",
            DeadlineSetting::Rectification => "整改时限",
            DeadlineSetting::ComplaintReply => "投诉答复时限",
            DeadlineSetting::ComplaintReplyComplex => "复杂投诉答复时限",
        }
    }
}

/// Deadlines an administrator may not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("{0:?} must be 1 to 60 working days")]
    OutOfRange(DeadlineSetting),
    #[error("a complex complaint's reply may not be due sooner than an ordinary one's")]
    ComplexShorter,
}

impl DeadlineError {
    /// The message shown on the administration page.
    pub fn message_zh(self) -> &'static str {
        match self {
            DeadlineError::OutOfRange(DeadlineSetting::FirstContact) => {
                "首次联系时限应为1至60个工作日"
            }
            DeadlineError::OutOfRange(DeadlineSetting::Rectification) => {
                "整改时限应为1至60个工作日"
            }
            DeadlineError::OutOfRange(DeadlineSetting::ComplaintReply) => {
                "投诉答复时限应为1至60个工作日"
            }
            DeadlineError::OutOfRange(DeadlineSetting::ComplaintReplyComplex) => {
                "复杂投诉答复时限应为1至60个工作日"
            }
            DeadlineError::ComplexShorter => "复杂投诉答复时限不能短于一般投诉",
        }
    }
}

impl Deadlines {
    /// The working days of one setting.
    pub fn get(self, setting: DeadlineSetting) -> u32 {
        match setting {
            DeadlineSetting::FirstContact => self.first_contact,
            DeadlineSetting::Rectification => self.rectification,
            DeadlineSetting::ComplaintReply => self.complaint_reply,
            DeadlineSetting::ComplaintReplyComplex => self.complaint_reply_complex,
        }
    }

    /// Each deadline 1 … 60 working days (else the first out of range, in form order), and a
    /// complex complaint's at least the ordinary one.
    pub fn validate(self) -> Result<Deadlines, DeadlineError> {
        if let Some(setting) = DeadlineSetting::ALL
            .into_iter()
            .find(|&s| !(1..=60).contains(&self.get(s)))
        {
            return Err(DeadlineError::OutOfRange(setting));
        }
        if self.complaint_reply_complex < self.complaint_reply {
            return Err(DeadlineError::ComplexShorter);
        }
        Ok(self)
    }
}

/// Which of a ticket's stored deadlines is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// 首次联系 — the return visit of a bad review (`ticket.contact_due_at`).
    Contact,
    /// 限期整改 — a ledger entry's rectification (`ticket.rectify_due_at`).
    Rectification,
    /// 投诉答复 — the reply to a complaint, ordinary or complex (`ticket.reply_due_at`).
    Reply,
}

impl TicketKind {
    /// 当前时限 — the deadline that applies while a ticket of this kind is in `state`: none once
    /// replied, closed or under appeal; a complaint's reply until then; a bad review's first
    /// contact while open and its rectification while being rectified; none in between.
    pub fn due_in(self, state: TicketState) -> Option<Due> {
        use TicketState as S;
        match (self, state) {
            (_, S::Replied | S::Closed | S::Appealed) => None,
            (TicketKind::Complaint, _) => Some(Due::Reply),
            (TicketKind::BadReview, S::Open) => Some(Due::Contact),
            (TicketKind::BadReview, S::Rectifying) => Some(Due::Rectification),
            (TicketKind::BadReview, S::Verified | S::AwaitingReply | S::Reopened) => None,
        }
    }
}

/// A ticket's stored deadlines (end of their working day; `None` when not set or not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueDates {
    pub contact: Option<Timestamp>,
    pub rectification: Option<Timestamp>,
    pub reply: Option<Timestamp>,
}

impl DueDates {
    /// The deadline running for a ticket of `kind` in `state`, if any.
    pub fn current(self, kind: TicketKind, state: TicketState) -> Option<Timestamp> {
        match kind.due_in(state)? {
            Due::Contact => self.contact,
            Due::Rectification => self.rectification,
            Due::Reply => self.reply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketState as S;

    #[test]
    fn each_deadline_is_1_to_60_days_and_complex_not_shorter() {
        let d = Deadlines::default();
        assert_eq!(d.validate(), Ok(d));
        let cases = [
            (
                Deadlines {
                    first_contact: 0,
                    ..d
                },
                DeadlineSetting::FirstContact,
            ),
            (
                Deadlines {
                    rectification: 61,
                    ..d
                },
                DeadlineSetting::Rectification,
            ),
            (
                Deadlines {
                    complaint_reply: 0,
                    ..d
                },
                DeadlineSetting::ComplaintReply,
            ),
            (
                Deadlines {
                    complaint_reply_complex: 61,
                    ..d
                },
                DeadlineSetting::ComplaintReplyComplex,
            ),
            // Two out of range: the first in form order.
            (
                Deadlines {
                    rectification: 0,
                    complaint_reply: 0,
                    ..d
                },
                DeadlineSetting::Rectification,
            ),
        ];
        for (bad, setting) in cases {
            assert_eq!(bad.validate(), Err(DeadlineError::OutOfRange(setting)));
        }
        let complex_shorter = Deadlines {
            complaint_reply: 5,
            complaint_reply_complex: 4,
            ..d
        };
        assert_eq!(
            complex_shorter.validate(),
            Err(DeadlineError::ComplexShorter)
        );
        let equal = Deadlines {
            complaint_reply: 5,
            complaint_reply_complex: 5,
            ..d
        };
        assert!(equal.validate().is_ok());
        let edges = Deadlines {
            first_contact: 1,
            rectification: 60,
            complaint_reply: 60,
            complaint_reply_complex: 60,
        };
        assert!(edges.validate().is_ok());
        // Out of range wins over the order of the two complaint deadlines, as on the form.
        let both = Deadlines {
            complaint_reply: 61,
            complaint_reply_complex: 5,
            ..d
        };
        assert_eq!(
            both.validate(),
            Err(DeadlineError::OutOfRange(DeadlineSetting::ComplaintReply))
        );
    }

    #[test]
    fn messages_name_the_field() {
        for setting in DeadlineSetting::ALL {
            assert_eq!(
                DeadlineError::OutOfRange(setting).message_zh(),
                format!("{}应为1至60个工作日", setting.label_zh())
            );
        }
        assert_eq!(
            DeadlineError::ComplexShorter.message_zh(),
            "复杂投诉答复时限不能短于一般投诉"
        );
    }

    /// The SQL `CASE` of the store's ticket lists, transcribed: (kind, state) → column.
    fn old_case(kind: &str, state: &str) -> Option<&'static str> {
        if ["replied", "closed", "appealed"].contains(&state) {
            None
        } else if kind == "complaint" {
            Some("reply_due_at")
        } else if state == "open" {
            Some("contact_due_at")
        } else if state == "rectifying" {
            Some("rectify_due_at")
        } else {
            None
        }
    }

    #[test]
    fn the_running_deadline_is_the_one_the_sql_case_chose() {
        for kind in TicketKind::ALL {
            for state in S::ALL {
                let column = kind.due_in(state).map(|due| match due {
                    Due::Contact => "contact_due_at",
                    Due::Rectification => "rectify_due_at",
                    Due::Reply => "reply_due_at",
                });
                assert_eq!(
                    column,
                    old_case(kind.as_str(), state.as_str()),
                    "{kind:?} {state:?}"
                );
            }
        }
    }

    #[test]
    fn the_current_due_date_is_read_from_the_right_column() {
        let t = Timestamp::from_unix_ms;
        let dues = DueDates {
            contact: Some(t(1)),
            rectification: Some(t(2)),
            reply: Some(t(3)),
        };
        assert_eq!(dues.current(TicketKind::BadReview, S::Open), Some(t(1)));
        assert_eq!(
            dues.current(TicketKind::BadReview, S::Rectifying),
            Some(t(2))
        );
        assert_eq!(dues.current(TicketKind::BadReview, S::Verified), None);
        assert_eq!(
            dues.current(TicketKind::Complaint, S::Rectifying),
            Some(t(3))
        );
        assert_eq!(dues.current(TicketKind::Complaint, S::Replied), None);
        assert_eq!(
            DueDates::default().current(TicketKind::BadReview, S::Open),
            None
        );
    }
}
