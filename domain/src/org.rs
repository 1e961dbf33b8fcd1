//! 机构 — the organisation a centre builds before it goes live: regions (行政区划代码), halls, departments
//! (统一社会信用代码), service items (事项类型) and the scope a supervisor or administrator works in.
//! Each code checks itself when it is built, so the administration page, the import and the command
//! line refuse the same things with the same words.

use serde::{Deserialize, Serialize};

mod scope;

pub use scope::Coverage;

/// Why a code or a field of the organisation was refused; `field` names the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("{label}：{problem}")]
    Invalid {
        field: &'static str,
        label: &'static str,
        problem: &'static str,
    },
}

impl OrgError {
    fn new(field: &'static str, label: &'static str, problem: &'static str) -> OrgError {
        OrgError::Invalid {
            field,
            label,
            problem,
        }
    }

    /// The form field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            OrgError::Invalid { field, .. } => field,
        }
    }

    /// The refusal for people, the field named (e.g. "行政区划代码：应为6位或9位数字").
    pub fn message_zh(&self) -> String {
        self.to_string()
    }
}

/// 区划层级 — read from the code itself (GB/T 2260 for six digits, GB/T 10114 for nine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级 — `PP0000`.
    Province,
    /// 市级 — `PPCC00`.
    City,
    /// 县级 — `PPCCDD`.
    County,
    /// 乡镇（街道） — `PPCCDDTTT`.
    Township,
}

impl RegionLevel {
    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省",
            RegionLevel::City => "市",
            RegionLevel::County => "县",
            RegionLevel::Township => "乡镇",
        }
    }
}

