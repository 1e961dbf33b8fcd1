//! 防刷 — anonymous writes under abuse: a flood with rotating made-up cookies from one address is
//! held to the configured rate and the window's figures count only what was accepted, while an
//! honest citizen elsewhere is not affected; cross-site posts are refused; a plain form needs the
//! time it was served (a minimum fill time) and an empty honeypot.

use std::net::IpAddr;

use serde_json::{Value, json};
use server::platform::guard::{GuardConfig, issued_value};
use tests::{TestServer, cookie_of, sqlx_count};

/// Production's limits, with the test's loopback as the trusted proxy so that each request can
/// say which client it is for.
async fn guarded() -> TestServer {
    TestServer::start_with(|c| {
        c.guard = GuardConfig {
            trusted_proxies: vec![IpAddr::from([127, 0, 0, 1])],
            ..GuardConfig::production()
        };
    })
    .await
}

#[tokio::test]
async fn a_cookie_rotating_flood_is_held_to_the_limits_and_an_honest_citizen_is_not() {
    let server = guarded().await;
    server.second_window().await;
    let s = &server.state;
    let a01 = server.window_link().await;
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for i in 0..200 {
        let response = server
            .http
            .post(&a01)
            .header("x-forwarded-for", "203.0.113.7")
            .header("cookie", format!("hcp_dev={i:032x}.{i:024x}"))
            .json(&json!({ "level": 1, "reasons": [115], "comment": "差" }))
            .send()
            .await
            .unwrap();
        *statuses.entry(response.status().as_u16()).or_default() += 1;
    }
    // Made-up cookies are no devices: after the first, the address's browser is in its cool-down;
    // past the address's limit, nothing reaches the handler at all.
    assert_eq!(statuses.get(&201), Some(&1), "{statuses:?}");
    assert!(
        statuses.get(&429).copied().unwrap_or(0) >= 199,
        "{statuses:?}"
    );
    assert_eq!(server.evaluations().await, 1);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM ticket").await, 1);
    let figures = sqlx_count(
        s,
        "SELECT rated FROM stat_walk_in WHERE scope = 'all' ORDER BY month DESC LIMIT 1",
    )
    .await;
    assert_eq!(
        figures, 1,
        "the public figures count only what was accepted"
    );

    // Another citizen, another address, another window: unaffected.
    let a02 = server.window_link_of("A02").await;
    let page = server
        .http
        .get(&a02)
        .header("x-forwarded-for", "198.51.100.9")
        .send()
        .await
        .unwrap();
    let honest = server
        .http
        .post(&a02)
        .header("x-forwarded-for", "198.51.100.9")
        .header("cookie", cookie_of(&page))
        .json(&json!({ "level": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(honest.status(), 201);
}

#[tokio::test]
async fn one_window_takes_at_most_its_rate_whoever_sends() {
    let server = guarded().await;
    let a01 = server.window_link().await;
    let mut accepted = 0;
    for i in 0..30 {
        let address = format!("198.51.100.{}", i + 1);
        let page = server
            .http
            .get(&a01)
            .header("x-forwarded-for", &address)
            .send()
            .await
            .unwrap();
        let response = server
            .http
            .post(&a01)
            .header("x-forwarded-for", &address)
            .header("cookie", cookie_of(&page))
            .json(&json!({ "level": 5 }))
            .send()
            .await
            .unwrap();
        if response.status() == 201 {
            accepted += 1;
        } else {
            assert_eq!(response.status(), 429);
            assert!(response.headers().contains_key("retry-after"));
        }
    }
    let limit = GuardConfig::production().window_ratings_per_minute;
    assert!(
        accepted >= limit as usize && accepted <= limit as usize + 1,
        "{accepted}"
    );
    assert_eq!(server.evaluations().await, accepted as i64);
}

#[tokio::test]
async fn a_complaint_flood_from_one_address_is_held_to_its_limit() {
    let server = guarded().await;
    let department = server.department("BDC").await.to_string();
    // Forms as a script would send them, each with a served time old enough to pass.
    let issued = issued_value(server::platform::db::now_ms() - 60_000);
    let (mut accepted, mut limited) = (0, 0);
    for i in 0..100 {
        let description = format!("窗口无人，第{i}次");
        let form = [
            ("department", department.as_str()),
            ("description", description.as_str()),
            ("issued", issued.as_str()),
        ];
        let response = server
            .http
            .post(server.url("/complaint"))
            .header("x-forwarded-for", "203.0.113.8")
            .header("cookie", format!("hcp_dev={i:032x}.{i:024x}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        if status.is_redirection() {
            accepted += 1;
        } else if body.contains("提交过于频繁") {
            limited += 1;
        }
    }
    let limit = GuardConfig::production().writes_per_minute as usize;
    assert!(accepted >= 1 && accepted <= limit + 1, "{accepted}");
    assert!(
        limited >= 100 - limit - 1,
        "{limited} refused by the address's limit"
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM complaint").await,
        accepted as i64
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_nothing_is_stored() {
    let server = guarded().await;
    let a01 = server.window_link().await;
    let forged = server
        .http
        .post(&a01)
        .header("sec-fetch-site", "cross-site")
        .form(&[("level", "1"), ("reasons", "115")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("不接受来自其他网站的提交")
    );
    let old_browser = server
        .http
        .post(&a01)
        .header("origin", "https://evil.example")
        .json(&json!({ "level": 1, "reasons": [115] }))
        .send()
        .await
        .unwrap();
    assert_eq!(old_browser.status(), 403);
    // The staff log-in too.
    use leptos::server_fn::ServerFn;
    let login = server
        .http
        .post(server.url(app::api::staff::StaffLogin::PATH))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "x"), ("password", "y"), ("code", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 403);
    assert_eq!(server.evaluations().await, 0);
}

#[tokio::test]
async fn a_plain_form_needs_its_served_time_and_an_empty_honeypot() {
    let server = guarded().await;
    let a01 = server.window_link().await;
    let page = server.get(&a01).await;
    let cookie = cookie_of(&page);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"issued\"") && html.contains("name=\"website\""));
    let post = |fields: Vec<(&'static str, String)>| {
        let request = server
            .http
            .post(&a01)
            .header("cookie", cookie.clone())
            .form(&fields);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let now = server::platform::db::now_ms();
    let level = || ("level", "5".to_owned());
    let cases = [
        (vec![level()], "页面已过期"),
        (
            vec![level(), ("issued", format!("{now}.0000000000000000"))],
            "页面已过期",
        ),
        (vec![level(), ("issued", issued_value(now))], "提交过快"),
        (
            vec![
                level(),
                ("issued", issued_value(now - 60_000)),
                ("website", "http://spam".into()),
            ],
            "提交未被接受",
        ),
    ];
    for (fields, message) in cases {
        let (status, body) = post(fields).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{message}: {body}");
    }
    assert_eq!(server.evaluations().await, 0);
    let (status, _) = post(vec![level(), ("issued", issued_value(now - 60_000))]).await;
    assert_eq!(status, 303, "a person who took their time");
    assert_eq!(server.evaluations().await, 1);
}

#[tokio::test]
async fn a_name_that_would_be_a_formula_stays_text_in_the_csv_downloads() {
    let server = TestServer::start().await;
    server.rate("F-1", json!({ "level": 5 })).await;
    sqlx::query("UPDATE department SET name = '=HYPERLINK(\"http://x\",\"y\")' WHERE code = 'BDC'")
        .execute(server.state.store.pool())
        .await
        .unwrap();
    server.state.store.rebuild_stats().await.unwrap();
    let csv = server.page("/open/data.csv").await;
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
    let json = server.page("/open/data.json").await;
    assert!(
        json.contains("\"=HYPERLINK"),
        "the JSON keeps the name as it is"
    );
}

#[tokio::test]
async fn a_business_system_registers_only_what_belongs_to_the_department() {
    let server = TestServer::start().await;
    let ga = server.add_department("GA", "县公安局").await;
    server
        .state
        .store
        .insert_service_item(domain::ids::DepartmentId(ga), "000201001000", "户口迁移")
        .await
        .unwrap();
    let refused = |field: &'static str, changes: Value| {
        let server = &server;
        async move {
            let mut case = tests::occurrence(&format!("X-{field}"));
            for (k, v) in changes.as_object().unwrap() {
                case[k] = v.clone();
            }
            let response = server.register(case).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 422, "{field}: {body}");
            assert!(body.to_string().contains(field), "{field}: {body}");
        }
    };
    // Another department's item, and this department's item with another department's window.
    refused("service_item", json!({ "department": "GA" })).await;
    refused(
        "window",
        json!({ "department": "GA", "service_item": "000201001000", "staff": null }),
    )
    .await;
    refused(
        "staff",
        json!({ "department": "GA", "service_item": "000201001000", "window": null }),
    )
    .await;
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM service_occurrence").await,
        0
    );
    // What belongs together registers.
    let mut own = tests::occurrence("X-OK");
    own["department"] = "GA".into();
    own["service_item"] = "000201001000".into();
    own["window"] = Value::Null;
    own["staff"] = Value::Null;
    assert_eq!(server.register(own).await.status(), 201);
}

#[tokio::test]
async fn case_numbers_are_each_business_systems_own() {
    let server = TestServer::start().await;
    let other = server
        .add_business_system("https://other.example.gov.cn")
        .await;
    let by_other = |case: Value| {
        let server = &server;
        let other = &other;
        async move { server.register_as(other, case).await }
    };
    // The other system takes the number first; the seeded system's own case of that number is
    // still its own, and each repeat is answered with its own system's occurrence.
    let first = by_other(tests::occurrence("SQUAT-1")).await;
    assert_eq!(first.status(), 201);
    let own = server.register(tests::occurrence("SQUAT-1")).await;
    assert_eq!(own.status(), 201, "not squatted by the other system");
    let again = server.register(tests::occurrence("SQUAT-1")).await;
    assert_eq!(again.status(), 200, "a repeat is the same case");
    // Within one system a case number is still one case: other details conflict.
    let mut changed = tests::occurrence("SQUAT-1");
    changed["staff"] = Value::Null;
    assert_eq!(by_other(changed).await.status(), 409);
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(DISTINCT business_system_id) FROM service_occurrence \
             WHERE case_number = 'SQUAT-1'"
        )
        .await,
        2
    );
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM service_occurrence WHERE case_number = 'SQUAT-1'"
        )
        .await,
        2
    );
}

