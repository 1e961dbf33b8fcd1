//! 转办回传与12345转送 — the administration page's section for each referring platform's status
//! callback (URL, signing method, key) and the 差评 forwarding to 12345 (off by default), with how
//! the forwarding fares and the latest forwarded tickets with their 12345 order ids. Keys show
//! only as "已设置". Every form works before hydration and after it.

use leptos::prelude::*;

use crate::api::admin::forward::{
    AdminSetCallback, AdminSetForwarding, CallbackView, ForwardedView, ForwardingPage,
    admin_forwarding,
};

/// The section (administrators only: nothing for anyone else).
#[component]
pub fn Forwarding() -> impl IntoView {
    let callback = ServerAction::<AdminSetCallback>::new();
    let forwarding = ServerAction::<AdminSetForwarding>::new();
    let page = Resource::new(
        move || (callback.version().get(), forwarding.version().get()),
        |_| admin_forwarding(),
    );
    let failure = move || {
        [
            callback.value().get().and_then(Result::err),
            forwarding.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| e.to_string())
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let page = page.await.ok()?;
                let csrf = page.csrf.clone();
                let callbacks = page.callbacks.clone();
                Some(
                    view! {
                        <section class="card" id="forwarding">
                            <h2>"转办回传与12345转送"</h2>
                            <p class="err" role="alert" id="forwarding-error">
                                {failure}
                            </p>
                            <h3>"转办状态回传"</h3>
                            <p>
                                "12345热线、政府网站等平台转办的工单，其已受理、办理中、已答复、已办结状态按顺序回传到该平台的回传地址，请求按所选方式签名。"
                            </p>
                            {callbacks
                                .into_iter()
                                .map(|line| {
                                    view! { <CallbackForm line csrf=csrf.clone() callback /> }
                                })
                                .collect_view()}
                            <ForwardForm page=page.clone() forwarding />
                            <ForwardHealth page=page.clone() />
                            <Forwarded tickets=page.tickets />
                        </section>
                    },
                )
            })}
        </Suspense>
    }
}

/// The signing methods' `<option>`s, `current` selected.
fn sign_methods(current: &str) -> impl IntoView + use<> {
    [
        ("hmac-sha256", "HMAC-SHA256"),
        ("hmac-sm3", "HMAC-SM3（国密）"),
        ("sm2", "SM2 签名（国密，密钥填本系统的私钥）"),
    ]
    .into_iter()
    .map(|(value, label)| {
        view! {
            <option value=value selected=current == value>
                {label}
            </option>
        }
    })
    .collect_view()
}

fn key_hint(set: bool) -> &'static str {
    if set {
        "已设置（留空则不变）"
    } else {
        "未设置"
    }
}

#[component]
fn CallbackForm(
    line: CallbackView,
    csrf: String,
    callback: ServerAction<AdminSetCallback>,
) -> impl IntoView {
    let id = move |field: &str| format!("{field}-{}", line.system);
    let (url_id, method_id, secret_id) =
        (id("callback_url"), id("callback_sign"), id("callback_key"));
    let error = (!line.last_error.is_empty()).then(|| {
        view! { <p class="err">{format!("最近错误：{}", line.last_error)}</p> }
    });
    view! {
        <ActionForm action=callback attr:class="step">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="system" value=line.system />
            <h4>{line.name}</h4>
            <p>{line.health}</p>
            {error}
            <label for=url_id.clone()>"回传地址"</label>
            <input id=url_id name="url" value=line.url />
            <label for=method_id.clone()>"签名方式"</label>
            <select id=method_id name="sign_method">
                {sign_methods(&line.sign_method)}
            </select>
            <label for=secret_id
                .clone()>{format!("回传密钥：{}", key_hint(line.secret_set))}</label>
            <input id=secret_id name="secret" type="password" autocomplete="off" value="" />
            <label>
                <input type="checkbox" name="clear" value="1" />
                " 清除回传设置（不再回传）"
            </label>
            <button type="submit">"保存回传设置"</button>
        </ActionForm>
    }
}

#[component]
fn ForwardForm(
    page: ForwardingPage,
    forwarding: ServerAction<AdminSetForwarding>,
) -> impl IntoView {
    view! {
        <ActionForm action=forwarding attr:class="step" attr:id="forward-settings">
            <input type="hidden" name="csrf" value=page.csrf />
            <h3>"差评转送12345"</h3>
            <p>
                "启用后，此后产生的每条差评工单都作为投诉工单推送到12345平台一次（本系统的查询码为工单编号），办理状态随后回传；群众留下的手机号仅在推送时解密。"
            </p>
            <label>
                <input type="checkbox" name="enabled" value="1" checked=page.enabled />
                " 启用差评转送12345"
            </label>
            <label for="forward_url">"12345 平台接收地址"</label>
            <input id="forward_url" name="url" value=page.url />
            <label for="forward_sign">"签名方式"</label>
            <select id="forward_sign" name="sign_method">
                {sign_methods(&page.sign_method)}
            </select>
            <label for="forward_key">{format!("密钥：{}", key_hint(page.secret_set))}</label>
            <input id="forward_key" name="secret" type="password" autocomplete="off" value="" />
            <button type="submit">"保存转送设置"</button>
        </ActionForm>
    }
}

/// 转送状况 — like the upward status on the overview.
#[component]
fn ForwardHealth(page: ForwardingPage) -> impl IntoView {
    view! {
        <table class="tickets" id="forward-health">
            <caption>"转送状况（工单与状态回传）"</caption>
            <thead>
                <tr>
                    <th scope="col">"已送达"</th>
                    <th scope="col">"待发送"</th>
                    <th scope="col">"失败待重试"</th>
                    <th scope="col">"最久等待"</th>
                    <th scope="col">"最近错误"</th>
                </tr>
            </thead>
            <tbody>
                <tr class:overdue=page.alert>
                    <td>{page.delivered}</td>
                    <td>{page.waiting}</td>
                    <td>{page.failing}</td>
                    <td>{page.oldest_wait}</td>
                    <td>{page.last_error}</td>
                </tr>
            </tbody>
        </table>
    }
}

#[component]
fn Forwarded(tickets: Vec<ForwardedView>) -> impl IntoView {
    let rows = tickets
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <th scope="row">{t.our_id}</th>
                    <td>{t.department}</td>
                    <td>{t.opened_at}</td>
                    <td>{t.state_zh}</td>
                    <td>{t.delivery}</td>
                    <td>{t.order_id}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"最近转送的差评工单"</h3>
        <table class="tickets">
            <thead>
                <tr>
                    <th scope="col">"查询码"</th>
                    <th scope="col">"部门"</th>
                    <th scope="col">"产生时间"</th>
                    <th scope="col">"工单状态"</th>
                    <th scope="col">"推送"</th>
                    <th scope="col">"12345工单编号"</th>
                </tr>
            </thead>
            <tbody id="forwarded">{rows}</tbody>
        </table>
    }
}
