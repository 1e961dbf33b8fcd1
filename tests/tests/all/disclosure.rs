//! 公示: the aggregates against a full recomputation, the public pages and the open data.

use domain::{
    access::Actor,
    ticket::{FixRating, TicketAction, Triage},
};
use serde_json::json;
use tests::{TestServer, sqlx_count};

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A second window with its clerk and a second service item, so that scopes differ.
async fn widen(server: &TestServer) {
    server.second_window().await;
    let bdc = server.department("BDC").await;
    server
        .state
        .store
        .insert_service_item(
            domain::ids::DepartmentId(bdc),
            "000112002000",
            "不动产抵押登记",
        )
        .await
        .unwrap();
}

/// A handler's steps from a verified 差评 to the reply: 立行立改, the rectification, the answer.
const FIX_AND_REPLY: [TicketAction; 3] = [
    TicketAction::Triage(Triage::FixNow),
    TicketAction::RecordRectification,
    TicketAction::Reply,
];

/// Registers and rates `n` cases at random, with tickets taken through random steps and some
/// appeals upheld. Returns the handler and supervisor.
async fn random_history(server: &TestServer, n: usize, seed: u64) -> (Actor, Actor) {
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    let supervisor = server.supervisor("jiandu").await.actor;
    let mut dice = Dice(seed);
    // Each 差评's ticket, whether the citizen left a phone, and the tracking code.
    let mut tickets: Vec<(i64, bool, String)> = Vec::new();
    for i in 0..n {
        let mut case = tests::occurrence(&format!("R-{i}"));
        // 实名 here only when the citizen types a phone: the case carries no registered one.
        case.as_object_mut().unwrap().remove("evaluator_phone");
        if dice.roll(2) == 0 {
            case["window"] = "W-A02".into();
            case["staff"] = "S002".into();
            case["service_item"] = "000112002000".into();
        }
        // Every channel a business system may register, so that `stat_channel` has them all.
        let channels = [
            "pc",
            "mobile",
            "qr_code",
            "hall_device",
            "kiosk",
            "phone",
            "sms",
        ];
        case["channel"] = channels[dice.roll(7) as usize].into();
        // 评价主体 (sometimes not said) and the anonymity choice, for the open data's counts.
        if let Some(kind) = Some(dice.roll(7)).filter(|&k| k > 0) {
            case["evaluator_type"] = kind.into();
        }
        case["anonymous"] = (dice.roll(4) == 0).into();
        let link = server.link_for(case).await;
        if dice.roll(5) == 0 {
            continue; // registered, never rated
        }
        // Mostly good, some bad: the mix of a real centre, compressed.
        let level = [5, 5, 5, 5, 4, 4, 3, 2, 1][dice.roll(9) as usize];
        let reasons: Vec<u16> = domain::Catalogue::CURRENT
            .reasons()
            .iter()
            .map(|r| r.code)
            .filter(|c| c / 100 == level)
            .take(1 + dice.roll(2) as usize)
            .collect();
        let mut body = json!({ "level": level, "reasons": reasons });
        let real_name = dice.roll(2) == 0;
        if real_name {
            body["phone"] = "13600136000".into();
        }
        let code = server.rate_link(&link, body).await.tracking_code;
        if let Some(ticket) = s.store.ticket_id_by_tracking(&code).await.unwrap() {
            tickets.push((ticket, real_name, code));
        }
    }
    for (ticket, real_name, code) in tickets {
        let act = |actor, action| {
            server::features::ticket::act(s, actor, ticket, action, Some("已记录情况"))
        };
        // A real-name review is visited (sometimes after a failed attempt); an anonymous one checked.
        let attempt_first = real_name && dice.roll(2) == 0;
        let verify = || async move {
            if attempt_first {
                tests::unreached_visit(s, handler, ticket, "无人接听，稍后再联系")
                    .await
                    .unwrap();
            }
            if real_name {
                tests::reached_visit(s, handler, ticket, "已记录情况")
                    .await
                    .unwrap();
            } else {
                act(handler, TicketAction::RecordCheckWithoutContact)
                    .await
                    .unwrap();
            }
        };
        match dice.roll(5) {
            // Still open (perhaps after a failed attempt).
            0 if attempt_first => {
                tests::unreached_visit(s, handler, ticket, "无人接听，稍后再联系")
                    .await
                    .unwrap();
            }
            0 => {}
            1 => {
                verify().await;
                tests::file_appeal(s, handler, ticket, "群众误选评价等级")
                    .await
                    .unwrap();
                let upheld = dice.roll(2) == 0;
                act(supervisor, TicketAction::DecideAppeal { upheld })
                    .await
                    .unwrap();
            }
            k => {
                verify().await;
                for step in FIX_AND_REPLY {
                    act(handler, step).await.unwrap();
                }
                if k >= 3 {
                    let verdict = if k == 3 {
                        FixRating::Dissatisfied
                    } else {
                        FixRating::Satisfied
                    };
                    server::features::ticket::citizen_rates_fix(s, &code, verdict)
                        .await
                        .unwrap();
                }
                if k == 3 {
                    // Reopened: fixed again and this time left unrated, then closed.
                    for step in FIX_AND_REPLY {
                        act(handler, step).await.unwrap();
                    }
                    act(supervisor, TicketAction::CloseUnrated).await.unwrap();
                }
            }
        }
    }
    (handler, supervisor)
}

