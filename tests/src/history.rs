//! A history of writes that reaches every aggregate and outbox the database keeps, written with
//! the same statements the store uses, identically on either backend ([`Backend`]): an
//! organisation; occurrences of every kind (case, visit, walk-in, 综合点评, 监督查评, a county's
//! reported ones) rated at every level on every channel with reasons ([`ratings`]); a ticket per
//! 差评 taken along the paths of `domain::ticket` — return visits, rectification, replies, the
//! citizen's rating of the fix, appeals upheld (invalidating the rating) and rejected — and
//! complaints from the form and from 12345 replied on time, late and after being marked complex
//! ([`tickets`]); 差评转送12345 switched on halfway; a follow-up rating, an erasure and an
//! organisation change before the last appeals are decided.

mod ratings;
mod tickets;

use domain::{Channel, ticket::TicketAction as A};

use crate::backends::{Arg, Backend};
use ratings::{Rating, occurrence, rate, reported};
use tickets::{complaint, step};

/// 2026-03-02 09:00 and 2026-04-13 10:00, China time: two months of service.
pub const MARCH: i64 = 1_772_413_200_000;
pub const APRIL: i64 = 1_776_045_600_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The ids of the organisation the history rates.
struct Org {
    departments: [i64; 2],
    hall: i64,
    windows: [i64; 2],
    staff: i64,
    items: [i64; 2],
    system: i64,
    account: i64,
}

/// Writes the whole history.
pub async fn write(db: &mut Backend) {
    let org = organisation(db).await;
    let mut n = 0;
    let mut appealed = Vec::new();
    // Every level on every channel, in two months, with and without a window.
    for (i, channel) in Channel::ALL.into_iter().enumerate() {
        for level in 1..=5 {
            let at = if (i + level as usize) % 4 == 3 {
                APRIL
            } else {
                MARCH
            };
            let rating = Rating {
                kind: "case",
                channel,
                level,
                at: at + (n as i64) * 37 * MINUTE,
                department: n % 2,
                with_window: n % 3 != 0,
                evaluator_type: (n % 7 != 0).then_some((n % 6) as i64 + 1),
                anonymous: n % 4 == 0,
                phone: false,
            };
            appealed.extend(rate(db, &org, rating, n).await);
            n += 1;
            if n == 20 {
                // 差评转送12345 from here on.
                db.run(
                    "INSERT INTO setting (key, value, updated_at) VALUES ('forward', $1, $2)",
                    &[
                        r#"{"enabled": true, "url": "http://12345.example"}"#.into(),
                        MARCH.into(),
                    ],
                )
                .await;
            }
        }
    }
    for (kind, channel, level) in [
        ("visit", Channel::QrCode, 5),
        ("visit", Channel::HallDevice, 3),
        ("visit", Channel::QrCode, 1),
        ("visit", Channel::QrCode, 2),
        ("walk_in", Channel::QrCode, 5),
        ("walk_in", Channel::QrCode, 2),
        ("walk_in", Channel::QrCode, 1),
        ("walk_in", Channel::QrCode, 1),
        ("general", Channel::Pc, 5),
        ("general", Channel::Mobile, 4),
        ("general", Channel::Pc, 2),
        ("general", Channel::Phone, 1),
        ("inspection", Channel::Pc, 5),
        ("inspection", Channel::Pc, 3),
        ("inspection", Channel::Pc, 1),
        ("inspection", Channel::Pc, 2),
    ] {
        let rating = Rating {
            kind,
            channel,
            level,
            at: MARCH + (n as i64) * 53 * MINUTE,
            department: n % 2,
            with_window: kind != "general" || n % 2 == 0,
            evaluator_type: None,
            anonymous: false,
            phone: false,
        };
        appealed.extend(rate(db, &org, rating, n).await);
        n += 1;
    }
    reported(db, &org).await;
    for c in 0..8 {
        complaint(db, &org, c).await;
    }
    unrated_and_refused(db, &org).await;
    // The city's department moves to a new county before the waiting appeals (a walk-in's, an
    // inspection's, a case's) are upheld. SQLite's UPDATE takes a rating's counts out of the
    // rows its scopes have now; the new county has no walk-in or inspection row that month, so
    // nothing is taken out there (PostgreSQL must not leave negative rows either), while its
    // `stat` row is made first by the decision itself (appeals_upheld).
    let county = db
        .run(
            "INSERT INTO region (code, name) VALUES ('341126', '新设县') RETURNING id",
            &[],
        )
        .await;
    db.run(
        "UPDATE department SET region_id = $1 WHERE id = $2",
        &[county.into(), org.departments[1].into()],
    )
    .await;
    assert!(appealed.len() >= 2, "appeals waiting: {}", appealed.len());
    for mut ticket in appealed {
        step(db, &org, &mut ticket, A::DecideAppeal { upheld: true }).await;
    }
}

