//! 公示: the aggregates against a full recomputation, the public pages and the open data.

use domain::{
    access::{Actor, Role},
    ticket::{FixRating, TicketAction, Triage},
};
use server::crypto::hash_password;
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
    s.insert_service_item(bdc, "000112002000", "不动产抵押登记")
        .await
        .unwrap();
}

/// Registers and rates `n` cases at random, with tickets taken through random steps and some
/// appeals upheld. Returns the handler and supervisor.
async fn random_history(server: &TestServer, n: usize, seed: u64) -> (Actor, Actor) {
    let s = &server.state;
    let bdc = sqlx_count(s, "SELECT id FROM department WHERE code = 'BDC'").await;
    let handler = Actor {
        account_id: s
            .store
            .insert_account("bdc", &hash_password("s3cret-pass"), "handler", Some(bdc))
            .await
            .unwrap(),
        role: Role::Handler,
        department_id: Some(bdc),
    };
    let supervisor = Actor {
        account_id: s
            .store
            .insert_account("jiandu", &hash_password("s3cret-pass"), "supervisor", None)
            .await
            .unwrap(),
        role: Role::Supervisor,
        department_id: None,
    };
    let mut dice = Dice(seed);
    for i in 0..n {
        let mut case = tests::occurrence(&format!("R-{i}"));
        if dice.roll(2) == 0 {
            case["window"] = "W-A02".into();
            case["staff"] = "S002".into();
            case["service_item"] = "000112002000".into();
        }
        let registered: serde_json::Value = server.register(case).await.json().await.unwrap();
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
        let mut body = serde_json::json!({ "level": level, "reasons": reasons });
        if dice.roll(2) == 0 {
            body["phone"] = "13600136000".into();
        }
        let link = registered["rating_url"].as_str().unwrap();
        let rated = server.http.post(link).json(&body).send().await.unwrap();
        assert_eq!(rated.status(), 201, "{}", rated.text().await.unwrap());
    }
    let tickets: Vec<(i64, bool)> = sqlx::query_as("SELECT id, real_name FROM ticket ORDER BY id")
        .fetch_all(s.store.pool())
        .await
        .unwrap();
    for (ticket, real_name) in tickets {
        let act =
            |actor, action| server::services::ticket::act(s, actor, ticket, action, Some("记录"));
        let visit = if real_name {
            TicketAction::RecordVisit
        } else {
            TicketAction::RecordCheckWithoutContact
        };
        match dice.roll(5) {
            0 => {} // still open
            1 => {
                act(handler, visit).await.unwrap();
                act(handler, TicketAction::Triage(Triage::Appeal))
                    .await
                    .unwrap();
                let upheld = dice.roll(2) == 0;
                act(supervisor, TicketAction::DecideAppeal { upheld })
                    .await
                    .unwrap();
            }
            k => {
                act(handler, visit).await.unwrap();
                act(handler, TicketAction::Triage(Triage::FixNow))
                    .await
                    .unwrap();
                act(handler, TicketAction::RecordRectification)
                    .await
                    .unwrap();
                act(handler, TicketAction::Reply).await.unwrap();
                let code: String = sqlx::query_scalar(
                    "SELECT e.tracking_code FROM ticket t JOIN evaluation e ON e.id = t.evaluation_id WHERE t.id = ?",
                )
                .bind(ticket)
                .fetch_one(s.store.pool())
                .await
                .unwrap();
                if k >= 3 {
                    let verdict = if k == 3 {
                        FixRating::Dissatisfied
                    } else {
                        FixRating::Satisfied
                    };
                    server::services::ticket::citizen_rates_fix(s, &code, verdict)
                        .await
                        .unwrap();
                }
                if k == 3 {
                    // Reopened: fixed again and this time left unrated, then closed.
                    act(handler, TicketAction::Triage(Triage::FixNow))
                        .await
                        .unwrap();
                    act(handler, TicketAction::RecordRectification)
                        .await
                        .unwrap();
                    act(handler, TicketAction::Reply).await.unwrap();
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
    random_history(&server, 160, 0x9E37_79B9_7F4A_7C15).await;
    let s = &server.state.store;
    assert!(
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM evaluation_invalidation"
        )
        .await
            > 0,
        "the history includes upheld appeals"
    );
    let kept = (
        s.all_stats().await.unwrap(),
        s.all_reason_stats().await.unwrap(),
    );
    s.rebuild_stats().await.unwrap();
    let recomputed = (
        s.all_stats().await.unwrap(),
        s.all_reason_stats().await.unwrap(),
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
    assert_eq!(
        all.rated() + all.invalidated,
        sqlx_count(&server.state, "SELECT count(*) FROM evaluation").await
    );
    assert_eq!(
        all.invalidated,
        sqlx_count(
            &server.state,
            "SELECT count(*) FROM evaluation_invalidation"
        )
        .await
    );
}
