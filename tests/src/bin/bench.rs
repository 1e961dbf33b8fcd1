//! `cargo run --release -p tests --bin bench`: the rating page's weight (raw, gzip, brotli) and
//! sustained rating submissions at 64 concurrent clients over HTTP, beside the raw durable insert
//! rate of the same database in the same run. Bounded: a fixed number of requests. On SQLite, or on
//! PostgreSQL when `HAOCHAPING_TEST_POSTGRES` names a cluster (`scripts/pg-cluster start DIR`).
//! `bench public N`: the public pages and the rating rate at N generated ratings.
//! `bench pg-contention` measures PostgreSQL's counters, sharded against one hot row
//! ([`pg_contention`]).

#[path = "bench/pg_contention.rs"]
mod pg_contention;

use std::{
    io::Write,
    sync::{Arc, Mutex, atomic::Ordering},
    time::{Duration, Instant},
};

use serde_json::json;
use tests::{TestServer, site_root};

const CLIENTS: usize = 64;
const RATINGS: usize = 6_400;

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("memory");
    encoder.finish().expect("memory").len()
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("memory");
    out.len()
}

fn weigh(name: &str, bytes: &[u8], total: &mut [usize; 3]) {
    let row = [bytes.len(), gzip(bytes), brotli(bytes)];
    println!("{name:<22} {:>9} {:>9} {:>9}", row[0], row[1], row[2]);
    for (t, r) in total.iter_mut().zip(row) {
        *t += r;
    }
}

async fn page_weight(server: &TestServer) {
    let link = server.rating_link("WEIGHT-1").await;
    let html = server
        .http
        .get(&link)
        .send()
        .await
        .expect("page")
        .bytes()
        .await
        .expect("body");
    let boot = server
        .http
        .get(server.url("/widget/boot.js"))
        .send()
        .await
        .expect("boot")
        .bytes()
        .await
        .expect("body");
    let pkg = site_root().join("pkg");
    let js = std::fs::read(pkg.join("widget.js")).expect("run scripts/build-site first");
    let wasm = std::fs::read(pkg.join("widget_bg.wasm")).expect("run scripts/build-site first");
    println!("\nRating page weight (bytes)   raw      gzip    brotli");
    let mut first = [0; 3];
    weigh("HTML + inline CSS", &html, &mut first);
    let mut total = first;
    weigh("widget/boot.js", &boot, &mut total);
    weigh("pkg/widget.js", &js, &mut total);
    weigh("pkg/widget_bg.wasm", &wasm, &mut total);
    println!(
        "{:<22} {:>9} {:>9} {:>9}",
        "total", total[0], total[1], total[2]
    );
    println!(
        "budget: first response <= 14 KB compressed ({} B brotli), everything <= 60 KB brotli ({} B)",
        first[2], total[2]
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

/// Which database the server under load runs on.
fn backend_name(server: &TestServer) -> &'static str {
    match server.state.store.backend() {
        server::platform::db::Backend::Sqlite => "SQLite",
        server::platform::db::Backend::Postgres => "PostgreSQL",
    }
}

/// `RATINGS` cases registered by the business system of `key`, each `case(i)` with a number of
/// this run (a reused database already holds earlier runs' cases); their rating links.
async fn register_cases(
    server: &TestServer,
    key: &str,
    case: impl Fn(&str) -> serde_json::Value,
) -> Vec<String> {
    let run = server::platform::db::now_ms();
    let mut links = Vec::with_capacity(RATINGS);
    for i in 0..RATINGS {
        let mut body = case(&format!("BENCH-{run}-{i}"));
        body["evaluator_phone"] = serde_json::Value::Null;
        let response: serde_json::Value = server
            .register_as(key, body)
            .await
            .json()
            .await
            .expect("json");
        links.push(response["rating_url"].as_str().expect("url").to_owned());
    }
    links
}

async fn submissions(server: &TestServer, links: Vec<String>) {
    let queue = Arc::new(Mutex::new(links));
    let idle_kb = memory_kb("VmRSS");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let queue = Arc::clone(&queue);
        let http = server.http.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(link) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let bad = latencies.len() % 50 == 49;
                let body = if bad {
                    json!({ "level": 2, "reasons": [213], "comment": "等了很久" })
                } else {
                    json!({ "level": 5, "reasons": [510] })
                };
                let t = Instant::now();
                let status = http
                    .post(&link)
                    .json(&body)
                    .send()
                    .await
                    .expect("submit")
                    .status();
                latencies.push(t.elapsed());
                assert_eq!(status, 201);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let rate = RATINGS as f64 / elapsed.as_secs_f64();
    println!(
        "\nRating submissions over HTTP on {}, {CLIENTS} clients, {RATINGS} ratings",
        backend_name(server)
    );
    println!(
        "throughput {rate:.0}/s  p50 {:.2} ms  p99 {:.2} ms",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99))
    );
    let stored = tests::sqlx_count(
        &server.state,
        "SELECT count(*) FROM evaluation e JOIN service_occurrence o ON o.id = e.occurrence_id \
         WHERE o.case_number LIKE 'BENCH-%'",
    )
    .await;
    assert!(
        stored as usize >= RATINGS,
        "every acknowledged rating is stored"
    );
    let batches = server.state.store.batch_stats();
    let (n, requests, largest) = (
        batches.batches.load(Ordering::Relaxed),
        batches.requests.load(Ordering::Relaxed),
        batches.largest.load(Ordering::Relaxed),
    );
    println!(
        "group commit: {requests} writes in {n} transactions (mean batch {:.1}, largest {largest}), durable commits",
        requests as f64 / n.max(1) as f64
    );
    println!(
        "process RSS (server and the bench's own 64 clients): idle {} MB, peak {} MB",
        idle_kb / 1024,
        memory_kb("VmHWM") / 1024
    );

    let raw = raw_inserts(server).await;
    println!(
        "raw durable {} inserts (one row per transaction, {CLIENTS} tasks, the read pool): {raw:.0}/s",
        backend_name(server)
    );
    println!("ratio rating submissions / raw inserts: {:.2}", rate / raw);
}

