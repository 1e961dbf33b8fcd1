//! 时刻 — an instant, as the database stores it: unix milliseconds.

use serde::{Deserialize, Serialize};

use super::{CST_OFFSET_MS, Date, MS_PER_DAY, Month};

/// An instant in unix milliseconds (`created_at`, `opened_at`, `*_due_at` columns). Shown in China
/// time: "2026-02-14 09:30".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_ms(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    pub const fn unix_ms(self) -> i64 {
        self.0
    }

    /// Whole seconds (rounded down), for TOTP and token expiry.
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// The day in China time.
    pub fn date_cst(self) -> Date {
        Date::from_unix_ms_cst(self.0)
    }

    /// The month in China time, as `strftime('%Y%m', ms / 1000 + 28800, 'unixepoch')` computes it.
    pub fn month_cst(self) -> Month {
        Month::of(self)
    }

    /// The hour of the day in China time, 0…23 (`stat_hour.hour`).
    pub fn hour_cst(self) -> u32 {
        (self.0.saturating_add(CST_OFFSET_MS).rem_euclid(MS_PER_DAY) / 3_600_000) as u32
    }

    /// The day a deadline falls on. Deadlines are stored as the end of their day (24:00, the first
    /// instant of the next day), so the day is that of the millisecond before.
    pub fn deadline_date_cst(self) -> Date {
        self.minus_ms(1).date_cst()
    }

    /// This instant moved `ms` milliseconds later (saturating).
    pub const fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// This instant moved `ms` milliseconds earlier (saturating).
    pub const fn minus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_sub(ms))
    }

    /// This instant `days` whole days (of 24 hours) earlier: "the last 7 days" start here.
    pub const fn minus_days(self, days: u32) -> Timestamp {
        self.minus_ms(days as i64 * MS_PER_DAY)
    }

    /// Milliseconds from `earlier` to this instant (negative when `earlier` is later).
    pub const fn minus(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl std::fmt::Display for Timestamp {
    /// China time to the minute: "2026-02-14 09:30".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let minutes = self.0.saturating_add(CST_OFFSET_MS).rem_euclid(MS_PER_DAY) / 60_000;
        write!(
            f,
            "{} {:02}:{:02}",
            self.date_cst(),
            minutes / 60,
            minutes % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-31 16:30 UTC, which is 2026-02-01 00:30 in Beijing.
    const MIDNIGHT_PAST: Timestamp = Timestamp::from_unix_ms(1_769_877_000_000);

    #[test]
    fn shown_in_china_time() {
        assert_eq!(MIDNIGHT_PAST.to_string(), "2026-02-01 00:30");
        assert_eq!(
            MIDNIGHT_PAST.date_cst(),
            Date::from_ymd(2026, 2, 1).unwrap()
        );
        assert_eq!(MIDNIGHT_PAST.hour_cst(), 0);
        assert_eq!(MIDNIGHT_PAST.minus_ms(31 * 60_000).hour_cst(), 23);
        assert_eq!(MIDNIGHT_PAST.month_cst(), Month::new(2026, 2).unwrap());
        assert_eq!(Timestamp::from_unix_ms(0).to_string(), "1970-01-01 08:00");
    }

    #[test]
    fn arithmetic_and_seconds() {
        let t = Timestamp::from_unix_ms(1_500);
        assert_eq!(t.unix_secs(), 1);
        assert_eq!(Timestamp::from_unix_ms(-1).unix_secs(), -1);
        assert_eq!(t.plus_ms(500).unix_ms(), 2_000);
        assert_eq!(t.minus_days(1).unix_ms(), 1_500 - 86_400_000);
        assert_eq!(t.plus_ms(500).minus(t), 500);
        assert_eq!(
            Timestamp::from_unix_ms(i64::MAX).plus_ms(1).unix_ms(),
            i64::MAX
        );
        assert!(t < t.plus_ms(1));
    }

    #[test]
    fn a_deadline_at_the_end_of_a_day_falls_on_that_day() {
        let day = Date::from_ymd(2026, 10, 9).unwrap();
        let due = Timestamp::from_unix_ms(day.end_unix_ms_cst());
        assert_eq!(due.date_cst(), day.next());
        assert_eq!(due.deadline_date_cst(), day);
    }

    #[test]
    fn serialised_as_the_plain_number() {
        let json = serde_json::to_string(&MIDNIGHT_PAST).unwrap();
        assert_eq!(json, "1769877000000");
        assert_eq!(
            serde_json::from_str::<Timestamp>(&json).unwrap(),
            MIDNIGHT_PAST
        );
    }
}
