//! 评价器管理 — the tablets at the windows: a window's one-time enrolment code (shown once, after
//! the redirect its server function sends), the enrolled tablets with their last rating, revoking
//! one, and the idle timeout and silence alarm. Every form works before hydration and after it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::admin::devices::{
    AdminDeviceCode, AdminDeviceSettings, AdminRevokeDevice, DevicesView, admin_devices,
    admin_take_device_code,
};
use crate::pages::staff::{SignInHint, StaffBar};

#[component]
pub fn Devices() -> impl IntoView {
    let issue = ServerAction::<AdminDeviceCode>::new();
    let revoke = ServerAction::<AdminRevokeDevice>::new();
    let settings = ServerAction::<AdminDeviceSettings>::new();
    let page = Resource::new(
        move || {
            (
                issue.version().get(),
                revoke.version().get(),
                settings.version().get(),
            )
        },
        |_| admin_devices(),
    );
    let query = use_query_map();
    let handle = move || query.read().get("code");
    let code = Resource::new(handle, |handle| async move {
        match handle {
            Some(handle) => admin_take_device_code(handle).await.ok().flatten(),
            None => None,
        }
    });
    let failure = move || {
        [
            issue.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
            settings.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    view! {
        <StaffBar />
        <h1>"评价器管理"</h1>
        <p class="err" role="alert" id="devices-error">
            {failure}
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                let code = code.await;
                match page.await {
                    Ok(page) => {
                        view! {
                            {code
                                .map(|code| {
                                    view! {
                                        <div id="device-code" class="step">
                                            <h2>"评价器绑定码"</h2>
                                            <p>
                                                "在窗口的评价器上打开 /device，输入以下绑定码（10分钟内有效，只能使用一次，只显示这一次）："
                                            </p>
                                            <p class="code">
                                                <strong>{code}</strong>
                                            </p>
                                        </div>
                                    }
                                })}
                            <DeviceList page issue revoke settings />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeviceList(
    page: DevicesView,
    issue: ServerAction<AdminDeviceCode>,
    revoke: ServerAction<AdminRevokeDevice>,
    settings: ServerAction<AdminDeviceSettings>,
) -> impl IntoView {
    let DevicesView {
        devices,
        windows,
        idle_seconds,
        silence_hours,
        csrf,
    } = page;
    let rows = devices
        .into_iter()
        .map(|d| {
            let csrf = csrf.clone();
            let action = (!d.revoked).then(|| {
                view! {
                    <ActionForm action=revoke attr:class="inline">
                        <input type="hidden" name="device" value=d.id />
                        <input type="hidden" name="csrf" value=csrf />
                        <button type="submit">"停用"</button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <td>{d.window}</td>
                    <td>{d.hall}</td>
                    <td>{d.enrolled}</td>
                    <td>{d.last_rated}</td>
                    <td>{if d.revoked { "已停用" } else { "使用中" }} {action}</td>
                </tr>
            }
        })
        .collect_view();
    let issue_csrf = csrf.clone();
    let options = windows
        .into_iter()
        .map(|(id, label)| view! { <option value=id>{label}</option> })
        .collect_view();
    view! {
        <section class="card">
            <h2>"已绑定的评价器"</h2>
            <table class="tickets">
                <thead>
                    <tr>
                        <th scope="col">"窗口"</th>
                        <th scope="col">"大厅"</th>
                        <th scope="col">"绑定时间"</th>
                        <th scope="col">"最近一次评价"</th>
                        <th scope="col">"状态"</th>
                    </tr>
                </thead>
                <tbody id="device-list">{rows}</tbody>
            </table>
        </section>
        <section class="card">
            <h2>"绑定新的评价器"</h2>
            <ActionForm action=issue attr:class="step">
                <input type="hidden" name="csrf" value=issue_csrf />
                <label for="device-window">"窗口"</label>
                <select id="device-window" name="window">
                    {options}
                </select>
                <button type="submit">"生成绑定码"</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>"评价器设置"</h2>
            <ActionForm action=settings attr:class="step">
                <input type="hidden" name="csrf" value=csrf />
                <label for="idle_seconds">
                    "评价等待时间（秒，15–600；超时未评价即返回待机，不保存任何内容）"
                </label>
                <input
                    id="idle_seconds"
                    name="idle_seconds"
                    inputmode="numeric"
                    value=idle_seconds
                />
                <label for="silence_hours">
                    "静默预警（工作小时，1–40；窗口有办件而评价器无评价时提示监督人员）"
                </label>
                <input
                    id="silence_hours"
                    name="silence_hours"
                    inputmode="numeric"
                    value=silence_hours
                />
                <button type="submit">"保存评价器设置"</button>
            </ActionForm>
        </section>
    }
}
