//! 差评转送12345 and the referring platforms' callbacks on the administration page: with forwarding
//! on, a 差评 reaches a 12345 platform (a real second process) as exactly one signed work order,
//! retried after a failure, its order id kept and shown, its statuses after it; with forwarding
//! off nothing is sent; an administrator sets a platform's callback on the page (a plain form
//! post, session and CSRF) and the next status change goes there, the key never shown back; and
//! switches forwarding on in Chromium, with JavaScript and without.

use app::api::admin::forward::{AdminForwarding, AdminSetCallback, AdminSetForwarding};
use domain::upward::SignMethod;
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use server::features::{referral, ticket};
use server::platform::db::now_ms;
use tests::{
    TestServer,
    browser::{Js, click_button, click_label, fill, find, journey, sign_in, wait_text},
    fixtures::{Peer, SignedIn},
    sqlx_count,
};

const KEY: &str = "k-12345-forward-secret";
const ORDER_ID: &str = "12345-GD-20260001";

/// Checks a request's signature (`method`, keyed by `key`) and returns its JSON body.
fn verified(request: &Value, method: SignMethod, key: &str) -> Value {
    let headers = &request["headers"];
    let timestamp: i64 = headers["x-hcp-timestamp"]
        .as_str()
        .expect("timestamp")
        .parse()
        .unwrap();
    let signature = headers["x-hcp-signature"].as_str().expect("signature");
    let hex = signature
        .strip_prefix(&format!("{}=", method.as_str()))
        .unwrap_or_else(|| panic!("signed with {signature}"));
    let body = request["body"].as_str().unwrap();
    assert!(
        method.verify(key.as_bytes(), timestamp, body.as_bytes(), hex),
        "signature"
    );
    serde_json::from_str(body).unwrap()
}

