//! The management end in the browser and over HTTP: log-in, a handler's journey, access refused.

use fantoccini::Client;
use serde_json::json;
use tests::{
    TestServer,
    browser::{Js, click, click_button, fill, find, journey, sign_in, wait_text},
    fixtures::{SignedIn, Staff},
    sqlx_count,
};

/// A 差评 with the citizen's phone (stored: 201); returns its ticket.
async fn bad_review(server: &TestServer) -> i64 {
    let body = json!({ "level": 2, "reasons": [213], "phone": "13600136000" });
    let rated = server.rate("M-1", body).await;
    server.ticket_of(&rated.tracking_code).await
}

async fn handle(client: Client, base: String, handler: Staff, js: Js) {
    sign_in(&client, &base, &handler, js).await;
    click(&client, "table.tickets a").await;
    wait_text(&client, "#ticket-state", "待回访核实").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    // Shown in place when hydrated; without JavaScript the page comes back with the number.
    click_button(&client, "查看联系电话（回访用，将记录查看日志）").await;
    wait_text(&client, "#phone", "13600136000").await;
    tests::browser::record_reached_visit(&client, "已电话回访").await;
    wait_text(&client, "#ticket-state", "已核实，待处置").await;
    wait_text(&client, "#history", "电话回访，已联系上，属实，合理").await;
    wait_text(&client, "#history", "已电话回访").await;
}

async fn handler_journey(js: Js) {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await;
    bad_review(&server).await;
    let base = server.base.clone();
    journey(js, move |client| handle(client, base, handler, js)).await;
    assert_eq!(server.tickets_in("verified").await, 1);
    let reveals = sqlx_count(
        &server.state,
        "SELECT count(*) FROM audit_log WHERE action = 'reveal_phone'",
    )
    .await;
    // Without JavaScript the reveal is logged, and so is the page that shows it (a page the
    // browser fetches again is logged again: more entries are possible, never fewer).
    let views = if js == Js::On { 1 } else { 2 };
    assert!(
        reveals >= views,
        "every view logged, none without one: {reveals}"
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
    let page = server.get("/staff/tickets").await;
    assert_eq!(page.status(), 401);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("请先登录") && !html.contains("县不动产登记中心"),
        "no ticket data"
    );
    let detail = server.get("/staff/tickets/1").await;
    assert_eq!(detail.status(), 401);
    let forged = server
        .http
        .post(server.url("/staff/tickets/1"))
        .header("cookie", "hcp_staff=forged")
        .send()
        .await
        .unwrap();
    assert!(forged.status().is_client_error());
    assert_eq!(server.tickets_in("open").await, 1);
}

