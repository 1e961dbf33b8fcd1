//! 一次一评 as occurrences: the queue system reports a hall's visits, a finished visit waits for its
//! rating, the window's e码 rates the visit just finished there (staff and item from the visit), and
//! an e码 rating without a visit is a walk-in, outside 评价率.

use domain::ticket::TicketAction;
use serde_json::{Value, json};
use tests::{TestServer, cookie_of, sqlx_count, table_row as row, visit};

/// Now, as the server's clock reads it: visits are reported as they happen.
fn now_ms() -> i64 {
    server::platform::db::now_ms()
}

fn this_month() -> String {
    server::platform::db::now().month_cst().to_string()
}

async fn post(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    server.api_post(path, body).await
}

/// Rates at the e码 `link` from a new device (its own cookie), a 差评 with a comment.
async fn rate_from_new_device(server: &TestServer, link: &str, level: &str) -> reqwest::Response {
    let page = server.get(link).await;
    assert_eq!(page.status(), 200);
    server
        .http
        .post(link)
        .header("cookie", cookie_of(&page))
        .form(&[("level", level), ("comment", "排队太久，窗口无人")])
        .send()
        .await
        .unwrap()
}

/// `rate_from_new_device`'s status.
async fn rate_at_window(server: &TestServer, link: &str, level: &str) -> u16 {
    rate_from_new_device(server, link, level)
        .await
        .status()
        .as_u16()
}

async fn window_a(server: &TestServer) -> i64 {
    sqlx_count(
        &server.state,
        "SELECT id FROM service_window WHERE code = 'W-A01'",
    )
    .await
}

#[tokio::test]
async fn seventy_of_a_hundred_visits_rated_by_e_code_is_seventy_percent_for_window_and_clerk() {
    let server = TestServer::start().await;
    let link = server.window_link().await;
    for i in 0..70 {
        let (status, body) = post(
            &server,
            "/api/v1/visits",
            &visit(&format!("A{i:03}"), now_ms()),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(
            (body["finished"].as_bool(), body["rated"].as_bool()),
            (Some(true), Some(false))
        );
        assert_eq!(rate_at_window(&server, &link, "5").await, 303);
    }
    // Every visit is rated: the next e码 rating at the window has no visit to rate.
    assert_eq!(rate_at_window(&server, &link, "1").await, 303);
    let rows: Vec<Value> = (70..100)
        .map(|i| visit(&format!("A{i:03}"), now_ms()))
        .collect();
    let (status, body) = post(&server, "/api/v1/visits/batch", &json!(rows)).await;
    assert_eq!(
        (status, body["created"].as_i64()),
        (200, Some(30)),
        "{body}"
    );

    let s = &server.state;
    let count = |sql: &'static str| sqlx_count(s, sql);
    assert_eq!(
        count("SELECT count(*) FROM service_occurrence WHERE kind = 'visit'").await,
        100
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
             WHERE o.kind = 'visit' AND o.staff_id IS NOT NULL AND o.service_item_id IS NOT NULL"
        )
        .await,
        70,
        "staff and item come from the visit"
    );
    assert_eq!(
        count("SELECT count(*) FROM service_occurrence WHERE kind = 'walk_in'").await,
        1
    );

    let window = server
        .page(&format!("/open/window/{}", window_a(&server).await))
        .await;
    let rating_rate = row(&window, "评价率");
    assert!(
        rating_rate.starts_with("评价率|70.00 %|") && rating_rate.ends_with("|70/100"),
        "{rating_rate}"
    );
    assert!(
        window.contains(
            "另有 1 条未关联办件的扫码评价（其中差评 1 条，已照常处理），不计入评价率和满意率。"
        ),
        "{window}"
    );
    assert!(
        row(&window, "差评率").ends_with("|0/70"),
        "the walk-in 差评 is not in the figures"
    );
    let all = server.page("/open").await;
    assert!(row(&all, "评价率").ends_with("|70/100"));
    let staff = server
        .page(&format!("/open/staff?month={}", this_month()))
        .await;
    assert_eq!(
        row(&staff, "工号 S001"),
        "工号 S001|100|70|70.00 %|100.00 %|0|0"
    );
    // The open data carries the walk-ins beside the figures.
    let data: Value = serde_json::from_str(&server.page("/open/data.json").await).unwrap();
    let window_row = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "window")
        .unwrap();
    assert_eq!(
        [
            &window_row["occurrences"],
            &window_row["l5"],
            &window_row["walk_in"],
            &window_row["walk_in_bad"]
        ],
        [100, 70, 1, 1]
    );
    // A walk-in 差评 still opens its ticket.
    assert_eq!(count("SELECT count(*) FROM ticket").await, 1);
}

