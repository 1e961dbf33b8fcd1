//! 评价类型 — every evaluation says what it is (一事一评, 一次一评, 默认评价), set once by the database
//! and never changed; the public page and open data show the valid ratings of each kind apart,
//! adding up to the valid ratings.

use serde_json::json;
use server::features::notify::apply_default_evaluations;
use tests::{TestServer, fixtures::peer::Messaging, sqlx_count};

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn each_rating_has_its_kind_shown_apart_and_set_once() {
    let server = TestServer::start().await;
    let s = &server.state;
    server
        .set_messaging(Messaging {
            default_evaluation: true,
            ..Messaging::default()
        })
        .await;
    // 一事一评: a case rated through its link.
    server.rate("KIND-1", json!({ "level": 5 })).await;
    // 一次一评: the e码 right after the window finished a visit.
    server.finished_visit("A001").await;
    let window = server.window_link().await;
    assert_eq!(
        server
            .post_json(&window, &json!({ "level": 4 }))
            .await
            .status(),
        201
    );
    // 默认评价: a case left unrated for seven days.
    server.register(tests::occurrence("KIND-3")).await;
    let registered = sqlx_count(s, "SELECT max(registered_at) FROM service_occurrence").await;
    apply_default_evaluations(s, registered + 7 * DAY + 60_000)
        .await
        .unwrap();

    let kinds: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.case_number, e.kind FROM evaluation e \
         JOIN service_occurrence o ON o.id = e.occurrence_id ORDER BY e.id",
    )
    .fetch_all(s.store.pool())
    .await
    .unwrap();
    let stored: Vec<&str> = kinds.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(stored, ["case", "visit", "default"], "{kinds:?}");

    // Set once: the kind cannot be changed afterwards.
    let changed = sqlx::query("UPDATE evaluation SET kind = 'visit' WHERE kind = 'case'")
        .execute(s.store.pool())
        .await;
    assert!(changed.is_err(), "evaluations are immutable");

    let page = server.page("/open").await;
    assert!(
        page.contains("评价类型：一事一评 1 条、一次一评 1 条、默认评价 1 条。"),
        "{page}"
    );
    let all = server.open_data_all().await;
    let (case, visit, default) = (
        all["kind_case"].as_i64().unwrap(),
        all["kind_visit"].as_i64().unwrap(),
        all["kind_default"].as_i64().unwrap(),
    );
    assert_eq!((case, visit, default), (1, 1, 1));
    let valid: i64 = ["l1", "l2", "l3", "l4", "l5"]
        .iter()
        .map(|l| all[l].as_i64().unwrap())
        .sum();
    assert_eq!(case + visit + default, valid);

    // The monthly report's table ends with the kinds; the department's row counts each once.
    let boss = server.supervisor("jd").await;
    let session = server.sign_in(&boss).await;
    let month = server::platform::db::now().month_cst();
    let report = server
        .page_as(&format!("/staff/report.csv?month={month}"), &session)
        .await;
    assert!(
        report.contains(",较上月,一事一评,一次一评,默认评价"),
        "{report}"
    );
    assert!(
        report
            .lines()
            .any(|l| l.contains("县不动产登记中心") && l.ends_with(",1,1,1")),
        "{report}"
    );

    // The kept counts equal a recomputation.
    let kept = s.store.all_stats().await.unwrap();
    s.store.rebuild_stats().await.unwrap();
    assert_eq!(kept, s.store.all_stats().await.unwrap());
}