/// Submits a form of the section as the browser without JavaScript does; the status.
async fn post_without_js(
    server: &TestServer,
    path: &str,
    session: &SignedIn,
    form: &[(&str, &str)],
) -> u16 {
    let mut form = form.to_vec();
    form.push(("csrf", &session.csrf));
    server
        .http
        .post(server.url(path))
        .header("cookie", &session.cookie)
        .header("accept", "text/html")
        .header("referer", server.url("/staff/admin"))
        .form(&form)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// Switches forwarding to `url` on (or off) through the page's server function, as the hydrated
/// page does; the status and body.
async fn set_forwarding(
    server: &TestServer,
    session: &SignedIn,
    enabled: bool,
    url: &str,
    key: &str,
) -> (u16, String) {
    let mut form = vec![
        ("url", url.to_owned()),
        ("sign_method", "hmac-sha256".to_owned()),
        ("secret", key.to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    if enabled {
        form.push(("enabled", "1".to_owned()));
    }
    server.call(AdminSetForwarding::PATH, session, &form).await
}

fn bad_review(comment: &str, phone: Option<&str>) -> Value {
    let mut rating = json!({ "level": 1, "reasons": [115], "comment": comment });
    if let Some(phone) = phone {
        rating["phone"] = json!(phone);
    }
    rating
}

#[tokio::test]
async fn a_bad_review_reaches_12345_as_one_signed_work_order_retried_with_its_order_id_kept() {
    let server = TestServer::start().await;
    let s = &server.state;
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    peer.reply(
        200,
        &format!(r#"{{"code":0,"msg":"ok","data":{{"orderId":"{ORDER_ID}"}}}}"#),
    )
    .await;
    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    let (status, body) = set_forwarding(&server, &session, true, "ftp://x", KEY).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("12345 平台地址"), "{body}");
    let (status, body) = set_forwarding(&server, &session, true, &peer.url("/orders"), "").await;
    assert_eq!(status, 422, "a key is needed: {body}");
    let (status, body) = set_forwarding(&server, &session, true, &peer.url("/orders"), KEY).await;
    assert!(status < 400, "{body}");

    let rated = server
        .rate(
            "FWD-1",
            bad_review("窗口人员态度生硬，等了两个小时", Some("13600136000")),
        )
        .await;
    peer.fail(500, 1, "work_order").await;
    let now = now_ms();
    assert_eq!(referral::forward_round(s, now).await.unwrap(), 1, "tried");
    assert_eq!(
        referral::forward_round(s, now + 10).await.unwrap(),
        0,
        "not again before its backoff"
    );
    assert_eq!(referral::forward_round(s, now + 60_000).await.unwrap(), 1);
    assert_eq!(referral::forward_round(s, now + 600_000).await.unwrap(), 0);

    let received = peer.requests_to("/orders").await;
    assert_eq!(received.len(), 2, "one failed, one accepted");
    let orders: Vec<Value> = received
        .iter()
        .map(|r| verified(r, SignMethod::HmacSha256, KEY))
        .collect();
    assert_eq!(
        orders[0], orders[1],
        "a re-send carries the same work order"
    );
    let order = &orders[1];
    let ticket_id = server.ticket_of(&rated.tracking_code).await;
    let opened: i64 = sqlx::query_scalar("SELECT opened_at FROM ticket WHERE id = $1")
        .bind(ticket_id)
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(order["type"], "work_order");
    assert_eq!(order["our_id"], rated.tracking_code.as_str());
    assert_eq!(order["received_at_ms"], opened);
    assert_eq!(order["category_zh"], "投诉");
    assert_eq!(
        order["unit"],
        json!({ "code": "BDC", "name": "县不动产登记中心" })
    );
    assert_eq!(order["level_zh"], "非常不满意");
    assert_eq!(order["reasons"], json!(["服务态度差效率低"]));
    assert_eq!(order["comment"], "窗口人员态度生硬，等了两个小时");
    assert!(
        order["content"]
            .as_str()
            .unwrap()
            .contains("非常不满意；评价标签：服务态度差效率低；群众留言：窗口人员态度生硬")
    );
    assert_eq!(order["contact_phone"], "13600136000");
    let attempts = |sql: &'static str| sqlx_count(s, sql);
    assert_eq!(attempts("SELECT count(*) FROM forward_attempt").await, 2);
    assert_eq!(
        attempts("SELECT count(*) FROM forward_attempt WHERE http_status = 500").await,
        1
    );
    assert_eq!(
        attempts("SELECT count(*) FROM forward_message WHERE delivered_at IS NOT NULL").await,
        1,
        "exactly one work order delivered"
    );

    // Its status changes follow, naming the 12345 order.
    let handler = server.handler("bdc", "BDC").await.actor;
    tests::reached_visit(s, handler, ticket_id, "已电话联系群众并致歉")
        .await
        .unwrap();
    assert_eq!(
        referral::forward_round(s, now_ms() + 600_000)
            .await
            .unwrap(),
        1
    );
    let status = verified(
        peer.requests_to("/orders").await.last().unwrap(),
        SignMethod::HmacSha256,
        KEY,
    );
    assert_eq!(
        (
            &status["type"],
            &status["status"],
            &status["external_id"],
            &status["our_id"]
        ),
        (
            &json!("status"),
            &json!("accepted"),
            &json!(ORDER_ID),
            &json!(rated.tracking_code)
        )
    );

    // A 差评 without a phone goes without a contact; an "already received" answer (the first
    // answer lost) counts as delivered.
    server.rate("FWD-2", bad_review("排队太久", None)).await;
    peer.reply(409, r#"{"code":409,"msg":"工单已存在"}"#).await;
    assert_eq!(referral::forward_round(s, now_ms()).await.unwrap(), 1);
    let second = verified(
        peer.requests_to("/orders").await.last().unwrap(),
        SignMethod::HmacSha256,
        KEY,
    );
    assert!(second["contact_phone"].is_null(), "{second}");
    assert_eq!(
        attempts("SELECT count(*) FROM forward_message WHERE delivered_at IS NULL").await,
        0
    );

    // The order id is kept with the ticket and shown to the administrator; no key, no phone.
    let page = server.page_as("/staff/admin", &session).await;
    assert!(page.contains(ORDER_ID), "order id shown");
    assert!(page.contains(&rated.tracking_code));
    assert!(page.contains("密钥：已设置"));
    for secret in [KEY, "13600136000"] {
        assert!(!page.contains(secret), "{secret} on the page");
        let audited = sqlx_count(
            s,
            &format!(
                "SELECT count(*) FROM audit_log \
                 WHERE coalesce(after, '') || coalesce(before, '') LIKE '%{secret}%'"
            ),
        )
        .await;
        assert_eq!(audited, 0, "{secret} audited");
    }
    let doc: Value = server.page("/api/v1/openapi.json").await.parse().unwrap();
    let described = &doc["webhooks"]["forwardedWorkOrder"]["post"]["requestBody"];
    assert!(described.to_string().contains("ForwardedWorkOrder"));
    let (status, body) = server.call(AdminForwarding::PATH, &session, &[]).await;
    assert_eq!(status, 200, "{body}");
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (&health["delivered"], &health["waiting"], &health["failing"]),
        (&json!(3), &json!(0), &json!(0)),
        "two work orders and a status"
    );
}

#[tokio::test]
async fn nothing_is_forwarded_while_forwarding_is_off_nor_what_came_before_it_was_on() {
    let server = TestServer::start().await;
    let s = &server.state;
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    // Off by default.
    let first = server
        .rate("OFF-1", bad_review("态度很差", Some("13600136000")))
        .await;
    // Set up but not switched on.
    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    let (status, body) = set_forwarding(&server, &session, false, &peer.url("/orders"), KEY).await;
    assert!(status < 400, "{body}");
    server.rate("OFF-2", bad_review("态度很差", None)).await;
    assert_eq!(referral::forward_round(s, now_ms()).await.unwrap(), 0);
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM forward_message").await,
        0
    );

    // Switched on: only tickets opened from then on go, and a step of an earlier one sends
    // nothing either.
    let (status, body) = set_forwarding(&server, &session, true, &peer.url("/orders"), "").await;
    assert!(status < 400, "the key kept: {body}");
    let handler = server.handler("bdc", "BDC").await.actor;
    let earlier = server.ticket_of(&first.tracking_code).await;
    tests::reached_visit(s, handler, earlier, "已电话联系群众")
        .await
        .unwrap();
    assert_eq!(referral::forward_round(s, now_ms()).await.unwrap(), 0);
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM forward_message").await,
        0
    );
    assert!(peer.requests().await.is_empty(), "nothing sent");
}

/// A work order for the seeded department, referred by the test portal.
async fn refer(server: &TestServer, external_id: &str) -> i64 {
    let (status, answer) = server
        .api_post(
            "/api/v1/referrals",
            &json!({
                "source": "12345",
                "external_id": external_id,
                "received_at_ms": now_ms() - 60_000,
                "category": "投诉",
                "department": "BDC",
                "content": "窗口工作人员态度生硬，办理拖延",
            }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    answer["ticket_id"].as_i64().unwrap()
}

#[tokio::test]
async fn an_administrator_sets_a_callback_on_the_page_and_the_next_status_goes_there() {
    let server = TestServer::start().await;
    let s = &server.state;
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("转办回传与12345转送") && page.contains("回传密钥：未设置"),
        "none set"
    );
    let system = sqlx_count(s, "SELECT id FROM business_system").await;
    let system = system.to_string();
    let url = peer.url("/callback");
    let key = "callback-key-not-to-be-shown";
    let form = |url: &'static str, method: &'static str, secret: &'static str| {
        vec![
            ("system", system.clone()),
            ("url", url.to_owned()),
            ("sign_method", method.to_owned()),
            ("secret", secret.to_owned()),
            ("csrf", session.csrf.clone()),
        ]
    };
    for (fields, message) in [
        (form("ftp://x", "hmac-sm3", key), "回传地址"),
        (
            form("http://10.0.0.1/cb", "hmac-sm3", ""),
            "回传密钥：请填写",
        ),
        (form("http://10.0.0.1/cb", "sm2", "not-a-key"), "SM2"),
        (form("http://10.0.0.1/cb", "md5", key), "签名方式"),
    ] {
        let (status, body) = server.call(AdminSetCallback::PATH, &session, &fields).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{message}: {body}");
    }
    // Without CSRF token, or as a handler: refused.
    let mut forged = form("http://10.0.0.1/cb", "hmac-sm3", key);
    forged.retain(|(name, _)| *name != "csrf");
    forged.push(("csrf", "forged".to_owned()));
    let (status, _) = server.call(AdminSetCallback::PATH, &session, &forged).await;
    assert_eq!(status, 403);
    let clerk = server.handler("bdc", "BDC").await;
    let clerk_session = server.sign_in(&clerk).await;
    let (status, _) = server
        .call(AdminForwarding::PATH, &clerk_session, &[])
        .await;
    assert_eq!(status, 403);

    // The plain form, as a browser without JavaScript posts it.
    let status = post_without_js(
        &server,
        AdminSetCallback::PATH,
        &session,
        &[
            ("system", &system),
            ("url", &url),
            ("sign_method", "hmac-sm3"),
            ("secret", key),
        ],
    )
    .await;
    assert!((300..400).contains(&status), "{status}");
    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("回传密钥：已设置") && page.contains(&url),
        "set"
    );
    assert!(!page.contains(key), "the key is never shown back");
    let audited = sqlx_count(
        s,
        "SELECT count(*) FROM audit_log WHERE action = 'set_referral_callback'",
    )
    .await;
    assert_eq!(audited, 1, "audited");
    let with_key = sqlx_count(
        s,
        &format!(
            "SELECT count(*) FROM audit_log WHERE coalesce(after, '') || coalesce(before, '') \
             LIKE '%{key}%'"
        ),
    )
    .await;
    assert_eq!(with_key, 0, "never the key");

    // The next status change of a referred ticket goes to that URL, signed as chosen.
    let ticket = refer(&server, "GD-PAGE-1").await;
    let handler = server.handler("bdc2", "BDC").await.actor;
    ticket::act(
        s,
        handler,
        ticket,
        domain::ticket::TicketAction::RecordCheckWithoutContact,
        None,
    )
    .await
    .unwrap();
    assert_eq!(referral::deliver_round(s, now_ms()).await.unwrap(), 1);
    let received = peer.requests_to("/callback").await;
    assert_eq!(received.len(), 1);
    let callback = verified(&received[0], SignMethod::HmacSm3, key);
    assert_eq!(
        (&callback["external_id"], &callback["status"]),
        (&json!("GD-PAGE-1"), &json!("accepted"))
    );
    let page = server.page_as("/staff/admin", &session).await;
    assert!(
        page.contains("已回传 1，待回传 0，失败待重试 0"),
        "its health"
    );

    // Changing the URL keeps the key when left blank; clearing stops the callbacks.
    let moved = peer.url("/callback2");
    let status = post_without_js(
        &server,
        AdminSetCallback::PATH,
        &session,
        &[
            ("system", &system),
            ("url", &moved),
            ("sign_method", "hmac-sm3"),
            ("secret", ""),
        ],
    )
    .await;
    assert!((300..400).contains(&status), "{status}");
    ticket::act(
        s,
        handler,
        ticket,
        domain::ticket::TicketAction::Triage(domain::ticket::Triage::Explain),
        None,
    )
    .await
    .unwrap();
    assert_eq!(referral::deliver_round(s, now_ms()).await.unwrap(), 1);
    let moved_to = peer.requests_to("/callback2").await;
    assert_eq!(moved_to.len(), 1);
    verified(&moved_to[0], SignMethod::HmacSm3, key);
    let status = post_without_js(
        &server,
        AdminSetCallback::PATH,
        &session,
        &[
            ("system", &system),
            ("url", ""),
            ("sign_method", "hmac-sha256"),
            ("secret", ""),
            ("clear", "1"),
        ],
    )
    .await;
    assert!((300..400).contains(&status), "{status}");
    let cleared = sqlx_count(
        s,
        "SELECT count(*) FROM business_system WHERE callback_url IS NULL \
         AND callback_secret_enc IS NULL",
    )
    .await;
    assert_eq!(cleared, 1);
    assert!(
        server
            .page_as("/staff/admin", &session)
            .await
            .contains("回传密钥：未设置")
    );
}

