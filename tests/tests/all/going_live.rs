//! Going live: an administrator takes an empty database to a working county centre in the browser,
//! with JavaScript off and on — region tree, hall, departments, window, staff, the 实施清单 by import,
//! an edit, a deactivation and a business system — and the centre then works: the new key registers
//! cases within its grant, its embed page may be framed by its portal alone, a revoked key is
//! refused, and a township supervisor sees only the township.

use app::api::staff::MyTickets;
use fantoccini::Client;
use leptos::server_fn::ServerFn;
use serde_json::json;
use tests::{
    TestServer,
    browser::{Js, click, click_button, click_label, fill, find, journey, sign_in, wait_text},
    fixtures::Staff,
    sqlx_count,
};

/// The portal the business system registered in the journey is embedded in.
const PORTAL: &str = "https://zwfw.example.gov.cn";

/// The township's department and its service item, as the journey creates them.
const TOWNSHIP_ITEM: (&str, &str) = ("TS", "11341125MB00123450001");

/// Registers a case of `department` and `item` with `key`; returns the status and the answer.
async fn register(
    base: &str,
    key: &str,
    case: &str,
    (department, item): (&str, &str),
) -> (u16, serde_json::Value) {
    let body = json!({
        "case_number": case,
        "occurrence_no": 1,
        "department": department,
        "service_item": item,
        "channel": "sms",
        "evaluator_phone": "13912345678"
    });
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/occurrences"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .expect("register");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn select(client: &Client, css: &str, label: &str) {
    find(client, css)
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("{css} has no {label}: {e}"));
}

/// Fills the form of `kind` with `fields` (field, value; a value starting with `=` is chosen from
/// a list by its label) and submits it.
async fn add(client: &Client, kind: &str, fields: &[(&str, &str)], button: &str) {
    for (field, value) in fields {
        let css = format!("#{kind}-{field}");
        match value.strip_prefix('=') {
            Some(label) => select(client, &css, label).await,
            None => fill(client, &css, value).await,
        }
    }
    click_button(client, button).await;
}

