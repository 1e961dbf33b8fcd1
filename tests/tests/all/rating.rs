//! Rating through a case's link: the plain form, the widget's JSON, and refused links.

use domain::token::TokenClaims;
use serde_json::{Value, json};
use tests::{TestServer, sqlx_count};

#[tokio::test]
async fn a_plain_form_rating_is_stored_and_confirmed() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-1").await;
    let page = server.get(&link).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"level\" value=\"5\"") && html.contains("非常不满意"));
    assert!(html.contains("县不动产登记中心"));

    let response = server
        .post_form(&link, &[("level", "5"), ("reasons", "510"), ("lang", "zh")])
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/thanks/"));
    let thanks = server.page(&location).await;
    let code = location
        .trim_start_matches("/thanks/")
        .split('?')
        .next()
        .unwrap();
    assert!(thanks.contains(code) && thanks.contains("评价已提交"));
    assert_eq!(
        sqlx_count(&server.state, "SELECT level FROM evaluation").await,
        5
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT reason_code FROM evaluation_reason").await,
        510
    );
}

#[tokio::test]
async fn a_bad_review_without_reason_is_refused_and_the_input_kept() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-2").await;
    let response = server
        .post_form(
            &link,
            &[("level", "2"), ("phone", "139 1234 5678"), ("comment", " ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("差评请至少选择一项原因或填写文字说明"));
    assert!(html.contains("id=\"lv2\" required checked"), "level kept");
    assert!(html.contains("value=\"139 1234 5678\""), "phone kept");
    assert_eq!(server.evaluations().await, 0);

    let json = server.post_json(&link, &json!({ "level": 1 })).await;
    assert_eq!(json.status(), 422);
    let body: Value = json.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "reasons");
    assert_eq!(server.evaluations().await, 0);
}

#[tokio::test]
async fn a_bad_review_keeps_the_phone_encrypted() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-3").await;
    let body =
        json!({ "level": 2, "reasons": [213], "comment": "来回跑了三次", "phone": "13800138000" });
    let response = server.post_json(&link, &body).await;
    assert_eq!(response.status(), 201);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT phone_enc FROM evaluation")
        .fetch_one(server.state.store.pool())
        .await
        .unwrap();
    assert!(
        !stored.windows(11).any(|w| w == b"13800138000"),
        "phone stored in the clear"
    );
    assert_eq!(
        server.state.secrets.decrypt(&stored).unwrap(),
        "13800138000"
    );
    let registered: Vec<u8> =
        sqlx::query_scalar("SELECT evaluator_phone_enc FROM service_occurrence")
            .fetch_one(server.state.store.pool())
            .await
            .unwrap();
    assert!(!registered.windows(11).any(|w| w == b"13912345678"));
}

#[tokio::test]
async fn a_link_rates_once() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-4").await;
    assert_eq!(
        server
            .post_json(&link, &json!({ "level": 4 }))
            .await
            .status(),
        201
    );
    let again = server
        .post_json(&link, &json!({ "level": 1, "comment": "再评一次" }))
        .await;
    assert_eq!(again.status(), 409);
    let page = server.get(&link).await;
    assert_eq!(page.status(), 409);
    assert!(page.text().await.unwrap().contains("本次服务已存在评价"));
    assert_eq!(server.evaluations().await, 1);
}

#[tokio::test]
async fn forged_and_expired_links_are_refused() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-5").await;
    let token = link.rsplit('/').next().unwrap();
    let mut forged = token.to_owned().into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    let forged = server.url(&format!("/r/{}", String::from_utf8(forged).unwrap()));
    let page = server.get(&forged).await;
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("评价链接无效"));
    assert_eq!(
        server
            .post_json(&forged, &json!({ "level": 5 }))
            .await
            .status(),
        400
    );

    let claims = TokenClaims::verify(token, server.state.secrets.token_key(), 0).unwrap();
    let expired = TokenClaims {
        expires_at: 1_000,
        ..claims
    }
    .sign(server.state.secrets.token_key());
    let expired = server.url(&format!("/r/{expired}"));
    let page = server.get(&expired).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("评价已过期"));
    assert_eq!(
        server.post_form(&expired, &[("level", "5")]).await.status(),
        410
    );
    assert_eq!(server.evaluations().await, 0);
}

#[tokio::test]
async fn evaluations_cannot_be_changed_in_the_database() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-6").await;
    server
        .post_json(&link, &json!({ "level": 1, "reasons": [115] }))
        .await;
    let pool = server.state.store.pool();
    assert!(
        sqlx::query("UPDATE evaluation SET level = 5")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM evaluation")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM evaluation_reason")
            .execute(pool)
            .await
            .is_err()
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT level FROM evaluation").await,
        1
    );
}

#[tokio::test]
async fn only_the_embed_route_may_be_framed_and_only_by_its_portal() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-7").await;
    let page = server.get(&link).await;
    assert_eq!(tests::frame_ancestors(&page), "frame-ancestors 'none'");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let embed = server.get(&link.replace("/r/", "/embed/")).await;
    assert_eq!(
        tests::frame_ancestors(&embed),
        "frame-ancestors https://portal.example.gov.cn"
    );
    assert!(embed.headers().get("x-frame-options").is_none());
    let home = server.get("/").await;
    assert_eq!(tests::frame_ancestors(&home), "frame-ancestors 'none'");
}

#[tokio::test]
async fn the_page_speaks_english_and_has_a_large_text_mode() {
    let server = TestServer::start().await;
    let link = server.rating_link("F-8").await;
    let html = server.page(&format!("{link}?lang=en&big=1")).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Very dissatisfied"));
    assert!(html.contains("<body class=\"big\">"));
    assert!(
        html.contains("href=\"?lang=zh&amp;big=1\""),
        "switch back keeps large text"
    );
}

#[tokio::test]
async fn a_bad_review_opens_a_ticket_for_the_handling_department_in_the_same_step() {
    let server = TestServer::start().await;
    let good = server.rating_link("T-1").await;
    server.post_json(&good, &json!({ "level": 3 })).await;
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM ticket").await,
        0,
        "no ticket for a good rating"
    );

    let bad = server.rating_link("T-2").await;
    let response = server
        .post_form(
            &bad,
            &[("level", "1"), ("reasons", "113"), ("phone", "13800138000")],
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let row: (String, domain::sql::Flag, i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT t.state, t.real_name, t.department_id, t.contact_due_at, o.department_id FROM ticket t \
         JOIN evaluation e ON e.id = t.evaluation_id JOIN service_occurrence o ON o.id = e.occurrence_id",
    )
    .fetch_one(server.state.store.pool())
    .await
    .unwrap();
    assert_eq!(row.0, "open");
    assert!(row.1.0, "real name: a phone was left");
    assert_eq!(row.2, row.4, "谁办理、谁负责");
    let due = row
        .3
        .expect("a deadline while the calendar covers the year");
    assert!(due > server::platform::db::now_ms(), "due in the future");
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM ticket_event WHERE action = 'open'"
        )
        .await,
        1
    );

    let thanks = server.page(&location).await;
    assert!(thanks.contains("处理进度：待回访核实，应于"), "{thanks}");
}

#[tokio::test]
async fn an_anonymous_bad_review_at_a_window_opens_a_ticket_too() {
    let server = TestServer::start().await;
    let link = server.window_link().await;
    let response = server
        .post_form(&link, &[("level", "2"), ("comment", "排队太久")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM ticket WHERE NOT real_name"
        )
        .await,
        1
    );
}
