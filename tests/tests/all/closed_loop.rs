//! The closed loop end to end in the browser, and the parts around it: complex complaints, 超时督办,
//! the supervisor's overview, a window clerk's own ratings, signing out.

use domain::{
    access::{Actor, Role},
    ticket::TicketAction,
};
use fantoccini::{Client, Locator};
use server::platform::crypto::hash_password;
use tests::{
    TestServer,
    browser::{Js, click_button, click_label, find, journey, sign_in, wait_text},
    sqlx_count,
};

const SUPERVISOR_SECRET: &[u8] = b"supervisor-secret-20";

/// The demo-like cast: a handler of 县不动产登记中心 and a supervisor with an authenticator.
async fn cast(server: &TestServer) -> Actor {
    let s = &server.state;
    let bdc = sqlx_count(s, "SELECT id FROM department WHERE code = 'BDC'").await;
    let handler = s
        .store
        .insert_account("bdc", &hash_password("s3cret-pass"), "handler", Some(bdc))
        .await
        .unwrap();
    let sealed = s.secrets.encrypt_bytes(SUPERVISOR_SECRET);
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
    Actor {
        account_id: handler,
        role: Role::Handler,
        department_id: Some(bdc),
    }
}

/// The authenticator's code now.
fn totp_now(secret: &[u8]) -> String {
    format!(
        "{:06}",
        domain::totp::code_at(secret, server::platform::db::now_ms() / 1000)
    )
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let field = find(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// A handler step: the note, then the button.
async fn step(client: &Client, action: &str, label: &str, note: &str, then: &str) {
    type_into(client, &format!("#note-{action}"), note).await;
    click_button(client, label).await;
    wait_text(client, "ticket-state", then).await;
}

async fn sign_out(client: &Client) {
    click_button(client, "退出登录").await;
    find(client, "#username").await;
}

async fn open_the_ticket(client: &Client, js: Js) {
    find(client, "table.tickets a").await.click().await.unwrap();
    find(client, "#ticket-state").await;
    if js == Js::On {
        find(client, "#hydrated[data-hydrated=true]").await;
    }
}

async fn citizen_rates_the_fix(client: &Client, base: &str, code: &str, choice: &str) {
    client.goto(&format!("{base}/t/{code}")).await.unwrap();
    click_label(client, choice).await;
    click_button(client, "提交整改评价").await;
}

/// One 差评 from the citizen's phone to the citizen's verdict on the fix, with one round of 不满意
/// that reopens the ticket and shows on the supervisor's overview.
async fn whole_loop(client: Client, base: String, link: String, js: Js) {
    // The citizen rates the service badly and leaves a number for the return visit.
    client.goto(&link).await.unwrap();
    if js == Js::On {
        find(&client, "html.js form#rate").await;
    }
    click_label(&client, "不满意").await;
    click_label(&client, "窗口人员业务不熟练").await;
    type_into(&client, "#phone", "13600136000").await;
    client
        .find(Locator::Css("form#rate button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let code = find(&client, "#tracking-code").await.text().await.unwrap();

    // The handler calls back, fixes it at once, records it and replies.
    sign_in(&client, &base, "bdc", "", js).await;
    open_the_ticket(&client, js).await;
    wait_text(&client, "ticket-state", "待回访核实").await;
    click_button(&client, "查看联系电话（回访用，将记录查看日志）").await;
    wait_text(&client, "phone", "13600136000").await;
    step(
        &client,
        "record_visit",
        "记录回访",
        "已电话回访，情况属实",
        "已核实",
    )
    .await;
    step(&client, "triage_fix_now", "立行立改", "当场补正", "整改中").await;
    let fix = "已组织窗口人员业务培训";
    step(&client, "record_rectification", "记录整改", fix, "待回复").await;
    let reply = "已整改，感谢您的监督";
    step(&client, "reply", "答复群众", reply, "已回复").await;
    sign_out(&client).await;

    // The citizen reads the reply and is not satisfied: reopened and raised.
    client.goto(&format!("{base}/t/{code}")).await.unwrap();
    wait_text(&client, "tracking", reply).await;
    citizen_rates_the_fix(&client, &base, &code, "不满意（将重新办理并督办）").await;
    wait_text(&client, "tracking", "重新办理").await;

    // The supervisor sees it raised on the overview.
    let supervisor_code = totp_now(SUPERVISOR_SECRET);
    sign_in(&client, &base, "jiandu", &supervisor_code, js).await;
    wait_text(&client, "summary", "督办中 1 件").await;
    sign_out(&client).await;

    // The handler takes it again; this time the citizen is satisfied.
    sign_in(&client, &base, "bdc", "", js).await;
    open_the_ticket(&client, js).await;
    wait_text(&client, "ticket-state", "重新办理").await;
    step(
        &client,
        "triage_fix_now",
        "立行立改",
        "科长带班复查",
        "整改中",
    )
    .await;
    let fix = "安排专人全程帮办";
    step(&client, "record_rectification", "记录整改", fix, "待回复").await;
    step(&client, "reply", "答复群众", "已再次整改", "已回复").await;
    sign_out(&client).await;
    citizen_rates_the_fix(&client, &base, &code, "满意").await;
    wait_text(&client, "tracking", "已办结").await;
}

async fn whole_loop_in(js: Js) {
    let server = TestServer::start().await;
    cast(&server).await;
    let link = server.rating_link("LOOP-1").await;
    let base = server.base.clone();
    journey(js, move |client| whole_loop(client, base, link, js)).await;
    let s = &server.state;
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM ticket_event WHERE ticket_id = (SELECT id FROM ticket) ORDER BY id",
    )
    .fetch_all(s.store.pool())
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "open",
            "record_visit",
            "triage_fix_now",
            "record_rectification",
            "reply",
            "rate_fix_dissatisfied",
            "triage_fix_now",
            "record_rectification",
            "reply",
            "rate_fix_satisfied"
        ]
    );
    assert_eq!(
        sqlx_count(s, "SELECT escalated FROM ticket").await,
        1,
        "不满意 raised it"
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action IN ('record_visit', 'triage_fix_now', 'record_rectification', 'reply')"
        )
        .await,
        7,
        "every staff step audited"
    );
}

