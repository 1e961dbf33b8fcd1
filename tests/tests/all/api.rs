//! The business-system API against a real server.

use serde_json::{Value, json};
use tests::{TestServer, occurrence};

#[tokio::test]
async fn registering_is_idempotent_and_conflicts_are_refused() {
    let server = TestServer::start().await;
    let first = server.register(occurrence("BDC-2026-0001")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert!(
        first["rating_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/r/", server.base))
    );
    assert!(first["iframe_html"].as_str().unwrap().contains("/embed/"));

    let again = server.register(occurrence("BDC-2026-0001")).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["created"], false);

    let mut other = occurrence("BDC-2026-0001");
    other["channel"] = json!("pc");
    let conflict = server.register(other).await;
    assert_eq!(conflict.status(), 409);
    let body: Value = conflict.json().await.unwrap();
    assert_eq!(body["error"], "conflict");
    assert_eq!(
        tests::sqlx_count(&server.state, "SELECT count(*) FROM service_occurrence").await,
        1
    );
}

#[tokio::test]
async fn the_evaluator_s_type_and_anonymity_are_kept_with_the_case() {
    let server = TestServer::start().await;
    let mut firm = occurrence("BDC-2026-0002");
    firm["evaluator_type"] = json!(2);
    firm["anonymous"] = json!(true);
    assert_eq!(server.register(firm.clone()).await.status(), 201);
    assert_eq!(
        server.register(firm.clone()).await.status(),
        200,
        "idempotent"
    );
    let kept = tests::sqlx_count(
        &server.state,
        "SELECT evaluator_type * 10 + CASE WHEN anonymous THEN 1 ELSE 0 END FROM service_occurrence \
         WHERE case_number = 'BDC-2026-0002'",
    )
    .await;
    assert_eq!(kept, 21, "企业法人, anonymous");
    // The same case said to be another evaluator is a conflict, not a silent change.
    firm["evaluator_type"] = json!(1);
    assert_eq!(server.register(firm).await.status(), 409);
    // Not said: unknown, and not anonymous.
    assert_eq!(
        server.register(occurrence("BDC-2026-0003")).await.status(),
        201
    );
    let unsaid = tests::sqlx_count(
        &server.state,
        "SELECT count(*) FROM service_occurrence \
         WHERE case_number = 'BDC-2026-0003' AND evaluator_type IS NULL AND NOT anonymous",
    )
    .await;
    assert_eq!(unsaid, 1);
}

#[tokio::test]
async fn malformed_calls_name_the_field() {
    let server = TestServer::start().await;
    let cases: [(&str, Value, u16); 9] = [
        ("case_number", json!("x".repeat(51)), 422),
        ("case_number", json!("a b"), 422),
        ("occurrence_no", json!(0), 422),
        ("service_item", json!("999999999999"), 422),
        ("department", json!("NOPE"), 422),
        ("channel", json!("fax"), 422),
        ("evaluator_phone", json!("12345"), 422),
        ("evaluator_type", json!(7), 422),
        ("anonymous", json!("yes"), 422),
    ];
    for (field, value, status) in cases {
        let mut body = occurrence("C-1");
        body[field] = value;
        let response = server.register(body).await;
        assert_eq!(response.status(), status, "{field}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    let mut missing = occurrence("C-2");
    missing.as_object_mut().unwrap().remove("department");
    let body: Value = server.register(missing).await.json().await.unwrap();
    assert_eq!(body["field"], "department", "{body}");

    let mut wrong_type = occurrence("C-3");
    wrong_type["occurrence_no"] = json!("one");
    let body: Value = server.register(wrong_type).await.json().await.unwrap();
    assert_eq!(body["field"], "occurrence_no", "{body}");

    let garbage = server
        .http
        .post(server.url("/api/v1/occurrences"))
        .bearer_auth(&server.api_key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(
        tests::sqlx_count(&server.state, "SELECT count(*) FROM service_occurrence").await,
        0
    );
}

#[tokio::test]
async fn the_api_needs_a_registered_key() {
    let server = TestServer::start().await;
    for key in [None, Some("hcp_wrong")] {
        let mut request = server
            .http
            .post(server.url("/api/v1/occurrences"))
            .json(&occurrence("K-1"));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        assert_eq!(request.send().await.unwrap().status(), 401);
    }
}

#[tokio::test]
async fn state_shows_whether_and_how_a_case_was_rated() {
    let server = TestServer::start().await;
    let link = server.rating_link("S-1").await;
    let state = "/api/v1/occurrences/S-1/1";
    assert_eq!(server.api_get(state).await["rated"], false);
    // Stored (201) through the citizen's link.
    server.rate_link(&link, json!({ "level": 4 })).await;
    let after = server.api_get(state).await;
    assert_eq!(after["rated"], true);
    assert_eq!(after["rating"]["satisfaction"], 4);
    assert_eq!(after["rating"]["bad_review"], false);
}

#[tokio::test]
async fn the_api_offers_no_way_to_write_a_rating() {
    let server = TestServer::start().await;
    server.rating_link("N-1").await;
    for (method, path) in [
        ("POST", "/api/v1/evaluations"),
        ("PUT", "/api/v1/occurrences/N-1/1"),
        ("DELETE", "/api/v1/occurrences/N-1/1"),
        ("PATCH", "/api/v1/occurrences/N-1/1"),
    ] {
        let response = server
            .http
            .request(method.parse().unwrap(), server.url(path))
            .bearer_auth(&server.api_key)
            .json(&json!({ "level": 5 }))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(response.status().as_u16(), 404 | 405),
            "{method} {path}: {}",
            response.status()
        );
    }
    assert_eq!(server.evaluations().await, 0);
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let server = TestServer::start().await;
    let doc: Value = server
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let required = &doc["components"]["schemas"]["RegisterRequest"]["required"];
    assert!(required.as_array().unwrap().contains(&json!("case_number")));
    assert!(doc["paths"]["/api/v1/occurrences"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/opt-outs"]["post"].is_object());
}

#[tokio::test]
async fn qr_codes_come_as_svg_and_png_for_genuine_links_only() {
    let server = TestServer::start().await;
    let link = server.rating_link("Q-1").await;
    let svg = server.get(&format!("{link}/qr.svg")).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = server.get(&format!("{link}/qr.png")).await;
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    let forged = server.get("/r/AAAA/qr.svg").await;
    assert_eq!(forged.status(), 404);
}
