//! 评价渠道 in the published figures: reading `stat_channel` (migration 0012), the valid ratings of
//! a scope per channel the citizen used, and the by-channel table the public page and the monthly
//! report show (label, both numberings, count, share). The channels' counts add up to the valid
//! ratings (`Counts::rated`) of the same scope and months.

use domain::{Channel, stats::Rate, time::Month};

use super::Scope;
use crate::platform::db::{Store, StoreResult};

/// Valid ratings per channel, in the order of `Channel::ALL`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByChannel(pub [i64; Channel::ALL.len()]);

impl ByChannel {
    fn from_rows(rows: Vec<(Channel, i64)>) -> Self {
        let mut counts = ByChannel::default();
        for (channel, n) in rows {
            counts.0[position(channel)] += n;
        }
        counts
    }

    /// The count of one channel.
    pub fn get(&self, channel: Channel) -> i64 {
        self.0[position(channel)]
    }

    /// All channels together: the valid ratings.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The published table: every channel, with its share of the valid ratings.
    pub fn table(&self) -> Vec<ChannelShare> {
        let total = self.total();
        Channel::ALL
            .into_iter()
            .map(|channel| {
                let count = self.get(channel);
                let share = Rate {
                    num: count,
                    den: total,
                }
                .basis_points()
                .map_or_else(
                    || "—".into(),
                    |bp| format!("{} %", domain::stats::percent(bp)),
                );
                ChannelShare {
                    label: channel.label_zh(),
                    common_code: channel.common_code(),
                    sms6_code: channel.sms6_code(),
                    count,
                    share,
                }
            })
            .collect()
    }
}

fn position(channel: Channel) -> usize {
    Channel::ALL
        .iter()
        .position(|c| *c == channel)
        .expect("every channel is in Channel::ALL")
}

/// One line of the by-channel table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelShare {
    /// The GB/T 39046 text ("短信").
    pub label: &'static str,
    /// The common coding (1 PC … 7 短信).
    pub common_code: Option<u8>,
    /// The variant with 6 = 短信, 7 = 系统默认评价.
    pub sms6_code: Option<u8>,
    pub count: i64,
    /// Share of the valid ratings, truncated ("12.34 %"), "—" without ratings.
    pub share: String,
}

/// 未关联办件的扫码评价: e码 ratings that matched no reported visit. Published beside the figures,
/// never in them (no service is proven behind them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkIns {
    pub rated: i64,
    /// … of which 差评 (their tickets are handled like any other).
    pub bad: i64,
}

impl Store {
    /// Valid walk-in e码 ratings of `scope` over `from ..= to` (未关联办件的扫码评价, outside every
    /// figure) and their 差评.
    pub async fn walk_in_counts(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
    ) -> StoreResult<WalkIns> {
        let (name, id) = scope.key();
        let (rated, bad) = sqlx::query_as(
            "SELECT coalesce(CAST(sum(rated) AS BIGINT), 0), coalesce(CAST(sum(bad) AS BIGINT), 0) FROM stat_walk_in \
             WHERE scope = $1 AND scope_id = $2 AND month BETWEEN $3 AND $4",
        )
        .bind(name)
        .bind(id)
        .bind(from)
        .bind(to)
        .fetch_one(&self.pool)
        .await?;
        Ok(WalkIns { rated, bad })
    }

    /// Valid ratings of `scope` per channel over `from ..= to`.
    pub async fn channel_counts(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
    ) -> StoreResult<ByChannel> {
        let (name, id) = scope.key();
        let rows = sqlx::query_as(
            "SELECT channel, CAST(sum(n) AS BIGINT) FROM stat_channel WHERE scope = $1 AND scope_id = $2 \
             AND month BETWEEN $3 AND $4 GROUP BY channel",
        )
        .bind(name)
        .bind(id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(ByChannel::from_rows(rows))
    }

    /// Valid ratings per channel in the departments `departments` (a query of their ids:
    /// `platform::scope::departments_sql`) over `from ..= to`.
    pub async fn channel_counts_of_departments(
        &self,
        departments: &str,
        from: Month,
        to: Month,
    ) -> StoreResult<ByChannel> {
        let stat_channel = self.backend().rows_of("stat_channel");
        let sql = format!(
            "SELECT channel, CAST(sum(n) AS BIGINT) FROM {stat_channel} WHERE scope = 'department' \
             AND scope_id IN ({departments}) AND month BETWEEN $1 AND $2 GROUP BY channel"
        );
        let rows = sqlx::query_as(&sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        Ok(ByChannel::from_rows(rows))
    }
}

/// The open data's channel counts: a subquery `ch` with one row per (scope, scope_id, month) of
/// the months `months` (a condition on `month`) and a column `ch_<channel>` per channel, and the
/// columns that read it for the row `s` (0 where it has none), in the order of `Channel::ALL`. One
/// grouped join rather than a lookup per channel and row: 330 → 210 ms for a month of 12,201 rows
/// on PostgreSQL, the same on SQLite.
pub(super) fn channel_pivot(months: &str) -> (String, String) {
    let names = Channel::ALL.map(Channel::as_str);
    let sums = names
        .iter()
        .map(|n| {
            format!("CAST(sum(CASE WHEN channel = '{n}' THEN n ELSE 0 END) AS BIGINT) AS ch_{n}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let columns = names
        .iter()
        .map(|n| format!("coalesce(ch.ch_{n}, 0) AS ch_{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let join = format!(
        "LEFT JOIN (SELECT scope, scope_id, month, {sums} FROM stat_channel WHERE {months} \
         GROUP BY scope, scope_id, month) ch \
         ON ch.scope = s.scope AND ch.scope_id = s.scope_id AND ch.month = s.month"
    );
    (join, columns)
}

/// Reads the `ch_<channel>` columns of `channel_pivot`.
pub(super) fn read_channels(r: &crate::platform::db::DbRow) -> StoreResult<ByChannel> {
    use sqlx::Row;
    let mut counts = ByChannel::default();
    for (n, c) in counts.0.iter_mut().zip(Channel::ALL) {
        *n = r.try_get(format!("ch_{}", c.as_str()).as_str())?;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_every_channel_and_its_counts_add_up() {
        let counts = ByChannel::from_rows(vec![(Channel::Sms, 3), (Channel::QrCode, 1)]);
        let table = counts.table();
        assert_eq!(table.len(), Channel::ALL.len());
        assert_eq!(table.iter().map(|r| r.count).sum::<i64>(), counts.total());
        let sms = table.iter().find(|r| r.label == "短信").unwrap();
        assert_eq!((sms.common_code, sms.sms6_code), (Some(7), Some(6)));
        assert_eq!((sms.count, sms.share.as_str()), (3, "75.00 %"));
        assert_eq!(ByChannel::default().table()[0].share, "—");
    }
}
