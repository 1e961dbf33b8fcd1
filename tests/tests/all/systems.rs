//! 业务系统 over HTTP and in the browser: an administrator registers a business system on the administration page's
//! server functions, its key is shown once and works only within its grant and frames only its
//! portal; keys rotate with an overlap and are revoked at once; every change is audited.

use app::api::admin::systems::{
    AdminNewKey, AdminRegisterSystem, AdminRevokeKey, AdminRotateKey, AdminSystems,
};
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use server::platform::{
    crypto::hash_api_key,
    db::{Backend, now},
};
use tests::{
    TestServer,
    browser::{Js, click_button, click_label, fill, find, journey, sign_in, wait_text},
    fixtures::{SignedIn, Staff},
    occurrence, sqlx_count,
};

const PORTAL: &str = "https://zwfw.example.gov.cn";

/// The register form as a browser without JavaScript posts it; returns where it redirects.
async fn register_without_js(
    server: &TestServer,
    session: &SignedIn,
    form: &[(&str, String)],
) -> String {
    let response = server
        .http
        .post(server.url(AdminRegisterSystem::PATH))
        .header("cookie", &session.cookie)
        .header("accept", "text/html")
        .header("referer", server.url("/staff/admin"))
        .form(form)
        .send()
        .await
        .expect("request");
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned()
}

