//! 智能邀评、默认评价与差评提醒 — when an unrated service gets an invitation or a reminder by SMS,
//! when it gets its system default evaluation, and the messages sent to handlers. The ranges of
//! every setting are here; the server only stores them and sends.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::Level;
use crate::time::{MS_PER_DAY, Timestamp};

/// 免打扰时段 — hours (China time) in which no SMS goes out: from `start` (inclusive) to `end`
/// (exclusive), across midnight when `start > end`; none when they are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuietHours {
    pub start: u32,
    pub end: u32,
}

impl Default for QuietHours {
    /// 21:00–08:00.
    fn default() -> Self {
        QuietHours { start: 21, end: 8 }
    }
}

impl QuietHours {
    /// Whether `at` falls in the quiet hours.
    pub fn contains(self, at: Timestamp) -> bool {
        let hour = at.hour_cst();
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => (self.start..self.end).contains(&hour),
            std::cmp::Ordering::Greater => hour >= self.start || hour < self.end,
        }
    }
}

/// 智能邀评设置 — an unrated, registered service with a phone gets an invitation `after_days`
/// natural days after its registration, then at most `reminders` reminders `spacing_days` apart;
/// nothing in the quiet hours. Off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteSettings {
    pub enabled: bool,
    pub after_days: u32,
    pub reminders: u32,
    pub spacing_days: u32,
    pub quiet: QuietHours,
}

impl Default for InviteSettings {
    fn default() -> Self {
        InviteSettings {
            enabled: false,
            after_days: 3,
            reminders: 1,
            spacing_days: 3,
            quiet: QuietHours::default(),
        }
    }
}

/// A notification setting out of its range; names its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotifySettingError {
    #[error("invitation delay out of range")]
    InviteAfter,
    #[error("reminders out of range")]
    Reminders,
    #[error("reminder spacing out of range")]
    Spacing,
    #[error("quiet hours out of range")]
    Quiet,
    #[error("default evaluation delay out of range")]
    DefaultAfter,
    #[error("default level not allowed")]
    DefaultLevel,
    #[error("gateway address not an http(s) URL")]
    Url,
    #[error("template id too long or missing")]
    Template,
    #[error("account too long")]
    Account,
    #[error("contact phone not a mobile number")]
    ContactPhone,
}

impl NotifySettingError {
    /// The form field at fault.
    pub fn field(self) -> &'static str {
        match self {
            NotifySettingError::InviteAfter => "invite_after_days",
            NotifySettingError::Reminders => "invite_reminders",
            NotifySettingError::Spacing => "invite_spacing_days",
            NotifySettingError::Quiet => "quiet_start",
            NotifySettingError::DefaultAfter => "default_after_days",
            NotifySettingError::DefaultLevel => "default_level",
            NotifySettingError::Url => "url",
            NotifySettingError::Template => "template",
            NotifySettingError::Account => "account",
            NotifySettingError::ContactPhone => "contact_phone",
        }
    }

    /// What the administrator is told, naming the field.
    pub fn message_zh(self) -> &'static str {
        match self {
            NotifySettingError::InviteAfter => "邀评时间：应为登记后 1 至 30 天",
            NotifySettingError::Reminders => "提醒次数：应为 0 至 5 次",
            NotifySettingError::Spacing => "提醒间隔：应为 1 至 30 天",
            NotifySettingError::Quiet => "免打扰时段：起止时刻应为 0 至 23 点",
            NotifySettingError::DefaultAfter => "默认评价时间：应为登记后 1 至 60 个自然日",
            NotifySettingError::DefaultLevel => {
                "默认评价等级：只能是非常满意、满意或基本满意（默认评价不得为差评）"
            }
            NotifySettingError::Url => "接口地址：应以 http:// 或 https:// 开头",
            NotifySettingError::Template => "短信模板编号：必填，不超过 64 个字符",
            NotifySettingError::Account => "短信平台账号：不超过 64 个字符",
            NotifySettingError::ContactPhone => "联系人手机号：应为 11 位手机号码",
        }
    }
}

