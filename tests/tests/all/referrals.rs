//! 转办 — 12345 and website work orders: one ticket per (source, external id), refused fields and
//! departments, signed status callbacks to the referring platform (a real second process), in
//! order and once each; and the complaint figures by source on the public pages, the monthly
//! report (page, CSV, XLSX) and the open data.

use calamine::{Reader, Xlsx};
use domain::business_system::FrameOrigin;
use domain::ids::{BusinessSystemId, RegionId};
use domain::referral::ReferralSource;
use domain::ticket::{TicketAction as A, Triage};
use domain::time::{Month, Timestamp};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use server::features::admin::systems::NewSystem;
use server::features::{referral, ticket};
use server::platform::{crypto, db::now_ms};
use tests::{TestServer, fixtures::Peer, sqlx_count};

fn order(id: &str, content: &str) -> Value {
    json!({
        "source": "12345",
        "external_id": id,
        "received_at_ms": now_ms() - 3_600_000,
        "category": "投诉",
        "department": "BDC",
        "content": content,
        "contact_phone": "13900139000",
    })
}

async fn refer(server: &TestServer, key: &str, body: &Value) -> (u16, Value) {
    let response = server
        .http
        .post(server.url("/api/v1/referrals"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The test portal's id (the seeded business system, granted the whole region).
async fn portal(server: &TestServer) -> BusinessSystemId {
    server
        .state
        .store
        .business_system_by_key(
            &crypto::hash_api_key(&server.api_key),
            Timestamp::from_unix_ms(now_ms()),
        )
        .await
        .unwrap()
        .expect("the portal")
}

#[tokio::test]
async fn a_work_order_referred_twice_is_one_ticket_and_bad_ones_are_refused_by_field() {
    let server = TestServer::start().await;
    let key = server.api_key.clone();
    let body = order("GD-2026-0001", "窗口工作人员态度生硬，办理拖延");
    let (created, first) = refer(&server, &key, &body).await;
    assert_eq!(created, 201, "{first}");
    let (again, second) = refer(&server, &key, &body).await;
    assert_eq!(again, 200, "{second}");
    assert_eq!(first["ticket_id"], second["ticket_id"]);
    assert_eq!(first["tracking_code"], second["tracking_code"]);
    assert!(first["reply_due_at_ms"].as_i64().unwrap() > now_ms());
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM ticket").await,
        1
    );
    assert_eq!(
        sqlx_count(&server.state, "SELECT count(*) FROM referral").await,
        1
    );

    let mut other = body.clone();
    other["content"] = json!("另一件事情，内容不同");
    let (conflict, _) = refer(&server, &key, &other).await;
    assert_eq!(conflict, 409);
    // The same id from another source is another work order.
    let mut website = body.clone();
    website["source"] = json!("website");
    assert_eq!(refer(&server, &key, &website).await.0, 201);

    // The handler sees it among their tickets with its source; the phone is not in the list.
    let handler = server.handler("bdc", "BDC").await.actor;
    let list = ticket::list(&server.state, handler).await.unwrap();
    let id = first["ticket_id"].as_i64().unwrap();
    let item = list
        .iter()
        .find(|t| t.id == id)
        .expect("in the handler's list");
    assert_eq!(item.source, Some(ReferralSource::Hotline12345));
    let stored: Vec<u8> = sqlx::query_scalar("SELECT contact_phone_enc FROM complaint LIMIT 1")
        .fetch_one(server.state.store.pool())
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains("13900139000"),
        "sealed"
    );

    for (field, value) in [
        ("source", json!("fax")),
        ("external_id", json!("")),
        ("category", json!("抱怨")),
        ("content", json!("差")),
        ("contact_phone", json!("123")),
        ("received_at_ms", json!(5)),
        ("department", json!("NOPE")),
    ] {
        let mut bad = order("GD-BAD", "窗口工作人员态度生硬");
        bad[field] = value;
        let (status, answer) = refer(&server, &key, &bad).await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (422, Some(field)),
            "{answer}"
        );
    }
    let mut missing = order("GD-BAD", "窗口工作人员态度生硬");
    missing.as_object_mut().unwrap().remove("content");
    let (status, answer) = refer(&server, &key, &missing).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("content")));
    assert_eq!(refer(&server, "hcp_wrong", &body).await.0, 401);

    // A platform granted only BDC may not refer to another department.
    let region = RegionId(sqlx_count(&server.state, "SELECT id FROM region").await);
    let store = &server.state.store;
    store
        .insert_department(region, "GAJ", "县公安局")
        .await
        .unwrap();
    let bdc = domain::ids::DepartmentId(server.department("BDC").await);
    let narrow = crypto::new_api_key();
    let origins = FrameOrigin::parse_list("https://12345.example.gov.cn").unwrap();
    store
        .insert_business_system(
            &NewSystem {
                name: "12345 平台",
                origins: &origins,
                regions: &[],
                departments: &[bdc],
            },
            &crypto::hash_api_key(&narrow),
            Timestamp::from_unix_ms(now_ms()),
        )
        .await
        .unwrap()
        .unwrap();
    let mut elsewhere = order("GD-GAJ-1", "派出所窗口排队时间过长");
    elsewhere["department"] = json!("GAJ");
    let (forbidden, answer) = refer(&server, &narrow, &elsewhere).await;
    assert_eq!(
        (forbidden, answer["field"].as_str()),
        (403, Some("department"))
    );
    assert_eq!(
        refer(
            &server,
            &narrow,
            &order("GD-BDC-1", "不动产窗口排队时间过长")
        )
        .await
        .0,
        201
    );
}

