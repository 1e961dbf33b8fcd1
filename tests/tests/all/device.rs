//! 评价器 — the tablet at a window: enrolled once by an administrator's one-time code, it offers the
//! rating of the visit its window just finished, rates it at most once (channel hall_device) even
//! when the network drops mid-submit, goes back to idle storing nothing, answers nobody else (a
//! clerk's session cannot rate on it), and its silence while the window serves raises an alarm.

use std::sync::Arc;
use std::time::Duration;

use domain::{device::DeviceSettings, time::Timestamp};
use fantoccini::Client;
use serde_json::{Value, json};
use tests::{
    TestServer,
    browser::{Js, click, click_button, fill, find, journey, set_offline, wait_text},
    cookie_of, sqlx_count,
};

/// The seeded window A01's id.
async fn window_a01(server: &TestServer) -> i64 {
    sqlx_count(
        &server.state,
        "SELECT id FROM service_window WHERE number = 'A01'",
    )
    .await
}

/// A one-time code for window A01, issued by a new administrator.
async fn code_for_a01(server: &TestServer, admin: &str) -> String {
    let admin = server.administrator(admin).await;
    let window = window_a01(server).await;
    server::features::device::issue_code(&server.state, admin.actor, window)
        .await
        .expect("a code")
}

/// Enrols a tablet over HTTP; returns its cookie.
async fn enrol(server: &TestServer, code: &str) -> reqwest::Response {
    server
        .http
        .post(server.url("/device/enrol"))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap()
}

