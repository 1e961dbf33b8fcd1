//! 系统管理 — deadlines, holiday years, accounts and the organisation, for administrators. Every
//! form works before hydration (plain posts) and without reload after it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub mod devices;
pub mod forward;
pub mod notify;
pub mod systems;

use super::staff::{SignInHint, StaffBar};
use crate::api::admin::{
    AccountView, AdminCreateAccount, AdminPage, AdminSetDeadlines, AdminSetDisclosure,
    AdminSetHolidays, AdminUnlock, DisclosureSettings, admin_new_totp, admin_view,
};

/// The administration page.
#[component]
pub fn Admin() -> impl IntoView {
    let deadlines = ServerAction::<AdminSetDeadlines>::new();
    let disclosure = ServerAction::<AdminSetDisclosure>::new();
    let holidays = ServerAction::<AdminSetHolidays>::new();
    let create = ServerAction::<AdminCreateAccount>::new();
    let unlock = ServerAction::<AdminUnlock>::new();
    let page = Resource::new(
        move || {
            (
                deadlines.version().get(),
                disclosure.version().get(),
                holidays.version().get(),
                create.version().get(),
                unlock.version().get(),
            )
        },
        |_| admin_view(),
    );
    let query = use_query_map();
    let totp_for = move || {
        query
            .read()
            .get("totp_for")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let totp = Resource::new(totp_for, |id| async move {
        match id {
            Some(id) => admin_new_totp(id).await.ok().flatten(),
            None => None,
        }
    });
    let failure = move || {
        [
            deadlines.value().get().and_then(Result::err),
            disclosure.value().get().and_then(Result::err),
            holidays.value().get().and_then(Result::err),
            create.value().get().and_then(Result::err),
            unlock.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    view! {
        <StaffBar />
        <h1>"系统管理"</h1>
        <p class="err" role="alert" id="admin-error">
            {failure}
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                totp.await
                    .map(|t| {
                        view! {
                            <section class="card" id="new-totp">
                                <h2>"新账号的动态验证码"</h2>
                                <p>
                                    "请新账号持有人用身份验证器扫描（仅显示10分钟，查看已记录）："
                                </p>
                                <div class="qr" inner_html=t.qr_svg></div>
                                <p>
                                    <code>{t.uri}</code>
                                </p>
                            </section>
                        }
                    })
            })}
        </Suspense>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        view! { <Sections page deadlines disclosure holidays create unlock /> }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        <systems::Systems />
        <notify::Notify />
        <forward::Forwarding />
    }
}

/// `<option>`s for a choice list, with an empty first choice.
fn options(items: Vec<(i64, String)>, empty: &'static str) -> impl IntoView {
    view! {
        <option value="">{empty}</option>
        {items
            .into_iter()
            .map(|(id, name)| view! { <option value=id>{name}</option> })
            .collect_view()}
    }
}