/// Checks the peer-received request's signature with the callback secret.
fn verify(request: &Value, secret: &str) -> Value {
    let headers = &request["headers"];
    let timestamp = headers["x-hcp-timestamp"].as_str().expect("timestamp");
    let signature = headers["x-hcp-signature"].as_str().expect("signature");
    let body = request["body"].as_str().unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}\n{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(signature, format!("hmac-sha256={expected}"));
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn status_changes_go_back_signed_in_order_once_each_retried_after_a_failure() {
    let server = TestServer::start().await;
    let s = &server.state;
    let peer = Peer::start(env!("CARGO_BIN_EXE_peer"));
    let secret = referral::set_callback(s, None, portal(&server).await, &peer.url("/callback"))
        .await
        .unwrap();
    let (_, referred) = refer(
        &server,
        &server.api_key,
        &order("GD-CB-1", "窗口工作人员态度生硬"),
    )
    .await;
    let id = referred["ticket_id"].as_i64().unwrap();
    let handler = server.handler("bdc", "BDC").await.actor;
    tests::reached_visit(s, handler, id, "已电话联系群众并说明")
        .await
        .unwrap();
    ticket::act(s, handler, id, A::Triage(Triage::Explain), None)
        .await
        .unwrap();
    ticket::act(
        s,
        handler,
        id,
        A::Reply,
        Some("已约谈窗口人员并整改，特此答复"),
    )
    .await
    .unwrap();
    peer.fail(500, 1, "\"replied\"").await;

    // One status per round for a ticket: the oldest undelivered first.
    let now = now_ms();
    for round in 0..3 {
        assert_eq!(referral::deliver_round(s, now + round).await.unwrap(), 1);
    }
    // The reply failed; it is not due again before its backoff, then it goes.
    assert_eq!(referral::deliver_round(s, now + 10).await.unwrap(), 0);
    assert_eq!(referral::deliver_round(s, now + 60_000).await.unwrap(), 1);
    assert_eq!(referral::deliver_round(s, now + 600_000).await.unwrap(), 0);

    let received = peer.requests_to("/callback").await;
    let bodies: Vec<Value> = received.iter().map(|r| verify(r, &secret)).collect();
    let statuses: Vec<&str> = bodies
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "in_progress", "replied", "replied"]);
    let reply = &bodies[3];
    assert_eq!(reply["external_id"], "GD-CB-1");
    assert_eq!(reply["source"], "12345");
    assert_eq!(reply["reply"]["text"], "已约谈窗口人员并整改，特此答复");
    assert!(reply["reply"]["at_ms"].as_i64().is_some());
    assert!(
        bodies
            .iter()
            .all(|b| !b.to_string().contains("13900139000")),
        "no phone"
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM referral_callback WHERE delivered_at IS NOT NULL"
        )
        .await,
        3,
        "each change delivered once"
    );
    assert_eq!(
        sqlx_count(s, "SELECT count(*) FROM referral_callback_attempt").await,
        4
    );
    assert_eq!(
        sqlx_count(
            s,
            "SELECT count(*) FROM referral_callback_attempt WHERE http_status = 500"
        )
        .await,
        1
    );
}

