//! Nothing acknowledged is lost: a server killed with SIGKILL under 64 clients keeps every rating
//! it answered 201 for (with its reasons, ticket and aggregates), retried links rate at most once;
//! a backup taken under load restores every rating acknowledged before it began (SQLite's own
//! `backup`; PostgreSQL is backed up by its tools, README "Deploying"). The crash and the two
//! instances run on the suite's backend: PostgreSQL when `HAOCHAPING_TEST_POSTGRES` names a
//! cluster, else SQLite files.

use std::{
    collections::BTreeMap,
    path::Path,
    sync::{Arc, Mutex},
};

use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection, Row};
use tests::fixtures::processes::{Instance, free_port};

const KEY: &str = "2222222222222222222222222222222222222222222222222222222222222222";
const CLIENTS: usize = 64;

/// The environment of a county's instances: the key, no write limit, and the database — the
/// suite's PostgreSQL one when it has a cluster and `on_suite_backend`, else the SQLite file in
/// the data directory.
async fn county_env(on_suite_backend: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("HAOCHAPING_KEY", KEY.to_owned()),
        ("HAOCHAPING_WRITES_PER_MINUTE", "100000000".to_owned()),
    ];
    if on_suite_backend && let Some(url) = tests::postgres::test_database().await {
        env.push(("DATABASE_URL", url));
    }
    env
}

