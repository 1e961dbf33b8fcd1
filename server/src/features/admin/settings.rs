//! Settings administrators change at run time: ticket deadlines, 公示 settings and holiday
//! years. Every change is written together with its audit-log entry, in one transaction.

use domain::{device::DeviceSettings, ticket::Deadlines};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::json;

pub(super) mod forward;
pub(super) mod notify;

use crate::platform::{
    auth::{Audit, audit},
    db::{Store, StoreResult, now_ms},
    state::Disclosure,
};

/// A group of settings kept as one JSON document in `setting` under [`SettingsDoc::KEY`]. Every
/// field is optional in the stored document: what is missing takes the value in force by default.
trait SettingsDoc: Serialize + DeserializeOwned {
    const KEY: &'static str;
    /// The audit log's name of a change of this group.
    const ACTION: &'static str;

    /// The document as the audit log keeps it: all of it, unless a group leaves something out.
    fn audited(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }
}

/// 办理时限 as stored: working days per deadline, each optional (a document saved before a
/// deadline existed gives it its default).
#[derive(Debug, Default, Serialize, Deserialize)]
struct DeadlinesDoc {
    first_contact: Option<u32>,
    triage: Option<u32>,
    fix_now: Option<u32>,
    rectification: Option<u32>,
    reply: Option<u32>,
    complaint_reply: Option<u32>,
    complaint_reply_complex: Option<u32>,
    appeal_review: Option<u32>,
    fix_rating: Option<u32>,
    redo: Option<u32>,
}

impl SettingsDoc for DeadlinesDoc {
    const KEY: &'static str = "deadlines";
    const ACTION: &'static str = "set_deadlines";
}

impl From<Deadlines> for DeadlinesDoc {
    fn from(d: Deadlines) -> Self {
        DeadlinesDoc {
            first_contact: Some(d.first_contact),
            triage: Some(d.triage),
            fix_now: Some(d.fix_now),
            rectification: Some(d.rectification),
            reply: Some(d.reply),
            complaint_reply: Some(d.complaint_reply),
            complaint_reply_complex: Some(d.complaint_reply_complex),
            appeal_review: Some(d.appeal_review),
            fix_rating: Some(d.fix_rating),
            redo: Some(d.redo),
        }
    }
}

impl DeadlinesDoc {
    fn over(self, d: Deadlines) -> Deadlines {
        Deadlines {
            first_contact: self.first_contact.unwrap_or(d.first_contact),
            triage: self.triage.unwrap_or(d.triage),
            fix_now: self.fix_now.unwrap_or(d.fix_now),
            rectification: self.rectification.unwrap_or(d.rectification),
            reply: self.reply.unwrap_or(d.reply),
            complaint_reply: self.complaint_reply.unwrap_or(d.complaint_reply),
            complaint_reply_complex: self
                .complaint_reply_complex
                .unwrap_or(d.complaint_reply_complex),
            appeal_review: self.appeal_review.unwrap_or(d.appeal_review),
            fix_rating: self.fix_rating.unwrap_or(d.fix_rating),
            redo: self.redo.unwrap_or(d.redo),
        }
    }
}

/// 公示设置 as stored.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DisclosureDoc {
    basic_counts_as_good: Option<bool>,
    min_sample: Option<i64>,
    staff_by_name: Option<bool>,
    alert_days: Option<u32>,
    alert_min_rated: Option<i64>,
    alert_threshold_bp: Option<i64>,
}

impl SettingsDoc for DisclosureDoc {
    const KEY: &'static str = "disclosure";
    const ACTION: &'static str = "set_disclosure";
}

impl From<Disclosure> for DisclosureDoc {
    fn from(d: Disclosure) -> Self {
        DisclosureDoc {
            basic_counts_as_good: Some(d.policy.basic_counts_as_good),
            min_sample: Some(d.policy.min_sample),
            staff_by_name: Some(d.staff_by_name),
            alert_days: Some(d.alert.days),
            alert_min_rated: Some(d.alert.min_rated),
            alert_threshold_bp: Some(d.alert.threshold_bp),
        }
    }
}

impl DisclosureDoc {
    fn over(self, mut d: Disclosure) -> Disclosure {
        d.policy.basic_counts_as_good = self
            .basic_counts_as_good
            .unwrap_or(d.policy.basic_counts_as_good);
        d.policy.min_sample = self.min_sample.unwrap_or(d.policy.min_sample);
        d.staff_by_name = self.staff_by_name.unwrap_or(d.staff_by_name);
        d.alert.days = self.alert_days.unwrap_or(d.alert.days);
        d.alert.min_rated = self.alert_min_rated.unwrap_or(d.alert.min_rated);
        d.alert.threshold_bp = self.alert_threshold_bp.unwrap_or(d.alert.threshold_bp);
        d
    }
}

