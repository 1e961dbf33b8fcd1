//! Server functions of the organisation page (机构管理): administrators only, CSRF-checked. Records
//! travel by their codes; a line carries its fields by name so that its edit form fills itself.

// One form serves every kind of record, so `org_save` takes every field a kind may use (the
// `#[server]` macro does not pass a function-level allow on to the code it generates).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One line of a list on the organisation page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgLineView {
    /// region, hall, department, window, staff, service_item.
    pub kind: String,
    pub code: String,
    pub name: String,
    pub detail: String,
    pub active: bool,
    pub depth: usize,
    /// The record's fields by form field name, for its edit form.
    pub fields: Vec<(String, String)>,
}

impl OrgLineView {
    /// The value of a form field of this record.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the organisation page lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationLists {
    pub regions: Vec<OrgLineView>,
    pub halls: Vec<OrgLineView>,
    pub departments: Vec<OrgLineView>,
    pub windows: Vec<OrgLineView>,
    pub staff: Vec<OrgLineView>,
    pub items: Vec<OrgLineView>,
    pub items_matching: i64,
    pub items_listed: i64,
    pub csrf: String,
}

/// The organisation; `search` narrows the service items.
#[server]
pub async fn organisation_view(search: String) -> Result<OrganisationLists, ApiError> {
    let (state, session) = super::staff_session().await?;
    let page = server::features::admin::organisation_page(&state, session.actor, &search).await?;
    Ok(from_server::page(page, session.csrf()))
}

/// 新增 (`mode` new) or 修改 (`mode` edit) a record of `kind`. Fields a kind does not use are
/// absent.
#[server]
pub async fn org_save(
    kind: String,
    mode: String,
    code: String,
    name: String,
    parent: Option<String>,
    region: Option<String>,
    hall: Option<String>,
    department: Option<String>,
    window: Option<String>,
    number: Option<String>,
    hall_kind: Option<String>,
    item_type: Option<String>,
    credit_code: Option<String>,
    address: Option<String>,
    hours: Option<String>,
    csrf: String,
) -> Result<(), ApiError> {
    use server::features::admin::{OrgForm, submit_org_record};
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let form = OrgForm {
        kind,
        mode,
        code,
        name,
        parent: parent.unwrap_or_default(),
        region: region.unwrap_or_default(),
        hall: hall.unwrap_or_default(),
        department: department.unwrap_or_default(),
        window: window.unwrap_or_default(),
        number: number.unwrap_or_default(),
        hall_kind: hall_kind.unwrap_or_default(),
        item_type: item_type.unwrap_or_default(),
        credit_code: credit_code.unwrap_or_default(),
        address: address.unwrap_or_default(),
        hours: hours.unwrap_or_default(),
    };
    submit_org_record(&state, session.actor, form).await?;
    leptos_axum::redirect("/staff/organisation");
    Ok(())
}

/// 停用 (`active` "0") or 启用 (`active` "1").
#[server]
pub async fn org_set_active(
    kind: String,
    code: String,
    active: String,
    csrf: String,
) -> Result<(), ApiError> {
    let (state, session) = super::staff_session().await?;
    session.check_csrf(&csrf)?;
    let active = active == "1";
    server::features::admin::submit_org_active(&state, session.actor, &kind, &code, active).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
mod from_server {
    //! From the server's organisation page to this module's types.

    use server::features::admin::{ITEMS_LISTED, OrgLine, OrganisationPage};

    use super::{OrgLineView, OrganisationLists};

    fn line(l: OrgLine) -> OrgLineView {
        let fields: Vec<(String, String)> = l
            .record
            .fields()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let value = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        OrgLineView {
            kind: l.record.kind().as_str().to_owned(),
            code: l.record.code().to_owned(),
            name: value("name"),
            detail: l.detail,
            active: l.active,
            depth: l.depth,
            fields,
        }
    }

    pub(super) fn page(p: OrganisationPage, csrf: &str) -> OrganisationLists {
        let lines = |v: Vec<OrgLine>| v.into_iter().map(line).collect();
        OrganisationLists {
            regions: lines(p.regions),
            halls: lines(p.halls),
            departments: lines(p.departments),
            windows: lines(p.windows),
            staff: lines(p.staff),
            items: lines(p.items),
            items_matching: p.items_matching,
            items_listed: ITEMS_LISTED,
            csrf: csrf.to_owned(),
        }
    }
}
