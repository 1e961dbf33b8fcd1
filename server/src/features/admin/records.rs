//! 机构维护 — the organisation's records as an administrator, an import file or the shell writes
//! them: each keyed by its own code (行政区划代码, 大厅编码, 部门编码, 窗口编码, 工号, 实施编码) and
//! pointing at others by theirs, so that a form, a spreadsheet row and a command say the same thing.
//! Saving is one use case for all three: check, resolve the codes, then insert or update with the
//! audit-log entry (before and after) in the same transaction. Nothing is ever deleted:
//! deactivating keeps past ratings attributed and counted.

use domain::access::Actor;
use domain::org::{CreditCode, HallKind, ItemType, RegionCode, Scope};
use serde::Serialize;
use sqlx::Row;

use super::{AdminError, field, invalid};
use crate::platform::{
    auth::{Audit, audit},
    db::now_ms,
    scope::{departments_sql, halls_sql, regions_sql, windows_sql},
};

/// Who changes the organisation: the account (`None` for the shell) and the scope they may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Editor {
    pub account: Option<i64>,
    pub scope: Scope,
}

impl Editor {
    /// The shell: audited without an account, everything in reach.
    pub const SHELL: Editor = Editor {
        account: None,
        scope: Scope::All,
    };

    /// A signed-in administrator, within their scope.
    pub fn of(actor: Actor) -> Editor {
        Editor {
            account: Some(actor.account_id),
            scope: actor.scope,
        }
    }
}

/// A record of the organisation, by codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrgRecord {
    Region {
        code: String,
        name: String,
        parent: Option<String>,
    },
    Hall {
        code: String,
        name: String,
        hall_kind: HallKind,
        region: String,
        address: String,
        hours: String,
    },
    Department {
        code: String,
        name: String,
        region: String,
        credit_code: Option<String>,
    },
    Window {
        code: String,
        hall: String,
        department: String,
        number: String,
        name: String,
    },
    Staff {
        staff_no: String,
        name: String,
        department: String,
        window: Option<String>,
    },
    ServiceItem {
        code: String,
        name: String,
        department: String,
        item_type: ItemType,
    },
}

/// The kinds of record, as forms, links and commands name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Region,
    Hall,
    Department,
    Window,
    Staff,
    ServiceItem,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Region,
        OrgKind::Hall,
        OrgKind::Department,
        OrgKind::Window,
        OrgKind::Staff,
        OrgKind::ServiceItem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Region => "region",
            OrgKind::Hall => "hall",
            OrgKind::Department => "department",
            OrgKind::Window => "window",
            OrgKind::Staff => "staff",
            OrgKind::ServiceItem => "service_item",
        }
    }

    pub fn parse(name: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Region => "行政区划",
            OrgKind::Hall => "大厅",
            OrgKind::Department => "部门",
            OrgKind::Window => "窗口",
            OrgKind::Staff => "工作人员",
            OrgKind::ServiceItem => "事项",
        }
    }

    /// The table, which is also the audit log's entity name.
    fn table(self) -> &'static str {
        match self {
            OrgKind::Region => "region",
            OrgKind::Hall => "hall",
            OrgKind::Department => "department",
            OrgKind::Window => "service_window",
            OrgKind::Staff => "staff",
            OrgKind::ServiceItem => "service_item",
        }
    }

    /// The column holding the record's own code.
    fn code_column(self) -> &'static str {
        match self {
            OrgKind::Staff => "staff_no",
            _ => "code",
        }
    }

    /// Regions are never deactivated: a region is where things are, not something that serves.
    pub fn can_deactivate(self) -> bool {
        self != OrgKind::Region
    }
}

/// Whether saving may create, update, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// A new record: its code must be free.
    New,
    /// An existing record: its code must exist.
    Edit,
    /// Either (an import row: idempotent on the code).
    Upsert,
}

/// What saving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

/// An optional text field: trimmed, at most `max` characters.
fn optional(label: &str, value: &str, max: usize) -> Result<String, AdminError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(invalid(format!("{label}不能超过{max}个字")));
    }
    Ok(value.to_owned())
}

/// A code of our own (部门编码, 大厅编码, 窗口编码, 工号): letters, digits, `-` and `_`.
fn own_code(label: &str, value: &str) -> Result<String, AdminError> {
    let value = field(label, value, 32)?.to_owned();
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(format!("{label}只能包含字母、数字、- 和 _")));
    }
    Ok(value)
}

