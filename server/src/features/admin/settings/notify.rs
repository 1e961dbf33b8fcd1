//! 邀评与消息设置 as stored: invitations, default evaluations, the SMS gateway and each
//! department's group robot and contact phone — one document, off by default. Secrets are kept
//! sealed (`Secrets::encrypt`, base64) and never read back to a page.

use std::collections::BTreeMap;

use domain::notify::{DefaultEvaluationSettings, InviteSettings};
use serde::{Deserialize, Serialize};

use super::SettingsDoc;
use crate::platform::db::{Store, StoreResult};

/// Which SMS gateway sends the citizens' messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsKind {
    /// Nothing is sent (the default).
    #[default]
    Off,
    /// A 政务短信平台's HTTP interface.
    Http,
    /// Development: one JSON line per message appended to `<data dir>/messages.jsonl`.
    File,
}

impl SmsKind {
    pub fn parse(text: &str) -> Option<SmsKind> {
        match text {
            "off" => Some(SmsKind::Off),
            "http" => Some(SmsKind::Http),
            "file" => Some(SmsKind::File),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SmsKind::Off => "off",
            SmsKind::Http => "http",
            SmsKind::File => "file",
        }
    }
}

/// 短信网关 — where and how SMS go out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsGateway {
    pub kind: SmsKind,
    pub url: String,
    pub account: String,
    /// The platform's secret or token, sealed with the master key (base64).
    pub secret_sealed: Option<String>,
    /// 短信模板编号.
    pub template: String,
}

/// A department's notification targets: its group robot and/or a contact phone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DepartmentTarget {
    pub robot_url: String,
    /// The robot's signing secret, sealed (base64); none: unsigned.
    pub robot_secret_sealed: Option<String>,
    /// The department's contact mobile (a staff member on duty, not a citizen).
    pub contact_phone: String,
}

impl DepartmentTarget {
    pub fn is_empty(&self) -> bool {
        self.robot_url.is_empty() && self.contact_phone.is_empty()
    }
}

/// Everything the messages and the default evaluation need.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    pub invite: InviteSettings,
    pub default_evaluation: DefaultEvaluationSettings,
    /// When default evaluations were last switched on (unix ms): services registered before
    /// then are left as they are, so that switching the rule on never rewrites closed months.
    pub default_since: i64,
    pub sms: SmsGateway,
    /// By department code.
    pub departments: BTreeMap<String, DepartmentTarget>,
}

impl SettingsDoc for NotifySettings {
    const KEY: &'static str = "notify";
    const ACTION: &'static str = "set_notify";
}

impl Store {
    /// The notification settings in force (everything off where none were saved).
    pub async fn notify_settings(&self) -> StoreResult<NotifySettings> {
        self.setting::<NotifySettings>().await
    }

    /// Saves the notification settings, with the audit-log entry (before → after; secrets appear
    /// sealed only).
    pub async fn save_notify_settings(
        &self,
        account: i64,
        before: NotifySettings,
        after: NotifySettings,
    ) -> StoreResult<()> {
        self.save_setting(account, before, after).await
    }
}

impl Store {
    /// Every active department's (code, name), by name's order of creation.
    pub async fn department_codes(&self) -> StoreResult<Vec<(String, String)>> {
        sqlx::query_as("SELECT code, name FROM department WHERE deactivated_at IS NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn everything_is_off_by_default_and_missing_fields_take_their_defaults() {
        let pool = crate::platform::db::memory_pool().await;
        let store = Store::on_pool(pool);
        let none = store.notify_settings().await.unwrap();
        assert!(!none.invite.enabled && !none.default_evaluation.enabled);
        assert_eq!(none.sms.kind, SmsKind::Off);
        assert!(none.departments.is_empty());

        sqlx::query(
            "INSERT INTO setting (key, value, updated_at) VALUES ('notify', \
             '{\"invite\":{\"enabled\":true,\"reminders\":2},\"departments\":{\"BDC\":{\"robot_url\":\"http://x\"}}}', 1)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let read = store.notify_settings().await.unwrap();
        let defaults = InviteSettings::default();
        assert_eq!(
            read.invite,
            InviteSettings {
                enabled: true,
                reminders: 2,
                ..defaults
            }
        );
        assert_eq!(
            read.default_evaluation,
            DefaultEvaluationSettings::default()
        );
        let bdc = &read.departments["BDC"];
        assert_eq!(
            (bdc.robot_url.as_str(), bdc.robot_secret_sealed.as_deref()),
            ("http://x", None)
        );
    }
}
