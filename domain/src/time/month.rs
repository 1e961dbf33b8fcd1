//! 月份 — a calendar month, the period of the published figures and the monthly report.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Date, Timestamp, date::days_in_month};

/// A calendar month of the years 1…9999. The database keeps it as the integer YYYYMM
/// ([`Month::yyyymm`]), forms and links as "YYYY-MM" ([`Month::parse`], `Display`, serde).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

/// A month that could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("{year}-{month} is not a month")]
    NotAMonth { year: i64, month: i64 },
    #[error("{0} is not a month written as YYYYMM")]
    NotYyyymm(i64),
    #[error("{0:?} is not a month written as YYYY-MM")]
    NotYyyyDashMm(String),
    #[error("{0} is not between {min} and {max}", min = Month::SERVED_FROM, max = Month::SERVED_TO)]
    NotServed(Month),
}

impl MonthError {
    /// The message for a form or a link that named a month.
    pub fn message_zh(&self) -> &'static str {
        "月份格式应为 YYYY-MM"
    }
}

impl Month {
    /// The first month a form or link may ask for.
    pub const SERVED_FROM: Month = Month {
        year: 2000,
        month: 1,
    };
    /// The last month a form or link may ask for.
    pub const SERVED_TO: Month = Month {
        year: 2100,
        month: 12,
    };

    /// Checks year (1…9999) and month (1…12).
    pub fn new(year: i32, month: u32) -> Result<Month, MonthError> {
        let bad = || MonthError::NotAMonth {
            year: i64::from(year),
            month: i64::from(month),
        };
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    /// Reads the database's YYYYMM.
    pub fn from_yyyymm(yyyymm: i64) -> Result<Month, MonthError> {
        let bad = || MonthError::NotYyyymm(yyyymm);
        let year = i32::try_from(yyyymm.div_euclid(100)).map_err(|_| bad())?;
        let month = u32::try_from(yyyymm.rem_euclid(100)).map_err(|_| bad())?;
        Month::new(year, month).map_err(|_| bad())
    }

    /// The database's YYYYMM (`stat.month`).
    pub fn yyyymm(self) -> i64 {
        i64::from(self.year) * 100 + i64::from(self.month)
    }

    /// Reads "YYYY-MM" as a form or link gives it, for the months 2000-01 … 2100-12. Exactly the
    /// texts the server's month parser accepted before this type (it also takes "2026-3"; the caller trims).
    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let month = Month::parse_any(text)?;
        if !(Month::SERVED_FROM..=Month::SERVED_TO).contains(&month) {
            return Err(MonthError::NotServed(month));
        }
        Ok(month)
    }

    /// "YYYY-MM" of any year the type holds (serde's form: a month it wrote reads back).
    fn parse_any(text: &str) -> Result<Month, MonthError> {
        let bad = || MonthError::NotYyyyDashMm(text.to_owned());
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        let (y, m): (i64, i64) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        let (Ok(year), Ok(month)) = (i32::try_from(y), u32::try_from(m)) else {
            return Err(bad());
        };
        Month::new(year, month).map_err(|_| bad())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1…12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// "2026年3月".
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// The month after (9999-12 stays itself).
    pub fn next(self) -> Month {
        match self.month {
            12 => Month::new(self.year + 1, 1).unwrap_or(self),
            m => Month {
                month: m + 1,
                ..self
            },
        }
    }

    /// The month before (0001-01 stays itself).
    pub fn prev(self) -> Month {
        match self.month {
            1 => Month::new(self.year - 1, 12).unwrap_or(self),
            m => Month {
                month: m - 1,
                ..self
            },
        }
    }

    /// `n` months back, this one last, oldest first: the months of a trend or a month picker.
    pub fn last_n(self, n: usize) -> Vec<Month> {
        let mut months: Vec<Month> = std::iter::successors(Some(self), |m| Some(m.prev()))
            .take(n)
            .collect();
        months.reverse();
        months
    }

    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).expect("a month's first day exists")
    }

    pub fn last_day(self) -> Date {
        let days = days_in_month(self.year, self.month).expect("a valid month");
        Date::from_ymd(self.year, self.month, days).expect("a month's last day exists")
    }

    /// The month's first instant in China time (unix ms).
    pub fn start_unix_ms_cst(self) -> i64 {
        self.first_day().start_unix_ms_cst()
    }

    /// The next month's first instant in China time (unix ms): the month is `start ..< end`.
    pub fn end_unix_ms_cst(self) -> i64 {
        self.last_day().end_unix_ms_cst()
    }

    /// The month of a day.
    pub fn of_date(date: Date) -> Month {
        match date.ymd() {
            (..1, _, _) => Month { year: 1, month: 1 },
            (10_000.., _, _) => Month {
                year: 9999,
                month: 12,
            },
            (year, month, _) => Month { year, month },
        }
    }

    /// The month an instant falls in, China time (instants beyond the years 1…9999 clamp to the
    /// first or last month).
    pub fn of(t: Timestamp) -> Month {
        Month::of_date(t.date_cst())
    }
}

impl std::fmt::Display for Month {
    /// "2026-03".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = MonthError;

