//! The organisation page (机构): the region tree, halls, departments, windows, staff and service
//! items as the administrator keeps them, each line with what its edit form needs.

use domain::access::Actor;
use domain::org::{HallKind, ItemType, RegionCode, Scope};
use domain::sql::Flag;
use sqlx::Row;

use super::{AdminError, Editor, OrgKind, OrgRecord, SaveMode, Saved, admin_only};
use crate::platform::{
    db::Store,
    scope::{departments_sql, halls_sql, regions_sql, windows_sql, within},
    state::AppState,
};

/// At most this many service items are listed; the rest are found by searching.
pub const ITEMS_LISTED: i64 = 100;

/// One line of a list: the record as its edit form shows it, and how the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgLine {
    pub record: OrgRecord,
    /// What the list shows beside the code and name: level, kind, region, hall, department…
    pub detail: String,
    pub active: bool,
    /// Regions only: how deep in the tree (0 for a top-level region).
    pub depth: usize,
}

/// Everything the organisation page lists.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationPage {
    pub regions: Vec<OrgLine>,
    pub halls: Vec<OrgLine>,
    pub departments: Vec<OrgLine>,
    pub windows: Vec<OrgLine>,
    pub staff: Vec<OrgLine>,
    /// The items matching the search (at most [`ITEMS_LISTED`]), and how many match in all.
    pub items: Vec<OrgLine>,
    pub items_matching: i64,
}

/// The organisation page; `search` narrows the service items (code or name).
pub async fn organisation_page(
    state: &AppState,
    actor: Actor,
    search: &str,
) -> Result<OrganisationPage, AdminError> {
    admin_only(actor)?;
    Ok(state.store.organisation(search.trim(), actor.scope).await?)
}

/// 新增 / 修改 — saves a record from the organisation page's forms.
pub async fn save_record(
    state: &AppState,
    actor: Actor,
    record: OrgRecord,
    mode: SaveMode,
) -> Result<Saved, AdminError> {
    admin_only(actor)?;
    state
        .store
        .save_org_record(Editor::of(actor), record, mode)
        .await
}

/// 停用 / 启用.
pub async fn set_record_active(
    state: &AppState,
    actor: Actor,
    kind: OrgKind,
    code: &str,
    active: bool,
) -> Result<bool, AdminError> {
    admin_only(actor)?;
    state
        .store
        .set_org_active(Editor::of(actor), kind, code, active)
        .await
}

