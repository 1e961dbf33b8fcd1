//! 满意度 — the five satisfaction levels and the external code tables that disagree about them.

use serde::{Deserialize, Serialize};

/// 满意度等级 — one of the five national satisfaction levels.
///
/// This is the only representation used inside haochaping; every external numbering goes through one
/// of the explicit mappers below, because the tables in use contradict each other (domain.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意 (差评)
    Dissatisfied,
    /// 非常不满意 (差评)
    VeryDissatisfied,
}

/// A code that names no level in the table it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{code} is not a satisfaction code of the {table} table")]
pub struct UnknownLevelCode {
    pub code: i64,
    pub table: &'static str,
}

impl Level {
    /// All levels, best first: the order shown to citizens.
    pub const ALL: [Level; 5] = [
        Level::VerySatisfied,
        Level::Satisfied,
        Level::BasicallySatisfied,
        Level::Dissatisfied,
        Level::VeryDissatisfied,
    ];

    /// 差评: 不满意 and 非常不满意.
    pub fn is_bad(self) -> bool {
        matches!(self, Level::Dissatisfied | Level::VeryDissatisfied)
    }

    /// The platform interface field `satisfaction` (de facto): 5 = 非常满意 … 1 = 非常不满意.
    /// It is also the first digit of the reason codes of the national catalogue.
    pub fn interface_code(self) -> u8 {
        match self {
            Level::VerySatisfied => 5,
            Level::Satisfied => 4,
            Level::BasicallySatisfied => 3,
            Level::Dissatisfied => 2,
            Level::VeryDissatisfied => 1,
        }
    }

    /// Reads the platform interface code (5…1).
    pub fn from_interface_code(code: i64) -> Result<Self, UnknownLevelCode> {
        Self::ALL
            .into_iter()
            .find(|l| i64::from(l.interface_code()) == code)
            .ok_or(UnknownLevelCode {
                code,
                table: "interface",
            })
    }

    /// GB/T 39046-2020 Annex A.8 满意度代码: 1 = 非常满意 … 5 = 非常不满意.
    pub fn gbt39046_code(self) -> u8 {
        6 - self.interface_code()
    }

    /// Reads a GB/T 39046 code (1…5).
    pub fn from_gbt39046_code(code: i64) -> Result<Self, UnknownLevelCode> {
        Self::ALL
            .into_iter()
            .find(|l| i64::from(l.gbt39046_code()) == code)
            .ok_or(UnknownLevelCode {
                code,
                table: "GB/T 39046",
            })
    }

    /// Counter evaluator devices: 0 = 非常满意 … 4 = 非常不满意.
    pub fn device_code(self) -> u8 {
        5 - self.interface_code()
    }

    /// Reads a counter device code (0…4).
    pub fn from_device_code(code: i64) -> Result<Self, UnknownLevelCode> {
        Self::ALL
            .into_iter()
            .find(|l| i64::from(l.device_code()) == code)
            .ok_or(UnknownLevelCode {
                code,
                table: "device",
            })
    }

    /// The 10-point score used by Guangxi and in Guangdong's published average: 10, 8, 6, 3, 0.
    pub fn ten_point_score(self) -> u8 {
        match self {
            Level::VerySatisfied => 10,
            Level::Satisfied => 8,
            Level::BasicallySatisfied => 6,
            Level::Dissatisfied => 3,
            Level::VeryDissatisfied => 0,
        }
    }

    /// The Chinese label shown to citizens.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::VerySatisfied => "非常满意",
            Level::Satisfied => "满意",
            Level::BasicallySatisfied => "基本满意",
            Level::Dissatisfied => "不满意",
            Level::VeryDissatisfied => "非常不满意",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Level::VerySatisfied => "Very satisfied",
            Level::Satisfied => "Satisfied",
            Level::BasicallySatisfied => "Basically satisfied",
            Level::Dissatisfied => "Dissatisfied",
            Level::VeryDissatisfied => "Very dissatisfied",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tables_follow_domain_md() {
        let rows: [(Level, u8, u8, u8, u8); 5] = [
            (Level::VerySatisfied, 5, 1, 0, 10),
            (Level::Satisfied, 4, 2, 1, 8),
            (Level::BasicallySatisfied, 3, 3, 2, 6),
            (Level::Dissatisfied, 2, 4, 3, 3),
            (Level::VeryDissatisfied, 1, 5, 4, 0),
        ];
        for (level, interface, gbt, device, score) in rows {
            assert_eq!(level.interface_code(), interface);
            assert_eq!(level.gbt39046_code(), gbt);
            assert_eq!(level.device_code(), device);
            assert_eq!(level.ten_point_score(), score);
            assert_eq!(Level::from_interface_code(interface.into()), Ok(level));
            assert_eq!(Level::from_gbt39046_code(gbt.into()), Ok(level));
            assert_eq!(Level::from_device_code(device.into()), Ok(level));
        }
    }

    #[test]
    fn out_of_range_codes_are_refused() {
        assert!(Level::from_interface_code(0).is_err());
        assert!(Level::from_gbt39046_code(6).is_err());
        assert_eq!(
            Level::from_device_code(5),
            Err(UnknownLevelCode {
                code: 5,
                table: "device"
            })
        );
    }

    #[test]
    fn only_the_two_lowest_levels_are_bad() {
        let bad: Vec<_> = Level::ALL.into_iter().filter(|l| l.is_bad()).collect();
        assert_eq!(bad, [Level::Dissatisfied, Level::VeryDissatisfied]);
    }
}
