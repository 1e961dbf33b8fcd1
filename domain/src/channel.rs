//! 评价渠道 — where a rating was made, and the two numberings in use for it.

use serde::{Deserialize, Serialize};

/// 评价渠道 — the channel a rating came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// PC端 — a web portal on a computer (also the embedded iframe).
    Pc,
    /// 移动端 — a mobile app or mobile web page.
    Mobile,
    /// 二维码 — a scanned QR code (window e码 or per-case code).
    QrCode,
    /// 大厅评价器/平板 — the evaluator device at the counter.
    HallDevice,
    /// 其他大厅终端/自助机 — another hall terminal or kiosk.
    Kiosk,
    /// 电话 — by telephone (e.g. 12345).
    Phone,
    /// 短信 — a link or reply by SMS.
    Sms,
    /// 系统默认评价 — a default rating made by the system after the rating period.
    SystemDefault,
}

/// A channel code that names no channel in the table it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a channel code")]
pub struct UnknownChannelCode(pub i64);

impl Channel {
    /// Every channel, in the order of the common coding (system default last): the order of
    /// every per-channel table and column.
    pub const ALL: [Channel; 8] = [
        Channel::Pc,
        Channel::Mobile,
        Channel::QrCode,
        Channel::HallDevice,
        Channel::Kiosk,
        Channel::Phone,
        Channel::Sms,
        Channel::SystemDefault,
    ];

    /// The common coding (domain.md §2): 1 PC … 7 SMS. It has no code for a system default.
    pub fn common_code(self) -> Option<u8> {
        Some(match self {
            Channel::Pc => 1,
            Channel::Mobile => 2,
            Channel::QrCode => 3,
            Channel::HallDevice => 4,
            Channel::Kiosk => 5,
            Channel::Phone => 6,
            Channel::Sms => 7,
            Channel::SystemDefault => return None,
        })
    }

    /// Reads the common coding.
    pub fn from_common_code(code: i64) -> Result<Self, UnknownChannelCode> {
        Self::ALL
            .into_iter()
            .find(|c| c.common_code().map(i64::from) == Some(code))
            .ok_or(UnknownChannelCode(code))
    }

    /// The variant one province uses: 6 = SMS, 7 = system default; it has no telephone code.
    pub fn sms6_code(self) -> Option<u8> {
        match self {
            Channel::Sms => Some(6),
            Channel::SystemDefault => Some(7),
            Channel::Phone => None,
            other => other.common_code(),
        }
    }

    /// Reads the 6 = SMS, 7 = system default variant.
    pub fn from_sms6_code(code: i64) -> Result<Self, UnknownChannelCode> {
        Self::ALL
            .into_iter()
            .find(|c| c.sms6_code().map(i64::from) == Some(code))
            .ok_or(UnknownChannelCode(code))
    }

    /// The stable name used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Pc => "pc",
            Channel::Mobile => "mobile",
            Channel::QrCode => "qr_code",
            Channel::HallDevice => "hall_device",
            Channel::Kiosk => "kiosk",
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::SystemDefault => "system_default",
        }
    }

    /// Reads the stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The Chinese label: the 评价渠道 text of GB/T 39046 (table 9), which upward reports carry
    /// beside either numbering. The standard has no text for a system default; ours is the name
    /// the 6 = SMS variant gives its code 7.
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Pc => "PC端",
            Channel::Mobile => "移动服务端",
            Channel::QrCode => "二维码",
            Channel::HallDevice => "政务大厅平板电脑",
            Channel::Kiosk => "政务大厅其他终端",
            Channel::Phone => "电话",
            Channel::Sms => "短信",
            Channel::SystemDefault => "系统默认评价",
        }
    }

    /// Both numberings as published beside the label: "7 / 6" (common / 6 = SMS variant), "—"
    /// where a numbering has no code.
    pub fn codes_text(self) -> String {
        let text = |code: Option<u8>| code.map_or_else(|| "—".to_owned(), |c| c.to_string());
        format!("{} / {}", text(self.common_code()), text(self.sms6_code()))
    }
}

/// 评价人类型 / 服务对象 — who the evaluator is (GB/T 39046 code set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluatorType {
    /// 1 自然人
    NaturalPerson,
    /// 2 企业法人
    Enterprise,
    /// 3 事业法人
    PublicInstitution,
    /// 4 社会组织法人
    SocialOrganisation,
    /// 5 行政机关
    Authority,
    /// 6 其他组织
    Other,
}

impl EvaluatorType {
    /// The GB/T 39046 code, 1…6.
    pub fn code(self) -> u8 {
        self as u8 + 1
    }

    /// Reads a GB/T 39046 code.
    pub fn from_code(code: i64) -> Option<Self> {
        use EvaluatorType::*;
        [
            NaturalPerson,
            Enterprise,
            PublicInstitution,
            SocialOrganisation,
            Authority,
            Other,
        ]
        .into_iter()
        .find(|t| i64::from(t.code()) == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_numberings_differ_where_domain_md_says() {
        assert_eq!(Channel::Sms.common_code(), Some(7));
        assert_eq!(Channel::Sms.sms6_code(), Some(6));
        assert_eq!(Channel::Phone.common_code(), Some(6));
        assert_eq!(Channel::Phone.sms6_code(), None);
        assert_eq!(Channel::SystemDefault.common_code(), None);
        assert_eq!(Channel::from_sms6_code(7), Ok(Channel::SystemDefault));
        assert_eq!(Channel::from_common_code(7), Ok(Channel::Sms));
        assert_eq!(Channel::from_common_code(8), Err(UnknownChannelCode(8)));
        for code in 1..=5 {
            assert_eq!(
                Channel::from_common_code(code),
                Channel::from_sms6_code(code)
            );
        }
    }

    #[test]
    fn every_channel_has_its_codes_in_both_numberings() {
        let table: Vec<(&str, Option<u8>, Option<u8>)> = Channel::ALL
            .into_iter()
            .map(|c| (c.label_zh(), c.common_code(), c.sms6_code()))
            .collect();
        assert_eq!(
            table,
            [
                ("PC端", Some(1), Some(1)),
                ("移动服务端", Some(2), Some(2)),
                ("二维码", Some(3), Some(3)),
                ("政务大厅平板电脑", Some(4), Some(4)),
                ("政务大厅其他终端", Some(5), Some(5)),
                ("电话", Some(6), None),
                ("短信", Some(7), Some(6)),
                ("系统默认评价", None, Some(7)),
            ]
        );
        assert_eq!(Channel::Sms.codes_text(), "7 / 6");
        assert_eq!(Channel::Phone.codes_text(), "6 / —");
        assert_eq!(Channel::SystemDefault.codes_text(), "— / 7");
        for c in Channel::ALL {
            if let Some(code) = c.common_code() {
                assert_eq!(Channel::from_common_code(code.into()), Ok(c));
            }
            if let Some(code) = c.sms6_code() {
                assert_eq!(Channel::from_sms6_code(code.into()), Ok(c));
            }
        }
        assert_eq!(Channel::from_sms6_code(8), Err(UnknownChannelCode(8)));
        assert_eq!(Channel::from_common_code(0), Err(UnknownChannelCode(0)));
    }

    #[test]
    fn names_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn evaluator_types_use_gbt_codes() {
        assert_eq!(EvaluatorType::NaturalPerson.code(), 1);
        assert_eq!(EvaluatorType::from_code(6), Some(EvaluatorType::Other));
        assert_eq!(EvaluatorType::from_code(7), None);
    }
}