/// The text of the table with id `id` in `html`: cells separated by `|`.
fn table(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let rest = &html[start..];
    let end = rest.find("</table>").unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                if !out.ends_with('|') {
                    out.push('|');
                }
            }
            _ if in_tag || c.is_whitespace() => {}
            _ => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn the_complaint_figures_of_a_month_match_on_every_page_and_download() {
    let server = TestServer::start().await;
    let s = &server.state;
    let system = portal(&server).await;
    let handler = server.handler("bdc", "BDC").await.actor;
    let month = Month::new(2026, 3).unwrap();
    // Monday 2 March 2026, 10:00 China time; the reply is due by the end of Wednesday 4 March.
    let day = 86_400_000;
    let opened = month.start_unix_ms_cst() + day + 10 * 3_600_000;
    let orders = [
        ("12345", "M-1", Some(day)),
        ("12345", "M-2", Some(day)),
        ("website", "M-3", Some(2 * day)),
        ("12345", "M-4", Some(8 * day)),
        ("leader_mailbox", "M-5", None),
    ];
    for (source, external, replied_after) in orders {
        let request: referral::ReferralRequest = serde_json::from_value(json!({
            "source": source,
            "external_id": external,
            "received_at_ms": opened - 3_600_000,
            "category": "complaint",
            "department": "BDC",
            "content": "窗口工作人员态度生硬，办理拖延",
        }))
        .unwrap();
        let id = referral::refer(s, system, &request, opened)
            .await
            .unwrap()
            .ticket_id;
        let at = |after: i64| opened + after;
        match replied_after {
            Some(after) => {
                ticket::act_at(
                    s,
                    handler,
                    id,
                    A::RecordCheckWithoutContact,
                    None,
                    at(after - 60_000),
                )
                .await
                .unwrap();
                ticket::act_at(
                    s,
                    handler,
                    id,
                    A::Triage(Triage::Explain),
                    None,
                    at(after - 30_000),
                )
                .await
                .unwrap();
                ticket::act_at(
                    s,
                    handler,
                    id,
                    A::Reply,
                    Some("已核实并答复群众"),
                    at(after),
                )
                .await
                .unwrap();
            }
            None => {
                ticket::act_at(s, handler, id, A::MarkComplex, None, at(day))
                    .await
                    .unwrap();
            }
        }
    }
    let mut kept = s.store.all_complaint_stats().await.unwrap();
    let all = kept
        .iter()
        .filter(|(scope, _, m, _, _)| scope == "all" && *m == month.yyyymm())
        .fold([0; 4], |mut sum, (_, _, _, _, c)| {
            for (total, n) in sum.iter_mut().zip(c) {
                *total += n;
            }
            sum
        });
    assert_eq!(all, [5, 3, 1, 1], "received, on time, late, complex");
    s.store.rebuild_stats().await.unwrap();
    let mut rebuilt = s.store.all_complaint_stats().await.unwrap();
    kept.sort();
    rebuilt.sort();
    assert_eq!(
        kept, rebuilt,
        "the triggers' counts are the recomputation's"
    );

    // The public pages: the whole centre and the department.
    let department = server.department("BDC").await;
    for page in [
        "/open?month=2026-03".to_owned(),
        format!("/open/department/{department}?month=2026-03"),
    ] {
        let html = server.page(&page).await;
        let complaints = table(&html, "complaints");
        assert!(
            complaints.contains("|合计|5|3|1|1|"),
            "{page}: {complaints}"
        );
        assert!(
            complaints.contains("|12345热线转办|3|2|1|0|"),
            "{page}: {complaints}"
        );
        assert!(
            complaints.contains("|政府网站转办|1|1|0|0|"),
            "{page}: {complaints}"
        );
        assert!(
            complaints.contains("|领导信箱转办|1|0|0|1|"),
            "{page}: {complaints}"
        );
    }
    let methods = server.page("/open/methods").await;
    assert!(methods.contains("按时答复") && methods.contains("复杂投诉"));

    // Open data: the appended columns of the month's 'all' row.
    let csv = server.page("/open/data.csv?month=2026-03").await;
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let heading: Vec<&str> = lines.next().unwrap().split(',').collect();
    let all_row: Vec<&str> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == "all")
        .expect("the month's all row");
    let column = |name: &str| all_row[heading.iter().position(|h| *h == name).unwrap()];
    assert!(heading.contains(&"complaints_other_referral"));
    assert_eq!(
        [
            "complaints",
            "complaints_on_time",
            "complaints_late",
            "complaints_complex",
            "complaints_12345",
            "complaints_website",
            "complaints_other_referral"
        ]
        .map(column),
        ["5", "3", "1", "1", "3", "1", "1"]
    );

    // The monthly report: page, CSV and XLSX.
    let supervisor = server.supervisor("jiandu").await;
    let session = server.sign_in(&supervisor).await;
    let report = server
        .page_as("/staff/report?month=2026-03", &session)
        .await;
    let section = table(&report, "report-complaints");
    assert!(section.contains("|合计|5|3|1|1|"), "{section}");
    let csv = server
        .page_as("/staff/report.csv?month=2026-03", &session)
        .await;
    assert!(csv.contains("合计,5,3,1,1"), "{csv}");
    assert!(csv.contains("12345热线转办,3,2,1,0"), "{csv}");
    let bytes = server
        .get_as("/staff/report.xlsx?month=2026-03", &session)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("投诉").expect("the complaints sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    let total = rows.iter().find(|r| r[0] == "合计").expect("合计");
    assert_eq!(total[1..], ["5", "3", "1", "1"]);
}