async fn organisation(db: &mut Backend) -> Org {
    db.begin().await;
    let id = |v: Option<i64>| v.expect("id");
    let city = id(db
        .run(
            "INSERT INTO region (code, name) VALUES ('341100', '示范市') RETURNING id",
            &[],
        )
        .await);
    let county = id(db
        .run(
            "INSERT INTO region (code, name, parent_id) VALUES ('341125', '示范县', $1) RETURNING id",
            &[city.into()],
        )
        .await);
    let department =
        "INSERT INTO department (region_id, code, name) VALUES ($1, $2, $3) RETURNING id";
    let d1 = id(db
        .run(
            department,
            &[county.into(), "BDC".into(), "县不动产登记中心".into()],
        )
        .await);
    let d2 = id(db
        .run(department, &[city.into(), "SBJ".into(), "市社保局".into()])
        .await);
    let hall = id(db
        .run(
            "INSERT INTO hall (region_id, code, name) VALUES ($1, 'H1', '示范县政务服务中心') RETURNING id",
            &[county.into()],
        )
        .await);
    let window = "INSERT INTO service_window (hall_id, department_id, code, number, name, ecode) \
                  VALUES ($1, $2, $3, $4, '窗口', $5) RETURNING id";
    let w1 = id(db
        .run(
            window,
            &[
                hall.into(),
                d1.into(),
                "H1-A01".into(),
                "A01".into(),
                "E1".into(),
            ],
        )
        .await);
    let w2 = id(db
        .run(
            window,
            &[
                hall.into(),
                d2.into(),
                "H1-B01".into(),
                "B01".into(),
                "E2".into(),
            ],
        )
        .await);
    let staff = id(db
        .run(
            "INSERT INTO staff (department_id, window_id, staff_no, name) VALUES ($1, $2, 'S001', '王芳') RETURNING id",
            &[d1.into(), w1.into()],
        )
        .await);
    let item =
        "INSERT INTO service_item (department_id, code, name) VALUES ($1, $2, '事项') RETURNING id";
    let i1 = id(db.run(item, &[d1.into(), "000112001000".into()]).await);
    let i2 = id(db.run(item, &[d2.into(), "000112002000".into()]).await);
    let system = id(db
        .run(
            "INSERT INTO business_system (name, api_key_hash, created_at) VALUES ('一网通办', $1, $2) RETURNING id",
            &[Arg::Bytes(b"key-hash"), MARCH.into()],
        )
        .await);
    let account = id(db
        .run(
            "INSERT INTO account (username, password_hash, role, department_id, created_at) \
             VALUES ('bdc', 'x', 'handler', $1, $2) RETURNING id",
            &[d1.into(), MARCH.into()],
        )
        .await);
    db.commit().await;
    Org {
        departments: [d1, d2],
        hall,
        windows: [w1, w2],
        staff,
        items: [i1, i2],
        system,
        account,
    }
}

/// Occurrences never rated (they count in 评价率's denominator); a follow-up rating; an erasure,
/// the one change of a rating allowed; and changes both backends refuse.
async fn unrated_and_refused(db: &mut Backend, org: &Org) {
    for n in 0..3 {
        let rating = Rating {
            kind: "case",
            channel: Channel::Sms,
            level: 5,
            at: APRIL + n * HOUR,
            department: n as usize % 2,
            with_window: true,
            evaluator_type: None,
            anonymous: false,
            phone: false,
        };
        occurrence(db, org, rating, 1000 + n as usize).await;
    }
    // Ids are the store's to read back (PostgreSQL's sequences skip the values an
    // `ON CONFLICT DO NOTHING` drew), so rows are named by their tracking codes.
    let first = "(SELECT id FROM evaluation WHERE tracking_code = 'T000000')";
    db.run(
        &format!(
            "INSERT INTO evaluation_follow_up (evaluation_id, level, comment, created_at) \
             SELECT {first}, 4, '后来解决了', $1"
        ),
        &[APRIL.into()],
    )
    .await;
    db.begin().await;
    db.run(
        &format!(
            "INSERT INTO erasure (evaluation_id, erased_at, reason) SELECT {first}, $1, '本人申请'"
        ),
        &[APRIL.into()],
    )
    .await;
    let erased = db
        .run(
            &format!(
                "UPDATE evaluation SET comment = NULL, phone_enc = NULL WHERE id = {first} \
                 RETURNING id"
            ),
            &[],
        )
        .await;
    assert!(erased.is_some(), "{}: the erasure", db.name());
    db.commit().await;
    for refused in [
        "UPDATE evaluation SET level = 5 WHERE tracking_code = 'T000002'",
        "DELETE FROM evaluation_reason WHERE evaluation_id = \
         (SELECT id FROM evaluation WHERE tracking_code = 'T000002')",
        "DELETE FROM ticket_event WHERE id = (SELECT min(id) FROM ticket_event)",
        "UPDATE evaluation_invalidation SET reason = '' WHERE evaluation_id = \
         (SELECT min(evaluation_id) FROM evaluation_invalidation)",
        // Evidence for an appeal already decided.
        "INSERT INTO appeal_evidence (appeal_id, ticket_id, stored_name, original_name, \
         content_type, size, sha256, uploaded_by, uploaded_at) SELECT id, ticket_id, \
         'ffffffffffffffffffffffffffffffff', 'x.pdf', 'application/pdf', 1, \
         '0000000000000000000000000000000000000000000000000000000000000000', filed_by, filed_at \
         FROM appeal ORDER BY id LIMIT 1",
    ] {
        assert!(
            db.try_run(refused, &[]).await.is_err(),
            "{} accepted: {refused}",
            db.name()
        );
    }
}