/// A memory figure of this process from /proc (kB), 0 where there is none.
fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|l| {
                l.strip_prefix(field)?
                    .trim_start_matches(':')
                    .trim()
                    .trim_end_matches(" kB")
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The same database and pool settings, one plain INSERT per transaction.
async fn raw_inserts(server: &TestServer) -> f64 {
    let pool = server.state.store.pool().clone();
    let id = match server.state.store.backend() {
        server::platform::db::Backend::Sqlite => "INTEGER PRIMARY KEY",
        server::platform::db::Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS bench_raw (id {id}, a BIGINT NOT NULL, b TEXT NOT NULL, c BIGINT NOT NULL)"
    ))
    .execute(&pool)
    .await
    .expect("table");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..CLIENTS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..RATINGS / CLIENTS {
                sqlx::query("INSERT INTO bench_raw (a, b, c) VALUES ($1, $2, $3)")
                    .bind(5)
                    .bind(format!("T{task}-{i}"))
                    .bind(i as i64)
                    .execute(&pool)
                    .await
                    .expect("insert");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    RATINGS as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [mode, ratings] = &args[..]
        && mode == "public"
    {
        public_pages(ratings.parse().expect("number of ratings")).await;
        return;
    }
    if args.first().map(String::as_str) == Some("pg-contention") {
        let ratings = args
            .get(1)
            .map_or(12_800, |n| n.parse().expect("ratings per run"));
        pg_contention::run(ratings).await;
        return;
    }
    if args.first().map(String::as_str) == Some("upward") {
        let rate = args
            .get(1)
            .map_or(1000, |r| r.parse().expect("ratings per second"));
        let seconds = args.get(2).map_or(10, |s| s.parse().expect("seconds"));
        upward_lag(rate, seconds).await;
        return;
    }
    let server = TestServer::start().await;
    page_weight(&server).await;
    // `bench weight`: the rating page's bytes only (no load), quick enough for a debug build.
    if args.first().map(String::as_str) != Some("weight") {
        let links = register_cases(&server, &server.api_key, tests::occurrence).await;
        submissions(&server, links).await;
    }
}

/// p50 and p99 of `times`, in milliseconds.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.99))
}

