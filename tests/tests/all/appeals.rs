//! 申诉 in the published figures: the appeals filed against 差评 per scope and month, and how they
//! were decided, beside the invalidations an upheld one makes.

use domain::ticket::{TicketAction, Triage};
use serde_json::json;
use tests::TestServer;

#[tokio::test]
async fn appeals_filed_upheld_and_rejected_are_published_beside_the_invalidations() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jd").await.actor;
    let bad = json!({ "level": 2, "reasons": [213] });
    let upheld = server.rate("AP-1", bad.clone()).await.tracking_code;
    let rejected = server.rate("AP-2", bad).await.tracking_code;
    server.uphold_appeal(&upheld, handler, boss).await;
    let ticket = server.ticket_of(&rejected).await;
    tests::reached_visit(s, handler, ticket, "已电话回访核实")
        .await
        .unwrap();
    let act = |actor, action| {
        server::features::ticket::act(s, actor, ticket, action, Some("群众确认评价属实"))
    };
    act(handler, TicketAction::Triage(Triage::Appeal))
        .await
        .unwrap();
    act(boss, TicketAction::DecideAppeal { upheld: false })
        .await
        .unwrap();

    let page = server.page("/open").await;
    assert!(
        page.contains("对差评提出申诉 2 件：成立 1 件（该评价不计入），不成立 1 件。"),
        "{page}"
    );
    let all = server.open_data_all().await;
    assert_eq!(
        (
            all["appeals_filed"].as_i64(),
            all["appeals_upheld"].as_i64(),
            all["appeals_rejected"].as_i64(),
            all["invalidated"].as_i64(),
        ),
        (Some(2), Some(1), Some(1), Some(1))
    );
    let kept = s.store.all_stats().await.unwrap();
    s.store.rebuild_stats().await.unwrap();
    assert_eq!(kept, s.store.all_stats().await.unwrap());
}
