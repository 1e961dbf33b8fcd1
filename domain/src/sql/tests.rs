//! Each mapping against a real in-memory SQLite: what lands in the column, and what comes back.

use sqlx::{Connection, Row, SqliteConnection};

use super::{UnknownName, due_at_sql};
use crate::{
    Channel, Level,
    access::Role,
    appeal::{AppealCategory, EvidenceType},
    ticket::{TicketKind, TicketState},
    time::{Month, Timestamp},
};

async fn db() -> SqliteConnection {
    let mut db = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    // The CHECK constraints of migrations 0002 (level), 0003 (kind) and 0026 (role).
    sqlx::query(
        "CREATE TABLE t (text TEXT, number INTEGER, \
         kind TEXT CHECK (kind IN ('bad_review', 'complaint')), \
         role TEXT CHECK (role IN ('window_staff', 'handler', 'supervisor', 'inspector', 'admin')), \
         level INTEGER CHECK (level BETWEEN 1 AND 5))",
    )
    .execute(&mut db)
    .await
    .unwrap();
    db
}

/// Binds `value`, reads back what SQLite stored (as its own type) and the value decoded again.
async fn round_trip<T>(db: &mut SqliteConnection, value: T) -> (String, T)
where
    T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + for<'r> sqlx::Decode<'r, sqlx::Sqlite>,
    T: sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    let row = sqlx::query("SELECT CAST(?1 AS TEXT) AS stored, typeof(?1) AS type, ?1 AS value")
        .bind(value)
        .fetch_one(db)
        .await
        .unwrap();
    let stored: String = row.get("stored");
    let ty: String = row.get("type");
    (format!("{ty} {stored}"), row.get("value"))
}

#[tokio::test]
async fn names_are_the_ones_the_store_writes() {
    let mut db = db().await;
    let states = [
        "open",
        "verified",
        "rectifying",
        "awaiting_reply",
        "appealed",
        "replied",
        "reopened",
        "closed",
    ];
    for (state, name) in TicketState::ALL.into_iter().zip(states) {
        assert_eq!(
            round_trip(&mut db, state).await,
            (format!("text {name}"), state)
        );
    }
    for (kind, name) in TicketKind::ALL.into_iter().zip(["bad_review", "complaint"]) {
        assert_eq!(
            round_trip(&mut db, kind).await,
            (format!("text {name}"), kind)
        );
    }
    let roles = [
        "window_staff",
        "handler",
        "supervisor",
        "inspector",
        "admin",
    ];
    for (role, name) in Role::ALL.into_iter().zip(roles) {
        assert_eq!(
            round_trip(&mut db, role).await,
            (format!("text {name}"), role)
        );
    }
    for channel in [Channel::QrCode, Channel::SystemDefault, Channel::Pc] {
        let (stored, back) = round_trip(&mut db, channel).await;
        assert_eq!(stored, format!("text {}", channel.as_str()));
        assert_eq!(back, channel);
    }
    assert_eq!(round_trip(&mut db, Channel::QrCode).await.0, "text qr_code");
    for (category, name) in AppealCategory::ALL
        .into_iter()
        .zip(["mistaken", "malicious"])
    {
        assert_eq!(
            round_trip(&mut db, category).await,
            (format!("text {name}"), category)
        );
    }
    assert_eq!(
        round_trip(&mut db, EvidenceType::Png).await,
        ("text image/png".into(), EvidenceType::Png)
    );
}

#[tokio::test]
async fn numbers_are_interface_codes_unix_ms_and_yyyymm() {
    let mut db = db().await;
    for (level, code) in Level::ALL.into_iter().zip([5, 4, 3, 2, 1]) {
        assert_eq!(
            round_trip(&mut db, level).await,
            (format!("integer {code}"), level)
        );
    }
    let t = Timestamp::from_unix_ms(1_769_877_000_123);
    assert_eq!(
        round_trip(&mut db, t).await,
        ("integer 1769877000123".into(), t)
    );
    let m = Month::new(2026, 3).unwrap();
    assert_eq!(round_trip(&mut db, m).await, ("integer 202603".into(), m));
}

