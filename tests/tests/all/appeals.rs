//! 申诉 in full: the appeal's category, its evidence files (type-checked by content, kept outside
//! the database, downloadable by the staff who may see the ticket and by nobody else, refused
//! without leaving anything behind), the decision's deadline on the holiday calendar, and the
//! appeals filed, upheld and rejected in the published figures beside the invalidations.

use domain::{access::Actor, ticket::TicketAction};
use fantoccini::Client;
use serde_json::json;
use server::features::appeal::{self, Filing};
use server::platform::db::Backend;
use tests::browser::{Js, click, click_button, fill, find, journey, sign_in, wait_text};
use tests::fixtures::{
    SignedIn, Staff,
    appeals::{EXE, png},
};
use tests::{TestServer, sqlx_count};

/// A real-name 差评 of case `case`, visited by `handler`: ready to be appealed. Its tracking code
/// and ticket.
async fn visited_bad_review(server: &TestServer, case: &str, handler: Actor) -> (String, i64) {
    let body = json!({ "level": 1, "reasons": [115], "phone": "13600136000" });
    let rated = server.rate(case, body).await;
    let ticket = server.ticket_of(&rated.tracking_code).await;
    tests::reached_visit(&server.state, handler, ticket, "已电话回访核实")
        .await
        .unwrap();
    (rated.tracking_code, ticket)
}

/// Nothing of an appeal is stored: no appeal, no evidence row, no file, no upload in the audit
/// log, and the ticket still waits for its triage.
async fn nothing_stored(server: &TestServer, what: &str) {
    let s = &server.state;
    for table in ["appeal", "appeal_evidence"] {
        let n = sqlx_count(s, &format!("SELECT count(*) FROM {table}")).await;
        assert_eq!(n, 0, "{what}: {table}");
    }
    assert_eq!(
        server.evidence_files(),
        Vec::<std::path::PathBuf>::new(),
        "{what}"
    );
    let uploads = "SELECT count(*) FROM audit_log WHERE action = 'upload_evidence'";
    assert_eq!(sqlx_count(s, uploads).await, 0, "{what}");
    assert_eq!(server.tickets_in("verified").await, 1, "{what}");
}

/// The status and body of a response.
async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Where a successful form post sends the browser.
fn location(response: &reqwest::Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}