async fn build_county(client: Client, base: String, admin: Staff, js: Js, items: String) {
    sign_in(&client, &base, &admin, js).await;
    click(&client, "a[href='/staff/organisation']").await;
    find(&client, "#form-region").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    add(
        &client,
        "region",
        &[("code", "341125"), ("name", "示范县")],
        "添加行政区划",
    )
    .await;
    wait_text(&client, "list-region", "示范县").await;
    add(
        &client,
        "region",
        &[
            ("code", "341125100"),
            ("name", "城关镇"),
            ("parent", "=341125 示范县"),
        ],
        "添加行政区划",
    )
    .await;
    wait_text(&client, "list-region", "城关镇").await;
    add(
        &client,
        "hall",
        &[
            ("code", "H1"),
            ("name", "示范县政务服务中心"),
            ("hall_kind", "=政务服务中心"),
            ("region", "=341125 示范县"),
            ("address", "人民路1号"),
            ("hours", "工作日 9:00-17:00"),
        ],
        "添加大厅",
    )
    .await;
    wait_text(&client, "list-hall", "示范县政务服务中心").await;
    add(
        &client,
        "department",
        &[
            ("code", "BDC"),
            ("name", "县不动产登记中心"),
            ("region", "=341125 示范县"),
            ("credit_code", "11341125MB0012345H"),
        ],
        "添加部门",
    )
    .await;
    // The credit code above is wrong on purpose: the refusal names it and nothing is written.
    wait_text(&client, "org-error", "统一社会信用代码：校验位不符").await;
    let credit = domain::org::CreditCode::with_check("11341125MB0012345").unwrap();
    add(
        &client,
        "department",
        &[
            ("code", "BDC"),
            ("name", "县不动产登记中心"),
            ("region", "=341125 示范县"),
            ("credit_code", credit.as_str()),
        ],
        "添加部门",
    )
    .await;
    wait_text(&client, "list-department", "县不动产登记中心").await;
    add(
        &client,
        "window",
        &[
            ("hall", "=H1 示范县政务服务中心"),
            ("number", "A01"),
            ("name", "不动产登记"),
            ("department", "=BDC 县不动产登记中心"),
        ],
        "添加窗口",
    )
    .await;
    wait_text(&client, "list-window", "H1-A01").await;
    add(
        &client,
        "staff",
        &[
            ("code", "S001"),
            ("name", "王芳"),
            ("department", "=BDC 县不动产登记中心"),
            ("window", "=H1-A01 不动产登记"),
        ],
        "添加工作人员",
    )
    .await;
    wait_text(&client, "list-staff", "王芳").await;

    add(
        &client,
        "department",
        &[
            ("code", "TS"),
            ("name", "城关镇民政办"),
            ("region", "=341125100 城关镇"),
            ("credit_code", ""),
        ],
        "添加部门",
    )
    .await;
    wait_text(&client, "list-department", "城关镇民政办").await;

    // The 实施清单 by import: a check first, then the confirmation imports the same file.
    select(&client, "#import-kind", "事项实施清单").await;
    find(&client, "#import-file")
        .await
        .send_keys(&items)
        .await
        .unwrap();
    click_button(&client, "检查（不写入）").await;
    wait_text(&client, "import-summary", "检查通过，可导入：共4行，新增4").await;
    click_button(&client, "确认导入").await;
    wait_text(&client, "import-summary", "已导入：共4行，新增4").await;
    click(&client, "a[href='/staff/organisation']").await;
    wait_text(&client, "list-service_item", "不动产首次登记").await;

    // An edit keeps the code; a deactivation keeps the record.
    click(&client, "a[href='/staff/organisation?edit=staff:S001']").await;
    wait_text(&client, "form-staff", "修改工作人员 S001").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    fill(&client, "#staff-name", "王芳芳").await;
    click_button(&client, "保存工作人员").await;
    wait_text(&client, "list-staff", "王芳芳").await;
    click_button(&client, "停用 S001").await;
    wait_text(&client, "list-staff", "已停用").await;

    // A business system of the township's portal; its key is shown once.
    click(&client, "a[href='/staff/admin']").await;
    find(&client, "#new-system").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    fill(&client, "#system-name", "城关镇网上办事大厅").await;
    fill(&client, "#system-origins", PORTAL).await;
    click_label(&client, "城关镇").await;
    click_button(&client, "登记业务系统").await;
    wait_text(&client, "new-key", "hcp_").await;
    let shown = find(&client, "#new-key code").await.text().await.unwrap();
    let at = shown.find("hcp_").expect("a key");
    let key = shown[at..at + 44].to_owned();

    // The key registers the township's cases (201), not the county's (403 naming the field).
    let (status, created) = register(&base, &key, "CGZ-2026-1", TOWNSHIP_ITEM).await;
    assert_eq!(status, 201, "{created}");
    let (status, refused) = register(&base, &key, "BDC-2026-1", ("BDC", "000112001000")).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (403, Some("department"))
    );
    let embed = reqwest::get(created["embed_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(embed.status(), 200);
    assert_eq!(
        tests::frame_ancestors(&embed),
        format!("frame-ancestors {PORTAL}").as_str(),
        "only the registered portal may frame it"
    );
    // A township 差评 through the case's link opens the township's ticket.
    let rated = reqwest::Client::new()
        .post(created["rating_url"].as_str().unwrap())
        .json(&json!({ "level": 2, "reasons": [213], "phone": "13600136000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(rated.status(), 201);

    // Revoked: refused at once.
    click_button(&client, "吊销密钥 1").await;
    wait_text(&client, "system-list", "已吊销").await;
    let (status, _) = register(&base, &key, "CGZ-2026-2", TOWNSHIP_ITEM).await;
    assert_eq!(status, 401);
}

async fn going_live(js: Js) {
    let server = TestServer::start_on_existing(|_| {}).await;
    let s = &server.state;
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM region").await,
        0,
        "empty"
    );
    let admin = server.administrator("root").await;
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("清单.csv");
    std::fs::write(
        &items,
        "实施编码,事项名称,部门编码,事项类型\n\
         000112001000,不动产首次登记,BDC,行政确认\n\
         000112002000,不动产转移登记,BDC,行政确认\n\
         000112003000,抵押权登记,BDC,公共服务\n\
         11341125MB00123450001,最低生活保障审核,TS,行政给付\n",
    )
    .unwrap();
    let items = items.to_string_lossy().into_owned();
    let base = server.base.clone();
    journey(js, move |client| {
        build_county(client, base, admin, js, items)
    })
    .await;
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM audit_log WHERE action = 'revoke_api_key'"
        )
        .await,
        1
    );

    for (sql, expected) in [
        ("SELECT count(*) FROM region", 2),
        (
            "SELECT count(*) FROM region WHERE code = '341125100' AND parent_id IS NOT NULL",
            1,
        ),
        (
            "SELECT count(*) FROM hall WHERE hours = '工作日 9:00-17:00'",
            1,
        ),
        (
            "SELECT count(*) FROM department WHERE credit_code IS NOT NULL",
            1,
        ),
        (
            "SELECT count(*) FROM service_item WHERE item_type = 'confirmation'",
            2,
        ),
        (
            "SELECT count(*) FROM service_item WHERE item_type = 'payment'",
            1,
        ),
        (
            "SELECT count(*) FROM staff WHERE name = '王芳芳' AND deactivated_at IS NOT NULL",
            1,
        ),
        (
            "SELECT count(*) FROM audit_log WHERE action = 'import_items'",
            1,
        ),
        (
            "SELECT count(*) FROM audit_log WHERE action = 'update_staff'",
            1,
        ),
    ] {
        assert_eq!(sqlx_count(s, sql).await, expected, "{sql}");
    }
    // The window built in the browser takes ratings by its e码: a county 差评.
    let ecode: String =
        sqlx::query_scalar("SELECT ecode FROM service_window WHERE code = 'H1-A01'")
            .fetch_one(s.store.pool())
            .await
            .unwrap();
    let link = s.window_url(&ecode);
    let page = server.get(&link).await;
    let cookie = tests::cookie_of(&page);
    assert!(page.text().await.unwrap().contains("不动产登记"));
    let rated = server
        .http
        .post(&link)
        .header("cookie", cookie)
        .form(&[("level", "2"), ("reasons", "214")])
        .send()
        .await
        .unwrap();
    assert_eq!(rated.status(), 303);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM ticket").await, 2);

    // The township supervisor sees the township's ticket only; the county's sees both.
    let township = domain::ids::RegionId(
        sqlx_count(s, "SELECT id FROM region WHERE code = '341125100'").await,
    );
    let town = server
        .scoped_supervisor("zhen", domain::org::Scope::Region(township))
        .await;
    let county = server.supervisor("xian").await;
    for (staff, sees_county) in [(town, false), (county, true)] {
        let session = server.sign_in(&staff).await;
        let (status, body) = server.call(MyTickets::PATH, &session, &[]).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("城关镇民政办"), "{}: {body}", staff.username);
        assert_eq!(
            body.contains("县不动产登记中心"),
            sees_county,
            "{}",
            staff.username
        );
    }
}

#[tokio::test]
async fn an_administrator_builds_a_county_from_an_empty_database_without_javascript() {
    going_live(Js::Off).await;
}

#[tokio::test]
async fn an_administrator_builds_a_county_from_an_empty_database_in_the_hydrated_site() {
    going_live(Js::On).await;
}
