//! 数据库列 — domain types as SQLite column values, in exactly the form the migrations and the
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
    Decode, Encode, Sqlite, Type,
    encode::IsNull,
    error::BoxDynError,
    sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef},
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

/// TEXT columns holding a stable name: `as_str` to write, `parse` to read.
macro_rules! stored_as_name {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl Type<Sqlite> for $ty {
            fn type_info() -> SqliteTypeInfo {
                <&str as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <&str as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, Sqlite>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $ty {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let name = <&str as Decode<'r, Sqlite>>::decode(value)?;
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
        impl Type<Sqlite> for $ty {
            fn type_info() -> SqliteTypeInfo {
                <i64 as Type<Sqlite>>::type_info()
            }

            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <i64 as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                let to: fn(&$ty) -> i64 = $to;
                <i64 as Encode<'q, Sqlite>>::encode(to(self), buf)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $ty {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let from: fn(i64) -> Result<$ty, BoxDynError> = $from;
                from(<i64 as Decode<'r, Sqlite>>::decode(value)?)
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