#[tokio::test]
async fn an_appeal_with_its_category_and_a_png_is_seen_only_by_staff_who_see_the_ticket() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await;
    let boss = server.supervisor("jd").await;
    server.add_department("GA", "县公安局").await;
    let stranger = server.handler("ga", "GA").await;
    let elsewhere = s.store.insert_region("341126", "邻县", None).await.unwrap();
    let far_boss = server
        .scoped_supervisor("lx", domain::org::Scope::Region(elsewhere))
        .await;
    let (code, ticket) = visited_bad_review(&server, "AP-F1", handler.actor).await;
    let session = server.sign_in(&handler).await;
    let photo = png(300_000);
    let filed = server
        .file_appeal_form(
            &session,
            ticket,
            "malicious",
            "评价人以差评要挟违规办理",
            &[("回访录音截图.png", photo.clone())],
        )
        .await;
    assert_eq!(filed.status(), 303);
    assert_eq!(location(&filed), format!("/staff/tickets/{ticket}"));
    assert_eq!(server.tickets_in("appealed").await, 1);

    // The file is outside the database, private, under a random name.
    let files = server.evidence_files();
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), photo);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&server.evidence_dir()), 0o700);
    let stored = files[0].file_name().unwrap().to_str().unwrap();
    assert_eq!(stored.len(), 32);
    let row = format!(
        "SELECT count(*) FROM appeal_evidence WHERE stored_name = '{stored}' \
         AND original_name = '回访录音截图.png' AND content_type = 'image/png' AND size = 300000 \
         AND uploaded_by = {}",
        handler.actor.account_id
    );
    assert_eq!(sqlx_count(s, &row).await, 1);
    let category = "SELECT count(*) FROM appeal WHERE category = 'malicious'";
    assert_eq!(sqlx_count(s, category).await, 1);

    // The ticket page shows the category (also in the history), the deadline and the file.
    let ticket_page = format!("/staff/tickets/{ticket}");
    let page_of = |who: SignedIn| {
        let (server, path) = (&server, &ticket_page);
        async move { server.page_as(path, &who).await }
    };
    let boss_session = server.sign_in(&boss).await;
    for page in [
        page_of(session.clone()).await,
        page_of(boss_session.clone()).await,
    ] {
        assert!(page.contains("申诉类别：恶意差评"), "{page}");
        assert!(page.contains("提出申诉（恶意差评） → 申诉复核中"), "{page}");
        assert!(page.contains("复核时限："), "{page}");
        assert!(page.contains("回访录音截图.png"), "{page}");
    }
    let href = format!("/staff/tickets/{ticket}/evidence/");
    let page = page_of(boss_session.clone()).await;
    let at = page.find(&href).expect("a download link");
    let link: String = page[at..].chars().take_while(|c| *c != '"').collect();

    // The supervisor downloads it byte for byte, as an attachment the browser never sniffs.
    let download = server.get_as(&link, &boss_session).await;
    assert_eq!(download.status(), 200);
    let header = |name: &str| download.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment; "), "{disposition}");
    assert!(disposition.contains("UTF-8''%E5%9B%9E"), "{disposition}");
    assert_eq!(download.bytes().await.unwrap().to_vec(), photo);

    // Nobody else: another department's handler, a supervisor of another region, an
    // administrator, a stranger without a session.
    for who in [&stranger, &far_boss, &server.administrator("root").await] {
        let other = server.sign_in(who).await;
        let status = server.get_as(&link, &other).await.status().as_u16();
        assert!(matches!(status, 403 | 404), "{}: {status}", who.username);
        let page = page_of(other.clone()).await;
        assert!(!page.contains("回访录音截图"), "{}", who.username);
    }
    assert_eq!(server.get(&link).await.status(), 401);

    // Every upload and download is audited, without the file.
    let audited = |action: &str, who: &Staff| {
        format!(
            "SELECT count(*) FROM audit_log WHERE action = '{action}' AND entity = 'ticket' \
             AND entity_id = {ticket} AND account_id = {} AND after LIKE '%\"evidence\":%'",
            who.actor.account_id
        )
    };
    assert_eq!(
        sqlx_count(s, &audited("upload_evidence", &handler)).await,
        1
    );
    assert_eq!(sqlx_count(s, &audited("download_evidence", &boss)).await, 1);
    let all = "SELECT count(*) FROM audit_log WHERE action LIKE '%evidence'";
    assert_eq!(sqlx_count(s, all).await, 2, "refused downloads are not");

    // Never public: the tracking page, the public pages, open data.
    for path in [
        format!("/t/{code}"),
        "/open".to_owned(),
        "/open/data.json".to_owned(),
        "/open/data.csv".to_owned(),
    ] {
        let body = server.page(&path).await;
        for secret in ["回访录音截图", "/evidence/", "恶意差评", "要挟"] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
}

/// A filing the form refuses: what it is, what is sent, and the answer naming the field.
struct Refused {
    what: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    category: &'static str,
    status: u16,
    field: &'static str,
    message: &'static str,
}

