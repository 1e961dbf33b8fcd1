//! 月度报告 and the supervising office's analysis: ranking with the change from the month before,
//! XLSX and CSV read back, the hour × weekday heat map, the satisfaction alert, the monthly file.

use calamine::{Reader, Xlsx};
use tests::{TestServer, fixtures::SignedIn, sqlx_count};

/// The supervising office (监督股), signed in.
async fn supervisor(server: &TestServer) -> SignedIn {
    let supervisor = server.supervisor("jiandu").await;
    server.sign_in(&supervisor).await
}

fn month_label(ms: i64) -> String {
    domain::time::Timestamp::from_unix_ms(ms)
        .month_cst()
        .to_string()
}

#[tokio::test]
async fn the_monthly_report_ranks_with_the_change_and_reads_back_as_xlsx_and_csv() {
    let server = TestServer::start().await;
    server.second_window().await;
    let now = server::platform::db::now_ms();
    let this = domain::time::Timestamp::from_unix_ms(now).month_cst();
    let last_month = this.prev().start_unix_ms_cst() + 86_400_000;
    // Last month A02 was the better window; this month A01 is.
    server.rate_at("P1", "A01", 2, last_month).await;
    server.rate_at("P2", "A01", 5, last_month).await;
    server.rate_at("P3", "A02", 5, last_month).await;
    for (case, window, level) in [
        ("N1", "A01", 5),
        ("N2", "A01", 5),
        ("N3", "A02", 5),
        ("N4", "A02", 1),
    ] {
        server.rate_at(case, window, level, now).await;
    }
    let session = supervisor(&server).await;
    let month = month_label(now);
    let xlsx = server
        .get_as(&format!("/staff/report.xlsx?month={month}"), &session)
        .await;
    assert_eq!(xlsx.status(), 200);
    assert!(
        xlsx.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a valid XLSX");
    let sheet = book
        .worksheet_range(&format!("{month} 月度报告"))
        .expect("report sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "类别");
    let window = |number: &str| {
        rows.iter()
            .find(|r| r[0] == "窗口" && r[1].starts_with(&format!("{number}号窗口")))
            .unwrap_or_else(|| panic!("{number} in {rows:?}"))
            .clone()
    };
    let a01 = window("A01");
    assert_eq!((a01[4].as_str(), a01[6].as_str()), ("2", "100.00 %"));
    assert_eq!((a01[7].as_str(), a01[8].as_str()), ("100.00 %", "0.00 %"));
    assert_eq!((a01[14].as_str(), a01[15].as_str()), ("1", "↑1"));
    let a02 = window("A02");
    assert_eq!(
        (a02[9].as_str(), a02[14].as_str(), a02[15].as_str()),
        ("1", "2", "↓1")
    );
    let clusters = book.worksheet_range("差评集中").expect("cluster sheet");
    assert_eq!(
        clusters.get((1, 0)).map(|c| c.to_string()),
        Some("不动产首次登记".into())
    );

    let csv = server
        .page_as(&format!("/staff/report.csv?month={month}"), &session)
        .await;
    assert!(
        csv.contains(
            "窗口,A01号窗口 不动产登记,A01,2,2,100.00 %,100.00 %,100.00 %,0.00 %,0,0,0,0/0,—,1,↑1"
        ),
        "{csv}"
    );

    // The page shows the same, and only the supervising office gets it.
    let page = server
        .get_as(&format!("/staff/report?month={month}"), &session)
        .await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("↑1"));
    let handler = server.handler("bdc", "BDC").await;
    let handler = server.sign_in(&handler).await;
    let refused = server
        .get_as(&format!("/staff/report.xlsx?month={month}"), &handler)
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        server
            .get_as("/staff/report.csv", &SignedIn::default())
            .await
            .status(),
        401
    );
    let bad = server
        .get_as("/staff/report.csv?month=13-2026", &session)
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_window_whose_satisfaction_drops_is_flagged_and_the_heat_map_shows_when() {
    let server = TestServer::start().await;
    server.second_window().await;
    let now = server::platform::db::now_ms();
    for i in 0..12 {
        let level = if i < 3 { 2 } else { 5 };
        server.rate_at(&format!("H{i}"), "A02", level, now).await;
        server.rate_at(&format!("G{i}"), "A01", 5, now).await;
    }
    let session = supervisor(&server).await;
    let overview = server.page_as("/staff/overview", &session).await;
    assert!(overview.contains("满意度预警"), "{overview}");
    assert!(
        overview.contains("A02号窗口 不动产抵押：12 条评价，满意度 75.00 %"),
        "{overview}"
    );
    assert!(!overview.contains("A01号窗口 不动产登记："), "A01 is fine");
    // The threshold is a setting: at 70 % the window is no longer flagged.
    server
        .state
        .update_rules(|r| r.disclosure.alert.threshold_bp = 7_000);
    let relaxed = server.page_as("/staff/overview", &session).await;
    assert!(relaxed.contains("满意度低于 70.00 %") && !relaxed.contains("A02号窗口 不动产抵押："));

    let analysis = server.page_as("/staff/analysis", &session).await;
    // 24 ratings at this hour today, 3 of them 差评.
    let hour = (now / 1000 + 8 * 3600) % 86_400 / 3600;
    if (7..=19).contains(&hour) {
        assert!(analysis.contains("24（3）"), "{analysis}");
    }
    let cells: i64 = sqlx_count(
        &server.state,
        "SELECT CAST(sum(rated) AS BIGINT) FROM stat_hour",
    )
    .await;
    assert_eq!(cells, 24);
}

#[tokio::test]
async fn the_previous_months_report_is_kept_as_a_file_once() {
    let server = TestServer::start().await;
    let now = server::platform::db::now_ms();
    let file = server::features::report::archive_previous_month(&server.state, now)
        .await
        .unwrap()
        .expect("written");
    assert!(file.exists() && file.extension().is_some_and(|e| e == "xlsx"));
    let again = server::features::report::archive_previous_month(&server.state, now)
        .await
        .unwrap();
    assert_eq!(again, None);
    let book: Xlsx<_> = calamine::open_workbook(&file).expect("readable");
    // The report, where 差评 cluster, the ratings by channel, the complaints by source, and the
    // 综合点评 and 监督查评 with every inspection.
    assert_eq!(
        book.sheet_names()[1..],
        ["差评集中", "评价渠道", "投诉", "综合点评与监督查评"]
    );
}
