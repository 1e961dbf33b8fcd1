//! Rating a visit through the window's e码 (一次一评).

use tests::{TestServer, cookie_of};

#[tokio::test]
async fn a_window_code_rates_a_visit_once_per_device_in_a_while() {
    let server = TestServer::start().await;
    let link = server.window_link().await;
    let page = server.get(&link).await;
    assert_eq!(page.status(), 200);
    let cookie = cookie_of(&page);
    assert!(page.text().await.unwrap().contains("A01"));

    let rate = |cookie: String| {
        let request = server
            .http
            .post(&link)
            .header("cookie", cookie)
            .form(&[("level", "4")]);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(rate(cookie.clone()).await, 303);
    assert_eq!(
        rate(cookie.clone()).await,
        429,
        "same device, same window, right away"
    );
    let other = server.get(&link).await;
    assert_eq!(rate(cookie_of(&other)).await, 303, "another device");
    assert_eq!(server.evaluations().await, 2);
    assert_eq!(
        tests::sqlx_count(
            &server.state,
            "SELECT count(*) FROM service_occurrence WHERE window_id IS NOT NULL"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn an_unknown_window_code_gets_a_clear_page() {
    let server = TestServer::start().await;
    let response = server.get("/w/000000000000000000000000").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("未找到该窗口"));
}
