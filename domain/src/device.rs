//! 评价器 — the tablet facing the citizen at a window: how it is enrolled, how long it waits for a
//! citizen, and when its silence is worth an alarm.

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::time::{Date, Timestamp};

/// 评价器设置 — how long the rating stays on the tablet, and after how many working hours without
/// a rating while its window served the supervisor is alerted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSettings {
    /// The tablet goes back to idle, storing nothing, after this many seconds without a touch.
    pub idle_seconds: u32,
    /// 评价器静默 — working hours without a rating, while the window served, before the alarm.
    pub silence_hours: u32,
}

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            idle_seconds: 60,
            silence_hours: 2,
        }
    }
}

/// A device setting out of its range; names its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeviceSettingError {
    #[error("idle timeout out of range")]
    Idle,
    #[error("silence hours out of range")]
    Silence,
}

impl DeviceSettingError {
    pub fn field(self) -> &'static str {
        match self {
            DeviceSettingError::Idle => "idle_seconds",
            DeviceSettingError::Silence => "silence_hours",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            DeviceSettingError::Idle => "评价等待时间：应为 15 至 600 秒",
            DeviceSettingError::Silence => "静默预警：应为 1 至 40 个工作小时",
        }
    }
}

impl DeviceSettings {
    pub const IDLE_RANGE: std::ops::RangeInclusive<u32> = 15..=600;
    pub const SILENCE_RANGE: std::ops::RangeInclusive<u32> = 1..=40;

    pub fn check(self) -> Result<Self, DeviceSettingError> {
        if !Self::IDLE_RANGE.contains(&self.idle_seconds) {
            return Err(DeviceSettingError::Idle);
        }
        if !Self::SILENCE_RANGE.contains(&self.silence_hours) {
            return Err(DeviceSettingError::Silence);
        }
        Ok(self)
    }
}

/// The hours of a working day the silence alarm counts (China time): 09:00–12:00 and 13:00–17:00,
/// the usual opening hours of a service hall, on the working days of the official calendar.
pub const WORKING_HOURS: [(u32, u32); 2] = [(9, 12), (13, 17)];

/// Working minutes between two instants on `calendar`. A day the calendar does not cover counts as
/// a working day when it falls Monday to Friday (the alarm errs towards raising).
pub fn working_minutes_between(calendar: &Calendar, from: Timestamp, to: Timestamp) -> i64 {
    if to <= from {
        return 0;
    }
    let mut total = 0;
    let mut day: Date = from.date_cst();
    let last = to.date_cst();
    while day <= last {
        let working = calendar
            .is_working_day(day)
            .unwrap_or_else(|_| day.weekday() <= 5);
        if working {
            let start = day.start_unix_ms_cst();
            for (open, close) in WORKING_HOURS {
                let open = start + i64::from(open) * 3_600_000;
                let close = start + i64::from(close) * 3_600_000;
                let a = open.max(from.unix_ms());
                let b = close.min(to.unix_ms());
                if b > a {
                    total += (b - a) / 60_000;
                }
            }
        }
        day = day.next();
    }
    total
}

/// What the alarm looks at for one tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceActivity {
    /// Its last rating, or its enrolment when it never rated.
    pub since: Timestamp,
    /// Visits its window finished since then.
    pub served_since: i64,
}

impl DeviceActivity {
    /// 评价器静默: its window served, yet nothing was rated on it for `settings.silence_hours`
    /// working hours.
    pub fn silent(self, calendar: &Calendar, now: Timestamp, settings: DeviceSettings) -> bool {
        self.served_since > 0
            && working_minutes_between(calendar, self.since, now)
                >= i64::from(settings.silence_hours) * 60
    }
}

/// The one-time code an administrator shows to enrol a tablet: eight digits.
pub fn enrol_code_valid(code: &str) -> bool {
    code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: i64, min: i64) -> Timestamp {
        let day = Date::from_ymd(y, m, d).unwrap();
        Timestamp::from_unix_ms(day.start_unix_ms_cst() + (h * 60 + min) * 60_000)
    }

    #[test]
    fn working_minutes_skip_lunch_nights_weekends_and_holidays() {
        let cal = Calendar::official();
        // Monday 2026-11-30, 10:00 → 14:30: 2 h in the morning, 1.5 h after lunch.
        assert_eq!(
            working_minutes_between(&cal, at(2026, 11, 30, 10, 0), at(2026, 11, 30, 14, 30)),
            210
        );
        // Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
        assert_eq!(
            working_minutes_between(&cal, at(2026, 11, 27, 16, 0), at(2026, 11, 30, 10, 0)),
            120
        );
        // 国庆 2026: 1 October is a holiday.
        assert_eq!(
            working_minutes_between(&cal, at(2026, 10, 1, 8, 0), at(2026, 10, 1, 18, 0)),
            0
        );
        assert_eq!(
            working_minutes_between(&cal, at(2026, 11, 30, 18, 0), at(2026, 11, 30, 10, 0)),
            0
        );
    }

    #[test]
    fn a_tablet_is_silent_only_when_its_window_served_for_the_hours_set() {
        let cal = Calendar::official();
        let settings = DeviceSettings::default();
        let quiet = DeviceActivity {
            since: at(2026, 11, 30, 9, 0),
            served_since: 3,
        };
        assert!(!quiet.silent(&cal, at(2026, 11, 30, 10, 59), settings));
        assert!(quiet.silent(&cal, at(2026, 11, 30, 11, 0), settings));
        let idle_window = DeviceActivity {
            served_since: 0,
            ..quiet
        };
        assert!(!idle_window.silent(&cal, at(2026, 11, 30, 17, 0), settings));
    }

    #[test]
    fn settings_and_codes_are_checked() {
        assert!(DeviceSettings::default().check().is_ok());
        let short = DeviceSettings {
            idle_seconds: 5,
            ..DeviceSettings::default()
        };
        assert_eq!(short.check(), Err(DeviceSettingError::Idle));
        assert_eq!(DeviceSettingError::Silence.field(), "silence_hours");
        assert!(enrol_code_valid("01234567"));
        assert!(!enrol_code_valid("1234567"));
        assert!(!enrol_code_valid("1234567a"));
    }
}
