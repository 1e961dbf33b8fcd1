//! 个人信息删除 — on request, a rating's or complaint's phone numbers and words are erased by its
//! tracking code; the rating, its level, its ticket and the figures stay, and ratings stay
//! immutable otherwise.

use serde_json::json;
use server::features::admin::erasure::{ERASED_DESCRIPTION, Erased};
use tests::{TestServer, cookie_of, sqlx_count};

#[tokio::test]
async fn a_ratings_phone_and_words_are_erased_and_the_figures_stay() {
    let server = TestServer::start().await;
    let s = &server.state;
    let rated = server
        .rate(
            "E-1",
            json!({ "level": 2, "reasons": [213], "comment": "工作人员张三态度差", "phone": "13600136000" }),
        )
        .await;
    let figures = s.store.all_stats().await.unwrap();
    let erased = s
        .store
        .erase_personal_data(&rated.tracking_code, "2026-12-01 本人电话申请", None)
        .await
        .unwrap();
    assert!(matches!(erased, Erased::Evaluation(_)));
    let left = "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
                WHERE e.comment IS NULL AND e.phone_enc IS NULL AND o.evaluator_phone_enc IS NULL \
                AND e.level = 2";
    assert_eq!(sqlx_count(s, left).await, 1, "level kept, the rest gone");
    assert_eq!(
        s.store.all_stats().await.unwrap(),
        figures,
        "the figures stay"
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action = 'erase_personal_data'"
        )
        .await,
        1
    );
    // The handler has no phone to reveal any more; the ticket goes on.
    let handler = server.handler("bdc", "BDC").await.actor;
    let ticket = server.ticket_of(&rated.tracking_code).await;
    assert_eq!(
        server::features::ticket::reveal_phone(s, handler, ticket)
            .await
            .unwrap(),
        None
    );
    // Once only; and the rating itself stays immutable.
    let again = s
        .store
        .erase_personal_data(&rated.tracking_code, "重复", None)
        .await
        .unwrap();
    assert_eq!(again, Erased::Already);
    let tamper = sqlx::query("UPDATE evaluation SET level = 5")
        .execute(s.store.pool())
        .await;
    assert!(tamper.is_err(), "a level is never changed");
    assert_eq!(
        s.store
            .erase_personal_data("NOSUCHCODE", "x", None)
            .await
            .unwrap(),
        Erased::NotFound
    );
}

#[tokio::test]
async fn a_complaints_phone_and_description_are_erased() {
    let server = TestServer::start().await;
    let page = server.get("/complaint").await;
    let cookie = cookie_of(&page);
    let department = server.department("BDC").await.to_string();
    let form = [
        ("department", department.as_str()),
        ("description", "窗口人员李四推诿"),
        ("phone", "13700137000"),
    ];
    let response = server
        .http
        .post(server.url("/complaint"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let code = response.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/t/")
        .to_owned();
    let s = &server.state;
    assert!(matches!(
        s.store
            .erase_personal_data(&code, "本人申请", None)
            .await
            .unwrap(),
        Erased::Complaint(_)
    ));
    let left = format!(
        "SELECT count(*) FROM complaint WHERE contact_phone_enc IS NULL AND description = '{ERASED_DESCRIPTION}'"
    );
    assert_eq!(sqlx_count(s, &left).await, 1);
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM ticket").await,
        1,
        "its ticket stays"
    );
}
