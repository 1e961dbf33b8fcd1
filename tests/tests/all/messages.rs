//! 评价邀请与消息 (issue 12, second half): invitations and reminders by SMS on a controlled clock,
//! quiet hours, opt-outs, 默认评价 and its figures, and handlers told of a 差评 at once. The SMS
//! gateway and the group robot are a real second process (`peer`).

use domain::notify::QuietHours;
use domain::time::Timestamp;
use serde_json::{Value, json};
use server::features::notify::{
    Sent, apply_default_evaluations, notify_handlers, send_invitations,
};
use tests::fixtures::{Messaging, Peer};
use tests::{TestServer, sqlx_count, table_row};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

fn quiet(t: i64) -> bool {
    QuietHours::default().contains(Timestamp::from_unix_ms(t))
}

/// `t`, or the end of the quiet hours it falls in (08:00 China time).
fn awake(t: i64) -> i64 {
    if !quiet(t) {
        return t;
    }
    let at = Timestamp::from_unix_ms(t);
    let day = at.date_cst();
    let day = if at.hour_cst() >= 21 { day.next() } else { day };
    day.start_unix_ms_cst() + 8 * HOUR
}

/// `t` if it is quiet, else 21:00 of its day (later than `t`, which is then before 21:00).
fn quiet_at(t: i64) -> i64 {
    if quiet(t) {
        t
    } else {
        Timestamp::from_unix_ms(t).date_cst().start_unix_ms_cst() + 21 * HOUR
    }
}

/// Registers case `case` with the evaluator's phone `phone`; returns its rating link.
async fn register(server: &TestServer, case: &str, phone: &str) -> String {
    let mut body = tests::occurrence(case);
    body["evaluator_phone"] = phone.into();
    server.link_for(body).await
}

async fn latest_registration(server: &TestServer) -> i64 {
    sqlx_count(
        &server.state,
        "SELECT max(registered_at) FROM service_occurrence",
    )
    .await
}

fn body_of(request: &Value) -> Value {
    serde_json::from_str(request["body"].as_str().unwrap()).expect("a JSON body")
}

const A: &str = "13912345678";
const B: &str = "13912340002";
const C: &str = "13912340003";
const D: &str = "13912340004";

