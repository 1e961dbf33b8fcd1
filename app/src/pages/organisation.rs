//! 机构管理 — regions, halls, departments, windows, staff and service items, for administrators:
//! lists with 修改 and 停用/启用, one form per kind (new, or the record chosen with `?edit=kind:code`),
//! and the bulk import of the 实施清单 and the staff roster. Every form works before hydration
//! (plain posts) and without reload after it.

use domain::org::{HallKind, ItemType};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::staff::{SignInHint, StaffBar};
use crate::api::organisation::{
    OrgLineView, OrgSave, OrgSetActive, OrganisationLists, organisation_view,
};

/// How a form field is entered.
#[derive(Clone, Copy)]
enum Input {
    Text {
        required: bool,
    },
    /// A fixed list: (value, label).
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// Another kind's records, by code; `required` or with an empty first choice.
    Pick {
        kind: &'static str,
        required: bool,
    },
}

/// (value, label) of each hall kind and 事项类型, as `domain::org` names them.
fn hall_kinds() -> Vec<(&'static str, &'static str)> {
    HallKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label_zh()))
        .collect()
}

fn item_types() -> Vec<(&'static str, &'static str)> {
    ItemType::ALL
        .iter()
        .map(|t| (t.as_str(), t.label_zh()))
        .collect()
}

const TEXT: Input = Input::Text { required: true };
const OPTIONAL: Input = Input::Text { required: false };

/// A kind of record: its name, title, and form fields (name, label, input).
struct Kind {
    kind: &'static str,
    title: &'static str,
    fields: &'static [(&'static str, &'static str, Input)],
}

const KINDS: [Kind; 6] = [
    Kind {
        kind: "region",
        title: "行政区划",
        fields: &[
            ("code", "行政区划代码（省市县6位，乡镇9位）", TEXT),
            ("name", "名称", TEXT),
            (
                "parent",
                "上级区划",
                Input::Pick {
                    kind: "region",
                    required: false,
                },
            ),
        ],
    },
    Kind {
        kind: "hall",
        title: "大厅",
        fields: &[
            ("code", "大厅编码", TEXT),
            ("name", "名称", TEXT),
            ("hall_kind", "类型", Input::Choice(hall_kinds)),
            (
                "region",
                "所在区划",
                Input::Pick {
                    kind: "region",
                    required: true,
                },
            ),
            ("address", "地址", OPTIONAL),
            ("hours", "办公时间", OPTIONAL),
        ],
    },
    Kind {
        kind: "department",
        title: "部门",
        fields: &[
            ("code", "部门编码", TEXT),
            ("name", "名称", TEXT),
            (
                "region",
                "所属区划",
                Input::Pick {
                    kind: "region",
                    required: true,
                },
            ),
            ("credit_code", "统一社会信用代码（18位，可不填）", OPTIONAL),
        ],
    },
    Kind {
        kind: "window",
        title: "窗口",
        fields: &[
            (
                "hall",
                "所在大厅",
                Input::Pick {
                    kind: "hall",
                    required: true,
                },
            ),
            ("number", "窗口号", TEXT),
            ("name", "名称", TEXT),
            (
                "department",
                "所属部门",
                Input::Pick {
                    kind: "department",
                    required: true,
                },
            ),
        ],
    },
    Kind {
        kind: "staff",
        title: "工作人员",
        fields: &[
            ("code", "工号", TEXT),
            ("name", "姓名", TEXT),
            (
                "department",
                "所属部门",
                Input::Pick {
                    kind: "department",
                    required: true,
                },
            ),
            (
                "window",
                "所在窗口（可不选）",
                Input::Pick {
                    kind: "window",
                    required: false,
                },
            ),
        ],
    },
    Kind {
        kind: "service_item",
        title: "事项",
        fields: &[
            ("code", "实施编码", TEXT),
            ("name", "事项名称", TEXT),
            (
                "department",
                "实施部门",
                Input::Pick {
                    kind: "department",
                    required: true,
                },
            ),
            ("item_type", "事项类型", Input::Choice(item_types)),
        ],
    },
];