#[tokio::test]
async fn aggregates_equal_a_full_recomputation_after_random_ratings_and_invalidations() {
    let server = TestServer::start().await;
    widen(&server).await;
    // Default evaluations (默认评价) on: the cases left unrated get one, counted apart (a1…a5).
    server
        .set_messaging(tests::fixtures::Messaging {
            default_evaluation: true,
            default_level: 3,
            ..Default::default()
        })
        .await;
    random_history(&server, 160, 0x9E37_79B9_7F4A_7C15).await;
    let later = server::platform::db::now_ms() + 8 * 86_400_000;
    let defaults = server::features::notify::apply_default_evaluations(&server.state, later)
        .await
        .unwrap();
    assert!(defaults.done > 0, "some cases were left unrated");
    let s = &server.state.store;
    assert!(
        server.invalidations().await > 0,
        "the history includes upheld appeals"
    );
    let kept = (
        s.all_stats().await.unwrap(),
        s.all_reason_stats().await.unwrap(),
        s.all_time_stats().await.unwrap(),
        s.all_channel_stats().await.unwrap(),
    );
    s.rebuild_stats().await.unwrap();
    let recomputed = (
        s.all_stats().await.unwrap(),
        s.all_reason_stats().await.unwrap(),
        s.all_time_stats().await.unwrap(),
        s.all_channel_stats().await.unwrap(),
    );
    assert_eq!(kept.2, recomputed.2, "heat map and daily window counts");
    assert_eq!(kept.3, recomputed.3, "valid ratings per channel");
    let channels: std::collections::HashSet<_> = kept.3.iter().map(|r| r.3).collect();
    assert_eq!(
        channels.len(),
        8,
        "every registrable channel was rated, and system defaults made"
    );
    assert_eq!(kept.0.len(), recomputed.0.len());
    for (a, b) in kept.0.iter().zip(&recomputed.0) {
        assert_eq!(a, b);
    }
    assert_eq!(kept.1, recomputed.1);
    // The system-wide row adds up to what was stored.
    let all = kept
        .0
        .iter()
        .find(|(scope, ..)| scope == "all")
        .map(|(.., c)| *c)
        .unwrap();
    assert_eq!(all.occurrences, 160);
    assert_eq!(all.rated() + all.invalidated, server.evaluations().await);
    let active: i64 = all.active_levels.iter().sum();
    assert_eq!(
        active + i64::try_from(defaults.done).unwrap(),
        all.rated(),
        "主动评价 leaves the defaults out"
    );
    assert_eq!(all.invalidated, server.invalidations().await);
    // Per scope and month, the channels add up to the valid ratings.
    for (scope, id, month, counts) in &kept.0 {
        let by_channel: i64 = kept
            .3
            .iter()
            .filter(|r| (&r.0, r.1, r.2) == (scope, *id, *month))
            .map(|r| r.4)
            .sum();
        assert_eq!(by_channel, counts.rated(), "{scope} {id} {month}");
    }
}

