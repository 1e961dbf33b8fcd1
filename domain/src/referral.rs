//! 转办 — a work order referred by a 12345 hotline, a government website or a leader's mailbox:
//! where it came from, what kind it is, the statuses reported back, and the sources the complaint
//! figures are counted by.

use crate::complaint::DESCRIPTION_CHARS;
use crate::evaluation::{Phone, clean_text};

pub mod forward;

/// 来源 — the platform a work order was referred from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralSource {
    /// 12345 政务服务便民热线.
    Hotline12345,
    /// 政府网站 (留言、咨询投诉).
    Website,
    /// 领导信箱.
    LeaderMailbox,
    /// Any other referring platform.
    Other,
}

impl ReferralSource {
    pub const ALL: [ReferralSource; 4] = [
        ReferralSource::Hotline12345,
        ReferralSource::Website,
        ReferralSource::LeaderMailbox,
        ReferralSource::Other,
    ];

    /// The API's and the database's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralSource::Hotline12345 => "12345",
            ReferralSource::Website => "website",
            ReferralSource::LeaderMailbox => "leader_mailbox",
            ReferralSource::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<ReferralSource> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    pub fn label_zh(self) -> &'static str {
        ComplaintSource::Referral(self).label_zh()
    }

    /// The kind of a referred ticket in the handler's list.
    pub fn ticket_kind_zh(self) -> &'static str {
        match self {
            ReferralSource::Hotline12345 => "投诉（12345热线转办）",
            ReferralSource::Website => "投诉（政府网站转办）",
            ReferralSource::LeaderMailbox => "投诉（领导信箱转办）",
            ReferralSource::Other => "投诉（其他平台转办）",
        }
    }
}

/// 诉求类别 — what the work order asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralCategory {
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
    /// 咨询.
    Inquiry,
    /// 求助.
    Help,
}

impl ReferralCategory {
    pub const ALL: [ReferralCategory; 4] = [
        ReferralCategory::Complaint,
        ReferralCategory::Suggestion,
        ReferralCategory::Inquiry,
        ReferralCategory::Help,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralCategory::Complaint => "complaint",
            ReferralCategory::Suggestion => "suggestion",
            ReferralCategory::Inquiry => "inquiry",
            ReferralCategory::Help => "help",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReferralCategory::Complaint => "投诉",
            ReferralCategory::Suggestion => "建议",
            ReferralCategory::Inquiry => "咨询",
            ReferralCategory::Help => "求助",
        }
    }

    /// Accepts the API's spelling or the Chinese word.
    pub fn parse(raw: &str) -> Option<ReferralCategory> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw || c.label_zh() == raw)
    }
}

/// Where a complaint came in, as the published figures break it down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintSource {
    /// The 服务不满意 form (`/complaint`), reached from the window's poster, the rating page or the
    /// home page.
    Form,
    Referral(ReferralSource),
}

impl ComplaintSource {
    /// Every source, in the order the figures list them.
    pub const ALL: [ComplaintSource; 5] = [
        ComplaintSource::Form,
        ComplaintSource::Referral(ReferralSource::Hotline12345),
        ComplaintSource::Referral(ReferralSource::Website),
        ComplaintSource::Referral(ReferralSource::LeaderMailbox),
        ComplaintSource::Referral(ReferralSource::Other),
    ];

    /// The spelling of `stat_complaint.source`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintSource::Form => "form",
            ComplaintSource::Referral(source) => source.as_str(),
        }
    }

    pub fn parse(raw: &str) -> Option<ComplaintSource> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintSource::Form => "窗口/网页“服务不满意”",
            ComplaintSource::Referral(ReferralSource::Hotline12345) => "12345热线转办",
            ComplaintSource::Referral(ReferralSource::Website) => "政府网站转办",
            ComplaintSource::Referral(ReferralSource::LeaderMailbox) => "领导信箱转办",
            ComplaintSource::Referral(ReferralSource::Other) => "其他平台转办",
        }
    }
}

/// 办理状态 — what the referring platform is told, once per change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralStatus {
    /// 已受理 — the first contact is on record.
    Accepted,
    /// 办理中 — being rectified, explained, appealed or handled again.
    InProgress,
    /// 已答复 — with the reply's text and time.
    Replied,
    /// 已办结.
    Closed,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 4] = [
        ReferralStatus::Accepted,
        ReferralStatus::InProgress,
        ReferralStatus::Replied,
        ReferralStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::InProgress => "in_progress",
            ReferralStatus::Replied => "replied",
            ReferralStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<ReferralStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReferralStatus::Accepted => "已受理",
            ReferralStatus::InProgress => "办理中",
            ReferralStatus::Replied => "已答复",
            ReferralStatus::Closed => "已办结",
        }
    }
}

