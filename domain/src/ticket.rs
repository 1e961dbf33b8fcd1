//! 差评整改工单 — the closed loop of a bad review or complaint: return visit, triage, rectification,
//! reply, the citizen's rating of the fix, appeal. Each step is a transition checked here; anything
//! else is refused with a reason the handler can read.

use serde::{Deserialize, Serialize};

mod deadline;
mod history;
mod visit;

pub use deadline::{DeadlineError, DeadlineSetting, Deadlines, Due, DueDates, DueFrom};
pub use visit::{
    ReturnVisit, VisitError, VisitForm, VisitMethod, VisitOutcome, format_local_time,
    parse_local_time,
};

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// 待回访核实 — opened, waiting for the first contact.
    Open,
    /// 已核实 — the return visit (or, for an anonymous review, the check) is on record; to triage.
    Verified,
    /// 整改中 — being put right, at once or by a ledger deadline.
    Rectifying,
    /// 待回复 — rectified or explained; the reply to the citizen is due.
    AwaitingReply,
    /// 申诉中 — the department appealed; the supervisor decides.
    Appealed,
    /// 待评价 — replied; waiting for the citizen's rating of the fix.
    Replied,
    /// 重办 — the citizen was not satisfied: reopened and escalated (督办); triage again.
    Reopened,
    /// 已办结.
    Closed,
}

impl TicketState {
    /// Every state, in the order a ticket usually goes through them.
    pub const ALL: [TicketState; 8] = [
        TicketState::Open,
        TicketState::Verified,
        TicketState::Rectifying,
        TicketState::AwaitingReply,
        TicketState::Appealed,
        TicketState::Replied,
        TicketState::Reopened,
        TicketState::Closed,
    ];

    /// The stable name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::Verified => "verified",
            TicketState::Rectifying => "rectifying",
            TicketState::AwaitingReply => "awaiting_reply",
            TicketState::Appealed => "appealed",
            TicketState::Replied => "replied",
            TicketState::Reopened => "reopened",
            TicketState::Closed => "closed",
        }
    }

    /// Reads the stable name.
    pub fn parse(name: &str) -> Option<TicketState> {
        TicketState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The label shown to citizens and staff.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketState::Open => "待回访核实",
            TicketState::Verified => "已核实，待处置",
            TicketState::Rectifying => "整改中",
            TicketState::AwaitingReply => "待回复",
            TicketState::Appealed => "申诉复核中",
            TicketState::Replied => "已回复，待评价整改",
            TicketState::Reopened => "重新办理（督办）",
            TicketState::Closed => "已办结",
        }
    }
}

/// 工单类型 — what a ticket handles (`ticket.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// 差评 — a bad review (不满意 or 非常不满意).
    BadReview,
    /// 投诉 — a complaint about a service.
    Complaint,
}

impl TicketKind {
    pub const ALL: [TicketKind; 2] = [TicketKind::BadReview, TicketKind::Complaint];

    /// The stable name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::BadReview => "bad_review",
            TicketKind::Complaint => "complaint",
        }
    }

    /// Reads the stable name.
    pub fn parse(name: &str) -> Option<TicketKind> {
        TicketKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The label on ticket lists.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketKind::BadReview => "差评",
            TicketKind::Complaint => "投诉",
        }
    }
}

/// 处置方式 — how a verified review is dealt with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Triage {
    /// 立行立改 — clear and reasonable: fix at once.
    FixNow,
    /// 建立台账、限期整改 — complex: a ledger entry with a deadline.
    Ledger,
    /// 解释说明 — no legal basis: explain.
    Explain,
    /// 申诉 — mistaken or malicious: appeal.
    Appeal,
}

/// 整改评价 — the citizen's rating of the rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixRating {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

/// Something a person does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketAction {
    /// 回访 — a return visit that reached the citizen, with its structured record ([`ReturnVisit`]).
    RecordVisit,
    /// A return visit that did not reach the citizen: on record, but the visit is still owed.
    RecordVisitAttempt,
    /// An anonymous review cannot be visited: the handler records the check instead.
    RecordCheckWithoutContact,
    Triage(Triage),
    /// 整改记录.
    RecordRectification,
    /// 回复群众.
    Reply,
    /// The supervisor's decision on an appeal.
    DecideAppeal {
        upheld: bool,
    },
    /// The citizen rates the fix (once per round).
    RateFix(FixRating),
    /// The supervisor closes a replied ticket the citizen did not rate.
    CloseUnrated,
    /// 复杂投诉 — the handler finds a complaint complex: its reply is due after the longer
    /// deadline (5 working days by default) counted from the day it was made. Once, before the reply.
    MarkComplex,
}