async fn next(server: &TestServer, cookie: &str) -> (u16, Value) {
    let response = server
        .http
        .get(server.url("/device/next"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn rate(server: &TestServer, cookie: &str, code: &str, body: Value) -> (u16, Value) {
    let response = server
        .http
        .post(server.url(&format!("/device/rate/{code}")))
        .header("cookie", cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn an_enrolled_tablet_rates_the_visit_its_window_finished_exactly_once() {
    let server = TestServer::start().await;
    let s = &server.state;
    let code = code_for_a01(&server, "admin").await;
    assert_eq!(code.len(), 8);

    // Wrong codes are refused; the right one enrols once.
    assert_eq!(enrol(&server, "00000000").await.status(), 422);
    let enrolled = enrol(&server, &code).await;
    assert_eq!(enrolled.status(), 303);
    let tablet = cookie_of(&enrolled);
    assert!(tablet.starts_with("hcp_tablet="), "{tablet}");
    let again = enrol(&server, &code).await;
    assert_eq!(again.status(), 422, "a code enrols one tablet");
    let page = again.text().await.unwrap();
    assert!(page.contains("绑定码：无效、已使用或已过期"), "{page}");
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM device").await, 1);

    // Idle until the window finishes a visit; then it offers that visit.
    assert_eq!(
        next(&server, &tablet).await,
        (200, json!({ "visit": null, }))
    );
    let visit = server.finished_visit("A001").await;
    let visit_code = visit["visit_code"].as_str().unwrap().to_owned();
    let (status, offered) = next(&server, &tablet).await;
    assert_eq!(status, 200);
    assert_eq!(offered["visit"], visit_code.as_str());

    // A clerk's signed-in browser is not the tablet: it can neither see nor rate.
    let clerk = server.clerk("clerk", "BDC", Some("S001")).await;
    let session = server.sign_in(&clerk).await;
    assert_eq!(next(&server, &session.cookie).await.0, 401);
    let (status, _) = rate(
        &server,
        &session.cookie,
        &visit_code,
        json!({ "level": 1, "reasons": [115] }),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(server.evaluations().await, 0);

    // The tablet rates it; the same rating sent again (a retry after a lost answer) stores nothing
    // more and answers with the same tracking code.
    let (status, first) = rate(&server, &tablet, &visit_code, json!({ "level": 5 })).await;
    assert_eq!(status, 201, "{first}");
    let (status, retry) = rate(&server, &tablet, &visit_code, json!({ "level": 5 })).await;
    assert_eq!((status, &retry), (201, &first));
    assert_eq!(server.evaluations().await, 1);
    let stored = "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
                  JOIN staff st ON st.id = o.staff_id \
                  WHERE e.channel = 'hall_device' AND st.staff_no = 'S001' AND o.kind = 'visit'";
    assert_eq!(
        sqlx_count(s, stored).await,
        1,
        "hall_device, the visit's clerk"
    );
    assert_eq!(
        next(&server, &tablet).await.1["visit"],
        Value::Null,
        "rated: no longer offered"
    );

    // Bad input names the field; an unknown 评价码 is refused.
    let other = server.finished_visit("A002").await;
    let other_code = other["visit_code"].as_str().unwrap();
    let (status, errors) = rate(&server, &tablet, other_code, json!({ "level": 1 })).await;
    assert_eq!(status, 422, "{errors}");
    assert_eq!(errors["errors"][0]["field"], "reasons");
    let (status, _) = rate(&server, &tablet, "NOSUCHCODE", json!({ "level": 5 })).await;
    assert_eq!(status, 409);

    // Revoked, it is a stranger.
    let admin = server.administrator("admin2").await;
    let id = sqlx_count(s, "SELECT id FROM device").await;
    assert!(
        server::features::device::revoke(s, admin.actor, id)
            .await
            .unwrap()
    );
    assert_eq!(next(&server, &tablet).await.0, 401);
}

#[tokio::test]
async fn guessing_codes_voids_the_open_ones() {
    let server = TestServer::start().await;
    let code = code_for_a01(&server, "admin").await;
    for i in 0..20 {
        let wrong = format!("{:08}", (i * 7_919 + 13) % 100_000_000);
        if wrong != code {
            assert_eq!(enrol(&server, &wrong).await.status(), 422);
        }
    }
    assert_eq!(
        enrol(&server, &code).await.status(),
        422,
        "void after the guesses"
    );
}

#[tokio::test]
async fn a_tablet_silent_while_its_window_serves_raises_the_alarm() {
    let server = TestServer::start().await;
    let s = &server.state;
    let supervisor = server.supervisor("jiandu").await.actor;
    let code = code_for_a01(&server, "admin").await;
    let tablet = cookie_of(&enrol(&server, &code).await);
    let enrolled = server::platform::db::now();
    // Three working days later (whatever today is, they hold far more than two working hours).
    let later = Timestamp::from_unix_ms(enrolled.unix_ms() + 7 * 86_400_000);
    let silent = |at| server::features::device::silent(s, supervisor, at);
    assert!(
        silent(later).await.unwrap().is_empty(),
        "its window served nobody"
    );

    let visit = server.finished_visit("A001").await;
    let alarms = silent(later).await.unwrap();
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].served_since, 1);
    assert!(alarms[0].device.window.contains("A01"));
    assert!(
        silent(enrolled).await.unwrap().is_empty(),
        "not before the hours set"
    );

    // A rating on the tablet ends the silence.
    let code = visit["visit_code"].as_str().unwrap();
    assert_eq!(
        rate(&server, &tablet, code, json!({ "level": 4 })).await.0,
        201
    );
    assert!(silent(later).await.unwrap().is_empty());

    // The supervisor's overview lists the alarm.
    server.finished_visit("A002").await;
    let session = server.sign_in(&server.supervisor("jiandu2").await).await;
    let page = server.page_as("/staff/overview", &session).await;
    assert!(page.contains("评价器静默预警"), "{page}");
}

#[tokio::test]
async fn device_settings_are_checked_and_audited() {
    let server = TestServer::start().await;
    let s = &server.state;
    let admin = server.administrator("admin").await.actor;
    let wrong = DeviceSettings {
        idle_seconds: 5,
        silence_hours: 2,
    };
    assert!(
        server::features::device::save_settings(s, admin, wrong)
            .await
            .is_err()
    );
    let right = DeviceSettings {
        idle_seconds: 30,
        silence_hours: 3,
    };
    server::features::device::save_settings(s, admin, right)
        .await
        .unwrap();
    assert_eq!(s.rules().devices, right);
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action = 'set_device_settings'"
        )
        .await,
        1
    );
    let clerk = server.clerk("clerk", "BDC", Some("S001")).await.actor;
    assert!(
        server::features::device::save_settings(s, clerk, right)
            .await
            .is_err()
    );
}

/// Waits (bounded by `secs`) until the element matching `css` is shown (not `hidden`).
async fn shown(client: &Client, css: &str, secs: u64) {
    client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(fantoccini::Locator::Css(&format!("{css}:not([hidden])")))
        .await
        .unwrap_or_else(|e| panic!("{css} never shown: {e}"));
}

/// Waits (bounded) until `count` is `n`.
async fn count_reaches(server: &TestServer, sql: &str, n: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sqlx_count(&server.state, sql).await != n {
        assert!(
            std::time::Instant::now() < deadline,
            "{sql} never reached {n}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn tablet_journey(client: Client, server: Arc<TestServer>, code: String) {
    let by_tablet = "SELECT count(*) FROM evaluation WHERE channel = 'hall_device'";
    client.set_window_size(800, 1280).await.unwrap();
    client.goto(&server.url("/device")).await.unwrap();
    fill(&client, "#code", &code).await;
    click_button(&client, "绑定").await;
    wait_text(&client, "#device-idle", "A01").await;
    find(&client, "#device[data-idle='15']").await;

    // The clerk finishes a visit: the tablet offers it; the citizen rates.
    server.finished_visit("A001").await;
    shown(&client, "#device-rate", 10).await;
    click(&client, "label.lv5").await;
    click_button(&client, "提交评价").await;
    shown(&client, "#device-done", 10).await;
    count_reaches(&server, by_tablet, 1).await;
    shown(&client, "#device-idle", 10).await;

    // A visit nobody rates: back to idle after the timeout, nothing stored.
    server.finished_visit("A002").await;
    shown(&client, "#device-rate", 10).await;
    shown(&client, "#device-idle", 30).await;
    assert_eq!(sqlx_count(&server.state, by_tablet).await, 1);

    // The network drops as the citizen submits: kept, sent when it is back, stored once.
    server.finished_visit("A003").await;
    shown(&client, "#device-rate", 10).await;
    click(&client, "label.lv4").await;
    set_offline(&client, true).await;
    click_button(&client, "提交评价").await;
    wait_text(&client, "#device-status", "已保存").await;
    assert_eq!(sqlx_count(&server.state, by_tablet).await, 1);
    set_offline(&client, false).await;
    count_reaches(&server, by_tablet, 2).await;
    wait_text(&client, "#device-status", "").await;
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE e.channel = 'hall_device' AND e.level = 4"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_tablet_journey_in_chromium_enrol_rate_time_out_and_survive_a_network_drop() {
    let server = Arc::new(TestServer::start().await);
    let admin = server.administrator("admin").await.actor;
    let settings = DeviceSettings {
        idle_seconds: 15,
        silence_hours: 2,
    };
    server::features::device::save_settings(&server.state, admin, settings)
        .await
        .unwrap();
    let code = code_for_a01(&server, "admin2").await;
    let shared = server.clone();
    journey(Js::On, move |client| tablet_journey(client, shared, code)).await;
}

#[tokio::test]
async fn the_clerk_finishes_the_visit_being_served_and_the_tablet_offers_it() {
    use app::api::staff::FinishVisit;
    use leptos::server_fn::ServerFn;

    let server = TestServer::start().await;
    let code = code_for_a01(&server, "admin").await;
    let tablet = cookie_of(&enrol(&server, &code).await);
    let clerk = server.clerk("clerk", "BDC", Some("S001")).await;
    let session = server.sign_in(&clerk).await;
    let finish = [("csrf", session.csrf.clone())];

    // Nothing is being served: nothing to finish.
    let (status, body) = server.call(FinishVisit::PATH, &session, &finish).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("没有正在办理的叫号"), "{body}");

    // The queue system calls a ticket to A01 and reports no 办结 (and no clerk).
    let now = server::platform::db::now_ms();
    let mut called = tests::visit("A007", now);
    called.as_object_mut().unwrap().remove("finished_at_ms");
    called.as_object_mut().unwrap().remove("staff");
    let (status, answer) = server.api_post("/api/v1/visits", &called).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        next(&server, &tablet).await.1["visit"],
        Value::Null,
        "not finished yet"
    );

    // The clerk finishes it from their page: the tablet offers it, with the clerk as its staff.
    let (status, body) = server.call(FinishVisit::PATH, &session, &finish).await;
    assert_eq!(status, 200, "{body}");
    let offered = next(&server, &tablet).await.1;
    assert_eq!(offered["visit"], answer["visit_code"]);
    let code = offered["visit"].as_str().unwrap();
    assert_eq!(
        rate(&server, &tablet, code, json!({ "level": 5 })).await.0,
        201
    );
    let by_clerk = "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
                    JOIN staff st ON st.id = o.staff_id WHERE st.staff_no = 'S001' AND e.channel = 'hall_device'";
    assert_eq!(sqlx_count(&server.state, by_clerk).await, 1);

    // A forged form and another role are refused.
    let forged = [("csrf", "forged".to_owned())];
    assert_eq!(
        server.call(FinishVisit::PATH, &session, &forged).await.0,
        403
    );
    let handler = server.sign_in(&server.handler("bdc", "BDC").await).await;
    let form = [("csrf", handler.csrf.clone())];
    assert_eq!(server.call(FinishVisit::PATH, &handler, &form).await.0, 403);
}

#[tokio::test]
async fn after_a_change_of_master_key_a_tablet_keeps_working_while_the_old_key_is_listed() {
    let before = TestServer::start().await;
    let code = code_for_a01(&before, "admin").await;
    let tablet = cookie_of(&enrol(&before, &code).await);
    assert_eq!(next(&before, &tablet).await.0, 200);
    let database = before.state.config.database_url.clone();
    let old_key = before
        .state
        .config
        .master_key
        .clone()
        .expect("the harness names its key");
    let new_key = "11".repeat(32);

    // The same database under a new master key, the old one listed: the tablet is still known,
    // and the ratings it makes are still this one device's.
    let rolled = TestServer::start_on_existing(|c| {
        c.database_url = database.clone();
        c.master_key = Some(new_key.clone());
        c.old_keys = vec![old_key.clone()];
    })
    .await;
    assert_eq!(next(&rolled, &tablet).await.0, 200);
    let visit = before.finished_visit("A001").await;
    let visit_code = visit["visit_code"].as_str().unwrap().to_owned();
    let body = json!({ "level": 5 });
    let (status, first) = rate(&rolled, &tablet, &visit_code, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, repeat) = rate(&rolled, &tablet, &visit_code, body).await;
    assert_eq!(
        (status, &repeat),
        (201, &first),
        "a retry of the same tablet"
    );

    // Once the old key is dropped, the tablet must be enrolled again.
    let forgetful = TestServer::start_on_existing(|c| {
        c.database_url = database.clone();
        c.master_key = Some(new_key.clone());
    })
    .await;
    assert_eq!(next(&forgetful, &tablet).await.0, 401);
}
