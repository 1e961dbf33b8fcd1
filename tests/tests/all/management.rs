//! The management end in the browser and over HTTP: log-in, a handler's journey, access refused.

use fantoccini::{Client, Locator};
use serde_json::json;
use server::platform::crypto::hash_password;
use tests::{
    TestServer,
    browser::{Js, click_button, find, journey, sign_in, wait_text},
    sqlx_count,
};

async fn handler_account(server: &TestServer) {
    let bdc = sqlx_count(
        &server.state,
        "SELECT id FROM department WHERE code = 'BDC'",
    )
    .await;
    server
        .state
        .store
        .insert_account("bdc", &hash_password("s3cret-pass"), "handler", Some(bdc))
        .await
        .unwrap();
}

async fn bad_review(server: &TestServer) {
    let link = server.rating_link("M-1").await;
    let body = json!({ "level": 2, "reasons": [213], "phone": "13600136000" });
    assert_eq!(
        server
            .http
            .post(&link)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
}

async fn handle(client: Client, base: String, js: Js) {
    sign_in(&client, &base, "bdc", "", js).await;
    let link = find(&client, "table.tickets a").await;
    link.click().await.unwrap();
    wait_text(&client, "#ticket-state", "待回访核实").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    // Shown in place when hydrated; without JavaScript the page comes back with the number.
    click_button(&client, "查看联系电话（回访用，将记录查看日志）").await;
    wait_text(&client, "#phone", "13600136000").await;
    client
        .find(Locator::Css("#note-record_visit"))
        .await
        .unwrap()
        .send_keys("已电话回访")
        .await
        .unwrap();
    click_button(&client, "记录回访").await;
    wait_text(&client, "#ticket-state", "已核实，待处置").await;
    wait_text(&client, "#history", "已电话回访").await;
}

async fn handler_journey(js: Js) {
    let server = TestServer::start().await;
    handler_account(&server).await;
    bad_review(&server).await;
    let base = server.base.clone();
    journey(js, move |client| handle(client, base, js)).await;
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM ticket WHERE state = 'verified'"
        )
        .await,
        1
    );
    let reveals = sqlx_count(
        &server.state,
        "SELECT count(*) FROM audit_log WHERE action = 'reveal_phone'",
    )
    .await;
    // Without JavaScript the reveal is logged, and so is the page that shows it.
    assert_eq!(
        reveals,
        if js == Js::On { 1 } else { 2 },
        "every view logged, none without one"
    );
}

#[tokio::test]
async fn a_handler_records_the_return_visit_without_javascript() {
    handler_journey(Js::Off).await;
}

#[tokio::test]
async fn a_handler_records_the_return_visit_in_the_hydrated_site() {
    handler_journey(Js::On).await;
}

