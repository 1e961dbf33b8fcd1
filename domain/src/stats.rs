//! 公示指标 — the published figures (domain.md §5): counts kept per scope and month, the rates
//! computed from them, truncated (never rounded up), suppressed below a minimum sample, and with a
//! 95 % Wilson interval.

use serde::{Deserialize, Serialize};

mod disclosure;
mod ranking;

pub use disclosure::{Alert, SettingError};
pub use ranking::{Ranking, rank_change, rank_change_zh};

/// The counts behind every published figure, for one scope (the region, a department, a window,
/// a staff member, a service item) over one period. Sums of counts are counts of the union.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Registered service occurrences (办件), the denominator of 评价率.
    pub occurrences: i64,
    /// Valid ratings by level, index 0 = 非常不满意 … 4 = 非常满意 (interface code − 1); ratings
    /// invalidated on appeal are not here.
    pub levels: [i64; 5],
    /// Valid ratings made by the citizen (主动评价: not system defaults), by level as above.
    pub active_levels: [i64; 5],
    /// Ratings invalidated by an upheld appeal (申诉成立), still counted here for the public.
    pub invalidated: i64,
    /// 差评 answered (replied to the citizen at least once).
    pub bad_replied: i64,
    /// 差评 whose loop closed with a return visit and a rectification (回访整改).
    pub bad_rectified: i64,
    /// 实名差评 (the evaluator left contact details): a return visit is owed for all of them.
    pub bad_real_name: i64,
    /// Rectifications the citizen rated.
    pub fix_rated: i64,
    /// … of which 满意 or 基本满意.
    pub fix_satisfied: i64,
    /// 实名差评 whose return visit reached the citizen (a failed attempt or an anonymous check
    /// does not count).
    pub bad_real_name_visited: i64,
    /// Valid ratings by 评价主体 type as registered, index 0 = 1 自然人 … 5 = 6 其他组织 (GB/T 39046);
    /// ratings of occurrences registered without a type are in none.
    pub evaluator_types: [i64; 6],
    /// Valid ratings whose evaluator chose to rate anonymously (匿名评价).
    pub anonymous: i64,
    /// Ratings received from counties (a province): their occurrences are not known here, so
    /// they are left out of 评价率 (made, valid or not).
    #[serde(default)]
    pub received: i64,
    /// Valid ratings by kind: 一事一评, 一次一评, 默认评价 (`kind::EvaluationKind::OF_SERVICE`).
    #[serde(default)]
    pub kinds: [i64; 3],
    /// 申诉 against 差评: filed, upheld, rejected (an upheld one is also `invalidated`).
    #[serde(default)]
    pub appeals: [i64; 3],
}

impl Counts {
    /// Every field added: the counts of two disjoint sets of ratings together.
    pub fn add(&mut self, other: &Counts) {
        self.occurrences += other.occurrences;
        for i in 0..5 {
            self.levels[i] += other.levels[i];
            self.active_levels[i] += other.active_levels[i];
        }
        self.invalidated += other.invalidated;
        self.bad_replied += other.bad_replied;
        self.bad_rectified += other.bad_rectified;
        self.bad_real_name += other.bad_real_name;
        self.fix_rated += other.fix_rated;
        self.fix_satisfied += other.fix_satisfied;
        self.bad_real_name_visited += other.bad_real_name_visited;
        for i in 0..6 {
            self.evaluator_types[i] += other.evaluator_types[i];
        }
        self.anonymous += other.anonymous;
        self.received += other.received;
        for i in 0..3 {
            self.kinds[i] += other.kinds[i];
            self.appeals[i] += other.appeals[i];
        }
    }

    /// Valid ratings.
    pub fn rated(&self) -> i64 {
        self.levels.iter().sum()
    }

    /// Valid 差评 (不满意 + 非常不满意).
    pub fn bad(&self) -> i64 {
        self.levels[0] + self.levels[1]
    }

    fn good_of(levels: &[i64; 5], policy: Policy) -> i64 {
        levels[4]
            + levels[3]
            + if policy.basic_counts_as_good {
                levels[2]
            } else {
                0
            }
    }
}

/// The settings the figures depend on; shown on the methods page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Whether 基本满意 counts as a good rating in 好评率.
    pub basic_counts_as_good: bool,
    /// Below this many ratings (the rate's denominator) a rate is shown as 样本不足.
    pub min_sample: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            basic_counts_as_good: true,
            min_sample: 30,
        }
    }
}

/// One rate: numerator over denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub num: i64,
    pub den: i64,
}

/// How a rate is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shown {
    /// Nothing to rate (denominator 0).
    None,
    /// 样本不足 — fewer than the minimum sample.
    TooFew,
    /// The percentage truncated to two decimals ("99.99"), with the 95 % interval, also truncated.
    Percent {
        value: String,
        low: String,
        high: String,
    },
}

impl Rate {
    /// In hundredths of a percent, truncated: 23,282 of 23,283 is 9999 (99.99 %), never 10000.
    pub fn basis_points(self) -> Option<i64> {
        (self.den > 0).then(|| {
            let num = i128::from(self.num) * 10_000;
            i64::try_from(num / i128::from(self.den)).unwrap_or(i64::MAX)
        })
    }