/// 评价器设置 as stored, each optional.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DeviceDoc {
    idle_seconds: Option<u32>,
    silence_hours: Option<u32>,
}

impl SettingsDoc for DeviceDoc {
    const KEY: &'static str = "devices";
    const ACTION: &'static str = "set_device_settings";
}

impl From<DeviceSettings> for DeviceDoc {
    fn from(d: DeviceSettings) -> Self {
        DeviceDoc {
            idle_seconds: Some(d.idle_seconds),
            silence_hours: Some(d.silence_hours),
        }
    }
}

/// 节假日安排 — a year's schedule as entered: days off and weekend days worked (调休), as the
/// administrator wrote them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HolidayYear {
    pub year: i32,
    pub off: String,
    pub worked: String,
}

impl Store {
    /// The deadlines in force: the administrator's saved ones over `defaults` (from the environment).
    pub async fn deadlines(&self, defaults: Deadlines) -> StoreResult<Deadlines> {
        Ok(self.setting::<DeadlinesDoc>().await?.over(defaults))
    }

    /// The disclosure settings in force (defaults where none were saved).
    pub async fn disclosure(&self) -> StoreResult<Disclosure> {
        Ok(self
            .setting::<DisclosureDoc>()
            .await?
            .over(Disclosure::default()))
    }

    /// The 评价器 settings in force (defaults where none were saved).
    pub async fn device_settings(&self) -> StoreResult<DeviceSettings> {
        let saved = self.setting::<DeviceDoc>().await?;
        let d = DeviceSettings::default();
        Ok(DeviceSettings {
            idle_seconds: saved.idle_seconds.unwrap_or(d.idle_seconds),
            silence_hours: saved.silence_hours.unwrap_or(d.silence_hours),
        })
    }

    /// Saves the 评价器 settings, with the audit-log entry (before → after).
    pub async fn save_device_settings(
        &self,
        account: i64,
        before: DeviceSettings,
        after: DeviceSettings,
    ) -> StoreResult<()> {
        self.save_setting(account, DeviceDoc::from(before), DeviceDoc::from(after))
            .await
    }

    /// Saves the disclosure settings, with the audit-log entry (before → after).
    pub async fn save_disclosure(
        &self,
        account: i64,
        before: Disclosure,
        after: Disclosure,
    ) -> StoreResult<()> {
        self.save_setting(
            account,
            DisclosureDoc::from(before),
            DisclosureDoc::from(after),
        )
        .await
    }

    /// Saves the deadlines, with the audit-log entry (before → after).
    pub async fn save_deadlines(
        &self,
        account: i64,
        before: Deadlines,
        after: Deadlines,
    ) -> StoreResult<()> {
        self.save_setting(
            account,
            DeadlinesDoc::from(before),
            DeadlinesDoc::from(after),
        )
        .await
    }

