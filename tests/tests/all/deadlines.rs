//! 办理时限 — no stalled ticket: every state but 已办结 has a deadline, a ticket left past it is
//! raised to the supervisor (督办) once per deadline, and the steps that answer the citizen say
//! something.

use domain::ticket::{FixRating, TicketAction as A, TicketState as S, Triage};
use serde_json::json;
use server::features::ticket::{self, escalate_overdue};
use tests::{TestServer, sqlx_count};

/// The steps that leave a 差评's ticket in each state but 已办结 (`None`: the citizen's 不满意).
const PATHS: [(&str, S, &[Option<A>]); 8] = [
    ("open", S::Open, &[]),
    ("verified", S::Verified, &[Some(A::RecordVisit)]),
    (
        "fix_now",
        S::Rectifying,
        &[Some(A::RecordVisit), Some(A::Triage(Triage::FixNow))],
    ),
    (
        "ledger",
        S::Rectifying,
        &[Some(A::RecordVisit), Some(A::Triage(Triage::Ledger))],
    ),
    (
        "awaiting_reply",
        S::AwaitingReply,
        &[Some(A::RecordVisit), Some(A::Triage(Triage::Explain))],
    ),
    (
        "appealed",
        S::Appealed,
        &[Some(A::RecordVisit), Some(A::Triage(Triage::Appeal))],
    ),
    (
        "replied",
        S::Replied,
        &[
            Some(A::RecordVisit),
            Some(A::Triage(Triage::Explain)),
            Some(A::Reply),
        ],
    ),
    (
        "reopened",
        S::Reopened,
        &[
            Some(A::RecordVisit),
            Some(A::Triage(Triage::Explain)),
            Some(A::Reply),
            None,
        ],
    ),
];

async fn raises_of(server: &TestServer, ticket: i64) -> i64 {
    sqlx_count(
        &server.state,
        &format!(
            "SELECT count(*) FROM ticket_event WHERE ticket_id = {ticket} \
             AND action = 'escalate_overdue' AND actor = 'system'"
        ),
    )
    .await
}

#[tokio::test]
async fn a_ticket_left_in_each_non_final_state_past_its_deadline_is_raised_once() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let s = &server.state;
    let mut tickets = Vec::new();
    for (name, state, steps) in PATHS {
        let rated = server
            .rate(
                &format!("DUE-{name}"),
                json!({ "level": 1, "reasons": [115], "phone": "13600136000" }),
            )
            .await;
        let id = server.ticket_of(&rated.tracking_code).await;
        for step in steps {
            let reached = match step {
                Some(A::RecordVisit) => tests::reached_visit(s, handler, id, "已电话回访并说明")
                    .await
                    .unwrap(),
                Some(A::Triage(Triage::Appeal)) => {
                    tests::file_appeal(s, handler, id, "群众误选评价等级")
                        .await
                        .unwrap()
                }
                Some(action) => ticket::act(s, handler, id, *action, Some("已电话回访并说明"))
                    .await
                    .unwrap(),
                None => ticket::citizen_rates_fix(s, &rated.tracking_code, FixRating::Dissatisfied)
                    .await
                    .unwrap(),
            };
            assert_ne!(reached, S::Closed);
        }
        tickets.push((name, state, id));
    }
    // Every ticket shows a deadline in the state it was left in; nothing is overdue yet.
    let list = ticket::list(s, handler).await.unwrap();
    let mut due = Vec::new();
    for &(name, state, id) in &tickets {
        let item = list.iter().find(|t| t.id == id).unwrap();
        assert_eq!(item.state, state, "{name}");
        let at = item.due_at.unwrap_or_else(|| panic!("{name}: no deadline"));
        due.push((at, name, id));
    }
    let now = server::platform::db::now_ms();
    assert_eq!(escalate_overdue(s, now).await.unwrap(), Vec::<i64>::new());

    // The clock moves past each deadline in turn: the ticket is raised then, not before, and once.
    due.sort();
    for &(at, name, id) in &due {
        let before = escalate_overdue(s, at.unix_ms() - 1).await.unwrap();
        assert!(!before.contains(&id), "{name}: not before its deadline");
        escalate_overdue(s, at.unix_ms() + 1).await.unwrap();
        assert_eq!(
            raises_of(&server, id).await,
            1,
            "{name}: raised when overdue"
        );
        let again = escalate_overdue(s, at.unix_ms() + 1).await.unwrap();
        assert_eq!(again, Vec::<i64>::new(), "{name}: raised once");
    }
    let far = due.last().unwrap().0.unix_ms() + 90 * 86_400_000;
    assert_eq!(escalate_overdue(s, far).await.unwrap(), Vec::<i64>::new());
    for &(_, name, id) in &due {
        assert_eq!(raises_of(&server, id).await, 1, "{name}");
    }
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM ticket_event WHERE action = 'escalate_overdue' \
             AND note = '超过办理时限，已提请监督股督办'"
        )
        .await,
        8
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM ticket WHERE escalated").await,
        8
    );
}

