//! 权限 — who may see and do what in the management end. Handlers and clerks are held to their
//! department: nobody handles another department's tickets or sees its personal data. Supervisors
//! and administrators are held to their [`Scope`] (a region with the regions under it, or one hall;
//! see `org::scope` for what a scope covers).

use crate::ids::DepartmentId;
use crate::org::{Coverage, Scope};
use crate::ticket::{TicketAction, TicketState};

mod password;

pub use password::{MIN_PASSWORD_CHARS, PasswordTooShort, check_password};

/// A page of the management end, as a navigation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffPage {
    pub href: &'static str,
    pub label_zh: &'static str,
}

const fn page(href: &'static str, label_zh: &'static str) -> StaffPage {
    StaffPage { href, label_zh }
}

/// A staff member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 窗口工作人员 — sees the ratings of their own service.
    WindowStaff,
    /// 部门经办人 — handles their department's tickets.
    Handler,
    /// 监督股 — assigns, supervises, decides appeals; sees everything in their scope.
    Supervisor,
    /// 监督查评员 — a supervising body's inspector: records inspections (监督查评) in their scope.
    Inspector,
    /// 系统管理员 — organisation, accounts, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::WindowStaff,
        Role::Handler,
        Role::Supervisor,
        Role::Inspector,
        Role::Admin,
    ];

    /// The stable name used in the database (`account.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::WindowStaff => "window_staff",
            Role::Handler => "handler",
            Role::Supervisor => "supervisor",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
        }
    }

    /// Reads the stable name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The role's name for people (account lists, the new-account form).
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::WindowStaff => "窗口工作人员",
            Role::Handler => "部门经办人",
            Role::Supervisor => "监督股",
            Role::Inspector => "监督查评员",
            Role::Admin => "系统管理员",
        }
    }

    /// The pages of the staff bar, in order; the first is where the role starts after signing in.
    pub fn navigation(self) -> &'static [StaffPage] {
        const WINDOW_STAFF: &[StaffPage] = &[page("/staff/ratings", "我的评价")];
        const HANDLER: &[StaffPage] = &[page("/staff/tickets", "工单")];
        const SUPERVISOR: &[StaffPage] = &[
            page("/staff/overview", "督办总览"),
            page("/staff/tickets", "工单"),
            page("/staff/report", "月度报告"),
            page("/staff/analysis", "时段分析"),
            page("/staff/opinions", "综合点评"),
            page("/staff/inspections", "监督查评"),
            page("/staff/posters", "窗口评价码"),
        ];
        const INSPECTOR: &[StaffPage] = &[page("/staff/inspections", "监督查评")];
        const ADMIN: &[StaffPage] = &[
            page("/staff/admin", "系统管理"),
            page("/staff/organisation", "机构管理"),
            page("/staff/devices", "评价器"),
            page("/staff/accounts", "账号管理"),
            page("/staff/posters", "窗口评价码"),
        ];
        match self {
            Role::WindowStaff => WINDOW_STAFF,
            Role::Handler => HANDLER,
            Role::Supervisor => SUPERVISOR,
            Role::Inspector => INSPECTOR,
            Role::Admin => ADMIN,
        }
    }

    /// The page a staff member starts from after signing in.
    pub fn home(self) -> &'static str {
        self.navigation()[0].href
    }

    /// 综合点评: supervisors and administrators list them and type in what came on paper, by mail or
    /// by phone.
    pub fn keeps_opinions(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// 监督查评: inspectors record them; inspectors and supervisors list them.
    pub fn records_inspections(self) -> bool {
        self == Role::Inspector
    }

    /// See [`Role::records_inspections`].
    pub fn lists_inspections(self) -> bool {
        matches!(self, Role::Inspector | Role::Supervisor)
    }

    /// Supervisors and administrators must use a second factor (TOTP).
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// A signed-in staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub account_id: i64,
    pub role: Role,
    /// The department a handler or window clerk belongs to.
    pub department_id: Option<i64>,
    /// Where a supervisor or administrator works (`All` for handlers and clerks).
    pub scope: Scope,
}

impl Actor {
    fn own(self, department: i64) -> bool {
        self.department_id == Some(department)
    }

    /// May see a ticket of `department` (without personal data): a handler their department's, a
    /// supervisor those of the departments `coverage` (their scope, resolved) covers.
    pub fn may_see_ticket(self, department: i64, coverage: &Coverage) -> bool {
        match self.role {
            Role::Supervisor => coverage.covers(DepartmentId(department)),
            Role::Handler => self.own(department),
            Role::WindowStaff | Role::Inspector | Role::Admin => false,
        }
    }