    /// The cases short of `target` (hundredths of a percent): the fewest n with
    /// (num + n) ÷ den ≥ target; 0 when met or when there is nothing to count.
    pub fn shortfall(self, target: i64) -> i64 {
        let needed = (i128::from(self.den) * i128::from(target) + 9_999) / 10_000;
        (i64::try_from(needed).unwrap_or(i64::MAX) - self.num).max(0)
    }

    /// The 95 % Wilson score interval, in hundredths of a percent (low truncated down, high
    /// truncated too, so the shown interval is never wider upwards than the true one).
    pub fn wilson_basis_points(self) -> Option<(i64, i64)> {
        if self.den <= 0 {
            return None;
        }
        let n = self.den as f64;
        let p = self.num as f64 / n;
        let z = 1.959_963_984_540_054_f64;
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
        let bp = |x: f64| (x.clamp(0.0, 1.0) * 10_000.0).floor() as i64;
        Some((bp(centre - half), bp(centre + half)))
    }

    /// How the rate is published under `policy`.
    pub fn shown(self, policy: Policy) -> Shown {
        match (self.basis_points(), self.wilson_basis_points()) {
            (None, _) | (_, None) => Shown::None,
            _ if self.den < policy.min_sample => Shown::TooFew,
            (Some(value), Some((low, high))) => Shown::Percent {
                value: percent(value),
                low: percent(low),
                high: percent(high),
            },
        }
    }
}

/// Hundredths of a percent as "99.99".
pub fn percent(basis_points: i64) -> String {
    format!("{}.{:02}", basis_points / 100, basis_points % 100)
}

/// The published figures of one scope and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// 评价率 = rated ÷ registered occurrences.
    pub rating_rate: Rate,
    /// 好评率 = good ÷ valid ratings.
    pub good_rate: Rate,
    /// 主动评价好评率 = the same over the citizen's own ratings (system defaults excluded).
    pub active_good_rate: Rate,
    /// 未评率 = occurrences without any rating (default evaluations count as ratings) ÷
    /// occurrences; 1 − 评价率.
    pub unrated_rate: Rate,
    /// 差评率 = 差评 ÷ valid ratings.
    pub bad_rate: Rate,
    /// 差评回复率 = 差评 answered ÷ 差评.
    pub bad_reply_rate: Rate,
    /// 回访整改率 = 差评 visited and rectified ÷ 差评.
    pub rectify_rate: Rate,
    /// 回访整改满意率 = rectifications rated satisfied ÷ rectifications rated.
    pub fix_satisfaction_rate: Rate,
    /// 实名差评回访率 = 实名差评 with a reached return visit ÷ 实名差评; the target is 100 %.
    pub real_name_visit_rate: Rate,
}

impl Figures {
    pub fn of(c: &Counts, policy: Policy) -> Figures {
        let rated = c.rated();
        let bad = c.bad();
        // Ratings invalidated on appeal were still made: they count as rated here. Ratings received
        // from counties rate occurrences this system never saw: not here.
        let own_rated = rated + c.invalidated - c.received;
        Figures {
            rating_rate: Rate {
                num: own_rated,
                den: c.occurrences,
            },
            good_rate: Rate {
                num: Counts::good_of(&c.levels, policy),
                den: rated,
            },
            active_good_rate: Rate {
                num: Counts::good_of(&c.active_levels, policy),
                den: c.active_levels.iter().sum(),
            },
            unrated_rate: Rate {
                num: (c.occurrences - own_rated).max(0),
                den: c.occurrences,
            },
            bad_rate: Rate {
                num: bad,
                den: rated,
            },
            bad_reply_rate: Rate {
                num: c.bad_replied,
                den: bad,
            },
            rectify_rate: Rate {
                num: c.bad_rectified,
                den: bad,
            },
            fix_satisfaction_rate: Rate {
                num: c.fix_satisfied,
                den: c.fix_rated,
            },
            real_name_visit_rate: Rate {
                num: c.bad_real_name_visited,
                den: c.bad_real_name,
            },
        }
    }