#[component]
fn Sections(
    page: AdminPage,
    deadlines: ServerAction<AdminSetDeadlines>,
    disclosure: ServerAction<AdminSetDisclosure>,
    holidays: ServerAction<AdminSetHolidays>,
    create: ServerAction<AdminCreateAccount>,
    unlock: ServerAction<AdminUnlock>,
) -> impl IntoView {
    let AdminPage {
        accounts,
        holiday_years,
        deadlines: days,
        disclosure:
            DisclosureSettings {
                basic_counts_as_good: basic_good,
                min_sample,
                staff_by_name,
                alert_days,
                alert_min_rated,
                alert_threshold,
            },
        departments,
        scopes,
        csrf,
    } = page;
    // In the order of `DeadlineSetting::ALL`; each input's id is the setting's name.
    let deadline_fields = [
        ("first_contact", "差评首次联系（工作日）"),
        ("triage", "核实后处置（工作日）"),
        ("fix_now", "立行立改（工作日）"),
        ("rectification", "台账整改（工作日）"),
        ("reply", "整改后答复群众（工作日）"),
        ("complaint_reply", "投诉答复（工作日）"),
        ("complaint_reply_complex", "复杂投诉答复（工作日）"),
        ("appeal_review", "申诉复核（工作日）"),
        ("fix_rating", "群众评价整改（工作日，逾期由监督股办结）"),
        ("redo", "重新办理后处置（工作日）"),
    ]
    .into_iter()
    .zip(days)
    .map(|((name, label), value)| {
        view! {
            <label for=name>{label}</label>
            <input id=name name=name type="number" min="1" max="60" required value=value />
        }
    })
    .collect_view();
    let years = holiday_years
        .into_iter()
        .map(|y| {
            view! {
                <tr>
                    <th scope="row">{y.year}</th>
                    <td>{y.off}</td>
                    <td>{y.worked}</td>
                </tr>
            }
        })
        .collect_view();
    let account_rows = accounts
        .into_iter()
        .map(
            |AccountView {
                 id,
                 username,
                 role_zh: role,
                 department,
                 staff_no,
                 locked_until: locked,
             }| {
                let csrf = csrf.clone();
                let name = username.clone();
                let unlock_form = locked.map(|until| {
                    view! {
                        <ActionForm action=unlock attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="csrf" value=csrf />
                            {format!("锁定至 {until} ")}
                            <button type="submit">{format!("解除锁定 {name}")}</button>
                        </ActionForm>
                    }
                });
                view! {
                    <tr>
                        <th scope="row">{username}</th>
                        <td>{role}</td>
                        <td>{department}</td>
                        <td>{staff_no}</td>
                        <td>{unlock_form}</td>
                    </tr>
                }
            },
        )
        .collect_view();
    let account_departments = options(departments.clone(), "无");
    let account_scopes = scopes
        .into_iter()
        .map(|(value, label)| view! { <option value=value>{label}</option> })
        .collect_view();
    let csrf_deadlines = csrf.clone();
    let csrf_disclosure = csrf.clone();
    let csrf_holidays = csrf.clone();
    let csrf_create = csrf.clone();
    view! {
        <section class="card">
            <h2>"办理时限"</h2>
            <ActionForm action=deadlines attr:class="step" attr:id="deadlines">
                <input type="hidden" name="csrf" value=csrf_deadlines />
                {deadline_fields}
                <button type="submit">"保存办理时限"</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>"公示设置"</h2>
            <ActionForm action=disclosure attr:class="step" attr:id="disclosure">
                <input type="hidden" name="csrf" value=csrf_disclosure />
                <label>
                    <input
                        type="checkbox"
                        name="basic_counts_as_good"
                        value="1"
                        checked=basic_good
                    />
                    " 基本满意计入好评"
                </label>
                <label for="min_sample">
                    "最小样本量（条，不足时显示“样本不足”）"
                </label>
                <input
                    id="min_sample"
                    name="min_sample"
                    type="number"
                    min="1"
                    max="10000"
                    required
                    value=min_sample
                />
                <label>
                    <input type="checkbox" name="staff_by_name" value="1" checked=staff_by_name />
                    " 窗口工作人员公示显示姓名（否则显示工号）"
                </label>
                <label for="alert_days">"满意度预警：统计近几天"</label>
                <input
                    id="alert_days"
                    name="alert_days"
                    type="number"
                    min="1"
                    max="90"
                    required
                    value=alert_days
                />
                <label for="alert_min_rated">"满意度预警：至少几条评价"</label>
                <input
                    id="alert_min_rated"
                    name="alert_min_rated"
                    type="number"
                    min="1"
                    max="10000"
                    required
                    value=alert_min_rated
                />
                <label for="alert_threshold">"满意度预警：满意度低于（%）"</label>
                <input
                    id="alert_threshold"
                    name="alert_threshold"
                    type="number"
                    min="1"
                    max="100"
                    required
                    value=alert_threshold
                />
                <button type="submit">"保存公示设置"</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>"节假日安排"</h2>
            <table class="tickets">
                <thead>
                    <tr>
                        <th scope="col">"年份"</th>
                        <th scope="col">"放假"</th>
                        <th scope="col">"调休上班"</th>
                    </tr>
                </thead>
                <tbody id="holiday-years">{years}</tbody>
            </table>
            <ActionForm action=holidays attr:class="step" attr:id="holidays">
                <input type="hidden" name="csrf" value=csrf_holidays />
                <label for="year">"年份"</label>
                <input id="year" name="year" inputmode="numeric" required />
                <label for="off">
                    "放假日期（逗号分隔，区间写作 2027-02-10..2027-02-17）"
                </label>
                <textarea id="off" name="off" rows="2" required></textarea>
                <label for="worked">"调休上班的周末日期（逗号分隔）"</label>
                <textarea id="worked" name="worked" rows="1"></textarea>
                <button type="submit">"保存节假日安排"</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>"账号"</h2>
            <table class="tickets">
                <thead>
                    <tr>
                        <th scope="col">"用户名"</th>
                        <th scope="col">"角色"</th>
                        <th scope="col">"部门"</th>
                        <th scope="col">"工号"</th>
                        <th scope="col">"状态"</th>
                    </tr>
                </thead>
                <tbody id="accounts">{account_rows}</tbody>
            </table>
            <ActionForm action=create attr:class="step" attr:id="create-account">
                <h3>"新建账号"</h3>
                <input type="hidden" name="csrf" value=csrf_create />
                <label for="new-username">"用户名"</label>
                <input id="new-username" name="username" required autocomplete="off" />
                <label for="new-password">"初始密码（至少10位）"</label>
                <input
                    id="new-password"
                    name="password"
                    type="password"
                    required
                    minlength="10"
                    autocomplete="new-password"
                />
                <label for="new-role">"角色"</label>
                <select id="new-role" name="role" required>
                    <option value="handler">"部门经办人"</option>
                    <option value="window_staff">"窗口工作人员"</option>
                    <option value="supervisor">"监督股"</option>
                    <option value="inspector">"监督查评员"</option>
                    <option value="admin">"系统管理员"</option>
                </select>
                <label for="new-department">"所属部门（经办人、窗口人员）"</label>
                <select id="new-department" name="department">
                    {account_departments}
                </select>
                <label for="new-staff">"工号（窗口人员）"</label>
                <input id="new-staff" name="staff_no" />
                <label for="new-scope">
                    "管辖范围（监督股、监督查评员、系统管理员）"
                </label>
                <select id="new-scope" name="scope">
                    {account_scopes}
                </select>
                <button type="submit">"新建账号"</button>
            </ActionForm>
        </section>
    }
}