fn reference(label: &str, value: &str) -> Result<String, AdminError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(format!("请选择{label}")));
    }
    Ok(value.to_owned())
}

impl OrgRecord {
    pub fn kind(&self) -> OrgKind {
        match self {
            OrgRecord::Region { .. } => OrgKind::Region,
            OrgRecord::Hall { .. } => OrgKind::Hall,
            OrgRecord::Department { .. } => OrgKind::Department,
            OrgRecord::Window { .. } => OrgKind::Window,
            OrgRecord::Staff { .. } => OrgKind::Staff,
            OrgRecord::ServiceItem { .. } => OrgKind::ServiceItem,
        }
    }

    /// The record's own code.
    pub fn code(&self) -> &str {
        match self {
            OrgRecord::Region { code, .. }
            | OrgRecord::Hall { code, .. }
            | OrgRecord::Department { code, .. }
            | OrgRecord::Window { code, .. }
            | OrgRecord::ServiceItem { code, .. } => code,
            OrgRecord::Staff { staff_no, .. } => staff_no,
        }
    }

    /// The record's fields by the organisation form's field names (`code` is the record's own
    /// code, whatever it is called), absent ones empty.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut fields = vec![("code", self.code().to_owned())];
        match self {
            OrgRecord::Region { name, parent, .. } => {
                fields.extend([("name", name.clone()), ("parent", opt(parent))]);
            }
            OrgRecord::Hall {
                name,
                hall_kind,
                region,
                address,
                hours,
                ..
            } => fields.extend([
                ("name", name.clone()),
                ("hall_kind", hall_kind.as_str().to_owned()),
                ("region", region.clone()),
                ("address", address.clone()),
                ("hours", hours.clone()),
            ]),
            OrgRecord::Department {
                name,
                region,
                credit_code,
                ..
            } => fields.extend([
                ("name", name.clone()),
                ("region", region.clone()),
                ("credit_code", opt(credit_code)),
            ]),
            OrgRecord::Window {
                hall,
                department,
                number,
                name,
                ..
            } => fields.extend([
                ("hall", hall.clone()),
                ("department", department.clone()),
                ("number", number.clone()),
                ("name", name.clone()),
            ]),
            OrgRecord::Staff {
                name,
                department,
                window,
                ..
            } => fields.extend([
                ("name", name.clone()),
                ("department", department.clone()),
                ("window", opt(window)),
            ]),
            OrgRecord::ServiceItem {
                name,
                department,
                item_type,
                ..
            } => fields.extend([
                ("name", name.clone()),
                ("department", department.clone()),
                ("item_type", item_type.as_str().to_owned()),
            ]),
        }
        fields
    }

    /// The same record with every field trimmed and checked; the refusal names the field.
    pub fn checked(self) -> Result<OrgRecord, AdminError> {
        Ok(match self {
            OrgRecord::Region { code, name, parent } => {
                let code = RegionCode::parse(&code).map_err(|e| invalid(e.message_zh()))?;
                let parent = parent
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty());
                if let Some(parent) = &parent {
                    let parent = RegionCode::parse(parent).map_err(|e| invalid(e.message_zh()))?;
                    code.check_parent(Some(&parent))
                        .map_err(|e| invalid(e.message_zh()))?;
                }
                OrgRecord::Region {
                    code: code.as_str().to_owned(),
                    name: field("区划名称", &name, 64)?.to_owned(),
                    parent,
                }
            }
            OrgRecord::Hall {
                code,
                name,
                hall_kind,
                region,
                address,
                hours,
            } => OrgRecord::Hall {
                code: own_code("大厅编码", &code)?,
                name: field("大厅名称", &name, 64)?.to_owned(),
                hall_kind,
                region: reference("所在区划", &region)?,
                address: optional("地址", &address, 128)?,
                hours: optional("办公时间", &hours, 128)?,
            },
            OrgRecord::Department {
                code,
                name,
                region,
                credit_code,
            } => OrgRecord::Department {
                code: own_code("部门编码", &code)?,
                name: field("部门名称", &name, 64)?.to_owned(),
                region: reference("所属区划", &region)?,
                credit_code: match credit_code.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(raw) => Some(
                        CreditCode::parse(raw)
                            .map_err(|e| invalid(e.message_zh()))?
                            .as_str()
                            .to_owned(),
                    ),
                },
            },
            OrgRecord::Window {
                code,
                hall,
                department,
                number,
                name,
            } => {
                let hall = reference("所在大厅", &hall)?;
                let number = own_code("窗口号", &number)?;
                // A new window's code is its hall's code and its number, unless one is given.
                let code = if code.trim().is_empty() {
                    format!("{hall}-{number}")
                } else {
                    own_code("窗口编码", &code)?
                };
                OrgRecord::Window {
                    code,
                    hall,
                    department: reference("所属部门", &department)?,
                    number,
                    name: field("窗口名称", &name, 64)?.to_owned(),
                }
            }
            OrgRecord::Staff {
                staff_no,
                name,
                department,
                window,
            } => OrgRecord::Staff {
                staff_no: own_code("工号", &staff_no)?,
                name: field("姓名", &name, 32)?.to_owned(),
                department: reference("所属部门", &department)?,
                window: window
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty()),
            },
            OrgRecord::ServiceItem {
                code,
                name,
                department,
                item_type,
            } => OrgRecord::ServiceItem {
                code: domain::ServiceItemCode::parse(&code)
                    .map_err(|_| invalid("事项实施编码应为1至24位字母或数字"))?
                    .as_str()
                    .to_owned(),
                name: field("事项名称", &name, 128)?.to_owned(),
                department: reference("实施部门", &department)?,
                item_type,
            },
        })
    }
}