#[tokio::test]
async fn a_step_after_a_raise_starts_a_new_deadline_raised_once_again() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let s = &server.state;
    let rated = server
        .rate(
            "DUE-AGAIN",
            json!({ "level": 1, "reasons": [115], "phone": "13600136000" }),
        )
        .await;
    let id = server.ticket_of(&rated.tracking_code).await;
    let later = server::platform::db::now_ms() + 30 * 86_400_000;
    assert_eq!(escalate_overdue(s, later).await.unwrap(), vec![id]);
    tests::reached_visit(s, handler, id, "已电话回访，情况属实")
        .await
        .unwrap();
    let triage = ticket::list(s, handler).await.unwrap()[0]
        .due_at
        .expect("triage deadline");
    assert!(triage.unix_ms() < later, "counted from the visit");
    assert_eq!(escalate_overdue(s, later).await.unwrap(), vec![id]);
    assert_eq!(escalate_overdue(s, later).await.unwrap(), Vec::<i64>::new());
    assert_eq!(raises_of(&server, id).await, 2);
}

#[tokio::test]
async fn a_visit_is_a_structured_record_and_a_reply_needs_text() {
    use app::api::staff::{RecordVisit, TicketStep};
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await;
    let rated = server
        .rate(
            "NOTE-1",
            json!({ "level": 1, "reasons": [115], "phone": "13600136000" }),
        )
        .await;
    let id = server.ticket_of(&rated.tracking_code).await.to_string();
    let session = server.sign_in(&handler).await;
    let step = |action: &str, note: &str| {
        vec![
            ("id", id.clone()),
            ("action", action.to_owned()),
            ("note", note.to_owned()),
            ("csrf", session.csrf.clone()),
        ]
    };
    let s = &server.state;
    let page = server
        .page_as(&format!("/staff/tickets/{id}"), &session)
        .await;
    assert!(page.contains("回访情况（至少5个字）"), "{page}");
    for choice in ["电话", "短信", "上门或现场", "已联系上", "属实", "不合理"] {
        assert!(page.contains(choice), "the form offers {choice}");
    }
    let history = "SELECT count(*) FROM ticket_event";
    // A plain step cannot stand in for the record.
    let (status, body) = server
        .call(
            TicketStep::PATH,
            &session,
            &step("record_visit", "已电话联系群众"),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("回访须填写回访记录"), "{body}");

    let now = tests::now_local();
    let visit = |changes: &[(&str, &str)]| {
        let mut form: Vec<(&str, String)> = vec![
            ("id", id.clone()),
            ("at", now.clone()),
            ("method", "phone".into()),
            ("reached", "yes".into()),
            ("substantiated", "yes".into()),
            ("reasonable", "no".into()),
            ("note", "已电话联系群众".into()),
            ("csrf", session.csrf.clone()),
        ];
        for (name, value) in changes {
            form.iter_mut().find(|f| f.0 == *name).unwrap().1 = (*value).to_owned();
        }
        form
    };
    // (changes to a good form, the field named, the message)
    type Wrong<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let wrong: [Wrong<'_>; 8] = [
        (&[("note", "")], "note", "回访情况：至少需要5个字"),
        (&[("note", "已联系")], "note", "回访情况：至少需要5个字"),
        (&[("at", "")], "at", "回访时间"),
        (&[("at", "2999-01-01T09:00")], "at", "不能晚于现在"),
        (&[("at", "2001-01-01T09:00")], "at", "不能早于工单生成时间"),
        (&[("method", "email")], "method", "回访方式"),
        (&[("reached", "")], "reached", "是否联系上"),
        (&[("substantiated", "")], "substantiated", "是否属实"),
    ];
    for (changes, field, message) in wrong {
        let (status, body) = server
            .call(RecordVisit::PATH, &session, &visit(changes))
            .await;
        assert_eq!(status, 422, "{changes:?}: {body}");
        assert!(body.contains(message), "{changes:?}: {body}");
        assert!(
            body.contains(&format!("\"{field}\"")),
            "names {field}: {body}"
        );
    }
    assert_eq!(server.tickets_in("open").await, 1, "nothing half-written");
    assert_eq!(sqlx_count(s, history).await, 1);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM return_visit").await, 0);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM audit_log").await, 0);

    // A failed attempt goes on record and leaves the visit owed; no findings are asked for.
    let attempt = visit(&[
        ("reached", "no"),
        ("substantiated", ""),
        ("reasonable", ""),
        ("method", "sms"),
        ("note", "短信未回复，电话无人接听"),
    ]);
    assert_eq!(
        server.call(RecordVisit::PATH, &session, &attempt).await.0,
        200
    );
    assert_eq!(server.tickets_in("open").await, 1, "still owed");
    let stored = "SELECT count(*) FROM return_visit WHERE method = 'sms' AND NOT reached \
                  AND substantiated IS NULL AND reasonable IS NULL";
    assert_eq!(sqlx_count(s, stored).await, 1);

    assert_eq!(
        server
            .call(RecordVisit::PATH, &session, &visit(&[]))
            .await
            .0,
        200
    );
    let stored = "SELECT count(*) FROM return_visit WHERE method = 'phone' AND reached \
                  AND substantiated AND NOT reasonable";
    assert_eq!(sqlx_count(s, stored).await, 1);
    let page = server
        .page_as(&format!("/staff/tickets/{id}"), &session)
        .await;
    assert!(page.contains("短信回访，未联系上"), "{page}");
    assert!(page.contains("电话回访，已联系上，属实，不合理"), "{page}");
    let explain = step("triage_explain", "");
    assert_eq!(
        server.call(TicketStep::PATH, &session, &explain).await.0,
        200
    );
    let (status, body) = server
        .call(TicketStep::PATH, &session, &step("reply", " \n "))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("答复内容不能为空"), "{body}");
    assert_eq!(server.tickets_in("awaiting_reply").await, 1);
    assert_eq!(sqlx_count(s, history).await, 4);
    let reply = step("reply", "已向群众说明办理依据");
    assert_eq!(server.call(TicketStep::PATH, &session, &reply).await.0, 200);
    assert_eq!(server.tickets_in("replied").await, 1);
}

