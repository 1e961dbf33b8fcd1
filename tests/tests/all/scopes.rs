//! 管辖范围 — supervisors and administrators held to a region with the regions under it, or to one
//! hall: the store's scope questions, and what a township supervisor, a county supervisor and a
//! hall supervisor see of tickets, figures, the report, the analysis and the e码 posters; accounts
//! given a scope; anonymous posters refused.

use app::api::{
    PosterWindows,
    admin::{AdminCreateAccount, AdminView},
    report::{HeatMap, MonthlyReport},
    staff::{DepartmentOverview, LoadTicket, MyTickets, TicketStep},
};
use domain::ids::{DepartmentId, HallId, WindowId};
use domain::org::Scope;
use leptos::server_fn::ServerFn;
use serde_json::json;
use tests::{
    TestServer,
    fixtures::{SignedIn, Township},
    occurrence, sqlx_count,
};

/// The county's hall (H1), seeded.
async fn county_hall(server: &TestServer) -> HallId {
    match server.state.store.hall_scope("H1").await.expect("hall") {
        Some(Scope::Hall(h)) => h,
        other => panic!("no seeded hall: {other:?}"),
    }
}

/// A 差评 with a phone at the county's window A01 (服务态度生硬) or the township's T01
/// (窗口人员业务不熟练); returns its ticket.
async fn bad_review(server: &TestServer, case: &str, in_township: bool) -> i64 {
    let mut body = occurrence(case);
    let reason = if in_township { 213 } else { 214 };
    if in_township {
        body["department"] = json!("XZ");
        body["window"] = json!("W-T01");
        body["staff"] = json!("S101");
        body["service_item"] = json!("000112002000");
    }
    let link = server.link_for(body).await;
    let rating = json!({ "level": 2, "reasons": [reason], "phone": "13600136000" });
    let rated = server.rate_link(&link, rating).await;
    server.ticket_of(&rated.tracking_code).await
}

/// A supervisor held to `scope`, signed in.
async fn supervisor(server: &TestServer, name: &str, scope: Scope) -> SignedIn {
    let staff = server.scoped_supervisor(name, scope).await;
    server.sign_in(&staff).await
}

#[tokio::test]
async fn the_store_answers_scope_questions_along_the_region_tree_and_by_hall() {
    let server = TestServer::start().await;
    let t: Township = server.township().await;
    let store = &server.state.store;
    let h1 = county_hall(&server).await;
    let bdc = DepartmentId(server.department("BDC").await);
    let a01 = store
        .id_by_code::<WindowId>("W-A01")
        .await
        .unwrap()
        .unwrap();
    let county = Scope::Region(t.county);
    let town = Scope::Region(t.region);
    let hall = Scope::Hall(t.hall);

    assert_eq!(
        store.scope_departments(Scope::All).await.unwrap(),
        [bdc, t.department]
    );
    assert_eq!(
        store.scope_departments(county).await.unwrap(),
        [bdc, t.department],
        "the county covers the township under it"
    );
    assert_eq!(store.scope_departments(town).await.unwrap(), [t.department]);
    assert_eq!(
        store.scope_departments(Scope::Hall(h1)).await.unwrap(),
        [bdc]
    );
    assert_eq!(store.scope_departments(hall).await.unwrap(), [t.department]);

    assert!(store.region_in_scope(county, t.region).await.unwrap());
    assert!(!store.region_in_scope(town, t.county).await.unwrap());
    assert!(!store.region_in_scope(hall, t.region).await.unwrap());
    assert!(store.department_in_scope(town, t.department).await.unwrap());
    assert!(!store.department_in_scope(town, bdc).await.unwrap());
    assert!(store.hall_in_scope(county, t.hall).await.unwrap());
    assert!(!store.hall_in_scope(town, h1).await.unwrap());
    assert!(store.hall_in_scope(hall, t.hall).await.unwrap());
    assert!(store.window_in_scope(town, t.window).await.unwrap());
    assert!(!store.window_in_scope(town, a01).await.unwrap());
    assert!(!store.window_in_scope(hall, a01).await.unwrap());
    assert!(store.window_in_scope(Scope::All, a01).await.unwrap());

    // What an administrator may give: never wider than their own scope, never a missing row.
    assert!(store.scope_within(Scope::All, town).await.unwrap());
    assert!(store.scope_within(county, hall).await.unwrap());
    assert!(!store.scope_within(town, county).await.unwrap());
    assert!(!store.scope_within(town, Scope::All).await.unwrap());
    assert!(!store.scope_within(town, Scope::Hall(h1)).await.unwrap());
    assert!(
        !store
            .scope_within(Scope::All, Scope::Hall(HallId(999)))
            .await
            .unwrap()
    );
    let choices: Vec<String> = store
        .scope_choices(town)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(choices, ["示范镇", "示范镇便民服务中心"]);
}

