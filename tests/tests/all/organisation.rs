//! 机构管理 over HTTP: the region tree, halls, departments, windows, staff and items kept through the
//! organisation page's own server functions, deactivation that keeps history, and the bulk import of
//! the 实施清单 and the staff roster (check, bad rows, twice, 2,000 items).

use app::api::organisation::{OrgSave, OrgSetActive, OrganisationView};
use leptos::server_fn::ServerFn;
use serde_json::json;
use tests::{TestServer, fixtures::SignedIn, occurrence, sqlx_count};

/// A form's fields: name and value.
type Fields<'a> = &'a [(&'a str, &'a str)];

/// Saves a record through the organisation page's form function; returns the status and body.
async fn save(
    server: &TestServer,
    session: &SignedIn,
    kind: &str,
    mode: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut form = vec![
        ("kind", kind.to_owned()),
        ("mode", mode.to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    for name in ["code", "name"] {
        if !fields.iter().any(|(n, _)| *n == name) {
            form.push((name, String::new()));
        }
    }
    form.extend(fields.iter().map(|(n, v)| (*n, (*v).to_owned())));
    server.call(OrgSave::PATH, session, &form).await
}

async fn saved(server: &TestServer, session: &SignedIn, kind: &str, fields: &[(&str, &str)]) {
    let (status, body) = save(server, session, kind, "new", fields).await;
    assert!(status < 400, "{kind} {fields:?}: {status} {body}");
}

async fn admin_session(server: &TestServer) -> SignedIn {
    let admin = server.administrator("root").await;
    server.sign_in(&admin).await
}

#[tokio::test]
async fn an_administrator_builds_a_township_and_every_refusal_names_the_field() {
    let server = TestServer::start().await;
    let s = &server.state;
    let session = admin_session(&server).await;
    // A township under the seeded county, its hall, a department, a window, a clerk, an item.
    saved(
        &server,
        &session,
        "region",
        &[
            ("code", "341125100"),
            ("name", "城关镇"),
            ("parent", "341125"),
        ],
    )
    .await;
    saved(
        &server,
        &session,
        "hall",
        &[
            ("code", "CGZ"),
            ("name", "城关镇便民服务中心"),
            ("hall_kind", "township"),
            ("region", "341125100"),
            ("address", "城关镇解放路2号"),
            ("hours", "工作日 8:30-17:30"),
        ],
    )
    .await;
    let credit = domain::org::CreditCode::with_check("11341125MB0012345").unwrap();
    saved(
        &server,
        &session,
        "department",
        &[
            ("code", "CGZ-MZ"),
            ("name", "城关镇民政办"),
            ("region", "341125100"),
            ("credit_code", credit.as_str()),
        ],
    )
    .await;
    saved(
        &server,
        &session,
        "window",
        &[
            ("hall", "CGZ"),
            ("number", "1"),
            ("name", "社会救助"),
            ("department", "CGZ-MZ"),
        ],
    )
    .await;
    saved(
        &server,
        &session,
        "staff",
        &[
            ("code", "CGZ001"),
            ("name", "赵敏"),
            ("department", "CGZ-MZ"),
            ("window", "CGZ-1"),
        ],
    )
    .await;
    saved(
        &server,
        &session,
        "service_item",
        &[
            ("code", "11341125MB00123450001"),
            ("name", "最低生活保障审核"),
            ("department", "CGZ-MZ"),
            ("item_type", "payment"),
        ],
    )
    .await;
    let hall: (String, String, String) =
        sqlx::query_as("SELECT kind, hours, (SELECT code FROM region WHERE id = region_id) FROM hall WHERE code = 'CGZ'")
            .fetch_one(s.store.pool())
            .await
            .unwrap();
    assert_eq!(
        hall,
        (
            "township".into(),
            "工作日 8:30-17:30".into(),
            "341125100".into()
        )
    );

    // Each refusal names what is wrong, and writes nothing.
    let audit_before = sqlx_count(s, "SELECT count(*) FROM audit_log").await;
    let refusals: [(&str, Fields<'_>, &str); 8] = [
        (
            "region",
            &[("code", "34112"), ("name", "坏")],
            "行政区划代码：应为6位",
        ),
        (
            "region",
            &[
                ("code", "341126100"),
                ("name", "他乡"),
                ("parent", "341125"),
            ],
            "上级区划：本区划代码应以上级区划代码开头",
        ),
        (
            "department",
            &[
                ("code", "X1"),
                ("name", "某局"),
                ("region", "341125"),
                ("credit_code", "91350100M000100Y44"),
            ],
            "统一社会信用代码：校验位不符",
        ),
        (
            "department",
            &[("code", "X1"), ("name", "某局"), ("region", "999999")],
            "所属区划“999999”不存在",
        ),
        (
            "department",
            &[("code", "BDC"), ("name", "重复"), ("region", "341125")],
            "部门编码“BDC”已存在",
        ),
        (
            "window",
            &[
                ("hall", "NOPE"),
                ("number", "2"),
                ("name", "x"),
                ("department", "BDC"),
            ],
            "大厅“NOPE”不存在",
        ),
        (
            "staff",
            &[("code", "S9"), ("name", "某人"), ("department", "")],
            "请选择所属部门",
        ),
        (
            "service_item",
            &[
                ("code", "not a code!"),
                ("name", "事项"),
                ("department", "BDC"),
                ("item_type", "licensing"),
            ],
            "事项实施编码",
        ),
    ];
    for (kind, fields, message) in refusals {
        let (status, body) = save(&server, &session, kind, "new", fields).await;
        assert_eq!(status, 422, "{kind}: {body}");
        assert!(body.contains(message), "{kind}: {body} lacks {message}");
    }
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM department WHERE code = 'X1'").await,
        0
    );

    // Editing keeps the code and records before and after.
    let (status, body) = save(
        &server,
        &session,
        "staff",
        "edit",
        &[
            ("code", "CGZ001"),
            ("name", "赵敏"),
            ("department", "CGZ-MZ"),
            ("window", ""),
        ],
    )
    .await;
    assert!(status < 400, "{body}");
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'update_staff' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert!(
        before.contains("CGZ-1") && !after.contains("CGZ-1"),
        "{before} → {after}"
    );
    let (status, body) = save(
        &server,
        &session,
        "staff",
        "edit",
        &[("code", "NOBODY"), ("name", "无"), ("department", "BDC")],
    )
    .await;
    assert!(
        status == 422 && body.contains("工作人员“NOBODY”不存在"),
        "{body}"
    );

    // The page lists the tree in order: the township under its county.
    let (status, body) = server
        .call(
            OrganisationView::PATH,
            &session,
            &[("search", String::new())],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let county = body.find("\"341125\"").expect("county listed");
    let township = body.find("\"341125100\"").expect("township listed");
    assert!(county < township, "tree order");
}

#[tokio::test]
async fn a_deactivated_window_keeps_its_history_and_its_code_says_it_is_closed() {
    let server = TestServer::start().await;
    let s = &server.state;
    let session = admin_session(&server).await;
    // A rating at the window before it closes.
    let link = server.window_link().await;
    let page = server.page(&link).await;
    assert!(page.contains("不动产登记"), "open window rates");
    server.rate("CASE-1", json!({ "level": 5 })).await;
    let before = server.evaluations().await;

    let toggle = |active: &str| {
        vec![
            ("kind", "window".to_owned()),
            ("code", "W-A01".to_owned()),
            ("active", active.to_owned()),
            ("csrf", session.csrf.clone()),
        ]
    };
    let (status, body) = server
        .call(OrgSetActive::PATH, &session, &toggle("0"))
        .await;
    assert_eq!(status, 200, "{body}");
    let closed = server.get(&link).await;
    assert_eq!(closed.status(), 410);
    assert!(closed.text().await.unwrap().contains("该窗口已停用"));
    assert_eq!(server.evaluations().await, before, "history kept");
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM service_window WHERE code = 'W-A01'"
        )
        .await,
        1,
        "never deleted"
    );
    // A business system can no longer register cases at the closed window; the others still work.
    let mut at_closed = occurrence("CASE-2");
    at_closed["window"] = json!("W-A01");
    assert!(server.register(at_closed).await.status().is_client_error());
    let mut elsewhere = occurrence("CASE-3");
    elsewhere.as_object_mut().unwrap().remove("window");
    elsewhere.as_object_mut().unwrap().remove("staff");
    assert_eq!(server.register(elsewhere).await.status(), 201);

    let (status, _) = server
        .call(OrgSetActive::PATH, &session, &toggle("1"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(server.get(&link).await.status(), 200, "reactivated");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'service_window' ORDER BY id",
    )
    .fetch_all(s.store.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["deactivate_window", "reactivate_window"]);
}

/// Posts a file to the import route as the page's form does; returns the status and the page.
async fn import(
    server: &TestServer,
    session: &SignedIn,
    kind: &str,
    mode: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", session.csrf.clone())
        .text("kind", kind.to_owned())
        .text("mode", mode.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    let response = server
        .http
        .post(server.url("/staff/organisation/import"))
        .header("cookie", &session.cookie)
        .multipart(form)
        .send()
        .await
        .expect("import");
    (response.status().as_u16(), response.text().await.unwrap())
}

/// An XLSX 实施清单 of `items` rows (codes `ITEM00001`…), with a text-typed code column.
fn items_xlsx(items: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, heading) in (0u16..).zip(["实施编码", "事项名称", "部门编码", "事项类型"])
    {
        sheet.write_string(0, col, heading).unwrap();
    }
    for i in 0..items {
        let row = u32::try_from(i + 1).unwrap();
        sheet.write_string(row, 0, format!("ITEM{i:05}")).unwrap();
        sheet.write_string(row, 1, format!("事项{i}")).unwrap();
        sheet.write_string(row, 2, "BDC").unwrap();
        sheet
            .write_string(
                row,
                3,
                if i % 2 == 0 {
                    "行政许可"
                } else {
                    "公共服务"
                },
            )
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_roster_imports_once_however_often_it_is_sent_and_a_bad_one_writes_nothing() {
    let server = TestServer::start().await;
    let s = &server.state;
    let session = admin_session(&server).await;
    let roster = "工号,姓名,部门编码,窗口编码\r\nS101,李明,BDC,W-A01\r\nS102,周婷,BDC,\r\n";

    // A check lists what would happen and writes nothing.
    let (status, page) = import(&server, &session, "staff", "check", "r.csv", roster.into()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("检查通过，可导入：共2行，新增2"), "{page}");
    assert!(page.contains("确认导入"), "{page}");
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM staff").await, 1);

    let (status, page) = import(&server, &session, "staff", "import", "r.csv", roster.into()).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("已导入：共2行，新增2，更新0，未变0"),
        "{page}"
    );
    // The same file again: nothing new.
    let (_, page) = import(&server, &session, "staff", "import", "r.csv", roster.into()).await;
    assert!(page.contains("新增0，更新0，未变2"), "{page}");
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM staff").await, 3);
    // A changed row updates its record.
    let moved = roster.replace("S102,周婷,BDC,", "S102,周婷,BDC,W-A01");
    let (_, page) = import(&server, &session, "staff", "import", "r.csv", moved.into()).await;
    assert!(page.contains("新增0，更新1，未变1"), "{page}");

    // Bad rows: every row's problem listed, nothing written, not even the good rows.
    let bad = "工号,姓名,部门编码,窗口编码\r\n\
               S201,好人,BDC,\r\n\
               S202,,BDC,\r\n\
               S203,某人,NOPE,\r\n\
               S204,某人,BDC,W-XX\r\n\
               S201,重复,BDC,\r\n";
    let audit_before = sqlx_count(s, "SELECT count(*) FROM audit_log").await;
    let (status, page) = import(&server, &session, "staff", "import", "bad.csv", bad.into()).await;
    assert_eq!(status, 422, "{page}");
    for problem in [
        "<th scope=\"row\">3</th><td>请填写姓名</td>",
        "<th scope=\"row\">4</th><td>部门“NOPE”不存在</td>",
        "<th scope=\"row\">5</th><td>窗口“W-XX”不存在</td>",
        "<th scope=\"row\">6</th><td>编码“S201”与第2行重复</td>",
    ] {
        assert!(page.contains(problem), "{problem} in {page}");
    }
    assert!(page.contains("有问题4行（整个文件未写入）"), "{page}");
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM staff WHERE staff_no = 'S201'").await,
        0
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM audit_log").await,
        audit_before
    );

    // Not a spreadsheet, a missing heading, and a stranger: refused.
    let (status, page) = import(
        &server,
        &session,
        "staff",
        "import",
        "x.csv",
        "姓名\r\n张三\r\n".into(),
    )
    .await;
    assert!(status == 422 && page.contains("缺少“工号”列"), "{page}");
    let stranger = SignedIn::default();
    let (status, _) = import(
        &server,
        &stranger,
        "staff",
        "import",
        "r.csv",
        roster.into(),
    )
    .await;
    assert_eq!(status, 401);
    let handler = server.handler("bdc", "BDC").await;
    let handler = server.sign_in(&handler).await;
    let (status, _) = import(&server, &handler, "staff", "import", "r.csv", roster.into()).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_two_thousand_item_list_imports_in_one_transaction() {
    let server = TestServer::start().await;
    let s = &server.state;
    let session = admin_session(&server).await;
    let file = items_xlsx(2_000);
    let started = std::time::Instant::now();
    let (status, page) = import(
        &server,
        &session,
        "items",
        "import",
        "清单.xlsx",
        file.clone(),
    )
    .await;
    let first = started.elapsed();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已导入：共2000行，新增2000"), "{page}");
    let started = std::time::Instant::now();
    let (_, page) = import(&server, &session, "items", "import", "清单.xlsx", file).await;
    let again = started.elapsed();
    assert!(page.contains("新增0，更新0，未变2000"), "{page}");
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM service_item WHERE item_type = 'licensing'"
        )
        .await,
        1_000
    );
    // The figure for the closing note; not an assertion (speed belongs to benchmarks).
    println!("2,000-item XLSX import: {first:.2?} first, {again:.2?} unchanged");
    // The templates download for the administrator, with their headings.
    for (file, heading) in [("items.csv", "实施编码"), ("staff.csv", "工号")] {
        let response = server
            .http
            .get(server.url(&format!("/staff/organisation/template/{file}")))
            .header("cookie", &session.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains(heading));
    }
    let xlsx = server
        .http
        .get(server.url("/staff/organisation/template/items.xlsx"))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn a_refusal_without_javascript_returns_to_the_page_with_the_field_named() {
    let server = TestServer::start().await;
    let session = admin_session(&server).await;
    // A plain form post, as a browser without JavaScript sends it.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = [
        ("kind", "department"),
        ("mode", "new"),
        ("code", "BDC"),
        ("name", "重复的部门"),
        ("region", "341125"),
        ("csrf", session.csrf.as_str()),
    ];
    let response = client
        .post(server.url(OrgSave::PATH))
        .header("cookie", &session.cookie)
        .header("accept", "text/html")
        .header("referer", server.url("/staff/organisation"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302, "a browser follows only a redirect");
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("/staff/organisation?"), "{back}");
    let page = server.page_as(&back, &session).await;
    assert!(
        page.contains(r#"id="org-error" class="err">部门编码“BDC”已存在</p>"#),
        "the page shows the refusal"
    );
}

#[tokio::test]
async fn a_township_administrator_keeps_only_the_township() {
    use domain::org::Scope;
    let server = TestServer::start().await;
    let s = &server.state;
    let town = server.township().await;
    let admin = server
        .scoped_administrator("xz-admin", Scope::Region(town.region))
        .await;
    let session = server.sign_in(&admin).await;

    // The page lists the township and what is in it, nothing of the county around it.
    let (status, body) = server
        .call(
            OrganisationView::PATH,
            &session,
            &[("search", String::new())],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for inside in [
        "341125100",
        "\"XZ\"",
        "\"H2\"",
        "W-T01",
        "S101",
        "000112002000",
    ] {
        assert!(body.contains(inside), "{inside} listed: {body}");
    }
    assert!(
        body.contains(r#"["code","XZ"]"#),
        "lines carry their code so"
    );
    for outside in ["341125", "BDC", "H1", "W-A01", "S001", "000112001000"] {
        let line = format!(r#"["code","{outside}"]"#);
        assert!(!body.contains(&line), "{outside} not listed");
    }

    // Inside: a village committee's office under the township, a clerk, an item.
    saved(
        &server,
        &session,
        "department",
        &[
            ("code", "XZ-2"),
            ("name", "示范镇便民服务站"),
            ("region", "341125100"),
        ],
    )
    .await;
    saved(
        &server,
        &session,
        "staff",
        &[
            ("code", "S102"),
            ("name", "钱进"),
            ("department", "XZ"),
            ("window", "W-T01"),
        ],
    )
    .await;
    // Outside: refused with what is out of reach, and nothing written.
    let audit_before = sqlx_count(s, "SELECT count(*) FROM audit_log").await;
    let refusals: [(&str, Fields<'_>, &str); 5] = [
        (
            "region",
            &[("code", "341126"), ("name", "邻县")],
            "顶级区划不在您的管辖范围内",
        ),
        (
            "department",
            &[("code", "X9"), ("name", "县某局"), ("region", "341125")],
            "所属区划不在您的管辖范围内",
        ),
        (
            "staff",
            &[("code", "S9"), ("name", "某人"), ("department", "BDC")],
            "部门不在您的管辖范围内",
        ),
        (
            "service_item",
            &[
                ("code", "X0001"),
                ("name", "县事项"),
                ("department", "BDC"),
                ("item_type", "licensing"),
            ],
            "实施部门不在您的管辖范围内",
        ),
        (
            "window",
            &[
                ("hall", "H1"),
                ("number", "B1"),
                ("name", "综合"),
                ("department", "XZ"),
            ],
            "大厅不在您的管辖范围内",
        ),
    ];
    for (kind, fields, message) in refusals {
        let (status, body) = save(&server, &session, kind, "new", fields).await;
        assert_eq!(status, 422, "{kind}: {body}");
        assert!(body.contains(message), "{kind}: {body} lacks {message}");
    }
    // Nor may the county's records be edited, moved into the township or closed from it.
    let (status, body) = save(
        &server,
        &session,
        "staff",
        "edit",
        &[("code", "S001"), ("name", "王芳"), ("department", "XZ")],
    )
    .await;
    assert!(
        status == 422 && body.contains("不在您的管辖范围内"),
        "{body}"
    );
    let close = [
        ("kind", "window".to_owned()),
        ("code", "W-A01".to_owned()),
        ("active", "0".to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    let (status, _) = server.call(OrgSetActive::PATH, &session, &close).await;
    assert_eq!(status, 422);
    // An import with a county row writes nothing.
    let roster = "工号,姓名,部门编码,窗口编码\r\nS103,孙丽,XZ,\r\nS104,周强,BDC,\r\n";
    let (status, page) = import(&server, &session, "staff", "import", "r.csv", roster.into()).await;
    assert!(
        status == 422 && page.contains("部门不在您的管辖范围内"),
        "{page}"
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM service_window WHERE deactivated_at IS NULL"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_moved_clerk_s_past_ratings_stay_with_the_window_where_they_happened() {
    let server = TestServer::start().await;
    let s = &server.state;
    let session = admin_session(&server).await;
    server.second_window().await;
    // 王芳 (S001) serves at A01 and is rated there; then she moves to A02.
    server.rate("MOVE-1", json!({ "level": 5 })).await;
    let (status, body) = save(
        &server,
        &session,
        "staff",
        "edit",
        &[
            ("code", "S001"),
            ("name", "王芳"),
            ("department", "BDC"),
            ("window", "W-A02"),
        ],
    )
    .await;
    assert!(status < 400, "{body}");
    let rated_at: String = sqlx::query_scalar(
        "SELECT w.code FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         JOIN service_window w ON w.id = o.window_id JOIN staff st ON st.id = o.staff_id \
         WHERE st.staff_no = 'S001'",
    )
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert_eq!(rated_at, "W-A01", "the rating stays where it happened");
    let now_at: String = sqlx::query_scalar(
        "SELECT w.code FROM staff st JOIN service_window w ON w.id = st.window_id \
         WHERE st.staff_no = 'S001'",
    )
    .fetch_one(s.store.pool())
    .await
    .unwrap();
    assert_eq!(now_at, "W-A02");
}
