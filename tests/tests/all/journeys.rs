//! Browser journeys in real Chromium at a phone viewport, each with JavaScript off and on.

use fantoccini::{Client, Locator};
use serde_json::json;
use tests::{
    TestServer,
    browser::{Js, click, click_button, click_label, fill, find, journey, wait_text},
};

async fn stored_levels(server: &TestServer) -> Vec<i64> {
    sqlx::query_scalar("SELECT level FROM evaluation ORDER BY id")
        .fetch_all(server.state.store.pool())
        .await
        .unwrap()
}

/// Waits until the widget has enhanced the page (it marks `<html class="js">`).
async fn widget_ready(client: &Client) {
    find(client, "html.js form#rate").await;
}

async fn rate_a_bad_review(client: Client, link: String, js: Js) {
    client.goto(&link).await.unwrap();
    if js == Js::On {
        widget_ready(&client).await;
    }
    click_label(&client, "不满意").await;
    click(&client, "button[type=submit]").await;
    // Refused: by the widget at once (JS on) or by the server's re-rendered form (JS off).
    let error = find(&client, "#err-reasons[role=alert]").await;
    assert_eq!(
        error.text().await.unwrap(),
        "差评请至少选择一项原因或填写文字说明"
    );

    click_label(&client, "窗口人员业务不熟练").await;
    fill(&client, "#comment", "材料问了三遍").await;
    click(&client, "button[type=submit]").await;
    let code = find(&client, "#tracking-code").await.text().await.unwrap();
    assert_eq!(code.len(), 10, "tracking code {code}");
    let url = client.current_url().await.unwrap();
    if js == Js::On {
        assert!(
            url.path().starts_with("/r/"),
            "submitted without leaving the page: {url}"
        );
    } else {
        assert!(
            url.path().starts_with("/thanks/"),
            "plain form redirects: {url}"
        );
    }
}

async fn bad_review_journey(js: Js) {
    let server = TestServer::start().await;
    let link = server.rating_link("J-1").await;
    journey(js, move |client| rate_a_bad_review(client, link, js)).await;
    assert_eq!(stored_levels(&server).await, [2]);
    let reasons: Vec<i64> = sqlx::query_scalar("SELECT reason_code FROM evaluation_reason")
        .fetch_all(server.state.store.pool())
        .await
        .unwrap();
    assert_eq!(reasons, [213]);
}

#[tokio::test]
async fn a_citizen_rates_a_bad_review_without_javascript() {
    bad_review_journey(Js::Off).await;
}

#[tokio::test]
async fn a_citizen_rates_a_bad_review_with_the_widget() {
    bad_review_journey(Js::On).await;
}

async fn used_link(client: Client, link: String) {
    client.goto(&link).await.unwrap();
    let heading = find(&client, "#refused h1").await;
    assert_eq!(heading.text().await.unwrap(), "本次服务已存在评价");
    assert!(
        client.find(Locator::Css("form#rate")).await.is_err(),
        "no second form"
    );
}

#[tokio::test]
async fn a_used_link_shows_a_clear_page_in_the_browser() {
    let server = TestServer::start().await;
    // Stored (201) before the link is opened again.
    let link = server.rate("J-2", json!({ "level": 5 })).await.link;
    for js in [Js::Off, Js::On] {
        let link = link.clone();
        journey(js, move |client| used_link(client, link)).await;
    }
    assert_eq!(stored_levels(&server).await, [5]);
}

async fn window_visit(client: Client, link: String, js: Js) {
    client.goto(&link).await.unwrap();
    if js == Js::On {
        widget_ready(&client).await;
    }
    click_label(&client, "非常满意").await;
    click_label(&client, "服务热情效率高").await;
    click(&client, "button[type=submit]").await;
    find(&client, "#tracking-code").await;
}

#[tokio::test]
async fn a_citizen_rates_a_window_visit_by_its_code() {
    for js in [Js::Off, Js::On] {
        let server = TestServer::start().await;
        let link = server.window_link().await;
        journey(js, move |client| window_visit(client, link, js)).await;
        assert_eq!(stored_levels(&server).await, [5], "{js:?}");
    }
}

async fn home_lookup(client: Client, base: String, code: String) {
    client.goto(&base).await.unwrap();
    find(&client, "#track").await;
    fill(&client, "#track-code", &code.to_lowercase()).await;
    click_button(&client, "查询").await;
    wait_text(&client, "tracking", &code).await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        format!("/t/{code}"),
        "the code's tracking page answers"
    );
}

#[tokio::test]
async fn the_home_page_finds_a_rating_by_its_code_with_a_plain_form() {
    let server = TestServer::start().await;
    let code = server
        .rate("J-3", json!({ "level": 4 }))
        .await
        .tracking_code;
    for js in [Js::Off, Js::On] {
        let (base, code) = (server.url("/"), code.clone());
        journey(js, move |client| home_lookup(client, base, code)).await;
    }
}

/// The home page and every 公示 page, in total with everything they load, compressed as a browser
/// gets them: no hydration bundle, at most 60 KB brotli.
#[tokio::test]
async fn the_public_pages_load_no_site_bundle_and_weigh_at_most_60_kb() {
    let server = TestServer::start().await;
    server
        .rate("W-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    let brotli = |path: String| {
        let request = server
            .http
            .get(server.url(&path))
            .header("accept-encoding", "br");
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.bytes().await.unwrap().len()
        }
    };
    let css = brotli("/pkg/site.css".into()).await;
    for path in [
        "/",
        "/open",
        "/open/methods",
        "/open/staff",
        "/open/rectifications",
    ] {
        let html = server.page(path).await;
        assert!(!html.contains("/pkg/app"), "{path} loads the site bundle");
        let total = brotli(path.to_owned()).await + css;
        eprintln!("{path}: {total} bytes brotli with its CSS");
        assert!(total <= 60 * 1024, "{path}: {total} bytes");
    }
    // The management pages still hydrate.
    assert!(server.page("/staff/login").await.contains("/pkg/app"));
}

