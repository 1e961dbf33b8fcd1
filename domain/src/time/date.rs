//! 日期 — a calendar day, without a time of day.

use super::{CST_OFFSET_MS, MS_PER_DAY};

/// A calendar date, stored as days since 1970-01-01 (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// A year, month and day that name no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}-{1}-{2} is not a date")]
pub struct BadDate(pub i32, pub u32, pub u32);

/// The furthest day from 1970 a [`Date`] reaches.
const LIMIT: i64 = 2_000_000_000;

/// Days in `month` of `year`, or `None` for a month that does not exist.
pub(super) fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

impl Date {
    /// Builds a date, checking month and day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, BadDate> {
        match days_in_month(year, month) {
            Some(days) if (1..=days).contains(&day) => {}
            _ => return Err(BadDate(year, month, day)),
        }
        // Days from civil, after Howard Hinnant's algorithm.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Date(era * 146_097 + doe - 719_468))
    }

    /// The date of a Unix time in milliseconds, in China Standard Time (UTC+8, no daylight saving).
    pub fn from_unix_ms_cst(ms: i64) -> Date {
        let days = ms.saturating_add(CST_OFFSET_MS).div_euclid(MS_PER_DAY);
        // Clamped (some five million years either way) so that `ymd` and `next` cannot overflow.
        Date(days.clamp(-LIMIT, LIMIT) as i32)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        ((self.0 + 3).rem_euclid(7) + 1) as u32
    }

    pub fn next(self) -> Date {
        Date(self.0 + 1)
    }

    /// Unix milliseconds of the start of this day (00:00) in China Standard Time.
    pub fn start_unix_ms_cst(self) -> i64 {
        i64::from(self.0) * MS_PER_DAY - CST_OFFSET_MS
    }

    /// Unix milliseconds of the end of this day (24:00) in China Standard Time.
    pub fn end_unix_ms_cst(self) -> i64 {
        (i64::from(self.0) + 1) * MS_PER_DAY - CST_OFFSET_MS
    }

    /// The day as the integer YYYYMMDD, as the database keeps days (`stat_day.day`).
    pub fn yyyymmdd(self) -> i64 {
        let (y, m, d) = self.ymd();
        i64::from(y) * 10_000 + i64::from(m) * 100 + i64::from(d)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn dates_round_trip_and_know_their_weekday() {
        assert_eq!(d(1970, 1, 1), Date(0));
        assert_eq!(d(1970, 1, 1).weekday(), 4);
        assert_eq!(d(2026, 2, 14).weekday(), 6, "a Saturday");
        assert_eq!(d(2026, 9, 20).weekday(), 7, "a Sunday");
        for (y, m, day) in [(2024, 2, 29), (2026, 12, 31), (2000, 3, 1), (1969, 12, 31)] {
            assert_eq!(d(y, m, day).ymd(), (y, m, day));
        }
        assert_eq!(Date::from_ymd(2026, 2, 29), Err(BadDate(2026, 2, 29)));
        assert_eq!(Date::from_ymd(2026, 13, 1), Err(BadDate(2026, 13, 1)));
        assert_eq!(Date::from_ymd(2026, 4, 0), Err(BadDate(2026, 4, 0)));
        assert_eq!(d(2026, 10, 1).to_string(), "2026-10-01");
    }

    #[test]
    fn china_time_decides_the_date() {
        // 2026-01-31 16:30 UTC is 2026-02-01 00:30 in Beijing.
        let ms = 1_769_877_000_000;
        assert_eq!(Date::from_unix_ms_cst(ms), d(2026, 2, 1));
        assert_eq!(Date::from_unix_ms_cst(1_769_875_199_999), d(2026, 1, 31));
        assert_eq!(d(2026, 2, 1).end_unix_ms_cst(), 1_769_961_600_000);
        assert_eq!(d(2026, 2, 1).start_unix_ms_cst(), 1_769_875_200_000);
        let far = Date::from_unix_ms_cst(i64::MAX);
        assert_eq!(far, Date(2_000_000_000));
        assert!(far.ymd().0 > 5_000_000 && far.next() > far);
        assert!(Date::from_unix_ms_cst(i64::MIN).ymd().0 < -5_000_000);
    }

    #[test]
    fn days_are_written_as_yyyymmdd_in_the_database() {
        assert_eq!(d(2026, 3, 9).yyyymmdd(), 20260309);
        assert_eq!(d(2025, 12, 31).yyyymmdd(), 20251231);
    }
}
