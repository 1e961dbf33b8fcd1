//! 时间 — time values as types: an instant ([`Timestamp`], unix milliseconds), a calendar day
//! ([`Date`]) and a calendar month ([`Month`], the period of the published figures).
//!
//! Days and months are those of China Standard Time (UTC+8, no daylight saving), the time every
//! deadline and every figure is counted in. Nothing here reads the clock: the caller passes "now".

mod date;
mod month;
mod timestamp;

pub use date::{BadDate, Date};
pub use month::{Month, MonthError};
pub use timestamp::Timestamp;

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;

/// China Standard Time's offset from UTC, in milliseconds (the SQL writes it as 28800 seconds).
pub const CST_OFFSET_MS: i64 = 8 * 3_600_000;