#[tokio::test]
async fn refused_files_leave_no_row_and_no_file_behind() {
    use app::api::staff::TicketStep;
    use leptos::server_fn::ServerFn;
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await;
    let (_, ticket) = visited_bad_review(&server, "AP-R1", handler.actor).await;
    let session = server.sign_in(&handler).await;
    let file =
        |files: Vec<(&'static str, Vec<u8>)>, category: &'static str, reason: &'static str| {
            let (server, session) = (&server, &session);
            async move {
                let response = server
                    .file_appeal_form(session, ticket, category, reason, &files)
                    .await;
                answer(response).await
            }
        };
    let reason = "群众误选评价等级";
    let exe = ("setup.png", EXE.to_vec());
    let cases = [
        Refused {
            what: "an EXE named .png",
            files: vec![exe.clone()],
            category: "mistaken",
            status: 415,
            field: "evidence",
            message: "证据材料“setup.png”不是允许的文件类型",
        },
        Refused {
            what: "a good file beside it",
            files: vec![("ok.png", png(2000)), exe],
            category: "mistaken",
            status: 415,
            field: "evidence",
            message: "证据材料“setup.png”",
        },
        Refused {
            what: "6 MiB",
            files: vec![("big.png", png(6 << 20))],
            category: "mistaken",
            status: 413,
            field: "evidence",
            message: "证据材料“big.png”超过 5 MB",
        },
        Refused {
            what: "six files",
            files: (0..6).map(|_| ("p.png", png(100))).collect(),
            category: "mistaken",
            status: 422,
            field: "evidence",
            message: "最多 5 个文件",
        },
        Refused {
            what: "no category",
            files: vec![("ok.png", png(100))],
            category: "",
            status: 422,
            field: "category",
            message: "申诉类别",
        },
        Refused {
            what: "an unknown category",
            files: vec![],
            category: "rude",
            status: 422,
            field: "category",
            message: "申诉类别",
        },
    ];
    for Refused {
        what,
        files,
        category,
        status,
        field,
        message,
    } in cases
    {
        let (got, body) = file(files, category, reason).await;
        assert_eq!(got, status, "{what}: {body}");
        assert!(body.contains(message), "{what}: {body}");
        assert!(
            body.contains(&format!("data-field=\"{field}\"")),
            "{what}: {body}"
        );
        nothing_stored(&server, what).await;
    }
    let (got, body) = file(Vec::new(), "mistaken", " ").await;
    assert_eq!(got, 422, "{body}");
    assert!(body.contains("申诉理由：请写明"), "{body}");
    nothing_stored(&server, "no reason").await;

    // A forged CSRF token, and the plain step without a category.
    let forged = SignedIn {
        csrf: "forged".into(),
        ..session.clone()
    };
    let response = server
        .file_appeal_form(&forged, ticket, "mistaken", reason, &[("a.png", png(100))])
        .await;
    assert_eq!(response.status(), 403);
    let step = [
        ("id", ticket.to_string()),
        ("action", "triage_appeal".to_owned()),
        ("note", reason.to_owned()),
        ("csrf", session.csrf.clone()),
    ];
    let (status, body) = server.call(TicketStep::PATH, &session, &step).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("申诉须通过申诉表单提出"), "{body}");
    nothing_stored(&server, "forged or plain").await;

    // The files are written, then the database refuses: the files go again (500, nothing kept).
    let pool = s.store.pool();
    let postgres = s.store.backend() == Backend::Postgres;
    let refuse: &[&str] = if postgres {
        &[
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER test_refuses_appeals BEFORE INSERT ON appeal \
             FOR EACH ROW EXECUTE FUNCTION test_refuse()",
        ]
    } else {
        &[
            "CREATE TRIGGER test_refuses_appeals BEFORE INSERT ON appeal \
           BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ]
    };
    for statement in refuse {
        sqlx::query(statement).execute(pool).await.unwrap();
    }
    let two = vec![("a.png", png(5000)), ("b.png", png(6000))];
    let (status, _) = file(two, "mistaken", reason).await;
    assert_eq!(status, 500);
    nothing_stored(&server, "the insert failed").await;
    sqlx::query(if postgres {
        "DROP TRIGGER test_refuses_appeals ON appeal"
    } else {
        "DROP TRIGGER test_refuses_appeals"
    })
    .execute(pool)
    .await
    .unwrap();
    let (status, body) = file(vec![("a.png", png(5 << 20))], "mistaken", reason).await;
    assert_eq!(status, 303, "exactly 5 MiB is taken: {body}");
    assert_eq!(server.evidence_files().len(), 1);
}