#[tokio::test]
async fn reporting_a_visit_again_updates_it_and_never_makes_a_second_occurrence() {
    let server = TestServer::start().await;
    let at = now_ms();
    let mut taken = visit("B001", at);
    taken["called_at_ms"] = Value::Null;
    taken["finished_at_ms"] = Value::Null;
    let (status, first) = post(&server, "/api/v1/visits", &taken).await;
    assert_eq!(
        (status, first["finished"].as_bool()),
        (201, Some(false)),
        "{first}"
    );
    let code = first["visit_code"].as_str().unwrap();
    assert!(
        first["rating_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("?v={code}"))
    );
    let occurrences = || sqlx_count(&server.state, "SELECT count(*) FROM service_occurrence");
    assert_eq!(
        occurrences().await,
        0,
        "a visit not finished is not an occurrence"
    );

    let finished = visit("B001", at);
    for _ in 0..2 {
        let (status, again) = post(&server, "/api/v1/visits", &finished).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(
            (&again["id"], &again["visit_code"]),
            (&first["id"], &first["visit_code"])
        );
        assert_eq!(again["finished"], true);
    }
    let (status, _) = post(&server, "/api/v1/visits/batch", &json!([finished])).await;
    assert_eq!(status, 200);
    assert_eq!(occurrences().await, 1);
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM hall_visit").await,
        1
    );

    // A late report that leaves out what was said before changes nothing; once finished, what
    // defines the occurrence is fixed.
    let (status, _) = post(&server, "/api/v1/visits", &taken).await;
    assert_eq!(status, 200);
    let mut earlier = finished.clone();
    earlier["taken_at_ms"] = json!(at - 1);
    let (status, body) = post(&server, "/api/v1/visits", &earlier).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (409, Some("taken_at_ms")),
        "{body}"
    );
    let kept =
        "SELECT count(*) FROM hall_visit WHERE staff_id IS NOT NULL AND finished_at IS NOT NULL";
    assert_eq!(sqlx_count(&server.state, kept).await, 1);

    // A visit not finished: a later 取号 than its stored 叫号 is refused, naming the field.
    let mut called = visit("B002", at);
    called["finished_at_ms"] = Value::Null;
    assert_eq!(post(&server, "/api/v1/visits", &called).await.0, 201);
    let mut later = visit("B002", at + 1);
    later["called_at_ms"] = Value::Null;
    later["finished_at_ms"] = Value::Null;
    let (status, body) = post(&server, "/api/v1/visits", &later).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("called_at_ms")),
        "{body}"
    );
}