/// The longest external id a platform may send.
pub const EXTERNAL_ID_CHARS: usize = 64;

/// One problem with one field of a referral; `field` is the API's name for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ReferralFieldError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> ReferralFieldError {
    ReferralFieldError {
        field,
        message: message.into(),
    }
}

/// A referral's own fields, checked (department and times are the server's to resolve).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFields {
    pub source: ReferralSource,
    pub external_id: String,
    pub category: ReferralCategory,
    pub content: String,
    pub contact: Option<Phone>,
}

impl ReferralFields {
    /// Checks the fields in the API's order; the first problem is reported.
    pub fn check(
        source: &str,
        external_id: &str,
        category: &str,
        content: &str,
        contact: Option<&str>,
    ) -> Result<ReferralFields, ReferralFieldError> {
        let source = ReferralSource::parse(source)
            .ok_or_else(|| refuse("source", "one of 12345, website, leader_mailbox, other"))?;
        let external_id = external_id.trim();
        if external_id.is_empty()
            || external_id.chars().count() > EXTERNAL_ID_CHARS
            || external_id.chars().any(char::is_control)
        {
            return Err(refuse(
                "external_id",
                format!("1 to {EXTERNAL_ID_CHARS} printable characters"),
            ));
        }
        let category = ReferralCategory::parse(category).ok_or_else(|| {
            refuse(
                "category",
                "one of complaint, suggestion, inquiry, help (投诉, 建议, 咨询, 求助)",
            )
        })?;
        let cleaned = clean_text(content);
        let content = cleaned.trim();
        if !DESCRIPTION_CHARS.contains(&content.chars().count()) {
            return Err(refuse(
                "content",
                format!(
                    "{} to {} characters",
                    DESCRIPTION_CHARS.start(),
                    DESCRIPTION_CHARS.end()
                ),
            ));
        }
        let contact = Phone::parse(contact.unwrap_or(""))
            .map_err(|_| refuse("contact_phone", "an 11-digit mobile number"))?;
        Ok(ReferralFields {
            source,
            external_id: external_id.to_owned(),
            category,
            content: content.to_owned(),
            contact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        source: &str,
        id: &str,
        category: &str,
        content: &str,
        phone: &str,
    ) -> Result<ReferralFields, &'static str> {
        ReferralFields::check(source, id, category, content, Some(phone)).map_err(|e| e.field)
    }

    #[test]
    fn a_referral_names_its_source_category_and_content() {
        let ok = check(
            "12345",
            " GD-1 ",
            "投诉",
            "  窗口午休无人办理  ",
            "138 0013 8000",
        )
        .unwrap();
        assert_eq!(ok.source, ReferralSource::Hotline12345);
        assert_eq!(ok.external_id, "GD-1");
        assert_eq!(ok.category, ReferralCategory::Complaint);
        assert_eq!(ok.content, "窗口午休无人办理");
        assert_eq!(ok.contact.unwrap().as_str(), "13800138000");
        assert_eq!(
            check("fax", "1", "投诉", "窗口午休无人办理", ""),
            Err("source")
        );
        assert_eq!(
            check("website", "", "help", "窗口午休无人办理", ""),
            Err("external_id")
        );
        assert_eq!(
            check("website", &"x".repeat(65), "help", "窗口午休无人办理", ""),
            Err("external_id")
        );
        assert_eq!(
            check("website", "1", "抱怨", "窗口午休无人办理", ""),
            Err("category")
        );
        assert_eq!(check("website", "1", "help", "差", ""), Err("content"));
        assert_eq!(
            check("website", "1", "help", "窗口午休无人办理", "123"),
            Err("contact_phone")
        );
        assert!(
            check("leader_mailbox", "1", "suggestion", "窗口午休无人办理", "")
                .unwrap()
                .contact
                .is_none()
        );
    }

    #[test]
    fn spellings_round_trip() {
        for s in ComplaintSource::ALL {
            assert_eq!(ComplaintSource::parse(s.as_str()), Some(s));
        }
        for s in ReferralStatus::ALL {
            assert_eq!(ReferralStatus::parse(s.as_str()), Some(s));
        }
        for c in ReferralCategory::ALL {
            assert_eq!(ReferralCategory::parse(c.as_str()), Some(c));
        }
        assert_eq!(ReferralSource::Hotline12345.label_zh(), "12345热线转办");
    }
}