    /// May take `action` on a ticket of `department`. The handling department does the work; the
    /// supervisor decides appeals and closes what citizens left unrated; citizens alone rate fixes.
    pub fn may_act(self, action: TicketAction, department: i64) -> bool {
        match action {
            TicketAction::DecideAppeal { .. } | TicketAction::CloseUnrated => {
                self.role == Role::Supervisor
            }
            TicketAction::RateFix(_) => false,
            _ => self.role == Role::Handler && self.own(department),
        }
    }

    /// May see the evaluator's phone: only the handler of the ticket's department, and only while a
    /// return visit is due.
    pub fn may_reveal_phone(self, department: i64, state: TicketState) -> bool {
        self.role == Role::Handler
            && self.own(department)
            && matches!(state, TicketState::Open | TicketState::Reopened)
    }
}

/// May a window clerk read the citizen's own words of a rating of their service? Not those of a
/// 差评 before its ticket is closed: a clerk who could read them minutes after the citizen left
/// could tell who it was (51号文 forbids 打击报复). Times are never shown to clerks at all, only days.
pub fn clerk_reads_comment(level: crate::Level, ticket: Option<TicketState>) -> bool {
    !level.is_bad() || ticket == Some(TicketState::Closed)
}

/// 登录限制 — a growing wait after repeated failed log-ins, not a long lock a stranger can set off:
/// a few failures are free, then each one doubles the wait, up to a ceiling; failures long past
/// are forgotten. (Per client address, log-ins are limited apart: `server::platform::guard`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub free_failures: u32,
    pub first_wait_ms: i64,
    pub max_wait_ms: i64,
    /// A failure older than this no longer counts.
    pub forget_after_ms: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            free_failures: 5,
            first_wait_ms: 30 * 1000,
            max_wait_ms: 15 * 60 * 1000,
            forget_after_ms: 60 * 60 * 1000,
        }
    }
}

impl LoginThrottle {
    /// After the `failures`-th failure in a row at `now`: until when further attempts wait.
    pub fn wait_after(self, failures: u32, now: i64) -> Option<i64> {
        let past_free = failures.checked_sub(self.free_failures)?;
        let wait = self
            .first_wait_ms
            .checked_shl(past_free.min(30))
            .unwrap_or(i64::MAX)
            .min(self.max_wait_ms);
        Some(now + wait)
    }

