//! The closed loop end to end in the browser, and the parts around it: complex complaints, 超时督办,
//! the supervisor's overview, a window clerk's own ratings, signing out.

use domain::ticket::TicketAction;
use domain::time::Timestamp;
use fantoccini::Client;
use serde_json::json;
use tests::{
    TestServer,
    browser::{Js, click, click_button, click_label, fill, find, journey, sign_in, wait_text},
    fixtures::Staff,
    sqlx_count,
};

/// The demo-like cast: a handler of 县不动产登记中心 and a supervisor with an authenticator.
struct Cast {
    handler: Staff,
    supervisor: Staff,
}

async fn cast(server: &TestServer) -> Cast {
    Cast {
        handler: server.handler("bdc", "BDC").await,
        supervisor: server.supervisor("jiandu").await,
    }
}

/// A handler step: the note, then the button.
async fn step(client: &Client, action: &str, label: &str, note: &str, then: &str) {
    fill(client, &format!("#note-{action}"), note).await;
    click_button(client, label).await;
    wait_text(client, "ticket-state", then).await;
}

async fn sign_out(client: &Client) {
    click_button(client, "退出登录").await;
    find(client, "#username").await;
}

async fn open_the_ticket(client: &Client, js: Js) {
    click(client, "table.tickets a").await;
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
async fn whole_loop(client: Client, base: String, link: String, cast: Cast, js: Js) {
    let Cast {
        handler,
        supervisor,
    } = cast;
    // The citizen rates the service badly and leaves a number for the return visit.
    client.goto(&link).await.unwrap();
    if js == Js::On {
        find(&client, "html.js form#rate").await;
    }
    click_label(&client, "不满意").await;
    click_label(&client, "窗口人员业务不熟练").await;
    fill(&client, "#phone", "13600136000").await;
    click(&client, "form#rate button[type=submit]").await;
    let code = find(&client, "#tracking-code").await.text().await.unwrap();

    // The handler calls back, fixes it at once, records it and replies.
    sign_in(&client, &base, &handler, js).await;
    open_the_ticket(&client, js).await;
    wait_text(&client, "ticket-state", "待回访核实").await;
    click_button(&client, "查看联系电话（回访用，将记录查看日志）").await;
    wait_text(&client, "phone", "13600136000").await;
    tests::browser::record_reached_visit(&client, "已电话回访，情况属实").await;
    wait_text(&client, "ticket-state", "已核实").await;
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
    // The state, not the form's own words "将重新办理": the answer to the post has arrived.
    wait_text(&client, "tracking", "重新办理（督办）").await;

    // The supervisor sees it raised on the overview.
    sign_in(&client, &base, &supervisor, js).await;
    wait_text(&client, "summary", "督办中 1 件").await;
    sign_out(&client).await;

    // The handler takes it again; this time the citizen is satisfied.
    sign_in(&client, &base, &handler, js).await;
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
    let cast = cast(&server).await;
    let handler = cast.handler.actor;
    let link = server.rating_link("LOOP-1").await;
    let base = server.base.clone();
    journey(js, move |client| whole_loop(client, base, link, cast, js)).await;
    let s = &server.state;
    let ticket = sqlx_count(s, "SELECT id FROM ticket").await;
    let detail = server::features::ticket::detail(s, handler, ticket)
        .await
        .unwrap();
    let events: Vec<&str> = detail.events.iter().map(|e| e.action.as_str()).collect();
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
    assert!(detail.item.escalated, "不满意 raised it");
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
    let draft = domain::complaint::ComplaintDraft {
        department: Some(server.department("BDC").await),
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
    let handler = cast(&server).await.handler.actor;
    let code = complaint(&server).await;
    let s = &server.state;
    let ticket = server.ticket_of(&code).await;
    let opened = Timestamp::from_unix_ms(sqlx_count(s, "SELECT opened_at FROM ticket").await);
    let due = || async {
        Timestamp::from_unix_ms(sqlx_count(s, "SELECT reply_due_at FROM ticket").await)
    };
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
    let bad = server
        .rate("BAD-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    let review = server.ticket_of(&bad.tracking_code).await;
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
    let Cast {
        handler,
        supervisor,
    } = cast(&server).await;
    let s = &server.state;
    let late = server
        .rate("LATE-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    let ticket = server.ticket_of(&late.tracking_code).await;
    let now = server::platform::db::now_ms();
    assert_eq!(escalate_overdue(s, now).await.unwrap(), Vec::<i64>::new());
    // The handler's list says how many working days are left for the first contact.
    let session = server.sign_in(&handler).await;
    let list = server.page_as("/staff/tickets", &session).await;
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
    let loads = overview(s, supervisor.actor).await.unwrap();
    assert_eq!(loads.len(), 1);
    assert_eq!((loads[0].open, loads[0].escalated), (1, 1));
    assert!(matches!(
        overview(s, handler.actor).await,
        Err(TicketActError::Forbidden)
    ));
    // The case carries the applicant's registered phone: a 实名 差评 needs a return visit.
    tests::reached_visit(s, handler.actor, ticket, "已电话回访说明")
        .await
        .unwrap();
    for action in [
        TicketAction::Triage(domain::ticket::Triage::Explain),
        TicketAction::Reply,
    ] {
        server::features::ticket::act(s, handler.actor, ticket, action, Some("已电话回访说明"))
            .await
            .unwrap();
    }
    // Replied: nothing is due from staff while the citizen may still rate the fix (5 working
    // days); after that the supervisor is raised, once, to close it.
    assert_eq!(
        escalate_overdue(s, now + 86_400_000).await.unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(
        escalate_overdue(s, later + 86_400_000).await.unwrap(),
        vec![ticket]
    );
    assert_eq!(
        escalate_overdue(s, later + 86_400_000).await.unwrap(),
        Vec::<i64>::new()
    );
}

#[tokio::test]
async fn a_window_clerk_sees_their_own_ratings_and_nothing_else() {
    use app::api::staff::{RecordVisit, TicketStep};
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let clerk = server.clerk("wangfang", "BDC", Some("S001")).await;
    let bdc = server.department("BDC").await;
    server
        .state
        .store
        .insert_staff(domain::ids::DepartmentId(bdc), None, "S002", "李强")
        .await
        .unwrap();
    // 王芳's service: a 差评 with words (and the evaluator's phone), a 好评 with words; 李强's: one.
    let body =
        json!({ "level": 2, "reasons": [213], "comment": "等候太久", "phone": "13600136000" });
    let bad = server.rate("OWN-1", body).await;
    server
        .rate("OWN-2", json!({ "level": 5, "comment": "讲解耐心细致" }))
        .await;
    let mut other = tests::occurrence("OTHER-1");
    other["staff"] = "S002".into();
    let link = server.link_for(other).await;
    server.rate_link(&link, json!({ "level": 5 })).await;

    let session = server.sign_in(&clerk).await;
    let own_page = || async {
        let page = server.get_as("/staff/ratings", &session).await;
        assert_eq!(page.status(), 200);
        page.text().await.unwrap()
    };
    let html = own_page().await;
    assert!(html.contains("S001 王芳"), "{html}");
    assert!(
        html.contains("不满意 1") && html.contains("非常满意 1"),
        "{html}"
    );
    assert!(
        html.contains("窗口人员业务不熟练 1"),
        "reasons counted: {html}"
    );
    assert!(html.contains("讲解耐心细致"), "a 好评's words are shown");
    // The 差评's words wait for its ticket to close, and no rating's time is shown, only its day.
    assert!(
        !html.contains("等候太久"),
        "withheld while the ticket is open"
    );
    assert!(html.contains("另有1条差评意见"), "{html}");
    let created: Vec<i64> = sqlx::query_scalar("SELECT created_at FROM evaluation")
        .fetch_all(server.state.store.pool())
        .await
        .unwrap();
    for at in created {
        let at = domain::time::Timestamp::from_unix_ms(at);
        assert!(!html.contains(&at.to_string()), "no time {at}");
        assert!(html.contains(&at.date_cst().to_string()), "the day {at}");
    }
    assert!(
        !html.contains("13600136000") && !html.contains("136****6000"),
        "no phone"
    );
    // A clerk has no tickets to handle.
    let tickets = server.get_as("/staff/tickets", &session).await;
    assert_eq!(tickets.status(), 403);

    // Once the ticket is closed (visited, explained, replied, the fix rated), the words show.
    let handler = server.handler("bdc", "BDC").await;
    let handling = server.sign_in(&handler).await;
    let ticket = server.ticket_of(&bad.tracking_code).await.to_string();
    let visit = [
        ("id", ticket.clone()),
        ("at", tests::now_local()),
        ("method", "phone".to_owned()),
        ("reached", "yes".to_owned()),
        ("substantiated", "yes".to_owned()),
        ("reasonable", "no".to_owned()),
        ("note", "已电话回访并说明情况".to_owned()),
        ("csrf", handling.csrf.clone()),
    ];
    let (status, body) = server.call(RecordVisit::PATH, &handling, &visit).await;
    assert_eq!(status, 200, "visit: {body}");
    for action in ["triage_explain", "reply"] {
        let form = [
            ("id", ticket.clone()),
            ("action", action.to_owned()),
            ("note", "已电话回访并说明情况".to_owned()),
            ("csrf", handling.csrf.clone()),
        ];
        let (status, body) = server.call(TicketStep::PATH, &handling, &form).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let rated = server
        .post_form(
            &format!("/t/{}", bad.tracking_code),
            &[("rating", "satisfied")],
        )
        .await;
    assert!(rated.status().is_success() || rated.status().is_redirection());
    assert_eq!(server.tickets_in("closed").await, 1);
    assert!(own_page().await.contains("等候太久"), "shown once closed");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    use app::api::staff::StaffLogout;
    use leptos::server_fn::ServerFn;
    let server = TestServer::start().await;
    let handler = cast(&server).await.handler;
    let session = server.sign_in(&handler).await;
    let tickets = || server.get_as("/staff/tickets", &session);
    assert_eq!(tickets().await.status(), 200);
    let forged = server
        .http
        .post(server.url(StaffLogout::PATH))
        .header("cookie", &session.cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "another site cannot sign staff out");
    let out = server
        .http
        .post(server.url(StaffLogout::PATH))
        .header("cookie", &session.cookie)
        .header("accept", "text/html")
        .header("referer", server.url("/staff/tickets"))
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(out.status().is_redirection());
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(tickets().await.status(), 401, "the old cookie is dead");
}

#[tokio::test]
async fn tickets_without_a_deadline_yet_do_not_break_the_overview() {
    // Late in December the next year's holidays may not be entered yet: tickets open without a
    // deadline ("时限待定"), and the supervisor's overview still reads.
    let server = TestServer::start().await;
    let supervisor = cast(&server).await.supervisor;
    let s = &server.state;
    server
        .rate("NODUE-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    sqlx::query("UPDATE ticket SET contact_due_at = NULL")
        .execute(s.store.pool())
        .await
        .unwrap();
    let loads = server::features::ticket::overview(s, supervisor.actor)
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
