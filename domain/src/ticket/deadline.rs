//! 时限 — the ticket deadlines administrators set, and which deadline runs in each state: every
//! state but 已办结 has one, so that no ticket can stall without being raised (督办).

use super::{TicketAction, TicketKind, TicketState};
use crate::time::Timestamp;

/// 时限 — deadlines in working days (domain.md §4); local practice differs, so they are settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// First contact (return visit) after a bad review (待回访核实).
    pub first_contact: u32,
    /// 已核实，待处置 — the triage after the visit or check.
    pub triage: u32,
    /// 立行立改 — a fix at once: short.
    pub fix_now: u32,
    /// Rectification of a ledger entry (建立台账、限期整改).
    pub rectification: u32,
    /// 待回复 — the reply to the citizen once rectified or explained (a bad review, or a complaint
    /// after its first reply).
    pub reply: u32,
    /// Reply to a complaint, counted from its opening.
    pub complaint_reply: u32,
    /// Reply to a complex complaint, counted from its opening.
    pub complaint_reply_complex: u32,
    /// 申诉复核 — the supervisor's decision on an appeal.
    pub appeal_review: u32,
    /// 待评价 — the citizen's time to rate the fix; after it the supervisor closes the ticket.
    pub fix_rating: u32,
    /// 重办 — the new triage of a reopened ticket.
    pub redo: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            first_contact: 1,
            triage: 2,
            fix_now: 1,
            rectification: 15,
            reply: 2,
            complaint_reply: 2,
            complaint_reply_complex: 5,
            appeal_review: 5,
            fix_rating: 5,
            redo: 2,
        }
    }
}

/// One field of [`Deadlines`], as the administration form names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineSetting {
    FirstContact,
    Triage,
    FixNow,
    Rectification,
    Reply,
    ComplaintReply,
    ComplaintReplyComplex,
    AppealReview,
    FixRating,
    Redo,
}

impl DeadlineSetting {
    /// In the order of the form.
    pub const ALL: [DeadlineSetting; 10] = [
        DeadlineSetting::FirstContact,
        DeadlineSetting::Triage,
        DeadlineSetting::FixNow,
        DeadlineSetting::Rectification,
        DeadlineSetting::Reply,
        DeadlineSetting::ComplaintReply,
        DeadlineSetting::ComplaintReplyComplex,
        DeadlineSetting::AppealReview,
        DeadlineSetting::FixRating,
        DeadlineSetting::Redo,
    ];

    /// The field's name in the stored document and on the form (the input's id).
    pub fn name(self) -> &'static str {
        match self {
            DeadlineSetting::FirstContact => "first_contact",
            DeadlineSetting::Triage => "triage",
            DeadlineSetting::FixNow => "fix_now",
            DeadlineSetting::Rectification => "rectification",
            DeadlineSetting::Reply => "reply",
            DeadlineSetting::ComplaintReply => "complaint_reply",
            DeadlineSetting::ComplaintReplyComplex => "complaint_reply_complex",
            DeadlineSetting::AppealReview => "appeal_review",
            DeadlineSetting::FixRating => "fix_rating",
            DeadlineSetting::Redo => "redo",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DeadlineSetting::FirstContact => "首次联系时限",
            DeadlineSetting::Triage => "核实后处置时限",
            DeadlineSetting::FixNow => "立行立改时限",
            DeadlineSetting::Rectification => "整改时限",
            DeadlineSetting::Reply => "整改后答复时限",
            DeadlineSetting::ComplaintReply => "投诉答复时限",
            DeadlineSetting::ComplaintReplyComplex => "复杂投诉答复时限",
            DeadlineSetting::AppealReview => "申诉复核时限",
            DeadlineSetting::FixRating => "整改评价时限",
            DeadlineSetting::Redo => "重办处置时限",
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
    #[error("a fix at once may not take longer than a ledger rectification")]
    FixNowLonger,
}

impl DeadlineError {
    /// The message shown on the administration page, naming the field.
    pub fn message_zh(self) -> String {
        match self {
            DeadlineError::OutOfRange(setting) => {
                format!("{}应为1至60个工作日", setting.label_zh())
            }
            DeadlineError::ComplexShorter => "复杂投诉答复时限不能短于一般投诉".into(),
            DeadlineError::FixNowLonger => "立行立改时限不能长于整改时限".into(),
        }
    }
}

impl Deadlines {
    /// The working days of one setting.
    pub fn get(self, setting: DeadlineSetting) -> u32 {
        match setting {
            DeadlineSetting::FirstContact => self.first_contact,
            DeadlineSetting::Triage => self.triage,
            DeadlineSetting::FixNow => self.fix_now,
            DeadlineSetting::Rectification => self.rectification,
            DeadlineSetting::Reply => self.reply,
            DeadlineSetting::ComplaintReply => self.complaint_reply,
            DeadlineSetting::ComplaintReplyComplex => self.complaint_reply_complex,
            DeadlineSetting::AppealReview => self.appeal_review,
            DeadlineSetting::FixRating => self.fix_rating,
            DeadlineSetting::Redo => self.redo,
        }
    }

