//! The closed loop behind the management end: log-in, ticket steps with their record, the phone
//! for the return visit, appeals. Against the real store and services (pages come next).

use domain::{
    access::Role,
    ticket::{FixRating, TicketAction as A, TicketError, TicketState as S, Triage},
};
use serde_json::json;
use server::{
    features::ticket::{self, TicketActError},
    platform::auth::{self, LoginError},
};
use tests::{TestServer, reached_visit, sqlx_count};

/// A 差评 with a phone: returns its ticket id.
async fn bad_review(server: &TestServer, case: &str) -> i64 {
    let body = json!({ "level": 1, "reasons": [115], "phone": "13600136000" });
    let rated = server.rate(case, body).await;
    server.ticket_of(&rated.tracking_code).await
}

#[tokio::test]
async fn a_handler_takes_a_bad_review_to_the_citizens_verdict_with_every_step_on_record() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let ticket = bad_review(&server, "L-1").await;
    let s = &server.state;

    assert_eq!(
        ticket::act(s, handler, ticket, A::RecordCheckWithoutContact, None)
            .await
            .unwrap_err()
            .to_string(),
        TicketActError::Refused(TicketError::VisitRequired).to_string(),
        "real-name: a visit is owed"
    );
    assert_eq!(
        ticket::reveal_phone(s, handler, ticket)
            .await
            .unwrap()
            .as_deref(),
        Some("13600136000")
    );
    assert_eq!(
        reached_visit(s, handler, ticket, "已电话回访，群众反映排队久")
            .await
            .unwrap(),
        S::Verified
    );
    assert_eq!(
        ticket::act(s, handler, ticket, A::Triage(Triage::FixNow), None)
            .await
            .unwrap(),
        S::Rectifying
    );
    assert!(
        matches!(
            ticket::reveal_phone(s, handler, ticket).await,
            Err(TicketActError::Forbidden)
        ),
        "only while a visit is due"
    );
    assert_eq!(
        ticket::act(
            s,
            handler,
            ticket,
            A::RecordRectification,
            Some("增开午间窗口")
        )
        .await
        .unwrap(),
        S::AwaitingReply
    );
    assert!(
        matches!(
            ticket::act(s, handler, ticket, A::RateFix(FixRating::Satisfied), None).await,
            Err(TicketActError::Forbidden)
        ),
        "staff never rate for the citizen"
    );
    assert_eq!(
        ticket::act(s, handler, ticket, A::Reply, Some("已整改并答复"))
            .await
            .unwrap(),
        S::Replied
    );

    let events = sqlx_count(
        s,
        &format!("SELECT count(*) FROM ticket_event WHERE ticket_id = {ticket}"),
    )
    .await;
    assert_eq!(events, 5, "open + four steps");
    let audited = sqlx_count(
        s,
        &format!(
            "SELECT count(*) FROM audit_log WHERE account_id = {}",
            handler.account_id
        ),
    )
    .await;
    assert_eq!(
        audited, 5,
        "four steps and the one phone view that was allowed"
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action = 'reveal_phone'"
        )
        .await,
        1
    );
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(s.store.pool())
            .await
            .is_err(),
        "append-only"
    );
}

#[tokio::test]
async fn nobody_handles_another_departments_ticket() {
    let server = TestServer::start().await;
    server.add_department("GA", "县公安局").await;
    let other = server.handler("ga", "GA").await.actor;
    let clerk = server.clerk("clerk", "BDC", None).await.actor;
    let ticket = bad_review(&server, "L-2").await;
    for actor in [other, clerk] {
        assert!(matches!(
            reached_visit(&server.state, actor, ticket, "已电话回访核实").await,
            Err(TicketActError::NotFound)
        ));
        assert!(matches!(
            ticket::reveal_phone(&server.state, actor, ticket).await,
            Err(TicketActError::NotFound)
        ));
    }
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM audit_log").await,
        0
    );
    assert_eq!(server.tickets_in("open").await, 1);
}