/// The departments named in a ticket list (the JSON of `MyTickets`).
async fn listed(server: &TestServer, session: &SignedIn) -> (bool, bool) {
    let (status, body) = server.call(MyTickets::PATH, session, &[]).await;
    assert_eq!(status, 200, "{body}");
    (
        body.contains("县不动产登记中心"),
        body.contains("示范镇社会事务办"),
    )
}

#[tokio::test]
async fn each_supervisor_sees_the_tickets_of_their_scope_and_handlers_stay_in_their_department() {
    let server = TestServer::start().await;
    let t = server.township().await;
    let county_ticket = bad_review(&server, "C-1", false).await.to_string();
    let town_ticket = bad_review(&server, "T-1", true).await.to_string();
    let h1 = county_hall(&server).await;

    let town = supervisor(&server, "town", Scope::Region(t.region)).await;
    let county = supervisor(&server, "county", Scope::Region(t.county)).await;
    let everything = supervisor(&server, "all", Scope::All).await;
    let hall = supervisor(&server, "hall1", Scope::Hall(h1)).await;
    let handler = server.handler("bdc", "BDC").await;
    let handler = server.sign_in(&handler).await;

    assert_eq!(listed(&server, &town).await, (false, true));
    assert_eq!(listed(&server, &county).await, (true, true));
    assert_eq!(listed(&server, &everything).await, (true, true));
    assert_eq!(listed(&server, &hall).await, (true, false));
    assert_eq!(listed(&server, &handler).await, (true, false));

    let load = |id: &str| vec![("id", id.to_owned())];
    for (session, visible, hidden) in [
        (&town, &town_ticket, &county_ticket),
        (&hall, &county_ticket, &town_ticket),
        (&handler, &county_ticket, &town_ticket),
    ] {
        let (status, _) = server.call(LoadTicket::PATH, session, &load(visible)).await;
        assert_eq!(status, 200);
        let (status, body) = server.call(LoadTicket::PATH, session, &load(hidden)).await;
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("13600136000"));
        // A step on a ticket outside the scope finds no ticket either.
        let step = vec![
            ("id", hidden.clone()),
            ("action", "close_unrated".into()),
            ("note", "x".into()),
            ("csrf", session.csrf.clone()),
        ];
        assert_eq!(server.call(TicketStep::PATH, session, &step).await.0, 404);
    }
    for session in [&county, &everything] {
        for id in [&county_ticket, &town_ticket] {
            assert_eq!(
                server.call(LoadTicket::PATH, session, &load(id)).await.0,
                200
            );
        }
    }
    // The ticket page itself, server-rendered, shows nothing of another scope.
    let page = server
        .page_as(&format!("/staff/tickets/{county_ticket}"), &town)
        .await;
    assert!(!page.contains("县不动产登记中心"), "{page}");
    assert_eq!(server.tickets_in("open").await, 2, "nothing moved");

    // 督办总览 lists the departments of the scope only.
    let (status, body) = server.call(DepartmentOverview::PATH, &town, &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("示范镇社会事务办") && !body.contains("县不动产登记中心"));
    let (_, body) = server.call(DepartmentOverview::PATH, &county, &[]).await;
    assert!(body.contains("示范镇社会事务办") && body.contains("县不动产登记中心"));

    // Where the month's 差评 cluster: the scope's service items and reasons only. A hall's
    // reasons are its own aggregate; its items are counted across halls, so none are shown.
    let month = vec![("month", server::platform::db::now().month_cst().to_string())];
    let clusters = |body: &str| {
        [
            "高龄津贴申领",
            "窗口人员业务不熟练",
            "不动产首次登记",
            "服务态度生硬",
        ]
        .map(|text| body.contains(text))
    };
    let town_hall = supervisor(&server, "hall2", Scope::Hall(t.hall)).await;
    for (session, expected) in [
        (&town, [true, true, false, false]),
        (&county, [true, true, true, true]),
        (&everything, [true, true, true, true]),
        (&town_hall, [false, true, false, false]),
    ] {
        let (status, body) = server.call(MonthlyReport::PATH, session, &month).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(clusters(&body), expected, "{body}");
    }
}

