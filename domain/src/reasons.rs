//! 评价内容/标签 — the reason catalogue: which reasons a citizen may tick for each level.
//!
//! The catalogue is versioned data: every evaluation stores the version it was made with, so that a
//! later catalogue never changes the meaning of an old rating.

use crate::Level;

/// 评价标签 — one reason of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    /// The national code; its first digit is the level's interface code (5xx … 1xx).
    pub code: u16,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Core reasons are shown first; extended ones after them.
    pub core: bool,
}

/// One version of the reason catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalogue {
    pub version: u16,
    reasons: &'static [Reason],
}

impl Catalogue {
    /// The national catalogue, version 2 (domain.md §2).
    pub const V2: Catalogue = Catalogue {
        version: 2,
        reasons: V2_REASONS,
    };

    /// The catalogue used for new ratings.
    pub const CURRENT: Catalogue = Catalogue::V2;

    /// Looks a catalogue up by the version stored with an evaluation.
    pub fn by_version(version: u16) -> Option<Catalogue> {
        (version == 2).then_some(Catalogue::V2)
    }

    /// Every reason, in catalogue order.
    pub fn reasons(&self) -> &'static [Reason] {
        self.reasons
    }

    /// The reasons a citizen may tick for `level`, core ones first.
    pub fn for_level(&self, level: Level) -> impl Iterator<Item = &'static Reason> + use<> {
        self.reasons
            .iter()
            .filter(move |r| level_of(r.code) == Some(level))
    }

    /// Finds a reason by code.
    pub fn get(&self, code: u16) -> Option<&'static Reason> {
        self.reasons.iter().find(|r| r.code == code)
    }

    /// The Chinese label of a stored code (`evaluation_reason.reason_code`, `stat_reason`), if
    /// this catalogue has it.
    pub fn label_of(&self, code: i64) -> Option<&'static str> {
        let code = u16::try_from(code).ok()?;
        self.get(code).map(|r| r.label_zh)
    }

    /// The label, or the code itself as text when the catalogue lacks it: lists of counted
    /// reasons keep every count.
    pub fn label_or_code(&self, code: i64) -> String {
        self.label_of(code)
            .map_or_else(|| code.to_string(), str::to_owned)
    }

    /// The labels of a rating's stored codes, in their order; codes the catalogue lacks are left
    /// out (a rating's reasons as staff and the public see them).
    pub fn labels_of(&self, codes: &[i64]) -> Vec<&'static str> {
        codes.iter().filter_map(|&c| self.label_of(c)).collect()
    }
}

/// Reason codes as SQL's `group_concat(reason_code)` joins them ("207,208"); `None` (no reasons)
/// and anything that is not a number give nothing.
pub fn codes_from_list(joined: Option<&str>) -> Vec<i64> {
    joined
        .unwrap_or_default()
        .split(',')
        .filter_map(|c| c.parse().ok())
        .collect()
}

/// The level a reason code belongs to: its first digit is the interface code.
pub fn level_of(code: u16) -> Option<Level> {
    Level::from_interface_code(i64::from(code / 100)).ok()
}

const fn r(code: u16, core: bool, label_zh: &'static str, label_en: &'static str) -> Reason {
    Reason {
        code,
        label_zh,
        label_en,
        core,
    }
}

