//! 评价邀请与消息 — the administration page's section for 智能邀评 (invitations and reminders by
//! SMS, quiet hours), 默认评价, the SMS gateway and each department's group robot and contact
//! phone, with the latest messages sent. Off by default; secrets show only as "已设置". Every form
//! works before hydration and after it.

use leptos::prelude::*;

use crate::api::admin::notify::{
    AdminNotifySettings, AdminNotifyTarget, MessageView, NotifyPage, TargetLine, admin_notify,
};

/// The section (administrators only: nothing for anyone else).
#[component]
pub fn Notify() -> impl IntoView {
    let settings = ServerAction::<AdminNotifySettings>::new();
    let target = ServerAction::<AdminNotifyTarget>::new();
    let page = Resource::new(
        move || (settings.version().get(), target.version().get()),
        |_| admin_notify(),
    );
    let failure = move || {
        [
            settings.value().get().and_then(Result::err),
            target.value().get().and_then(Result::err),
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
                let targets = page.departments.clone();
                let messages = page.messages.clone();
                let csrf = page.csrf.clone();
                Some(
                    view! {
                        <section class="card" id="notify">
                            <h2>"评价邀请与消息"</h2>
                            <p class="err" role="alert" id="notify-error">
                                {failure}
                            </p>
                            <SettingsForm page settings />
                            <h3>"各部门差评提醒"</h3>
                            <p>
                                "部门收到差评、投诉或工单距期限仅剩一个工作日时，通过群机器人（政务钉钉、企业微信）和/或短信通知部门联系人；消息不含群众个人信息。"
                            </p>
                            {targets
                                .into_iter()
                                .map(|line| view! { <TargetForm line csrf=csrf.clone() target /> })
                                .collect_view()}
                            <MessageLog messages />
                        </section>
                    },
                )
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(page: NotifyPage, settings: ServerAction<AdminNotifySettings>) -> impl IntoView {
    let level = page.default_level;
    let kind = page.sms_kind.clone();
    let secret_hint = if page.sms_secret_set {
        "已设置（留空则不变）"
    } else {
        "未设置"
    };
    view! {
        <ActionForm action=settings attr:class="step" attr:id="notify-settings">
            <input type="hidden" name="csrf" value=page.csrf />
            <h3>"智能邀评"</h3>
            <label>
                <input
                    type="checkbox"
                    name="invite_enabled"
                    value="1"
                    checked=page.invite_enabled
                />
                " 启用评价邀请短信"
            </label>
            <label for="invite_after_days">"登记后第几天邀请（1–30）"</label>
            <input
                id="invite_after_days"
                name="invite_after_days"
                inputmode="numeric"
                value=page.invite_after_days
            />
            <label for="invite_reminders">"邀请后最多提醒次数（0–5）"</label>
            <input
                id="invite_reminders"
                name="invite_reminders"
                inputmode="numeric"
                value=page.invite_reminders
            />
            <label for="invite_spacing_days">"提醒间隔（天，1–30）"</label>
            <input
                id="invite_spacing_days"
                name="invite_spacing_days"
                inputmode="numeric"
                value=page.invite_spacing_days
            />
            <label for="quiet_start">"免打扰开始（整点，0–23）"</label>
            <input id="quiet_start" name="quiet_start" inputmode="numeric" value=page.quiet_start />
            <label for="quiet_end">"免打扰结束（整点，0–23）"</label>
            <input id="quiet_end" name="quiet_end" inputmode="numeric" value=page.quiet_end />
            <h3>"默认评价"</h3>
            <label>
                <input
                    type="checkbox"
                    name="default_enabled"
                    value="1"
                    checked=page.default_enabled
                />
                " 启用默认评价（只适用于启用后登记的办件）"
            </label>
            <label for="default_after_days">"登记后几个自然日未评价（1–60）"</label>
            <input
                id="default_after_days"
                name="default_after_days"
                inputmode="numeric"
                value=page.default_after_days
            />
            <label for="default_level">"默认评价等级"</label>
            <select id="default_level" name="default_level">
                <option value="5" selected=level == 5>
                    "非常满意"
                </option>
                <option value="4" selected=level == 4>
                    "满意"
                </option>
                <option value="3" selected=level == 3>
                    "基本满意"
                </option>
            </select>
            <GatewayFields
                kind
                url=page.sms_url
                account=page.sms_account
                template=page.sms_template
                secret_hint
            />
            <button type="submit">"保存邀评与消息设置"</button>
        </ActionForm>
    }
}

#[component]
fn GatewayFields(
    kind: String,
    url: String,
    account: String,
    template: String,
    secret_hint: &'static str,
) -> impl IntoView {
    view! {
        <h3>"短信网关"</h3>
        <label for="sms_kind">"发送方式"</label>
        <select id="sms_kind" name="sms_kind">
            <option value="off" selected=kind == "off">
                "关闭"
            </option>
            <option value="http" selected=kind == "http">
                "政务短信平台（HTTP 接口）"
            </option>
            <option value="file" selected=kind == "file">
                "开发测试：写入数据目录的文件"
            </option>
        </select>
        <label for="sms_url">"接口地址"</label>
        <input id="sms_url" name="sms_url" value=url />
        <label for="sms_account">"账号"</label>
        <input id="sms_account" name="sms_account" value=account />
        <label for="sms_secret">{format!("密钥/令牌：{secret_hint}")}</label>
        <input id="sms_secret" name="sms_secret" type="password" autocomplete="off" value="" />
        <label for="sms_template">"短信模板编号"</label>
        <input id="sms_template" name="sms_template" value=template />
    }
}

#[component]
fn TargetForm(
    line: TargetLine,
    csrf: String,
    target: ServerAction<AdminNotifyTarget>,
) -> impl IntoView {
    let code = line.code.clone();
    let id = move |field: &str| format!("{field}-{code}");
    let (robot_url_id, secret_id, phone_id) =
        (id("robot_url"), id("robot_secret"), id("contact_phone"));
    let secret = if line.robot_secret_set {
        "加签密钥：已设置（留空则不变）"
    } else {
        "加签密钥：未设置"
    };
    view! {
        <ActionForm action=target attr:class="step">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="department" value=line.code.clone() />
            <h4>{line.name}</h4>
            <label for=robot_url_id.clone()>"群机器人 Webhook 地址"</label>
            <input id=robot_url_id name="robot_url" value=line.robot_url />
            <label for=secret_id.clone()>{secret}</label>
            <input id=secret_id name="robot_secret" type="password" autocomplete="off" value="" />
            <label>
                <input type="checkbox" name="clear_secret" value="1" />
                " 清除加签密钥"
            </label>
            <label for=phone_id.clone()>"部门联系人手机号（短信提醒）"</label>
            <input id=phone_id name="contact_phone" inputmode="numeric" value=line.contact_phone />
            <button type="submit">"保存"</button>
        </ActionForm>
    }
}

#[component]
fn MessageLog(messages: Vec<MessageView>) -> impl IntoView {
    let rows = messages
        .into_iter()
        .map(|m| {
            view! {
                <tr>
                    <td>{m.at}</td>
                    <td>{m.kind}</td>
                    <td>{m.via}</td>
                    <td>{m.phone}</td>
                    <td>{m.status}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"最近发送的消息"</h3>
        <table class="tickets">
            <thead>
                <tr>
                    <th scope="col">"时间"</th>
                    <th scope="col">"类型"</th>
                    <th scope="col">"方式"</th>
                    <th scope="col">"手机号"</th>
                    <th scope="col">"结果"</th>
                </tr>
            </thead>
            <tbody id="message-log">{rows}</tbody>
        </table>
    }
}