#[tokio::test]
async fn an_upheld_appeal_invalidates_the_review_without_touching_it() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let supervisor = server.supervisor("jd").await.actor;
    let ticket = bad_review(&server, "L-3").await;
    let s = &server.state;
    reached_visit(s, handler, ticket, "回访：误点差评")
        .await
        .unwrap();
    tests::file_appeal(s, handler, ticket, "群众确认误评")
        .await
        .unwrap();
    assert!(matches!(
        ticket::act(s, handler, ticket, A::DecideAppeal { upheld: true }, None).await,
        Err(TicketActError::Forbidden)
    ));
    assert_eq!(
        ticket::act(
            s,
            supervisor,
            ticket,
            A::DecideAppeal { upheld: true },
            Some("误评，申诉成立")
        )
        .await
        .unwrap(),
        S::Closed
    );
    assert_eq!(server.invalidations().await, 1);
    assert_eq!(
        sqlx_count(s, "SELECT level FROM evaluation").await,
        1,
        "the evaluation is unchanged"
    );
}

#[tokio::test]
async fn repeated_failed_log_ins_make_the_account_wait() {
    let server = TestServer::start().await;
    server.handler("bdc", "BDC").await;
    let s = &server.state;
    assert!(matches!(
        auth::login(s, "nobody", "x", "").await,
        Err(LoginError::Invalid)
    ));
    for _ in 0..5 {
        assert!(matches!(
            auth::login(s, "bdc", "wrong", "").await,
            Err(LoginError::Invalid)
        ));
    }
    assert!(
        matches!(
            auth::login(s, "bdc", "s3cret-pass", "").await,
            Err(LoginError::Invalid)
        ),
        "even the right password waits after five failures"
    );

    server.handler("ga", "BDC").await;
    let session = auth::login(s, "ga", "s3cret-pass", "").await.unwrap();
    let actor = auth::actor(s, &session.token).await.unwrap().unwrap();
    assert_eq!(actor.role, Role::Handler);
    assert_eq!(auth::actor(s, "forged").await.unwrap(), None);
}

#[tokio::test]
async fn the_citizen_follows_the_reply_and_an_unhappy_verdict_reopens_and_escalates() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    // The applicant chose to stay anonymous: no phone to call back, a check of the records instead.
    let mut anonymous = tests::occurrence("L-5");
    anonymous["anonymous"] = json!(true);
    let link = server.link_for(anonymous).await;
    let code = server
        .rate_link(&link, json!({ "level": 2, "comment": "材料要求前后不一" }))
        .await
        .tracking_code;
    let ticket = server.ticket_of(&code).await;
    let s = &server.state;
    ticket::act(
        s,
        handler,
        ticket,
        A::RecordCheckWithoutContact,
        Some("匿名差评，已核实窗口记录"),
    )
    .await
    .unwrap();
    ticket::act(s, handler, ticket, A::Triage(Triage::FixNow), None)
        .await
        .unwrap();
    ticket::act(
        s,
        handler,
        ticket,
        A::RecordRectification,
        Some("统一材料清单并公示"),
    )
    .await
    .unwrap();
    ticket::act(
        s,
        handler,
        ticket,
        A::Reply,
        Some("已统一材料清单，感谢监督"),
    )
    .await
    .unwrap();

    let tracking = server.url(&format!("/t/{code}"));
    let page = server.page(&tracking).await;
    assert!(
        page.contains("已统一材料清单，感谢监督") && page.contains("统一材料清单并公示"),
        "reply and rectification shown"
    );
    assert!(page.contains("id=\"rate-fix\""), "the fix can be rated");

    let rated = server
        .post_form(&tracking, &[("rating", "dissatisfied")])
        .await;
    assert_eq!(rated.status(), 303);
    let row: (String, i64) =
        sqlx::query_as("SELECT state, CASE WHEN escalated THEN 1 ELSE 0 END FROM ticket")
            .fetch_one(s.store.pool())
            .await
            .unwrap();
    assert_eq!(row, ("reopened".to_owned(), 1));
    let again = server
        .post_form(&tracking, &[("rating", "satisfied")])
        .await;
    assert_eq!(again.status(), 409, "one verdict per round");
    let page = server.page(&tracking).await;
    assert!(page.contains("重新办理（督办）") && !page.contains("id=\"rate-fix\""));
}