    /// The same as [`Month::parse`].
    fn from_str(text: &str) -> Result<Month, MonthError> {
        Month::parse(text)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse_any(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    /// The server's month parser as it was before `Month`.
    fn old_parse_month(label: &str) -> Option<i64> {
        let (y, m) = label.split_once('-')?;
        let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
        ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some(y * 100 + m)
    }

    /// The server's "next month" (`store/stats.rs`, `closed_rectifications`).
    fn old_next(month: i64) -> i64 {
        if month % 100 == 12 {
            month + 89
        } else {
            month + 1
        }
    }

    /// The server's `month_start_ms`.
    fn old_month_start_ms(month: i64) -> i64 {
        Date::from_ymd((month / 100) as i32, (month % 100) as u32, 1)
            .map_or(0, |d| d.end_unix_ms_cst() - 86_400_000)
    }

    #[test]
    fn built_only_from_real_months() {
        assert_eq!(m(2026, 11).yyyymm(), 202611);
        assert_eq!(Month::from_yyyymm(202611), Ok(m(2026, 11)));
        for bad in [202613, 202600, 0, -202601, 99_999_912, 12] {
            assert_eq!(Month::from_yyyymm(bad), Err(MonthError::NotYyyymm(bad)));
        }
        assert_eq!(
            Month::new(2026, 0),
            Err(MonthError::NotAMonth {
                year: 2026,
                month: 0
            })
        );
        assert!(Month::new(0, 1).is_err() && Month::new(10_000, 1).is_err());
    }

    #[test]
    fn parses_exactly_what_parse_month_accepted() {
        let texts = [
            "2026-11",
            "2026-1",
            "2026-01",
            "2026-011",
            "+2026-+3",
            "2026-13",
            "2026-00",
            "1999-12",
            "2000-01",
            "2100-12",
            "2101-01",
            "2026",
            "2026-",
            "-11",
            "2026-11-01",
            " 2026-11",
            "2026/11",
            "",
            "abcd-ef",
            "99999999999-1",
            "2026--1",
        ];
        for text in texts {
            assert_eq!(
                Month::parse(text).ok().map(Month::yyyymm),
                old_parse_month(text),
                "{text:?}"
            );
        }
        assert_eq!(
            Month::parse("1999-12"),
            Err(MonthError::NotServed(m(1999, 12)))
        );
        assert_eq!(
            Month::parse("2026/11"),
            Err(MonthError::NotYyyyDashMm("2026/11".into()))
        );
        assert_eq!("2026-03".parse(), Ok(m(2026, 3)));
    }

    #[test]
    fn shown_as_the_form_writes_it_and_in_chinese() {
        assert_eq!(m(2026, 3).to_string(), "2026-03");
        assert_eq!(m(2026, 11).label_zh(), "2026年11月");
        assert_eq!(m(2026, 3).label_zh(), "2026年3月");
        assert_eq!(m(812, 3).to_string(), "0812-03");
    }

    #[test]
    fn steps_over_the_new_year_like_the_server_did() {
        assert_eq!(m(2026, 1).prev(), m(2025, 12));
        assert_eq!(m(2026, 11).prev(), m(2026, 10));
        for yyyymm in [202512, 202601, 202606, 209912] {
            let month = Month::from_yyyymm(yyyymm).unwrap();
            assert_eq!(month.next().yyyymm(), old_next(yyyymm));
            assert_eq!(month.prev().next(), month);
            assert_eq!(month.next().prev(), month);
        }
        assert_eq!(m(9999, 12).next(), m(9999, 12));
        assert_eq!(m(1, 1).prev(), m(1, 1));
        assert_eq!(m(2026, 2).last_n(3), [m(2025, 12), m(2026, 1), m(2026, 2)]);
    }

    #[test]
    fn bounds_in_china_time() {
        let feb = m(2026, 2);
        // 2026-02-01 00:00 in Beijing is 2026-01-31 16:00 UTC.
        assert_eq!(feb.start_unix_ms_cst(), 1_769_875_200_000);
        assert_eq!(feb.end_unix_ms_cst(), m(2026, 3).start_unix_ms_cst());
        assert_eq!(feb.first_day(), Date::from_ymd(2026, 2, 1).unwrap());
        assert_eq!(feb.last_day(), Date::from_ymd(2026, 2, 28).unwrap());
        for yyyymm in [202512, 202601, 202602, 202402] {
            let month = Month::from_yyyymm(yyyymm).unwrap();
            assert_eq!(month.start_unix_ms_cst(), old_month_start_ms(yyyymm));
            assert_eq!(
                month.end_unix_ms_cst(),
                old_month_start_ms(old_next(yyyymm))
            );
        }
    }

    #[test]
    fn an_instant_counts_in_its_china_month_as_the_sql_strftime_does() {
        let start = m(2026, 2).start_unix_ms_cst();
        // strftime('%Y%m', ms / 1000 + 28800, 'unixepoch') on both sides of the boundary.
        let sql = |ms: i64| {
            let (y, m, _) = Date::from_unix_ms_cst((ms / 1000) * 1000).ymd();
            i64::from(y) * 100 + i64::from(m)
        };
        for ms in [start - 1, start, start + 999, 0, 1_700_000_000_123] {
            let t = Timestamp::from_unix_ms(ms);
            assert_eq!(Month::of(t).yyyymm(), sql(ms), "{ms}");
            assert_eq!(t.month_cst(), Month::of(t));
        }
        assert_eq!(Month::of(Timestamp::from_unix_ms(start - 1)), m(2026, 1));
        assert_eq!(Month::of(Timestamp::from_unix_ms(i64::MAX)), m(9999, 12));
        assert_eq!(Month::of(Timestamp::from_unix_ms(i64::MIN)), m(1, 1));
    }

    #[test]
    fn serialised_as_yyyy_mm() {
        assert_eq!(serde_json::to_string(&m(2026, 3)).unwrap(), "\"2026-03\"");
        assert_eq!(
            serde_json::from_str::<Month>("\"2026-03\"").unwrap(),
            m(2026, 3)
        );
        assert_eq!(
            serde_json::from_str::<Month>("\"1970-01\"").unwrap(),
            m(1970, 1)
        );
        assert!(serde_json::from_str::<Month>("\"2026-13\"").is_err());
        assert!(serde_json::from_str::<Month>("202603").is_err());
    }
}