impl TicketAction {
    /// Every action, for reading names back.
    pub const ALL: [TicketAction; 16] = [
        TicketAction::RecordVisit,
        TicketAction::RecordVisitAttempt,
        TicketAction::RecordCheckWithoutContact,
        TicketAction::Triage(Triage::FixNow),
        TicketAction::Triage(Triage::Ledger),
        TicketAction::Triage(Triage::Explain),
        TicketAction::Triage(Triage::Appeal),
        TicketAction::RecordRectification,
        TicketAction::Reply,
        TicketAction::DecideAppeal { upheld: true },
        TicketAction::DecideAppeal { upheld: false },
        TicketAction::RateFix(FixRating::Satisfied),
        TicketAction::RateFix(FixRating::BasicallySatisfied),
        TicketAction::RateFix(FixRating::Dissatisfied),
        TicketAction::CloseUnrated,
        TicketAction::MarkComplex,
    ];

    /// Reads a name written by [`TicketAction::name`].
    pub fn parse(name: &str) -> Option<TicketAction> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The button label for staff.
    pub fn label_zh(self) -> &'static str {
        match self {
            TicketAction::RecordVisit => "记录回访",
            TicketAction::RecordVisitAttempt => "记录回访（未联系上）",
            TicketAction::RecordCheckWithoutContact => "记录核实（匿名）",
            TicketAction::Triage(Triage::FixNow) => "立行立改",
            TicketAction::Triage(Triage::Ledger) => "建立台账、限期整改",
            TicketAction::Triage(Triage::Explain) => "解释说明",
            TicketAction::Triage(Triage::Appeal) => "提出申诉",
            TicketAction::RecordRectification => "记录整改",
            TicketAction::Reply => "答复群众",
            TicketAction::DecideAppeal { upheld: true } => "申诉成立",
            TicketAction::DecideAppeal { upheld: false } => "申诉不成立",
            TicketAction::RateFix(_) => "群众评价整改",
            TicketAction::CloseUnrated => "办结（群众未评价）",
            TicketAction::MarkComplex => "认定为复杂投诉（延长答复时限）",
        }
    }

    /// The stable name recorded in the ticket's history and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            TicketAction::RecordVisit => "record_visit",
            TicketAction::RecordVisitAttempt => "record_visit_attempt",
            TicketAction::RecordCheckWithoutContact => "record_check",
            TicketAction::Triage(Triage::FixNow) => "triage_fix_now",
            TicketAction::Triage(Triage::Ledger) => "triage_ledger",
            TicketAction::Triage(Triage::Explain) => "triage_explain",
            TicketAction::Triage(Triage::Appeal) => "triage_appeal",
            TicketAction::RecordRectification => "record_rectification",
            TicketAction::Reply => "reply",
            TicketAction::DecideAppeal { upheld: true } => "decide_appeal_upheld",
            TicketAction::DecideAppeal { upheld: false } => "decide_appeal_rejected",
            TicketAction::RateFix(FixRating::Satisfied) => "rate_fix_satisfied",
            TicketAction::RateFix(FixRating::BasicallySatisfied) => "rate_fix_basically_satisfied",
            TicketAction::RateFix(FixRating::Dissatisfied) => "rate_fix_dissatisfied",
            TicketAction::CloseUnrated => "close_unrated",
            TicketAction::MarkComplex => "mark_complex",
        }
    }
}

/// Facts about the ticket that some transitions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TicketFacts {
    /// 实名差评: the evaluator left contact details, so a return visit is owed (100 %).
    pub real_name: bool,
    /// An appeal was already decided; a second one is not allowed.
    pub appealed_before: bool,
    /// The ticket handles a complaint (投诉), not a bad review.
    pub complaint: bool,
    /// The complaint was already found complex.
    pub complex: bool,
    /// The citizen was replied to before (a reopened ticket starts its deadlines over).
    pub replied: bool,
}