/// The organisation page.
#[component]
pub fn Organisation() -> impl IntoView {
    let save = ServerAction::<OrgSave>::new();
    let active = ServerAction::<OrgSetActive>::new();
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let page = Resource::new(
        move || (search(), save.version().get(), active.version().get()),
        |(q, _, _)| organisation_view(q),
    );
    let failure = move || {
        [
            save.value().get().and_then(Result::err),
            active.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    let editing = move || query.read().get("edit");
    view! {
        <StaffBar />
        <h1>"机构管理"</h1>
        <p class="err" role="alert" id="org-error">
            {failure}
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let editing = editing();
                        view! { <Sections page editing save active /> }.into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

impl OrganisationLists {
    fn lines(&self, kind: &str) -> &[OrgLineView] {
        match kind {
            "region" => &self.regions,
            "hall" => &self.halls,
            "department" => &self.departments,
            "window" => &self.windows,
            "staff" => &self.staff,
            _ => &self.items,
        }
    }
}

#[component]
fn Sections(
    page: OrganisationLists,
    editing: Option<String>,
    save: ServerAction<OrgSave>,
    active: ServerAction<OrgSetActive>,
) -> impl IntoView {
    let editing = editing.and_then(|e| {
        let (kind, code) = e.split_once(':')?;
        page.lines(kind)
            .iter()
            .find(|l| l.code == code)
            .cloned()
            .map(|line| (kind.to_owned(), line))
    });
    let sections = KINDS
        .iter()
        .map(|k| {
            let edit = editing
                .as_ref()
                .filter(|(kind, _)| kind == k.kind)
                .map(|(_, line)| line.clone());
            let list = list(&page, k, active);
            let form = form(&page, k, edit, save);
            let search = (k.kind == "service_item").then(|| {
                let note = format!(
                    "共 {} 项符合；最多列出 {} 项，可按编码或名称查找。",
                    page.items_matching, page.items_listed,
                );
                view! {
                    <form method="get" action="/staff/organisation" class="inline">
                        <label for="item-search">"查找事项"</label>
                        <input id="item-search" name="q" type="search" />
                        <button type="submit">"查找"</button>
                    </form>
                    <p id="items-matching">{note}</p>
                }
            });
            view! {
                <section class="card" id=format!("section-{}", k.kind)>
                    <h2>{k.title}</h2>
                    {search}
                    {list}
                    {form}
                </section>
            }
        })
        .collect_view();
    let csrf = page.csrf.clone();
    view! {
        {sections}
        <section class="card" id="import">
            <h2>"批量导入"</h2>
            <p>
                "事项实施清单（实施编码、事项名称、部门编码、事项类型）或工作人员名册（工号、姓名、部门编码、窗口编码），XLSX 或 CSV。按编码更新已有记录，重复导入不会重复创建；任何一行有误则整个文件不写入。先“检查”可预览每一行的问题。"
            </p>
            <p>
                "模板："
                <a href="/staff/organisation/template/items.xlsx" rel="external" download>
                    "事项 XLSX"
                </a> " · "
                <a href="/staff/organisation/template/items.csv" rel="external" download>
                    "事项 CSV"
                </a> " · "
                <a href="/staff/organisation/template/staff.xlsx" rel="external" download>
                    "人员 XLSX"
                </a> " · "
                <a href="/staff/organisation/template/staff.csv" rel="external" download>
                    "人员 CSV"
                </a>
            </p>
            <form
                method="post"
                action="/staff/organisation/import"
                enctype="multipart/form-data"
                class="step"
                id="import-form"
            >
                <input type="hidden" name="csrf" value=csrf />
                <label for="import-kind">"导入内容"</label>
                <select id="import-kind" name="kind" required>
                    <option value="items">"事项实施清单"</option>
                    <option value="staff">"工作人员名册"</option>
                </select>
                <label for="import-file">"文件（XLSX 或 CSV）"</label>
                <input id="import-file" name="file" type="file" accept=".xlsx,.csv" required />
                <button type="submit" name="mode" value="check">
                    "检查（不写入）"
                </button>
                <button type="submit" name="mode" value="import">
                    "导入"
                </button>
            </form>
        </section>
    }
}

/// The list of a kind's records, with 修改 and 停用/启用.
fn list(
    page: &OrganisationLists,
    k: &'static Kind,
    active: ServerAction<OrgSetActive>,
) -> impl IntoView + use<> {
    let csrf = page.csrf.clone();
    let rows = page
        .lines(k.kind)
        .iter()
        .map(|l| {
            let edit = format!("/staff/organisation?edit={}:{}", l.kind, l.code);
            let name = format!("{}{}", "　".repeat(l.depth), l.name);
            let state = if l.active { "在用" } else { "已停用" };
            let toggle = (l.kind != "region").then(|| {
                let (value, label) = if l.active {
                    ("0", "停用")
                } else {
                    ("1", "启用")
                };
                let (kind, code, csrf) = (l.kind.clone(), l.code.clone(), csrf.clone());
                let button = format!("{label} {}", l.code);
                view! {
                    <ActionForm action=active attr:class="inline">
                        <input type="hidden" name="kind" value=kind />
                        <input type="hidden" name="code" value=code />
                        <input type="hidden" name="active" value=value />
                        <input type="hidden" name="csrf" value=csrf />
                        <button type="submit">{button}</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <th scope="row">{l.code.clone()}</th>
                    <td>{name}</td>
                    <td>{l.detail.clone()}</td>
                    <td>{state}</td>
                    <td>
                        <a href=edit>{format!("修改 {}", l.code)}</a>
                        {toggle}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="tickets" id=format!("list-{}", k.kind)>
            <thead>
                <tr>
                    <th scope="col">"编码"</th>
                    <th scope="col">"名称"</th>
                    <th scope="col">"说明"</th>
                    <th scope="col">"状态"</th>
                    <th scope="col">"操作"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// A kind's form: new, or filled with the record being edited (its code then fixed).
fn form(
    page: &OrganisationLists,
    k: &'static Kind,
    edit: Option<OrgLineView>,
    save: ServerAction<OrgSave>,
) -> impl IntoView + use<> {
    let kind = k.kind;
    let id = move |field: &str| format!("{kind}-{field}");
    let value = |field: &str| -> String {
        let Some(line) = &edit else {
            return String::new();
        };
        if field == "code" {
            return line.code.clone();
        }
        line.field(field).unwrap_or_default().to_owned()
    };
    let fields = k
        .fields
        .iter()
        .map(|&(field, label, input)| {
            let current = value(field);
            let control = match input {
                Input::Text { required } => {
                    let fixed = field == "code" && edit.is_some();
                    view! { <input id=id(field) name=field required=required readonly=fixed value=current /> }
                    .into_any()
                }
                Input::Choice(choices) => {
                    let options = choices()
                        .into_iter()
                        .map(|(v, l)| {
                            let chosen = v == current;
                            view! {
                                <option value=v selected=chosen>
                                    {l}
                                </option>
                            }
                        })
                        .collect_view();
                    view! {
                        <select id=id(field) name=field required>
                            {options}
                        </select>
                    }
                    .into_any()
                }
                Input::Pick { kind: of, required } => {
                    let options = page
                        .lines(of)
                        .iter()
                        .filter(|l| l.active || l.code == current)
                        .map(|l| {
                            let chosen = l.code == current;
                            let label = format!("{} {}", l.code, l.name);
                            view! {
                                <option value=l.code.clone() selected=chosen>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view();
                    let empty = if required { "请选择" } else { "无" };
                    view! {
                        <select id=id(field) name=field required=required>
                            <option value="">{empty}</option>
                            {options}
                        </select>
                    }
                    .into_any()
                }
            };
            view! {
                <label for=id(field)>{label}</label>
                {control}
            }
        })
        .collect_view();
    let (mode, verb) = if edit.is_some() {
        ("edit", "保存")
    } else {
        ("new", "添加")
    };
    // A window's own code is fixed once made; a new one takes its hall's code and its number.
    let window_code = (kind == "window").then(|| {
        view! { <input type="hidden" name="code" value=value("code") /> }
    });
    let heading = match &edit {
        Some(line) => format!("修改{} {}", k.title, line.code),
        None => format!("添加{}", k.title),
    };
    let csrf = page.csrf.clone();
    let button = format!("{verb}{}", k.title);
    view! {
        <ActionForm action=save attr:class="step" attr:id=format!("form-{kind}")>
            <h3>{heading}</h3>
            <input type="hidden" name="kind" value=kind />
            <input type="hidden" name="mode" value=mode />
            <input type="hidden" name="csrf" value=csrf />
            {window_code}
            {fields}
            <button type="submit">{button}</button>
        </ActionForm>
    }
}