/// The API key on a page (`hcp_` and 40 hex characters), if it shows one.
fn key_on(page: &str) -> Option<String> {
    let at = page.find("hcp_")?;
    let key = &page[at..at + 44];
    assert!(key[4..].chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    Some(key.to_owned())
}

/// Registers a system for `departments` without JavaScript and reads its key off the page.
async fn register_system(server: &TestServer, session: &SignedIn, departments: &[i64]) -> String {
    let mut form = vec![
        ("name", "一网通办".to_owned()),
        ("origins", format!("{PORTAL}\n")),
        ("csrf", session.csrf.clone()),
    ];
    form.extend(departments.iter().map(|d| ("departments[]", d.to_string())));
    let shown = register_without_js(server, session, &form).await;
    assert!(shown.starts_with("/staff/admin?new_key="), "{shown}");
    let page = server.page_as(&shown, session).await;
    assert!(page.contains("id=\"new-key\""), "the key's section: {page}");
    let key = key_on(&page).expect("the key on the page");
    let again = server.page_as(&shown, session).await;
    assert_eq!(key_on(&again), None, "shown once");
    key
}

/// Registers occurrence `case` of `department` with `key`.
async fn register_with(
    server: &TestServer,
    key: &str,
    case: &str,
    department: &str,
) -> reqwest::Response {
    let mut body = occurrence(case);
    body["department"] = json!(department);
    if department != "BDC" {
        // Another department's case names that department's own item (the seeded one is BDC's).
        body.as_object_mut().unwrap().remove("window");
        body.as_object_mut().unwrap().remove("staff");
        let code = format!("9{:011}", department.bytes().map(u64::from).sum::<u64>());
        let store = &server.state.store;
        if store
            .id_by_code::<domain::ids::ServiceItemId>(&code)
            .await
            .unwrap()
            .is_none()
            && let Some(id) = store
                .id_by_code::<domain::ids::DepartmentId>(department)
                .await
                .unwrap()
        {
            store
                .insert_service_item(id, &code, "其他事项")
                .await
                .unwrap();
        }
        body["service_item"] = json!(code);
    }
    server.register_as(key, body).await
}

#[tokio::test]
async fn a_registered_system_works_within_its_grant_and_frames_only_its_portal() {
    let server = TestServer::start().await;
    server.add_department("GA", "县公安局").await;
    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    let bdc = server.department("BDC").await;
    let key = register_system(&server, &session, &[bdc]).await;
    let s = &server.state;
    assert_eq!(
        sqlx_count(
            s,
            match s.store.backend() {
                Backend::Sqlite => "SELECT count(*) FROM api_key WHERE instr(key_hash, 'hcp_') > 0",
                Backend::Postgres =>
                    "SELECT count(*) FROM api_key WHERE position('hcp_'::bytea IN key_hash) > 0",
            }
        )
        .await,
        0
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM api_key WHERE key_hash = $1")
        .bind(hash_api_key(&key))
        .fetch_one(s.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the hash is kept");

    let created = register_with(&server, &key, "YW-1", "BDC").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let outside = register_with(&server, &key, "YW-2", "GA").await;
    assert_eq!(outside.status(), 403);
    let refusal: Value = outside.json().await.unwrap();
    assert_eq!(refusal["field"], "department", "{refusal}");
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM service_occurrence WHERE case_number = 'YW-2'"
        )
        .await,
        0
    );
    // The seeded system, granted the whole region, may register for the new department and for a
    // department of a township under the region.
    let county = domain::ids::RegionId(sqlx_count(s, "SELECT id FROM region").await);
    let township = s
        .store
        .insert_region("341125100", "城关镇", Some(county))
        .await
        .unwrap();
    s.store
        .insert_department(township, "CGZ", "城关镇便民服务中心")
        .await
        .unwrap();
    assert_eq!(
        register_with(&server, &server.api_key, "P-2", "CGZ")
            .await
            .status(),
        201
    );
    assert_eq!(
        register_with(&server, &key, "YW-3", "CGZ").await.status(),
        403
    );
    assert_eq!(
        register_with(&server, &server.api_key, "P-1", "GA")
            .await
            .status(),
        201
    );

    let embed = server.get(created["embed_url"].as_str().unwrap()).await;
    assert_eq!(embed.status(), 200);
    assert_eq!(
        tests::frame_ancestors(&embed),
        format!("frame-ancestors {PORTAL}").as_str()
    );
    let state = server
        .http
        .get(server.url("/api/v1/occurrences/YW-1/1"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(state.status(), 200);
    assert_eq!(state.json::<Value>().await.unwrap()["rated"], false);

    let listed = server.page_as("/staff/admin", &session).await;
    for shown in ["一网通办", PORTAL, "部门 县不动产登记中心", "有效"] {
        assert!(listed.contains(shown), "{shown} on the page");
    }
    assert_eq!(key_on(&listed), None, "the list never shows a key");
}

/// Rotates `system`'s key as the hydrated page does (a call, then the page's read of the held
/// key); returns the new key.
async fn rotate(server: &TestServer, session: &SignedIn, system: i64, days: &str) -> String {
    let form = [
        ("system", system.to_string()),
        ("overlap_days", days.to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    let response = server
        .http
        .post(server.url(AdminRotateKey::PATH))
        .header("cookie", &session.cookie)
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let handle = location
        .split("new_key=")
        .nth(1)
        .expect("handle")
        .to_owned();
    let (status, body) = server
        .call(AdminNewKey::PATH, session, &[("handle", handle.clone())])
        .await;
    assert_eq!(status, 200, "{body}");
    let key: Option<String> = serde_json::from_str(&body).unwrap();
    let (_, again) = server
        .call(AdminNewKey::PATH, session, &[("handle", handle)])
        .await;
    assert_eq!(again, "null", "shown once");
    key.expect("the new key")
}

async fn status_with(server: &TestServer, key: &str, case: &str) -> u16 {
    register_with(server, key, case, "BDC")
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn keys_rotate_with_an_overlap_and_a_revoked_key_stops_at_once() {
    let server = TestServer::start().await;
    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    let bdc = server.department("BDC").await;
    let first = register_system(&server, &session, &[bdc]).await;
    let s = &server.state;
    let system = sqlx_count(s, "SELECT max(id) FROM business_system").await;

    let second = rotate(&server, &session, system, "1").await;
    assert_eq!(
        status_with(&server, &first, "K-1").await,
        201,
        "old key in the overlap"
    );
    assert_eq!(status_with(&server, &second, "K-2").await, 201, "new key");
    let listed = server.page_as("/staff/admin", &session).await;
    assert!(
        listed.contains("重叠期至"),
        "the old key's overlap is shown"
    );
    // After the overlap day the old key no longer opens the API; the new one does.
    let after = now().plus_ms(86_400_000 + 1);
    let (old_hash, new_hash) = (hash_api_key(&first), hash_api_key(&second));
    let store = &s.store;
    assert_eq!(
        store
            .business_system_by_key(&old_hash, after)
            .await
            .unwrap(),
        None
    );
    let found = store
        .business_system_by_key(&new_hash, after)
        .await
        .unwrap();
    assert_eq!(found.map(|id| id.get()), Some(system));

    // An overlap of 0 days ends every older key now.
    let third = rotate(&server, &session, system, "0").await;
    assert_eq!(status_with(&server, &first, "K-3").await, 401);
    assert_eq!(status_with(&server, &second, "K-3").await, 401);
    assert_eq!(status_with(&server, &third, "K-3").await, 201);

    let third_id = sqlx_count(s, "SELECT max(id) FROM api_key").await;
    let revoke = [
        ("key", third_id.to_string()),
        ("csrf", session.csrf.clone()),
    ];
    let (status, body) = server.call(AdminRevokeKey::PATH, &session, &revoke).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        status_with(&server, &third, "K-4").await,
        401,
        "revoked at once"
    );
    let listed = server.page_as("/staff/admin", &session).await;
    assert!(
        listed.contains("已吊销"),
        "the revoked key is listed as such"
    );

    let audited: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT action, before, after FROM audit_log WHERE account_id = $1 ORDER BY id",
    )
    .bind(admin.actor.account_id)
    .fetch_all(s.store.pool())
    .await
    .unwrap();
    let actions: Vec<&str> = audited.iter().map(|(a, ..)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "register_business_system",
            "rotate_api_key",
            "rotate_api_key",
            "revoke_api_key"
        ]
    );
    let json = |text: &Option<String>| -> Value {
        serde_json::from_str(text.as_deref().unwrap()).unwrap()
    };
    let (_, _, registered) = &audited[0];
    assert_eq!(json(registered)["origins"], json!([PORTAL]));
    assert_eq!(json(registered)["departments"], json!([bdc]));
    let (_, before, after) = &audited[1];
    assert_eq!(json(before)["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        json(after)["keys"].as_array().unwrap().len(),
        2,
        "both live in the overlap"
    );
    let (_, before, after) = &audited[2];
    assert_eq!(json(before)["keys"].as_array().unwrap().len(), 2);
    assert_eq!(
        json(after)["keys"].as_array().unwrap().len(),
        1,
        "no overlap"
    );
    let (_, before, after) = &audited[3];
    assert_eq!(json(before)["revoked_at"], Value::Null);
    assert!(json(after)["revoked_at"].is_i64(), "{after:?}");
}

#[tokio::test]
async fn only_administrators_register_systems_and_bad_input_is_refused_naming_the_field() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await;
    let as_handler = server.sign_in(&handler).await;
    let bdc = server.department("BDC").await.to_string();
    let form = |session: &SignedIn, origins: &str, departments: &[&str]| {
        let mut form = vec![
            ("name", "一网通办".to_owned()),
            ("origins", origins.to_owned()),
            ("csrf", session.csrf.clone()),
        ];
        form.extend(
            departments
                .iter()
                .map(|d| ("departments[]", (*d).to_owned())),
        );
        form
    };
    let (status, _) = server
        .call(
            AdminRegisterSystem::PATH,
            &as_handler,
            &form(&as_handler, PORTAL, &[&bdc]),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = server.call(AdminSystems::PATH, &as_handler, &[]).await;
    assert_eq!(status, 403);
    let revoke = [("key", "1".to_owned()), ("csrf", as_handler.csrf.clone())];
    let (status, _) = server
        .call(AdminRevokeKey::PATH, &as_handler, &revoke)
        .await;
    assert_eq!(status, 403);

    let admin = server.administrator("root").await;
    let session = server.sign_in(&admin).await;
    for (form, message) in [
        (
            form(&session, "https://zwfw.example.gov.cn/path", &[&bdc]),
            "允许嵌入的门户地址",
        ),
        (
            form(&session, "zwfw.example.gov.cn", &[&bdc]),
            "允许嵌入的门户地址",
        ),
        (form(&session, PORTAL, &[]), "可登记范围"),
        (form(&session, PORTAL, &["999"]), "可登记范围"),
    ] {
        let (status, body) = server
            .call(AdminRegisterSystem::PATH, &session, &form)
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains(message), "{message}: {body}");
    }
    let rotate = [
        ("system", "1".to_owned()),
        ("overlap_days", "91".to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    let (status, body) = server.call(AdminRotateKey::PATH, &session, &rotate).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("新旧密钥并用天数"), "{body}");
    let revoke = [("key", "999".to_owned()), ("csrf", session.csrf.clone())];
    let (status, body) = server.call(AdminRevokeKey::PATH, &session, &revoke).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("密钥不存在"), "{body}");

    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM business_system").await,
        1,
        "nothing written"
    );
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM api_key").await, 1);
    assert_eq!(sqlx_count(s, "SELECT count(*) FROM audit_log").await, 0);
    assert_eq!(
        status_with(&server, &server.api_key, "S-1").await,
        201,
        "the seeded key still works"
    );
}

/// The key shown in `#new-key`, once it is there.
async fn shown_key(client: &fantoccini::Client) -> String {
    wait_text(client, "new-key", "hcp_").await;
    let text = find(client, "#new-key code").await.text().await.unwrap();
    key_on(&text).expect("a key")
}

/// Registers a system and rotates its key on the administration page; returns the keys shown.
async fn keep_systems(
    client: fantoccini::Client,
    base: String,
    admin: Staff,
    js: Js,
) -> Vec<String> {
    sign_in(&client, &base, &admin, js).await;
    find(&client, "#new-system").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    fill(&client, "#system-name", "一网通办").await;
    fill(&client, "#system-origins", PORTAL).await;
    click_label(&client, "县不动产登记中心").await;
    click_button(&client, "登记业务系统").await;
    let first = shown_key(&client).await;
    wait_text(&client, "system-list", "一网通办").await;
    client.refresh().await.unwrap();
    find(&client, "#system-list").await;
    let page = client.source().await.unwrap();
    assert_eq!(key_on(&page), None, "shown once");
    click_button(&client, "轮换密钥 一网通办").await;
    let second = shown_key(&client).await;
    wait_text(&client, "system-list", "重叠期至").await;
    vec![first, second]
}

async fn systems_in_browser(js: Js) {
    let server = TestServer::start().await;
    let admin = server.administrator("root").await;
    let base = server.base.clone();
    let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = shown.clone();
    journey(js, move |client| async move {
        let keys = keep_systems(client, base, admin, js).await;
        *keep.lock().unwrap() = keys;
    })
    .await;
    let keys = shown.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a new key");
    for (key, case) in keys.iter().zip(["B-1", "B-2"]) {
        assert_eq!(
            status_with(&server, key, case).await,
            201,
            "{case}: both in the overlap"
        );
    }
}

#[tokio::test]
async fn an_administrator_registers_a_system_and_rotates_its_key_without_javascript() {
    systems_in_browser(Js::Off).await;
}

#[tokio::test]
async fn an_administrator_registers_a_system_and_rotates_its_key_in_the_hydrated_site() {
    systems_in_browser(Js::On).await;
}
