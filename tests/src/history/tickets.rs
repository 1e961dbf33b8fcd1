//! The tickets' paths and steps, and the complaints.

use domain::ticket::{FixRating, TicketAction as A, TicketFacts, TicketState, Triage};

use super::{APRIL, HOUR, MARCH, Org};
use crate::backends::{Arg, Backend};

/// A ticket as the history drives it.
pub(super) struct Ticket {
    pub(super) id: i64,
    pub(super) state: TicketState,
    pub(super) facts: TicketFacts,
    pub(super) updated_at: i64,
    pub(super) evaluation: Option<i64>,
}

/// The ticket paths a 差评 or complaint takes, by index.
pub(super) fn path(n: usize, complaint: bool) -> Vec<A> {
    let explain = [A::Triage(Triage::Explain), A::Reply];
    let paths: [Vec<A>; 8] = [
        vec![
            A::RecordVisit,
            A::Triage(Triage::FixNow),
            A::RecordRectification,
            A::Reply,
            A::RateFix(FixRating::Satisfied),
        ],
        [A::RecordCheckWithoutContact]
            .into_iter()
            .chain(explain)
            .chain([
                A::RateFix(FixRating::Dissatisfied),
                A::Triage(Triage::Ledger),
                A::RecordRectification,
                A::Reply,
                A::CloseUnrated,
            ])
            .collect(),
        vec![
            A::RecordVisitAttempt,
            A::RecordVisit,
            A::Triage(Triage::Appeal),
            A::DecideAppeal { upheld: true },
        ],
        [
            A::RecordVisit,
            A::Triage(Triage::Appeal),
            A::DecideAppeal { upheld: false },
        ]
        .into_iter()
        .chain(explain)
        .chain([A::RateFix(FixRating::BasicallySatisfied)])
        .collect(),
        vec![
            A::RecordCheckWithoutContact,
            A::Triage(Triage::Appeal),
            A::DecideAppeal { upheld: true },
        ],
        vec![A::RecordVisitAttempt],
        // Appealed after a round of rectification the citizen was not satisfied with: the
        // invalidation takes the reply and the rating of the fix out too.
        [A::RecordCheckWithoutContact]
            .into_iter()
            .chain(explain)
            .chain([
                A::RateFix(FixRating::Dissatisfied),
                A::Triage(Triage::Appeal),
                A::DecideAppeal { upheld: true },
            ])
            .collect(),
        // Left waiting for the decision (taken at the end of the history).
        vec![A::RecordCheckWithoutContact, A::Triage(Triage::Appeal)],
    ];
    let mut chosen = paths[n % paths.len()].clone();
    if complaint {
        chosen.retain(|a| !matches!(a, A::Triage(Triage::Appeal) | A::DecideAppeal { .. }));
        if n.is_multiple_of(3) {
            chosen.insert(0, A::MarkComplex);
        }
    }
    chosen
}

/// Whether the path needs a citizen who left a phone (a visit that reaches them).
pub(super) fn needs_phone(path: &[A]) -> bool {
    path.contains(&A::RecordVisit)
}

pub(super) async fn opened(db: &mut Backend, ticket: i64, at: i64) {
    db.run(
        "INSERT INTO ticket_event (ticket_id, actor, action, to_state, at) VALUES ($1, 'system', 'open', 'open', $2)",
        &[ticket.into(), at.into()],
    )
    .await;
}