#[tokio::test]
async fn administrators_set_every_states_deadline_within_its_range() {
    use app::api::admin::AdminSetDeadlines;
    use domain::ticket::{DeadlineSetting, Deadlines};
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let s = &server.state;
    let root = server.administrator("root").await;
    let session = server.sign_in(&root).await;
    let form = |changes: &[(&str, &str)]| {
        let mut form: Vec<(&str, String)> = DeadlineSetting::ALL
            .map(|d| (d.name(), Deadlines::default().get(d).to_string()))
            .into();
        for (name, value) in changes {
            form.iter_mut().find(|f| f.0 == *name).unwrap().1 = (*value).to_owned();
        }
        form.push(("csrf", session.csrf.clone()));
        form
    };
    for (changes, message) in [
        (vec![("fix_now", "0")], "立行立改时限应为1至60个工作日"),
        (vec![("redo", "61")], "重办处置时限应为1至60个工作日"),
        (vec![("triage", "两天")], "核实后处置时限应填写工作日数"),
        (
            vec![("fix_now", "16"), ("rectification", "15")],
            "立行立改时限不能长于整改时限",
        ),
    ] {
        let (status, body) = server
            .call(AdminSetDeadlines::PATH, &session, &form(&changes))
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{body}");
    }
    assert_eq!(s.rules().deadlines, Deadlines::default(), "nothing saved");

    let saved = form(&[
        ("fix_now", "2"),
        ("appeal_review", "10"),
        ("fix_rating", "7"),
    ]);
    let (status, body) = server.call(AdminSetDeadlines::PATH, &session, &saved).await;
    assert_eq!(status, 200, "{body}");
    let d = s.rules().deadlines;
    assert_eq!((d.fix_now, d.appeal_review, d.fix_rating), (2, 10, 7));
    assert_eq!(s.store.deadlines(Deadlines::default()).await.unwrap(), d);
    // The admin page shows them in the inputs named after each setting.
    let page = server.page_as("/staff/admin", &session).await;
    for id in [
        "first_contact",
        "triage",
        "fix_now",
        "appeal_review",
        "redo",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
}

#[tokio::test]
async fn a_ticket_without_its_deadline_gets_it_once_the_calendar_allows() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let s = &server.state;
    let mut tickets = Vec::new();
    for (case, visit) in [("MISSING-1", false), ("MISSING-2", true)] {
        let rated = server
            .rate(
                case,
                json!({ "level": 1, "reasons": [115], "phone": "13600136000" }),
            )
            .await;
        let id = server.ticket_of(&rated.tracking_code).await;
        if visit {
            tests::reached_visit(s, handler, id, "已电话回访，情况属实")
                .await
                .unwrap();
        }
        tickets.push(id);
    }
    let dues = || async {
        let list = ticket::list(s, handler).await.unwrap();
        tickets
            .iter()
            .map(|id| list.iter().find(|t| t.id == *id).unwrap().due_at)
            .collect::<Vec<_>>()
    };
    let before = dues().await;
    assert!(before.iter().all(Option::is_some));
    // Opened, or visited, while the calendar lacked the year (or before 0013 gave 已核实 a deadline).
    sqlx::query("UPDATE ticket SET contact_due_at = NULL, state_due_at = NULL")
        .execute(s.store.pool())
        .await
        .unwrap();
    assert_eq!(dues().await, vec![None, None]);
    let mut filled = ticket::fill_missing_deadlines(s).await.unwrap();
    filled.sort();
    assert_eq!(filled, tickets);
    assert_eq!(dues().await, before, "the same deadlines as the steps gave");
    assert!(ticket::fill_missing_deadlines(s).await.unwrap().is_empty());
}
