//! 工作日 — working days on the official holiday calendar, with the weekend days that become working
//! days (调休), and deadline arithmetic on them.
//!
//! The State Council publishes each year's schedule in the autumn before; the built-in data covers
//! the years below, and administrators add later years as overrides ([`Calendar::with_year`]).
//! A date in a year the calendar does not know is an error, never a silent guess.

use std::collections::BTreeMap;

pub use crate::time::{BadDate, Date};

/// One year's schedule: the days off that fall on weekdays, and the weekend days that are worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSchedule {
    pub holidays: Vec<Date>,
    pub adjusted_workdays: Vec<Date>,
}

/// A schedule that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0:?} is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)")]
    NotADate(String),
    #[error("{0} is not in {1}")]
    OtherYear(Date, i32),
}

fn parse_date(text: &str) -> Result<Date, ScheduleError> {
    let bad = || ScheduleError::NotADate(text.to_owned());
    let mut parts = text
        .trim()
        .splitn(3, '-')
        .map(|p| p.parse::<u32>().map_err(|_| bad()));
    let (y, m, d) = (
        parts.next().ok_or_else(bad)??,
        parts.next().ok_or_else(bad)??,
        parts.next().ok_or_else(bad)??,
    );
    Date::from_ymd(i32::try_from(y).map_err(|_| bad())?, m, d).map_err(|_| bad())
}

impl YearSchedule {
    /// Reads a year's schedule as the notice gives it: comma-separated dates or ranges
    /// (`2027-02-05..2027-02-11`) of days off, and of weekend days worked (调休).
    pub fn parse(year: i32, off: &str, worked: &str) -> Result<YearSchedule, ScheduleError> {
        let mut schedule = YearSchedule::default();
        for (text, target, ranges) in [
            (off, &mut schedule.holidays, true),
            (worked, &mut schedule.adjusted_workdays, false),
        ] {
            for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let (first, last) = match item.split_once("..") {
                    Some((a, b)) if ranges => (parse_date(a)?, parse_date(b)?),
                    Some(_) => return Err(ScheduleError::NotADate(item.to_owned())),
                    None => (parse_date(item)?, parse_date(item)?),
                };
                let mut day = first;
                while day <= last {
                    if day.year() != year {
                        return Err(ScheduleError::OtherYear(day, year));
                    }
                    target.push(day);
                    day = day.next();
                }
            }
        }
        Ok(schedule)
    }
}

/// The calendar does not know this year: an administrator must enter its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the holiday schedule of {0} is not known; enter it in the settings")]
pub struct YearNotCovered(pub i32);

/// Working days of the years it knows.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearSchedule>,
}

/// Ranges of days off and single adjusted working days, as the State Council's notice lists them.
type Notice = (
    i32,
    &'static [((u32, u32), (u32, u32))],
    &'static [(u32, u32)],
);

/// 国务院办公厅关于部分节假日安排的通知, by year.
const NOTICES: &[Notice] = &[
    (
        2025,
        &[
            ((1, 1), (1, 1)),
            ((1, 28), (2, 4)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((5, 31), (6, 2)),
            ((10, 1), (10, 8)),
        ],
        &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    ),
    (
        2026,
        &[
            ((1, 1), (1, 3)),
            ((2, 15), (2, 23)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 19), (6, 21)),
            ((9, 25), (9, 27)),
            ((10, 1), (10, 7)),
        ],
        &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    ),
];

impl Calendar {
    /// The built-in official schedules.
    pub fn official() -> Calendar {
        let mut calendar = Calendar::default();
        for (year, off, worked) in NOTICES {
            let mut schedule = YearSchedule::default();
            for ((m1, d1), (m2, d2)) in *off {
                let mut day = Date::from_ymd(*year, *m1, *d1).expect("valid notice date");
                let last = Date::from_ymd(*year, *m2, *d2).expect("valid notice date");
                while day <= last {
                    schedule.holidays.push(day);
                    day = day.next();
                }
            }
            schedule.adjusted_workdays = worked
                .iter()
                .map(|(m, d)| Date::from_ymd(*year, *m, *d).expect("valid notice date"))
                .collect();
            calendar.years.insert(*year, schedule);
        }
        calendar
    }