    /// A settings group as saved; an unreadable document counts as nothing saved (with a warning),
    /// so that the defaults apply rather than the server failing to start.
    async fn setting<T: SettingsDoc + Default>(&self) -> StoreResult<T> {
        let saved: Option<String> = sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
            .bind(T::KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(saved
            .and_then(|json| {
                serde_json::from_str(&json)
                    .inspect_err(|e| tracing::warn!("setting {} unreadable: {e}", T::KEY))
                    .ok()
            })
            .unwrap_or_default())
    }

    /// Replaces a settings group's document, with its audit-log entry, in one transaction.
    async fn save_setting<T: SettingsDoc>(
        &self,
        account: i64,
        before: T,
        after: T,
    ) -> StoreResult<()> {
        let encode = |e: serde_json::Error| sqlx::Error::Encode(e.into());
        let stored = serde_json::to_string(&after).map_err(encode)?;
        let after = after.audited().map_err(encode)?;
        let before = before.audited().map_err(encode)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(T::KEY)
        .bind(stored)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let entry =
            Audit::new(Some(account), T::ACTION, ("setting", 0)).change(Some(before), Some(after));
        audit(&mut tx, entry).await?;
        tx.commit().await
    }

    /// Enters or replaces a year's holiday schedule, with the audit-log entry. `account`: `None`
    /// for the shell command.
    pub async fn set_holiday_year(
        &self,
        account: Option<i64>,
        year: i32,
        off: &str,
        work: &str,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let before: Option<(String, String)> =
            sqlx::query_as("SELECT off_days, work_days FROM holiday_year WHERE year = $1")
                .bind(year)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO holiday_year (year, off_days, work_days, entered_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET off_days = excluded.off_days, work_days = excluded.work_days, \
             entered_at = excluded.entered_at",
        )
        .bind(year)
        .bind(off)
        .bind(work)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let entry = Audit::new(account, "set_holidays", ("holiday_year", i64::from(year))).change(
            before.map(|(off, work)| json!({ "off": off, "work": work })),
            Some(json!({ "off": off, "work": work })),
        );
        audit(&mut tx, entry).await?;
        tx.commit().await
    }

    /// Every entered holiday schedule: (year, days off, days worked).
    pub async fn holiday_years(&self) -> StoreResult<Vec<HolidayYear>> {
        sqlx::query_as(
            "SELECT year, off_days AS off, work_days AS worked FROM holiday_year ORDER BY year",
        )
        .fetch_all(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    /// A store on a private in-memory database, migrated up to (not including) `before_version`.
    async fn store_before(before_version: i64) -> (Store, sqlx::migrate::Migrator) {
        let pool = crate::platform::db::test_pool("sqlite::memory:", 1).await;
        let all = sqlx::migrate!("./migrations");
        let mut early = sqlx::migrate!("./migrations");
        early.migrations = Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < before_version)
                .cloned()
                .collect(),
        );
        early.run(&pool).await.unwrap();
        (Store::on_pool(pool), all)
    }

    #[tokio::test]
    async fn the_old_keys_become_documents() {
        let (store, all) = store_before(10).await;
        for (key, value) in [
            ("deadline.first_contact", "2"),
            ("deadline.complaint_reply_complex", "9"),
            ("disclosure.staff_by_name", "1"),
            ("disclosure.basic_counts_as_good", "0"),
            ("disclosure.min_sample", "50"),
        ] {
            sqlx::query("INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, 1)")
                .bind(key)
                .bind(value)
                .execute(&store.pool)
                .await
                .unwrap();
        }
        all.run(&store.pool).await.unwrap();

        let defaults = Deadlines::default();
        let deadlines = store.deadlines(defaults).await.unwrap();
        assert_eq!(deadlines.first_contact, 2);
        assert_eq!(deadlines.complaint_reply_complex, 9);
        assert_eq!(deadlines.rectification, defaults.rectification);
        // Deadlines added since (issue 10) take their defaults.
        assert_eq!(
            (deadlines.triage, deadlines.fix_now, deadlines.redo),
            (defaults.triage, defaults.fix_now, defaults.redo)
        );
        let disclosure = store.disclosure().await.unwrap();
        assert!(disclosure.staff_by_name);
        assert!(!disclosure.policy.basic_counts_as_good);
        assert_eq!(disclosure.policy.min_sample, 50);
        assert_eq!(disclosure.alert, Disclosure::default().alert);
        let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM setting ORDER BY key")
            .fetch_all(&store.pool)
            .await
            .unwrap();
        assert_eq!(keys, ["deadlines", "disclosure"]);
    }

    #[tokio::test]
    async fn a_saved_group_reads_back_and_is_audited_as_json() {
        let (store, all) = store_before(0).await;
        all.run(&store.pool).await.unwrap();
        sqlx::query(
            "INSERT INTO account (id, username, password_hash, role, created_at) \
             VALUES (7, 'a', 'x', 'admin', 0)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let before = Deadlines::default();
        let after = Deadlines {
            first_contact: 3,
            ..before
        };
        store.save_deadlines(7, before, after).await.unwrap();
        assert_eq!(store.deadlines(before).await.unwrap(), after);

        let (action, logged): (String, String) =
            sqlx::query_as("SELECT action, after FROM audit_log WHERE account_id = 7")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        assert_eq!(action, "set_deadlines");
        let logged: serde_json::Value = serde_json::from_str(&logged).unwrap();
        assert_eq!(logged["first_contact"], 3);
        assert_eq!(logged["fix_now"], 1);
    }

    #[tokio::test]
    async fn a_document_saved_before_a_deadline_existed_gives_it_its_default() {
        let (store, all) = store_before(0).await;
        all.run(&store.pool).await.unwrap();
        sqlx::query(
            "INSERT INTO setting (key, value, updated_at) VALUES ('deadlines', \
             '{\"first_contact\":2,\"rectification\":10,\"complaint_reply\":2,\"complaint_reply_complex\":5}', 1)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let defaults = Deadlines::default();
        let read = store.deadlines(defaults).await.unwrap();
        assert_eq!(
            read,
            Deadlines {
                first_contact: 2,
                rectification: 10,
                ..defaults
            }
        );
    }
}