/// Four registered cases, three rated (非常满意, 非常满意, 不满意 with a phone).
async fn small_month(server: &TestServer) {
    server.rate("S-1", json!({ "level": 5 })).await;
    server.rate("S-2", json!({ "level": 5 })).await;
    let bad = json!({ "level": 2, "reasons": [213], "phone": "13600136000" });
    server.rate("S-3", bad).await;
    server.register(tests::occurrence("S-4")).await;
}

async fn get(server: &TestServer, path: &str) -> (u16, String) {
    let response = server.get(path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

fn this_month() -> String {
    server::platform::db::now().month_cst().to_string()
}

/// The text of the table row whose header is `name`, tags removed.
fn row(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("<th scope=\"row\">{name}</th>"))
        .unwrap_or_else(|| panic!("no row {name}"));
    let end = start + html[start..].find("</tr>").unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push('|');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

#[tokio::test]
async fn a_small_month_is_published_with_truncated_rates_and_suppression() {
    let server = TestServer::start().await;
    small_month(&server).await;
    let (status, html) = get(&server, "/open").await;
    assert_eq!(status, 200);
    assert!(html.contains("登记办件 4 件，有效评价 3 条"), "{html}");
    assert_eq!(row(&html, "好评率"), "好评率|样本不足|2/3");
    assert_eq!(row(&html, "评价率"), "评价率|样本不足|3/4");
    assert_eq!(row(&html, "非常满意"), "非常满意|2");
    assert!(html.contains("窗口人员业务不熟练（1 次）"), "top reason");

    // With a minimum sample of 1 the rates appear, truncated: 2 of 3 is 66.66 %, not 66.67 %.
    let before = server.state.rules().disclosure;
    let after = server::platform::state::Disclosure {
        policy: domain::stats::Policy {
            min_sample: 1,
            basic_counts_as_good: true,
        },
        staff_by_name: true,
        alert: server::platform::state::Alert::default(),
    };
    server
        .state
        .store
        .save_disclosure(1, before, after)
        .await
        .ok();
    server.state.update_rules(|r| r.disclosure = after);
    let (_, html) = get(&server, "/open").await;
    let good = row(&html, "好评率");
    assert!(good.starts_with("好评率|66.66 %|95 % 区间"), "{good}");
    assert_eq!(row(&html, "差评率").split('|').nth(1), Some("33.33 %"));
    assert_eq!(row(&html, "评价率").split('|').nth(1), Some("75.00 %"));
    assert_eq!(row(&html, "差评回复率").split('|').nth(1), Some("0.00 %"));

    // The department, window and item pages carry the same month.
    let bdc = server.department("BDC").await;
    let (status, html) = get(&server, &format!("/open/department/{bdc}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("县不动产登记中心") && html.contains("A01号窗口"));
    let (status, _) = get(&server, "/open/department/9999").await;
    assert_eq!(status, 404);
    // The open data recomputes the published figure.
    let (status, csv) = get(&server, "/open/data.csv").await;
    assert_eq!(status, 200);
    let all: Vec<i64> = csv
        .lines()
        .find(|l| l.starts_with("all,0,"))
        .unwrap()
        .split(',')
        .skip(4)
        .map(|v| v.parse().unwrap())
        .collect();
    let (l, occurrences) = (&all[1..6], all[0]);
    assert_eq!(occurrences, 4);
    assert_eq!((l[4] + l[3] + l[2]) * 10_000 / l.iter().sum::<i64>(), 6666);
    let (_, json) = get(&server, &format!("/open/data.json?month={}", this_month())).await;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json["rows"].as_array().unwrap().len() >= 6);
    let (status, _) = get(&server, "/open/data.json?month=2026-13").await;
    assert_eq!(status, 422);
}

/// Runs of digits as long as a phone (11) or an ID number (15–18, maybe ending in X).
fn long_digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == 'X' && run.len() == 17) {
            run.push(c);
        } else {
            if run.len() >= 11 {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    runs
}

#[tokio::test]
async fn no_public_page_carries_personal_data() {
    let server = TestServer::start().await;
    widen(&server).await;
    random_history(&server, 40, 7).await;
    small_month(&server).await;
    let s = &server.state;
    let ids = |table: &str| format!("SELECT min(id) FROM {table}");
    let department = sqlx_count(s, &ids("department")).await;
    let window = sqlx_count(s, &ids("service_window")).await;
    let item = sqlx_count(s, &ids("service_item")).await;
    let pages = [
        "/open".to_owned(),
        format!("/open/department/{department}"),
        format!("/open/window/{window}"),
        format!("/open/item/{item}"),
        format!("/open/staff?month={}", this_month()),
        format!("/open/rectifications?month={}", this_month()),
        "/open/methods".to_owned(),
        "/open/data.csv".to_owned(),
        "/open/data.json".to_owned(),
        "/open/data-schema.json".to_owned(),
    ];
    for page in pages {
        let (status, body) = get(&server, &page).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            !body.contains("13600136000") && !body.contains("13912345678"),
            "{page}"
        );
        // Staff numbers are short; record ids are not personal. Nothing phone- or ID-like.
        let runs: Vec<String> = long_digit_runs(&body)
            .into_iter()
            // The embedded hydration data and asset names may carry hashes or timestamps.
            .filter(|r| r.starts_with('1') && r.len() == 11 || r.len() >= 15)
            .filter(|r| !body.contains(&format!("\"{r}\"")) || r.len() == 11)
            .collect();
        assert!(runs.is_empty(), "{page}: {runs:?}");
    }
    // Staff are named on the 公示 only when set; by default they appear by number.
    let (_, html) = get(&server, &format!("/open/staff?month={}", this_month())).await;
    assert!(
        html.contains("工号 S001") && !html.contains("王芳"),
        "{html}"
    );
}

/// 整改公示 lists a month's closed 差评 loops under the month their service was registered in
/// (not the month they closed in); a loop still open stays off every month's list.
#[tokio::test]
async fn the_rectification_list_shows_the_closed_loops_of_the_services_month() {
    let server = TestServer::start().await;
    let s = &server.state;
    let handler = server.handler("bdc", "BDC").await.actor;
    let this = server::platform::db::now().month_cst();
    let bad = |reason: u16| json!({ "level": 2, "reasons": [reason] });
    // Registered in the last hour of last month (the registration stamps the present, so the
    // occurrence is back-dated before its rating), rated and closed now.
    let link = server.rating_link("RL-1").await;
    sqlx::query("UPDATE service_occurrence SET registered_at = $1 WHERE case_number = 'RL-1'")
        .bind(this.start_unix_ms_cst() - 3_600_000)
        .execute(s.store.pool())
        .await
        .unwrap();
    let last_months = server.rate_link(&link, bad(211)).await;
    let this_months = server.rate("RL-2", bad(212)).await;
    server.rate("RL-3", bad(214)).await; // left open
    for rated in [&last_months, &this_months] {
        let ticket = server.ticket_of(&rated.tracking_code).await;
        tests::reached_visit(s, handler, ticket, "已电话回访核实")
            .await
            .unwrap();
        for step in FIX_AND_REPLY {
            server::features::ticket::act(s, handler, ticket, step, Some("已整改"))
                .await
                .unwrap();
        }
        server::features::ticket::citizen_rates_fix(s, &rated.tracking_code, FixRating::Satisfied)
            .await
            .unwrap();
    }
    assert_eq!(server.tickets_in("closed").await, 2);
    let label = |code: i64| domain::Catalogue::CURRENT.labels_of(&[code]).join("");
    let list = |month: domain::time::Month| format!("/open/rectifications?month={month}");
    let last_page = server.page(&list(this.prev())).await;
    let this_page = server.page(&list(this)).await;
    assert!(last_page.contains(&label(211)), "{last_page}");
    assert!(!last_page.contains(&label(212)) && !last_page.contains(&label(214)));
    assert!(this_page.contains(&label(212)), "{this_page}");
    assert!(!this_page.contains(&label(211)) && !this_page.contains(&label(214)));
    assert!(this_page.contains("立行立改"), "{this_page}");
}