    /// Adds or replaces a year's schedule (an administrator's override).
    pub fn with_year(mut self, year: i32, schedule: YearSchedule) -> Calendar {
        self.years.insert(year, schedule);
        self
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Result<bool, YearNotCovered> {
        let year = date.year();
        let schedule = self.years.get(&year).ok_or(YearNotCovered(year))?;
        if schedule.adjusted_workdays.contains(&date) {
            return Ok(true);
        }
        if schedule.holidays.contains(&date) {
            return Ok(false);
        }
        Ok(date.weekday() <= 5)
    }

    /// The deadline `n` working days after `start`: the day on which the n-th following working day
    /// falls (the start day itself does not count, as in "reply within 2 working days").
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, YearNotCovered> {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.next();
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, YearNotCovered> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.next();
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    #[test]
    fn spring_festival_2026_and_its_adjusted_saturdays() {
        let c = Calendar::official();
        assert_eq!(
            c.is_working_day(d(2026, 2, 14)),
            Ok(true),
            "Saturday worked"
        );
        assert_eq!(c.is_working_day(d(2026, 2, 16)), Ok(false), "Monday off");
        assert_eq!(c.is_working_day(d(2026, 2, 23)), Ok(false));
        assert_eq!(c.is_working_day(d(2026, 2, 24)), Ok(true));
        assert_eq!(
            c.is_working_day(d(2026, 2, 28)),
            Ok(true),
            "Saturday worked"
        );
        // A 差评 on Friday 13 February: first contact within 1 working day is Saturday the 14th.
        assert_eq!(c.add_working_days(d(2026, 2, 13), 1), Ok(d(2026, 2, 14)));
        // Made on Saturday the 14th: the next working day is after the festival.
        assert_eq!(c.add_working_days(d(2026, 2, 14), 1), Ok(d(2026, 2, 24)));
        // 15 working days from 10 February: 11–14 (4), 24–27 (4), 28 (1), 2–6 March (5), 9 March.
        assert_eq!(c.add_working_days(d(2026, 2, 10), 15), Ok(d(2026, 3, 9)));
    }

    #[test]
    fn national_day_2026_with_mid_autumn_before_it() {
        let c = Calendar::official();
        assert_eq!(c.is_working_day(d(2026, 9, 20)), Ok(true), "Sunday worked");
        assert_eq!(
            c.is_working_day(d(2026, 9, 25)),
            Ok(false),
            "Mid-Autumn Friday"
        );
        assert_eq!(c.is_working_day(d(2026, 10, 8)), Ok(true));
        assert_eq!(
            c.is_working_day(d(2026, 10, 10)),
            Ok(true),
            "Saturday worked"
        );
        // A complaint on 30 September: 2 working days are 8 and 9 October.
        assert_eq!(c.add_working_days(d(2026, 9, 30), 2), Ok(d(2026, 10, 9)));
        assert_eq!(c.add_working_days(d(2026, 9, 30), 3), Ok(d(2026, 10, 10)));
        assert_eq!(
            c.working_days_between(d(2026, 9, 24), d(2026, 10, 10)),
            Ok(6)
        );
    }

    #[test]
    fn a_schedule_reads_as_the_notice_writes_it() {
        let s =
            YearSchedule::parse(2027, "2027-01-01, 2027-02-06..2027-02-08", "2027-02-14").unwrap();
        assert_eq!(
            s.holidays,
            [d(2027, 1, 1), d(2027, 2, 6), d(2027, 2, 7), d(2027, 2, 8)]
        );
        assert_eq!(s.adjusted_workdays, [d(2027, 2, 14)]);
        assert_eq!(
            YearSchedule::parse(2027, "2026-12-31", ""),
            Err(ScheduleError::OtherYear(d(2026, 12, 31), 2027))
        );
        assert!(matches!(
            YearSchedule::parse(2027, "2027-02-30", ""),
            Err(ScheduleError::NotADate(_))
        ));
        assert!(matches!(
            YearSchedule::parse(2027, "", "2027-01-01..2027-01-02"),
            Err(ScheduleError::NotADate(_))
        ));
    }

    #[test]
    fn unknown_years_are_an_error_until_entered() {
        let c = Calendar::official();
        assert_eq!(
            c.add_working_days(d(2026, 12, 30), 5),
            Err(YearNotCovered(2027))
        );
        let new_year = YearSchedule {
            holidays: vec![d(2027, 1, 1)],
            adjusted_workdays: vec![],
        };
        let c = c.with_year(2027, new_year);
        // 31 Dec (Thu), 1 Jan off (Fri), then 4, 5, 6 January.
        assert_eq!(c.add_working_days(d(2026, 12, 30), 4), Ok(d(2027, 1, 6)));
    }
}