#[tokio::test]
async fn evidence_is_added_while_the_appeal_is_undecided_and_never_after() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await;
    let boss = server.supervisor("jd").await;
    server.add_department("GA", "县公安局").await;
    let stranger = server.handler("ga", "GA").await;
    let (_, ticket) = visited_bad_review(&server, "AP-E1", handler.actor).await;
    let session = server.sign_in(&handler).await;
    let filed = server
        .file_appeal_form(&session, ticket, "mistaken", "群众误选评价等级", &[])
        .await;
    assert_eq!(filed.status(), 303);
    let page = server
        .page_as(&format!("/staff/tickets/{ticket}"), &session)
        .await;
    assert!(page.contains("未附证据材料"), "{page}");
    assert!(page.contains("补充证据材料"), "the handler may add: {page}");

    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let added = server
        .add_evidence_form(&session, ticket, &[("回访记录.pdf", pdf.clone())])
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(location(&added), format!("/staff/tickets/{ticket}"));
    // Only the handling department's handler adds; the supervisor decides.
    let boss_session = server.sign_in(&boss).await;
    let (status, body) = answer(
        server
            .add_evidence_form(&boss_session, ticket, &[("x.pdf", pdf.clone())])
            .await,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let other = server.sign_in(&stranger).await;
    let refused = server
        .add_evidence_form(&other, ticket, &[("x.pdf", pdf.clone())])
        .await;
    assert_eq!(refused.status(), 404);
    let (status, body) = answer(server.add_evidence_form(&session, ticket, &[]).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("请选择要上传的文件"), "{body}");
    let page = server
        .page_as(&format!("/staff/tickets/{ticket}"), &boss_session)
        .await;
    assert!(page.contains("回访记录.pdf"), "{page}");
    assert!(
        !page.contains("补充证据材料"),
        "the supervisor does not add: {page}"
    );
    assert_eq!(server.evidence_files().len(), 1);

    server::features::ticket::act(
        s,
        boss.actor,
        ticket,
        TicketAction::DecideAppeal { upheld: false },
        Some("证据不足"),
    )
    .await
    .unwrap();
    let (status, body) = answer(
        server
            .add_evidence_form(&session, ticket, &[("late.pdf", pdf)])
            .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("申诉已复核完毕，不能再补充"), "{body}");
    assert_eq!(server.evidence_files().len(), 1, "no stray file");
    let rows = "SELECT count(*) FROM appeal_evidence";
    assert_eq!(sqlx_count(s, rows).await, 1);
    let page = server
        .page_as(&format!("/staff/tickets/{ticket}"), &session)
        .await;
    assert!(!page.contains("补充证据材料"), "{page}");
    assert!(
        page.contains("回访记录.pdf"),
        "kept after the decision: {page}"
    );
}

#[tokio::test]
async fn the_decision_is_due_in_working_days_over_a_holiday_and_an_overdue_appeal_is_raised_once() {
    use domain::time::Date;
    use server::features::ticket::{escalate_overdue, list};
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jd").await;
    let filing = || Filing {
        category: "mistaken".into(),
        reason: "群众误选评价等级".into(),
        files: Vec::new(),
    };
    // Filed at 10:00 on 30 September 2026, the eve of National Day (1–7 October off, Saturday
    // 10 October worked): five working days are 8, 9, 10, 12 and 13 October.
    let day = |m, d| Date::from_ymd(2026, m, d).unwrap();
    let filed_at = day(9, 30).start_unix_ms_cst() + 10 * 3_600_000;
    let (_, first) = visited_bad_review(&server, "AP-D1", handler).await;
    appeal::file_at(s, handler, first, filing(), filed_at)
        .await
        .unwrap();
    // An administrator's three days end on the worked Saturday.
    s.update_rules(|rules| rules.deadlines.appeal_review = 3);
    let (_, second) = visited_bad_review(&server, "AP-D2", handler).await;
    appeal::file_at(s, handler, second, filing(), filed_at)
        .await
        .unwrap();
    let tickets = list(s, boss.actor).await.unwrap();
    let due = |id| tickets.iter().find(|t| t.id == id).unwrap().due_at.unwrap();
    assert_eq!(due(first).unix_ms(), day(10, 13).end_unix_ms_cst());
    assert_eq!(due(second).unix_ms(), day(10, 10).end_unix_ms_cst());
    let session = server.sign_in(&boss).await;
    let page = server
        .page_as(&format!("/staff/tickets/{first}"), &session)
        .await;
    assert!(page.contains("复核时限：2026-10-13 23:59 前"), "{page}");

    // Raised when overdue, not before, and once.
    let at = due(first).unix_ms();
    let raised = escalate_overdue(s, at - 1).await.unwrap();
    assert_eq!(raised, vec![second]);
    assert_eq!(escalate_overdue(s, at + 1).await.unwrap(), vec![first]);
    assert_eq!(
        escalate_overdue(s, at + 1).await.unwrap(),
        Vec::<i64>::new()
    );
    let far = at + 60 * 86_400_000;
    assert_eq!(escalate_overdue(s, far).await.unwrap(), Vec::<i64>::new());
    let raises = format!(
        "SELECT count(*) FROM ticket_event WHERE ticket_id = {first} \
         AND action = 'escalate_overdue' AND from_state = 'appealed'"
    );
    assert_eq!(sqlx_count(s, &raises).await, 1);
}

