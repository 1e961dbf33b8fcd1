//! 上报 — every rating, invalidation and carried ticket step goes upward exactly once, in order per
//! occurrence, with the stored values; a haochaping province receives its counties' records as
//! their reported ratings (idempotent, never one county over another's), publishes figures from
//! them without inventing a denominator, and reconciles a day's counts to zero difference.

use domain::{
    Channel, Level,
    upward::{Mapping, Record, RecordKind, SignMethod},
};
use serde_json::{Value, json};
use server::{
    features::upward::{TargetForm, add_target, credentials, reconcile, record_json, report_round},
    platform::db::{now, now_ms},
};
use tests::{TestServer, fixtures::peer::Peer, sqlx_count};

/// A reason of `level` from the current catalogue.
fn reason(level: Level) -> u16 {
    domain::Catalogue::CURRENT
        .for_level(level)
        .next()
        .expect("a reason")
        .code
}

/// A county reporting to a province: two servers, the county's target the province's base URL,
/// keyed with the API key the province issued to it. The province's key is returned.
async fn county_and_province() -> (TestServer, TestServer, String) {
    let province = TestServer::start().await;
    let key = province.add_business_system("").await;
    let county = TestServer::start().await;
    add_target(
        &county.state,
        &TargetForm {
            name: "省平台",
            url: &province.base,
            mapping: "haochaping",
            sign_method: "hmac-sha256",
            key: &key,
            data_source: "haochaping:341125",
        },
    )
    .await
    .expect("target");
    (county, province, key)
}

/// Rounds until nothing is left to send (each round sends the head row of every occurrence).
async fn report_all(county: &TestServer) -> usize {
    let mut total = 0;
    for _ in 0..10 {
        let sent = report_round(&county.state, now_ms()).await;
        if sent == 0 {
            return total;
        }
        total += sent;
    }
    panic!("still sending after ten rounds");
}

/// Each rating as the county stored it and the province received it: case, occurrence number,
/// level, channel, words, time (whole seconds) and reasons.
async fn ratings(
    server: &TestServer,
    kind: &str,
) -> Vec<(String, i64, i64, String, Option<String>, i64, String)> {
    sqlx::query_as(
        "SELECT o.case_number, o.occurrence_no, e.level, e.channel, e.comment, e.created_at / 1000, \
         coalesce((SELECT group_concat(reason_code) FROM (SELECT reason_code FROM evaluation_reason \
         WHERE evaluation_id = e.id ORDER BY reason_code) AS r), '') \
         FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE o.kind = $1 OR $2 = 'any' ORDER BY o.case_number",
    )
    .bind(kind)
    .bind(kind)
    .fetch_all(server.state.store.pool())
    .await
    .expect("ratings")
}