    /// (name, rate) in the order pages show them.
    pub fn named(&self) -> [(&'static str, Rate); 9] {
        [
            ("评价率", self.rating_rate),
            ("好评率", self.good_rate),
            ("主动评价好评率", self.active_good_rate),
            ("未评率", self.unrated_rate),
            ("差评率", self.bad_rate),
            ("差评回复率", self.bad_reply_rate),
            ("回访整改率", self.rectify_rate),
            ("回访整改满意率", self.fix_satisfaction_rate),
            ("实名差评回访率", self.real_name_visit_rate),
        ]
    }

    /// The published target of a figure, in hundredths of a percent, where one is set
    /// (domain.md §3: every 实名差评 gets a return visit).
    pub fn target(name: &str) -> Option<i64> {
        (name == "实名差评回访率").then_some(10_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortfall_counts_the_cases_missing_for_a_target() {
        let rate = |num, den| Rate { num, den };
        assert_eq!(rate(0, 1).shortfall(10_000), 1);
        assert_eq!(rate(3, 4).shortfall(10_000), 1);
        assert_eq!(rate(4, 4).shortfall(10_000), 0);
        assert_eq!(rate(0, 0).shortfall(10_000), 0);
        assert_eq!(rate(94, 100).shortfall(9_500), 1);
    }

    /// The district centre of domain.md §7: 23,283 ratings, 23,156 非常满意, 126 满意, one 差评.
    fn district() -> Counts {
        Counts {
            occurrences: 25_000,
            levels: [0, 1, 0, 126, 23_156],
            active_levels: [0, 1, 0, 126, 23_156],
            bad_replied: 1,
            bad_rectified: 1,
            fix_rated: 1,
            fix_satisfied: 1,
            ..Counts::default()
        }
    }

    #[test]
    fn one_bad_review_in_23283_is_99_99_not_100() {
        let f = Figures::of(&district(), Policy::default());
        assert_eq!(f.good_rate.basis_points(), Some(9999));
        assert_eq!(
            f.bad_rate.basis_points(),
            Some(0),
            "0.0042 % truncates to 0.00"
        );
        let Shown::Percent { value, low, high } = f.good_rate.shown(Policy::default()) else {
            panic!("a large sample is shown");
        };
        assert_eq!(value, "99.99");
        assert_eq!((low.as_str(), high.as_str()), ("99.97", "99.99"));
        assert_eq!(
            f.rating_rate.basis_points(),
            Some(9313),
            "23,283 ÷ 25,000 = 93.132 %"
        );
    }

    #[test]
    fn small_samples_are_suppressed_and_empty_ones_are_not_rates() {
        let c = Counts {
            occurrences: 10,
            levels: [1, 0, 0, 0, 9],
            ..Counts::default()
        };
        let policy = Policy::default();
        let f = Figures::of(&c, policy);
        assert_eq!(f.good_rate.shown(policy), Shown::TooFew);
        assert_eq!(f.fix_satisfaction_rate.shown(policy), Shown::None);
        let loose = Policy {
            min_sample: 5,
            ..policy
        };
        assert!(matches!(
            f.good_rate.shown(loose),
            Shown::Percent { ref value, .. } if value == "90.00"
        ));
    }

    #[test]
    fn basic_satisfaction_counts_as_good_only_when_set() {
        let c = Counts {
            levels: [0, 0, 1, 1, 2],
            active_levels: [0, 0, 1, 0, 0],
            ..Counts::default()
        };
        let with = Figures::of(&c, Policy::default());
        let without = Figures::of(
            &c,
            Policy {
                basic_counts_as_good: false,
                ..Policy::default()
            },
        );
        assert_eq!(with.good_rate, Rate { num: 4, den: 4 });
        assert_eq!(without.good_rate, Rate { num: 3, den: 4 });
        assert_eq!(without.active_good_rate, Rate { num: 0, den: 1 });
    }

    #[test]
    fn defaults_count_as_ratings_but_not_as_active_ones() {
        // 10 services: 4 rated by citizens (3 good), 3 default evaluations (非常满意), 3 unrated.
        let c = Counts {
            occurrences: 10,
            levels: [1, 0, 0, 1, 5],
            active_levels: [1, 0, 0, 1, 2],
            ..Counts::default()
        };
        let f = Figures::of(&c, Policy::default());
        assert_eq!(f.good_rate, Rate { num: 6, den: 7 });
        assert_eq!(f.active_good_rate, Rate { num: 3, den: 4 });
        assert_eq!(f.unrated_rate, Rate { num: 3, den: 10 });
        assert_eq!(f.rating_rate, Rate { num: 7, den: 10 });
        let names: Vec<_> = f.named().iter().map(|(n, _)| *n).collect();
        assert_eq!(names[1..4], ["好评率", "主动评价好评率", "未评率"]);
    }

    #[test]
    fn invalidated_ratings_leave_the_rates_but_were_still_made() {
        let c = Counts {
            occurrences: 4,
            levels: [0, 0, 0, 0, 3],
            invalidated: 1,
            ..Counts::default()
        };
        let f = Figures::of(&c, Policy::default());
        assert_eq!(f.rating_rate, Rate { num: 4, den: 4 });
        assert_eq!(f.bad_rate, Rate { num: 0, den: 3 });
    }

    #[test]
    fn truncation_and_the_interval_on_hand_checked_values() {
        assert_eq!(Rate { num: 2, den: 3 }.basis_points(), Some(6666));
        assert_eq!(Rate { num: 1, den: 3 }.basis_points(), Some(3333));
        assert_eq!(Rate { num: 0, den: 0 }.basis_points(), None);
        assert_eq!(percent(5), "0.05");
        // Wilson 95 % for 8 of 10: 0.4902 … 0.9433.
        assert_eq!(
            Rate { num: 8, den: 10 }.wilson_basis_points(),
            Some((4901, 9433))
        );
        assert_eq!(
            Rate { num: 0, den: 50 }.wilson_basis_points().map(|w| w.0),
            Some(0)
        );
    }
}
