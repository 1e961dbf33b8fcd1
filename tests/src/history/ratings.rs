//! The occurrences of the history and their ratings, with the 差评's tickets.

use domain::{
    Channel,
    ticket::{TicketFacts, TicketState},
};

use super::{APRIL, HOUR, MINUTE, Org, tickets};
use crate::backends::{Arg, Backend};

/// What an occurrence is, and how it is rated.
#[derive(Clone, Copy)]
pub(super) struct Rating {
    pub(super) kind: &'static str,
    pub(super) channel: Channel,
    pub(super) level: i64,
    pub(super) at: i64,
    /// Index into the organisation's departments; its window, staff and item go with it.
    pub(super) department: usize,
    pub(super) with_window: bool,
    pub(super) evaluator_type: Option<i64>,
    pub(super) anonymous: bool,
    /// The citizen left a phone: a 实名差评.
    pub(super) phone: bool,
}

/// The occurrence of `r` with its side rows (the visit, the opinion, the inspection).
pub(super) async fn occurrence(db: &mut Backend, org: &Org, r: Rating, n: usize) -> i64 {
    let d = r.department;
    let window = r.with_window.then_some(org.windows[d]);
    let staff = (r.with_window && d == 0).then_some(org.staff);
    let item = (r.kind == "case" || r.kind == "visit").then_some(org.items[d]);
    let case = format!("CASE-{n}");
    let occurrence = db
        .run(
            "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
             department_id, window_id, staff_id, channel, business_system_id, registered_at, \
             evaluator_type, anonymous, kind) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                case.as_str().into(),
                item.into(),
                org.departments[d].into(),
                window.into(),
                staff.into(),
                r.channel.as_str().into(),
                (r.kind == "case").then_some(org.system).into(),
                r.at.into(),
                r.evaluator_type.into(),
                r.anonymous.into(),
                r.kind.into(),
            ],
        )
        .await
        .expect("occurrence");
    match r.kind {
        "visit" => {
            let code = format!("V{n:05}");
            db.run(
                "INSERT INTO hall_visit (business_system_id, hall_id, queue_no, day, window_id, \
                 taken_at, called_at, finished_at, code, occurrence_id, updated_at) \
                 VALUES ($1, $2, $3, 20260302, $4, $5, $5, $5, $3, $6, $5)",
                &[
                    org.system.into(),
                    org.hall.into(),
                    code.as_str().into(),
                    org.windows[d].into(),
                    r.at.into(),
                    occurrence.into(),
                ],
            )
            .await;
        }
        "general" => {
            let (source, typed_by) = if n.is_multiple_of(2) {
                ("web", None)
            } else {
                ("box", Some(org.account))
            };
            db.run(
                "INSERT INTO general_opinion (occurrence_id, source, hall_id, typed_by) VALUES ($1, $2, $3, $4)",
                &[occurrence.into(), source.into(), org.hall.into(), typed_by.into()],
            )
            .await;
        }
        "inspection" => {
            db.run(
                "INSERT INTO inspection (occurrence_id, inspection_no, target, hall_id, method, \
                 findings, account_id, created_at) VALUES ($1, $2, 'hall', $3, $4, '窗口无人', $5, $6)",
                &[
                    occurrence.into(),
                    format!("JC-{n}").as_str().into(),
                    org.hall.into(),
                    if n.is_multiple_of(2) { "covert" } else { "open" }.into(),
                    org.account.into(),
                    r.at.into(),
                ],
            )
            .await;
        }
        _ => {}
    }
    occurrence
}