/// 行政区划代码: six digits for a province, city or county, nine for a township or street.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<RegionCode, OrgError> {
        let code = raw.trim();
        let refuse = |problem| OrgError::new("code", "行政区划代码", problem);
        if !(code.len() == 6 || code.len() == 9) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse("应为6位（省、市、县）或9位（乡镇、街道）数字"));
        }
        if &code[..2] == "00" {
            return Err(refuse("前两位是省级代码，不能为00"));
        }
        if code.len() == 9 && &code[4..6] == "00" {
            return Err(refuse("乡镇代码的前6位应为所属县级区划代码"));
        }
        Ok(RegionCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        let c = &self.0;
        match (c.len(), &c[2..4], &c[4..6]) {
            (9, _, _) => RegionLevel::Township,
            (_, "00", "00") => RegionLevel::Province,
            (_, _, "00") => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The digits every region under this one starts with.
    fn prefix(&self) -> &str {
        match self.level() {
            RegionLevel::Province => &self.0[..2],
            RegionLevel::City => &self.0[..4],
            RegionLevel::County | RegionLevel::Township => &self.0[..6],
        }
    }

    /// May this region sit directly under `parent`? A child is of a lower level and its code starts
    /// with the parent's digits; a county may sit under its province directly (省直辖县级市).
    pub fn check_parent(&self, parent: Option<&RegionCode>) -> Result<(), OrgError> {
        let refuse = |problem| OrgError::new("parent", "上级区划", problem);
        let Some(parent) = parent else {
            return Ok(());
        };
        if parent.level() >= self.level() {
            return Err(refuse("上级区划的层级应高于本区划"));
        }
        if self.level() == RegionLevel::Township && parent.level() != RegionLevel::County {
            return Err(refuse("乡镇、街道的上级应为县级区划"));
        }
        if !self.0.starts_with(parent.prefix()) {
            return Err(refuse("本区划代码应以上级区划代码开头"));
        }
        Ok(())
    }
}

impl TryFrom<String> for RegionCode {
    type Error = OrgError;

    fn try_from(raw: String) -> Result<Self, OrgError> {
        RegionCode::parse(&raw)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-letter alphabet (no I, O, Z, S, V), the
/// last a check character over the first 17.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl CreditCode {
    pub fn parse(raw: &str) -> Result<CreditCode, OrgError> {
        let code = raw.trim().to_ascii_uppercase();
        let refuse = |problem| OrgError::new("credit_code", "统一社会信用代码", problem);
        if code.chars().count() != 18 {
            return Err(refuse("应为18位"));
        }
        let values: Option<Vec<u32>> = code
            .bytes()
            .map(|b| {
                CREDIT_ALPHABET
                    .iter()
                    .position(|&a| a == b)
                    .map(|p| p as u32)
            })
            .collect();
        let values =
            values.ok_or_else(|| refuse("只能包含数字和除 I、O、Z、S、V 以外的大写字母"))?;
        if values[17] != credit_check(&values[..17]) {
            return Err(refuse("校验位不符，请核对"));
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full code for 17 leading characters (for examples and test data).
    pub fn with_check(first17: &str) -> Option<CreditCode> {
        let values: Option<Vec<u32>> = first17
            .bytes()
            .map(|b| {
                CREDIT_ALPHABET
                    .iter()
                    .position(|&a| a == b)
                    .map(|p| p as u32)
            })
            .collect();
        let values = values.filter(|v| v.len() == 17)?;
        let check = CREDIT_ALPHABET[credit_check(&values) as usize] as char;
        Some(CreditCode(format!("{first17}{check}")))
    }
}

fn credit_check(values: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

impl TryFrom<String> for CreditCode {
    type Error = OrgError;

    fn try_from(raw: String) -> Result<Self, OrgError> {
        CreditCode::parse(&raw)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> String {
        code.0
    }
}

macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $stored:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable name used in the database and in import files' English column.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored,)* }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            /// From the stable name or the Chinese label (import files carry either).
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == text || v.label_zh() == text)
            }
        }
    };
}
pub(crate) use named;

named! {
    /// 大厅类型.
    HallKind {
        /// 政务服务中心.
        Centre = "centre", "政务服务中心";
        /// 分中心 (a department's own hall, e.g. 不动产登记分中心).
        Branch = "branch", "分中心";
        /// 乡镇（街道）便民服务中心.
        Township = "township", "乡镇便民服务中心";
    }
}

named! {
    /// 事项类型 — the national types of 依申请 government-service items in a 实施清单.
    ItemType {
        Licensing = "licensing", "行政许可";
        Payment = "payment", "行政给付";
        Confirmation = "confirmation", "行政确认";
        Levy = "levy", "行政征收";
        Reward = "reward", "行政奖励";
        Ruling = "ruling", "行政裁决";
        OtherPower = "other_power", "其他行政权力";
        PublicService = "public_service", "公共服务";
    }
}

/// Where a supervisor or administrator works: everything, a region with the regions under it, or one
/// hall. Handlers and window clerks are scoped by their department instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    All,
    Region(crate::ids::RegionId),
    Hall(crate::ids::HallId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_levels_come_from_the_code() {
        let level = |c: &str| RegionCode::parse(c).unwrap().level();
        assert_eq!(level("340000"), RegionLevel::Province);
        assert_eq!(level("341100"), RegionLevel::City);
        assert_eq!(level("341125"), RegionLevel::County);
        assert_eq!(level("341125100"), RegionLevel::Township);
        for bad in ["34112", "3411250", "34112510a", "000000", "341100100", ""] {
            assert_eq!(RegionCode::parse(bad).unwrap_err().field(), "code", "{bad}");
        }
    }

    #[test]
    fn a_region_sits_under_a_higher_region_whose_code_it_extends() {
        let code = |c: &str| RegionCode::parse(c).unwrap();
        assert!(code("341125").check_parent(Some(&code("341100"))).is_ok());
        assert!(code("341100").check_parent(Some(&code("340000"))).is_ok());
        assert!(
            code("429004").check_parent(Some(&code("420000"))).is_ok(),
            "省直辖县"
        );
        assert!(
            code("341125100")
                .check_parent(Some(&code("341125")))
                .is_ok()
        );
        assert!(code("340000").check_parent(None).is_ok());
        for (child, parent) in [
            ("341125", "351100"),
            ("341100", "341125"),
            ("341125100", "341100"),
            ("341125", "341126"),
        ] {
            let refused = code(child).check_parent(Some(&code(parent))).unwrap_err();
            assert_eq!(refused.field(), "parent", "{child} under {parent}");
        }
    }

    #[test]
    fn credit_codes_are_checked_by_their_last_character() {
        let good = CreditCode::with_check("11341125003012345").unwrap();
        assert_eq!(CreditCode::parse(good.as_str()).unwrap(), good);
        assert_eq!(
            CreditCode::parse(&good.as_str().to_ascii_lowercase()).unwrap(),
            good
        );
        // A published example: 91350100M000100Y43.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        let mut wrong = good.as_str().to_owned();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        let refusal = CreditCode::parse(&wrong).unwrap_err();
        assert_eq!(refusal.message_zh(), "统一社会信用代码：校验位不符，请核对");
        assert!(CreditCode::parse("91350100M000100Y4").is_err(), "17 chars");
        assert!(
            CreditCode::parse("91350100I000100Y43").is_err(),
            "I is not used"
        );
    }

    #[test]
    fn kinds_and_types_read_their_stable_name_or_their_label() {
        assert_eq!(ItemType::parse("行政许可"), Some(ItemType::Licensing));
        assert_eq!(
            ItemType::parse("public_service"),
            Some(ItemType::PublicService)
        );
        assert_eq!(ItemType::parse("许可"), None);
        assert_eq!(HallKind::parse("分中心"), Some(HallKind::Branch));
        for t in ItemType::ALL {
            assert_eq!(ItemType::parse(t.as_str()), Some(*t));
        }
    }
}