type Tx<'c> = crate::platform::db::Tx<'c>;

/// The id of the row of `table` with `code`, or the refusal naming `label`.
async fn id_of(tx: &mut Tx<'_>, kind: OrgKind, code: &str, label: &str) -> Result<i64, AdminError> {
    let sql = format!(
        "SELECT id FROM {} WHERE {} = $1",
        kind.table(),
        kind.code_column()
    );
    let id: Option<i64> = sqlx::query_scalar(&sql)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    id.ok_or_else(|| invalid(format!("{label}“{code}”不存在")))
}

/// The stored record of `kind` with `code`, by codes, with its id.
pub(super) async fn load(
    tx: &mut Tx<'_>,
    kind: OrgKind,
    code: &str,
) -> Result<Option<(i64, OrgRecord)>, AdminError> {
    let sql = match kind {
        OrgKind::Region => {
            "SELECT r.id, r.code, r.name, p.code AS parent FROM region r \
             LEFT JOIN region p ON p.id = r.parent_id WHERE r.code = $1"
        }
        OrgKind::Hall => {
            "SELECT h.id, h.code, h.name, h.kind, r.code AS region, h.address, h.hours FROM hall h \
             JOIN region r ON r.id = h.region_id WHERE h.code = $1"
        }
        OrgKind::Department => {
            "SELECT d.id, d.code, d.name, r.code AS region, d.credit_code FROM department d \
             JOIN region r ON r.id = d.region_id WHERE d.code = $1"
        }
        OrgKind::Window => {
            "SELECT w.id, w.code, h.code AS hall, d.code AS department, w.number, w.name \
             FROM service_window w JOIN hall h ON h.id = w.hall_id \
             JOIN department d ON d.id = w.department_id WHERE w.code = $1"
        }
        OrgKind::Staff => {
            "SELECT s.id, s.staff_no, s.name, d.code AS department, w.code AS window FROM staff s \
             JOIN department d ON d.id = s.department_id \
             LEFT JOIN service_window w ON w.id = s.window_id WHERE s.staff_no = $1"
        }
        OrgKind::ServiceItem => {
            "SELECT i.id, i.code, i.name, d.code AS department, i.item_type FROM service_item i \
             JOIN department d ON d.id = i.department_id WHERE i.code = $1"
        }
    };
    let Some(row) = sqlx::query(sql)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let get = |column: &str| -> Result<String, sqlx::Error> { row.try_get(column) };
    let record = match kind {
        OrgKind::Region => OrgRecord::Region {
            code: get("code")?,
            name: get("name")?,
            parent: row.try_get("parent")?,
        },
        OrgKind::Hall => OrgRecord::Hall {
            code: get("code")?,
            name: get("name")?,
            hall_kind: row.try_get("kind")?,
            region: get("region")?,
            address: get("address")?,
            hours: get("hours")?,
        },
        OrgKind::Department => OrgRecord::Department {
            code: get("code")?,
            name: get("name")?,
            region: get("region")?,
            credit_code: row.try_get("credit_code")?,
        },
        OrgKind::Window => OrgRecord::Window {
            code: get("code")?,
            hall: get("hall")?,
            department: get("department")?,
            number: get("number")?,
            name: get("name")?,
        },
        OrgKind::Staff => OrgRecord::Staff {
            staff_no: get("staff_no")?,
            name: get("name")?,
            department: get("department")?,
            window: row.try_get("window")?,
        },
        OrgKind::ServiceItem => OrgRecord::ServiceItem {
            code: get("code")?,
            name: get("name")?,
            department: get("department")?,
            item_type: row.try_get("item_type")?,
        },
    };
    Ok(Some((row.try_get("id")?, record)))
}

