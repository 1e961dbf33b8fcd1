//! 月度报告 and the supervising office's analysis: ranking with the change from the month before,
//! XLSX and CSV read back, the hour × weekday heat map, the satisfaction alert, the monthly file.

use calamine::{Reader, Xlsx};
use server::platform::crypto::hash_password;
use tests::{TestServer, sqlx_count};

const SECRET: &[u8] = b"supervisor-secret-20";

/// Stores a rating of window `window` (by number) at `at` (unix ms), straight into the tables
/// the way the rating path does (the aggregate triggers count it).
async fn rate_at(server: &TestServer, case: &str, window: &str, level: i64, at: i64) {
    let pool = server.state.store.pool();
    let occurrence: i64 = sqlx::query_scalar(
        "INSERT INTO service_occurrence (case_number, occurrence_no, service_item_id, department_id, \
         window_id, staff_id, channel, registered_at) \
         SELECT ?, 1, (SELECT min(id) FROM service_item), w.department_id, w.id, \
         (SELECT id FROM staff WHERE window_id = w.id), 'qr_code', ? FROM service_window w WHERE w.number = ? \
         RETURNING id",
    )
    .bind(case)
    .bind(at)
    .bind(window)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO evaluation (occurrence_id, tracking_code, level, catalogue_version, channel, created_at) \
         VALUES (?, ?, ?, 2, 'qr_code', ?)",
    )
    .bind(occurrence)
    .bind(format!("T{case}"))
    .bind(level)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
}

async fn second_window(server: &TestServer) {
    let s = &server.state.store;
    let bdc = sqlx_count(
        &server.state,
        "SELECT id FROM department WHERE code = 'BDC'",
    )
    .await;
    let hall = sqlx_count(&server.state, "SELECT id FROM hall").await;
    let window = s
        .insert_window(hall, bdc, "W-A02", "A02", "不动产抵押")
        .await
        .unwrap();
    s.insert_staff(bdc, Some(window), "S002", "李强")
        .await
        .unwrap();
}

async fn supervisor_cookie(server: &TestServer) -> String {
    let s = &server.state;
    let sealed = s.secrets.encrypt_bytes(SECRET);
    s.store
        .insert_account_with_totp(
            "jiandu",
            &hash_password("s3cret-pass"),
            "supervisor",
            None,
            Some(&sealed),
        )
        .await
        .unwrap();
    let code = format!(
        "{:06}",
        domain::totp::code_at(SECRET, server::platform::db::now_ms() / 1000)
    );
    let session = server::platform::auth::login(s, "jiandu", "s3cret-pass", &code)
        .await
        .unwrap();
    format!("hcp_staff={}", session.token)
}

fn month_label(ms: i64) -> String {
    domain::stats::month_label(domain::stats::month_of(
        domain::calendar::Date::from_unix_ms_cst(ms),
    ))
}

#[tokio::test]
async fn the_monthly_report_ranks_with_the_change_and_reads_back_as_xlsx_and_csv() {
    let server = TestServer::start().await;
    second_window(&server).await;
    let now = server::platform::db::now_ms();
    let this = domain::stats::month_of(domain::calendar::Date::from_unix_ms_cst(now));
    let last_month =
        server::features::disclosure::month_start_ms(domain::stats::previous_month(this))
            + 86_400_000;
    // Last month A02 was the better window; this month A01 is.
    rate_at(&server, "P1", "A01", 2, last_month).await;
    rate_at(&server, "P2", "A01", 5, last_month).await;
    rate_at(&server, "P3", "A02", 5, last_month).await;
    for (case, window, level) in [
        ("N1", "A01", 5),
        ("N2", "A01", 5),
        ("N3", "A02", 5),
        ("N4", "A02", 1),
    ] {
        rate_at(&server, case, window, level, now).await;
    }
    let cookie = supervisor_cookie(&server).await;
    let month = month_label(now);
    let get = |path: String, cookie: String| {
        let http = server.http.clone();
        let url = server.url(&path);
        async move { http.get(url).header("cookie", cookie).send().await.unwrap() }
    };
    let xlsx = get(format!("/staff/report.xlsx?month={month}"), cookie.clone()).await;
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
    assert_eq!((a01[10].as_str(), a01[11].as_str()), ("1", "↑1"));
    let a02 = window("A02");
    assert_eq!(
        (a02[7].as_str(), a02[10].as_str(), a02[11].as_str()),
        ("1", "2", "↓1")
    );
    let clusters = book.worksheet_range("差评集中").expect("cluster sheet");
    assert_eq!(
        clusters.get((1, 0)).map(|c| c.to_string()),
        Some("不动产首次登记".into())
    );

    let csv = get(format!("/staff/report.csv?month={month}"), cookie.clone())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("窗口,A01号窗口 不动产登记,A01,2,2,100.00 %,100.00 %,0,0,0,1,↑1"),
        "{csv}"
    );

    // The page shows the same, and only the supervising office gets it.
    let page = get(format!("/staff/report?month={month}"), cookie.clone()).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("↑1"));
    let s = &server.state;
    let bdc = sqlx_count(s, "SELECT id FROM department WHERE code = 'BDC'").await;
    s.store
        .insert_account("bdc", &hash_password("s3cret-pass"), "handler", Some(bdc))
        .await
        .unwrap();
    let handler = server::platform::auth::login(s, "bdc", "s3cret-pass", "")
        .await
        .unwrap();
    let refused = get(
        format!("/staff/report.xlsx?month={month}"),
        format!("hcp_staff={}", handler.token),
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        get("/staff/report.csv".into(), String::new())
            .await
            .status(),
        401
    );
    let bad = get("/staff/report.csv?month=13-2026".into(), cookie).await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_window_whose_satisfaction_drops_is_flagged_and_the_heat_map_shows_when() {
    let server = TestServer::start().await;
    second_window(&server).await;
    let now = server::platform::db::now_ms();
    for i in 0..12 {
        let level = if i < 3 { 2 } else { 5 };
        rate_at(&server, &format!("H{i}"), "A02", level, now).await;
        rate_at(&server, &format!("G{i}"), "A01", 5, now).await;
    }
    let cookie = supervisor_cookie(&server).await;
    let overview = server
        .http
        .get(server.url("/staff/overview"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let relaxed = server
        .http
        .get(server.url("/staff/overview"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(relaxed.contains("满意度低于 70.00 %") && !relaxed.contains("A02号窗口 不动产抵押："));

    let analysis = server
        .http
        .get(server.url("/staff/analysis"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // 24 ratings at this hour today, 3 of them 差评.
    let hour = (now / 1000 + 8 * 3600) % 86_400 / 3600;
    if (7..=19).contains(&hour) {
        assert!(analysis.contains("24（3）"), "{analysis}");
    }
    let cells: i64 = sqlx_count(&server.state, "SELECT sum(rated) FROM stat_hour").await;
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
    assert_eq!(book.sheet_names().len(), 2);
}