/// The network fails as it does offline (fetch rejects); the rating waits and goes out on "online".
async fn offline_then_online(client: Client, link: String) {
    client.goto(&link).await.unwrap();
    widget_ready(&client).await;
    click_label(&client, "不满意").await;
    click_label(&client, "窗口人员业务不熟练").await;
    fill(&client, "#phone", "13600136000").await;
    client
        .execute("window.__fetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));", vec![])
        .await
        .unwrap();
    click(&client, "button[type=submit]").await;
    let status = find(&client, "#status").await;
    client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//p[@id='status' and contains(., '联网后将自动提交')]",
        ))
        .await
        .unwrap();
    assert!(status.text().await.unwrap().contains("已保存"));
    // What waits in the browser's storage has no phone number.
    let stored = client
        .execute(
            "return localStorage.getItem('haochaping.pending.body');",
            vec![],
        )
        .await
        .unwrap();
    let stored = stored.as_str().unwrap_or_default().to_owned();
    assert!(
        stored.contains("\"level\":2") && !stored.contains("13600136000"),
        "{stored}"
    );
    client
        .execute(
            "window.fetch = window.__fetch; window.dispatchEvent(new Event('online'));",
            vec![],
        )
        .await
        .unwrap();
    find(&client, "#tracking-code").await;
}

#[tokio::test]
async fn a_rating_made_offline_is_sent_when_back_online() {
    let server = TestServer::start().await;
    let link = server.rating_link("J-4").await;
    journey(Js::On, move |client| offline_then_online(client, link)).await;
    assert_eq!(stored_levels(&server).await, [2]);
}

/// Serves, on `listener`, a portal page that embeds the rating iframe and logs the messages it gets.
fn serve_portal(listener: tokio::net::TcpListener, embed_url: &str) {
    let page = format!(
        "<!doctype html><html lang=\"zh-CN\"><title>门户</title><body><pre id=\"log\"></pre>\
         <iframe src=\"{embed_url}\" title=\"评价\" width=\"390\" height=\"700\"></iframe>\
         <script>addEventListener('message', e => {{ document.getElementById('log').textContent += e.data + '\\n'; }});</script>"
    );
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
}

async fn rate_in_iframe(client: Client, portal: String) {
    client.goto(&portal).await.unwrap();
    let frame = find(&client, "iframe").await;
    frame.enter_frame().await.unwrap();
    widget_ready(&client).await;
    click_label(&client, "非常满意").await;
    click(&client, "button[type=submit]").await;
    let code = find(&client, "#tracking-code").await.text().await.unwrap();
    client.enter_parent_frame().await.unwrap();
    let rated = format!("//pre[@id='log' and contains(., '\"tracking_code\":\"{code}\"')]");
    client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::XPath(&rated))
        .await
        .unwrap();
    let log = find(&client, "#log").await.text().await.unwrap();
    assert!(log.contains("haochaping:height"), "{log}");
}

#[tokio::test]
async fn a_portal_embeds_the_rating_and_hears_when_it_is_done() {
    let server = TestServer::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    let key = server.add_business_system(&portal).await;
    let response = server
        .http
        .post(server.url("/api/v1/occurrences"))
        .bearer_auth(&key)
        .json(&tests::occurrence("J-5"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    serve_portal(listener, body["embed_url"].as_str().unwrap());
    journey(Js::On, move |client| {
        rate_in_iframe(client, format!("{portal}/"))
    })
    .await;
    assert_eq!(stored_levels(&server).await, [5]);
}

async fn complain(client: Client, base: String, js: Js) {
    client.goto(&format!("{base}/complaint")).await.unwrap();
    let department = find(&client, "#department").await;
    department
        .select_by_label("县不动产登记中心")
        .await
        .unwrap();
    let item = client.find(Locator::Css("#service_item")).await.unwrap();
    item.select_by_label("不动产首次登记").await.unwrap();
    fill(&client, "#description", "窗口中午无人值守，等了一个小时").await;
    click(&client, "#complain button[type=submit]").await;
    let code = find(&client, "#tracking-code").await.text().await.unwrap();
    let progress = find(&client, "#progress").await.text().await.unwrap();
    assert!(progress.contains("前答复"), "{progress} ({js:?})");
    // Following it later by the code alone.
    client
        .goto(&format!("{base}/t/{}", code.to_lowercase()))
        .await
        .unwrap();
    assert_eq!(
        find(&client, "#tracking-code").await.text().await.unwrap(),
        code
    );
}

#[tokio::test]
async fn a_citizen_complains_and_follows_the_complaint() {
    for js in [Js::Off, Js::On] {
        let server = TestServer::start().await;
        let base = server.base.clone();
        journey(js, move |client| complain(client, base, js)).await;
        assert_eq!(
            tests::sqlx_count(
                &server.state,
                "SELECT count(*) FROM ticket WHERE kind = 'complaint'"
            )
            .await,
            1
        );
    }
}
