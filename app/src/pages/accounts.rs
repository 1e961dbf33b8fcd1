//! 账号管理 (administrators: disable, re-enable, reset a password) and 账号安全 (everyone: change
//! one's own password, sign out everywhere). Forms work before hydration and after it.

use leptos::prelude::*;

use super::staff::{SignInHint, StaffBar};
use crate::api::accounts::{
    AdminResetPassword, AdminSetDisabled, ChangePassword, SignOutEverywhere, admin_accounts,
};
use crate::api::staff::whoami;

/// 账号管理.
#[component]
pub fn Accounts() -> impl IntoView {
    let toggle = ServerAction::<AdminSetDisabled>::new();
    let reset = ServerAction::<AdminResetPassword>::new();
    let page = Resource::new(
        move || (toggle.version().get(), reset.version().get()),
        |_| admin_accounts(),
    );
    let outcome = move || match (toggle.value().get(), reset.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => e.to_string(),
        (_, Some(Ok(()))) => "密码已重置，该账号的登录已全部结束。".to_owned(),
        _ => String::new(),
    };
    view! {
        <StaffBar />
        <h1>"账号管理"</h1>
        <p role="alert" id="accounts-status">
            {outcome}
        </p>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok((accounts, csrf)) => {
                        let rows = accounts
                            .into_iter()
                            .map(|a| {
                                let (next, label) = if a.disabled {
                                    ("0", "启用")
                                } else {
                                    ("1", "停用")
                                };
                                let password_id = format!("password-{}", a.id);
                                let (csrf_toggle, csrf_reset) = (csrf.clone(), csrf.clone());
                                let toggle_label = format!("{label} {}", a.username);
                                let reset_label = format!("重置 {} 的密码", a.username);
                                view! {
                                    <tr>
                                        <th scope="row">{a.username}</th>
                                        <td>{a.role_zh}</td>
                                        <td>{if a.disabled { "已停用" } else { "正常" }}</td>
                                        <td>
                                            <ActionForm action=toggle attr:class="inline">
                                                <input type="hidden" name="id" value=a.id />
                                                <input type="hidden" name="disabled" value=next />
                                                <input type="hidden" name="csrf" value=csrf_toggle />
                                                <button type="submit">{toggle_label}</button>
                                            </ActionForm>
                                        </td>
                                        <td>
                                            <ActionForm action=reset attr:class="inline">
                                                <input type="hidden" name="id" value=a.id />
                                                <input type="hidden" name="csrf" value=csrf_reset />
                                                <label for=password_id.clone()>"新密码"</label>
                                                <input
                                                    id=password_id
                                                    name="password"
                                                    type="password"
                                                    autocomplete="new-password"
                                                />
                                                <button type="submit">{reset_label}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <table class="tickets" id="account-list">
                                <thead>
                                    <tr>
                                        <th scope="col">"用户名"</th>
                                        <th scope="col">"角色"</th>
                                        <th scope="col">"状态"</th>
                                        <th scope="col">"停用/启用"</th>
                                        <th scope="col">"重置密码"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 账号安全 — change one's own password; sign out everywhere.
#[component]
pub fn Password() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let change = ServerAction::<ChangePassword>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <StaffBar />
        <h1>"账号安全"</h1>
        <Suspense fallback=|| {
            view! { <p>"加载中…"</p> }
        }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(me) => {
                        let csrf_everywhere = me.csrf.clone();
                        view! {
                            <section class="card">
                                <h2>"修改密码"</h2>
                                <ActionForm action=change attr:class="step">
                                    <input type="hidden" name="csrf" value=me.csrf />
                                    <label for="current">"当前密码"</label>
                                    <input
                                        id="current"
                                        name="current"
                                        type="password"
                                        autocomplete="current-password"
                                    />
                                    <label for="new_password">"新密码"</label>
                                    <input
                                        id="new_password"
                                        name="new_password"
                                        type="password"
                                        autocomplete="new-password"
                                    />
                                    <button type="submit">"修改密码"</button>
                                </ActionForm>
                                <p role="alert" id="password-status">
                                    {move || match change.value().get() {
                                        Some(Ok(())) => {
                                            "密码已修改，其他设备上的登录已结束。"
                                                .to_owned()
                                        }
                                        Some(Err(e)) => e.to_string(),
                                        None => String::new(),
                                    }}
                                </p>
                            </section>
                            <section class="card">
                                <h2>"退出所有登录"</h2>
                                <p>
                                    "结束本账号在所有设备上的登录（包括本设备）。"
                                </p>
                                <ActionForm action=everywhere>
                                    <input type="hidden" name="csrf" value=csrf_everywhere />
                                    <button type="submit">"退出所有登录"</button>
                                </ActionForm>
                            </section>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <SignInHint message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
