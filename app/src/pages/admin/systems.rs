//! 业务系统 — the business systems that register occurrences: their grants and keys, and the forms
//! that register one, rotate its key and revoke a key. A new key is shown once (`#new-key`), after
//! the redirect its server function sends; every form works before hydration and after it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::admin::systems::{
    AdminRegisterSystem, AdminRevokeKey, AdminRotateKey, KeyView, SystemView, SystemsView,
    admin_new_key, admin_systems,
};

/// The business-systems section of the administration page (administrators only: nothing for
/// anyone else).
#[component]
pub fn Systems() -> impl IntoView {
    let register = ServerAction::<AdminRegisterSystem>::new();
    let rotate = ServerAction::<AdminRotateKey>::new();
    let revoke = ServerAction::<AdminRevokeKey>::new();
    let page = Resource::new(
        move || {
            (
                register.version().get(),
                rotate.version().get(),
                revoke.version().get(),
            )
        },
        |_| admin_systems(),
    );
    let query = use_query_map();
    let handle = move || query.read().get("new_key");
    let new_key = Resource::new(handle, |handle| async move {
        match handle {
            Some(handle) => admin_new_key(handle).await.ok().flatten(),
            None => None,
        }
    });
    let failure = move || {
        [
            register.value().get().and_then(Result::err),
            rotate.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    // Its own top-level resources (not inside the page's Suspense, whose children may render more
    // than once on the server): the held key is taken exactly once.
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let page = page.await.ok()?;
                let key = new_key.await;
                Some(
                    view! {
                        <section class="card" id="systems">
                            <h2>"业务系统"</h2>
                            <p class="err" role="alert" id="systems-error">
                                {failure}
                            </p>
                            {key.map(|key| view! { <NewKey key /> })}
                            <SystemList page register rotate revoke />
                        </section>
                    },
                )
            })}
        </Suspense>
    }
}

/// A new key, shown once.
#[component]
fn NewKey(key: String) -> impl IntoView {
    view! {
        <div id="new-key" class="step">
            <h3>"新的接口密钥"</h3>
            <p>
                "请立即复制并交给业务系统厂商。密钥只显示这一次，系统只保存其摘要，无法再次查看："
            </p>
            <p>
                <code>{key}</code>
            </p>
        </div>
    }
}

#[component]
fn SystemList(
    page: SystemsView,
    register: ServerAction<AdminRegisterSystem>,
    rotate: ServerAction<AdminRotateKey>,
    revoke: ServerAction<AdminRevokeKey>,
) -> impl IntoView {
    let SystemsView {
        systems,
        regions,
        departments,
        csrf,
    } = page;
    let rows = systems
        .into_iter()
        .map(|system| view! { <SystemRow system csrf=csrf.clone() rotate revoke /> })
        .collect_view();
    view! {
        <table class="tickets">
            <thead>
                <tr>
                    <th scope="col">"名称"</th>
                    <th scope="col">"允许嵌入的门户"</th>
                    <th scope="col">"可登记范围"</th>
                    <th scope="col">"密钥"</th>
                    <th scope="col">"轮换密钥"</th>
                </tr>
            </thead>
            <tbody id="system-list">{rows}</tbody>
        </table>
        <RegisterForm regions departments csrf register />
    }
}

#[component]
fn SystemRow(
    system: SystemView,
    csrf: String,
    rotate: ServerAction<AdminRotateKey>,
    revoke: ServerAction<AdminRevokeKey>,
) -> impl IntoView {
    let SystemView {
        id,
        name,
        origins,
        grants,
        keys,
    } = system;
    let keys = keys
        .into_iter()
        .map(
            |KeyView {
                 id: key,
                 created,
                 state,
                 live,
             }| {
                let csrf = csrf.clone();
                let revoke_form = live.then(move || {
                    view! {
                        <ActionForm action=revoke attr:class="inline">
                            <input type="hidden" name="key" value=key />
                            <input type="hidden" name="csrf" value=csrf />
                            <button type="submit">{format!("吊销密钥 {key}")}</button>
                        </ActionForm>
                    }
                });
                view! { <li>{format!("密钥 {key}（{created} 创建）：{state} ")} {revoke_form}</li> }
            },
        )
        .collect_view();
    let overlap_id = format!("overlap-{id}");
    view! {
        <tr>
            <th scope="row">{name.clone()}</th>
            <td>{origins}</td>
            <td>{grants.join("、")}</td>
            <td>
                <ul>{keys}</ul>
            </td>
            <td>
                <ActionForm action=rotate attr:class="inline">
                    <input type="hidden" name="system" value=id />
                    <input type="hidden" name="csrf" value=csrf />
                    <label for=overlap_id.clone()>"旧密钥继续有效（天，0–90）"</label>
                    <input
                        id=overlap_id
                        name="overlap_days"
                        type="number"
                        min="0"
                        max="90"
                        value="7"
                        required
                    />
                    <button type="submit">{format!("轮换密钥 {name}")}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// Check boxes named `field[]`, one per choice.
fn choices(field: &'static str, items: Vec<(i64, String)>) -> impl IntoView {
    items
        .into_iter()
        .map(|(id, name)| {
            view! {
                <label>
                    <input type="checkbox" name=format!("{field}[]") value=id />
                    {format!(" {name}")}
                </label>
            }
        })
        .collect_view()
}

#[component]
fn RegisterForm(
    regions: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    csrf: String,
    register: ServerAction<AdminRegisterSystem>,
) -> impl IntoView {
    view! {
        <ActionForm action=register attr:class="step" attr:id="new-system">
            <h3>"登记业务系统"</h3>
            <input type="hidden" name="csrf" value=csrf />
            <label for="system-name">"系统名称"</label>
            <input id="system-name" name="name" required maxlength="64" />
            <label for="system-origins">
                "允许嵌入的门户地址（如 https://zwfw.example.gov.cn，多个用空格或换行分隔）"
            </label>
            <textarea id="system-origins" name="origins" rows="2"></textarea>
            <fieldset>
                <legend>"可登记范围：区划（含下级区划）"</legend>
                {choices("regions", regions)}
            </fieldset>
            <fieldset>
                <legend>"可登记范围：部门"</legend>
                {choices("departments", departments)}
            </fieldset>
            <button type="submit">"登记业务系统"</button>
        </ActionForm>
    }
}