#[tokio::test]
async fn a_bad_review_goes_round_the_whole_loop_without_javascript() {
    whole_loop_in(Js::Off).await;
}

#[tokio::test]
async fn a_bad_review_goes_round_the_whole_loop_in_the_hydrated_site() {
    whole_loop_in(Js::On).await;
}

/// Files a complaint as a citizen would; returns its tracking code.
async fn complaint(server: &TestServer) -> String {
    let department = sqlx_count(
        &server.state,
        "SELECT id FROM department WHERE code = 'BDC'",
    )
    .await;
    let draft = domain::complaint::ComplaintDraft {
        department: Some(department),
        service_item: None,
        description: "窗口中午无人，等了一个小时".into(),
        phone: String::new(),
    };
    server::features::complaint::submit(&server.state, &draft, "device-1")
        .await
        .unwrap()
}

#[tokio::test]
async fn a_complex_complaint_gets_the_longer_reply_deadline_once() {
    let server = TestServer::start().await;
    let handler = cast(&server).await;
    complaint(&server).await;
    let s = &server.state;
    let ticket = sqlx_count(s, "SELECT id FROM ticket").await;
    let opened = sqlx_count(s, "SELECT opened_at FROM ticket").await;
    let due = || sqlx_count(s, "SELECT reply_due_at FROM ticket");
    assert_eq!(Some(due().await), s.deadline_from(opened, 2));

    let act =
        |action| server::features::ticket::act(s, handler, ticket, action, Some("涉及多部门"));
    act(TicketAction::MarkComplex).await.unwrap();
    assert_eq!(Some(due().await), s.deadline_from(opened, 5));
    assert!(due().await > s.deadline_from(opened, 2).unwrap());
    let again = act(TicketAction::MarkComplex).await;
    assert!(
        matches!(
            again,
            Err(server::features::ticket::TicketActError::Refused(
                domain::ticket::TicketError::AlreadyComplex
            ))
        ),
        "{again:?}"
    );

    // A bad review is not a complaint: the step is not offered and is refused.
    let link = server.rating_link("BAD-1").await;
    let body = serde_json::json!({ "level": 2, "reasons": [213] });
    server.http.post(&link).json(&body).send().await.unwrap();
    let review = sqlx_count(s, "SELECT id FROM ticket WHERE kind = 'bad_review'").await;
    let detail = server::features::ticket::detail(s, handler, review)
        .await
        .unwrap();
    assert!(
        !server::features::ticket::available_actions(handler, &detail)
            .contains(&TicketAction::MarkComplex)
    );
}

