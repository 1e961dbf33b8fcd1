//! Server functions of the business-systems section (业务系统): administrators only, CSRF-checked.
//! A new API key reaches the page once: the function holds it on the server and redirects to
//! `/staff/admin?new_key=HANDLE`, whose render takes it (with and without JavaScript alike).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

/// An API key as listed: never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: i64,
    pub created: String,
    /// 有效, 重叠期至…, 已于…停用, 已吊销（…）.
    pub state: String,
    /// Neither revoked nor expired: it may be revoked.
    pub live: bool,
}

/// A business system as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemView {
    pub id: i64,
    pub name: String,
    pub origins: String,
    /// "区划 示范县", "部门 县公安局".
    pub grants: Vec<String>,
    pub keys: Vec<KeyView>,
}

/// What the business-systems section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemsView {
    pub systems: Vec<SystemView>,
    pub regions: Vec<(i64, String)>,
    pub departments: Vec<(i64, String)>,
    pub csrf: String,
}

/// The business systems with their grants and keys.
#[server]
pub async fn admin_systems() -> Result<SystemsView, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let page = server::features::admin::systems::systems_page(&state, session.actor).await?;
    Ok(from_server::systems(page, session.csrf()))
}

/// 登记业务系统. Ticked regions and departments arrive as `regions[]` and `departments[]`.
#[server]
pub async fn admin_register_system(
    name: String,
    origins: String,
    #[server(default)] regions: Vec<String>,
    #[server(default)] departments: Vec<String>,
    csrf: String,
) -> Result<(), ApiError> {
    use server::features::admin::systems::{self, By, SystemForm};
    let (state, session) = super::with_csrf(&csrf).await?;
    let form = SystemForm {
        name: &name,
        origins: &origins,
        regions: from_server::ids(&regions, "regions")?,
        departments: from_server::ids(&departments, "departments")?,
    };
    let now = server::platform::db::now();
    let key = systems::register_system(&state, By::Admin(session.actor), form, now).await?;
    show_once(&state, session.actor, key);
    Ok(())
}

/// 轮换密钥: a new key; the system's other keys keep working for `overlap_days`.
#[server]
pub async fn admin_rotate_key(
    system: i64,
    overlap_days: String,
    csrf: String,
) -> Result<(), ApiError> {
    use server::features::admin::systems::{self, By};
    let (state, session) = super::with_csrf(&csrf).await?;
    let system = domain::ids::BusinessSystemId(system);
    let now = server::platform::db::now();
    let by = By::Admin(session.actor);
    let key = systems::rotate_key(&state, by, system, &overlap_days, now).await?;
    show_once(&state, session.actor, key);
    Ok(())
}

/// 吊销密钥: it stops working at once.
#[server]
pub async fn admin_revoke_key(key: i64, csrf: String) -> Result<(), ApiError> {
    use server::features::admin::systems::{self, By};
    let (state, session) = super::with_csrf(&csrf).await?;
    let now = server::platform::db::now();
    Ok(systems::revoke_key(&state, By::Admin(session.actor), key, now).await?)
}

/// The new key held under `handle` for this administrator: given once, then forgotten.
#[server]
pub async fn admin_new_key(handle: String) -> Result<Option<String>, ApiError> {
    let (state, session) = crate::api::staff_session().await?;
    let now = server::platform::db::now();
    Ok(server::features::admin::systems::take_key(
        &state,
        session.actor,
        &handle,
        now,
    ))
}

/// Holds the new key and sends the administrator to the page that shows it.
#[cfg(feature = "ssr")]
fn show_once(
    state: &server::AppState,
    actor: domain::access::Actor,
    key: server::features::admin::systems::NewKey,
) {
    let now = server::platform::db::now();
    let handle = server::features::admin::systems::hold_key(state, actor, key, now);
    leptos_axum::redirect(&format!("/staff/admin?new_key={handle}"));
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's business-systems section to this module's types.

    use server::features::admin::systems::{Grant, SystemsPage};

    use super::{ApiError, KeyView, SystemView, SystemsView};

    pub(super) fn systems(page: SystemsPage, csrf: &str) -> SystemsView {
        let now = server::platform::db::now();
        SystemsView {
            systems: page
                .systems
                .into_iter()
                .map(|s| SystemView {
                    id: s.id.get(),
                    name: s.name,
                    origins: s.origins,
                    grants: s
                        .grants
                        .into_iter()
                        .map(|g| match g {
                            Grant::Region { name, .. } => format!("区划 {name}"),
                            Grant::Department { name, .. } => format!("部门 {name}"),
                        })
                        .collect(),
                    keys: s
                        .keys
                        .into_iter()
                        .map(|k| {
                            let state = k.state(now);
                            KeyView {
                                id: k.id,
                                created: k.created_at.to_string(),
                                state: state.label_zh(),
                                live: state.is_live(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            regions: page.regions,
            departments: page.departments,
            csrf: csrf.to_owned(),
        }
    }

    /// Ids ticked in a form; anything else is refused naming the field.
    pub(super) fn ids<I: std::str::FromStr>(
        values: &[String],
        field: &str,
    ) -> Result<Vec<I>, ApiError> {
        values
            .iter()
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| ApiError::invalid(field, "可登记范围：所选区划或部门有误"))
            })
            .collect()
    }
}