#[tokio::test]
async fn an_unrated_service_is_invited_on_day_3_reminded_once_and_opt_outs_are_honoured() {
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let server = TestServer::start().await;
    server
        .set_messaging(Messaging {
            sms_url: Some(&peer.url("/sms")),
            invite: true,
            ..Messaging::default()
        })
        .await;
    register(&server, "INV-A", A).await;
    let rated = register(&server, "INV-B", B).await;
    server.rate_link(&rated, json!({ "level": 5 })).await;
    register(&server, "INV-C", C).await;
    register(&server, "INV-D", D).await;
    // C replied "TD": the SMS platform forwards it with its business-system key.
    let (status, answer) = server
        .api_post("/api/v1/opt-outs", &json!({ "phone": C }))
        .await;
    assert_eq!((status, answer["opted_out"].as_bool()), (200, Some(true)));
    let (status, _) = server
        .api_post("/api/v1/opt-outs", &json!({ "phone": "12345" }))
        .await;
    assert_eq!(status, 422);
    let day0 = latest_registration(&server).await;
    let s = &server.state;

    assert_eq!(
        send_invitations(s, awake(day0 + 2 * DAY)).await.unwrap(),
        Sent::default()
    );
    assert_eq!(
        send_invitations(s, quiet_at(day0 + 3 * DAY)).await.unwrap(),
        Sent::default()
    );
    assert!(
        peer.requests_to("/sms").await.is_empty(),
        "nothing before day 3 nor at night"
    );

    // Day 3: A and D are due (B is rated, C opted out); the gateway refuses D once.
    peer.fail(500, 1, D).await;
    let day3 = awake(day0 + 3 * DAY);
    assert_eq!(
        send_invitations(s, day3).await.unwrap(),
        Sent { done: 1, failed: 1 }
    );
    assert_eq!(
        send_invitations(s, day3).await.unwrap(),
        Sent::default(),
        "once"
    );
    // A failed attempt is tried again an hour later.
    let retry = awake(day3 + 61 * 60_000);
    assert_eq!(
        send_invitations(s, retry).await.unwrap(),
        Sent { done: 1, failed: 0 }
    );
    let sms = peer.requests_to("/sms").await;
    assert_eq!(sms.len(), 3);
    let phones: Vec<String> = sms
        .iter()
        .map(|r| body_of(r)["phone"].to_string())
        .collect();
    assert_eq!(
        phones,
        [format!("\"{A}\""), format!("\"{D}\""), format!("\"{D}\"")]
    );
    for request in &sms {
        let body = body_of(request);
        assert_eq!(request["headers"]["authorization"], "Bearer sms-token");
        assert_eq!(
            (body["account"].as_str(), body["template"].as_str()),
            (Some("hcp"), Some("SMS_INVITE_01"))
        );
        assert!(body["variables"]["link"].as_str().unwrap().contains("/r/"));
        assert!(body["content"].as_str().unwrap().contains("回复TD退订"));
    }

    // D follows the opt-out link of its message: the page only asks, the button opts out.
    let unsubscribe = body_of(&sms[2])["variables"]["unsubscribe"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = server.http.get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("确认退订"));
    let done = server.http.post(&unsubscribe).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("已退订"));
    let forged = server.get("/unsubscribe/not-a-token").await;
    assert_eq!(forged.status(), 404);

    // Day 6: A's one reminder; D opted out. Day 9: nothing more.
    assert_eq!(
        send_invitations(s, awake(day0 + 6 * DAY)).await.unwrap(),
        Sent { done: 1, failed: 0 }
    );
    assert_eq!(
        send_invitations(s, awake(day0 + 9 * DAY)).await.unwrap(),
        Sent::default()
    );
    let sms = peer.requests_to("/sms").await;
    assert_eq!(sms.len(), 4);
    let reminder = body_of(&sms[3]);
    assert_eq!(reminder["phone"], A);
    assert!(reminder["content"].as_str().unwrap().contains("温馨提醒"));

    // The reminder's link rates A through the SMS channel.
    let link = reminder["variables"]["link"].as_str().unwrap().to_owned();
    server.rate_link(&link, json!({ "level": 4 })).await;
    let channel: String = sqlx::query_scalar(
        "SELECT e.channel FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE o.case_number = 'INV-A'",
    )
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert_eq!(channel, "sms");
    assert_eq!(
        send_invitations(s, awake(day0 + 12 * DAY)).await.unwrap(),
        Sent::default()
    );

    // The log: every attempt, the phone masked, never in full.
    let log = s.store.message_log(50).await.unwrap();
    let lines: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .rev()
        .map(|l| {
            (
                l.kind.as_str(),
                l.status.as_str(),
                l.phone_masked.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("invitation", "accepted", Some("139****5678")),
            ("invitation", "failed", Some("139****0004")),
            ("invitation", "accepted", Some("139****0004")),
            ("reminder", "accepted", Some("139****5678")),
        ]
    );
    assert!(
        log[2].error.as_deref().unwrap().starts_with("HTTP 500"),
        "{log:?}"
    );
    let full_phones = sqlx_count(
        s,
        &format!(
            "SELECT count(*) FROM message_log WHERE coalesce(phone_masked, '') || coalesce(error, '') \
             LIKE '%{A}%' OR coalesce(phone_masked, '') || coalesce(error, '') LIKE '%{D}%'"
        ),
    )
    .await;
    assert_eq!(full_phones, 0);
    let opt_outs = sqlx_count(s, "SELECT count(*) FROM opt_out").await;
    assert_eq!(opt_outs, 2, "C by SMS, D by the link; as keyed hashes");
    // The administration page lists them in Chinese, phones masked.
    let admin = server.administrator("msglog").await;
    let session = server.sign_in(&admin).await;
    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("评价提醒") && page.contains("139****5678"),
        "{page}"
    );
    assert!(!page.contains(">reminder<"), "{page}");
}