/// Switches forwarding on in the browser: the checkbox, the URL and the key, then the button.
async fn switch_on_in_browser(js: Js) {
    let server = TestServer::start().await;
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let admin = server.administrator("root").await;
    let (base, url) = (server.base.clone(), peer.url("/orders"));
    journey(js, move |client| async move {
        sign_in(&client, &base, &admin, js).await;
        find(&client, "#forward-settings").await;
        if js == Js::On {
            find(&client, "#hydrated[data-hydrated=true]").await;
        }
        click_label(&client, "启用差评转送12345").await;
        fill(&client, "#forward_url", &url).await;
        fill(&client, "#forward_key", KEY).await;
        click_button(&client, "保存转送设置").await;
        wait_text(&client, "forwarding", "密钥：已设置").await;
        let page = client.source().await.unwrap();
        assert!(!page.contains(KEY), "the key is never shown back");
    })
    .await;
    let saved = server.state.store.forward_settings().await.unwrap();
    assert!(saved.enabled && saved.url == peer.url("/orders"));
    let rated = server.rate("WEB-1", bad_review("态度很差", None)).await;
    assert_eq!(
        referral::forward_round(&server.state, now_ms())
            .await
            .unwrap(),
        1
    );
    let sent = peer.requests_to("/orders").await;
    let order = verified(&sent[0], SignMethod::HmacSha256, KEY);
    assert_eq!(order["our_id"], rated.tracking_code.as_str());
}

#[tokio::test]
async fn an_administrator_switches_forwarding_on_without_javascript() {
    switch_on_in_browser(Js::Off).await;
}

#[tokio::test]
async fn an_administrator_switches_forwarding_on_in_the_hydrated_site() {
    switch_on_in_browser(Js::On).await;
}