/// `env` as `Instance::new` takes it.
fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A county on its own process: one department and item, a business system; its key.
async fn county(dir: &Path, env: &[(&'static str, String)]) -> (Instance, String) {
    let mut county = Instance::new(
        env!("CARGO_BIN_EXE_instance"),
        dir,
        free_port(),
        &pairs(env),
    );
    for args in [
        &["add", "region", "code=341125", "name=示范县", "parent="][..],
        &[
            "add",
            "department",
            "code=BDC",
            "name=县不动产登记中心",
            "region=341125",
        ],
        &[
            "add",
            "service_item",
            "code=000112001000",
            "name=不动产首次登记",
            "item_type=public_service",
            "department=BDC",
        ],
    ] {
        county.command(args, "").await;
    }
    let output = county
        .command(&["add-business-system", "portal", "--region", "341125"], "")
        .await;
    let key = output
        .lines()
        .find_map(|l| l.split_once("API key (shown once, only its hash is kept): "))
        .map(|(_, key)| key.trim().to_owned())
        .expect("the key");
    county.start().await;
    (county, key)
}

/// Registers `n` cases; their rating links.
async fn links(base: &str, key: &str, n: usize, prefix: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut made = tokio::task::JoinSet::new();
    for chunk in 0..8 {
        let (http, base, key, prefix) = (
            http.clone(),
            base.to_owned(),
            key.to_owned(),
            prefix.to_owned(),
        );
        made.spawn(async move {
            let mut links = Vec::new();
            for i in (chunk..n).step_by(8) {
                let registered: Value = http
                    .post(format!("{base}/api/v1/occurrences"))
                    .bearer_auth(&key)
                    .json(&json!({ "case_number": format!("{prefix}-{i:05}"), "occurrence_no": 1,
                                   "service_item": "000112001000", "department": "BDC", "channel": "pc" }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                links.push(registered["rating_url"].as_str().expect("a link").to_owned());
            }
            links
        });
    }
    let mut all = Vec::new();
    while let Some(done) = made.join_next().await {
        all.extend(done.unwrap());
    }
    all
}

/// What became of each link: the tracking code of a 201, or `None` for no answer.
type Answers = Arc<Mutex<BTreeMap<String, Option<String>>>>;

fn rating(i: usize) -> Value {
    match i % 5 {
        0 => json!({ "level": 1, "reasons": [115], "comment": format!("第{i}号：态度差") }),
        1 => json!({ "level": 2, "reasons": [213] }),
        2 => json!({ "level": 3 }),
        _ => json!({ "level": 5, "reasons": [510] }),
    }
}

/// 64 clients rate `links` until they run out or the server stops answering; every answer kept.
fn rate_all(links: Vec<String>, answers: Answers) -> tokio::task::JoinSet<()> {
    let queue = Arc::new(Mutex::new(
        links.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let http = reqwest::Client::new();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (queue, http, answers) = (Arc::clone(&queue), http.clone(), Arc::clone(&answers));
        clients.spawn(async move {
            loop {
                let Some((i, link)) = queue.lock().unwrap().pop() else {
                    return;
                };
                let sent = http.post(&link).json(&rating(i)).send().await;
                let code = match sent {
                    Ok(r) if r.status() == 201 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        body["tracking_code"].as_str().map(str::to_owned)
                    }
                    Ok(r) => panic!("{link}: {}", r.status()),
                    Err(_) => None,
                };
                let gone = code.is_none();
                answers.lock().unwrap().insert(link, code);
                if gone {
                    return;
                }
            }
        });
    }
    clients
}

/// A connection to the instance's database, SQLite file or PostgreSQL.
async fn open(db: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(db).await.unwrap()
}

/// Every aggregate row of `stat`, as text, in order.
async fn stats(db: &str) -> Vec<String> {
    let mut c = open(db).await;
    sqlx::query("SELECT * FROM stat ORDER BY scope, scope_id, month")
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<i64, _>(i)
                        .map(|n| n.to_string())
                        .or_else(|_| r.try_get::<String, _>(i))
                        .unwrap()
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

/// Every acknowledged code is stored with its reasons and, for a 差评, its ticket.
async fn assert_stored(db: &str, acknowledged: &[String]) {
    let mut c = open(db).await;
    for code in acknowledged {
        let row = sqlx::query(
            "SELECT e.level, (SELECT count(*) FROM evaluation_reason r WHERE r.evaluation_id = e.id) AS reasons, \
             (SELECT count(*) FROM ticket t WHERE t.evaluation_id = e.id) AS tickets \
             FROM evaluation e WHERE e.tracking_code = $1",
        )
        .bind(code)
        .fetch_optional(&mut c)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("acknowledged rating {code} is missing"));
        let (level, reasons, tickets): (i64, i64, i64) =
            (row.get("level"), row.get("reasons"), row.get("tickets"));
        assert_eq!(reasons, i64::from(level != 3), "{code}: its reasons");
        assert_eq!(tickets, i64::from(level <= 2), "{code}: its ticket");
    }
}

#[tokio::test]
async fn a_server_killed_under_load_keeps_every_acknowledged_rating_and_retries_rate_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, key) = county(dir.path(), &county_env(true).await).await;
    eprintln!(
        "backend: {}",
        county.database_url().split(':').next().unwrap()
    );
    let all = links(&county.base, &key, 3000, "K9").await;
    let answers: Answers = Arc::default();
    let mut clients = rate_all(all.clone(), Arc::clone(&answers));
    // SIGKILL at a moment the test does not choose: once a varying share of the links has an answer.
    let share = 200 + (server::platform::db::now_ms() % 1000) as usize;
    while answers.lock().unwrap().len() < share {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    county.kill().await;
    while clients.join_next().await.is_some() {}
    let answered: BTreeMap<String, Option<String>> = answers.lock().unwrap().clone();
    let acknowledged: Vec<String> = answered.values().flatten().cloned().collect();
    let unanswered: Vec<String> = answered
        .iter()
        .filter(|(_, code)| code.is_none())
        .map(|(link, _)| link.clone())
        .collect();
    assert!(acknowledged.len() >= 200, "{}", acknowledged.len());
    assert!(acknowledged.len() < all.len(), "killed before the end");

    county.start().await;
    let db = county.database_url();
    assert_stored(&db, &acknowledged).await;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM evaluation")
        .fetch_one(&mut open(&db).await)
        .await
        .unwrap();
    assert!(
        stored as usize >= acknowledged.len()
            && stored as usize <= acknowledged.len() + unanswered.len(),
        "{stored} stored, {} acknowledged",
        acknowledged.len()
    );
    // A client that got no answer retries its link: stored now, or already rated; never twice.
    let http = reqwest::Client::new();
    for (n, link) in unanswered.iter().enumerate() {
        let retried = http.post(link).json(&rating(n)).send().await.unwrap();
        assert!(
            [201, 409].contains(&retried.status().as_u16()),
            "{link}: {}",
            retried.status()
        );
    }
    for link in answered
        .iter()
        .filter(|(_, c)| c.is_some())
        .map(|(l, _)| l)
        .take(20)
    {
        let again = http.post(link).json(&rating(0)).send().await.unwrap();
        assert_eq!(again.status(), 409, "an acknowledged link is rated already");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM evaluation")
        .fetch_one(&mut open(&db).await)
        .await
        .unwrap();
    assert_eq!(after as usize, acknowledged.len() + unanswered.len());
    // The kept aggregates equal a rebuild from the ratings.
    county.kill().await;
    let kept = stats(&db).await;
    county.command(&["rebuild-stats"], "").await;
    assert_eq!(stats(&db).await, kept);
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_every_rating_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (county, key) = county(dir.path(), &county_env(false).await).await;
    let all = links(&county.base, &key, 3000, "BK").await;
    let answers: Answers = Arc::default();
    let mut clients = rate_all(all, Arc::clone(&answers));
    while answers.lock().unwrap().len() < 300 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before: Vec<String> = answers
        .lock()
        .unwrap()
        .values()
        .flatten()
        .cloned()
        .collect();
    let backup = dir.path().join("backup.db");
    // A second process copies the database while the clients go on rating.
    let printed = county
        .command(&["backup", backup.to_str().unwrap()], "")
        .await;
    let during = answers.lock().unwrap().len();
    assert!(printed.contains("integrity ok"), "{printed}");
    while clients.join_next().await.is_some() {}
    assert!(
        answers.lock().unwrap().len() > during,
        "the clients went on while the backup ran"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Restore: the copy becomes the database of a server on the same key.
    let restored_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&backup, restored_dir.path().join("haochaping.db")).unwrap();
    let mut restored = Instance::new(
        env!("CARGO_BIN_EXE_instance"),
        restored_dir.path(),
        free_port(),
        &[("HAOCHAPING_KEY", KEY)],
    );
    restored.start().await;
    let db = restored.database_url();
    assert_stored(&db, &before).await;
    let page = reqwest::get(format!("{}/open", restored.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("有效评价"), "the restored server serves");
    restored.kill().await;
    let kept = stats(&db).await;
    restored.command(&["rebuild-stats"], "").await;
    assert_eq!(
        stats(&db).await,
        kept,
        "the copy's aggregates are its ratings'"
    );
}

#[tokio::test]
async fn two_instances_on_one_database_share_ratings_sessions_and_job_leases() {
    use app::api::staff::{StaffLogin, Whoami};
    use leptos::server_fn::ServerFn;
    let dir = tempfile::tempdir().unwrap();
    let env = county_env(true).await;
    let (a, key) = county(dir.path(), &env).await;
    eprintln!("backend: {}", a.database_url().split(':').next().unwrap());
    a.command(
        &["create-account", "wang", "handler", "BDC"],
        "s3cret-pass-2026\n",
    )
    .await;
    let mut b = Instance::new(
        env!("CARGO_BIN_EXE_instance"),
        dir.path(),
        free_port(),
        &pairs(&env),
    );
    b.start().await;

    // Cases registered at one, rated at either: every rating stored once.
    let all = links(&a.base, &key, 400, "TW").await;
    let on_b: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, link)| {
            if i % 2 == 0 {
                link.replace(&a.base, &b.base)
            } else {
                link.clone()
            }
        })
        .collect();
    let answers: Answers = Arc::default();
    let mut clients = rate_all(on_b, Arc::clone(&answers));
    while clients.join_next().await.is_some() {}
    let acknowledged: Vec<String> = answers
        .lock()
        .unwrap()
        .values()
        .flatten()
        .cloned()
        .collect();
    assert_eq!(acknowledged.len(), 400);
    let db = a.database_url();
    assert_stored(&db, &acknowledged).await;

    // A session opened at one instance works at the other.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{}{}", a.base, StaffLogin::PATH))
        .header("accept", "text/html")
        .header("referer", format!("{}/staff/login", a.base))
        .form(&[
            ("username", "wang"),
            ("password", "s3cret-pass-2026"),
            ("code", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_redirection(), "{}", login.status());
    let cookie = tests::cookie_of(&login);
    let me = http
        .post(format!("{}{}", b.base, Whoami::PATH))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the session is the database's");

    // Both instances started their timers and senders; the leases (one row per job, whose
    // semantics the server's unit test holds) say which one runs each.
    let mut c = open(&db).await;
    let jobs: Vec<String> = sqlx::query_scalar("SELECT name FROM job_lease ORDER BY name")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert_eq!(jobs, ["callbacks", "minute", "upward"]);
    drop(c);
    drop(b);
    drop(a);
    let kept = stats(&db).await;
    let (restarted, _) = (
        Instance::new(
            env!("CARGO_BIN_EXE_instance"),
            dir.path(),
            free_port(),
            &pairs(&env),
        ),
        (),
    );
    restarted.command(&["rebuild-stats"], "").await;
    assert_eq!(
        stats(&db).await,
        kept,
        "two writers kept the aggregates true"
    );
}