/// Whether `ids` (a scope's SQL, `None` for everything) holds the row of `kind` with `code`.
/// `None`: no such row (saving then names the missing reference).
async fn holds(
    tx: &mut Tx<'_>,
    ids: Option<String>,
    kind: OrgKind,
    code: &str,
) -> Result<Option<bool>, AdminError> {
    let Some(ids) = ids else {
        return Ok(Some(true));
    };
    let sql = format!(
        "SELECT id IN ({ids}) FROM {} WHERE {} = $1",
        kind.table(),
        kind.code_column()
    );
    Ok(sqlx::query_scalar::<_, domain::sql::Flag>(&sql)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
        .map(bool::from))
}

/// Refuses a record that lies outside `scope`: a region under the scope's regions, a hall or
/// department in them, a window in the scope's halls, staff and items of its departments. An
/// administrator of one hall keeps that hall, its windows, and the staff and items of the
/// departments serving there.
async fn check_scope(tx: &mut Tx<'_>, scope: Scope, record: &OrgRecord) -> Result<(), AdminError> {
    if scope == Scope::All {
        return Ok(());
    }
    let outside = |what: &str| invalid(format!("{what}不在您的管辖范围内"));
    let inside = |held: Option<bool>| held != Some(false);
    match record {
        OrgRecord::Region { parent, .. } => {
            let parent = parent.as_deref().ok_or_else(|| outside("顶级区划"))?;
            if !inside(holds(tx, regions_sql(scope), OrgKind::Region, parent).await?) {
                return Err(outside("上级区划"));
            }
        }
        OrgRecord::Hall { code, region, .. } => {
            let held = match scope {
                Scope::Hall(_) => holds(tx, halls_sql(scope), OrgKind::Hall, code)
                    .await?
                    .unwrap_or(false),
                _ => inside(holds(tx, regions_sql(scope), OrgKind::Region, region).await?),
            };
            if !held {
                return Err(outside("大厅"));
            }
        }
        OrgRecord::Department { region, .. } => {
            if !inside(holds(tx, regions_sql(scope), OrgKind::Region, region).await?) {
                return Err(outside("所属区划"));
            }
        }
        OrgRecord::Window {
            hall, department, ..
        } => {
            if !inside(holds(tx, halls_sql(scope), OrgKind::Hall, hall).await?) {
                return Err(outside("大厅"));
            }
            let departments = match scope {
                // A hall's administrator opens windows for any department.
                Scope::Hall(_) => None,
                _ => departments_sql(scope),
            };
            if !inside(holds(tx, departments, OrgKind::Department, department).await?) {
                return Err(outside("部门"));
            }
        }
        OrgRecord::Staff {
            department, window, ..
        } => {
            if !inside(holds(tx, departments_sql(scope), OrgKind::Department, department).await?) {
                return Err(outside("部门"));
            }
            if let Some(window) = window
                && !inside(holds(tx, windows_sql(scope), OrgKind::Window, window).await?)
            {
                return Err(outside("窗口"));
            }
        }
        OrgRecord::ServiceItem { department, .. } => {
            if !inside(holds(tx, departments_sql(scope), OrgKind::Department, department).await?) {
                return Err(outside("实施部门"));
            }
        }
    }
    Ok(())
}

fn json(record: &OrgRecord) -> Result<serde_json::Value, AdminError> {
    serde_json::to_value(record).map_err(|e| AdminError::Store(sqlx::Error::Encode(e.into())))
}

