//! 数据库列 — domain types as column values (SQLite, PostgreSQL, and sqlx's `Any` over both), in exactly the form the migrations and the
//! store have always written them, so that rows cross the database boundary as domain types and
//! never as strings or bare integers.
//!
//! | type | column | stored as |
//! | --- | --- | --- |
//! | [`TicketState`] | `ticket.state`, `ticket_event.from_state/to_state` | TEXT, [`TicketState::as_str`] |
//! | [`TicketKind`] | `ticket.kind` | TEXT, `'bad_review'` / `'complaint'` |
//! | [`Role`] | `account.role` | TEXT, [`Role::as_str`] |
//! | [`HallKind`] | `hall.kind` | TEXT, [`HallKind::as_str`] |
//! | [`ItemType`] | `service_item.item_type` | TEXT, [`ItemType::as_str`] |
//! | [`Channel`] | `evaluation.channel`, `service_occurrence.channel` | TEXT, [`Channel::as_str`] |
//! | [`EvaluationKind`] | `evaluation.kind` | TEXT, [`EvaluationKind::as_str`] |
//! | [`AppealCategory`] | `appeal.category` | TEXT, [`AppealCategory::as_str`] |
//! | [`EvidenceType`] | `appeal_evidence.content_type` | TEXT, the content type |
//! | [`Level`] | `evaluation.level`, `evaluation_follow_up.level` | INTEGER, the interface code 5 … 1 |
//! | [`Timestamp`] | `*_at` columns | INTEGER, unix milliseconds |
//! | [`Month`] | `stat.month`, `stat_reason.month`, `stat_hour.month` | INTEGER, YYYYMM |
//! | `ids::*Id` | the organisation's `id` and `*_id` columns | INTEGER, the row id |
//!
//! A stored value that names nothing is a decoding error, never a default.
//! Only with the `sqlx` feature (the server); the browser builds never see this file.

use sqlx::{
    Any, Database, Decode, Encode, Type, ValueRef,
    any::{AnyTypeInfo, AnyTypeInfoKind},
    encode::IsNull,
    error::BoxDynError,
};

use crate::{
    Channel, Level,
    access::Role,
    appeal::{AppealCategory, EvidenceType},
    ids::{BusinessSystemId, DepartmentId, HallId, RegionId, ServiceItemId, StaffId, WindowId},
    kind::EvaluationKind,
    org::{HallKind, ItemType},
    ticket::{Due, TicketKind, TicketState},
    time::{Month, Timestamp},
    voice::{InspectionMethod, InspectionTarget, OpinionSource},
};

/// A stored name that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a stored {what}")]
pub struct UnknownName {
    /// The type it was read as.
    pub what: &'static str,
    pub name: String,
}

/// TEXT columns holding a stable name: `as_str` to write, `parse` to read. For every backend that
/// reads and writes text (SQLite, PostgreSQL and sqlx's `Any` over them).
macro_rules! stored_as_name {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl<DB: Database> Type<DB> for $ty
        where
            for<'a> &'a str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <&str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <&str as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            &'q str: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <&'q str as Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let name = <&'r str as Decode<'r, DB>>::decode(value)?;
                <$ty>::parse(name).ok_or_else(|| {
                    UnknownName { what: $what, name: name.to_owned() }.into()
                })
            }
        }
    )*};
}

stored_as_name! {
    TicketState => "ticket state",
    EvaluationKind => "evaluation kind",
    TicketKind => "ticket kind",
    Role => "role",
    Channel => "channel",
    HallKind => "hall kind",
    ItemType => "item type",
    OpinionSource => "opinion source",
    InspectionMethod => "inspection method",
    InspectionTarget => "inspection target",
    AppealCategory => "appeal category",
    EvidenceType => "evidence content type",
}

/// INTEGER columns: `to` writes the integer, `from` reads it back or fails.
macro_rules! stored_as_integer {
    ($($ty:ty: $to:expr, $from:expr);* $(;)?) => {$(
        impl<DB: Database> Type<DB> for $ty
        where
            i64: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <i64 as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <i64 as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $ty
        where
            i64: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                let to: fn(&$ty) -> i64 = $to;
                <i64 as Encode<'q, DB>>::encode(to(self), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            i64: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let from: fn(i64) -> Result<$ty, BoxDynError> = $from;
                from(<i64 as Decode<'r, DB>>::decode(value)?)
            }
        }
    )*};
}

stored_as_integer! {
    Level: |l| i64::from(l.interface_code()), |n| Ok(Level::from_interface_code(n)?);
    Timestamp: |t| t.unix_ms(), |n| Ok(Timestamp::from_unix_ms(n));
    Month: |m| m.yyyymm(), |n| Ok(Month::from_yyyymm(n)?);
    RegionId: |id| id.0, |n| Ok(RegionId(n));
    DepartmentId: |id| id.0, |n| Ok(DepartmentId(n));
    HallId: |id| id.0, |n| Ok(HallId(n));
    WindowId: |id| id.0, |n| Ok(WindowId(n));
    StaffId: |id| id.0, |n| Ok(StaffId(n));
    ServiceItemId: |id| id.0, |n| Ok(ServiceItemId(n));
    BusinessSystemId: |id| id.0, |n| Ok(BusinessSystemId(n));
}

/// 是否 — a condition read from the database: PostgreSQL's BOOLEAN (a stored flag or `x IS NULL`),
/// SQLite's 0/1 INTEGER (it has no boolean type). sqlx's `Any` decodes `bool` only from the
/// former, so rows read conditions as `Flag` (`#[sqlx(try_from = "Flag")]` on a `bool` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind() == AnyTypeInfoKind::Bool || ty.kind().is_integer()
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.type_info().kind() == AnyTypeInfoKind::Bool {
            Ok(Flag(<bool as Decode<'r, Any>>::decode(value)?))
        } else {
            Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
        }
    }
}

/// [`TicketKind::due_in`] as an SQL expression over the `ticket` table aliased `table`: the
/// deadline running in the ticket's state (`NULL` when none), for queries that filter or count on
/// it (overdue tickets) and so cannot ask Rust row by row.
pub fn due_at_sql(table: &str) -> String {
    let mut sql = String::from("CASE");
    for kind in TicketKind::ALL {
        for state in TicketState::ALL {
            let Some(due) = kind.due_in(state) else {
                continue;
            };
            let column = match due {
                Due::Contact => "contact_due_at",
                Due::Reply => "reply_due_at",
                Due::State => "state_due_at",
            };
            sql.push_str(&format!(
                " WHEN {table}.kind = '{}' AND {table}.state = '{}' THEN {table}.{column}",
                kind.as_str(),
                state.as_str()
            ));
        }
    }
    sql.push_str(" END");
    sql
}

#[cfg(test)]
mod tests;
