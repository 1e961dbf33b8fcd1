//! 回访 — a return visit is a structured record, and 实名差评回访率 (target 100 %) counts only the
//! visits that reached the citizen: on the public page, in the open data and in the monthly report.

use serde_json::{Value, json};
use tests::{TestServer, reached_visit, sqlx_count, table_row as figure_row, unreached_visit};

/// The open data's system-wide row of this month.
async fn all_row(server: &TestServer) -> Value {
    let data: Value = serde_json::from_str(&server.page("/open/data.json").await).unwrap();
    data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "all")
        .cloned()
        .expect("the system-wide row")
}

#[tokio::test]
async fn the_real_name_visit_rate_moves_only_when_a_visit_reaches_the_citizen() {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jiandu").await;
    let s = &server.state;
    // The case is registered with the applicant's phone; the citizen types none.
    let rated = server
        .rate("RV-1", json!({ "level": 2, "reasons": [213] }))
        .await;
    let ticket = server.ticket_of(&rated.tracking_code).await;
    let real_name = format!("SELECT count(*) FROM ticket WHERE id = {ticket} AND real_name");
    assert_eq!(
        sqlx_count(s, &real_name).await,
        1,
        "实名 by the registered phone"
    );
    // An anonymous 差评 on another case: checked, never visited, and outside the rate.
    let mut anonymous = tests::occurrence("RV-2");
    anonymous["anonymous"] = true.into();
    let link = server.link_for(anonymous).await;
    let quiet = server
        .rate_link(&link, json!({ "level": 1, "reasons": [115] }))
        .await;
    let quiet = server.ticket_of(&quiet.tracking_code).await;
    server::features::ticket::act(
        s,
        handler,
        quiet,
        domain::ticket::TicketAction::RecordCheckWithoutContact,
        None,
    )
    .await
    .unwrap();

    let figure = || async { figure_row(&server.page("/open").await, "实名差评回访率") };
    let before = figure().await;
    assert!(before.contains("0/1"), "{before}");
    assert!(
        before.contains("目标 100.00 %，未达到：尚差 1 件"),
        "{before}"
    );

    // A failed attempt is on record but is not a return visit.
    unreached_visit(s, handler, ticket, "电话两次无人接听")
        .await
        .unwrap();
    assert!(figure().await.contains("0/1"));
    assert_eq!(all_row(&server).await["bad_real_name_visited"], 0);

    reached_visit(s, handler, ticket, "已电话联系，群众反映属实")
        .await
        .unwrap();
    let after = figure().await;
    assert!(after.contains("1/1"), "{after}");
    assert!(after.contains("目标 100.00 %，已达到"), "{after}");
    let row = all_row(&server).await;
    assert_eq!(
        (
            row["bad_real_name"].clone(),
            row["bad_real_name_visited"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(
        row["anonymous"], 1,
        "the anonymous rating is counted as such"
    );

    // The monthly report shows it with its target.
    let session = server.sign_in(&boss).await;
    let month = server::platform::db::now().month_cst();
    let report = server
        .page_as(&format!("/staff/report.csv?month={month}"), &session)
        .await;
    assert!(report.contains("实名差评回访率（目标 100 %）"), "{report}");
    assert!(report.contains(",1/1,100.00 %,"), "{report}");

    // The recount from the tickets agrees with the triggers.
    let kept = s.store.all_stats().await.unwrap();
    s.store.rebuild_stats().await.unwrap();
    assert_eq!(kept, s.store.all_stats().await.unwrap());
}

#[tokio::test]
async fn an_anonymous_check_no_longer_counts_as_a_return_visit_in_the_rectify_rate() {
    use domain::ticket::{FixRating, TicketAction as A, Triage};
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let s = &server.state;
    let mut anonymous = tests::occurrence("RV-3");
    anonymous["anonymous"] = true.into();
    let link = server.link_for(anonymous).await;
    let rated = server
        .rate_link(&link, json!({ "level": 1, "reasons": [115] }))
        .await;
    let ticket = server.ticket_of(&rated.tracking_code).await;
    let act = |action| {
        server::features::ticket::act(s, handler, ticket, action, Some("已核实并整改完毕"))
    };
    for action in [
        A::RecordCheckWithoutContact,
        A::Triage(Triage::FixNow),
        A::RecordRectification,
        A::Reply,
    ] {
        act(action).await.unwrap();
    }
    server::features::ticket::citizen_rates_fix(s, &rated.tracking_code, FixRating::Satisfied)
        .await
        .unwrap();
    assert_eq!(server.tickets_in("closed").await, 1);
    let row = all_row(&server).await;
    assert_eq!(row["bad_replied"], 1);
    assert_eq!(row["bad_rectified"], 0, "closed, but never visited");
    let rectify = figure_row(&server.page("/open").await, "回访整改率");
    assert!(rectify.contains("0/1"), "{rectify}");
}
