//! 邀评与消息设置 on the administration page: read (secrets only as "已设置"), checked with the
//! ranges in `domain::notify`, saved with the audit log. Blank secret fields keep the secret.

use base64::Engine;
use domain::{
    Level,
    access::{Actor, Role},
    notify::{DefaultEvaluationSettings, InviteSettings, NotifySettingError, QuietHours},
};

use super::store::MessageLine;
use crate::features::admin::{AdminError, DepartmentTarget, NotifySettings, SmsKind};
use crate::platform::{db::now_ms, state::AppState};

/// The settings form as sent (text fields, checked here).
#[derive(Debug, Clone, Default)]
pub struct NotifyForm<'a> {
    pub invite_enabled: bool,
    pub invite_after_days: &'a str,
    pub invite_reminders: &'a str,
    pub invite_spacing_days: &'a str,
    pub quiet_start: &'a str,
    pub quiet_end: &'a str,
    pub default_enabled: bool,
    pub default_after_days: &'a str,
    /// The level's interface code, 5 非常满意 … 3 基本满意.
    pub default_level: &'a str,
    pub sms_kind: &'a str,
    pub sms_url: &'a str,
    pub sms_account: &'a str,
    /// Blank: keep the secret set before.
    pub sms_secret: &'a str,
    pub sms_template: &'a str,
}

/// One department's targets as sent. Blank secret: keep; `clear_secret`: remove it.
#[derive(Debug, Clone, Default)]
pub struct TargetForm<'a> {
    pub department: &'a str,
    pub robot_url: &'a str,
    pub robot_secret: &'a str,
    pub clear_secret: bool,
    pub contact_phone: &'a str,
}

/// A department's line on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetView {
    pub code: String,
    pub name: String,
    pub robot_url: String,
    pub robot_secret_set: bool,
    pub contact_phone: String,
}

/// What the page shows: the settings without any secret, the departments, the latest messages.
#[derive(Debug, Clone)]
pub struct NotifyView {
    pub invite: InviteSettings,
    pub default_evaluation: DefaultEvaluationSettings,
    pub sms_kind: SmsKind,
    pub sms_url: String,
    pub sms_account: String,
    pub sms_secret_set: bool,
    pub sms_template: String,
    pub departments: Vec<TargetView>,
    pub messages: Vec<MessageLine>,
}

fn admin(actor: Actor) -> Result<(), AdminError> {
    (actor.role == Role::Admin)
        .then_some(())
        .ok_or(AdminError::Forbidden)
}

fn bad(e: NotifySettingError) -> AdminError {
    AdminError::Invalid(e.message_zh().to_owned())
}

fn number(text: &str, message: &str) -> Result<u32, AdminError> {
    text.trim()
        .parse()
        .map_err(|_| AdminError::Invalid(message.to_owned()))
}

fn seal(state: &AppState, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(state.secrets.encrypt(secret))
}

/// The page's data.
pub async fn view(state: &AppState, actor: Actor) -> Result<NotifyView, AdminError> {
    admin(actor)?;
    let s = state.store.notify_settings().await?;
    let departments = state
        .store
        .department_codes()
        .await?
        .into_iter()
        .map(|(code, name)| {
            let t = s.departments.get(&code).cloned().unwrap_or_default();
            TargetView {
                code,
                name,
                robot_url: t.robot_url,
                robot_secret_set: t.robot_secret_sealed.is_some(),
                contact_phone: t.contact_phone,
            }
        })
        .collect();
    Ok(NotifyView {
        invite: s.invite,
        default_evaluation: s.default_evaluation,
        sms_kind: s.sms.kind,
        sms_url: s.sms.url,
        sms_account: s.sms.account,
        sms_secret_set: s.sms.secret_sealed.is_some(),
        sms_template: s.sms.template,
        departments,
        messages: state.store.message_log(20).await?,
    })
}