#[tokio::test]
async fn every_rating_invalidation_and_step_reaches_the_province_once_with_the_stored_values() {
    let (county, province, _) = county_and_province().await;
    county.rate("UP-1", json!({ "level": 5 })).await;
    let bad = county
        .rate(
            "UP-2",
            json!({ "level": 2, "reasons": [reason(Level::Dissatisfied)], "comment": "窗口人员态度差" }),
        )
        .await;
    county.rate("UP-3", json!({ "level": 4 })).await;
    // A walk-in e码 rating has no 办件编号: it is not reported.
    let window = county.window_link().await;
    let walk_in = county.post_json(&window, &json!({ "level": 5 })).await;
    assert_eq!(walk_in.status(), 201);

    assert_eq!(report_all(&county).await, 3);
    let sent = ratings(&county, "case").await;
    assert_eq!(sent.len(), 3);
    assert_eq!(
        ratings(&province, "reported").await,
        sent,
        "field for field"
    );
    assert_eq!(
        sqlx_count(
            &province.state,
            "SELECT count(*) FROM evaluation WHERE kind = 'case'"
        )
        .await,
        3,
        "the county's 一事一评 stay 一事一评"
    );

    // The answer was lost: everything is sent again, and the province keeps one of each.
    sqlx::query("UPDATE upward_delivery SET delivered_at = NULL")
        .execute(county.state.store.pool())
        .await
        .unwrap();
    assert_eq!(report_all(&county).await, 3);
    assert_eq!(ratings(&province, "reported").await, sent);
    assert_eq!(
        sqlx_count(
            &province.state,
            "SELECT count(*) FROM upward_receipt WHERE outcome = 'duplicate'"
        )
        .await,
        3
    );

    // The 差评 is visited and its appeal upheld: the visit, then the invalidation, in that order.
    let handler = county.handler("bdc", "BDC").await.actor;
    let boss = county.supervisor("jd").await.actor;
    county
        .uphold_appeal(&bad.tracking_code, handler, boss)
        .await;
    assert_eq!(report_all(&county).await, 2);
    let p = &province.state;
    assert_eq!(
        sqlx_count(p, "SELECT count(*) FROM upward_step WHERE kind = 'return_visit' AND received_from IS NOT NULL").await,
        1
    );
    assert_eq!(
        sqlx_count(
            p,
            "SELECT count(*) FROM evaluation_invalidation WHERE received_from IS NOT NULL"
        )
        .await,
        1
    );
    let order: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM upward_receipt WHERE outcome = 'accepted' AND project_no = 'UP-2' ORDER BY id",
    )
    .fetch_all(p.store.pool())
    .await
    .unwrap();
    assert_eq!(order, ["evaluation", "return_visit", "invalidation"]);

    // The province's figures: the county's valid ratings, and no 评价率 it cannot know.
    let all = province.open_data_all().await;
    assert_eq!(all["received"], 3);
    assert_eq!(all["invalidated"], 1);
    assert_eq!(
        (all["l5"].as_i64(), all["l4"].as_i64(), all["l2"].as_i64()),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(
        all["occurrences"], 0,
        "the county's unrated occurrences are unknown here"
    );

    // An anonymous 差评 explained and replied to; the citizen rates the fix and adds a 追评.
    let mut anonymous = tests::occurrence("UP-5");
    anonymous["anonymous"] = json!(true);
    let link = county.link_for(anonymous).await;
    let very_bad = json!({ "level": 1, "reasons": [reason(Level::VeryDissatisfied)] });
    let code = county.rate_link(&link, very_bad).await.tracking_code;
    let ticket = county.ticket_of(&code).await;
    let s = &county.state;
    {
        use domain::ticket::{FixRating, TicketAction as A, Triage};
        use server::features::ticket::{act, citizen_rates_fix};
        act(
            s,
            handler,
            ticket,
            A::RecordCheckWithoutContact,
            Some("核实"),
        )
        .await
        .unwrap();
        act(s, handler, ticket, A::Triage(Triage::Explain), None)
            .await
            .unwrap();
        act(s, handler, ticket, A::Reply, Some("已说明政策依据"))
            .await
            .unwrap();
        citizen_rates_fix(s, &code, FixRating::BasicallySatisfied)
            .await
            .unwrap();
    }
    let follow_up = county.url(&format!("/t/{code}/follow-up"));
    let given = county
        .post_form(&follow_up, &[("level", "4"), ("comment", "解释清楚了")])
        .await;
    assert_eq!(given.status(), 303);
    assert_eq!(
        report_all(&county).await,
        3,
        "the rating, the reply, the 追评"
    );
    assert_eq!(
        sqlx_count(
            p,
            "SELECT count(*) FROM evaluation_follow_up WHERE level = 4 AND comment = '解释清楚了'"
        )
        .await,
        1
    );

    // The province's kept aggregates equal a recomputation from what it received.
    let ps = &province.state.store;
    let kept = (
        ps.all_stats().await.unwrap(),
        ps.all_channel_stats().await.unwrap(),
    );
    ps.rebuild_stats().await.unwrap();
    let recomputed = (
        ps.all_stats().await.unwrap(),
        ps.all_channel_stats().await.unwrap(),
    );
    assert_eq!(kept, recomputed);

    // Reconciliation of today: zero difference.
    let reconciled = reconcile(&county.state, now().date_cst()).await.unwrap();
    assert_eq!(reconciled.len(), 1);
    assert!(!reconciled[0].rows.is_empty());
    assert_eq!(
        reconciled[0].differences().count(),
        0,
        "{:?}",
        reconciled[0].rows
    );
}

