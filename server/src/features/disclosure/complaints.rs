//! 投诉统计 — complaints per source (the 服务不满意 form, 12345, the government website …) of a
//! scope and months: received, replied on time, replied late, found complex. Read from
//! `stat_complaint` (migration 0024), kept by triggers and `rebuild_stats`.

use domain::referral::ComplaintSource;
use domain::time::Month;
use sqlx::Row;

use super::Scope;
use crate::platform::db::{Store, StoreResult};

/// The four counts of complaints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComplaintCounts {
    pub received: i64,
    /// First reply at or before the ticket's reply deadline.
    pub on_time: i64,
    /// First reply after it.
    pub late: i64,
    /// Found complex (复杂投诉, the longer deadline).
    pub complex: i64,
}

impl ComplaintCounts {
    fn add(&mut self, other: ComplaintCounts) {
        self.received += other.received;
        self.on_time += other.on_time;
        self.late += other.late;
        self.complex += other.complex;
    }
}

/// A scope's complaints per source (every source listed, in `ComplaintSource::ALL` order) and in
/// total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintsBySource {
    pub rows: Vec<(ComplaintSource, ComplaintCounts)>,
    pub total: ComplaintCounts,
}

impl ComplaintsBySource {
    fn of(found: &[(String, ComplaintCounts)]) -> ComplaintsBySource {
        let mut total = ComplaintCounts::default();
        let rows = ComplaintSource::ALL
            .into_iter()
            .map(|source| {
                let counts = found.iter().filter(|(s, _)| s == source.as_str()).fold(
                    ComplaintCounts::default(),
                    |mut sum, (_, c)| {
                        sum.add(*c);
                        sum
                    },
                );
                total.add(counts);
                (source, counts)
            })
            .collect();
        ComplaintsBySource { rows, total }
    }

    /// The counts of one source.
    pub fn of_source(&self, source: ComplaintSource) -> ComplaintCounts {
        self.rows
            .iter()
            .find(|(s, _)| *s == source)
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }
}

fn counts(row: &crate::platform::db::DbRow) -> ComplaintCounts {
    ComplaintCounts {
        received: row.get("received"),
        on_time: row.get("on_time"),
        late: row.get("late"),
        complex: row.get("complex"),
    }
}

impl Store {
    /// The complaints of `scope` over `from ..= to`, per source.
    pub async fn complaint_counts(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
    ) -> StoreResult<ComplaintsBySource> {
        let (name, id) = scope.key();
        let rows = sqlx::query(
            "SELECT source, CAST(sum(received) AS BIGINT) AS received, CAST(sum(on_time) AS BIGINT) AS on_time, \
             CAST(sum(late) AS BIGINT) AS late, CAST(sum(complex) AS BIGINT) AS complex FROM stat_complaint \
             WHERE scope = $1 AND scope_id = $2 AND month BETWEEN $3 AND $4 GROUP BY source",
        )
        .bind(name)
        .bind(id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let found: Vec<(String, ComplaintCounts)> =
            rows.iter().map(|r| (r.get("source"), counts(r))).collect();
        Ok(ComplaintsBySource::of(&found))
    }

    /// The complaints of the departments `departments` (an SQL list of ids) over `from ..= to`:
    /// a region's report sums its departments.
    pub async fn complaint_counts_of_departments(
        &self,
        departments: &str,
        from: Month,
        to: Month,
    ) -> StoreResult<ComplaintsBySource> {
        let sql = format!(
            "SELECT source, CAST(sum(received) AS BIGINT) AS received, CAST(sum(on_time) AS BIGINT) AS on_time, \
             CAST(sum(late) AS BIGINT) AS late, CAST(sum(complex) AS BIGINT) AS complex FROM stat_complaint \
             WHERE scope = 'department' AND scope_id IN ({departments}) \
             AND month BETWEEN $1 AND $2 GROUP BY source"
        );
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let found: Vec<(String, ComplaintCounts)> =
            rows.iter().map(|r| (r.get("source"), counts(r))).collect();
        Ok(ComplaintsBySource::of(&found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_is_listed_and_the_total_adds_up() {
        let c = |received, on_time| ComplaintCounts {
            received,
            on_time,
            late: 0,
            complex: 0,
        };
        let by = ComplaintsBySource::of(&[("12345".into(), c(3, 2)), ("form".into(), c(2, 1))]);
        assert_eq!(by.rows.len(), ComplaintSource::ALL.len());
        assert_eq!(by.total, c(5, 3));
        assert_eq!(by.of_source(ComplaintSource::Form), c(2, 1));
        assert_eq!(by.rows[0].0, ComplaintSource::Form);
    }
}
