//! Fixtures: what a test needs in place before it acts, made once here instead of in every file —
//! staff of each role and their sessions ([`staff`]), ratings made through the citizen's path or
//! back-dated ([`ratings`]), the organisation beyond the seed, the plain HTTP calls that drive
//! the app ([`http`]), and the appeal forms with their files ([`appeals`]). Every fixture reads
//! ids back through the product's own store methods where one exists.

pub mod appeals;
pub mod http;
pub mod peer;
pub mod processes;
pub mod ratings;
pub mod staff;

pub use http::SignedIn;
pub use peer::{Messaging, Peer};
pub use ratings::Rated;
pub use staff::{ADMIN_SECRET, PASSWORD, SUPERVISOR_SECRET, Staff};

use domain::ids::{DepartmentId, HallId, RegionId, WindowId};

use crate::{TestServer, sqlx_count};

impl TestServer {
    /// The id of the department with `code` (the seed has `BDC`, 县不动产登记中心).
    pub async fn department(&self, code: &str) -> i64 {
        self.state
            .store
            .id_by_code::<DepartmentId>(code)
            .await
            .expect("department lookup")
            .unwrap_or_else(|| panic!("no department {code}"))
            .get()
    }

    /// Adds a department to the seeded region; returns its id.
    pub async fn add_department(&self, code: &str, name: &str) -> i64 {
        // No read of regions exists: the seed has exactly one.
        let region = sqlx_count(&self.state, "SELECT id FROM region").await;
        self.state
            .store
            .insert_department(RegionId(region), code, name)
            .await
            .expect("department")
            .get()
    }

    /// A township under the seeded county (示范镇, `341125100`) with its own department (`XZ`
    /// 示范镇社会事务办), hall (`H2` 示范镇便民服务中心), window `T01` (code `W-T01`), clerk `S101`
    /// and service item `000112002000`: what scopes tell apart from the county.
    pub async fn township(&self) -> Township {
        let store = &self.state.store;
        let county = store.region_scope("341125").await.expect("region lookup");
        let Some(domain::org::Scope::Region(county)) = county else {
            panic!("no seeded county");
        };
        let region = store
            .insert_region("341125100", "示范镇", Some(county))
            .await
            .expect("region");
        let department = store
            .insert_department(region, "XZ", "示范镇社会事务办")
            .await
            .expect("department");
        let hall = store
            .insert_hall(region, "H2", "示范镇便民服务中心", "")
            .await
            .expect("hall");
        let window = store
            .insert_window(hall, department, "W-T01", "T01", "社会事务")
            .await
            .expect("window");
        store
            .insert_staff(department, Some(window), "S101", "赵敏")
            .await
            .expect("staff");
        store
            .insert_service_item(department, "000112002000", "高龄津贴申领")
            .await
            .expect("item");
        Township {
            county,
            region,
            department,
            hall,
            window,
        }
    }

    /// A second window of 县不动产登记中心 in the seeded hall, `A02` 不动产抵押 (code `W-A02`), with
    /// its clerk `S002` 李强, so that rankings and scopes have something to tell apart.
    pub async fn second_window(&self) {
        let store = &self.state.store;
        let bdc = DepartmentId(self.department("BDC").await);
        let halls = store.halls().await.expect("halls");
        let window = store
            .insert_window(HallId(halls[0].0), bdc, "W-A02", "A02", "不动产抵押")
            .await
            .expect("window");
        store
            .insert_staff(bdc, Some(window), "S002", "李强")
            .await
            .expect("staff");
    }
}

/// The township [`TestServer::township`] adds, and the seeded county above it.
#[derive(Debug, Clone, Copy)]
pub struct Township {
    pub county: RegionId,
    pub region: RegionId,
    pub department: DepartmentId,
    pub hall: HallId,
    pub window: WindowId,
}