#[tokio::test]
async fn overdue_tickets_are_raised_to_the_supervisor_once() {
    use server::features::ticket::{TicketActError, escalate_overdue, overview};
    let server = TestServer::start().await;
    let handler = cast(&server).await;
    let s = &server.state;
    let link = server.rating_link("LATE-1").await;
    let body = serde_json::json!({ "level": 2, "reasons": [213] });
    server.http.post(&link).json(&body).send().await.unwrap();
    let ticket = sqlx_count(s, "SELECT id FROM ticket").await;
    let now = server::platform::db::now_ms();
    assert_eq!(escalate_overdue(s, now).await.unwrap(), Vec::<i64>::new());
    // The handler's list says how many working days are left for the first contact.
    let cookie = http_sign_in(&server, "bdc").await;
    let list = server
        .http
        .get(server.url("/staff/tickets"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("剩余 1 个工作日") || list.contains("剩余 2 个工作日"),
        "{list}"
    );

    // A month later the first contact is long overdue.
    let later = now + 30 * 86_400_000;
    assert_eq!(escalate_overdue(s, later).await.unwrap(), vec![ticket]);
    assert_eq!(escalate_overdue(s, later).await.unwrap(), Vec::<i64>::new());
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM ticket_event WHERE action = 'escalate_overdue' AND actor = 'system'"
        )
        .await,
        1
    );
    let supervisor = Actor {
        account_id: sqlx_count(s, "SELECT id FROM account WHERE username = 'jiandu'").await,
        role: Role::Supervisor,
        department_id: None,
    };
    let loads = overview(s, supervisor).await.unwrap();
    assert_eq!(loads.len(), 1);
    assert_eq!((loads[0].open, loads[0].escalated), (1, 1));
    assert!(matches!(
        overview(s, handler).await,
        Err(TicketActError::Forbidden)
    ));
    // A replied ticket is not raised: nothing is due from staff.
    for action in [
        TicketAction::RecordCheckWithoutContact,
        TicketAction::Triage(domain::ticket::Triage::Explain),
        TicketAction::Reply,
    ] {
        server::features::ticket::act(s, handler, ticket, action, Some("说明"))
            .await
            .unwrap();
    }
    assert_eq!(
        escalate_overdue(s, later + 86_400_000).await.unwrap(),
        Vec::<i64>::new()
    );
}