#[tokio::test]
async fn appeals_filed_upheld_and_rejected_are_published_beside_the_invalidations() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    let boss = server.supervisor("jd").await.actor;
    let bad = json!({ "level": 2, "reasons": [213] });
    let upheld = server.rate("AP-1", bad.clone()).await.tracking_code;
    let rejected = server.rate("AP-2", bad).await.tracking_code;
    server.uphold_appeal(&upheld, handler, boss).await;
    let ticket = server.ticket_of(&rejected).await;
    tests::reached_visit(s, handler, ticket, "已电话回访核实")
        .await
        .unwrap();
    let act = |actor, action| {
        server::features::ticket::act(s, actor, ticket, action, Some("群众确认评价属实"))
    };
    tests::file_appeal(s, handler, ticket, "群众误选评价等级")
        .await
        .unwrap();
    act(boss, TicketAction::DecideAppeal { upheld: false })
        .await
        .unwrap();

    let page = server.page("/open").await;
    assert!(
        page.contains("对差评提出申诉 2 件：成立 1 件（该评价不计入），不成立 1 件。"),
        "{page}"
    );
    let all = server.open_data_all().await;
    assert_eq!(
        (
            all["appeals_filed"].as_i64(),
            all["appeals_upheld"].as_i64(),
            all["appeals_rejected"].as_i64(),
            all["invalidated"].as_i64(),
        ),
        (Some(2), Some(1), Some(1), Some(1))
    );
    let kept = s.store.all_stats().await.unwrap();
    s.store.rebuild_stats().await.unwrap();
    assert_eq!(kept, s.store.all_stats().await.unwrap());
    // The category is on record for both; the methods page says what an appeal is.
    let both = "SELECT count(*) FROM appeal WHERE category = 'mistaken'";
    assert_eq!(sqlx_count(s, both).await, 2);
    let methods = server.page("/open/methods").await;
    for said in [
        "申诉须选择类别：误评",
        "恶意差评（",
        "在提出申诉后 5 个工作日内作出复核决定",
        "申诉复核：5 个工作日",
        "不公开、不进入开放数据",
    ] {
        assert!(methods.contains(said), "{said}: {methods}");
    }
}

/// The handler files an appeal on the ticket page, with a category, a reason and a photo chosen
/// in the file input; the page comes back with the category and the file.
async fn file_on_the_page(client: Client, base: String, handler: Staff, ticket: i64, js: Js) {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("回访录音截图.png");
    std::fs::write(&photo, png(40_000)).unwrap();
    sign_in(&client, &base, &handler, js).await;
    find(&client, "table.tickets").await;
    client
        .goto(&format!("{base}/staff/tickets/{ticket}"))
        .await
        .unwrap();
    wait_text(&client, "#ticket-state", "已核实").await;
    if js == Js::On {
        find(&client, "#hydrated[data-hydrated=true]").await;
    }
    click(&client, "#appeal-malicious").await;
    fill(&client, "#appeal-note", "评价人以差评要挟违规办理").await;
    find(&client, "#appeal-evidence")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click_button(&client, "提出申诉").await;
    wait_text(&client, "#ticket-state", "申诉复核中").await;
    wait_text(&client, "#appeal-category", "恶意差评").await;
    wait_text(&client, "#evidence", "回访录音截图.png").await;
    wait_text(&client, "#appeal-due", "复核时限").await;
}

async fn appeal_journey(js: Js) {
    let server = TestServer::start().await;
    let handler = server.handler("bdc", "BDC").await;
    let (_, ticket) = visited_bad_review(&server, "AP-B1", handler.actor).await;
    let base = server.base.clone();
    journey(js, move |client| {
        file_on_the_page(client, base, handler, ticket, js)
    })
    .await;
    let s = &server.state;
    let kept = "SELECT count(*) FROM appeal_evidence WHERE original_name = '回访录音截图.png' \
                AND size = 40000";
    assert_eq!(sqlx_count(s, kept).await, 1);
    assert_eq!(server.evidence_files().len(), 1);
}

#[tokio::test]
async fn a_handler_files_an_appeal_with_a_photo_without_javascript() {
    appeal_journey(Js::Off).await;
}

#[tokio::test]
async fn a_handler_files_an_appeal_with_a_photo_in_the_hydrated_site() {
    appeal_journey(Js::On).await;
}