/// A refused step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("this step is not possible while the ticket is {0:?}")]
    NotNow(TicketState),
    #[error("a real-name bad review needs a return visit on record")]
    VisitRequired,
    #[error("an appeal was already decided for this review")]
    AlreadyAppealed,
    #[error("only a complaint can be found complex")]
    NotAComplaint,
    #[error("the complaint was already found complex")]
    AlreadyComplex,
    #[error("the return visit's record needs at least {VISIT_NOTE_MIN_CHARS} characters")]
    VisitNoteTooShort,
    #[error("a reply needs text")]
    ReplyEmpty,
    /// A return visit is recorded with its structure (when, how, reached, findings), not as a
    /// plain step.
    #[error("a return visit needs its record")]
    VisitRecordRequired,
    /// An appeal is filed with its category and evidence (`domain::appeal`), not as a plain step.
    #[error("an appeal is filed with its category")]
    AppealFilingRequired,
}

/// 回访记录 — the fewest characters (after trimming) that record a return visit.
pub const VISIT_NOTE_MIN_CHARS: usize = 5;

impl TicketError {
    /// The message shown to staff.
    pub fn message_zh(self) -> &'static str {
        match self {
            TicketError::NotNow(_) => "工单当前状态下不能进行该操作",
            TicketError::VisitRequired => "实名差评须先完成回访并记录",
            TicketError::AlreadyAppealed => "该差评已申诉复核过，不能再次申诉",
            TicketError::NotAComplaint => "只有投诉可以认定为复杂投诉",
            TicketError::AlreadyComplex => "该投诉已认定为复杂投诉",
            TicketError::VisitNoteTooShort => "回访记录至少需要5个字，请写明回访情况",
            TicketError::ReplyEmpty => "答复内容不能为空",
            TicketError::VisitRecordRequired => {
                "回访须填写回访记录：时间、方式、是否联系上、是否属实、是否合理"
            }
            TicketError::AppealFilingRequired => {
                "申诉须通过申诉表单提出：选择申诉类别（误评或恶意差评），可附证据材料"
            }
        }
    }

    /// The form field a refusal is about, if any: the step's note (说明).
    pub fn field(self) -> Option<&'static str> {
        matches!(
            self,
            TicketError::VisitNoteTooShort | TicketError::ReplyEmpty
        )
        .then_some("note")
    }
}

impl TicketAction {
    /// The steps recorded with a [`ReturnVisit`] (through the visit form, never as a plain step).
    pub fn is_visit(self) -> bool {
        matches!(
            self,
            TicketAction::RecordVisit | TicketAction::RecordVisitAttempt
        )
    }

    /// 申诉 — filed with its category and evidence (`features::appeal`), never as a plain step.
    pub fn is_appeal_filing(self) -> bool {
        self == TicketAction::Triage(Triage::Appeal)
    }

    /// Whether `note` says enough for this step: a return visit is recorded in at least
    /// [`VISIT_NOTE_MIN_CHARS`] characters, a reply is never empty; other steps need none.
    pub fn check_note(self, note: Option<&str>) -> Result<(), TicketError> {
        let chars = note.map_or(0, |n| n.trim().chars().count());
        match self {
            TicketAction::RecordVisit | TicketAction::RecordVisitAttempt
                if chars < VISIT_NOTE_MIN_CHARS =>
            {
                Err(TicketError::VisitNoteTooShort)
            }
            TicketAction::Reply if chars == 0 => Err(TicketError::ReplyEmpty),
            _ => Ok(()),
        }
    }
}

/// What a step leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub to: TicketState,
    /// The evaluation is excluded from statistics (an upheld appeal); it is never deleted.
    pub invalidates_evaluation: bool,
    /// Raised to the supervisor (督办).
    pub escalates: bool,
}

fn to(state: TicketState) -> Transition {
    Transition {
        to: state,
        invalidates_evaluation: false,
        escalates: false,
    }
}