#[tokio::test]
async fn supervisors_need_their_authenticator_code() {
    let server = TestServer::start().await;
    let s = &server.state;
    let supervisor = server.supervisor("jd").await;
    assert!(matches!(
        auth::login(s, "jd", "s3cret-pass", "").await,
        Err(LoginError::Invalid)
    ));
    assert!(matches!(
        auth::login(s, "jd", "s3cret-pass", "000000").await,
        Err(LoginError::Invalid)
    ));
    let session = auth::login(s, "jd", "s3cret-pass", &supervisor.code())
        .await
        .unwrap();
    assert_eq!(
        auth::actor(s, &session.token).await.unwrap().unwrap().role,
        Role::Supervisor
    );
}

#[tokio::test]
async fn administrators_enter_next_years_holidays_and_deadlines_follow() {
    use domain::calendar::{Date, YearNotCovered};
    let server = TestServer::start().await;
    let day = |m, d| Date::from_ymd(2030, m, d).unwrap();
    assert_eq!(
        server.state.rules().calendar.is_working_day(day(1, 4)),
        Err(YearNotCovered(2030))
    );
    server
        .state
        .store
        .set_holiday_year(None, 2030, "2030-01-01..2030-01-03", "")
        .await
        .unwrap();
    let reopened = server::AppState::open((*server.state.config).clone())
        .await
        .unwrap();
    assert_eq!(
        reopened.rules().calendar.is_working_day(day(1, 1)),
        Ok(false)
    );
    assert_eq!(
        reopened
            .rules()
            .calendar
            .add_working_days(Date::from_ymd(2029, 12, 31).unwrap(), 1),
        Ok(day(1, 4))
    );
    assert_eq!(
        sqlx_count(
            &reopened,
            "SELECT count(*) FROM audit_log WHERE action = 'set_holidays'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_deadline_shown_follows_the_state() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let ticket = bad_review(&server, "L-6").await;
    let s = &server.state;
    let due = |list: Vec<server::features::ticket::TicketListItem>| list[0].due_at;
    let contact = due(ticket::list(s, handler).await.unwrap()).expect("first contact due");
    reached_visit(s, handler, ticket, "已电话回访群众")
        .await
        .unwrap();
    let triage = due(ticket::list(s, handler).await.unwrap()).expect("triage due");
    assert!(triage > contact, "2 working days from the visit");
    ticket::act(
        s,
        handler,
        ticket,
        A::Triage(Triage::Ledger),
        Some("需协调测绘"),
    )
    .await
    .unwrap();
    let rectify = due(ticket::list(s, handler).await.unwrap()).expect("ledger deadline");
    assert!(
        rectify > contact.plus_ms(10 * 86_400_000),
        "15 working days are more than two weeks"
    );
    ticket::act(s, handler, ticket, A::RecordRectification, Some("已完成"))
        .await
        .unwrap();
    ticket::act(s, handler, ticket, A::Reply, Some("已答复"))
        .await
        .unwrap();
    assert!(
        due(ticket::list(s, handler).await.unwrap()).is_some(),
        "the citizen's time to rate the fix"
    );
}

#[tokio::test]
async fn after_the_fix_the_citizen_may_add_one_follow_up_rating() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let mut anonymous = tests::occurrence("L-7");
    anonymous["anonymous"] = json!(true);
    let link = server.link_for(anonymous).await;
    let code = server
        .rate_link(&link, json!({ "level": 1, "reasons": [113] }))
        .await
        .tracking_code;
    let ticket = server.ticket_of(&code).await;
    let follow_up = server.url(&format!("/t/{code}/follow-up"));
    let early = server.post_form(&follow_up, &[("level", "4")]).await;
    assert_eq!(early.status(), 409, "not before the ticket is closed");

    let s = &server.state;
    ticket::act(
        s,
        handler,
        ticket,
        A::RecordCheckWithoutContact,
        Some("核实"),
    )
    .await
    .unwrap();
    ticket::act(s, handler, ticket, A::Triage(Triage::Explain), None)
        .await
        .unwrap();
    ticket::act(s, handler, ticket, A::Reply, Some("已说明政策依据"))
        .await
        .unwrap();
    ticket::citizen_rates_fix(s, &code, FixRating::BasicallySatisfied)
        .await
        .unwrap();
    let page = server.page(&format!("/t/{code}")).await;
    assert!(page.contains("id=\"follow-up-form\""));

    let invalid = server.post_form(&follow_up, &[("level", "2")]).await;
    assert_eq!(
        invalid.status(),
        422,
        "a bad follow-up needs a reason or text too"
    );
    let given = server
        .post_form(&follow_up, &[("level", "4"), ("comment", "解释清楚了")])
        .await;
    assert_eq!(given.status(), 303);
    let again = server.post_form(&follow_up, &[("level", "5")]).await;
    assert_eq!(again.status(), 409, "only once");
    let page = server.page(&format!("/t/{code}")).await;
    assert!(page.contains("追评：</strong>满意") && !page.contains("id=\"follow-up-form\""));
    assert_eq!(
        sqlx_count(s, "SELECT level FROM evaluation").await,
        1,
        "the original stays as it was"
    );
}

#[tokio::test]
async fn a_bad_review_of_a_case_with_a_registered_phone_is_real_name_unless_anonymous() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    // The business system registered the applicant's phone; the citizen types none.
    let named = server
        .rate("RN-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    let named = server.ticket_of(&named.tracking_code).await;
    // The same, but the applicant chose to rate anonymously.
    let mut case = tests::occurrence("RN-2");
    case["anonymous"] = json!(true);
    let link = server.link_for(case).await;
    let anonymous = server
        .rate_link(&link, json!({ "level": 2, "reasons": [213] }))
        .await;
    let anonymous = server.ticket_of(&anonymous.tracking_code).await;
    let real_name = |id: i64| {
        format!("SELECT CASE WHEN real_name THEN 1 ELSE 0 END FROM ticket WHERE id = {id}")
    };
    assert_eq!(sqlx_count(s, &real_name(named)).await, 1, "实名");
    assert_eq!(sqlx_count(s, &real_name(anonymous)).await, 0, "anonymous");

    // A 实名 差评 needs a real return visit, for which the handler may see the registered phone
    // (logged); the anonymous one has no phone to show and may be checked without contact.
    assert!(matches!(
        ticket::act(
            s,
            handler,
            named,
            A::RecordCheckWithoutContact,
            Some("已核对记录")
        )
        .await,
        Err(TicketActError::Refused(TicketError::VisitRequired))
    ));
    let phone = ticket::reveal_phone(s, handler, named).await.unwrap();
    assert_eq!(phone.as_deref(), Some("13912345678"));
    assert_eq!(
        ticket::reveal_phone(s, handler, anonymous).await.unwrap(),
        None
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action = 'reveal_phone'"
        )
        .await,
        1
    );
    ticket::act(
        s,
        handler,
        anonymous,
        A::RecordCheckWithoutContact,
        Some("已核对窗口记录"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_methods_page_states_the_real_name_deadline_and_clerk_rules() {
    let server = TestServer::start().await;
    let page = server.page("/open/methods").await;
    for rule in [
        "业务系统登记了申请人手机号且申请人未选择匿名评价的差评",
        "每个未办结状态都有时限",
        "差评的文字意见在其整改办结后才向本人显示",
        "回访时联系上群众的实名差评 ÷ 有效实名差评，目标 100 %",
        "匿名差评的核实不是回访",
        "是否联系上；联系上的，认定反映问题是否属实、诉求是否合理",
        "1 自然人、2 企业法人",
        "工作人员不能代为评价，也看不到群众的选择",
    ] {
        assert!(page.contains(rule), "{rule}");
    }
}
