//! axe-core in real Chromium: the citizen pages and the site, with JavaScript off and on.

use fantoccini::Client;
use serde_json::json;
use tests::{
    TestServer,
    browser::{Js, axe_violations, click, find, journey, sign_in},
    fixtures::Staff,
};

async fn check(client: &Client, url: &str, ready: &str) {
    client.goto(url).await.unwrap();
    find(client, ready).await;
    let violations = axe_violations(client).await;
    assert!(violations.is_empty(), "{url}: {violations:#?}");
}

/// axe needs JavaScript, so the pages are checked with it on; the markup a browser without
/// JavaScript gets is the same server-rendered HTML, including the server's re-rendered form with
/// errors, reached here through a native `form.submit()` that bypasses the widget.
async fn citizen_pages(
    client: Client,
    link: String,
    window: String,
    used: String,
    unsubscribe: String,
) {
    let form = "html.js form#rate";
    // 退订: the page an invitation's opt-out link opens, and the one after confirming.
    check(&client, &unsubscribe, "form button[type=submit]").await;
    click(&client, "form button[type=submit]").await;
    find(&client, "#opted-out").await;
    let violations = axe_violations(&client).await;
    assert!(violations.is_empty(), "opted out: {violations:#?}");
    check(&client, &link, form).await;
    check(&client, &format!("{link}?lang=en&big=1"), form).await;
    check(&client, &used, "#refused").await;
    let base = link.split("/r/").next().unwrap().to_owned();
    check(&client, &format!("{base}/complaint"), "form#complain").await;
    client
        .execute("document.getElementById('complain').submit()", vec![])
        .await
        .unwrap();
    find(&client, "#err-description[role=alert]").await;
    let violations = axe_violations(&client).await;
    assert!(
        violations.is_empty(),
        "complaint form with errors: {violations:#?}"
    );
    check(&client, &format!("{base}/opinion"), "form#opinion").await;
    client
        .execute("document.getElementById('opinion').submit()", vec![])
        .await
        .unwrap();
    find(&client, "#err-level[role=alert]").await;
    let violations = axe_violations(&client).await;
    assert!(
        violations.is_empty(),
        "opinion form with errors: {violations:#?}"
    );

    client.goto(&window).await.unwrap();
    find(&client, form).await;
    click(&client, "#lv1").await;
    click(&client, "button[type=submit]").await;
    find(&client, "#err-reasons[role=alert]").await;
    let violations = axe_violations(&client).await;
    assert!(violations.is_empty(), "widget's errors: {violations:#?}");

    client
        .execute("document.getElementById('rate').submit()", vec![])
        .await
        .unwrap();
    find(&client, "html.js #lv1[checked]").await;
    let violations = axe_violations(&client).await;
    assert!(violations.is_empty(), "server's errors: {violations:#?}");
}

#[tokio::test]
async fn citizen_pages_pass_axe() {
    let server = TestServer::start().await;
    let link = server.rating_link("A-1").await;
    let used = server.rate("A-2", json!({ "level": 5 })).await.link;
    let window = server.window_link().await;
    let occurrence = tests::sqlx_count(
        &server.state,
        "SELECT id FROM service_occurrence WHERE case_number = 'A-1'",
    )
    .await;
    let unsubscribe = server::features::notify::opt_out_url(
        &server.state,
        occurrence,
        server::platform::db::now_ms(),
    );
    journey(Js::On, move |client| {
        citizen_pages(client, link, window, used, unsubscribe)
    })
    .await;
}

/// The home page (served complete, without the site's bundle).
async fn site_pages(client: Client, base: String) {
    check(&client, &base, "#track").await;
}

#[tokio::test]
async fn site_pages_pass_axe() {
    let server = TestServer::start().await;
    let base = server.url("/");
    journey(Js::On, move |client| site_pages(client, base)).await;
}

async fn staff_pages(client: Client, base: String, handler: Staff, admin: Staff) {
    check(
        &client,
        &format!("{base}/staff/login"),
        "#hydrated[data-hydrated=true]",
    )
    .await;
    sign_in(&client, &base, &handler, Js::On).await;
    find(&client, "table.tickets a").await;
    check(&client, &format!("{base}/staff/tickets"), "table.tickets a").await;
    check(&client, &format!("{base}/staff/tickets/1"), "#ticket-state").await;
    sign_in(&client, &base, &admin, Js::On).await;
    find(&client, "#deadlines").await;
    check(&client, &format!("{base}/staff/admin"), "#deadlines").await;
    check(&client, &format!("{base}/staff/posters"), ".poster").await;
    check(
        &client,
        &format!("{base}/staff/organisation"),
        "#form-region",
    )
    .await;
    let editing = format!("{base}/staff/organisation?edit=staff:S001");
    check(&client, &editing, "#form-staff").await;
    check(&client, &format!("{base}/staff/opinions"), "#opinion-form").await;
}

#[tokio::test]
async fn staff_pages_pass_axe() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await;
    let admin = server.administrator("root").await;
    let body = json!({ "level": 2, "reasons": [213], "phone": "13600136000" });
    server.rate("AXE-1", body).await;
    let base = server.base.clone();
    journey(Js::On, move |client| {
        staff_pages(client, base, handler, admin)
    })
    .await;
}

/// The public pages read completely without JavaScript (the month is chosen with a plain form),
/// and pass axe with it on.
async fn public_pages(client: Client, base: String, js: Js) {
    client.goto(&format!("{base}/open")).await.unwrap();
    find(&client, "#figures").await;
    let month = find(&client, "#month").await;
    let label = month.prop("value").await.unwrap().unwrap_or_default();
    click(&client, "form.month-picker button").await;
    // The old page's figures are still there until the GET form's page arrives: wait for its URL.
    let chosen = format!("{base}/open?month={label}");
    let arrived = client
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_url(chosen.parse().unwrap())
        .await;
    let url = client.current_url().await.unwrap();
    assert!(
        arrived.is_ok(),
        "the month form leads to {chosen}, not {url}"
    );
    find(&client, "#figures").await;
    let department = find(&client, ".children a").await;
    department.click().await.unwrap();
    find(&client, "#trend").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/open/department/")
    );
    for path in ["/open/staff", "/open/rectifications", "/open/methods"] {
        client.goto(&format!("{base}{path}")).await.unwrap();
        find(&client, "main h1").await;
        if js == Js::On {
            let violations = axe_violations(&client).await;
            assert!(violations.is_empty(), "{path}: {violations:#?}");
        }
    }
    if js == Js::On {
        check(&client, &format!("{base}/open"), "#figures").await;
    }
}

#[tokio::test]
async fn public_pages_read_without_javascript_and_pass_axe() {
    let server = TestServer::start().await;
    server
        .rate("OPEN-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    for js in [Js::Off, Js::On] {
        let base = server.base.clone();
        journey(js, move |client| public_pages(client, base, js)).await;
    }
}