/// The report's CSV of this month for `session`.
async fn report_csv(server: &TestServer, session: &SignedIn) -> String {
    let month = server::platform::db::now().month_cst();
    let response = server
        .get_as(&format!("/staff/report.csv?month={month}"), session)
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn figures_reports_and_analysis_cover_only_the_scope() {
    let server = TestServer::start().await;
    let t = server.township().await;
    let now = server::platform::db::now_ms();
    for i in 0..12 {
        let town_level = if i < 4 { 2 } else { 5 };
        server
            .rate_at(&format!("T{i}"), "T01", town_level, now)
            .await;
        server.rate_at(&format!("C{i}"), "A01", 5, now).await;
    }
    let town = supervisor(&server, "town", Scope::Region(t.region)).await;
    let county = supervisor(&server, "county", Scope::Region(t.county)).await;
    let hall = supervisor(&server, "hall2", Scope::Hall(t.hall)).await;
    let everything = supervisor(&server, "all", Scope::All).await;

    let csv = report_csv(&server, &town).await;
    assert!(
        csv.contains("部门,示范镇社会事务办,XZ,12,12,100.00 %,66.66 %,66.66 %,0.00 %,4"),
        "{csv}"
    );
    assert!(csv.contains("窗口,T01号窗口 社会事务,T01,12,12"), "{csv}");
    assert!(csv.contains("窗口工作人员,赵敏,S101,12,12"), "{csv}");
    assert!(
        !csv.contains("A01") && !csv.contains("县不动产登记中心") && !csv.contains("王芳"),
        "{csv}"
    );
    // The county's report sums the township under it; the whole centre's is unchanged.
    for session in [&county, &everything] {
        let csv = report_csv(&server, session).await;
        assert!(csv.contains("部门,县不动产登记中心,BDC,12,12"), "{csv}");
        assert!(csv.contains("部门,示范镇社会事务办,XZ,12,12"), "{csv}");
    }
    // A hall's report has its windows and their staff, not the departments' wider figures.
    let csv = report_csv(&server, &hall).await;
    assert!(csv.contains("窗口,T01号窗口 社会事务,T01,12,12"), "{csv}");
    assert!(csv.contains("窗口工作人员,赵敏,S101"), "{csv}");
    assert!(!csv.contains("\n部门,") && !csv.contains("A01"), "{csv}");

    // The analysis offers the halls of the scope and flags the scope's windows only.
    let (status, body) = server
        .call(
            HeatMap::PATH,
            &town,
            &[("hall", String::new()), ("month", String::new())],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("示范镇便民服务中心") && !body.contains("示范县政务服务中心"));
    assert!(body.contains("T01号窗口 社会事务"), "flagged: {body}");
    let hall1 = county_hall(&server).await.to_string();
    let (_, body) = server
        .call(
            HeatMap::PATH,
            &town,
            &[("hall", hall1), ("month", String::new())],
        )
        .await;
    let heat: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        heat["hall"],
        json!(t.hall.get()),
        "a hall outside the scope is not shown: the scope's is"
    );
    let overview = server.page_as("/staff/overview", &county).await;
    assert!(overview.contains("T01号窗口 社会事务："), "{overview}");
    let h1 = county_hall(&server).await;
    let h1_only = supervisor(&server, "hall1", Scope::Hall(h1)).await;
    let overview = server.page_as("/staff/overview", &h1_only).await;
    assert!(overview.contains("满意度预警"), "{overview}");
    assert!(!overview.contains("T01号窗口"), "{overview}");
}

/// The windows listed on the poster page for `session`: (status, body).
async fn posters(server: &TestServer, session: &SignedIn) -> (u16, String) {
    server.call(PosterWindows::PATH, session, &[]).await
}

#[tokio::test]
async fn posters_are_a_staff_page_listing_the_active_windows_of_the_scope() {
    let server = TestServer::start().await;
    let t = server.township().await;
    server.second_window().await;
    let h1 = county_hall(&server).await;

    // Strangers get no list of rating links, neither at the old address nor from the function.
    let old = server.get("/posters").await;
    assert_eq!(old.status(), 404);
    assert!(!old.text().await.unwrap().contains("/w/"));
    let (status, body) = posters(&server, &SignedIn::default()).await;
    assert_eq!(status, 401);
    assert!(!body.contains("/w/"));
    let page = server.get("/staff/posters").await;
    assert!(!page.text().await.unwrap().contains("/w/"));
    let handler = server.handler("bdc", "BDC").await;
    let handler = server.sign_in(&handler).await;
    let (status, body) = posters(&server, &handler).await;
    assert_eq!((status, body.contains("/w/")), (403, false));

    let town = supervisor(&server, "town", Scope::Region(t.region)).await;
    let county = supervisor(&server, "county", Scope::Region(t.county)).await;
    let hall = supervisor(&server, "hall1", Scope::Hall(h1)).await;
    let admin = server.administrator("root").await;
    let admin = server.sign_in(&admin).await;
    let numbers = |body: &str| {
        ["\"A01\"", "\"A02\"", "\"T01\""]
            .map(|n| body.contains(n))
            .to_vec()
    };
    for (session, expected) in [
        (&town, [false, false, true]),
        (&county, [true, true, true]),
        (&hall, [true, true, false]),
        (&admin, [true, true, true]),
    ] {
        let (status, body) = posters(&server, session).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(numbers(&body), expected, "{body}");
    }
    // The page, rendered on the server, is the same list.
    let page = server.page_as("/staff/posters", &town).await;
    assert!(
        page.contains("T01 号窗口") && !page.contains("A01 号窗口"),
        "{page}"
    );

    // A deactivated window is no longer printed. No store method deactivates yet (the
    // administration page will), so the column is set directly.
    sqlx::query("UPDATE service_window SET deactivated_at = 1 WHERE code = 'W-A02'")
        .execute(server.state.store.pool())
        .await
        .unwrap();
    let (_, body) = posters(&server, &county).await;
    assert_eq!(numbers(&body), [true, false, true], "{body}");
}

