//! 系统管理 in the browser and over HTTP: deadlines, holiday years, accounts and the organisation,
//! each applied at once and audited; bad input refused with the field named.

use fantoccini::Client;
use tests::{
    TestServer,
    browser::{Js, click_button, fill, find, journey, sign_in, wait_text},
    fixtures::{SignedIn, Staff},
    sqlx_count,
};

async fn select(client: &Client, css: &str, label: &str) {
    find(client, css)
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("{css} has no {label}: {e}"));
}

async fn administer(client: Client, base: String, admin: Staff, js: Js) {
    sign_in(&client, &base, &admin, js).await;
    find(&client, "#deadlines").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }

    fill(&client, "#complaint_reply", "3").await;
    click_button(&client, "保存办理时限").await;
    find(&client, "#complaint_reply[value='3']").await;

    fill(&client, "#alert_threshold", "80").await;
    fill(&client, "#min_sample", "20").await;
    click_button(&client, "保存公示设置").await;
    find(&client, "#alert_threshold[value='80']").await;

    fill(&client, "#year", "2031").await;
    fill(&client, "#off", "2031-01-01,2031-01-22..2031-01-28").await;
    fill(&client, "#worked", "2031-01-19").await;
    click_button(&client, "保存节假日安排").await;
    wait_text(&client, "holiday-years", "2031-01-22..2031-01-28").await;

    fill(&client, "#new-username", "ga-li").await;
    fill(&client, "#new-password", "long-enough-pass").await;
    select(&client, "#new-role", "部门经办人").await;
    select(&client, "#new-department", "县公安局").await;
    click_button(&client, "新建账号").await;
    wait_text(&client, "accounts", "ga-li").await;

    // A new supervisor's authenticator link is shown to the administrator who made the account.
    fill(&client, "#new-username", "jiandu2").await;
    fill(&client, "#new-password", "long-enough-pass").await;
    select(&client, "#new-role", "监督股").await;
    click_button(&client, "新建账号").await;
    wait_text(&client, "new-totp", "otpauth://totp/").await;
    find(&client, "#new-totp svg").await;
}

async fn administration(js: Js) {
    let server = TestServer::start().await;
    server.add_department("GA", "县公安局").await;
    let admin = server.administrator("root").await;
    let admin_id = admin.actor.account_id;
    let base = server.base.clone();
    journey(js, move |client| administer(client, base, admin, js)).await;
    let s = &server.state;
    assert_eq!(s.rules().deadlines.complaint_reply, 3, "applies at once");
    let disclosure = s.rules().disclosure;
    assert_eq!(
        (disclosure.alert.threshold_bp, disclosure.policy.min_sample),
        (8_000, 20)
    );
    let new_year = domain::calendar::Date::from_ymd(2031, 1, 19).unwrap();
    assert_eq!(
        s.rules().calendar.is_working_day(new_year),
        Ok(true),
        "调休 Sunday"
    );
    let ga = server.department("GA").await;
    assert_eq!(
        sqlx_count(
            s,
            "SELECT department_id FROM account WHERE username = 'ga-li' AND role = 'handler'"
        )
        .await,
        ga
    );
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE account_id = $1 ORDER BY id")
            .bind(admin_id)
            .fetch_all(s.store.pool())
            .await
            .unwrap();
    for action in [
        "set_deadlines",
        "set_disclosure",
        "set_holidays",
        "create_account",
        "show_totp",
    ] {
        assert!(
            audited.iter().any(|a| a == action),
            "{action} in {audited:?}"
        );
    }
    // The new handler can sign in and lands on their tickets.
    let session = server::platform::auth::login(s, "ga-li", "long-enough-pass", "")
        .await
        .unwrap();
    assert_eq!(session.role.home(), "/staff/tickets");
}

#[tokio::test]
async fn an_administrator_keeps_the_rules_and_the_organisation_without_javascript() {
    administration(Js::Off).await;
}

#[tokio::test]
async fn an_administrator_keeps_the_rules_and_the_organisation_in_the_hydrated_site() {
    administration(Js::On).await;
}

/// Calls the administration function at `path` and expects it refused (422) with `message`.
async fn refused(
    server: &TestServer,
    session: &SignedIn,
    path: &str,
    form: &[(&str, String)],
    message: &str,
) {
    let (status, body) = server.call(path, session, form).await;
    assert_eq!(status, 422, "{path}: {body}");
    assert!(body.contains(message), "{body}");
}

#[tokio::test]
async fn bad_administration_input_is_refused_with_the_field_named() {
    use app::api::admin::{AdminCreateAccount, AdminSetDeadlines, AdminSetHolidays};
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let s = &server.state;
    let root = server.administrator("root").await;
    let session = server.sign_in(&root).await;
    let csrf = session.csrf.clone();
    let deadlines = |first: &str, complex: &str| {
        vec![
            ("first_contact", first.to_owned()),
            ("rectification", "15".to_owned()),
            ("complaint_reply", "2".to_owned()),
            ("complaint_reply_complex", complex.to_owned()),
            ("csrf", csrf.clone()),
        ]
    };
    for (form, message) in [
        (deadlines("0", "5"), "首次联系时限应为1至60个工作日"),
        (deadlines("x", "5"), "首次联系时限应填写工作日数"),
        (deadlines("1", "1"), "复杂投诉答复时限不能短于一般投诉"),
    ] {
        refused(&server, &session, AdminSetDeadlines::PATH, &form, message).await;
    }
    let holidays = [
        ("year", "2031".into()),
        ("off", "2030-13-01".into()),
        ("worked", String::new()),
        ("csrf", session.csrf.clone()),
    ];
    refused(
        &server,
        &session,
        AdminSetHolidays::PATH,
        &holidays,
        "节假日安排有误",
    )
    .await;
    let account = |username: &str, password: &str, role: &str| {
        vec![
            ("username", username.to_owned()),
            ("password", password.to_owned()),
            ("role", role.to_owned()),
            ("department", String::new()),
            ("staff_no", String::new()),
            ("scope", String::new()),
            ("csrf", session.csrf.clone()),
        ]
    };
    for (form, message) in [
        (account("root", "long-enough-pass", "admin"), "用户名已存在"),
        (account("new", "short", "admin"), "密码至少10位"),
        (
            account("new", "long-enough-pass", "handler"),
            "须选择所属部门",
        ),
        (
            account("new user", "long-enough-pass", "admin"),
            "用户名只能包含",
        ),
        (account("new", "long-enough-pass", "owner"), "请选择角色"),
    ] {
        refused(&server, &session, AdminCreateAccount::PATH, &form, message).await;
    }
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM audit_log").await, 0);
}
