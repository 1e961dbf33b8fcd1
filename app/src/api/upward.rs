//! 上报 — where reporting to the upstream platforms stands, for the supervisor's overview.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One upstream target as the overview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpwardView {
    pub name: String,
    pub mapping: String,
    pub delivered: i64,
    pub backlog: i64,
    pub failing: i64,
    /// "—", or how long the oldest undelivered record has waited ("12 秒").
    pub oldest_wait: String,
    /// The latest errors, one line each.
    pub errors: Vec<String>,
    /// Reconciliation rows that differ, one line each.
    pub differences: Vec<String>,
    pub last_reconciled: String,
    /// 上报预警: failures, a record waiting over a minute, or a difference.
    pub alert: bool,
}

/// Every upstream target (supervisors and administrators); empty for other roles.
#[server]
pub async fn upward_status() -> Result<Vec<UpwardView>, ApiError> {
    let (state, session) = super::staff_session().await?;
    let now = server::platform::db::now_ms();
    let targets = server::features::upward::status_for(&state, session.actor)
        .await?
        .unwrap_or_default();
    Ok(targets.into_iter().map(|t| from_server(t, now)).collect())
}

#[cfg(feature = "ssr")]
fn from_server(t: server::features::upward::TargetStatus, now: i64) -> UpwardView {
    let health = t.health(now);
    let wait = |ms: i64| match ms / 1000 {
        s if s < 120 => format!("{s} 秒"),
        s if s < 7200 => format!("{} 分钟", s / 60),
        s => format!("{} 小时", s / 3600),
    };
    UpwardView {
        mapping: domain::upward::Mapping::named(&t.mapping)
            .map_or(t.mapping.clone(), |m| m.label_zh.to_owned()),
        name: t.name,
        delivered: t.delivered,
        backlog: t.backlog,
        failing: t.failing,
        oldest_wait: health.oldest_wait_ms.map_or_else(|| "—".to_owned(), wait),
        errors: t
            .errors
            .into_iter()
            .map(|(id, attempts, error)| format!("#{id}（已试 {attempts} 次）：{error}"))
            .collect(),
        differences: t
            .differences
            .into_iter()
            .map(|(day, level, channel, ours, theirs)| {
                let channel = domain::Channel::parse(&channel)
                    .map_or(channel.clone(), |c| c.label_zh().to_owned());
                format!("{day} 满意度 {level} {channel}：本级 {ours} 条，上级 {theirs} 条")
            })
            .collect(),
        last_reconciled: t
            .last_reconciled
            .map_or_else(|| "尚未对账".to_owned(), |t| t.to_string()),
        alert: health.alert(),
    }
}