/// One step as `Store::apply_ticket_step` writes it: the guarded state change, the history line,
/// the return visit, the appeal with a piece of evidence, the invalidation.
pub(super) async fn step(db: &mut Backend, org: &Org, ticket: &mut Ticket, action: A) {
    let transition = ticket
        .state
        .apply(action, ticket.facts)
        .unwrap_or_else(|e| panic!("{action:?} from {:?}: {e}", ticket.state));
    let at = ticket.updated_at + 3 * HOUR;
    db.begin().await;
    let moved = db
        .run(
            "UPDATE ticket SET state = $1, escalated = escalated OR $2, updated_at = $3 \
             WHERE id = $4 AND state = $5 AND updated_at = $6 RETURNING id",
            &[
                transition.to.as_str().into(),
                transition.escalates.into(),
                at.into(),
                ticket.id.into(),
                ticket.state.as_str().into(),
                ticket.updated_at.into(),
            ],
        )
        .await;
    assert_eq!(moved, Some(ticket.id));
    let note = match action {
        A::Reply => Some("已答复群众，问题已解决"),
        A::RecordVisit | A::RecordVisitAttempt => Some("电话回访，群众反映属实"),
        _ => None,
    };
    let event = db
        .run(
            "INSERT INTO ticket_event (ticket_id, actor, action, from_state, to_state, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                ticket.id.into(),
                format!("account:{}", org.account).as_str().into(),
                action.name().into(),
                ticket.state.as_str().into(),
                transition.to.as_str().into(),
                note.into(),
                at.into(),
            ],
        )
        .await
        .expect("event");
    if action.is_visit() {
        let reached = action == A::RecordVisit;
        db.run(
            "INSERT INTO return_visit (event_id, ticket_id, visited_at, method, reached, \
             substantiated, reasonable) VALUES ($1, $2, $3, 'phone', $4, $5, $6)",
            &[
                event.into(),
                ticket.id.into(),
                at.into(),
                reached.into(),
                if reached {
                    Arg::Bool(true)
                } else {
                    Arg::NullBool
                },
                if reached {
                    Arg::Bool(false)
                } else {
                    Arg::NullBool
                },
            ],
        )
        .await;
    }
    if action == A::Triage(Triage::Appeal) {
        let appeal = db
            .run(
                "INSERT INTO appeal (ticket_id, event_id, category, filed_by, filed_at) \
                 VALUES ($1, $2, 'mistaken', $3, $4) RETURNING id",
                &[
                    ticket.id.into(),
                    event.into(),
                    org.account.into(),
                    at.into(),
                ],
            )
            .await;
        db.run(
            "INSERT INTO appeal_evidence (appeal_id, ticket_id, stored_name, original_name, \
             content_type, size, sha256, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, '说明.pdf', 'application/pdf', 1000, $4, $5, $6)",
            &[
                appeal.into(),
                ticket.id.into(),
                format!("{:032x}", ticket.id).as_str().into(),
                "0".repeat(64).as_str().into(),
                org.account.into(),
                at.into(),
            ],
        )
        .await;
        ticket.facts.appealed_before = true;
    }
    if let (true, Some(evaluation)) = (transition.invalidates_evaluation, ticket.evaluation) {
        db.run(
            "INSERT INTO evaluation_invalidation (evaluation_id, ticket_id, decided_by, reason, at) \
             VALUES ($1, $2, $3, '申诉成立', $4)",
            &[evaluation.into(), ticket.id.into(), org.account.into(), at.into()],
        )
        .await;
    }
    db.commit().await;
    ticket.state = transition.to;
    ticket.updated_at = at;
    ticket.facts.complex |= action == A::MarkComplex;
    ticket.facts.replied |= action == A::Reply;
}

/// Complaint `c`: from the form or referred by 12345 / the website, replied on time, late or
/// without a due date, some marked complex first.
pub(super) async fn complaint(db: &mut Backend, org: &Org, c: usize) {
    let steps = path(c, true);
    let phone = needs_phone(&steps);
    let opened_at = if c.is_multiple_of(2) { MARCH } else { APRIL } + c as i64 * HOUR;
    // Steps come three hours apart: a reply at the third or later step is late against 7 hours.
    let reply_due_at = match c % 4 {
        1 => Some(opened_at + 7 * HOUR),
        2 => None,
        _ => Some(opened_at + 48 * HOUR),
    };
    let d = c % 2;
    db.begin().await;
    let complaint = db
        .run(
            "INSERT INTO complaint (tracking_code, department_id, service_item_id, description, \
             contact_phone_enc, created_at) VALUES ($1, $2, $3, '窗口中午无人', $4, $5) RETURNING id",
            &[
                format!("C{c:06}").as_str().into(),
                org.departments[d].into(),
                (c % 4 != 3).then_some(org.items[d]).into(),
                if phone { Arg::Bytes(b"sealed") } else { Arg::NullBytes },
                opened_at.into(),
            ],
        )
        .await;
    if let Some(source) = [None, Some("12345"), Some("website"), Some("12345")][c % 4] {
        db.run(
            "INSERT INTO referral (complaint_id, business_system_id, source, external_id, \
             category, received_at, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4, 'complaint', $5, $6, $5) ON CONFLICT (source, external_id) DO NOTHING",
            &[
                complaint.into(),
                org.system.into(),
                source.into(),
                format!("GD-{c}").as_str().into(),
                opened_at.into(),
                Arg::Bytes(b"fingerprint"),
            ],
        )
        .await;
    }
    let id = db
        .run(
            "INSERT INTO ticket (kind, complaint_id, department_id, state, real_name, opened_at, \
             reply_due_at, updated_at) VALUES ('complaint', $1, $2, 'open', $3, $4, $5, $4) RETURNING id",
            &[
                complaint.into(),
                org.departments[d].into(),
                phone.into(),
                opened_at.into(),
                reply_due_at.into(),
            ],
        )
        .await
        .expect("ticket");
    opened(db, id, opened_at).await;
    db.commit().await;
    let mut ticket = Ticket {
        id,
        state: TicketState::Open,
        facts: TicketFacts {
            real_name: phone,
            complaint: true,
            ..TicketFacts::default()
        },
        updated_at: opened_at,
        evaluation: None,
    };
    for action in steps {
        step(db, org, &mut ticket, action).await;
    }
}
