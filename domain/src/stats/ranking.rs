//! 排名 — the monthly report's ranking by satisfaction, and the change from the month before.

use super::{Counts, Figures, Policy};

/// Places by satisfaction (好评率): the best first; at equal satisfaction more ratings first, then
/// the lower id. Scopes without ratings have no place. A scope's place is found by its id in
/// constant time: a report of n rows ranks in O(n log n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranking {
    places: Vec<(i64, usize)>,
    by_id: std::collections::HashMap<i64, usize>,
}

impl Ranking {
    /// Ranks `(id, counts)` rows under `policy` (whether 基本满意 counts as good).
    pub fn by_satisfaction<'a>(
        rows: impl IntoIterator<Item = (i64, &'a Counts)>,
        policy: Policy,
    ) -> Ranking {
        let mut rated: Vec<(i64, i64, i64)> = rows
            .into_iter()
            .filter_map(|(id, counts)| {
                let good = Figures::of(counts, policy).good_rate.basis_points()?;
                Some((id, good, counts.rated()))
            })
            .collect();
        rated.sort_by(|(a, a_good, a_rated), (b, b_good, b_rated)| {
            b_good.cmp(a_good).then(b_rated.cmp(a_rated)).then(a.cmp(b))
        });
        let places: Vec<(i64, usize)> = rated
            .into_iter()
            .enumerate()
            .map(|(i, (id, ..))| (id, i + 1))
            .collect();
        let by_id = places.iter().copied().collect();
        Ranking { places, by_id }
    }

    /// The place of `id` (1 = best), if it was ranked.
    pub fn rank_of(&self, id: i64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    /// (id, place), best first.
    pub fn places(&self) -> &[(i64, usize)] {
        &self.places
    }
}

/// Places gained since the month before (positive = up); `None` unless ranked in both months.
pub fn rank_change(rank: Option<usize>, previous: Option<usize>) -> Option<i64> {
    Some(previous? as i64 - rank? as i64)
}

/// The change as the report shows it: "↑2", "↓1", "持平", or "—" when there is none.
pub fn rank_change_zh(change: Option<i64>) -> String {
    match change {
        None => "—".into(),
        Some(0) => "持平".into(),
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) => format!("↓{}", -c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(levels: [i64; 5]) -> Counts {
        Counts {
            levels,
            ..Counts::default()
        }
    }

    #[test]
    fn best_satisfaction_first_then_more_ratings_then_id() {
        let rows = [
            (1, counts([0, 0, 0, 1, 9])),  // 100 %, 10 ratings
            (2, counts([1, 0, 0, 0, 9])),  // 90 %
            (3, counts([0, 0, 0, 0, 0])),  // unrated
            (4, counts([0, 0, 0, 0, 20])), // 100 %, 20 ratings
            (5, counts([0, 0, 0, 0, 10])), // 100 %, 10 ratings: after 1 by id
        ];
        let ranking =
            Ranking::by_satisfaction(rows.iter().map(|(id, c)| (*id, c)), Policy::default());
        assert_eq!(ranking.places(), [(4, 1), (1, 2), (5, 3), (2, 4)]);
        assert_eq!(ranking.rank_of(2), Some(4));
        assert_eq!(ranking.rank_of(3), None);
    }

    #[test]
    fn the_policy_decides_what_is_good() {
        let rows = [(1, counts([0, 0, 5, 0, 5])), (2, counts([1, 0, 0, 0, 9]))];
        let rank = |policy| {
            Ranking::by_satisfaction(rows.iter().map(|(id, c)| (*id, c)), policy).places()[0].0
        };
        assert_eq!(
            rank(Policy::default()),
            1,
            "基本满意 is good: 100 % beats 90 %"
        );
        let strict = Policy {
            basic_counts_as_good: false,
            ..Policy::default()
        };
        assert_eq!(rank(strict), 2, "otherwise 50 % loses to 90 %");
    }

    #[test]
    fn changes_read_up_down_and_level() {
        assert_eq!(rank_change(Some(2), Some(5)), Some(3));
        assert_eq!(rank_change(Some(5), Some(2)), Some(-3));
        assert_eq!(rank_change(None, Some(2)), None);
        assert_eq!(rank_change(Some(1), None), None);
        assert_eq!(rank_change_zh(Some(3)), "↑3");
        assert_eq!(rank_change_zh(Some(-3)), "↓3");
        assert_eq!(rank_change_zh(Some(0)), "持平");
        assert_eq!(rank_change_zh(None), "—");
    }
}