/// The `create-account` form as the administration page posts it.
fn account(
    username: &str,
    role: &str,
    department: &str,
    scope: &str,
    csrf: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_owned()),
        ("password", "long-enough-password".to_owned()),
        ("role", role.to_owned()),
        ("department", department.to_owned()),
        ("staff_no", String::new()),
        ("scope", scope.to_owned()),
        ("csrf", csrf.to_owned()),
    ]
}

#[tokio::test]
async fn accounts_get_a_scope_that_only_supervisors_and_administrators_may_have() {
    let server = TestServer::start().await;
    let t = server.township().await;
    let h1 = county_hall(&server).await;
    let root = server.administrator("root").await;
    let root = server.sign_in(&root).await;
    let (status, page) = server.call(AdminView::PATH, &root, &[]).await;
    assert_eq!(status, 200);
    let town_value = format!("region:{}", t.region);
    for choice in [
        "全部",
        "地区：示范县",
        "地区：示范镇",
        "大厅：示范镇便民服务中心",
    ] {
        assert!(page.contains(choice), "{choice}: {page}");
    }
    assert!(page.contains(&town_value), "{page}");
    let html = server.page_as("/staff/admin", &root).await;
    assert!(html.contains("id=\"new-scope\""), "{html}");

    let csrf = root.csrf.clone();
    let made = account("zhen", "supervisor", "", &town_value, &csrf);
    let (status, body) = server.call(AdminCreateAccount::PATH, &root, &made).await;
    assert_eq!(status, 200, "{body}");
    let stored = sqlx_count(
        &server.state,
        "SELECT region_id FROM account WHERE username = 'zhen' AND hall_id IS NULL",
    )
    .await;
    assert_eq!(stored, t.region.get());
    let bdc = server.department("BDC").await.to_string();
    for (form, message) in [
        (
            account("h", "handler", &bdc, &town_value, &csrf),
            "管辖范围：仅监督股、监督查评员和系统管理员可限定管辖范围",
        ),
        (
            account("s", "supervisor", "", "region:99999", &csrf),
            "管辖范围：请选择列出的地区或大厅",
        ),
        (
            account("s", "supervisor", "", "window:1", &csrf),
            "管辖范围：请选择列出的地区或大厅",
        ),
    ] {
        let (status, body) = server.call(AdminCreateAccount::PATH, &root, &form).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{body}");
    }

    // An administrator of the township gives scopes inside it only.
    let town_admin = server
        .scoped_administrator("townadmin", Scope::Region(t.region))
        .await;
    let town_admin = server.sign_in(&town_admin).await;
    let (_, page) = server.call(AdminView::PATH, &town_admin, &[]).await;
    assert!(
        !page.contains("全部") && !page.contains("地区：示范县"),
        "{page}"
    );
    let csrf = town_admin.csrf.clone();
    for (name, scope) in [("wide", "all".to_owned()), ("other", format!("hall:{h1}"))] {
        let form = account(name, "supervisor", "", &scope, &csrf);
        let (status, _) = server
            .call(AdminCreateAccount::PATH, &town_admin, &form)
            .await;
        assert_eq!(status, 422, "{scope}");
    }
    let form = account(
        "hall2",
        "supervisor",
        "",
        &format!("hall:{}", t.hall),
        &csrf,
    );
    let (status, body) = server
        .call(AdminCreateAccount::PATH, &town_admin, &form)
        .await;
    assert_eq!(status, 200, "{body}");
    let made = sqlx_count(
        &server.state,
        "SELECT count(*) FROM account WHERE username IN ('h', 's', 'wide', 'other')",
    )
    .await;
    assert_eq!(made, 0);
}
