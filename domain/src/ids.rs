//! 标识 — the row ids of the organisation, one type each, so that a window's hall cannot be passed
//! where its department is expected. They carry no meaning beyond identity; the database assigns
//! them. Serialized as the bare number.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The number as stored.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        /// From a form's or a path's text: the number, nothing else.
        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// 行政区划 — a row of `region`.
    RegionId;
    /// 部门 — a row of `department`.
    DepartmentId;
    /// 政务服务中心 / 分中心 — a row of `hall`.
    HallId;
    /// 窗口 — a row of `service_window`.
    WindowId;
    /// 工作人员 — a row of `staff`.
    StaffId;
    /// 事项 — a row of `service_item`.
    ServiceItemId;
    /// 业务系统 — a row of `business_system`.
    BusinessSystemId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_different_tables_are_different_types_with_the_same_number() {
        let (window, hall) = (WindowId(3), HallId(3));
        assert_eq!(window.get(), hall.get());
        assert_eq!(serde_json::to_string(&window).unwrap(), "3");
        assert_eq!(serde_json::from_str::<HallId>("3").unwrap(), hall);
        assert_eq!(window.to_string(), "3");
        assert_eq!("7".parse::<HallId>(), Ok(HallId(7)));
        assert!("7a".parse::<HallId>().is_err());
    }
}