#[tokio::test]
async fn management_pages_and_functions_refuse_strangers_without_data() {
    let server = TestServer::start().await;
    bad_review(&server).await;
    let page = server
        .http
        .get(server.url("/staff/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 401);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("请先登录") && !html.contains("县不动产登记中心"),
        "no ticket data"
    );
    let detail = server
        .http
        .get(server.url("/staff/tickets/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), 401);
    let forged = server
        .http
        .post(server.url("/staff/tickets/1"))
        .header("cookie", "hcp_staff=forged")
        .send()
        .await
        .unwrap();
    assert!(forged.status().is_client_error());
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM ticket WHERE state = 'open'"
        )
        .await,
        1
    );
}

/// Calls a server function of the management end as a browser would (form post), with `cookie`.
async fn call(
    server: &TestServer,
    path: &str,
    cookie: &str,
    form: &[(&str, String)],
) -> (u16, String) {
    let response = server
        .http
        .post(server.url(path))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn every_management_function_refuses_other_departments_and_strangers() {
    use app::api::{
        admin::{
            AdminAdd, AdminCreateAccount, AdminNewTotp, AdminSetDeadlines, AdminSetDisclosure,
            AdminSetHolidays, AdminUnlock, AdminView,
        },
        report::{HeatMap, MonthlyReport},
        staff::{
            DepartmentOverview, LoadTicket, MyTickets, OwnRatings, RevealPhone, StaffLogout,
            TicketStep, Whoami,
        },
    };
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    handler_account(&server).await;
    bad_review(&server).await;
    let region = sqlx_count(&server.state, "SELECT id FROM region").await;
    let ga = server
        .state
        .store
        .insert_department(region, "GA", "县公安局")
        .await
        .unwrap();
    let bdc = sqlx_count(
        &server.state,
        "SELECT id FROM department WHERE code = 'BDC'",
    )
    .await;
    let s = &server.state;
    s.store
        .insert_account("ga", &hash_password("s3cret-pass"), "handler", Some(ga))
        .await
        .unwrap();
    s.store
        .insert_account(
            "clerk",
            &hash_password("s3cret-pass"),
            "window_staff",
            Some(bdc),
        )
        .await
        .unwrap();
    s.store
        .insert_account("admin", &hash_password("s3cret-pass"), "admin", None)
        .await
        .unwrap();
    let ticket = sqlx_count(s, "SELECT id FROM ticket").await.to_string();

    let mut callers = vec![("nobody", String::new(), String::new())];
    for name in ["ga", "clerk"] {
        let session = server::platform::auth::login(s, name, "s3cret-pass", "")
            .await
            .unwrap();
        callers.push((name, format!("hcp_staff={}", session.token), session.csrf));
    }
    for (who, cookie, csrf) in &callers {
        let csrf_only = vec![("csrf", csrf.clone())];
        let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
            (MyTickets::PATH, vec![]),
            (LoadTicket::PATH, vec![("id", ticket.clone())]),
            (
                TicketStep::PATH,
                vec![
                    ("id", ticket.clone()),
                    ("action", "record_visit".into()),
                    ("note", "x".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                RevealPhone::PATH,
                vec![("id", ticket.clone()), ("csrf", csrf.clone())],
            ),
            (DepartmentOverview::PATH, vec![]),
            (MonthlyReport::PATH, vec![("month", String::new())]),
            (
                HeatMap::PATH,
                vec![("hall", String::new()), ("month", String::new())],
            ),
            (
                AdminSetDisclosure::PATH,
                vec![
                    ("min_sample", "1".into()),
                    ("alert_days", "7".into()),
                    ("alert_min_rated", "10".into()),
                    ("alert_threshold", "90".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (OwnRatings::PATH, vec![]),
            (AdminView::PATH, vec![]),
            (AdminNewTotp::PATH, vec![("account", "1".into())]),
            (
                AdminSetDeadlines::PATH,
                vec![
                    ("first_contact", "9".into()),
                    ("rectification", "9".into()),
                    ("complaint_reply", "9".into()),
                    ("complaint_reply_complex", "9".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                AdminSetHolidays::PATH,
                vec![
                    ("year", "2031".into()),
                    ("off", "2031-01-01".into()),
                    ("worked", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                AdminCreateAccount::PATH,
                vec![
                    ("username", "intruder".into()),
                    ("password", "long-enough-password".into()),
                    ("role", "admin".into()),
                    ("department", String::new()),
                    ("staff_no", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                AdminUnlock::PATH,
                vec![("id", "1".into()), ("csrf", csrf.clone())],
            ),
            (
                AdminAdd::PATH,
                vec![
                    ("kind", "department".into()),
                    ("code", "X".into()),
                    ("name", "冒名部门".into()),
                    ("department", String::new()),
                    ("hall", String::new()),
                    ("window", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
        ];
        // Anyone signed in may read who they are and sign out; nobody may not.
        if who == &"nobody" {
            for path in [Whoami::PATH, StaffLogout::PATH] {
                let (status, _) = call(&server, path, cookie, &csrf_only).await;
                assert_eq!(status, 401, "{path}");
            }
        }
        for (path, form) in calls {
            let (status, body) = call(&server, path, cookie, &form).await;
            // Another department's handler may list tickets, and sees none of this one; a clerk
            // without a staff record is told so (409) and sees nothing.
            let empty_list = path == MyTickets::PATH && status == 200 && body == "[]";
            let unlinked = path == OwnRatings::PATH && *who == "clerk" && status == 409;
            assert!(
                matches!(status, 401 | 403 | 404) || empty_list || unlinked,
                "{who} {path}: {status} {body}"
            );
            assert!(
                !body.contains("13600136000") && !body.contains("县不动产登记中心"),
                "{who} {path} leaked: {body}"
            );
        }
    }
    // The right handler with a forged CSRF token is refused too.
    let session = server::platform::auth::login(s, "bdc", "s3cret-pass", "")
        .await
        .unwrap();
    let cookie = format!("hcp_staff={}", session.token);
    let form = vec![
        ("id", ticket.clone()),
        ("action", "record_visit".into()),
        ("note", "x".into()),
        ("csrf", "forged".into()),
    ];
    assert_eq!(call(&server, TicketStep::PATH, &cookie, &form).await.0, 403);
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM ticket WHERE state = 'open'").await,
        1
    );
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM audit_log").await, 0);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM setting").await, 0);
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM account WHERE username = 'intruder'"
        )
        .await,
        0
    );
}

async fn decide(client: Client, base: String, code: String, js: Js) {
    sign_in(&client, &base, "jiandu", &code, js).await;
    // The supervisor starts from the overview: one appeal waits in 县不动产登记中心.
    wait_text(&client, "summary", "超时未办 0 件").await;
    find(&client, "main p a[href='/staff/tickets']")
        .await
        .click()
        .await
        .unwrap();
    find(&client, "table.tickets a")
        .await
        .click()
        .await
        .unwrap();
    wait_text(&client, "#ticket-state", "申诉复核中").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    client
        .find(Locator::Css("#note-decide_appeal_upheld"))
        .await
        .unwrap()
        .send_keys("回访录音证实系误评")
        .await
        .unwrap();
    click_button(&client, "申诉成立").await;
    wait_text(&client, "#ticket-state", "已办结").await;
}

async fn supervisor_journey(js: Js) {
    use domain::{
        access::{Actor, Role},
        ticket::{TicketAction, Triage},
    };
    let server = TestServer::start().await;
    handler_account(&server).await;
    bad_review(&server).await;
    let s = &server.state;
    let secret = b"supervisor-secret-20".to_vec();
    let sealed = s.secrets.encrypt_bytes(&secret);
    s.store
        .insert_account_with_totp(
            "jiandu",
            &hash_password("s3cret-pass"),
            "supervisor",
            None,
            Some(&sealed),
        )
        .await
        .unwrap();
    let bdc = sqlx_count(s, "SELECT id FROM department WHERE code = 'BDC'").await;
    let handler = Actor {
        account_id: sqlx_count(s, "SELECT id FROM account WHERE username = 'bdc'").await,
        role: Role::Handler,
        department_id: Some(bdc),
    };
    let ticket = sqlx_count(s, "SELECT id FROM ticket").await;
    server::features::ticket::act(s, handler, ticket, TicketAction::RecordVisit, Some("回访"))
        .await
        .unwrap();
    server::features::ticket::act(
        s,
        handler,
        ticket,
        TicketAction::Triage(Triage::Appeal),
        Some("误评"),
    )
    .await
    .unwrap();
    let code = format!(
        "{:06}",
        domain::totp::code_at(&secret, server::platform::db::now_ms() / 1000)
    );
    let base = server.base.clone();
    journey(js, move |client| decide(client, base, code, js)).await;
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM evaluation_invalidation").await,
        1
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM evaluation").await,
        1,
        "never deleted"
    );
}

#[tokio::test]
async fn a_supervisor_upholds_an_appeal_without_javascript() {
    supervisor_journey(Js::Off).await;
}

#[tokio::test]
async fn a_supervisor_upholds_an_appeal_in_the_hydrated_site() {
    supervisor_journey(Js::On).await;
}
