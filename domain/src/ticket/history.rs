//! What a ticket's history (`ticket_event.action`) tells the state machine, and the citizen's
//! follow-up rating (追评) that a closed ticket allows.

use super::{TicketAction, TicketFacts, TicketKind, TicketState};

impl TicketFacts {
    /// The facts of a ticket of `kind`, with contact details left (`real_name`) or not, from the
    /// names of the actions in its history: an appeal was decided (either way) before; the
    /// complaint was found complex; the citizen was replied to. Names that are not actions (`open`, `escalate_overdue`) count
    /// for nothing.
    pub fn from_history<'a>(
        kind: TicketKind,
        real_name: bool,
        actions: impl IntoIterator<Item = &'a str>,
    ) -> TicketFacts {
        let mut facts = TicketFacts {
            real_name,
            appealed_before: false,
            complaint: kind == TicketKind::Complaint,
            complex: false,
            replied: false,
        };
        for action in actions.into_iter().filter_map(TicketAction::parse) {
            match action {
                TicketAction::DecideAppeal { .. } => facts.appealed_before = true,
                TicketAction::MarkComplex => facts.complex = true,
                TicketAction::Reply => facts.replied = true,
                _ => {}
            }
        }
        facts
    }
}

impl TicketState {
    /// 追评 — whether the evaluator may add the one follow-up rating to their bad review: once its
    /// ticket is closed (rectified and answered), and only if none was given yet.
    pub fn takes_follow_up(self, already_given: bool) -> bool {
        !already_given && self == TicketState::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store's SQL (`action LIKE 'decide_appeal%'`, `action = 'mark_complex'`) and the
    /// service's `starts_with`, transcribed.
    fn old_facts(actions: &[&str]) -> (bool, bool) {
        (
            actions.iter().any(|a| a.starts_with("decide_appeal")),
            actions.contains(&"mark_complex"),
        )
    }

    #[test]
    fn history_gives_the_same_facts_as_before() {
        let mut every_name: Vec<&str> = TicketAction::ALL.map(TicketAction::name).into();
        every_name.extend(["open", "escalate_overdue"]);
        for name in &every_name {
            for kind in TicketKind::ALL {
                let facts = TicketFacts::from_history(kind, true, ["open", *name]);
                let (appealed, complex) = old_facts(&["open", name]);
                assert_eq!(
                    (facts.appealed_before, facts.complex),
                    (appealed, complex),
                    "{name}"
                );
                assert_eq!(facts.complaint, kind == TicketKind::Complaint);
                assert!(facts.real_name);
            }
        }
        let none = TicketFacts::from_history(TicketKind::BadReview, false, []);
        assert_eq!(none, TicketFacts::default());
        let both = TicketFacts::from_history(
            TicketKind::Complaint,
            false,
            [
                "open",
                "mark_complex",
                "triage_appeal",
                "decide_appeal_rejected",
            ],
        );
        assert!(both.appealed_before && both.complex && both.complaint);
        assert!(!both.replied);
        let reopened = TicketFacts::from_history(TicketKind::Complaint, false, ["open", "reply"]);
        assert!(reopened.replied);
    }

    #[test]
    fn a_follow_up_once_the_ticket_is_closed_and_only_once() {
        for state in TicketState::ALL {
            assert_eq!(state.takes_follow_up(false), state == TicketState::Closed);
            assert!(!state.takes_follow_up(true));
        }
    }
}