impl InviteSettings {
    pub const AFTER_RANGE: std::ops::RangeInclusive<u32> = 1..=30;
    pub const REMINDER_RANGE: std::ops::RangeInclusive<u32> = 0..=5;
    pub const SPACING_RANGE: std::ops::RangeInclusive<u32> = 1..=30;

    pub fn check(self) -> Result<Self, NotifySettingError> {
        if !Self::AFTER_RANGE.contains(&self.after_days) {
            return Err(NotifySettingError::InviteAfter);
        }
        if !Self::REMINDER_RANGE.contains(&self.reminders) {
            return Err(NotifySettingError::Reminders);
        }
        if !Self::SPACING_RANGE.contains(&self.spacing_days) {
            return Err(NotifySettingError::Spacing);
        }
        if self.quiet.start > 23 || self.quiet.end > 23 {
            return Err(NotifySettingError::Quiet);
        }
        Ok(self)
    }

    /// The message due at `now` for a service registered at `registered` that got `sent`
    /// messages so far: `Some(0)` the invitation, `Some(n)` the n-th reminder; `None` when nothing
    /// is due (too early, all sent, or quiet hours).
    pub fn due(&self, registered: Timestamp, sent: u32, now: Timestamp) -> Option<u32> {
        if !self.enabled || sent > self.reminders || self.quiet.contains(now) {
            return None;
        }
        let days = i64::from(self.after_days) + i64::from(sent) * i64::from(self.spacing_days);
        (now.unix_ms() >= registered.unix_ms() + days * MS_PER_DAY).then_some(sent)
    }
}

/// 默认评价设置 — a service still unrated `after_days` natural days after its registration gets a
/// system evaluation at `level`, flagged as default and kept apart from 主动评价. Off by default.
/// `version` counts the saves of the rule: each default evaluation stores the version it was made
/// under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultEvaluationSettings {
    pub enabled: bool,
    pub after_days: u32,
    pub level: Level,
    pub version: u32,
}

impl Default for DefaultEvaluationSettings {
    fn default() -> Self {
        DefaultEvaluationSettings {
            enabled: false,
            after_days: 7,
            level: Level::VerySatisfied,
            version: 0,
        }
    }
}

impl DefaultEvaluationSettings {
    /// The rule's name stored on every default evaluation with its version.
    pub const RULE_ID: &'static str = "default_evaluation";
    pub const AFTER_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

    pub fn check(self) -> Result<Self, NotifySettingError> {
        if !Self::AFTER_RANGE.contains(&self.after_days) {
            return Err(NotifySettingError::DefaultAfter);
        }
        if self.level.is_bad() {
            return Err(NotifySettingError::DefaultLevel);
        }
        Ok(self)
    }

    /// The registration time before which an unrated service is due its default evaluation at
    /// `now` (natural days, counted in whole 24-hour periods from the registration).
    pub fn registered_before(&self, now: Timestamp) -> Timestamp {
        Timestamp::from_unix_ms(now.unix_ms() - i64::from(self.after_days) * MS_PER_DAY)
    }

    /// How the public methods page states the rule.
    pub fn method_zh(&self) -> String {
        if self.enabled {
            format!(
                "办件登记后 {} 个自然日内未评价的，系统按“{}”作出默认评价，标注为系统默认评价（评价渠道“系统默认评价”），\
                 计入好评率，但不计入主动评价好评率；主动评价好评率只统计群众自己作出的评价，与好评率分列公示。",
                self.after_days,
                self.level.label_zh()
            )
        } else {
            "本系统未启用默认评价：所有评价均由群众自己作出。如启用，默认评价单独标注，不计入主动评价好评率，与好评率分列公示。"
                .to_owned()
        }
    }
}

/// Checks an administrator's gateway or webhook address: http(s), no spaces, at most 500 bytes.
/// The Chinese name of a logged message's kind (`message_log.kind`) and of the way it went
/// (`message_log.via`), as the administration page lists them; an unknown name stays as it is.
pub fn message_label(name: &str) -> &str {
    match name {
        "invitation" => "评价邀请",
        "reminder" => "评价提醒",
        "bad_review_opened" => "差评工单通知",
        "complaint_opened" => "投诉工单通知",
        "deadline_near" => "即将到期提醒",
        "sms" => "短信",
        "robot" => "群机器人",
        other => other,
    }
}

