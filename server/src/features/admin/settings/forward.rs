//! 差评转送12345 as stored: whether every new 差评 ticket goes to the 12345 platform as a work
//! order, where, and how the requests are signed. Off by default. The secret is kept sealed
//! (`Secrets::encrypt`, base64), never read back to a page and never written to the audit log.
//!
//! The trigger `forward_bad_review` (migration 0028) reads `enabled` from this document in the
//! ticket's transaction: keep the field's name.

use serde::{Deserialize, Serialize};

use super::SettingsDoc;
use crate::platform::db::{Store, StoreResult};

/// The forwarding target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForwardSettings {
    pub enabled: bool,
    /// Where work orders and status changes are POSTed.
    pub url: String,
    /// `domain::upward::SignMethod`'s spelling.
    pub sign_method: String,
    /// The shared secret (HMAC) or our SM2 private key (hex), sealed (base64).
    pub secret_sealed: Option<String>,
}

impl Default for ForwardSettings {
    fn default() -> Self {
        ForwardSettings {
            enabled: false,
            url: String::new(),
            sign_method: domain::upward::SignMethod::HmacSha256.as_str().to_owned(),
            secret_sealed: None,
        }
    }
}

impl SettingsDoc for ForwardSettings {
    const KEY: &'static str = "forward";
    const ACTION: &'static str = "set_forwarding";

    /// Whether a secret is set, never the secret (not even sealed).
    fn audited(&self) -> serde_json::Result<serde_json::Value> {
        Ok(serde_json::json!({
            "enabled": self.enabled,
            "url": self.url,
            "sign_method": self.sign_method,
            "secret": if self.secret_sealed.is_some() { "已设置" } else { "未设置" },
        }))
    }
}

impl Store {
    /// The forwarding settings in force (off where none were saved).
    pub async fn forward_settings(&self) -> StoreResult<ForwardSettings> {
        self.setting::<ForwardSettings>().await
    }

    /// Saves the forwarding settings, with the audit-log entry (before → after, secrets only as
    /// set or not).
    pub async fn save_forward_settings(
        &self,
        account: i64,
        before: ForwardSettings,
        after: ForwardSettings,
    ) -> StoreResult<()> {
        self.save_setting(account, before, after).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_tickets_trigger_reads_the_switch_as_saved_and_the_audit_has_no_secret() {
        let pool = crate::platform::db::memory_pool().await;
        // No accounts here: the audit entry's account is a number only.
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&pool)
            .await
            .unwrap();
        let store = Store::on_pool(pool);
        let off = store.forward_settings().await.unwrap();
        assert!(!off.enabled && off.sign_method == "hmac-sha256");
        let on = ForwardSettings {
            enabled: true,
            url: "http://12345.example/orders".into(),
            secret_sealed: Some("U0VBTEVE".into()),
            ..off.clone()
        };
        store.save_forward_settings(1, off, on).await.unwrap();
        let switch: Option<i64> = sqlx::query_scalar(
            "SELECT json_extract(value, '$.enabled') FROM setting WHERE key = 'forward'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(switch, Some(1), "as migration 0028's trigger compares it");
        let audited: String = sqlx::query_scalar("SELECT after FROM audit_log")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(audited.contains("已设置") && !audited.contains("U0VBTEVE"));
    }
}