/// Puts regions in tree order (each followed by the regions under it) with their depth. The roots
/// are the regions whose parent is not listed (the top of the tree, or of a scope).
fn tree_order(regions: Vec<(OrgLine, Option<String>)>) -> Vec<OrgLine> {
    fn place(
        parent: &str,
        depth: usize,
        rest: &mut Vec<(OrgLine, Option<String>)>,
        out: &mut Vec<OrgLine>,
    ) {
        let (mut mine, others): (Vec<_>, Vec<_>) = std::mem::take(rest)
            .into_iter()
            .partition(|(_, p)| p.as_deref() == Some(parent));
        *rest = others;
        mine.sort_by(|(a, _), (b, _)| a.record.code().cmp(b.record.code()));
        for (mut line, _) in mine {
            line.depth = depth;
            let code = line.record.code().to_owned();
            out.push(line);
            place(&code, depth + 1, rest, out);
        }
    }
    let listed: std::collections::HashSet<String> = regions
        .iter()
        .map(|(line, _)| line.record.code().to_owned())
        .collect();
    let (mut roots, mut rest): (Vec<_>, Vec<_>) = regions
        .into_iter()
        .partition(|(_, parent)| parent.as_ref().is_none_or(|p| !listed.contains(p)));
    roots.sort_by(|(a, _), (b, _)| a.record.code().cmp(b.record.code()));
    let mut out = Vec::with_capacity(listed.len());
    for (line, _) in roots {
        let code = line.record.code().to_owned();
        out.push(line);
        place(&code, 1, &mut rest, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, parent: Option<&str>) -> (OrgLine, Option<String>) {
        let record = OrgRecord::Region {
            code: code.into(),
            name: code.into(),
            parent: parent.map(Into::into),
        };
        let line = OrgLine {
            record,
            detail: String::new(),
            active: true,
            depth: 0,
        };
        (line, parent.map(Into::into))
    }

    #[test]
    fn regions_list_as_a_tree_from_whatever_roots_are_listed() {
        let ordered = tree_order(vec![
            region("341100", Some("340000")),
            region("341125100", Some("341125")),
            region("341126", Some("341100")),
            region("341125", Some("341100")),
        ]);
        let shown: Vec<(&str, usize)> =
            ordered.iter().map(|l| (l.record.code(), l.depth)).collect();
        assert_eq!(
            shown,
            [
                ("341100", 0),
                ("341125", 1),
                ("341125100", 2),
                ("341126", 1)
            ]
        );
    }
}

impl Store {
    /// The organisation inside `scope`, as the administrator's page lists it.
    pub async fn organisation(&self, search: &str, scope: Scope) -> sqlx::Result<OrganisationPage> {
        let regions_in = within("r.id", regions_sql(scope));
        let halls_in = within("h.id", halls_sql(scope));
        let departments_in = within("d.id", departments_sql(scope));
        let windows_in = within("w.id", windows_sql(scope));
        let line = |record, detail, active| OrgLine {
            record,
            detail,
            active,
            depth: 0,
        };
        let regions = sqlx::query(&format!(
            "SELECT r.code, r.name, p.code AS parent FROM region r \
             LEFT JOIN region p ON p.id = r.parent_id WHERE {regions_in} ORDER BY r.code"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let code: String = r.try_get("code")?;
            let parent: Option<String> = r.try_get("parent")?;
            let level = RegionCode::parse(&code)
                .map(|c| c.level().label_zh())
                .unwrap_or_default();
            let record = OrgRecord::Region {
                code,
                name: r.try_get("name")?,
                parent: parent.clone(),
            };
            Ok((line(record, level.to_owned(), true), parent))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let halls = sqlx::query(&format!(
            "SELECT h.code, h.name, h.kind, r.code AS region, r.name AS region_name, h.address, \
             h.hours, h.deactivated_at IS NULL AS active FROM hall h \
             JOIN region r ON r.id = h.region_id WHERE {halls_in} ORDER BY h.code"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let kind: HallKind = r.try_get("kind")?;
            let region_name: String = r.try_get("region_name")?;
            let record = OrgRecord::Hall {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                hall_kind: kind,
                region: r.try_get("region")?,
                address: r.try_get("address")?,
                hours: r.try_get("hours")?,
            };
            let detail = format!("{} · {region_name}", kind.label_zh());
            Ok(line(record, detail, r.try_get::<Flag, _>("active")?.0))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let departments = sqlx::query(&format!(
            "SELECT d.code, d.name, r.code AS region, r.name AS region_name, d.credit_code, \
             d.deactivated_at IS NULL AS active FROM department d \
             JOIN region r ON r.id = d.region_id WHERE {departments_in} ORDER BY d.code"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let credit: Option<String> = r.try_get("credit_code")?;
            let region_name: String = r.try_get("region_name")?;
            let detail = match &credit {
                Some(c) => format!("{region_name} · {c}"),
                None => region_name,
            };
            let record = OrgRecord::Department {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                region: r.try_get("region")?,
                credit_code: credit,
            };
            Ok(line(record, detail, r.try_get::<Flag, _>("active")?.0))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let windows = sqlx::query(&format!(
            "SELECT w.code, h.code AS hall, h.name AS hall_name, d.code AS department, \
             d.name AS department_name, w.number, w.name, w.deactivated_at IS NULL AS active \
             FROM service_window w JOIN hall h ON h.id = w.hall_id \
             JOIN department d ON d.id = w.department_id WHERE {windows_in} \
             ORDER BY h.code, w.number"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let detail = format!(
                "{} · {}",
                r.try_get::<String, _>("hall_name")?,
                r.try_get::<String, _>("department_name")?
            );
            let record = OrgRecord::Window {
                code: r.try_get("code")?,
                hall: r.try_get("hall")?,
                department: r.try_get("department")?,
                number: r.try_get("number")?,
                name: r.try_get("name")?,
            };
            Ok(line(record, detail, r.try_get::<Flag, _>("active")?.0))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let staff = sqlx::query(&format!(
            "SELECT s.staff_no, s.name, d.code AS department, d.name AS department_name, \
             w.code AS window, w.number AS window_number, s.deactivated_at IS NULL AS active \
             FROM staff s JOIN department d ON d.id = s.department_id \
             LEFT JOIN service_window w ON w.id = s.window_id WHERE {departments_in} \
             ORDER BY s.staff_no"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let department: String = r.try_get("department_name")?;
            let number: Option<String> = r.try_get("window_number")?;
            let detail = match number {
                Some(n) => format!("{department} · {n}号窗口"),
                None => department,
            };
            let record = OrgRecord::Staff {
                staff_no: r.try_get("staff_no")?,
                name: r.try_get("name")?,
                department: r.try_get("department")?,
                window: r.try_get("window")?,
            };
            Ok(line(record, detail, r.try_get::<Flag, _>("active")?.0))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        let pattern = format!("%{}%", search.replace(['%', '_'], ""));
        let items_matching: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM service_item i JOIN department d ON d.id = i.department_id \
             WHERE (i.code LIKE $1 OR i.name LIKE $1) AND {departments_in}"
        ))
        .bind(&pattern)
        .fetch_one(&self.pool)
        .await?;
        let items = sqlx::query(&format!(
            "SELECT i.code, i.name, d.code AS department, d.name AS department_name, i.item_type, \
             i.deactivated_at IS NULL AS active FROM service_item i \
             JOIN department d ON d.id = i.department_id \
             WHERE (i.code LIKE $1 OR i.name LIKE $1) AND {departments_in} ORDER BY i.code LIMIT $2"
        ))
        .bind(&pattern)
        .bind(ITEMS_LISTED)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let item_type: ItemType = r.try_get("item_type")?;
            let detail = format!(
                "{} · {}",
                r.try_get::<String, _>("department_name")?,
                item_type.label_zh()
            );
            let record = OrgRecord::ServiceItem {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                department: r.try_get("department")?,
                item_type,
            };
            Ok(line(record, detail, r.try_get::<Flag, _>("active")?.0))
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
        Ok(OrganisationPage {
            regions: tree_order(regions),
            halls,
            departments,
            windows,
            staff,
            items,
            items_matching,
        })
    }
}

/// The organisation page's form as typed: `kind` names the record, `mode` is new or edit; fields a
/// kind does not use are empty. References are codes (the choice lists' values).
#[derive(Debug, Clone, Default)]
pub struct OrgForm {
    pub kind: String,
    pub mode: String,
    pub code: String,
    pub name: String,
    pub parent: String,
    pub region: String,
    pub hall: String,
    pub department: String,
    pub window: String,
    pub number: String,
    pub hall_kind: String,
    pub item_type: String,
    pub credit_code: String,
    pub address: String,
    pub hours: String,
}

impl OrgForm {
    /// The record the form describes; the refusal names the field.
    pub fn record(self) -> Result<(OrgRecord, SaveMode), AdminError> {
        let invalid = |m: &str| AdminError::Invalid(m.to_owned());
        let mode = match self.mode.as_str() {
            "edit" => SaveMode::Edit,
            _ => SaveMode::New,
        };
        let kind = OrgKind::parse(&self.kind).ok_or_else(|| invalid("请选择类别"))?;
        let some = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        let record = match kind {
            OrgKind::Region => OrgRecord::Region {
                code: self.code,
                name: self.name,
                parent: some(self.parent),
            },
            OrgKind::Hall => OrgRecord::Hall {
                code: self.code,
                name: self.name,
                hall_kind: HallKind::parse(&self.hall_kind)
                    .ok_or_else(|| invalid("请选择大厅类型"))?,
                region: self.region,
                address: self.address,
                hours: self.hours,
            },
            OrgKind::Department => OrgRecord::Department {
                code: self.code,
                name: self.name,
                region: self.region,
                credit_code: some(self.credit_code),
            },
            OrgKind::Window => OrgRecord::Window {
                code: self.code,
                hall: self.hall,
                department: self.department,
                number: self.number,
                name: self.name,
            },
            OrgKind::Staff => OrgRecord::Staff {
                staff_no: self.code,
                name: self.name,
                department: self.department,
                window: some(self.window),
            },
            OrgKind::ServiceItem => OrgRecord::ServiceItem {
                code: self.code,
                name: self.name,
                department: self.department,
                item_type: ItemType::parse(&self.item_type)
                    .ok_or_else(|| invalid("请选择事项类型"))?,
            },
        };
        Ok((record, mode))
    }
}

/// Saves what the organisation page's form describes.
pub async fn submit_org_record(
    state: &AppState,
    actor: Actor,
    form: OrgForm,
) -> Result<Saved, AdminError> {
    admin_only(actor)?;
    let (record, mode) = form.record()?;
    save_record(state, actor, record, mode).await
}

/// 停用 / 启用 as the list's buttons send it.
pub async fn submit_org_active(
    state: &AppState,
    actor: Actor,
    kind: &str,
    code: &str,
    active: bool,
) -> Result<bool, AdminError> {
    admin_only(actor)?;
    let kind = OrgKind::parse(kind).ok_or_else(|| AdminError::Invalid("请选择类别".into()))?;
    set_record_active(state, actor, kind, code, active).await
}