pub fn check_url(url: &str) -> Result<(), NotifySettingError> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 500
        && !url.chars().any(char::is_whitespace)
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    ok.then_some(()).ok_or(NotifySettingError::Url)
}

/// DingTalk-style robot signature: base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")), to be
/// sent URL-encoded as `sign` beside `timestamp` (unix ms).
pub fn robot_sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// What a handler's department is told: no personal data, only where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerNotice {
    /// A 差评 opened a ticket.
    BadReview,
    /// A complaint (服务不满意) opened a ticket.
    Complaint,
    /// A ticket's deadline is one working day away.
    DeadlineNear,
}

impl HandlerNotice {
    /// The message log's kind.
    pub fn as_str(self) -> &'static str {
        match self {
            HandlerNotice::BadReview => "bad_review_opened",
            HandlerNotice::Complaint => "complaint_opened",
            HandlerNotice::DeadlineNear => "deadline_near",
        }
    }

    /// The text sent: department, kind, ticket number and tracking code, deadline.
    pub fn text(self, department: &str, ticket: i64, tracking: &str, due: Option<&str>) -> String {
        let due = due.unwrap_or("待定");
        match self {
            HandlerNotice::BadReview => format!(
                "【好差评】{department}收到一条差评，已生成整改工单 {ticket}（查询码 {tracking}），请及时回访核实。办理时限：{due}。"
            ),
            HandlerNotice::Complaint => format!(
                "【好差评】{department}收到一件投诉，已生成工单 {ticket}（查询码 {tracking}），请按时答复。办理时限：{due}。"
            ),
            HandlerNotice::DeadlineNear => format!(
                "【好差评】{department}的工单 {ticket}（查询码 {tracking}）将于 {due} 到期，距期限仅剩一个工作日，请及时办理。"
            ),
        }
    }
}