    /// The failures in a row that still count, the last one at `last` (if any), at `now`.
    pub fn counted(self, failures: u32, last: Option<i64>, now: i64) -> u32 {
        match last {
            Some(last) if now - last < self.forget_after_ms => failures,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{FixRating, Triage};

    const HANDLER: Actor = Actor {
        account_id: 1,
        role: Role::Handler,
        department_id: Some(10),
        scope: Scope::All,
    };
    const SUPERVISOR: Actor = Actor {
        account_id: 2,
        role: Role::Supervisor,
        department_id: None,
        scope: Scope::All,
    };
    const ALL: Coverage = Coverage::Everything;

    #[test]
    fn handlers_work_only_on_their_department() {
        assert!(HANDLER.may_see_ticket(10, &ALL));
        assert!(!HANDLER.may_see_ticket(11, &ALL));
        assert!(HANDLER.may_act(TicketAction::Triage(Triage::FixNow), 10));
        assert!(!HANDLER.may_act(TicketAction::Triage(Triage::FixNow), 11));
        assert!(!HANDLER.may_act(TicketAction::DecideAppeal { upheld: true }, 10));
    }

    #[test]
    fn supervisors_decide_and_nobody_rates_for_the_citizen() {
        assert!(SUPERVISOR.may_see_ticket(11, &ALL));
        assert!(SUPERVISOR.may_act(TicketAction::DecideAppeal { upheld: false }, 11));
        assert!(!SUPERVISOR.may_act(TicketAction::Reply, 11));
        for actor in [HANDLER, SUPERVISOR] {
            assert!(!actor.may_act(TicketAction::RateFix(FixRating::Satisfied), 10));
        }
        let clerk = Actor {
            role: Role::WindowStaff,
            ..HANDLER
        };
        assert!(!clerk.may_see_ticket(10, &ALL));
    }

    #[test]
    fn a_scoped_supervisor_sees_only_the_departments_in_scope() {
        let township = Actor {
            scope: Scope::Region(crate::ids::RegionId(2)),
            ..SUPERVISOR
        };
        let covered = Coverage::of(vec![DepartmentId(11)]);
        assert!(township.may_see_ticket(11, &covered));
        assert!(!township.may_see_ticket(10, &covered));
        assert!(!township.may_see_ticket(10, &Coverage::of(Vec::new())));
        // A handler stays held to their department whatever coverage is passed.
        assert!(!HANDLER.may_see_ticket(11, &covered));
        assert!(HANDLER.may_see_ticket(10, &Coverage::of(Vec::new())));
    }

    #[test]
    fn the_phone_is_for_the_return_visit_only() {
        assert!(HANDLER.may_reveal_phone(10, TicketState::Open));
        assert!(HANDLER.may_reveal_phone(10, TicketState::Reopened));
        assert!(!HANDLER.may_reveal_phone(10, TicketState::Replied));
        assert!(!HANDLER.may_reveal_phone(11, TicketState::Open));
        assert!(!SUPERVISOR.may_reveal_phone(10, TicketState::Open));
    }

    #[test]
    fn each_role_has_its_label_home_and_pages() {
        let homes: Vec<_> = Role::ALL.map(Role::home).into();
        assert_eq!(
            homes,
            [
                "/staff/ratings",
                "/staff/tickets",
                "/staff/overview",
                "/staff/inspections",
                "/staff/admin"
            ]
        );
        let labels: Vec<_> = Role::ALL.map(Role::label_zh).into();
        assert_eq!(
            labels,
            [
                "窗口工作人员",
                "部门经办人",
                "监督股",
                "监督查评员",
                "系统管理员"
            ]
        );
        let supervisor: Vec<_> = Role::Supervisor
            .navigation()
            .iter()
            .map(|p| (p.href, p.label_zh))
            .collect();
        assert_eq!(
            supervisor,
            [
                ("/staff/overview", "督办总览"),
                ("/staff/tickets", "工单"),
                ("/staff/report", "月度报告"),
                ("/staff/analysis", "时段分析"),
                ("/staff/opinions", "综合点评"),
                ("/staff/inspections", "监督查评"),
                ("/staff/posters", "窗口评价码"),
            ]
        );
        assert_eq!(Role::Handler.navigation(), [page("/staff/tickets", "工单")]);
        // Every role that may use the voices' pages has them in its bar.
        for role in Role::ALL {
            let hrefs: Vec<&str> = role.navigation().iter().map(|p| p.href).collect();
            assert_eq!(
                role.lists_inspections(),
                hrefs.contains(&"/staff/inspections")
            );
            assert!(!role.records_inspections() || role.lists_inspections());
        }
        assert!(Role::Admin.keeps_opinions() && !Role::Handler.keeps_opinions());
        assert_eq!(Role::WindowStaff.navigation()[0].label_zh, "我的评价");
        assert_eq!(Role::Admin.navigation()[0].label_zh, "系统管理");
        let admin: Vec<&str> = Role::Admin.navigation().iter().map(|p| p.href).collect();
        assert_eq!(
            admin,
            [
                "/staff/admin",
                "/staff/organisation",
                "/staff/devices",
                "/staff/accounts",
                "/staff/posters"
            ]
        );
    }

    #[test]
    fn a_clerk_reads_a_bad_review_s_words_only_once_its_ticket_is_closed() {
        use crate::Level;
        assert!(clerk_reads_comment(Level::VerySatisfied, None));
        assert!(clerk_reads_comment(Level::BasicallySatisfied, None));
        for open in [None, Some(TicketState::Open), Some(TicketState::Replied)] {
            assert!(!clerk_reads_comment(Level::Dissatisfied, open), "{open:?}");
        }
        assert!(clerk_reads_comment(
            Level::VeryDissatisfied,
            Some(TicketState::Closed)
        ));
    }

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time_up_to_a_ceiling() {
        let t = LoginThrottle::default();
        assert_eq!(t.wait_after(4, 0), None);
        assert_eq!(t.wait_after(5, 1_000), Some(1_000 + 30_000));
        assert_eq!(t.wait_after(6, 0), Some(60_000));
        assert_eq!(t.wait_after(40, 0), Some(15 * 60 * 1000));
        assert_eq!(t.counted(7, Some(0), 59 * 60 * 1000), 7);
        assert_eq!(t.counted(7, Some(0), 61 * 60 * 1000), 0, "forgotten");
        assert_eq!(t.counted(7, None, 0), 0);
        assert_eq!(Role::parse("supervisor"), Some(Role::Supervisor));
        assert!(Role::Admin.needs_second_factor() && !Role::Handler.needs_second_factor());
    }
}