#[tokio::test]
async fn every_management_function_refuses_other_departments_and_strangers() {
    use app::api::{
        PosterWindows,
        admin::{
            AdminCreateAccount, AdminNewTotp, AdminSetDeadlines, AdminSetDisclosure,
            AdminSetHolidays, AdminUnlock, AdminView,
            notify::{AdminNotify, AdminNotifySettings, AdminNotifyTarget},
        },
        organisation::{OrgSave, OrgSetActive, OrganisationView},
        report::{HeatMap, MonthlyReport},
        staff::{
            DepartmentOverview, LoadTicket, MyTickets, OwnRatings, RecordVisit, RevealPhone,
            StaffLogout, TicketStep, Whoami,
        },
    };
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await;
    let ticket = bad_review(&server).await.to_string();
    server.add_department("GA", "县公安局").await;
    let other = server.handler("ga", "GA").await;
    let clerk = server.clerk("clerk", "BDC", None).await;
    server.administrator("admin").await;

    let mut callers = vec![("nobody", SignedIn::default())];
    for (name, staff) in [("ga", &other), ("clerk", &clerk)] {
        callers.push((name, server.sign_in(staff).await));
    }
    for (who, session) in &callers {
        let csrf = &session.csrf;
        let csrf_only = vec![("csrf", csrf.clone())];
        let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
            (MyTickets::PATH, vec![]),
            (LoadTicket::PATH, vec![("id", ticket.clone())]),
            (
                TicketStep::PATH,
                vec![
                    ("id", ticket.clone()),
                    ("action", "record_check".into()),
                    ("note", "x".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                RecordVisit::PATH,
                vec![
                    ("id", ticket.clone()),
                    ("at", tests::now_local()),
                    ("method", "phone".into()),
                    ("reached", "yes".into()),
                    ("substantiated", "yes".into()),
                    ("reasonable", "yes".into()),
                    ("note", "已电话回访群众".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                RevealPhone::PATH,
                vec![("id", ticket.clone()), ("csrf", csrf.clone())],
            ),
            (DepartmentOverview::PATH, vec![]),
            (PosterWindows::PATH, vec![]),
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
                    ("scope", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                AdminUnlock::PATH,
                vec![("id", "1".into()), ("csrf", csrf.clone())],
            ),
            (
                OrgSave::PATH,
                vec![
                    ("kind", "department".into()),
                    ("mode", "new".into()),
                    ("code", "X".into()),
                    ("name", "冒名部门".into()),
                    ("region", "341125".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                OrgSetActive::PATH,
                vec![
                    ("kind", "department".into()),
                    ("code", "BDC".into()),
                    ("active", "0".into()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (OrganisationView::PATH, vec![("search", String::new())]),
            (AdminNotify::PATH, vec![]),
            (
                AdminNotifySettings::PATH,
                vec![
                    ("invite_enabled", "1".into()),
                    ("invite_after_days", "3".into()),
                    ("invite_reminders", "1".into()),
                    ("invite_spacing_days", "3".into()),
                    ("quiet_start", "21".into()),
                    ("quiet_end", "8".into()),
                    ("default_after_days", "7".into()),
                    ("default_level", "5".into()),
                    ("sms_kind", "off".into()),
                    ("sms_url", String::new()),
                    ("sms_account", String::new()),
                    ("sms_secret", String::new()),
                    ("sms_template", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
            (
                AdminNotifyTarget::PATH,
                vec![
                    ("department", "BDC".into()),
                    ("robot_url", "http://10.0.0.9/robot".into()),
                    ("robot_secret", String::new()),
                    ("contact_phone", String::new()),
                    ("csrf", csrf.clone()),
                ],
            ),
        ];
        // Anyone signed in may read who they are and sign out; nobody may not.
        if who == &"nobody" {
            for path in [Whoami::PATH, StaffLogout::PATH] {
                let (status, _) = server.call(path, session, &csrf_only).await;
                assert_eq!(status, 401, "{path}");
            }
        }
        for (path, form) in calls {
            let (status, body) = server.call(path, session, &form).await;
            // Another department's handler may list tickets, and sees none of this one; a clerk
            // without a staff record is told so (409) and sees nothing.
            let empty_list = path == MyTickets::PATH && status == 200 && body == "[]";
            let unlinked = path == OwnRatings::PATH && *who == "clerk" && status == 409;
            assert!(
                matches!(status, 401 | 403 | 404) || empty_list || unlinked,
                "{who} {path}: {status} {body}"
            );
            assert!(
                !body.contains("13600136000")
                    && !body.contains("县不动产登记中心")
                    && !body.contains("/w/"),
                "{who} {path} leaked: {body}"
            );
        }
    }
    // The right handler with a forged CSRF token is refused too.
    let session = server.sign_in(&handler).await;
    let form = vec![
        ("id", ticket.clone()),
        ("at", tests::now_local()),
        ("method", "phone".into()),
        ("reached", "yes".into()),
        ("substantiated", "yes".into()),
        ("reasonable", "yes".into()),
        ("note", "已电话回访群众".into()),
        ("csrf", "forged".into()),
    ];
    assert_eq!(server.call(RecordVisit::PATH, &session, &form).await.0, 403);
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM return_visit").await,
        0
    );
    let s = &server.state;
    assert_eq!(server.tickets_in("open").await, 1);
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

async fn decide(client: Client, base: String, supervisor: Staff, js: Js) {
    sign_in(&client, &base, &supervisor, js).await;
    // The supervisor starts from the overview: one appeal waits in 县不动产登记中心.
    wait_text(&client, "summary", "超时未办 0 件").await;
    click(&client, "main p a[href='/staff/tickets']").await;
    click(&client, "table.tickets a").await;
    wait_text(&client, "#ticket-state", "申诉复核中").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    fill(&client, "#note-decide_appeal_upheld", "回访录音证实系误评").await;
    click_button(&client, "申诉成立").await;
    wait_text(&client, "#ticket-state", "已办结").await;
}

async fn supervisor_journey(js: Js) {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let ticket = bad_review(&server).await;
    let supervisor = server.supervisor("jiandu").await;
    let s = &server.state;
    tests::reached_visit(s, handler, ticket, "已电话回访群众")
        .await
        .unwrap();
    tests::file_appeal(s, handler, ticket, "误评")
        .await
        .unwrap();
    let base = server.base.clone();
    journey(js, move |client| decide(client, base, supervisor, js)).await;
    assert_eq!(server.invalidations().await, 1);
    assert_eq!(server.evaluations().await, 1, "never deleted");
}

#[tokio::test]
async fn a_supervisor_upholds_an_appeal_without_javascript() {
    supervisor_journey(Js::Off).await;
}

#[tokio::test]
async fn a_supervisor_upholds_an_appeal_in_the_hydrated_site() {
    supervisor_journey(Js::On).await;
}
