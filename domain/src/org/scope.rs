//! 管辖范围 — what a supervisor's or administrator's [`Scope`] covers, and how it is chosen on the
//! new-account form and stored on `account`.
//!
//! A scope covers a set of departments and windows:
//! - `All`: every department and window.
//! - `Region(r)`: the departments whose region is `r` or a region under it (`region.parent_id`,
//!   any depth); the windows in halls whose region is `r` or under it.
//! - `Hall(h)`: the windows of hall `h`; the departments with a window in `h`.
//!
//! A ticket is in scope when its department is (a complaint has only a department). The tree is in
//! the database, so the store resolves a scope into a [`Coverage`]; the rules here decide with it.

use super::{OrgError, Scope};
use crate::access::Role;
use crate::ids::{DepartmentId, HallId, RegionId};

impl Scope {
    /// The scope stored on an account (`account.region_id`, `account.hall_id`); a hall is the
    /// narrower of the two, should both be set.
    pub fn from_columns(region: Option<RegionId>, hall: Option<HallId>) -> Scope {
        match (region, hall) {
            (_, Some(hall)) => Scope::Hall(hall),
            (Some(region), None) => Scope::Region(region),
            (None, None) => Scope::All,
        }
    }

    /// The columns that store the scope: (`region_id`, `hall_id`).
    pub fn columns(self) -> (Option<RegionId>, Option<HallId>) {
        match self {
            Scope::All => (None, None),
            Scope::Region(region) => (Some(region), None),
            Scope::Hall(hall) => (None, Some(hall)),
        }
    }

    /// The scope's value in a form's select: `all`, `region:ID` or `hall:ID`.
    pub fn value(self) -> String {
        match self {
            Scope::All => "all".into(),
            Scope::Region(id) => format!("region:{id}"),
            Scope::Hall(id) => format!("hall:{id}"),
        }
    }

    /// Reads a form's value (empty = `All`); the refusal names the field `scope`.
    pub fn parse_value(raw: &str) -> Result<Scope, OrgError> {
        let refuse = || OrgError::new("scope", "管辖范围", "请选择列出的地区或大厅");
        let raw = raw.trim();
        if raw.is_empty() || raw == "all" {
            return Ok(Scope::All);
        }
        let (kind, id) = raw.split_once(':').ok_or_else(refuse)?;
        match kind {
            "region" => id.parse().map(Scope::Region).map_err(|_| refuse()),
            "hall" => id.parse().map(Scope::Hall).map_err(|_| refuse()),
            _ => Err(refuse()),
        }
    }

    /// Only supervisors, inspectors and administrators have a scope; handlers and window clerks
    /// are held to their department instead.
    pub fn check_role(self, role: Role) -> Result<(), OrgError> {
        match (self, role) {
            (Scope::All, _) | (_, Role::Supervisor | Role::Inspector | Role::Admin) => Ok(()),
            _ => Err(OrgError::new(
                "scope",
                "管辖范围",
                "仅监督股、监督查评员和系统管理员可限定管辖范围",
            )),
        }
    }
}

/// The departments a [`Scope`] covers, as the store resolved them from the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Every department: the scope `All`.
    Everything,
    /// Exactly these departments (sorted, possibly none).
    Departments(Vec<DepartmentId>),
}

impl Coverage {
    /// Covers the departments given, in any order.
    pub fn of(mut departments: Vec<DepartmentId>) -> Coverage {
        departments.sort_unstable();
        departments.dedup();
        Coverage::Departments(departments)
    }

    /// Is `department` in the scope?
    pub fn covers(&self, department: DepartmentId) -> bool {
        match self {
            Coverage::Everything => true,
            Coverage::Departments(list) => list.binary_search(&department).is_ok(),
        }
    }

    /// The departments covered, or `None` for all of them.
    pub fn departments(&self) -> Option<&[DepartmentId]> {
        match self {
            Coverage::Everything => None,
            Coverage::Departments(list) => Some(list),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_is_stored_in_two_columns_and_read_back() {
        for scope in [
            Scope::All,
            Scope::Region(RegionId(3)),
            Scope::Hall(HallId(4)),
        ] {
            let (region, hall) = scope.columns();
            assert_eq!(Scope::from_columns(region, hall), scope);
            assert_eq!(Scope::parse_value(&scope.value()), Ok(scope));
        }
        assert_eq!(
            Scope::from_columns(Some(RegionId(3)), Some(HallId(4))),
            Scope::Hall(HallId(4)),
            "the narrower scope wins"
        );
        assert_eq!(Scope::parse_value(" "), Ok(Scope::All));
    }

    #[test]
    fn a_forged_scope_value_is_refused_with_its_field() {
        for bad in [
            "region", "region:", "region:x", "hall:-", "window:1", "all:1",
        ] {
            let refused = Scope::parse_value(bad).unwrap_err();
            assert_eq!(refused.field(), "scope", "{bad}");
            assert!(refused.message_zh().starts_with("管辖范围："), "{bad}");
        }
    }

    #[test]
    fn only_supervisors_and_administrators_are_scoped() {
        let township = Scope::Region(RegionId(2));
        assert!(township.check_role(Role::Supervisor).is_ok());
        assert!(township.check_role(Role::Admin).is_ok());
        for role in [Role::Handler, Role::WindowStaff] {
            assert_eq!(township.check_role(role).unwrap_err().field(), "scope");
            assert!(Scope::Hall(HallId(1)).check_role(role).is_err());
            assert!(Scope::All.check_role(role).is_ok());
        }
    }

    #[test]
    fn coverage_is_everything_or_exactly_its_departments() {
        assert!(Coverage::Everything.covers(DepartmentId(99)));
        assert_eq!(Coverage::Everything.departments(), None);
        let some = Coverage::of(vec![DepartmentId(7), DepartmentId(2), DepartmentId(7)]);
        assert_eq!(
            some.departments(),
            Some(&[DepartmentId(2), DepartmentId(7)][..])
        );
        assert!(some.covers(DepartmentId(2)) && some.covers(DepartmentId(7)));
        assert!(!some.covers(DepartmentId(3)));
        assert!(!Coverage::of(Vec::new()).covers(DepartmentId(2)));
    }
}