fn a_record(project_no: &str) -> Record {
    let at = now();
    Record {
        kind: RecordKind::Evaluation,
        project_no: project_no.into(),
        assess_number: 1,
        task_code: None,
        task_name: None,
        area_code: "341125".into(),
        dept_code: "GA".into(),
        dept_name: "县公安局".into(),
        level: Level::Satisfied,
        tags: Vec::new(),
        writing: None,
        channel: Channel::Pc,
        assess_time: at,
        service_time: at,
        user_prop: None,
        catalogue_version: 2,
        effective: true,
        step: None,
        follow_level: None,
        eval_kind: domain::kind::EvaluationKind::PerCase,
    }
}

/// Sends `records` to the province as a county with `key` would; the status and the answer.
async fn send(province: &TestServer, key: &str, records: &[Record], tamper: bool) -> (u16, Value) {
    let body = json!({
        "source": "test",
        "records": records.iter().map(|r| record_json(&Mapping::HAOCHAPING, r, "test")).collect::<Vec<_>>(),
    });
    let body = serde_json::to_vec(&body).unwrap();
    let mut request = province
        .http
        .post(province.url("/api/v1/upward/records"))
        .bearer_auth(key)
        .header("content-type", "application/json");
    for (name, value) in credentials(SignMethod::HmacSm3, key, now_ms(), &body).1 {
        request = request.header(name, value);
    }
    let mut body = body;
    if tamper {
        // One byte changed after the body was signed.
        let last = body.len() - 2;
        body[last] = b' ';
    }
    let response = request.body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_county_is_known_by_its_key_and_signature_and_never_writes_over_another() {
    let province = TestServer::start().await;
    let first = province.add_business_system("").await;
    let second = province.add_business_system("").await;

    let (status, answer) = send(&province, &first, &[a_record("C-1")], false).await;
    assert_eq!(
        (status, answer["results"][0]["outcome"].as_str()),
        (200, Some("accepted")),
        "{answer}"
    );
    // A body changed after signing, or no key at all, is refused and stores nothing.
    assert_eq!(
        send(&province, &first, &[a_record("C-2")], true).await.0,
        401
    );
    assert_eq!(
        send(&province, "no-such-key", &[a_record("C-2")], false)
            .await
            .0,
        401
    );

    // The second county's case of the same number is its own; it cannot invalidate the first's.
    let mut invalidation = a_record("C-1");
    invalidation.kind = RecordKind::Invalidation;
    invalidation.effective = false;
    let (_, answer) = send(&province, &second, &[invalidation.clone()], false).await;
    assert_eq!(answer["results"][0]["outcome"], "refused", "{answer}");
    assert_eq!(answer["results"][0]["field"], "projectNo");
    let (_, answer) = send(&province, &second, &[a_record("C-1"), invalidation], false).await;
    assert_eq!(answer["results"][0]["outcome"], "accepted");
    assert_eq!(answer["results"][1]["outcome"], "accepted");
    let p = &province.state;
    assert_eq!(
        sqlx_count(
            p,
            "SELECT count(*) FROM service_occurrence WHERE case_number = 'C-1'"
        )
        .await,
        2
    );
    assert_eq!(
        sqlx_count(p, "SELECT count(*) FROM evaluation_invalidation").await,
        1
    );
    assert_eq!(
        sqlx_count(
            p,
            "SELECT count(*) FROM service_occurrence WHERE case_number = 'C-2'"
        )
        .await,
        0
    );

    // A wrong field is refused by its wire name; the neighbours of a refused record are stored.
    let mut wrong = a_record("C-3");
    wrong.area_code = "999999".into();
    let (_, answer) = send(&province, &first, &[wrong, a_record("C-4")], false).await;
    assert_eq!(answer["results"][0]["field"], "areaCode", "{answer}");
    assert_eq!(answer["results"][1]["outcome"], "accepted");
}

#[tokio::test]
async fn a_provincial_interface_gets_one_record_per_request_and_a_failure_is_retried_unchanged() {
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let county = TestServer::start().await;
    add_target(
        &county.state,
        &TargetForm {
            name: "省好差评系统",
            url: &format!("{}/api/evaluation/push", peer.base),
            mapping: "provincial",
            sign_method: "hmac-sm3",
            key: "province-issued-secret",
            data_source: "341125",
        },
    )
    .await
    .unwrap();
    county.rate("P-1", json!({ "level": 5 })).await;
    county.rate("P-2", json!({ "level": 3 })).await;
    peer.fail(500, 1, "\"P-1\"").await;

    let t0 = now_ms();
    assert_eq!(report_round(&county.state, t0).await, 2);
    assert_eq!(
        report_round(&county.state, t0).await,
        0,
        "P-1 waits for its retry"
    );
    let failing = sqlx_count(
        &county.state,
        "SELECT count(*) FROM upward_delivery WHERE delivered_at IS NULL AND last_error LIKE 'HTTP 500%'",
    )
    .await;
    assert_eq!(failing, 1);
    // The supervisor's overview raises it.
    let boss = county.supervisor("jd").await;
    let session = county.sign_in(&boss).await;
    let overview = county.page_as("/staff/overview", &session).await;
    assert!(overview.contains("上报预警：省好差评系统"), "{overview}");
    assert!(overview.contains("HTTP 500"), "{overview}");
    assert_eq!(report_round(&county.state, t0 + 60_000).await, 1);
    let overview = county.page_as("/staff/overview", &session).await;
    assert!(!overview.contains("上报预警"), "{overview}");
    assert!(overview.contains("省级好差评系统（常见接口）"));

    let requests = peer.requests().await;
    let bodies: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_str(r["body"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies.len(), 3);
    let p1: Vec<&Value> = bodies.iter().filter(|b| b["projectNo"] == "P-1").collect();
    assert_eq!(p1.len(), 2);
    assert_eq!(p1[0], p1[1], "a re-send carries exactly the stored values");
    assert_eq!(p1[0]["serviceNumber"], "1");
    assert_eq!(p1[0]["satisfaction"], "5");
    assert_eq!(p1[0]["dataSource"], "341125");
    assert!(
        requests[0]["headers"]["x-hcp-signature"]
            .as_str()
            .unwrap()
            .starts_with("hmac-sm3=")
    );

    // A target that says it has the record already has it.
    peer.reply(400, r#"{"code":"1","msg":"评价数据不可重复"}"#)
        .await;
    sqlx::query("UPDATE upward_delivery SET delivered_at = NULL, next_at = 0")
        .execute(county.state.store.pool())
        .await
        .unwrap();
    assert_eq!(report_round(&county.state, now_ms()).await, 2);
    assert_eq!(
        sqlx_count(
            &county.state,
            "SELECT count(*) FROM upward_delivery WHERE delivered_at IS NULL"
        )
        .await,
        0
    );
}

/// Polls `sql` (one integer) on the SQLite file `db` until it is `want`, for at most `seconds`.
async fn until_count(db: &std::path::Path, sql: &str, want: i64, seconds: u64) -> i64 {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("open");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.expect(sql);
        if n == want || std::time::Instant::now() > deadline {
            pool.close().await;
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The API key a `add-business-system` command printed.
fn printed_key(output: &str) -> String {
    output
        .lines()
        .find_map(|l| l.split_once("API key (shown once, only its hash is kept): "))
        .map(|(_, key)| key.trim().to_owned())
        .unwrap_or_else(|| panic!("no key in {output}"))
}

const KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";

#[tokio::test]
async fn a_county_and_its_province_as_two_processes_lose_nothing_across_an_outage() {
    use tests::fixtures::processes::{Instance, free_port};
    let bin = env!("CARGO_BIN_EXE_instance");
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (county_port, province_port) = (free_port(), free_port());
    let province_base = format!("http://127.0.0.1:{province_port}");
    // The province is reached through a peer that can fail a request on purpose.
    let proxy = Peer::start_forwarding(env!("CARGO_BIN_EXE_peer"), &province_base);

    let mut province = Instance::new(
        bin,
        dirs.1.path(),
        province_port,
        &[("HAOCHAPING_KEY", KEY)],
    );
    for region in [
        ["code=340000", "name=安徽省", "parent="],
        ["code=341100", "name=滁州市", "parent=340000"],
        ["code=341125", "name=示范县", "parent=341100"],
    ] {
        province
            .command(&[&["add", "region"][..], &region[..]].concat(), "")
            .await;
    }
    let county_key = printed_key(
        &province
            .command(&["add-business-system", "示范县", "--region", "341125"], "")
            .await,
    );

    let county_env = [
        ("HAOCHAPING_KEY", KEY),
        ("HAOCHAPING_UPWARD_MAX_BACKOFF_MS", "400"),
        ("HAOCHAPING_WRITES_PER_MINUTE", "1000000"),
    ];
    let mut county = Instance::new(bin, dirs.0.path(), county_port, &county_env);
    county
        .command(
            &["add", "region", "code=341125", "name=示范县", "parent="],
            "",
        )
        .await;
    county
        .command(
            &[
                "add",
                "department",
                "code=BDC",
                "name=县不动产登记中心",
                "region=341125",
            ],
            "",
        )
        .await;
    county
        .command(
            &[
                "add",
                "service_item",
                "code=000112001000",
                "name=不动产首次登记",
                "item_type=public_service",
                "department=BDC",
            ],
            "",
        )
        .await;
    let portal = printed_key(
        &county
            .command(&["add-business-system", "portal", "--region", "341125"], "")
            .await,
    );
    county
        .command(
            &[
                "add-upward",
                "省平台",
                &proxy.base,
                "haochaping",
                "--sign",
                "hmac-sm3",
            ],
            &county_key,
        )
        .await;
    county.start().await;

    // 1,000 ratings while the province is down.
    let http = reqwest::Client::new();
    let mut made = tokio::task::JoinSet::new();
    for chunk in 0..8 {
        let (http, base, portal) = (http.clone(), county.base.clone(), portal.clone());
        made.spawn(async move {
            for i in (chunk..1000).step_by(8) {
                let case = format!("TP-{i:04}");
                let registered: Value = http
                    .post(format!("{base}/api/v1/occurrences"))
                    .bearer_auth(&portal)
                    .json(&json!({ "case_number": case, "occurrence_no": 1, "service_item": "000112001000",
                                   "department": "BDC", "channel": "pc" }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let link = registered["rating_url"].as_str().expect("a link").to_owned();
                let rating = match i % 4 {
                    0 => json!({ "level": 2, "reasons": [reason(Level::Dissatisfied)], "comment": format!("第{i}号：等候太久") }),
                    1 => json!({ "level": 4 }),
                    _ => json!({ "level": 5, "comment": "满意" }),
                };
                let rated = http.post(&link).json(&rating).send().await.unwrap();
                assert_eq!(rated.status(), 201, "{case}");
            }
        });
    }
    while let Some(done) = made.join_next().await {
        done.unwrap();
    }
    let county_db = county.database();
    assert_eq!(
        until_count(
            &county_db,
            "SELECT count(*) FROM upward_delivery WHERE attempts > 0",
            1000,
            60
        )
        .await,
        1000,
        "every record was tried while the province was down"
    );
    assert_eq!(
        until_count(
            &county_db,
            "SELECT count(*) FROM upward_delivery WHERE delivered_at IS NOT NULL",
            0,
            0
        )
        .await,
        0
    );

    // The province comes back; one request carrying TP-0500 fails once more on the way.
    proxy.fail(500, 1, "\"TP-0500\"").await;
    province.start().await;
    assert_eq!(
        until_count(
            &county_db,
            "SELECT count(*) FROM upward_delivery WHERE delivered_at IS NOT NULL",
            1000,
            120
        )
        .await,
        1000
    );
    let forced = proxy
        .requests()
        .await
        .iter()
        .filter(|r| r["body"].as_str().unwrap_or("").contains("\"TP-0500\""))
        .count();
    assert!(forced >= 2, "the failed request was sent again ({forced})");

    let field_for_field = "SELECT o.case_number || '|' || e.level || '|' || e.channel || '|' || \
        coalesce(e.comment, '') || '|' || (e.created_at / 1000) || '|' || \
        coalesce((SELECT group_concat(reason_code) FROM evaluation_reason WHERE evaluation_id = e.id), '') \
        FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id ORDER BY o.case_number";
    let read = |db: std::path::PathBuf| async move {
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db)
                .read_only(true),
        )
        .await
        .unwrap();
        let rows: Vec<String> = sqlx::query_scalar(field_for_field)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows
    };
    let sent = read(county_db.clone()).await;
    let received = read(province.database()).await;
    assert_eq!(sent.len(), 1000);
    assert_eq!(
        received, sent,
        "exactly the 1,000, field for field, none twice"
    );

    // An appeal upheld at the county after delivery: the province no longer counts that rating.
    let at_county = TestServer::start_on_existing(|c| {
        c.database_url = format!("sqlite://{}", county_db.display());
        c.master_key = Some(KEY.to_owned());
    })
    .await;
    let handler = at_county.handler("bdc", "BDC").await.actor;
    let boss = at_county.supervisor("jd").await.actor;
    let tracking: String = sqlx::query_scalar(
        "SELECT e.tracking_code FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE o.case_number = 'TP-0004'",
    )
    .fetch_one(at_county.state.store.pool())
    .await
    .unwrap();
    at_county.uphold_appeal(&tracking, handler, boss).await;
    assert_eq!(
        until_count(
            &province.database(),
            "SELECT count(*) FROM evaluation_invalidation",
            1,
            30
        )
        .await,
        1
    );

    // Reconciliation of today: zero difference. The province's /open shows the county.
    let today = now().date_cst().yyyymmdd().to_string();
    let output = county.command(&["reconcile", &today], "").await;
    assert!(output.contains("0 differ"), "{output}");
    let open = http
        .get(format!("{province_base}/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(open.contains("县不动产登记中心"), "{open}");
    let data: Value = http
        .get(format!("{province_base}/open/data.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == "all")
        .unwrap()
        .clone();
    let valid: i64 = ["l1", "l2", "l3", "l4", "l5"]
        .iter()
        .map(|l| all[l].as_i64().unwrap())
        .sum();
    assert_eq!((valid, all["received"].as_i64()), (999, Some(1000)));
    county.kill().await;
    province.kill().await;
}

#[tokio::test]
async fn an_sm2_target_gets_the_senders_id_and_signature_never_the_private_key() {
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let county = TestServer::start().await;
    let private = "07".repeat(32);
    let (county, peer) = (&county, &peer);
    let form = |mapping: &'static str, key: String| async move {
        add_target(
            &county.state,
            &TargetForm {
                name: mapping,
                url: &peer.base,
                mapping,
                sign_method: "sm2",
                key: &key,
                data_source: "341125",
            },
        )
        .await
    };
    assert!(
        form("provincial", "county-341125:zz".into()).await.is_err(),
        "not a key"
    );
    assert!(
        form("haochaping", format!("county-341125:{private}"))
            .await
            .is_err(),
        "a haochaping province verifies HMACs"
    );
    form("provincial", format!("county-341125:{private}"))
        .await
        .unwrap();
    county.rate("SM2-1", json!({ "level": 5 })).await;
    assert_eq!(report_round(&county.state, now_ms()).await, 1);
    let request = &peer.requests().await[0];
    assert_eq!(request["headers"]["authorization"], "Bearer county-341125");
    let signature = request["headers"]["x-hcp-signature"].as_str().unwrap();
    let hex = signature.strip_prefix("sm2=").expect("an sm2 signature");
    assert_eq!(hex.len(), 128);
    assert!(
        !request.to_string().contains(&private),
        "the private key stays home"
    );
}