/// The evaluation (in the occurrence's transaction for the voices, the product's order), its
/// reasons and, for a 差评, its ticket; then the ticket's path.
pub(super) async fn rate(
    db: &mut Backend,
    org: &Org,
    mut r: Rating,
    n: usize,
) -> Option<tickets::Ticket> {
    let steps = tickets::path(n, false);
    r.phone = tickets::needs_phone(&steps);
    db.begin().await;
    let occurrence = occurrence(db, org, r, n).await;
    let created = r.at + (n as i64 % 5) * 11 * MINUTE;
    let evaluation = db
        .run(
            "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, \
             comment, phone_enc, channel, created_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $7) \
             ON CONFLICT (occurrence_id) DO NOTHING RETURNING id",
            &[
                occurrence.into(),
                format!("T{n:06}").as_str().into(),
                r.level.into(),
                (r.level <= 2).then_some("等了很久").into(),
                if r.phone {
                    Arg::Bytes(b"sealed")
                } else {
                    Arg::NullBytes
                },
                r.channel.as_str().into(),
                created.into(),
            ],
        )
        .await
        .expect("evaluation");
    let reasons: &[i64] = match r.level {
        1 | 2 => &[213, 214],
        3 => &[310],
        _ => &[510],
    };
    for code in reasons {
        db.run(
            "INSERT INTO evaluation_reason (evaluation_id, reason_code) VALUES ($1, $2)",
            &[evaluation.into(), (*code).into()],
        )
        .await;
    }
    let ticket = if r.level <= 2 {
        let id = db
            .run(
                "INSERT INTO ticket (kind, evaluation_id, department_id, state, real_name, \
                 opened_at, contact_due_at, updated_at, service_registered_at) SELECT 'bad_review', \
                 $1, department_id, 'open', $2, $3, $4, $3, registered_at FROM service_occurrence \
                 WHERE id = $5 RETURNING id",
                &[
                    evaluation.into(),
                    r.phone.into(),
                    created.into(),
                    (created + 24 * HOUR).into(),
                    occurrence.into(),
                ],
            )
            .await
            .expect("ticket");
        tickets::opened(db, id, created).await;
        Some(tickets::Ticket {
            id,
            state: TicketState::Open,
            facts: TicketFacts {
                real_name: r.phone,
                ..TicketFacts::default()
            },
            updated_at: created,
            evaluation: Some(evaluation),
        })
    } else {
        None
    };
    db.commit().await;
    // A second rating of the same occurrence is refused and counts nothing.
    let again = db
        .run(
            "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, \
             channel, created_at) VALUES ($1, $2, 5, 1, 'pc', $3) \
             ON CONFLICT (occurrence_id) DO NOTHING RETURNING id",
            &[
                occurrence.into(),
                format!("X{n:06}").as_str().into(),
                created.into(),
            ],
        )
        .await;
    assert_eq!(again, None, "{}: a second rating", db.name());
    let mut ticket = ticket?;
    for action in steps {
        tickets::step(db, org, &mut ticket, action).await;
    }
    // Returned while its appeal waits for the decision.
    (ticket.state == TicketState::Appealed).then_some(ticket)
}

/// Ratings a province received from a county: each one's kind set after the insert, as
/// `upward::receive` does; one invalidated by the county.
pub(super) async fn reported(db: &mut Backend, org: &Org) {
    for (n, (level, kind)) in [(5, "case"), (1, "visit"), (4, "default")]
        .into_iter()
        .enumerate()
    {
        db.begin().await;
        let occurrence = db
            .run(
                "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, \
                 department_id, channel, business_system_id, registered_at, kind) \
                 VALUES ($1, 1, $2, $3, 'pc', $4, $5, 'reported') RETURNING id",
                &[
                    format!("COUNTY-{n}").as_str().into(),
                    org.items[0].into(),
                    org.departments[0].into(),
                    org.system.into(),
                    (APRIL + n as i64 * HOUR).into(),
                ],
            )
            .await;
        let evaluation = db
            .run(
                "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, \
                 channel, created_at) VALUES ($1, $2, $3, 1, 'pc', $4) RETURNING id",
                &[
                    occurrence.into(),
                    format!("R{n:06}").as_str().into(),
                    level.into(),
                    (APRIL + n as i64 * HOUR).into(),
                ],
            )
            .await;
        db.run(
            "UPDATE evaluation SET kind = $1 WHERE id = $2",
            &[kind.into(), evaluation.into()],
        )
        .await;
        if level == 1 {
            db.run(
                "INSERT INTO evaluation_reason (evaluation_id, reason_code) VALUES ($1, 213)",
                &[evaluation.into()],
            )
            .await;
            db.run(
                "INSERT INTO evaluation_invalidation (evaluation_id, reason, at, received_from) \
                 VALUES ($1, '县级申诉成立', $2, $3)",
                &[evaluation.into(), APRIL.into(), org.system.into()],
            )
            .await;
        }
        db.commit().await;
    }
}
