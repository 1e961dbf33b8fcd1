//! 业务系统 — a business system's registration rules: the portal origins allowed to frame its embed
//! pages, and how long a rotated key keeps working. Refusals are [`OrgError`]s naming the form
//! field, so the administration page and the command line refuse with the same words.

use crate::org::OrgError;

/// One portal origin allowed to frame a system's embed pages: `scheme://host[:port]`, http or https,
/// lower case, without path, query or fragment (what a browser compares in `frame-ancestors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameOrigin(String);

fn origin_error(problem: &'static str) -> OrgError {
    OrgError::Invalid {
        field: "origins",
        label: "允许嵌入的门户地址",
        problem,
    }
}

impl FrameOrigin {
    /// Checks one origin.
    pub fn parse(raw: &str) -> Result<FrameOrigin, OrgError> {
        let lower = raw.trim().to_ascii_lowercase();
        let (scheme, rest) = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| Some((scheme, lower.strip_prefix(scheme)?)))
            .ok_or_else(|| origin_error("应以 http:// 或 https:// 开头"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(origin_error("只写协议、域名和端口，不含路径"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !host_ok {
            return Err(origin_error("域名有误"));
        }
        if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
            return Err(origin_error("端口应为1至65535"));
        }
        Ok(FrameOrigin(format!("{scheme}{rest}")))
    }

    /// Checks a list separated by spaces or new lines; duplicates are kept once. Empty is allowed:
    /// such a system's embed pages cannot be framed at all.
    pub fn parse_list(raw: &str) -> Result<Vec<FrameOrigin>, OrgError> {
        let mut origins: Vec<FrameOrigin> = Vec::new();
        for one in raw.split_whitespace() {
            let origin = FrameOrigin::parse(one)?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(origins)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days an old key keeps working after a rotation: 0 (it stops now) to 90.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOverlap(u32);

impl KeyOverlap {
    pub const MAX_DAYS: u32 = 90;

    /// Checks a number of days typed by an administrator.
    pub fn parse(raw: &str) -> Result<KeyOverlap, OrgError> {
        let invalid = || OrgError::Invalid {
            field: "overlap_days",
            label: "新旧密钥并用天数",
            problem: "应为0至90",
        };
        let days: u32 = raw.trim().parse().map_err(|_| invalid())?;
        if days > Self::MAX_DAYS {
            return Err(invalid());
        }
        Ok(KeyOverlap(days))
    }

    pub fn days(self) -> u32 {
        self.0
    }

    /// The overlap in milliseconds.
    pub fn millis(self) -> i64 {
        i64::from(self.0) * 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for (raw, origin) in [
            (
                "https://portal.example.gov.cn",
                "https://portal.example.gov.cn",
            ),
            (
                "HTTPS://Portal.Example.gov.cn/",
                "https://portal.example.gov.cn",
            ),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ] {
            assert_eq!(FrameOrigin::parse(raw).unwrap().as_str(), origin);
        }
        for raw in [
            "portal.example.gov.cn",
            "ftp://portal.example.gov.cn",
            "javascript:alert(1)",
            "https://portal.example.gov.cn/path",
            "https://portal.example.gov.cn?x=1",
            "https://user@portal.example.gov.cn",
            "https://",
            "https://bad_host.cn",
            "https://portal.example.gov.cn:99999",
            "https://portal.example.gov.cn:0",
            "https://*.example.gov.cn",
            "https://a..b",
        ] {
            let e = FrameOrigin::parse(raw).unwrap_err();
            assert_eq!(e.field(), "origins", "{raw}");
            assert!(e.message_zh().starts_with("允许嵌入的门户地址："), "{raw}");
        }
    }

    #[test]
    fn a_list_splits_on_spaces_and_new_lines_and_keeps_each_origin_once() {
        let list =
            FrameOrigin::parse_list("https://a.gov.cn\nhttps://b.gov.cn  https://A.gov.cn\r\n")
                .unwrap();
        let list: Vec<&str> = list.iter().map(FrameOrigin::as_str).collect();
        assert_eq!(list, ["https://a.gov.cn", "https://b.gov.cn"]);
        assert!(FrameOrigin::parse_list("").unwrap().is_empty());
        assert!(FrameOrigin::parse_list("https://a.gov.cn https://b.gov.cn/x").is_err());
    }

    #[test]
    fn an_overlap_is_zero_to_ninety_days() {
        assert_eq!(KeyOverlap::parse("0").unwrap().millis(), 0);
        assert_eq!(KeyOverlap::parse(" 90 ").unwrap().days(), 90);
        for raw in ["91", "-1", "", "七"] {
            assert_eq!(KeyOverlap::parse(raw).unwrap_err().field(), "overlap_days");
        }
    }
}
