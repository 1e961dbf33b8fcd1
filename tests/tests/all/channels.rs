//! 评价渠道: a rating is stored with the channel the citizen used (the one its link was issued
//! for, 二维码 for a window's e码), not the page's URL, and every published figure splits by it.

use domain::{Channel, token::TokenClaims};
use serde_json::{Value, json};
use tests::{TestServer, cookie_of, table_row as row};

/// The channel stored with the rating of case `case`.
async fn stored_channel(server: &TestServer, case: &str) -> Channel {
    sqlx::query_scalar(
        "SELECT e.channel FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE o.case_number = $1",
    )
    .bind(case)
    .fetch_one(server.state.store.pool())
    .await
    .expect("a stored rating")
}

/// Registers case `case` for `channel`; returns the registration's answer (links and all).
async fn register(server: &TestServer, case: &str, channel: &str) -> Value {
    let mut body = tests::occurrence(case);
    body["channel"] = channel.into();
    let response = server.register(body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_case_registered_for_sms_is_stored_as_sms_whichever_page_rates_it() {
    let server = TestServer::start().await;
    let sms = register(&server, "C-SMS", "sms").await;
    server
        .rate_link(sms["rating_url"].as_str().unwrap(), json!({ "level": 5 }))
        .await;
    let stored = stored_channel(&server, "C-SMS").await;
    assert_eq!(stored, Channel::Sms, "not `mobile` from the /r URL");
    assert_eq!(
        (stored.common_code(), stored.sms6_code()),
        (Some(7), Some(6))
    );

    // The portal's iframe of a case registered for the hall's evaluator is not `pc`.
    let device = register(&server, "C-DEVICE", "hall_device").await;
    server
        .rate_link(device["embed_url"].as_str().unwrap(), json!({ "level": 4 }))
        .await;
    assert_eq!(
        stored_channel(&server, "C-DEVICE").await,
        Channel::HallDevice
    );

    // A link issued before tokens carried their channel (version 1) still rates, with the
    // occurrence's registered channel.
    let phone = register(&server, "C-PHONE", "phone").await;
    let token = phone["rating_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let key = server.state.secrets.token_key();
    let claims = TokenClaims::verify(token, key, 0).unwrap();
    assert_eq!(claims.channel, Some(Channel::Phone));
    let v1 = TokenClaims {
        channel: None,
        ..claims
    }
    .sign(key);
    assert_eq!(v1.len(), 55);
    server
        .rate_link(&server.url(&format!("/r/{v1}")), json!({ "level": 3 }))
        .await;
    assert_eq!(stored_channel(&server, "C-PHONE").await, Channel::Phone);

    // The public page splits the month by channel, both numberings beside the GB/T 39046 text.
    let html = server.page("/open").await;
    assert_eq!(row(&html, "短信"), "短信|7|6|1|33.33 %");
    assert_eq!(row(&html, "电话"), "电话|6|—|1|33.33 %");
    assert_eq!(
        row(&html, "政务大厅平板电脑"),
        "政务大厅平板电脑|4|4|1|33.33 %"
    );
    assert_eq!(row(&html, "PC端"), "PC端|1|1|0|0.00 %");
    assert_eq!(row(&html, "系统默认评价"), "系统默认评价|—|7|0|0.00 %");
}

#[tokio::test]
async fn a_window_code_rating_is_stored_as_the_qr_code_channel() {
    let server = TestServer::start().await;
    // The visit it rates, reported by the hall's queue system (a rating without one is a walk-in,
    // outside the figures).
    server.finished_visit("A001").await;
    let link = server.window_link().await;
    let page = server.get(&link).await;
    let response = server
        .http
        .post(&link)
        .header("cookie", cookie_of(&page))
        .form(&[("level", "5")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let stored: Channel = sqlx::query_scalar("SELECT channel FROM evaluation")
        .fetch_one(server.state.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, Channel::QrCode);
    assert_eq!(
        (stored.common_code(), stored.sms6_code()),
        (Some(3), Some(3))
    );
    let all = server.open_data_all().await;
    assert_eq!(
        (all["ch_qr_code"].as_i64(), all["ch_pc"].as_i64()),
        (Some(1), Some(0))
    );
}

const CHANNELS: [&str; 8] = [
    "ch_pc",
    "ch_mobile",
    "ch_qr_code",
    "ch_hall_device",
    "ch_kiosk",
    "ch_phone",
    "ch_sms",
    "ch_system_default",
];

#[tokio::test]
async fn per_channel_counts_in_open_data_and_the_report_add_up_to_the_valid_ratings() {
    let server = TestServer::start().await;
    server.second_window().await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jiandu").await;
    for (i, channel) in ["pc", "mobile", "sms", "sms", "kiosk", "phone", "qr_code"]
        .into_iter()
        .enumerate()
    {
        let mut case = tests::occurrence(&format!("M-{i}"));
        case["channel"] = channel.into();
        if i % 2 == 1 {
            case["window"] = "W-A02".into();
            case["staff"] = "S002".into();
        }
        let link = server.link_for(case).await;
        server.rate_link(&link, json!({ "level": 5 })).await;
    }
    // A 差评 by SMS whose appeal is upheld: counted nowhere, neither in l1..l5 nor by channel.
    let bad = json!({ "level": 1, "reasons": [115], "phone": "13600136000" });
    let bad = server.rate("M-BAD", bad).await;
    server
        .uphold_appeal(&bad.tracking_code, handler, boss.actor)
        .await;
    server.register(tests::occurrence("M-UNRATED")).await;

    let data: Value = serde_json::from_str(&server.page("/open/data.json").await).unwrap();
    let rows = data["rows"].as_array().unwrap();
    assert!(rows.len() >= 6, "every scope of the month");
    for r in rows {
        let rated: i64 = ["l1", "l2", "l3", "l4", "l5"]
            .iter()
            .map(|k| r[k].as_i64().unwrap())
            .sum();
        let by_channel: i64 = CHANNELS.iter().map(|k| r[k].as_i64().unwrap()).sum();
        assert_eq!(by_channel, rated, "{r}");
    }
    let all = rows.iter().find(|r| r["scope"] == "all").unwrap();
    assert_eq!(all["ch_sms"], 2, "the invalidated 差评 is not counted");
    assert_eq!(all["l1"].as_i64().unwrap() + all["l5"].as_i64().unwrap(), 7);

    // The CSV has the same columns, after the earlier ones and before the walk-in e码 ratings
    // (migration 0015), the return visits and 评价主体 (0016).
    let csv = server.page("/open/data.csv").await;
    let heading = csv.lines().next().unwrap();
    let walk_in = format!("{},walk_in,walk_in_bad", CHANNELS.join(","));
    assert!(heading.contains(&walk_in), "{heading}");

    // The public page's by-channel rows add up to its valid ratings.
    let html = server.page("/open").await;
    assert!(html.contains("有效评价 7 条"), "{html}");
    let counted: i64 = Channel::ALL
        .iter()
        .map(|c| {
            let cells = row(&html, c.label_zh());
            cells.split('|').nth(3).unwrap().parse::<i64>().unwrap()
        })
        .sum();
    assert_eq!(counted, 7);

    // The monthly report has the section too, in its CSV.
    let session = server.sign_in(&boss).await;
    let month = server::platform::db::now().month_cst();
    let report = server
        .page_as(&format!("/staff/report.csv?month={month}"), &session)
        .await;
    assert!(report.contains("评价渠道,通用编码,"), "{report}");
    assert!(report.contains("短信,7,6,2,28.57 %"), "{report}");
    assert!(report.contains("二维码,3,3,1,14.28 %"), "{report}");
    let page = server
        .page_as(&format!("/staff/report?month={month}"), &session)
        .await;
    assert!(page.contains("评价渠道分布"), "{page}");
}