#[tokio::test]
async fn the_migrations_checks_accept_every_value() {
    let mut db = db().await;
    for ((kind, role), level) in TicketKind::ALL
        .into_iter()
        .cycle()
        .zip(Role::ALL)
        .zip(Level::ALL.into_iter().cycle())
    {
        sqlx::query("INSERT INTO t (kind, role, level) VALUES (?, ?, ?)")
            .bind(kind)
            .bind(role)
            .bind(level)
            .execute(&mut db)
            .await
            .unwrap();
    }
    let read: Vec<(TicketKind, Role, Level)> = sqlx::query_as("SELECT kind, role, level FROM t")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(read.len(), 5);
    assert_eq!(
        read[4],
        (TicketKind::BadReview, Role::Admin, Level::VeryDissatisfied)
    );
}

/// The error inside sqlx's decoding error, as text.
async fn decode_error<T>(db: &mut SqliteConnection, sql: &str) -> String
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + std::fmt::Debug,
{
    let row = sqlx::query(sql).fetch_one(db).await.unwrap();
    match row.try_get::<T, _>(0) {
        Err(sqlx::Error::ColumnDecode { source, .. }) => source.to_string(),
        other => panic!("{sql}: expected a decoding error, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_stored_values_are_errors_not_defaults() {
    let mut db = db().await;
    assert_eq!(
        decode_error::<TicketState>(&mut db, "SELECT 'lost'").await,
        "\"lost\" is not a stored ticket state"
    );
    assert_eq!(
        decode_error::<Role>(&mut db, "SELECT 'Admin'").await,
        "\"Admin\" is not a stored role"
    );
    assert_eq!(
        decode_error::<TicketKind>(&mut db, "SELECT 'praise'").await,
        "\"praise\" is not a stored ticket kind"
    );
    assert_eq!(
        decode_error::<Channel>(&mut db, "SELECT 'fax'").await,
        "\"fax\" is not a stored channel"
    );
    assert_eq!(
        decode_error::<Level>(&mut db, "SELECT 0").await,
        "0 is not a satisfaction code of the interface table"
    );
    assert_eq!(
        decode_error::<Month>(&mut db, "SELECT 202613").await,
        "202613 is not a month written as YYYYMM"
    );
    let row = sqlx::query("SELECT 'x'").fetch_one(&mut db).await.unwrap();
    let Err(sqlx::Error::ColumnDecode { source, .. }) = row.try_get::<Channel, _>(0) else {
        panic!("a decoding error");
    };
    assert_eq!(
        source.downcast_ref::<UnknownName>(),
        Some(&UnknownName {
            what: "channel",
            name: "x".into()
        })
    );
}

#[tokio::test]
async fn the_generated_due_at_case_reads_the_running_deadline() {
    let mut db = db().await;
    sqlx::query(
        "CREATE TABLE ticket (kind TEXT, state TEXT, contact_due_at INTEGER, \
         reply_due_at INTEGER, state_due_at INTEGER)",
    )
    .execute(&mut db)
    .await
    .unwrap();
    for kind in TicketKind::ALL {
        for state in TicketState::ALL {
            sqlx::query("INSERT INTO ticket VALUES (?, ?, 1, 2, 3)")
                .bind(kind)
                .bind(state)
                .execute(&mut db)
                .await
                .unwrap();
        }
    }
    let sql = format!("SELECT kind, state, {} FROM ticket t", due_at_sql("t"));
    let rows: Vec<(TicketKind, TicketState, Option<i64>)> =
        sqlx::query_as(&sql).fetch_all(&mut db).await.unwrap();
    assert_eq!(rows.len(), 16);
    for (kind, state, due) in &rows {
        let expected = match (kind, state) {
            (_, TicketState::Closed) => None,
            (TicketKind::BadReview, TicketState::Open) => Some(1),
            (TicketKind::Complaint, TicketState::Open) => Some(2),
            _ => Some(3),
        };
        assert_eq!(*due, expected, "{kind:?} {state:?}");
    }
}