/// Saves a checked record in `tx`, with its audit-log entry, if it lies in `by`'s scope.
pub(super) async fn save(
    tx: &mut Tx<'_>,
    by: Editor,
    record: &OrgRecord,
    mode: SaveMode,
) -> Result<Saved, AdminError> {
    let kind = record.kind();
    let existing = load(tx, kind, record.code()).await?;
    // Both what it becomes and what it was must lie in the editor's scope.
    check_scope(tx, by.scope, record).await?;
    if let Some((_, stored)) = &existing {
        check_scope(tx, by.scope, stored).await?;
    }
    match (&existing, mode) {
        (Some(_), SaveMode::New) => {
            return Err(invalid(format!(
                "{}编码“{}”已存在",
                kind.label_zh(),
                record.code()
            )));
        }
        (None, SaveMode::Edit) => {
            return Err(invalid(format!(
                "{}“{}”不存在",
                kind.label_zh(),
                record.code()
            )));
        }
        (Some((id, stored)), _) if stored == record => return Ok(Saved::Unchanged(*id)),
        _ => {}
    }
    let id = existing.as_ref().map(|(id, _)| *id);
    let id = write(tx, record, id).await?;
    let action = if existing.is_some() {
        format!("update_{}", kind.as_str())
    } else {
        format!("create_{}", kind.as_str())
    };
    let before = existing.as_ref().map(|(_, r)| json(r)).transpose()?;
    let entry =
        Audit::new(by.account, &action, (kind.table(), id)).change(before, Some(json(record)?));
    audit(tx, entry).await?;
    Ok(if existing.is_some() {
        Saved::Updated(id)
    } else {
        Saved::Created(id)
    })
}

