//! 管理端 — log-in, the staff bar every staff page shows, and (in `overview`, `tickets`) the
//! supervisor's overview, a clerk's own ratings, the ticket list and one ticket. Forms are
//! `ActionForm`s: they post to the server functions before hydration and work without reload after.

pub mod appeal;
pub mod overview;
pub mod tickets;

use leptos::prelude::*;

use crate::api::staff::{StaffLogin, StaffLogout, whoami};

/// 工作人员登录.
#[component]
pub fn Login() -> impl IntoView {
    let login = ServerAction::<StaffLogin>::new();
    let failed = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="card narrow">
            <h1>"工作人员登录"</h1>
            <ActionForm action=login>
                <label for="username">"用户名"</label>
                <input id="username" name="username" required autocomplete="username" />
                <label for="password">"密码"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    required
                    autocomplete="current-password"
                />
                <label for="code">"动态验证码（监督、管理人员必填）"</label>
                <input
                    id="code"
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="6"
                />
                <button type="submit">"登录"</button>
            </ActionForm>
            <p class="err" role="alert">
                {failed}
            </p>
        </section>
    }
}

/// The bar on every staff page: who is signed in, their pages, and 退出登录.
#[component]
pub fn StaffBar() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    let logout = ServerAction::<StaffLogout>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await
                    .ok()
                    .map(|me| {
                        let links = domain::access::Role::parse(&me.role)
                            .map_or(&[][..], domain::access::Role::navigation);
                        view! {
                            <nav class="staff-bar" aria-label="工作人员导航">
                                {links
                                    .iter()
                                    .map(|p| view! { <a href=p.href>{p.label_zh}</a> })
                                    .collect_view()}
                                <a href="/staff/password">"账号安全"</a>
                                <span class="who">{me.username}</span>
                                <ActionForm action=logout attr:class="inline">
                                    <input type="hidden" name="csrf" value=me.csrf />
                                    <button type="submit" class="link">
                                        "退出登录"
                                    </button>
                                </ActionForm>
                            </nav>
                        }
                    })
            })}
        </Suspense>
    }
}

#[component]
pub(crate) fn SignInHint(message: String) -> impl IntoView {
    view! {
        <p class="err" role="alert">
            {message}
            " "
            <a href="/staff/login">"登录"</a>
        </p>
    }
}

pub use overview::{Overview, OwnRatings};
pub use tickets::{Ticket, Tickets};