/// Checks and saves invitations, default evaluation and the SMS gateway, audited.
pub async fn save_settings(
    state: &AppState,
    actor: Actor,
    form: NotifyForm<'_>,
) -> Result<(), AdminError> {
    admin(actor)?;
    let before = state.store.notify_settings().await?;
    let mut after = before.clone();
    after.invite = InviteSettings {
        enabled: form.invite_enabled,
        after_days: number(form.invite_after_days, "邀评时间：请填写天数")?,
        reminders: number(form.invite_reminders, "提醒次数：请填写次数")?,
        spacing_days: number(form.invite_spacing_days, "提醒间隔：请填写天数")?,
        quiet: QuietHours {
            start: number(form.quiet_start, "免打扰时段：请填写开始的整点")?,
            end: number(form.quiet_end, "免打扰时段：请填写结束的整点")?,
        },
    }
    .check()
    .map_err(bad)?;
    let level = form
        .default_level
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|code| Level::from_interface_code(code).ok())
        .ok_or_else(|| bad(NotifySettingError::DefaultLevel))?;
    let rule = DefaultEvaluationSettings {
        enabled: form.default_enabled,
        after_days: number(form.default_after_days, "默认评价时间：请填写天数")?,
        level,
        version: before.default_evaluation.version,
    }
    .check()
    .map_err(bad)?;
    if rule != before.default_evaluation {
        after.default_evaluation = DefaultEvaluationSettings {
            version: rule.version + 1,
            ..rule
        };
    }
    if rule.enabled && !before.default_evaluation.enabled {
        after.default_since = now_ms();
    }
    after.sms = gateway(state, &before, &form)?;
    state
        .store
        .save_notify_settings(actor.account_id, before, after)
        .await?;
    Ok(())
}

fn gateway(
    state: &AppState,
    before: &NotifySettings,
    form: &NotifyForm<'_>,
) -> Result<crate::features::admin::SmsGateway, AdminError> {
    let kind = SmsKind::parse(form.sms_kind.trim())
        .ok_or_else(|| AdminError::Invalid("短信网关：请选择关闭、HTTP 接口或开发文件".into()))?;
    let url = form.sms_url.trim().to_owned();
    let template = form.sms_template.trim().to_owned();
    let account = form.sms_account.trim().to_owned();
    if kind == SmsKind::Http {
        domain::notify::check_url(&url).map_err(bad)?;
        if template.is_empty() || template.chars().count() > 64 {
            return Err(bad(NotifySettingError::Template));
        }
    }
    if account.chars().count() > 64 {
        return Err(bad(NotifySettingError::Account));
    }
    let secret = form.sms_secret.trim();
    Ok(crate::features::admin::SmsGateway {
        kind,
        url,
        account,
        secret_sealed: if secret.is_empty() {
            before.sms.secret_sealed.clone()
        } else {
            Some(seal(state, secret))
        },
        template,
    })
}

/// Checks and saves one department's robot and contact phone, audited.
pub async fn save_target(
    state: &AppState,
    actor: Actor,
    form: TargetForm<'_>,
) -> Result<(), AdminError> {
    admin(actor)?;
    let code = form.department.trim();
    let known = state.store.department_codes().await?;
    if !known.iter().any(|(c, _)| c == code) {
        return Err(AdminError::Invalid("部门：请选择一个部门".into()));
    }
    let robot_url = form.robot_url.trim().to_owned();
    if !robot_url.is_empty() {
        domain::notify::check_url(&robot_url).map_err(bad)?;
    }
    let contact_phone = match domain::evaluation::Phone::parse(form.contact_phone) {
        Ok(phone) => phone.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        Err(_) => return Err(bad(NotifySettingError::ContactPhone)),
    };
    let before = state.store.notify_settings().await?;
    let old = before.departments.get(code).cloned().unwrap_or_default();
    let secret = form.robot_secret.trim();
    let target = DepartmentTarget {
        robot_url,
        robot_secret_sealed: match (form.clear_secret, secret.is_empty()) {
            (true, _) => None,
            (false, true) => old.robot_secret_sealed,
            (false, false) => Some(seal(state, secret)),
        },
        contact_phone,
    };
    let mut after = before.clone();
    if target.is_empty() {
        after.departments.remove(code);
    } else {
        after.departments.insert(code.to_owned(), target);
    }
    state
        .store
        .save_notify_settings(actor.account_id, before, after)
        .await?;
    Ok(())
}
