//! 综合点评 and 监督查评: the public form and staff entry, inspections in an inspector's scope, a
//! 差评 among them opening a ticket, and their counts shown apart from the service figures, which
//! they leave unchanged.

use app::api::voices::{EnterOpinion, RecordInspection};
use domain::{
    ids::{DepartmentId, RegionId},
    org::Scope,
};
use leptos::server_fn::ServerFn;
use serde_json::json;
use server::platform::db::now;
use tests::{TestServer, cookie_of, fixtures::SignedIn, sqlx_count};

fn today() -> String {
    now().date_cst().to_string()
}

fn inspection(
    no: &str,
    target: &str,
    code: &str,
    level: &str,
    method: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("inspection_no", no.to_owned()),
        ("date", today()),
        ("target", target.to_owned()),
        ("target_code", code.to_owned()),
        ("department_code", String::new()),
        ("method", method.to_owned()),
        ("level", level.to_owned()),
        (
            "findings",
            "窗口人员离岗二十分钟，群众排队无人受理".to_owned(),
        ),
    ]
}

async fn record(
    server: &TestServer,
    session: &SignedIn,
    fields: Vec<(&'static str, String)>,
) -> (u16, String) {
    let mut form = vec![("csrf", session.csrf.clone())];
    form.extend(fields);
    server.call(RecordInspection::PATH, session, &form).await
}

/// A neighbouring county with its own department and window (W-B01).
async fn neighbour(server: &TestServer) -> RegionId {
    let store = &server.state.store;
    let region = store.insert_region("341126", "邻县", None).await.unwrap();
    let department = store
        .insert_department(region, "LX-GA", "邻县公安局")
        .await
        .unwrap();
    let hall = store
        .insert_hall(region, "H2", "邻县政务服务中心", "")
        .await
        .unwrap();
    store
        .insert_window(hall, department, "W-B01", "B01", "户籍")
        .await
        .unwrap();
    region
}

#[tokio::test]
async fn an_inspection_at_dissatisfied_opens_a_ticket_in_the_unit_and_other_regions_are_refused() {
    let server = TestServer::start().await;
    let s = &server.state;
    let home = RegionId(sqlx_count(s, "SELECT id FROM region WHERE code = '341125'").await);
    let other = neighbour(&server).await;
    let inspector = server.inspector("jc1", Scope::Region(home)).await;
    let session = server.sign_in(&inspector).await;

    let (status, body) = record(
        &server,
        &session,
        inspection("JC-001", "window", "W-A01", "2", "covert"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let code: String = serde_json::from_str(&body).unwrap();
    let (kind, department, contact_due): (String, i64, Option<i64>) = sqlx::query_as(
        "SELECT t.kind, t.department_id, t.contact_due_at FROM ticket t \
         JOIN evaluation e ON e.id = t.evaluation_id WHERE e.tracking_code = $1",
    )
    .bind(&code)
    .fetch_one(s.store.pool())
    .await
    .expect("a 不满意 finding opens a ticket");
    assert_eq!(kind, "bad_review");
    assert_eq!(
        DepartmentId(department),
        DepartmentId(server.department("BDC").await)
    );
    let due = s
        .deadline_after(s.rules().deadlines.first_contact)
        .map(|t| t.unix_ms());
    assert_eq!(contact_due, due, "the usual first-contact deadline");
    let kind: String = sqlx::query_scalar("SELECT kind FROM evaluation WHERE tracking_code = $1")
        .bind(&code)
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(kind, "inspection");

    // The same inspection id again: refused, naming the field.
    let (status, body) = record(
        &server,
        &session,
        inspection("JC-001", "window", "W-A01", "5", "open"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("该检查编号已登记") && body.contains("inspection_no"),
        "{body}"
    );

    // A window of the neighbouring county is outside this inspector's scope.
    let (status, body) = record(
        &server,
        &session,
        inspection("JC-002", "window", "W-B01", "2", "open"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("不在您的管辖范围内"), "{body}");
    // … and the neighbour's inspector cannot record one here.
    let theirs = server.inspector("jc2", Scope::Region(other)).await;
    let their_session = server.sign_in(&theirs).await;
    let (status, body) = record(
        &server,
        &their_session,
        inspection("JC-003", "window", "W-A01", "1", "open"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // A handler is no inspector.
    let handler = server.handler("bdc1", "BDC").await;
    let handler_session = server.sign_in(&handler).await;
    let (status, _) = record(
        &server,
        &handler_session,
        inspection("JC-004", "window", "W-A01", "1", "open"),
    )
    .await;
    assert_eq!(status, 403);
    // A hall needs the department concerned.
    let (status, body) = record(
        &server,
        &session,
        inspection("JC-005", "hall", "H1", "4", "open"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("被检查部门编码"), "{body}");
    let mut hall = inspection("JC-005", "hall", "H1", "4", "open");
    hall[4].1 = "BDC".into();
    let (status, body) = record(&server, &session, hall).await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(sqlx_count(s, "SELECT count(*) FROM inspection").await, 2);
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM ticket").await,
        1,
        "only the 不满意 one"
    );
    // The handler of the unit sees the ticket.
    let tickets = server.page_as("/staff/tickets", &handler_session).await;
    assert!(tickets.contains("县不动产登记中心"), "{tickets}");

    // The inspector's list and monthly count.
    let page = server.page_as("/staff/inspections", &session).await;
    assert!(
        page.contains("JC-001") && page.contains("暗访") && page.contains("监督查评 2 次"),
        "{page}"
    );
    let month = now().month_cst().to_string();
    let months = &page[page
        .find("id=\"inspection-months\"")
        .expect("monthly counts")..];
    assert!(
        months.contains(&format!(">{month}</th><td>2</td>")),
        "{months}"
    );
    // The neighbour's inspector sees none of them.
    let theirs = server.page_as("/staff/inspections", &their_session).await;
    assert!(!theirs.contains("JC-001"), "{theirs}");
}

/// The public form as a browser without JavaScript posts it, from the device that opened it.
async fn opinion(server: &TestServer, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    server
        .http
        .post(server.url("/opinion"))
        .header("cookie", cookie)
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn opinions_and_inspections_are_shown_apart_and_leave_the_service_rates_unchanged() {
    let server = TestServer::start().await;
    let s = &server.state;
    server.rate("V-1", json!({ "level": 5 })).await;
    server
        .rate("V-2", json!({ "level": 2, "reasons": [213] }))
        .await;
    // The figure, level and channel tables of /open, as published.
    let figures = |page: String| {
        ["figures", "levels", "channels"].map(|id| {
            let start = page.find(&format!("id=\"{id}\"")).expect("table");
            let end = start + page[start..].find("</table>").expect("table end");
            page[start..end].to_owned()
        })
    };
    let before_page = server.page("/open").await;
    let before = server.open_data_all().await;
    let heat = "SELECT CAST(coalesce(sum(rated), 0) AS BIGINT) FROM stat_hour";
    let heat_before = sqlx_count(s, heat).await;

    // A citizen's 综合点评: no department and none set for such opinions → asked for one.
    let page = server.get("/opinion").await;
    let cookie = cookie_of(&page);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("综合点评") && html.contains("示范县政务服务中心"),
        "{html}"
    );
    let refused = opinion(
        &server,
        &cookie,
        &[("level", "1"), ("comment", "大厅空调坏了一周没人修")],
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("请选择所涉部门"));
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM general_opinion").await,
        0,
        "nothing half-written"
    );
    // Once the centre's office is set, an opinion naming no department goes there.
    s.store.set_opinion_department("BDC").await.unwrap();
    let hall = sqlx_count(s, "SELECT id FROM hall").await.to_string();
    let stored = opinion(
        &server,
        &cookie,
        &[
            ("level", "1"),
            ("comment", "大厅空调坏了一周没人修"),
            ("hall", &hall),
            ("phone", "13700137000"),
        ],
    )
    .await;
    assert_eq!(stored.status(), 303);
    let thanks = stored.headers()["location"].to_str().unwrap().to_owned();
    assert!(thanks.starts_with("/thanks/"), "{thanks}");
    let again = opinion(&server, &cookie, &[("level", "5"), ("comment", "服务很好")]).await;
    assert_eq!(again.status(), 429, "the same device right away");

    // Staff type in a 意见箱 card; an inspector records an inspection.
    let boss = server.supervisor("jd").await;
    let boss_session = server.sign_in(&boss).await;
    let department = server.department("BDC").await.to_string();
    let card = [
        ("csrf", boss_session.csrf.clone()),
        ("source", "box".to_owned()),
        ("level", "5".to_owned()),
        ("comment", "导办员很耐心".to_owned()),
        ("phone", String::new()),
        ("department", department),
        ("hall", String::new()),
        ("window", "W-A01".to_owned()),
    ];
    let (status, body) = server.call(EnterOpinion::PATH, &boss_session, &card).await;
    assert_eq!(status, 200, "{body}");
    let inspector = server.inspector("jc", Scope::All).await;
    let session = server.sign_in(&inspector).await;
    let (status, body) = record(
        &server,
        &session,
        inspection("JC-9", "staff", "S001", "4", "open"),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Each 差评 opened a ticket; the citizen's phone made it 实名.
    let tickets: Vec<(String, i64)> = sqlx::query_as(
        "SELECT e.kind, CASE WHEN t.real_name THEN 1 ELSE 0 END FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id \
         ORDER BY t.id",
    )
    .fetch_all(s.store.pool())
    .await
    .unwrap();
    assert_eq!(tickets[1..], [("general".to_owned(), 1)], "{tickets:?}");
    assert_eq!(
        tickets.len(),
        2,
        "the good card and the good inspection open none"
    );

    // The service figures are unchanged; the voices are counted apart.
    let after_page = server.page("/open").await;
    assert_eq!(
        figures(after_page.clone()),
        figures(before_page),
        "rates unchanged"
    );
    let after = server.open_data_all().await;
    for field in [
        "l1",
        "l2",
        "l3",
        "l4",
        "l5",
        "occurrences",
        "kind_case",
        "kind_visit",
        "bad_real_name",
    ] {
        assert_eq!(after[field], before[field], "{field}");
    }
    let voices = [
        "general",
        "general_typed",
        "general_good",
        "general_bad",
        "inspections",
        "inspections_covert",
        "inspections_good",
        "inspections_bad",
    ]
    .map(|f| after[f].as_i64().unwrap());
    assert_eq!(voices, [1, 1, 1, 1, 1, 0, 1, 0]);
    assert!(
        after_page.contains("综合点评 2 条（群众网上提交 1 条，工作人员据意见箱、来信、电话等录入 1 条；满意 1 条，差评 1 条）；监督查评 1 次（暗访 0 次；满意 1 次，不满意 0 次）"),
        "{after_page}"
    );
    // The hall's heat map and the clerk's own list leave them out; nothing goes upward.
    assert_eq!(
        sqlx_count(s, heat).await,
        heat_before,
        "the card named window A01"
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM upward_outbox x JOIN service_occurrence o ON o.id = x.occurrence_id WHERE o.kind IN ('general', 'inspection')").await,
        0
    );

    // The supervisor's list shows both opinions with their source and who typed the card.
    let list = server.page_as("/staff/opinions", &boss_session).await;
    assert!(
        list.contains("意见箱") && list.contains("网上留言") && list.contains("jd"),
        "{list}"
    );
    assert!(!list.contains("13700137000"), "no phone on the list");

    // The monthly report counts them apart and lists the inspection.
    let month = now().month_cst();
    let csv = server
        .page_as(&format!("/staff/report.csv?month={month}"), &boss_session)
        .await;
    assert!(csv.contains("综合点评,2,") && csv.contains("JC-9"), "{csv}");

    // The kept counts equal a rebuild from the evaluations.
    let kept = s.store.all_voice_stats().await.unwrap();
    let stats = s.store.all_stats().await.unwrap();
    s.store.rebuild_stats().await.unwrap();
    assert_eq!(s.store.all_voice_stats().await.unwrap(), kept);
    assert_eq!(s.store.all_stats().await.unwrap(), stats);
    assert!(!kept.is_empty());
}