#[tokio::test]
async fn a_visit_rated_by_e_code_cannot_be_rated_again_by_its_case_link_or_its_code() {
    let server = TestServer::start().await;
    let mut body = visit("C001", now_ms());
    body["case_number"] = "C-VISIT-1".into();
    let (status, reported) = post(&server, "/api/v1/visits", &body).await;
    assert_eq!(status, 201, "{reported}");
    let rating_url = reported["rating_url"].as_str().unwrap();
    assert_eq!(rate_at_window(&server, rating_url, "4").await, 303);

    // The business system registers the same case for its link: the same occurrence, rated.
    let mut case = tests::occurrence("C-VISIT-1");
    case["channel"] = "qr_code".into();
    case.as_object_mut().unwrap().remove("evaluator_phone");
    let registered = server.register(case).await;
    assert_eq!(registered.status(), 200, "already registered, by the visit");
    let registered: Value = registered.json().await.unwrap();
    let link = registered["rating_url"].as_str().unwrap();
    let refused = server.post_form(link, &[("level", "1")]).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("本次服务已存在评价"));
    // The printed 评价码 does not rate it twice either.
    assert_eq!(rate_at_window(&server, rating_url, "1").await, 409);
    assert_eq!(server.evaluations().await, 1);

    // The other way round: a case rated by its link, then reported as a finished visit.
    server.rate("C-LINK-1", json!({ "level": 5 })).await;
    let mut body = visit("C002", now_ms());
    body["case_number"] = "C-LINK-1".into();
    let (status, reported) = post(&server, "/api/v1/visits", &body).await;
    assert_eq!(
        (status, reported["rated"].as_bool()),
        (201, Some(true)),
        "{reported}"
    );
    let code_link = reported["rating_url"].as_str().unwrap();
    assert_eq!(rate_at_window(&server, code_link, "1").await, 409);
    assert_eq!(server.evaluations().await, 2);
}

#[tokio::test]
async fn bad_visits_are_refused_naming_the_field_and_a_bad_batch_stores_nothing() {
    let server = TestServer::start().await;
    let at = now_ms();
    let cases: [(&str, Value, u16); 8] = [
        ("hall", json!("NOPE"), 422),
        ("window", json!("W-NONE"), 422),
        ("staff", json!("S999"), 422),
        ("service_item", json!("999"), 422),
        ("queue_no", json!("A 1"), 422),
        ("taken_at_ms", json!(at / 1000), 422),
        ("finished_at_ms", json!(at - 1), 422),
        ("queue_no", json!(12), 422),
    ];
    for (field, value, expected) in cases {
        let mut body = visit("D001", at);
        body[field] = value;
        let (status, answer) = post(&server, "/api/v1/visits", &body).await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (expected, Some(field)),
            "{answer}"
        );
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let mut missing = visit("D001", at);
    missing.as_object_mut().unwrap().remove("window");
    let (status, answer) = post(&server, "/api/v1/visits", &missing).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("window")),
        "{answer}"
    );
    let unauthorised = server
        .http
        .post(server.url("/api/v1/visits"))
        .json(&visit("D001", at))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);

    // A system without a grant for the window's department.
    let other_key = server
        .add_business_system("https://other.example.gov.cn")
        .await;
    sqlx::query("DELETE FROM business_system_grant WHERE business_system_id = (SELECT max(id) FROM business_system)")
        .execute(server.state.store.pool())
        .await
        .unwrap();
    let forbidden = server
        .http
        .post(server.url("/api/v1/visits"))
        .bearer_auth(other_key)
        .json(&visit("D001", at))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);

    let mut late = visit("D003", at);
    late["called_at_ms"] = json!(at - 10);
    let (status, answer) = post(
        &server,
        "/api/v1/visits/batch",
        &json!([
            visit("D001", at),
            json!({ "hall": "H1" }),
            late,
            visit("D004", at)
        ]),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    let rows: Vec<(i64, &str)> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_i64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [(1, "queue_no"), (2, "called_at_ms")]);
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM hall_visit").await,
        0
    );
}