    /// Sets one setting.
    pub fn set(&mut self, setting: DeadlineSetting, days: u32) {
        let field = match setting {
            DeadlineSetting::FirstContact => &mut self.first_contact,
            DeadlineSetting::Triage => &mut self.triage,
            DeadlineSetting::FixNow => &mut self.fix_now,
            DeadlineSetting::Rectification => &mut self.rectification,
            DeadlineSetting::Reply => &mut self.reply,
            DeadlineSetting::ComplaintReply => &mut self.complaint_reply,
            DeadlineSetting::ComplaintReplyComplex => &mut self.complaint_reply_complex,
            DeadlineSetting::AppealReview => &mut self.appeal_review,
            DeadlineSetting::FixRating => &mut self.fix_rating,
            DeadlineSetting::Redo => &mut self.redo,
        };
        *field = days;
    }

    /// Each deadline 1 … 60 working days (else the first out of range, in form order), a complex
    /// complaint's at least the ordinary one, and 立行立改 no longer than a ledger rectification.
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
        if self.fix_now > self.rectification {
            return Err(DeadlineError::FixNowLonger);
        }
        Ok(self)
    }
}

/// Which of a ticket's stored deadlines is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// 首次联系 — the return visit of a bad review, counted from its opening (`ticket.contact_due_at`).
    Contact,
    /// 投诉答复 — a complaint's reply, counted from its opening (`ticket.reply_due_at`).
    Reply,
    /// The deadline the step into the state set (`ticket.state_due_at`): see [`TicketKind::due_after`].
    State,
}

/// Where the deadline set by a step comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFrom {
    /// The setting's working days, counted from the day of the step.
    Setting(DeadlineSetting),
    /// The complaint's reply deadline, counted from its opening (the longer one once complex).
    ComplaintReply,
    /// Nothing is due: the ticket is closed.
    Nothing,
}

impl TicketKind {
    /// 当前时限 — the deadline that runs while a ticket of this kind is in `state`: in 待回访核实
    /// the one set at opening (first contact, or a complaint's reply), none once closed, and in
    /// every other state the one the step into it set.
    pub fn due_in(self, state: TicketState) -> Option<Due> {
        match (self, state) {
            (_, TicketState::Closed) => None,
            (TicketKind::BadReview, TicketState::Open) => Some(Due::Contact),
            (TicketKind::Complaint, TicketState::Open) => Some(Due::Reply),
            _ => Some(Due::State),
        }
    }

    /// The deadline a step (`action`, leading to `to`) sets: until its first reply a complaint's
    /// reply deadline runs on (domain.md §4: reply in 2 working days, complex 3–5); otherwise each
    /// state's own setting from the day of the step — 立行立改 the short one, 台账 the long one.
    /// `replied`: the ticket was replied to before (a reopened complaint starts over).
    pub fn due_after(self, action: TicketAction, to: TicketState, replied: bool) -> DueFrom {
        use DeadlineSetting as D;
        use TicketState as S;
        if to == S::Closed {
            return DueFrom::Nothing;
        }
        let before_reply = matches!(to, S::Open | S::Verified | S::Rectifying | S::AwaitingReply);
        if self == TicketKind::Complaint && !replied && before_reply {
            return DueFrom::ComplaintReply;
        }
        DueFrom::Setting(match to {
            S::Open => D::FirstContact,
            S::Verified => D::Triage,
            S::Rectifying if action == TicketAction::Triage(super::Triage::FixNow) => D::FixNow,
            S::Rectifying => D::Rectification,
            S::AwaitingReply => D::Reply,
            S::Appealed => D::AppealReview,
            S::Replied => D::FixRating,
            S::Reopened | S::Closed => D::Redo,
        })
    }
}

/// A ticket's stored deadlines (end of their working day; `None` when not set or not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueDates {
    pub contact: Option<Timestamp>,
    pub reply: Option<Timestamp>,
    /// The deadline of the state, set by the step into it.
    pub state: Option<Timestamp>,
}