const V2_REASONS: &[Reason] = &[
    r(
        510,
        true,
        "一窗受理一次办结",
        "One window, done in one visit",
    ),
    r(
        511,
        true,
        "可以先受理后补材料",
        "Accepted first, papers later",
    ),
    r(512, true, "不用提交证明", "No certificates needed"),
    r(513, false, "可以全程网上办理", "Fully online"),
    r(514, false, "可以使用手机办理", "Possible by phone"),
    r(515, false, "可以就近办理", "Possible nearby"),
    r(516, false, "无需材料直接办理", "No papers needed"),
    r(517, false, "服务热情效率高", "Warm and efficient service"),
    r(406, true, "填写一张表单就可完成申报", "One form was enough"),
    r(
        407,
        true,
        "在线提交材料窗口核验",
        "Papers sent online, checked at window",
    ),
    r(
        408,
        true,
        "一张清单告知全部申报材料",
        "One list named all papers",
    ),
    r(
        409,
        false,
        "用告知承诺减免申报材料",
        "Fewer papers by commitment",
    ),
    r(410, false, "可以在线预约办理", "Online appointment"),
    r(411, false, "跑大厅一次办完", "Done in one trip to the hall"),
    r(
        412,
        false,
        "可以使用自助机办理",
        "Self-service kiosk available",
    ),
    r(413, false, "服务态度较好", "Good attitude"),
    r(
        307,
        true,
        "一次性告知需要补正的材料",
        "Told all missing papers at once",
    ),
    r(308, true, "提供申报材料样本", "Sample papers provided"),
    r(
        309,
        true,
        "在承诺的时间内办结",
        "Done within the promised time",
    ),
    r(310, false, "办事指南指引准确", "Accurate service guide"),
    r(
        311,
        false,
        "按办事指南要求的材料即可办理",
        "The guide's papers were enough",
    ),
    r(312, false, "可以快递送达", "Delivery by post"),
    r(313, false, "跑动次数与承诺的一致", "Trips as promised"),
    r(314, false, "服务态度一般", "Average attitude"),
    r(207, true, "没有提供材料样本", "No sample papers"),
    r(208, true, "没有提供材料清单", "No list of papers"),
    r(
        209,
        true,
        "未在承诺时间内办结",
        "Not done within the promised time",
    ),
    r(
        210,
        false,
        "同样内容的证明材料被要求多次提交",
        "Same certificate asked for repeatedly",
    ),
    r(
        211,
        false,
        "承诺网办但无法在线办理",
        "Promised online but not possible",
    ),
    r(
        212,
        false,
        "在线预约办理后到实体大厅重复取号排队",
        "Booked online, queued again",
    ),
    r(
        213,
        false,
        "窗口人员业务不熟练",
        "Staff not familiar with the work",
    ),
    r(214, false, "服务态度生硬", "Curt attitude"),
    r(
        108,
        true,
        "在办事指南之外增加新的审批条件",
        "Conditions beyond the guide",
    ),
    r(
        109,
        true,
        "需提供办事指南之外的申报材料",
        "Papers beyond the guide",
    ),
    r(
        110,
        true,
        "无理由超过法定办理时间",
        "Legal time limit exceeded",
    ),
    r(
        111,
        false,
        "办事指南提供样本有错",
        "Guide's sample was wrong",
    ),
    r(
        112,
        false,
        "承诺在线收取申报材料实际无法收取",
        "Online submission promised but refused",
    ),
    r(
        113,
        false,
        "多头跑窗口和部门",
        "Sent between windows and departments",
    ),
    r(
        114,
        false,
        "跑动次数与承诺的不一致",
        "More trips than promised",
    ),
    r(
        115,
        false,
        "服务态度差效率低",
        "Poor attitude, low efficiency",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_belongs_to_the_level_of_its_first_digit() {
        for reason in Catalogue::V2.reasons() {
            let level = level_of(reason.code).expect("code names a level");
            assert!(Catalogue::V2.for_level(level).any(|r| r == reason));
        }
    }

    #[test]
    fn each_level_has_core_reasons_first() {
        for level in Level::ALL {
            let reasons: Vec<_> = Catalogue::V2.for_level(level).collect();
            assert!(
                reasons.len() >= 8,
                "{level:?} has {} reasons",
                reasons.len()
            );
            let first_extended = reasons
                .iter()
                .position(|r| !r.core)
                .unwrap_or(reasons.len());
            assert!(reasons[first_extended..].iter().all(|r| !r.core));
            assert_eq!(first_extended, 3);
        }
    }

    #[test]
    fn codes_are_unique_and_versions_resolve() {
        let mut codes: Vec<_> = Catalogue::V2.reasons().iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Catalogue::V2.reasons().len());
        assert_eq!(Catalogue::by_version(2), Some(Catalogue::V2));
        assert_eq!(Catalogue::by_version(1), None);
        assert_eq!(level_of(999), None);
    }

    #[test]
    fn stored_codes_read_as_labels() {
        let c = Catalogue::CURRENT;
        assert_eq!(c.label_of(207), Some("没有提供材料样本"));
        assert_eq!(c.label_of(999), None);
        assert_eq!(c.label_of(-1), None);
        assert_eq!(c.label_of(65_536 + 207), None, "not wrapped into a u16");
        assert_eq!(c.label_or_code(208), "没有提供材料清单");
        assert_eq!(c.label_or_code(999), "999");
        assert_eq!(
            c.labels_of(&[209, 999, 108]),
            ["未在承诺时间内办结", "在办事指南之外增加新的审批条件"]
        );
        assert!(c.labels_of(&[]).is_empty());
    }

    #[test]
    fn group_concat_lists_read_as_codes() {
        assert_eq!(codes_from_list(Some("207,208")), [207, 208]);
        assert_eq!(codes_from_list(Some("207")), [207]);
        assert_eq!(codes_from_list(Some("")), Vec::<i64>::new());
        assert_eq!(codes_from_list(None), Vec::<i64>::new());
        assert_eq!(codes_from_list(Some("207,x,108")), [207, 108]);
    }
}