#[tokio::test]
async fn walk_in_counts_equal_a_recomputation() {
    let server = TestServer::start().await;
    let link = server.window_link().await;
    for i in 0..3 {
        post(
            &server,
            "/api/v1/visits",
            &visit(&format!("E{i}"), now_ms()),
        )
        .await;
    }
    let mut codes = Vec::new();
    for level in ["5", "2", "4", "1", "5", "1"] {
        let rated = rate_from_new_device(&server, &link, level).await;
        assert_eq!(rated.status(), 303);
        let location = rated.headers()["location"].to_str().unwrap();
        let code = location.trim_start_matches("/thanks/").split('?').next();
        codes.push(code.unwrap().to_owned());
    }
    // The last walk-in 差评's appeal is upheld: it leaves the walk-in counts too.
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jiandu").await.actor;
    let ticket = server.ticket_of(&codes[5]).await;
    let act = |actor, action| {
        server::features::ticket::act(&server.state, actor, ticket, action, Some("已电话回访核实"))
    };
    tests::reached_visit(&server.state, handler, ticket, "已电话回访核实")
        .await
        .unwrap();
    tests::file_appeal(&server.state, handler, ticket, "群众误选评价等级")
        .await
        .unwrap();
    act(boss, TicketAction::DecideAppeal { upheld: true })
        .await
        .unwrap();
    let s = &server.state.store;
    let kept = (
        s.all_stats().await.unwrap(),
        s.all_walk_in_stats().await.unwrap(),
    );
    s.rebuild_stats().await.unwrap();
    let recomputed = (
        s.all_stats().await.unwrap(),
        s.all_walk_in_stats().await.unwrap(),
    );
    assert_eq!(kept, recomputed);
    let all_walk_ins = |rows: &[(String, i64, i64, i64, i64)]| {
        rows.iter().find(|r| r.0 == "all").map(|r| (r.3, r.4))
    };
    // The visits are rated first: 5, 2, 4; then the walk-ins 1, 5 and 1 (invalidated).
    assert_eq!(all_walk_ins(&kept.1), Some((2, 1)));
    let all = kept.0.iter().find(|r| r.0 == "all").unwrap().3;
    assert_eq!(
        (all.occurrences, all.rated(), all.bad(), all.invalidated),
        (3, 3, 1, 0)
    );
}

#[tokio::test]
async fn a_visit_rated_while_served_is_one_occurrence_when_it_finishes() {
    let server = TestServer::start().await;
    let link = server.window_link().await;
    let at = now_ms();
    let mut served = visit("F001", at);
    served["finished_at_ms"] = Value::Null;
    let (status, body) = post(&server, "/api/v1/visits", &served).await;
    assert_eq!((status, body["finished"].as_bool()), (201, Some(false)));
    assert_eq!(rate_at_window(&server, &link, "5").await, 303);
    let (status, body) = post(&server, "/api/v1/visits", &visit("F001", at)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["finished"].as_bool(), body["rated"].as_bool()),
        (Some(true), Some(true))
    );
    let visits =
        "SELECT count(*) FROM service_occurrence WHERE kind = 'visit' AND staff_id IS NOT NULL";
    assert_eq!(sqlx_count(&server.state, visits).await, 1);
    let walk_ins = "SELECT count(*) FROM service_occurrence WHERE kind = 'walk_in'";
    assert_eq!(sqlx_count(&server.state, walk_ins).await, 0);
}

#[tokio::test]
async fn the_code_on_the_queue_ticket_chooses_the_visit_rated() {
    let server = TestServer::start().await;
    let (_, first) = post(&server, "/api/v1/visits", &visit("G001", now_ms())).await;
    let (_, second) = post(&server, "/api/v1/visits", &visit("G002", now_ms())).await;
    // Without the code the e码 would rate G002, finished last.
    let rating_url = first["rating_url"].as_str().unwrap();
    assert_eq!(rate_at_window(&server, rating_url, "4").await, 303);
    let rated = |id: &Value| {
        format!(
            "SELECT count(*) FROM hall_visit v JOIN evaluation e ON e.occurrence_id = v.occurrence_id \
             WHERE v.id = {id}"
        )
    };
    assert_eq!(sqlx_count(&server.state, &rated(&first["id"])).await, 1);
    assert_eq!(sqlx_count(&server.state, &rated(&second["id"])).await, 0);
}
