//! 服务不满意/投诉: the public complaint page, its ticket, and the tracking page.

use tests::{TestServer, cookie_of, sqlx_count};

#[tokio::test]
async fn a_complaint_opens_a_ticket_and_can_be_followed() {
    let server = TestServer::start().await;
    let page = server.get("/complaint").await;
    let cookie = cookie_of(&page);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("县不动产登记中心") && html.contains("不动产首次登记"),
        "chosen from lists"
    );

    let department = server.department("BDC").await.to_string();
    let form = [
        ("department", department.as_str()),
        ("description", "窗口中午无人，等了一个小时"),
        ("phone", "13700137000"),
    ];
    // From the device that opened the page (its cookie), as a browser posts the form.
    let complain = || {
        server
            .http
            .post(server.url("/complaint"))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let response = complain().await.unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/t/"));

    let ticket: (String, domain::sql::Flag, Option<i64>) =
        sqlx::query_as("SELECT kind, real_name, reply_due_at FROM ticket")
            .fetch_one(server.state.store.pool())
            .await
            .unwrap();
    assert_eq!((ticket.0.as_str(), ticket.1.0), ("complaint", true));
    assert!(ticket.2.expect("reply deadline") > server::platform::db::now_ms());

    let tracking = server.page(&location).await;
    assert!(
        tracking.contains("投诉")
            && tracking.contains("县不动产登记中心")
            && tracking.contains("前答复"),
        "{tracking}"
    );
    assert!(
        !tracking.contains("13700137000") && !tracking.contains("137****7000"),
        "no personal data"
    );
    assert!(
        !tracking.contains("等了一个小时"),
        "no free text on the public tracking page"
    );

    let again = complain().await.unwrap();
    assert_eq!(again.status(), 429, "same device right away");
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM complaint").await,
        1
    );
}

#[tokio::test]
async fn an_incomplete_complaint_is_refused_field_by_field() {
    let server = TestServer::start().await;
    let response = server
        .post_form(
            "/complaint",
            &[
                ("department", "999"),
                ("description", "差"),
                ("phone", "12"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"err-description\" role=\"alert\">请在“问题描述”中写下发生了什么"));
    assert!(html.contains("id=\"err-phone\" role=\"alert\">"));
    assert!(html.contains(">差</textarea>"), "input kept");

    let department = server.department("BDC").await.to_string();
    let forged = server
        .post_form(
            "/complaint",
            &[
                ("department", department.as_str()),
                ("service_item", "424242"),
                ("description", "一个不存在的事项"),
            ],
        )
        .await;
    assert_eq!(
        forged.status(),
        422,
        "an item outside the lists is not chosen"
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM complaint").await,
        0
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM ticket").await,
        0
    );
}

#[tokio::test]
async fn an_unknown_tracking_code_gets_a_clear_page() {
    let server = TestServer::start().await;
    let response = server.get("/t/NOPE234567").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("未找到该查询码"));
}