#[tokio::test]
async fn a_service_unrated_for_7_days_gets_its_default_and_the_figures_keep_it_apart() {
    let server = TestServer::start().await;
    let s = &server.state;
    // Registered before the rule was switched on: left unrated, whatever the days.
    server.register(tests::occurrence("DEF-G")).await;
    server
        .set_messaging(Messaging {
            default_evaluation: true,
            ..Messaging::default()
        })
        .await;
    let e_link = server.rating_link("DEF-E").await;
    server.rate("DEF-F", json!({ "level": 5 })).await;
    let bad = json!({ "level": 1, "reasons": [115], "phone": "13600136000" });
    server.rate("DEF-H", bad).await;
    let day0 = latest_registration(&server).await;

    assert_eq!(
        apply_default_evaluations(s, day0 + 6 * DAY).await.unwrap(),
        Sent::default()
    );
    let day7 = day0 + 7 * DAY + 60_000;
    assert_eq!(
        apply_default_evaluations(s, day7).await.unwrap(),
        Sent { done: 1, failed: 0 }
    );
    assert_eq!(
        apply_default_evaluations(s, day7).await.unwrap(),
        Sent::default(),
        "rerun"
    );
    assert_eq!(
        apply_default_evaluations(s, day0 + 30 * DAY).await.unwrap(),
        Sent::default()
    );

    let stored: (String, i64, Option<String>, Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT e.channel, e.level, e.default_rule, e.default_rule_version, \
         (SELECT count(*) FROM evaluation_reason r WHERE r.evaluation_id = e.id), \
         (SELECT count(*) FROM ticket t WHERE t.evaluation_id = e.id) \
         FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id WHERE o.case_number = 'DEF-E'",
    )
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            "system_default".into(),
            5,
            Some("default_evaluation".into()),
            Some(1),
            0,
            0
        )
    );
    assert_eq!(server.evaluations().await, 3, "G stays unrated");
    // The link is refused as already rated.
    let refused = server.post_json(&e_link, &json!({ "level": 3 })).await;
    assert_eq!(refused.status(), 409);
    let page = server.get(&e_link).await;
    assert_eq!(page.status(), 409);
    assert!(page.text().await.unwrap().contains("本次服务已存在评价"));

    // 4 services: 非常满意 (default), 非常满意, 非常不满意, one unrated.
    let before = s.rules().disclosure;
    let mut after = before;
    after.policy.min_sample = 1;
    let admin = server.administrator("figures").await;
    s.store
        .save_disclosure(admin.actor.account_id, before, after)
        .await
        .unwrap();
    s.update_rules(|r| r.disclosure = after);
    let open = server.page("/open").await;
    let good = table_row(&open, "好评率");
    let active = table_row(&open, "主动评价好评率");
    let unrated = table_row(&open, "未评率");
    assert!(good.contains("66.66 %") && good.ends_with("2/3"), "{good}");
    assert!(
        active.contains("50.00 %") && active.ends_with("1/2"),
        "{active}"
    );
    assert!(
        unrated.contains("25.00 %") && unrated.ends_with("1/4"),
        "{unrated}"
    );

    // The open data: the same counts, and the schema's formulas give the same figures.
    let month = server::platform::db::now().month_cst();
    let csv = server.page("/open/data.csv").await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .collect();
    let all: Vec<&str> = lines
        .find(|l| l.starts_with("all,0,") && l.contains(&month.yyyymm().to_string()))
        .unwrap()
        .split(',')
        .collect();
    let field = |name: &str| -> i64 {
        let at = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name}"));
        all[at].parse().unwrap()
    };
    let json = server.page(&format!("/open/data.json?month={month}")).await;
    let json: Value = serde_json::from_str(&json).unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "all")
        .unwrap()
        .clone();
    for name in [
        "occurrences",
        "l1",
        "l5",
        "a1",
        "a5",
        "ch_system_default",
        "invalidated",
    ] {
        assert_eq!(row[name].as_i64(), Some(field(name)), "{name}");
    }
    let active_levels: i64 = (1..=5).map(|l| field(&format!("a{l}"))).sum();
    let levels: i64 = (1..=5).map(|l| field(&format!("l{l}"))).sum();
    let active_good = field("a5") + field("a4") + field("a3");
    assert_eq!(
        active_good * 10_000 / active_levels,
        5_000,
        "主动评价好评率"
    );
    let never = field("occurrences") - levels - field("invalidated");
    assert_eq!(never * 10_000 / field("occurrences"), 2_500, "未评率");
    assert_eq!(field("ch_system_default"), 1);
    let schema = server.page("/open/data-schema.json").await;
    assert!(schema.contains("未评率") && schema.contains("主动评价好评率"));

    // The monthly report: page, CSV and XLSX.
    let supervisor = server.supervisor("jiandu").await;
    let session = server.sign_in(&supervisor).await;
    let report = server
        .page_as(&format!("/staff/report.csv?month={month}"), &session)
        .await;
    assert!(
        report.contains("窗口,A01号窗口 不动产登记,A01,4,3,75.00 %,66.66 %,50.00 %,25.00 %,"),
        "{report}"
    );
    let page = server
        .page_as(&format!("/staff/report?month={month}"), &session)
        .await;
    assert!(page.contains("主动评价好评率") && page.contains("未评率") && page.contains("25.00 %"));
    let xlsx = server
        .get_as(&format!("/staff/report.xlsx?month={month}"), &session)
        .await;
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range(&format!("{month} 月度报告")).unwrap();
    let a01: Vec<String> = sheet
        .rows()
        .find(|r| r[1].to_string().starts_with("A01号窗口"))
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        (a01[6].as_str(), a01[7].as_str(), a01[8].as_str()),
        ("66.66 %", "50.00 %", "25.00 %")
    );

    // The methods page states the rule.
    let methods = server.page("/open/methods").await;
    assert!(
        methods.contains("7 个自然日") && methods.contains("非常满意"),
        "{methods}"
    );
}

