//! 公示设置 — the settings administrators change on the published figures, checked where they are
//! built: the minimum sample of [`Policy`] and the satisfaction alert ([`Alert`], 满意度预警).

use super::{Policy, Rate, percent};
use crate::time::{Date, Timestamp};

/// A setting outside its range; `message_zh` names the field for the administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("the minimum sample must be 1 to 10000 ratings")]
    MinSample,
    #[error("the alert counts 1 to 90 days")]
    AlertDays,
    #[error("the alert needs 1 to 10000 ratings")]
    AlertMinRated,
    #[error("the alert threshold must be 0.01 % to 100 %")]
    AlertThreshold,
}

impl SettingError {
    /// The message shown on the administration page.
    pub fn message_zh(self) -> &'static str {
        match self {
            SettingError::MinSample => "最小样本量应为1至10000条",
            SettingError::AlertDays => "预警统计天数应为1至90天",
            SettingError::AlertMinRated => "预警最少评价数应为1至10000条",
            SettingError::AlertThreshold => "预警满意度应为1至100",
        }
    }
}

impl Policy {
    /// The minimum sample is 1 … 10,000 ratings.
    pub fn validate(self) -> Result<Policy, SettingError> {
        if !(1..=10_000).contains(&self.min_sample) {
            return Err(SettingError::MinSample);
        }
        Ok(self)
    }
}

/// 满意度预警 — a window rated at least `min_rated` times over the last `days` days whose share of
/// good ratings is below `threshold_bp` hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    pub days: u32,
    pub min_rated: i64,
    pub threshold_bp: i64,
}

impl Default for Alert {
    fn default() -> Self {
        Alert {
            days: 7,
            min_rated: 10,
            threshold_bp: 9_000,
        }
    }
}

impl Alert {
    /// Days 1 … 90, ratings 1 … 10,000, threshold 0.01 % … 100 %; the first field out of range.
    pub fn validate(self) -> Result<Alert, SettingError> {
        if !(1..=90).contains(&self.days) {
            return Err(SettingError::AlertDays);
        }
        if !(1..=10_000).contains(&self.min_rated) {
            return Err(SettingError::AlertMinRated);
        }
        if !(1..=10_000).contains(&self.threshold_bp) {
            return Err(SettingError::AlertThreshold);
        }
        Ok(self)
    }

    /// The first day counted at `now`: the China-time day `days` × 24 hours back (`stat_day.day`
    /// from it on, as [`Date::yyyymmdd`]).
    pub fn since(self, now: Timestamp) -> Date {
        now.minus_days(self.days).date_cst()
    }

    /// The good share of a window's ratings: 非常满意 and 满意 (`good`), with 基本满意 (`basic`)
    /// when the policy counts it, over all its ratings.
    pub fn good_share(good: i64, basic: i64, rated: i64, policy: Policy) -> Rate {
        let basic = if policy.basic_counts_as_good {
            basic
        } else {
            0
        };
        Rate {
            num: good + basic,
            den: rated,
        }
    }

    /// Whether a window with this good share is flagged: enough ratings, and the share below the
    /// threshold (compared exactly, in integers).
    pub fn fires(self, share: Rate) -> bool {
        share.den >= self.min_rated
            && i128::from(share.num) * 10_000
                < i128::from(self.threshold_bp) * i128::from(share.den)
    }

    /// The threshold as shown: "90.00 %".
    pub fn threshold_label(self) -> String {
        format!("{} %", percent(self.threshold_bp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_name_their_field() {
        let policy = Policy::default();
        assert_eq!(policy.validate(), Ok(policy));
        for (min_sample, ok) in [(0, false), (1, true), (10_000, true), (10_001, false)] {
            let p = Policy {
                min_sample,
                ..policy
            };
            assert_eq!(p.validate().is_ok(), ok, "{min_sample}");
        }
        let alert = Alert::default();
        assert_eq!(alert.validate(), Ok(alert));
        let cases = [
            (Alert { days: 0, ..alert }, SettingError::AlertDays),
            (Alert { days: 91, ..alert }, SettingError::AlertDays),
            (
                Alert {
                    min_rated: 0,
                    ..alert
                },
                SettingError::AlertMinRated,
            ),
            (
                Alert {
                    min_rated: 10_001,
                    ..alert
                },
                SettingError::AlertMinRated,
            ),
            (
                Alert {
                    threshold_bp: 0,
                    ..alert
                },
                SettingError::AlertThreshold,
            ),
            (
                Alert {
                    threshold_bp: 10_001,
                    ..alert
                },
                SettingError::AlertThreshold,
            ),
            // Every field wrong: the first is reported, as the form checks them in order.
            (
                Alert {
                    days: 0,
                    min_rated: 0,
                    threshold_bp: 0,
                },
                SettingError::AlertDays,
            ),
        ];
        for (bad, error) in cases {
            assert_eq!(bad.validate(), Err(error), "{bad:?}");
        }
        assert!(
            Alert {
                days: 90,
                min_rated: 10_000,
                threshold_bp: 10_000
            }
            .validate()
            .is_ok()
        );
        assert_eq!(
            SettingError::AlertThreshold.message_zh(),
            "预警满意度应为1至100"
        );
        assert_eq!(
            SettingError::MinSample.message_zh(),
            "最小样本量应为1至10000条"
        );
    }

    #[test]
    fn a_window_is_flagged_below_the_threshold_with_enough_ratings() {
        let alert = Alert::default(); // 10 ratings, 90 %
        let share = |good, rated| Rate {
            num: good,
            den: rated,
        };
        assert!(alert.fires(share(8, 10)));
        assert!(!alert.fires(share(9, 10)), "exactly 90 % is not below");
        assert!(!alert.fires(share(0, 9)), "too few ratings");
        assert!(alert.fires(share(89, 100)));
        assert_eq!(alert.threshold_label(), "90.00 %");
    }

    #[test]
    fn basic_satisfaction_counts_when_the_policy_says_so() {
        let strict = Policy {
            basic_counts_as_good: false,
            ..Policy::default()
        };
        assert_eq!(
            Alert::good_share(7, 2, 10, Policy::default()),
            Rate { num: 9, den: 10 }
        );
        assert_eq!(
            Alert::good_share(7, 2, 10, strict),
            Rate { num: 7, den: 10 }
        );
    }

    #[test]
    fn the_window_starts_days_back_in_china_time() {
        // 2026-02-08 00:30 in Beijing: 7 days back is 2026-02-01 00:30, so from the 1st on.
        let now = Timestamp::from_unix_ms(1_769_877_000_000 + 7 * 86_400_000);
        let since = Alert::default().since(now);
        assert_eq!(since, Date::from_ymd(2026, 2, 1).unwrap());
        assert_eq!(since.yyyymmdd(), 20260201);
        let two = Alert {
            days: 2,
            ..Alert::default()
        };
        assert_eq!(two.since(now).yyyymmdd(), 20260206);
    }
}