/// Signs in over HTTP as a browser without JavaScript would; returns the session cookie.
async fn http_sign_in(server: &TestServer, user: &str) -> String {
    use app::api::staff::StaffLogin;
    use leptos::server_fn::ServerFn;
    let form = [
        ("username", user),
        ("password", "s3cret-pass"),
        ("code", ""),
    ];
    let response = server
        .http
        .post(server.url(StaffLogin::PATH))
        .header("accept", "text/html")
        .header("referer", server.url("/staff/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    tests::cookie_of(&response)
}

#[tokio::test]
async fn a_window_clerk_sees_their_own_ratings_and_nothing_else() {
    let server = TestServer::start().await;
    let s = &server.state;
    let bdc = sqlx_count(s, "SELECT id FROM department WHERE code = 'BDC'").await;
    let clerk = s
        .store
        .insert_account(
            "wangfang",
            &hash_password("s3cret-pass"),
            "window_staff",
            Some(bdc),
        )
        .await
        .unwrap();
    sqlx::query(
        "UPDATE account SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S001') WHERE id = ?",
    )
    .bind(clerk)
    .execute(s.store.pool())
    .await
    .unwrap();
    s.store
        .insert_staff(bdc, None, "S002", "李强")
        .await
        .unwrap();
    // One rating of 王芳's service (with the evaluator's phone), one of 李强's.
    let mine = server.rating_link("OWN-1").await;
    let body = serde_json::json!({ "level": 2, "reasons": [213], "comment": "等候太久", "phone": "13600136000" });
    server.http.post(&mine).json(&body).send().await.unwrap();
    let mut other = tests::occurrence("OTHER-1");
    other["staff"] = "S002".into();
    let registered: serde_json::Value = server.register(other).await.json().await.unwrap();
    let body = serde_json::json!({ "level": 5 });
    server
        .http
        .post(registered["rating_url"].as_str().unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();

    let cookie = http_sign_in(&server, "wangfang").await;
    let page = server
        .http
        .get(server.url("/staff/ratings"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("S001 王芳"), "{html}");
    assert!(html.contains("等候太久") && html.contains("不满意 1"));
    assert!(html.contains("非常满意 0"), "李强's rating is not 王芳's");
    assert!(
        !html.contains("13600136000") && !html.contains("136****6000"),
        "no phone"
    );
    // A clerk has no tickets to handle.
    let tickets = server
        .http
        .get(server.url("/staff/tickets"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(tickets.status(), 403);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    use app::api::staff::StaffLogout;
    use leptos::server_fn::ServerFn;
    let server = TestServer::start().await;
    cast(&server).await;
    let cookie = http_sign_in(&server, "bdc").await;
    let tickets = || {
        server
            .http
            .get(server.url("/staff/tickets"))
            .header("cookie", &cookie)
            .send()
    };
    assert_eq!(tickets().await.unwrap().status(), 200);
    let csrf: String = sqlx::query_scalar("SELECT csrf_token FROM session")
        .fetch_one(server.state.store.pool())
        .await
        .unwrap();
    let forged = server
        .http
        .post(server.url(StaffLogout::PATH))
        .header("cookie", &cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "another site cannot sign staff out");
    let out = server
        .http
        .post(server.url(StaffLogout::PATH))
        .header("cookie", &cookie)
        .header("accept", "text/html")
        .header("referer", server.url("/staff/tickets"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(out.status().is_redirection());
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(
        tickets().await.unwrap().status(),
        401,
        "the old cookie is dead"
    );
}

#[tokio::test]
async fn tickets_without_a_deadline_yet_do_not_break_the_overview() {
    // Late in December the next year's holidays may not be entered yet: tickets open without a
    // deadline ("时限待定"), and the supervisor's overview still reads.
    let server = TestServer::start().await;
    cast(&server).await;
    let s = &server.state;
    let link = server.rating_link("NODUE-1").await;
    let body = serde_json::json!({ "level": 2, "reasons": [213] });
    server.http.post(&link).json(&body).send().await.unwrap();
    sqlx::query("UPDATE ticket SET contact_due_at = NULL")
        .execute(s.store.pool())
        .await
        .unwrap();
    let supervisor = Actor {
        account_id: sqlx_count(s, "SELECT id FROM account WHERE username = 'jiandu'").await,
        role: Role::Supervisor,
        department_id: None,
    };
    let loads = server::features::ticket::overview(s, supervisor)
        .await
        .unwrap();
    assert_eq!((loads[0].open, loads[0].overdue), (1, 0));
    let raised = server::features::ticket::escalate_overdue(
        s,
        server::platform::db::now_ms() + 86_400_000 * 60,
    )
    .await
    .unwrap();
    assert!(raised.is_empty(), "no deadline, nothing overdue");
}