/// Reads from `stream` until the server closes it; the bytes it sent. Bounded: a connection still
/// open after `bound` fails the test.
async fn until_closed(stream: &mut tokio::net::TcpStream, bound: std::time::Duration) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = async {
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(bound, read)
        .await
        .expect("the server never closed the connection");
    got
}

async fn short_timeouts() -> TestServer {
    TestServer::start_with(|c| {
        c.listener.header_timeout = std::time::Duration::from_millis(500);
        c.listener.request_timeout = std::time::Duration::from_millis(800);
        c.listener.max_connections = 4;
    })
    .await
}

#[tokio::test]
async fn slow_headers_and_silent_connections_are_closed_by_the_server() {
    use tokio::io::AsyncWriteExt;
    let server = short_timeouts().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /open HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    until_closed(&mut slow, std::time::Duration::from_secs(10)).await;
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    until_closed(&mut silent, std::time::Duration::from_secs(10)).await;
    // The server still answers.
    assert_eq!(server.get("/open").await.status(), 200);
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_ends_with_408() {
    use tokio::io::AsyncWriteExt;
    let server = short_timeouts().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(
            b"POST /complaint HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stream, std::time::Duration::from_secs(10)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn past_the_connection_limit_a_new_connection_is_closed_at_once() {
    let server = TestServer::start_with(|c| c.listener.max_connections = 2).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let _held: Vec<tokio::net::TcpStream> = vec![
        tokio::net::TcpStream::connect(&address).await.unwrap(),
        tokio::net::TcpStream::connect(&address).await.unwrap(),
    ];
    let mut third = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Closed well before the header timeout (30 s) could close it.
    until_closed(&mut third, std::time::Duration::from_secs(5)).await;
}

#[tokio::test]
async fn staff_pages_are_never_stored_and_https_brings_hsts_and_secure_cookies() {
    let server = TestServer::start().await;
    let login = server.get("/staff/login").await;
    assert_eq!(login.headers()["cache-control"], "no-store");
    assert!(
        login.headers().get("strict-transport-security").is_none(),
        "plain http here"
    );
    let open = server.get("/open").await;
    assert_ne!(
        open.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "public figures may be cached"
    );

    let https = TestServer::start_with(|c| c.public_url = "https://hcp.example.cn".into()).await;
    let page = https
        .get(
            &https
                .window_link()
                .await
                .replace("https://hcp.example.cn", ""),
        )
        .await;
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = page.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn every_page_carries_a_full_policy_and_the_site_scripts_their_nonce() {
    let server = TestServer::start().await;
    let login = server.get("/staff/login").await;
    let policy = login.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce")
        .to_owned();
    let html = login.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert!(!policy.contains("unsafe-inline") && policy.contains("object-src 'none'"));
    // A second render gets another nonce.
    let again = server.get("/staff/login").await;
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce)
    );
    // The citizen page allows its one inline stylesheet by hash, and scripts only from here.
    let rating = server.get(&server.window_link().await).await;
    let policy = rating.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("style-src 'self' 'sha256-")
            && policy.contains("script-src 'self' 'wasm-unsafe-eval'")
    );
}