#[tokio::test]
async fn the_department_robot_hears_of_a_bad_review_and_a_near_deadline_once_without_personal_data()
{
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let server = TestServer::start().await;
    let s = &server.state;
    // The department's robot, and its contact phone through the SMS gateway.
    server
        .set_messaging(Messaging {
            sms_url: Some(&peer.url("/sms")),
            ..Messaging::default()
        })
        .await;
    server
        .set_robot("BDC", &peer.url("/robot"), "SECtest", "13800138000")
        .await;
    let comment = "窗口人员态度恶劣反复刁难";
    let bad = json!({ "level": 1, "reasons": [115], "comment": comment, "phone": "13600136000" });
    let rated = server.rate("NOTE-1", bad).await;

    let robot = peer.wait_for("/robot", 1).await;
    assert_eq!(robot.len(), 1);
    let body = body_of(&robot[0]);
    assert_eq!(body["msgtype"], "text");
    let text = body["text"]["content"].as_str().unwrap();
    assert!(
        text.contains("县不动产登记中心") && text.contains(&rated.tracking_code),
        "{text}"
    );
    for personal in ["13600136000", A, comment] {
        assert!(
            !robot[0]["body"].as_str().unwrap().contains(personal),
            "{personal}"
        );
    }
    // DingTalk's signature over the timestamp it was sent with.
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(robot[0]["query"].as_str().unwrap().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| {
        query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let timestamp: i64 = get("timestamp").parse().unwrap();
    assert_eq!(
        get("sign"),
        domain::notify::robot_sign("SECtest", timestamp)
    );
    let sms = peer.wait_for("/sms", 1).await;
    assert_eq!(sms.len(), 1);
    assert_eq!(body_of(&sms[0])["phone"], "13800138000");
    assert_eq!(body_of(&sms[0])["content"].as_str(), Some(text));
    assert_eq!(
        notify_handlers(s, server::platform::db::now_ms())
            .await
            .unwrap(),
        Sent::default()
    );

    // A complaint: its department hears of it too.
    let department = server.department("BDC").await.to_string();
    let description = "窗口中午无人等了一个小时";
    let form = [
        ("department", department.as_str()),
        ("description", description),
        ("phone", "13700137000"),
    ];
    let complained = server.post_form("/complaint", &form).await;
    assert_eq!(complained.status(), 303);
    let robot = peer.wait_for("/robot", 2).await;
    assert_eq!(robot.len(), 2);
    let text = body_of(&robot[1])["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("投诉"), "{text}");
    assert!(!robot[1]["body"].as_str().unwrap().contains("13700137000"));
    assert!(!robot[1]["body"].as_str().unwrap().contains(description));

    // The next working day the complaint's reply deadline (2 working days) is one working day
    // away: one message, once. The bad review's first-contact deadline was in its first message.
    let today = server::platform::db::now().date_cst();
    let next = s.rules().calendar.add_working_days(today, 1).unwrap();
    let morning = next.start_unix_ms_cst() + 10 * HOUR;
    assert_eq!(
        notify_handlers(s, morning).await.unwrap(),
        Sent { done: 2, failed: 0 }
    );
    assert_eq!(
        notify_handlers(s, morning + HOUR).await.unwrap(),
        Sent::default()
    );
    let robot = peer.requests_to("/robot").await;
    assert_eq!(robot.len(), 3);
    let text = body_of(&robot[2])["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("仅剩一个工作日"), "{text}");
    let notices = sqlx_count(
        s,
        "SELECT count(*) FROM message_log WHERE via = 'robot' AND phone_masked IS NULL",
    )
    .await;
    assert_eq!(notices, 3);
    assert_eq!(peer.wait_for("/sms", 3).await.len(), 3);
    let texts = sqlx_count(
        s,
        "SELECT count(*) FROM message_log WHERE via = 'sms' AND phone_masked = '138****8000'",
    )
    .await;
    assert_eq!(texts, 3);
}

#[tokio::test]
async fn the_administration_page_sets_messaging_names_bad_fields_and_never_shows_a_secret() {
    use app::api::admin::notify::{AdminNotifySettings, AdminNotifyTarget};
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let root = server.administrator("root").await;
    let session = server.sign_in(&root).await;
    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("评价邀请与消息") && page.contains("未设置"),
        "off by default"
    );

    let settings = |reminders: &str, level: &str, kind: &str, url: &str| {
        vec![
            ("invite_enabled", "1".to_owned()),
            ("invite_after_days", "3".to_owned()),
            ("invite_reminders", reminders.to_owned()),
            ("invite_spacing_days", "3".to_owned()),
            ("quiet_start", "21".to_owned()),
            ("quiet_end", "8".to_owned()),
            ("default_enabled", "1".to_owned()),
            ("default_after_days", "7".to_owned()),
            ("default_level", level.to_owned()),
            ("sms_kind", kind.to_owned()),
            ("sms_url", url.to_owned()),
            ("sms_account", "hcp".to_owned()),
            ("sms_secret", "top-secret-token".to_owned()),
            ("sms_template", "SMS_1".to_owned()),
            ("csrf", session.csrf.clone()),
        ]
    };
    let gateway = "http://10.0.0.1/sms";
    for (form, message) in [
        (
            settings("9", "5", "http", gateway),
            "提醒次数：应为 0 至 5 次",
        ),
        (settings("x", "5", "http", gateway), "提醒次数：请填写次数"),
        (settings("1", "2", "http", gateway), "默认评价等级"),
        (settings("1", "5", "http", "ftp://x"), "接口地址"),
        (settings("1", "5", "fax", gateway), "短信网关"),
    ] {
        let (status, body) = server
            .call(AdminNotifySettings::PATH, &session, &form)
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{message}: {body}");
    }
    let (status, body) = server
        .call(
            AdminNotifySettings::PATH,
            &session,
            &settings("1", "4", "http", gateway),
        )
        .await;
    assert!(status < 400, "{body}");
    let saved = server.state.store.notify_settings().await.unwrap();
    assert!(saved.invite.enabled && saved.default_evaluation.enabled);
    assert_eq!(saved.default_evaluation.level, domain::Level::Satisfied);

    let target = |phone: &str| {
        vec![
            ("department", "BDC".to_owned()),
            (
                "robot_url",
                "http://10.0.0.2/robot/send?access_token=abc".to_owned(),
            ),
            ("robot_secret", "SECrobot-secret".to_owned()),
            ("contact_phone", phone.to_owned()),
            ("csrf", session.csrf.clone()),
        ]
    };
    let (status, body) = server
        .call(AdminNotifyTarget::PATH, &session, &target("123"))
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("联系人手机号"), "{body}");
    let (status, body) = server
        .call(AdminNotifyTarget::PATH, &session, &target("13800138000"))
        .await;
    assert!(status < 400, "{body}");

    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("密钥/令牌：已设置") && page.contains("加签密钥：已设置"),
        "{page}"
    );
    for secret in ["top-secret-token", "SECrobot-secret"] {
        assert!(!page.contains(secret), "{secret} shown");
        let audited = sqlx_count(
            &server.state,
            &format!("SELECT count(*) FROM audit_log WHERE coalesce(after, '') || coalesce(before, '') LIKE '%{secret}%'"),
        )
        .await;
        assert_eq!(audited, 0, "{secret} audited in the clear");
    }
    let changes = sqlx_count(
        &server.state,
        "SELECT count(*) FROM audit_log WHERE action = 'set_notify'",
    )
    .await;
    assert_eq!(changes, 2, "each change audited");
}
