//! 上报 — real-time, complete reporting upward, and the province tier that receives it.
//!
//! Every evaluation, invalidation and carried ticket step gets an outbox row in its own
//! transaction (triggers, migration 0021). The reporter (`reporter`) sends the rows to each
//! configured target in order per occurrence, retrying with backoff; the target's spelling is a
//! `domain::upward::Mapping`. A haochaping instance receives its counties' records (`api`,
//! `receive`) as their reported ratings, and publishes province-wide figures from them.
//! Reconciliation compares each day's counts by level and channel with the target's.

mod api;
mod receive;
mod reporter;
mod store;

use std::collections::BTreeMap;

pub use api::routes;
pub use receive::Received;
pub use reporter::{backoff_ms, credentials, record_json, report_forever, report_round};
pub use store::{DayCounts, NewTarget, Target, TargetStatus};

use domain::{
    time::Date,
    upward::{Mapping, SignMethod},
};
use serde_json::{Value, json};

use crate::platform::{db::now_ms, state::AppState};

/// A day written YYYYMMDD.
pub fn date_of(yyyymmdd: i64) -> Option<Date> {
    let (y, md) = (yyyymmdd / 10_000, yyyymmdd % 10_000);
    Date::from_ymd(
        i32::try_from(y).ok()?,
        u32::try_from(md / 100).ok()?,
        u32::try_from(md % 100).ok()?,
    )
    .ok()
}

/// A target to configure (from the shell): its key is sealed before it is stored.
pub struct TargetForm<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub mapping: &'a str,
    pub sign_method: &'a str,
    pub key: &'a str,
    pub data_source: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("unknown mapping {0:?}; known: haochaping, provincial")]
    Mapping(String),
    #[error("unknown signature method {0:?}; known: hmac-sha256, hmac-sm3, sm2")]
    Sign(String),
    #[error(
        "an sm2 key is ID:PRIVATE-KEY (64 hex characters), and a haochaping province takes HMAC"
    )]
    Sm2Key,
    #[error("the URL must start with http:// or https://")]
    Url,
    #[error("the key is empty")]
    Key,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Adds an upstream target; it receives every record from the first one on.
pub async fn add_target(state: &AppState, form: &TargetForm<'_>) -> Result<i64, TargetError> {
    let mapping = Mapping::named(form.mapping)
        .ok_or_else(|| TargetError::Mapping(form.mapping.to_owned()))?;
    let method = SignMethod::parse(form.sign_method)
        .ok_or_else(|| TargetError::Sign(form.sign_method.to_owned()))?;
    if method == SignMethod::Sm2 {
        let secret = form.key.split_once(':').map(|(_, s)| s.trim());
        let valid = secret
            .and_then(crate::platform::crypto::from_hex)
            .is_some_and(|b| SignMethod::sm2_sign(&b, 0, b"").is_some());
        if !valid || mapping == Mapping::HAOCHAPING {
            return Err(TargetError::Sm2Key);
        }
    }
    if !(form.url.starts_with("http://") || form.url.starts_with("https://")) {
        return Err(TargetError::Url);
    }
    if form.key.trim().is_empty() {
        return Err(TargetError::Key);
    }
    let key_enc = state.secrets.encrypt(form.key.trim());
    Ok(state
        .store
        .add_upward_target(&NewTarget {
            name: form.name,
            url: form.url.trim_end_matches('/'),
            mapping: form.mapping,
            sign_method: form.sign_method,
            key_enc: &key_enc,
            data_source: form.data_source,
        })
        .await?)
}

/// The outcome of one day's reconciliation with one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciled {
    pub target: String,
    /// Level, channel, ours, theirs — every pair either side counted.
    pub rows: Vec<(i64, String, i64, i64)>,
}

impl Reconciled {
    /// The rows where the two sides differ.
    pub fn differences(&self) -> impl Iterator<Item = &(i64, String, i64, i64)> {
        self.rows
            .iter()
            .filter(|(_, _, ours, theirs)| ours != theirs)
    }
}

/// 对账 — compares `day`'s valid ratings by level and channel with every target that can say
/// what it holds (a haochaping province), keeps the comparison and returns it.
pub async fn reconcile(state: &AppState, day: Date) -> anyhow::Result<Vec<Reconciled>> {
    let ours = state.store.upward_day_counts(day, None).await?;
    let mut out = Vec::new();
    for target in state.store.upward_targets().await? {
        if Mapping::named(&target.mapping) != Some(Mapping::HAOCHAPING) {
            continue;
        }
        let theirs = their_counts(state, &target, day).await?;
        let mut merged: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
        for (level, channel, n) in &ours {
            merged.entry((*level, channel.clone())).or_default().0 += n;
        }
        for (level, channel, n) in theirs {
            merged.entry((level, channel)).or_default().1 += n;
        }
        let rows: Vec<_> = merged
            .into_iter()
            .map(|((level, channel), (o, t))| (level, channel, o, t))
            .collect();
        state
            .store
            .save_reconciliation(target.id, day.yyyymmdd(), &rows, now_ms())
            .await?;
        out.push(Reconciled {
            target: target.name,
            rows,
        });
    }
    Ok(out)
}

async fn their_counts(state: &AppState, target: &Target, day: Date) -> anyhow::Result<DayCounts> {
    let key = String::from_utf8(state.secrets.decrypt_bytes(&target.key_enc)?)?;
    let method = SignMethod::parse(&target.sign_method).unwrap_or(SignMethod::HmacSha256);
    let body = serde_json::to_vec(&json!({ "day": day.yyyymmdd() }))?;
    let (bearer, headers) = credentials(method, &key, now_ms(), &body);
    let mut request = state
        .http
        .post(format!(
            "{}/api/v1/upward/reconciliation",
            target.url.trim_end_matches('/')
        ))
        .bearer_auth(bearer)
        .header("content-type", "application/json")
        .timeout(std::time::Duration::from_secs(30));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let text = request
        .body(body)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let answer: Value = serde_json::from_str(&text)?;
    let counts = answer
        .get("counts")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow::anyhow!("{}: the answer has no counts", target.name))?;
    Ok(counts
        .iter()
        .filter_map(|c| {
            Some((
                c.get("level")?.as_i64()?,
                c.get("channel")?.as_str()?.to_owned(),
                c.get("n")?.as_i64()?,
            ))
        })
        .collect())
}

/// Where reporting stands, for a supervisor or an administrator (the whole system: reporting is
/// not per department).
pub async fn status_for(
    state: &AppState,
    actor: domain::access::Actor,
) -> Result<Option<Vec<TargetStatus>>, sqlx::Error> {
    use domain::access::Role;
    if !matches!(actor.role, Role::Supervisor | Role::Admin) {
        return Ok(None);
    }
    state.store.upward_status().await.map(Some)
}

impl TargetStatus {
    /// What the alert rule needs, at `now` (unix ms).
    pub fn health(&self, now: i64) -> domain::upward::Health {
        domain::upward::Health {
            failing: self.failing,
            oldest_wait_ms: self.oldest_undelivered.map(|t| now - t.unix_ms()),
            differences: self.differences.len(),
        }
    }
}