/// `bench public N`: the public pages at N generated ratings (the database is generated once into
/// `target/bench/`, then reused). Server time per page over HTTP on the same machine, beside the
/// same figures computed by a plain scan of the ratings.
async fn public_pages(ratings: i64) {
    use server::{dev_data::GenerateSpec, features::disclosure::Scope};
    let dir = site_root()
        .parent()
        .expect("target")
        .join("bench")
        .join(format!("province-{ratings}"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    // SQLite: a file in `target/bench/`; PostgreSQL: a database of the cluster named by
    // HAOCHAPING_TEST_POSTGRES, kept there for the next run.
    let database_url = match std::env::var("HAOCHAPING_TEST_POSTGRES") {
        Ok(cluster) => {
            tests::postgres::named_database(&cluster, &format!("bench_province_{ratings}")).await
        }
        Err(_) => format!("sqlite://{}/haochaping.db?mode=rwc", dir.display()),
    };
    let server = TestServer::start_on_existing(|config| {
        config.data_dir = dir.clone();
        config.database_url = database_url;
    })
    .await;
    let store = &server.state.store;
    // Generated once: the province's region is the generator's first row.
    let fresh = tests::sqlx_count(
        &server.state,
        "SELECT count(*) FROM region WHERE code = '980000'",
    )
    .await
        == 0;
    if fresh {
        let started = Instant::now();
        let generated = store
            .generate(
                GenerateSpec::province(ratings),
                server::dev_data::bad_reason_codes(),
            )
            .await
            .expect("generate");
        println!(
            "generated {} ratings ({} 差评, {} occurrences, {} windows) in {:.0?}",
            generated.ratings,
            generated.bad,
            generated.occurrences,
            generated.windows,
            started.elapsed()
        );
    }
    let state = &server.state;
    let one = |sql: &'static str| tests::sqlx_count(state, sql);
    let ratings_stored = one("SELECT count(*) FROM evaluation").await;
    let department = one("SELECT max(department_id) FROM service_window").await;
    let window = one("SELECT max(id) FROM service_window").await;
    let item = one("SELECT max(id) FROM service_item").await;
    // The busiest month, not the newest: the generated year ends today, so the newest month may
    // hold a day or two, and a month's lists (整改公示, the open data) grow with its ratings.
    let month = one(
        "SELECT month FROM stat WHERE scope = 'all' ORDER BY l1 + l2 + l3 + l4 + l5 DESC, month DESC \
         LIMIT 1",
    )
    .await;
    let month = domain::time::Month::from_yyyymm(month).expect("a month with ratings");
    let label = month.to_string();
    println!(
        "\npublic pages on {} at {ratings_stored} ratings, month {label}: server time over HTTP, ms",
        backend_name(&server)
    );
    println!("{:<44} {:>8} {:>8}", "page", "p50", "p99");
    let pages = [
        (format!("/open?month={label}"), Scope::All),
        (
            format!("/open/department/{department}?month={label}"),
            Scope::Department(department),
        ),
        (
            format!("/open/window/{window}?month={label}"),
            Scope::Window(window),
        ),
        (
            format!("/open/item/{item}?month={label}"),
            Scope::Item(item),
        ),
        (format!("/open/staff?month={label}"), Scope::All),
        (format!("/open/rectifications?month={label}"), Scope::All),
        (format!("/open/data.csv?month={label}"), Scope::All),
    ];
    const ROUNDS: usize = 200;
    for (path, _) in &pages {
        let url = server.url(path);
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let response = server.http.get(&url).send().await.expect("page");
            assert!(response.status().is_success(), "{path}");
            response.bytes().await.expect("body");
            times.push(started.elapsed());
        }
        let (p50, p99) = percentiles(&mut times);
        println!("{path:<44} {p50:>8.2} {p99:>8.2}");
    }
    println!("\nthe same figures by a plain scan of the ratings (no aggregates), ms");
    for (path, scope) in pages.iter().take(4) {
        let mut times = Vec::new();
        let mut aggregated = Duration::ZERO;
        for _ in 0..3 {
            let started = Instant::now();
            let scanned = store.scan_counts(*scope, month, month).await.expect("scan");
            times.push(started.elapsed());
            let started = Instant::now();
            let kept = store.stat_months(*scope, month, month).await.expect("stat");
            aggregated += started.elapsed();
            assert_eq!(kept.first().map(|(_, c)| *c), Some(scanned), "{path}");
        }
        let (p50, _) = percentiles(&mut times);
        let kept_ms = aggregated.as_secs_f64() * 1000.0 / 3.0;
        println!(
            "{path:<44} scan {p50:>9.1}   aggregate {kept_ms:>6.3}   ratio {:>8.0}",
            p50 / kept_ms.max(0.001)
        );
    }

    // The rating rate at this size: cases of the generated first county's first window.
    let county = domain::ids::RegionId(one("SELECT id FROM region WHERE code = '990000'").await);
    let key = tests::business_system(state, "bench portal", "", county).await;
    let links = register_cases(&server, &key, |case| {
        json!({
            "case_number": case,
            "occurrence_no": 1,
            "service_item": "990000000000",
            "department": "GD00000",
            "window": "GW000000",
            "staff": "GGW000000",
            "channel": "sms",
        })
    })
    .await;
    submissions(&server, links).await;
}

/// `bench upward [RATE] [SECONDS]` (default 1000 ratings/s for 10 s): a county rating at a
/// sustained rate while its reporter sends everything to a province (a second server on
/// loopback); the reporting lag of every record (committed → the province acknowledged it), beside
/// the rate the county actually sustained.
async fn upward_lag(rate: usize, seconds: usize) {
    let province = TestServer::start().await;
    let key = province.add_business_system("").await;
    let county = TestServer::start().await;
    server::features::upward::add_target(
        &county.state,
        &server::features::upward::TargetForm {
            name: "province",
            url: &province.base,
            mapping: "haochaping",
            sign_method: "hmac-sha256",
            key: &key,
            data_source: "bench",
        },
    )
    .await
    .expect("target");
    let total = rate * seconds;
    let mut links = Vec::with_capacity(total);
    for i in 0..total {
        let mut body = tests::occurrence(&format!("LAG-{i}"));
        body["evaluator_phone"] = serde_json::Value::Null;
        let response: serde_json::Value = county.register(body).await.json().await.expect("json");
        links.push(response["rating_url"].as_str().expect("url").to_owned());
    }
    tokio::spawn(server::features::upward::report_forever(
        county.state.clone(),
    ));
    let queue = Arc::new(Mutex::new(links));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let period = Duration::from_secs_f64(CLIENTS as f64 / rate as f64);
    for _ in 0..CLIENTS {
        let queue = Arc::clone(&queue);
        let http = county.http.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let Some(link) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let status = http
                    .post(&link)
                    .json(&json!({ "level": 5, "reasons": [510] }))
                    .send()
                    .await
                    .expect("submit")
                    .status();
                assert_eq!(status, 201);
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    let sustained = total as f64 / started.elapsed().as_secs_f64();
    let delivered = "SELECT count(*) FROM upward_delivery WHERE delivered_at IS NOT NULL";
    let deadline = Instant::now() + Duration::from_secs(120);
    while (tests::sqlx_count(&county.state, delivered).await as usize) < total {
        assert!(
            Instant::now() < deadline,
            "not delivered within two minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut lags: Vec<Duration> = sqlx::query_scalar::<_, i64>(
        "SELECT d.delivered_at - x.created_at FROM upward_delivery d \
         JOIN upward_outbox x ON x.id = d.outbox_id",
    )
    .fetch_all(county.state.store.pool())
    .await
    .expect("lags")
    .into_iter()
    .map(|ms| Duration::from_millis(u64::try_from(ms.max(0)).unwrap_or(0)))
    .collect();
    let (p50, p99) = percentiles(&mut lags);
    let received = tests::sqlx_count(
        &province.state,
        "SELECT count(*) FROM service_occurrence WHERE kind = 'reported'",
    )
    .await;
    println!("\nUpward reporting: {total} ratings asked at {rate}/s, sustained {sustained:.0}/s");
    println!(
        "reporting lag (committed → acknowledged by the province): p50 {p50:.0} ms  p99 {p99:.0} ms"
    );
    println!(
        "received by the province: {received} (exactly once: {})",
        received as usize == total
    );
}