impl TicketState {
    /// The state after `action`, or why it is refused.
    pub fn apply(
        self,
        action: TicketAction,
        facts: TicketFacts,
    ) -> Result<Transition, TicketError> {
        use TicketAction as A;
        use TicketState as S;
        match (self, action) {
            (S::Open, A::RecordVisit) => Ok(to(S::Verified)),
            (S::Open, A::RecordVisitAttempt) => Ok(to(S::Open)),
            (S::Open, A::RecordCheckWithoutContact) if facts.real_name => {
                Err(TicketError::VisitRequired)
            }
            (S::Open, A::RecordCheckWithoutContact) => Ok(to(S::Verified)),
            (S::Verified | S::Reopened, A::Triage(Triage::Appeal)) if facts.appealed_before => {
                Err(TicketError::AlreadyAppealed)
            }
            (S::Verified | S::Reopened, A::Triage(triage)) => Ok(to(match triage {
                Triage::FixNow | Triage::Ledger => S::Rectifying,
                Triage::Explain => S::AwaitingReply,
                Triage::Appeal => S::Appealed,
            })),
            (S::Rectifying, A::RecordRectification) => Ok(to(S::AwaitingReply)),
            (S::AwaitingReply, A::Reply) => Ok(to(S::Replied)),
            (S::Appealed, A::DecideAppeal { upheld: true }) => Ok(Transition {
                to: S::Closed,
                invalidates_evaluation: true,
                escalates: false,
            }),
            (S::Appealed, A::DecideAppeal { upheld: false }) => Ok(to(S::Verified)),
            (S::Replied, A::RateFix(FixRating::Satisfied | FixRating::BasicallySatisfied)) => {
                Ok(to(S::Closed))
            }
            (S::Replied, A::RateFix(FixRating::Dissatisfied)) => Ok(Transition {
                to: S::Reopened,
                invalidates_evaluation: false,
                escalates: true,
            }),
            (S::Replied, A::CloseUnrated) => Ok(to(S::Closed)),
            (S::Open | S::Verified | S::Rectifying | S::AwaitingReply, A::MarkComplex) => {
                if !facts.complaint {
                    Err(TicketError::NotAComplaint)
                } else if facts.complex {
                    Err(TicketError::AlreadyComplex)
                } else {
                    Ok(to(self))
                }
            }
            (state, _) => Err(TicketError::NotNow(state)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketAction as A;
    use TicketState as S;

    const REAL_NAME: TicketFacts = TicketFacts {
        real_name: true,
        appealed_before: false,
        complaint: false,
        complex: false,
        replied: false,
    };

    fn walk(facts: TicketFacts, steps: &[TicketAction]) -> Result<S, TicketError> {
        steps.iter().try_fold(S::Open, |state, &action| {
            state.apply(action, facts).map(|t| t.to)
        })
    }

    #[test]
    fn a_bad_review_goes_from_visit_to_the_citizens_rating() {
        let steps = [
            A::RecordVisit,
            A::Triage(Triage::Ledger),
            A::RecordRectification,
            A::Reply,
            A::RateFix(FixRating::Satisfied),
        ];
        assert_eq!(walk(REAL_NAME, &steps), Ok(S::Closed));
    }

    #[test]
    fn a_real_name_review_cannot_skip_the_visit() {
        assert_eq!(
            walk(REAL_NAME, &[A::RecordCheckWithoutContact]),
            Err(TicketError::VisitRequired)
        );
        assert_eq!(
            walk(TicketFacts::default(), &[A::RecordCheckWithoutContact]),
            Ok(S::Verified)
        );
    }

    #[test]
    fn an_unhappy_citizen_reopens_and_escalates() {
        let replied = walk(
            REAL_NAME,
            &[A::RecordVisit, A::Triage(Triage::Explain), A::Reply],
        )
        .unwrap();
        let t = replied
            .apply(A::RateFix(FixRating::Dissatisfied), REAL_NAME)
            .unwrap();
        assert_eq!(
            t,
            Transition {
                to: S::Reopened,
                invalidates_evaluation: false,
                escalates: true
            }
        );
        assert_eq!(
            S::Reopened
                .apply(A::Triage(Triage::FixNow), REAL_NAME)
                .unwrap()
                .to,
            S::Rectifying
        );
    }

    #[test]
    fn an_upheld_appeal_invalidates_and_only_one_appeal_is_allowed() {
        let appealed = walk(REAL_NAME, &[A::RecordVisit, A::Triage(Triage::Appeal)]).unwrap();
        assert!(
            appealed
                .apply(A::DecideAppeal { upheld: true }, REAL_NAME)
                .unwrap()
                .invalidates_evaluation
        );
        let rejected = appealed
            .apply(A::DecideAppeal { upheld: false }, REAL_NAME)
            .unwrap();
        assert_eq!(rejected.to, S::Verified);
        assert!(!rejected.invalidates_evaluation);
        let after = TicketFacts {
            appealed_before: true,
            ..REAL_NAME
        };
        assert_eq!(
            S::Verified.apply(A::Triage(Triage::Appeal), after),
            Err(TicketError::AlreadyAppealed)
        );
    }

    #[test]
    fn a_complaint_may_be_found_complex_once_before_the_reply() {
        let complaint = TicketFacts {
            complaint: true,
            ..TicketFacts::default()
        };
        for state in [S::Open, S::Verified, S::Rectifying, S::AwaitingReply] {
            assert_eq!(
                state.apply(A::MarkComplex, complaint).map(|t| t.to),
                Ok(state)
            );
        }
        let marked = TicketFacts {
            complex: true,
            ..complaint
        };
        assert_eq!(
            S::Verified.apply(A::MarkComplex, marked),
            Err(TicketError::AlreadyComplex)
        );
        assert_eq!(
            S::Replied.apply(A::MarkComplex, complaint),
            Err(TicketError::NotNow(S::Replied))
        );
        assert_eq!(
            S::Open.apply(A::MarkComplex, REAL_NAME),
            Err(TicketError::NotAComplaint)
        );
    }

    #[test]
    fn a_visit_needs_five_characters_and_a_reply_text() {
        assert_eq!(
            A::RecordVisit.check_note(None),
            Err(TicketError::VisitNoteTooShort)
        );
        assert_eq!(
            A::RecordVisit.check_note(Some("  已联系  ")),
            Err(TicketError::VisitNoteTooShort)
        );
        assert_eq!(A::RecordVisit.check_note(Some("已电话联系")), Ok(()));
        assert_eq!(
            A::Reply.check_note(Some(" \n ")),
            Err(TicketError::ReplyEmpty)
        );
        assert_eq!(A::Reply.check_note(None), Err(TicketError::ReplyEmpty));
        assert_eq!(A::Reply.check_note(Some("已整改")), Ok(()));
        assert_eq!(A::Triage(Triage::FixNow).check_note(None), Ok(()));
        assert_eq!(TicketError::ReplyEmpty.field(), Some("note"));
        assert!(
            TicketError::VisitNoteTooShort
                .message_zh()
                .contains("回访记录")
        );
        assert!(TicketError::ReplyEmpty.message_zh().contains("答复内容"));
        assert_eq!(TicketError::VisitRequired.field(), None);
    }

    #[test]
    fn action_names_round_trip() {
        for action in A::ALL {
            assert_eq!(A::parse(action.name()), Some(action));
        }
        assert_eq!(A::parse("delete"), None);
    }

    #[test]
    fn state_names_round_trip() {
        for state in S::ALL {
            assert_eq!(S::parse(state.as_str()), Some(state));
        }
        assert_eq!(S::parse("lost"), None);
        assert_eq!(S::parse("Open"), None);
        assert_eq!(S::AwaitingReply.as_str(), "awaiting_reply");
    }

    #[test]
    fn kinds_are_named_as_the_ticket_table_checks() {
        // migrations/0003_ticket.sql: CHECK (kind IN ('bad_review', 'complaint')).
        let names: Vec<_> = TicketKind::ALL.map(TicketKind::as_str).into();
        assert_eq!(names, ["bad_review", "complaint"]);
        for kind in TicketKind::ALL {
            assert_eq!(TicketKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TicketKind::parse("review"), None);
        assert_eq!(TicketKind::Complaint.label_zh(), "投诉");
        assert_eq!(TicketKind::BadReview.label_zh(), "差评");
    }

    #[test]
    fn illegal_steps_are_refused() {
        assert_eq!(
            S::Open.apply(A::Reply, REAL_NAME),
            Err(TicketError::NotNow(S::Open))
        );
        assert_eq!(
            S::Rectifying.apply(A::Reply, REAL_NAME),
            Err(TicketError::NotNow(S::Rectifying))
        );
        assert_eq!(
            S::Closed.apply(A::RecordVisit, REAL_NAME),
            Err(TicketError::NotNow(S::Closed))
        );
        assert_eq!(
            S::Replied.apply(A::DecideAppeal { upheld: true }, REAL_NAME),
            Err(TicketError::NotNow(S::Replied))
        );
    }
}