impl DueDates {
    /// The deadline running for a ticket of `kind` in `state`, if any.
    pub fn current(self, kind: TicketKind, state: TicketState) -> Option<Timestamp> {
        match kind.due_in(state)? {
            Due::Contact => self.contact,
            Due::Reply => self.reply,
            Due::State => self.state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::Triage;
    use DeadlineSetting as D;
    use TicketAction as A;
    use TicketState as S;

    #[test]
    fn each_deadline_is_1_to_60_days() {
        let d = Deadlines::default();
        assert_eq!(d.validate(), Ok(d));
        for setting in D::ALL {
            for bad in [0, 61] {
                let mut out = d;
                out.set(setting, bad);
                assert_eq!(out.get(setting), bad);
                assert_eq!(out.validate(), Err(DeadlineError::OutOfRange(setting)));
            }
        }
        // Two out of range: the first in form order.
        let two = Deadlines {
            rectification: 0,
            complaint_reply: 0,
            ..d
        };
        assert_eq!(
            two.validate(),
            Err(DeadlineError::OutOfRange(D::Rectification))
        );
        let mut edges = d;
        for setting in D::ALL {
            edges.set(setting, 60);
        }
        assert!(edges.validate().is_ok());
        // Out of range wins over the order of the two complaint deadlines, as on the form.
        let both = Deadlines {
            complaint_reply: 61,
            complaint_reply_complex: 5,
            ..d
        };
        assert_eq!(
            both.validate(),
            Err(DeadlineError::OutOfRange(D::ComplaintReply))
        );
    }

    #[test]
    fn complex_not_shorter_and_fix_now_not_longer_than_the_ledger() {
        let d = Deadlines::default();
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
        let slow_fix = Deadlines {
            fix_now: 16,
            rectification: 15,
            ..d
        };
        assert_eq!(slow_fix.validate(), Err(DeadlineError::FixNowLonger));
        assert!(
            Deadlines {
                fix_now: 15,
                ..slow_fix
            }
            .validate()
            .is_ok()
        );
        assert!(d.fix_now < d.rectification, "立行立改 is the short one");
    }

    #[test]
    fn messages_name_the_field() {
        for setting in D::ALL {
            assert_eq!(
                DeadlineError::OutOfRange(setting).message_zh(),
                format!("{}应为1至60个工作日", setting.label_zh())
            );
        }
        assert_eq!(
            DeadlineError::ComplexShorter.message_zh(),
            "复杂投诉答复时限不能短于一般投诉"
        );
        assert_eq!(
            DeadlineError::FixNowLonger.message_zh(),
            "立行立改时限不能长于整改时限"
        );
        let names: Vec<_> = D::ALL.map(D::name).into();
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(&names[..1], ["first_contact"]);
    }

    #[test]
    fn every_state_but_closed_has_a_deadline() {
        for kind in TicketKind::ALL {
            for state in S::ALL {
                assert_eq!(
                    kind.due_in(state).is_some(),
                    state != S::Closed,
                    "{kind:?} {state:?}"
                );
            }
        }
    }

    /// Every step that leads to a state other than 已办结 sets a deadline, from a setting or the
    /// complaint's running reply deadline.
    #[test]
    fn every_step_into_an_open_state_sets_a_deadline() {
        for kind in TicketKind::ALL {
            for replied in [false, true] {
                for action in A::ALL {
                    for state in S::ALL {
                        let due = kind.due_after(action, state, replied);
                        assert_eq!(due == DueFrom::Nothing, state == S::Closed);
                    }
                }
            }
        }
    }

    #[test]
    fn each_state_takes_its_own_setting() {
        use TicketKind::{BadReview, Complaint};
        let bad = |action, to| BadReview.due_after(action, to, false);
        assert_eq!(
            bad(A::RecordVisit, S::Verified),
            DueFrom::Setting(D::Triage)
        );
        assert_eq!(
            bad(A::Triage(Triage::FixNow), S::Rectifying),
            DueFrom::Setting(D::FixNow)
        );
        assert_eq!(
            bad(A::Triage(Triage::Ledger), S::Rectifying),
            DueFrom::Setting(D::Rectification)
        );
        assert_eq!(
            bad(A::RecordRectification, S::AwaitingReply),
            DueFrom::Setting(D::Reply)
        );
        assert_eq!(
            bad(A::Triage(Triage::Appeal), S::Appealed),
            DueFrom::Setting(D::AppealReview)
        );
        assert_eq!(bad(A::Reply, S::Replied), DueFrom::Setting(D::FixRating));
        assert_eq!(
            bad(
                A::RateFix(crate::ticket::FixRating::Dissatisfied),
                S::Reopened
            ),
            DueFrom::Setting(D::Redo)
        );
        // A complaint's reply deadline runs until its first reply; then it starts over.
        assert_eq!(
            Complaint.due_after(A::RecordVisit, S::Verified, false),
            DueFrom::ComplaintReply
        );
        assert_eq!(
            Complaint.due_after(A::MarkComplex, S::AwaitingReply, false),
            DueFrom::ComplaintReply
        );
        assert_eq!(
            Complaint.due_after(A::Triage(Triage::FixNow), S::Rectifying, true),
            DueFrom::Setting(D::FixNow)
        );
        assert_eq!(
            Complaint.due_after(A::Reply, S::Replied, false),
            DueFrom::Setting(D::FixRating)
        );
    }

    #[test]
    fn the_current_due_date_is_read_from_the_right_column() {
        let t = Timestamp::from_unix_ms;
        let dues = DueDates {
            contact: Some(t(1)),
            reply: Some(t(2)),
            state: Some(t(3)),
        };
        assert_eq!(dues.current(TicketKind::BadReview, S::Open), Some(t(1)));
        assert_eq!(dues.current(TicketKind::Complaint, S::Open), Some(t(2)));
        assert_eq!(
            dues.current(TicketKind::BadReview, S::Rectifying),
            Some(t(3))
        );
        assert_eq!(dues.current(TicketKind::Complaint, S::Replied), Some(t(3)));
        assert_eq!(dues.current(TicketKind::Complaint, S::Closed), None);
        assert_eq!(
            DueDates::default().current(TicketKind::BadReview, S::Open),
            None
        );
    }
}
