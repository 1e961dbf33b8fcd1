//! For the supervising office: the hour × weekday heat map of a hall and the windows whose recent
//! satisfaction fell below the alert threshold.

use domain::{
    stats::{Alert, Policy},
    time::{Date, Month},
};
use sqlx::Row;

use domain::org::Scope;

use crate::platform::db::{Store, StoreResult};
use crate::platform::scope::{halls_sql, windows_sql, within};

/// A window whose satisfaction over the last days fell below the threshold.
#[derive(Debug, Clone)]
pub struct WindowAlert {
    pub window: String,
    pub department: String,
    pub rated: i64,
    pub good: i64,
}

/// One hour of one weekday in a hall's month (`stat_hour`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct HeatHour {
    /// 0 = Sunday, as SQLite's `strftime('%w')`.
    pub weekday: i64,
    pub hour: i64,
    pub rated: i64,
    pub bad: i64,
}

impl Store {
    /// When a hall's ratings and 差评 came in `month`, by weekday and hour.
    pub async fn heat(&self, hall: i64, month: Month) -> StoreResult<Vec<HeatHour>> {
        sqlx::query_as(
            "SELECT weekday, hour, rated, bad FROM stat_hour WHERE hall_id = $1 AND month = $2 \
             ORDER BY weekday, hour",
        )
        .bind(hall)
        .bind(month)
        .fetch_all(&self.pool)
        .await
    }

    /// The windows in `scope` that `alert` flags from the day `since` on: rated at least
    /// `min_rated` times, with a share of good ratings below the threshold (`Alert::fires`, stated
    /// here in SQL so that only the flagged windows come back).
    pub async fn window_alerts(
        &self,
        since: Date,
        (alert, policy): (Alert, Policy),
        scope: Scope,
    ) -> StoreResult<Vec<WindowAlert>> {
        let sql = format!(
            "SELECT window_name, department, rated, good FROM ( \
             SELECT h.name || ' ' || w.number || '号窗口 ' || w.name AS window_name, \
             d.name AS department, CAST(sum(s.rated) AS BIGINT) AS rated, \
             CAST(sum(s.good) AS BIGINT) + (CASE WHEN $4 THEN CAST(sum(s.basic) AS BIGINT) ELSE 0 END) AS good \
             FROM stat_day s JOIN service_window w ON w.id = s.window_id \
             JOIN hall h ON h.id = w.hall_id JOIN department d ON d.id = w.department_id \
             WHERE s.day >= $1 AND {} GROUP BY s.window_id, h.name, w.number, w.name, d.name) AS a \
             WHERE rated >= $2 AND good * 10000 < $3 * rated \
             ORDER BY good * 1.0 / rated, window_name LIMIT 50",
            within("s.window_id", windows_sql(scope))
        );
        let rows = sqlx::query(&sql)
            .bind(since.yyyymmdd())
            .bind(alert.min_rated)
            .bind(alert.threshold_bp)
            .bind(policy.basic_counts_as_good)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| WindowAlert {
                window: r.get("window_name"),
                department: r.get("department"),
                rated: r.get("rated"),
                good: r.get("good"),
            })
            .collect())
    }

    /// The halls, for choosing a heat map.
    pub async fn halls(&self) -> StoreResult<Vec<(i64, String)>> {
        self.halls_in(Scope::All).await
    }

    /// The halls in `scope`, for choosing a heat map.
    pub async fn halls_in(&self, scope: Scope) -> StoreResult<Vec<(i64, String)>> {
        let sql = format!(
            "SELECT id, name FROM hall WHERE {} ORDER BY id",
            within("id", halls_sql(scope))
        );
        sqlx::query_as(&sql).fetch_all(&self.pool).await
    }

    /// Every non-zero row of the time aggregates, for comparing with a recomputation.
    pub async fn all_time_stats(
        &self,
    ) -> StoreResult<(
        Vec<(i64, i64, i64, i64, i64, i64)>,
        Vec<(i64, i64, i64, i64, i64)>,
    )> {
        let hours = sqlx::query_as(
            "SELECT hall_id, month, weekday, hour, rated, bad FROM stat_hour WHERE rated <> 0 \
             ORDER BY 1, 2, 3, 4",
        )
        .fetch_all(&self.pool)
        .await?;
        let days = sqlx::query_as(
            "SELECT window_id, day, rated, good, basic FROM stat_day WHERE rated <> 0 ORDER BY 1, 2",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((hours, days))
    }
}