/// The invitation's or reminder's text: the rating link and the opt-out link, nothing personal.
pub fn invitation_text(reminder: bool, rating_url: &str, opt_out_url: &str) -> String {
    let lead = if reminder {
        "【好差评】温馨提醒：您近期办理的政务服务尚未评价"
    } else {
        "【好差评】您近期办理了一项政务服务"
    };
    format!("{lead}，欢迎点击链接评价：{rating_url} 不再接收请点击 {opt_out_url} 或回复TD退订")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-02 09:00 China time (a Monday).
    const DAY0_9AM: i64 = 1_772_413_200_000;
    const HOUR: i64 = 3_600_000;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_ms(ms)
    }

    #[test]
    fn every_logged_kind_and_way_has_a_chinese_name() {
        for name in [
            "invitation",
            "reminder",
            "bad_review_opened",
            "complaint_opened",
            "deadline_near",
            "sms",
            "robot",
        ] {
            assert!(message_label(name).chars().all(|c| !c.is_ascii()), "{name}");
        }
        assert_eq!(message_label("new_kind"), "new_kind");
    }

    #[test]
    fn quiet_hours_cross_midnight() {
        let quiet = InviteSettings::default().quiet;
        assert_eq!(at(DAY0_9AM).hour_cst(), 9);
        assert!(!quiet.contains(at(DAY0_9AM)));
        assert!(!quiet.contains(at(DAY0_9AM + 11 * HOUR)), "20:00");
        assert!(quiet.contains(at(DAY0_9AM + 12 * HOUR)), "21:00");
        assert!(quiet.contains(at(DAY0_9AM + 22 * HOUR)), "07:00");
        assert!(!quiet.contains(at(DAY0_9AM + 23 * HOUR)), "08:00");
        assert!(QuietHours { start: 12, end: 14 }.contains(at(DAY0_9AM + 4 * HOUR)));
        assert!(!QuietHours { start: 0, end: 0 }.contains(at(DAY0_9AM + 15 * HOUR)));
    }

    #[test]
    fn the_invitation_comes_after_n_days_then_the_reminders() {
        let s = InviteSettings {
            enabled: true,
            ..InviteSettings::default()
        };
        let day = |d: i64| at(DAY0_9AM + d * MS_PER_DAY);
        assert_eq!(s.due(day(0), 0, day(2)), None);
        assert_eq!(s.due(day(0), 0, day(3)), Some(0));
        assert_eq!(s.due(day(0), 1, day(5)), None);
        assert_eq!(s.due(day(0), 1, day(6)), Some(1));
        assert_eq!(s.due(day(0), 2, day(30)), None, "one reminder only");
        // Day 3 at 22:00: quiet, sent at 08:00 the next morning.
        assert_eq!(s.due(day(0), 0, at(day(3).unix_ms() + 13 * HOUR)), None);
        assert_eq!(s.due(day(0), 0, at(day(3).unix_ms() + 23 * HOUR)), Some(0));
        let off = InviteSettings::default();
        assert_eq!(off.due(day(0), 0, day(10)), None, "off by default");
    }

    #[test]
    fn settings_out_of_range_name_their_field() {
        let s = InviteSettings::default();
        assert_eq!(s.check(), Ok(s));
        let bad = InviteSettings { after_days: 0, ..s };
        assert_eq!(bad.check(), Err(NotifySettingError::InviteAfter));
        assert_eq!(
            InviteSettings { reminders: 6, ..s }.check(),
            Err(NotifySettingError::Reminders)
        );
        assert_eq!(
            InviteSettings {
                spacing_days: 31,
                ..s
            }
            .check(),
            Err(NotifySettingError::Spacing)
        );
        let quiet = QuietHours { start: 24, end: 8 };
        assert_eq!(
            InviteSettings { quiet, ..s }.check(),
            Err(NotifySettingError::Quiet)
        );
        assert!(
            NotifySettingError::Reminders
                .message_zh()
                .starts_with("提醒次数")
        );
        assert_eq!(NotifySettingError::Spacing.field(), "invite_spacing_days");
    }

    #[test]
    fn a_default_evaluation_is_never_a_bad_review() {
        let d = DefaultEvaluationSettings::default();
        assert_eq!(
            (d.enabled, d.after_days, d.level),
            (false, 7, Level::VerySatisfied)
        );
        assert_eq!(d.check(), Ok(d));
        for level in [Level::Dissatisfied, Level::VeryDissatisfied] {
            let bad = DefaultEvaluationSettings { level, ..d };
            assert_eq!(bad.check(), Err(NotifySettingError::DefaultLevel));
        }
        let basic = DefaultEvaluationSettings {
            level: Level::BasicallySatisfied,
            ..d
        };
        assert!(basic.check().is_ok());
        assert_eq!(
            DefaultEvaluationSettings {
                after_days: 61,
                ..d
            }
            .check(),
            Err(NotifySettingError::DefaultAfter)
        );
        let now = at(DAY0_9AM + 7 * MS_PER_DAY);
        assert_eq!(d.registered_before(now), at(DAY0_9AM));
        let on = DefaultEvaluationSettings { enabled: true, ..d };
        assert!(on.method_zh().contains("7 个自然日"));
        assert!(on.method_zh().contains("非常满意"));
    }

    #[test]
    fn urls_must_be_http() {
        assert!(check_url("https://oapi.dingtalk.com/robot/send?access_token=x").is_ok());
        assert!(check_url("http://10.1.2.3:8080/sms").is_ok());
        assert_eq!(check_url("ftp://x"), Err(NotifySettingError::Url));
        assert_eq!(check_url("http://"), Err(NotifySettingError::Url));
        assert_eq!(check_url("http://a b"), Err(NotifySettingError::Url));
    }

    #[test]
    fn the_robot_signature_is_dingtalks() {
        // printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
        assert_eq!(
            robot_sign("SECabc", 1_700_000_000_000),
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM="
        );
    }

    #[test]
    fn messages_carry_no_personal_data() {
        let text =
            HandlerNotice::BadReview.text("县不动产登记中心", 12, "ABCD123456", Some("2026-03-03"));
        assert!(text.contains("县不动产登记中心") && text.contains("ABCD123456"));
        let invite = invitation_text(false, "https://x/r/T", "https://x/unsubscribe/U");
        assert!(invite.contains("https://x/r/T") && invite.contains("回复TD退订"));
    }
}