#[tokio::test]
async fn open_data_is_one_month_at_a_time() {
    let server = TestServer::start().await;
    let june = domain::time::Month::new(2025, 6).unwrap();
    server
        .rate_at("OLD-1", "A01", 5, june.start_unix_ms_cst() + 86_400_000)
        .await;
    server.rate("NEW-1", json!({ "level": 4 })).await;
    let months = |body: String| -> Vec<i64> {
        let data: Value = serde_json::from_str(&body).unwrap();
        let mut months: Vec<i64> = data["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["month"].as_i64().unwrap())
            .collect();
        months.dedup();
        months
    };
    let now = server::platform::db::now().month_cst().yyyymm();
    assert_eq!(months(server.page("/open/data.json").await), [now]);
    assert_eq!(
        months(server.page("/open/data.json?month=2025-06").await),
        [202506]
    );
}

#[tokio::test]
async fn a_failure_has_one_shape_with_the_request_id_and_nothing_internal() {
    let server = TestServer::start().await;
    let fine = server.get("/open").await;
    let first = fine.headers()["x-request-id"].to_str().unwrap().to_owned();
    let again = server.get("/open").await;
    assert_ne!(again.headers()["x-request-id"].to_str().unwrap(), first);
    // The visits' table is gone: the report fails inside, and says only that.
    sqlx::query("DROP TABLE hall_visit")
        .execute(server.state.store.pool())
        .await
        .unwrap();
    let body = tests::visit("A001", server::platform::db::now_ms());
    let response = server
        .http
        .post(server.url("/api/v1/visits"))
        .bearer_auth(&server.api_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["error"], "internal");
    assert_eq!(answer["request_id"], id.as_str());
    assert!(
        !text.contains("hall_visit") && !text.to_lowercase().contains("sql"),
        "{text}"
    );
}

#[tokio::test]
async fn each_refusal_has_its_own_status_and_strangers_learn_only_401() {
    let server = TestServer::start().await;
    let link = server.rating_link("STATUS-1").await;
    let rating_path = format!("/r/{}", link.split("/r/").nth(1).unwrap());
    let big_json = json!({ "case_number": "x".repeat(3 * 1024 * 1024) }).to_string();
    let big_form = format!("level=5&comment={}", "字".repeat(40_000));
    let api = |path: &str| {
        server
            .http
            .post(server.url(path))
            .bearer_auth(&server.api_key)
    };
    let json_body = |r: reqwest::RequestBuilder, body: &str| {
        r.header("content-type", "application/json")
            .body(body.to_owned())
    };
    let form = |path: &str| {
        server
            .http
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big_form.clone())
    };
    let cases = [
        (
            "no key",
            server
                .http
                .post(server.url("/api/v1/occurrences"))
                .json(&tests::occurrence("S-2")),
            401,
        ),
        (
            "unknown key",
            server
                .http
                .post(server.url("/api/v1/occurrences"))
                .bearer_auth("nope")
                .json(&tests::occurrence("S-2")),
            401,
        ),
        (
            "visit without key",
            server
                .http
                .post(server.url("/api/v1/visits"))
                .json(&json!({})),
            401,
        ),
        (
            "batch without key",
            server
                .http
                .post(server.url("/api/v1/visits/batch"))
                .json(&json!([])),
            401,
        ),
        (
            "3 MiB occurrence",
            json_body(api("/api/v1/occurrences"), &big_json),
            413,
        ),
        (
            "3 MiB visit",
            json_body(api("/api/v1/visits"), &big_json),
            413,
        ),
        (
            "3 MiB batch",
            json_body(api("/api/v1/visits/batch"), &big_json),
            413,
        ),
        ("not JSON", api("/api/v1/occurrences").body("{}"), 415),
        (
            "broken JSON",
            json_body(api("/api/v1/occurrences"), "{nope"),
            400,
        ),
        (
            "a field wrong",
            api("/api/v1/occurrences").json(&json!({ "case_number": 5 })),
            422,
        ),
        ("big rating form", form(&rating_path), 413),
        ("big complaint form", form("/complaint"), 413),
        (
            "report without session",
            server.http.get(server.url("/staff/report.csv")),
            401,
        ),
        (
            "import without session",
            server.http.post(server.url("/staff/organisation/import")),
            401,
        ),
        (
            "template without session",
            server
                .http
                .get(server.url("/staff/organisation/template/items.csv")),
            401,
        ),
        (
            "tablet without cookie",
            server.http.get(server.url("/device/next")),
            401,
        ),
    ];
    for (what, request, expected) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{what}");
    }
    assert_eq!(
        server.evaluations().await,
        0,
        "nothing stored by any of them"
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM service_occurrence").await,
        1
    );
}