/// Inserts (`id` None) or updates the row; the references are resolved here.
async fn write(tx: &mut Tx<'_>, record: &OrgRecord, id: Option<i64>) -> Result<i64, AdminError> {
    let query = match record {
        OrgRecord::Region { code, name, parent } => {
            let parent = match parent {
                Some(p) => Some(id_of(tx, OrgKind::Region, p, "上级区划").await?),
                None => None,
            };
            match id {
                None => sqlx::query(
                    "INSERT INTO region (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(code),
                Some(id) => sqlx::query(
                    "UPDATE region SET name = $2, parent_id = $3 WHERE id = $1 RETURNING id",
                )
                .bind(id),
            }
            .bind(name)
            .bind(parent)
        }
        OrgRecord::Hall {
            code,
            name,
            hall_kind,
            region,
            address,
            hours,
        } => {
            let region = id_of(tx, OrgKind::Region, region, "所在区划").await?;
            match id {
                None => sqlx::query(
                    "INSERT INTO hall (code, name, kind, region_id, address, hours) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(code),
                Some(id) => sqlx::query(
                    "UPDATE hall SET name = $2, kind = $3, region_id = $4, address = $5, hours = $6 \
                     WHERE id = $1 RETURNING id",
                )
                .bind(id),
            }
            .bind(name)
            .bind(*hall_kind)
            .bind(region)
            .bind(address)
            .bind(hours)
        }
        OrgRecord::Department {
            code,
            name,
            region,
            credit_code,
        } => {
            let region = id_of(tx, OrgKind::Region, region, "所属区划").await?;
            if let Some(credit) = credit_code {
                let holder: Option<String> = sqlx::query_scalar(
                    "SELECT code FROM department WHERE credit_code = $1 AND code <> $2",
                )
                .bind(credit)
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(holder) = holder {
                    return Err(invalid(format!("统一社会信用代码已用于部门“{holder}”")));
                }
            }
            match id {
                None => sqlx::query(
                    "INSERT INTO department (code, name, region_id, credit_code) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(code),
                Some(id) => sqlx::query(
                    "UPDATE department SET name = $2, region_id = $3, credit_code = $4 \
                     WHERE id = $1 RETURNING id",
                )
                .bind(id),
            }
            .bind(name)
            .bind(region)
            .bind(credit_code)
        }
        OrgRecord::Window {
            code,
            hall,
            department,
            number,
            name,
        } => {
            let hall = id_of(tx, OrgKind::Hall, hall, "大厅").await?;
            let department = id_of(tx, OrgKind::Department, department, "部门").await?;
            match id {
                None => sqlx::query(
                    "INSERT INTO service_window (code, hall_id, department_id, number, name, ecode) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(code)
                .bind(hall)
                .bind(department)
                .bind(number)
                .bind(name)
                // The e码 is random: a sequential one would let a script rate every window.
                .bind(crate::platform::crypto::random_hex(12)),
                Some(id) => sqlx::query(
                    "UPDATE service_window SET hall_id = $1, department_id = $2, number = $3, name = $4 \
                     WHERE id = $5 RETURNING id",
                )
                .bind(hall)
                .bind(department)
                .bind(number)
                .bind(name)
                .bind(id),
            }
        }
        OrgRecord::Staff {
            staff_no,
            name,
            department,
            window,
        } => {
            let department = id_of(tx, OrgKind::Department, department, "部门").await?;
            let window = match window {
                Some(w) => Some(id_of(tx, OrgKind::Window, w, "窗口").await?),
                None => None,
            };
            match id {
                None => sqlx::query(
                    "INSERT INTO staff (staff_no, name, department_id, window_id) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(staff_no),
                Some(id) => sqlx::query(
                    "UPDATE staff SET name = $2, department_id = $3, window_id = $4 \
                     WHERE id = $1 RETURNING id",
                )
                .bind(id),
            }
            .bind(name)
            .bind(department)
            .bind(window)
        }
        OrgRecord::ServiceItem {
            code,
            name,
            department,
            item_type,
        } => {
            let department = id_of(tx, OrgKind::Department, department, "实施部门").await?;
            match id {
                None => sqlx::query(
                    "INSERT INTO service_item (code, name, department_id, item_type) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(code),
                Some(id) => sqlx::query(
                    "UPDATE service_item SET name = $2, department_id = $3, item_type = $4 \
                     WHERE id = $1 RETURNING id",
                )
                .bind(id),
            }
            .bind(name)
            .bind(department)
            .bind(*item_type)
        }
    };
    let row = query.fetch_one(&mut **tx).await?;
    Ok(row.try_get(0)?)
}

/// Deactivates (`active` false) or reactivates the record of `kind` with `code`, audited.
/// `Ok(false)`: it already was.
pub(super) async fn set_active(
    tx: &mut Tx<'_>,
    by: Editor,
    kind: OrgKind,
    code: &str,
    active: bool,
) -> Result<bool, AdminError> {
    if !kind.can_deactivate() {
        return Err(invalid("行政区划不能停用"));
    }
    if let Some((_, stored)) = load(tx, kind, code).await? {
        check_scope(tx, by.scope, &stored).await?;
    }
    let sql = format!(
        "UPDATE {} SET deactivated_at = $1 WHERE {} = $2 AND (deactivated_at IS NULL) = $3 RETURNING id",
        kind.table(),
        kind.code_column()
    );
    let id: Option<i64> = sqlx::query_scalar(&sql)
        .bind((!active).then(now_ms))
        .bind(code)
        .bind(!active)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(id) = id else {
        id_of(tx, kind, code, kind.label_zh()).await?;
        return Ok(false);
    };
    let action = if active { "reactivate" } else { "deactivate" };
    let state = |active: bool| Some(serde_json::json!({ "code": code, "active": active }));
    let action = format!("{action}_{}", kind.as_str());
    let entry =
        Audit::new(by.account, &action, (kind.table(), id)).change(state(!active), state(active));
    audit(tx, entry).await?;
    Ok(true)
}

impl crate::platform::db::Store {
    /// Checks and saves one record with its audit-log entry.
    pub async fn save_org_record(
        &self,
        by: Editor,
        record: OrgRecord,
        mode: SaveMode,
    ) -> Result<Saved, AdminError> {
        let record = record.checked()?;
        let mut tx = self.pool.begin().await?;
        let saved = save(&mut tx, by, &record, mode).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Deactivates or reactivates a record, audited. `Ok(false)`: it already was.
    pub async fn set_org_active(
        &self,
        by: Editor,
        kind: OrgKind,
        code: &str,
        active: bool,
    ) -> Result<bool, AdminError> {
        let mut tx = self.pool.begin().await?;
        let changed = set_active(&mut tx, by, kind, code.trim(), active).await?;
        tx.commit().await?;
        Ok(changed)
    }
}
