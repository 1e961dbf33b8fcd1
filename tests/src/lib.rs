//! Test harness: a real server on `127.0.0.1:0` with a fresh database per test — an SQLite file,
//! or with `HAOCHAPING_TEST_POSTGRES` a PostgreSQL database of its own ([`postgres::test_database`])
//! — a real HTTP client, and real Chromium driven through ChromeDriver for browser journeys.
//!
//! What tests set up before they act (staff signed in, ratings, more organisation) lives in
//! [`fixtures`]. The PostgreSQL schema's contract test uses a throw-away cluster ([`postgres`]),
//! the same SQL on either backend ([`backends`]) and a history of writes ([`history`]).

pub mod backends;
pub mod browser;
pub mod fixtures;
pub mod history;
pub mod postgres;

use std::path::PathBuf;

use domain::{business_system::FrameOrigin, calendar::YearSchedule, ids::RegionId};
use server::{AppState, Config, features::admin::systems::NewSystem, platform::crypto};

/// The workspace's built browser assets (`scripts/build-site`).
pub fn site_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
}

/// A running server with its own database, and the demo organisation it needs.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub api_key: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server with the default settings.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `adjust` changed its configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::launch(adjust, true).await
    }

    /// Starts a server on a database that already holds its organisation (no seed data).
    pub async fn start_on_existing(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::launch(adjust, false).await
    }

    async fn launch(adjust: impl FnOnce(&mut Config), seeded: bool) -> Self {
        // A second test's call finds the subscriber set and changes nothing.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
            .try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let mut config = Config::for_dir(dir.path());
        if let Some(url) = postgres::test_database().await {
            config.database_url = url;
        }
        // Each test's output names the backend it ran on (shown when it fails, or with --nocapture).
        println!(
            "backend: {}",
            if config.database_url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        config.public_url = format!("http://{addr}");
        config.site_root = site_root();
        adjust(&mut config);
        let state = AppState::open(config).await.expect("open state");
        // Tests must not depend on today's date: near a year's end, deadlines reach into years whose
        // official schedule is not built in yet, so the harness adds provisional ones (New Year only).
        state.update_rules(|rules| {
            for year in 2027..=2028 {
                let schedule =
                    YearSchedule::parse(year, &format!("{year}-01-01"), "").expect("schedule");
                rules.calendar = rules.calendar.clone().with_year(year, schedule);
            }
        });
        let api_key = if seeded {
            seed(&state).await
        } else {
            String::new()
        };
        let router = app::ssr::site(state.clone());
        let limits = state.config.listener.clone();
        tokio::spawn(async move { server::serve(listener, router, limits).await });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Idle pooled connections are dropped before the server's header timer could close them.
            .pool_idle_timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("client");
        TestServer {
            base: format!("http://{addr}"),
            state,
            api_key,
            http,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Registers an occurrence through the API, as a business system would.
    pub async fn register(&self, body: serde_json::Value) -> reqwest::Response {
        self.register_as(&self.api_key, body).await
    }

    /// Registers an occurrence as the business system of API key `key`.
    pub async fn register_as(&self, key: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/occurrences"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Registers another business system whose iframe may be framed by `origins`; returns its key.
    /// It may register cases of the seeded region.
    pub async fn add_business_system(&self, origins: &str) -> String {
        let region = RegionId(sqlx_count(&self.state, "SELECT id FROM region").await);
        business_system(&self.state, "another portal", origins, region).await
    }

    /// Registers case `case` and returns its rating link.
    pub async fn rating_link(&self, case: &str) -> String {
        self.link_for(occurrence(case)).await
    }

    /// The e码 link of the seeded window.
    pub async fn window_link(&self) -> String {
        let windows = self.state.store.windows().await.expect("windows");
        self.state.window_url(&windows[0].ecode)
    }

    /// The e码 page of the window numbered `number` ("A02").
    pub async fn window_link_of(&self, number: &str) -> String {
        let windows = self.state.store.windows().await.expect("windows");
        let window = windows
            .iter()
            .find(|w| w.number == number)
            .unwrap_or_else(|| panic!("no window {number}"));
        self.state.window_url(&window.ecode)
    }

    /// Counts stored evaluations.
    pub async fn evaluations(&self) -> i64 {
        sqlx_count(&self.state, "SELECT count(*) FROM evaluation").await
    }
}

/// The `name=value` part of the response's Set-Cookie (the device cookie).
pub fn cookie_of(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie header");
    set.split(';').next().unwrap_or_default().to_owned()
}

/// Runs a `SELECT count(*)`-like query returning one integer.
pub async fn sqlx_count(state: &AppState, sql: &str) -> i64 {
    server::platform::db::scalar(&state.store, sql)
        .await
        .expect("query")
}

/// A valid registration body for case `case`.
pub fn occurrence(case: &str) -> serde_json::Value {
    serde_json::json!({
        "case_number": case,
        "occurrence_no": 1,
        "service_item": "000112001000",
        "department": "BDC",
        "window": "W-A01",
        "staff": "S001",
        "channel": "sms",
        "evaluator_phone": "13912345678"
    })
}

/// A visit to the seeded window A01 (hall H1) by clerk S001 with item `000112001000`, taken,
/// called and finished at `at` (unix ms), as the queue system reports it.
pub fn visit(queue_no: &str, at: i64) -> serde_json::Value {
    serde_json::json!({
        "hall": "H1",
        "queue_no": queue_no,
        "window": "W-A01",
        "staff": "S001",
        "service_item": "000112001000",
        "taken_at_ms": at,
        "called_at_ms": at,
        "finished_at_ms": at,
    })
}

/// One region, department, hall, window, clerk and service item; one business system.
async fn seed(state: &AppState) -> String {
    let store = &state.store;
    let region = store
        .insert_region("341125", "示范县", None)
        .await
        .expect("region");
    let dept = store
        .insert_department(region, "BDC", "县不动产登记中心")
        .await
        .expect("department");
    let hall = store
        .insert_hall(region, "H1", "示范县政务服务中心", "")
        .await
        .expect("hall");
    let window = store
        .insert_window(hall, dept, "W-A01", "A01", "不动产登记")
        .await
        .expect("window");
    store
        .insert_staff(dept, Some(window), "S001", "王芳")
        .await
        .expect("staff");
    store
        .insert_service_item(dept, "000112001000", "不动产首次登记")
        .await
        .expect("item");
    business_system(
        state,
        "test portal",
        "https://portal.example.gov.cn",
        region,
    )
    .await
}

/// Registers a business system framed by `origins` that may register cases of `region`; returns
/// its key.
/// Registers a business system allowed to register the cases of `region`; returns its key.
pub async fn business_system(
    state: &AppState,
    name: &str,
    origins: &str,
    region: RegionId,
) -> String {
    let key = crypto::new_api_key();
    let origins = FrameOrigin::parse_list(origins).expect("origins");
    let new = NewSystem {
        name,
        origins: &origins,
        regions: &[region],
        departments: &[],
    };
    state
        .store
        .insert_business_system(
            &new,
            &crypto::hash_api_key(&key),
            server::platform::db::now(),
        )
        .await
        .expect("business system")
        .expect("the region exists");
    key
}

/// Now in China time as a `datetime-local` value ("2026-12-01T09:30"), as the visit form sends it.
pub fn now_local() -> String {
    domain::ticket::format_local_time(server::platform::db::now())
}

type VisitResult = Result<domain::ticket::TicketState, server::features::ticket::TicketActError>;

/// Records a return visit by phone, now: reached (属实, 合理) or not, with `note`.
async fn phone_visit(
    state: &AppState,
    actor: domain::access::Actor,
    ticket: i64,
    reached: bool,
    note: &str,
) -> VisitResult {
    let at = now_local();
    let (reached, finding) = if reached { ("yes", "yes") } else { ("no", "") };
    let form = domain::ticket::VisitForm {
        at: &at,
        method: "phone",
        reached,
        substantiated: finding,
        reasonable: finding,
        note,
    };
    server::features::ticket::record_visit(state, actor, ticket, form).await
}

/// Records a return visit by phone, now, that reached the citizen (属实, 合理) with `note`.
pub async fn reached_visit(
    state: &AppState,
    actor: domain::access::Actor,
    ticket: i64,
    note: &str,
) -> VisitResult {
    phone_visit(state, actor, ticket, true, note).await
}

/// Records a return visit by phone, now, that did not reach the citizen, with `note`.
pub async fn unreached_visit(
    state: &AppState,
    actor: domain::access::Actor,
    ticket: i64,
    note: &str,
) -> VisitResult {
    phone_visit(state, actor, ticket, false, note).await
}

/// 申诉 — files an appeal (误评, with `reason`, no evidence) on `ticket` as `handler`, now.
pub async fn file_appeal(
    state: &AppState,
    handler: domain::access::Actor,
    ticket: i64,
    reason: &str,
) -> Result<domain::ticket::TicketState, server::features::appeal::AppealActError> {
    let filing = server::features::appeal::Filing {
        category: "mistaken".into(),
        reason: reason.into(),
        files: Vec::new(),
    };
    server::features::appeal::file(state, handler, ticket, filing).await
}

/// The text of the HTML table row whose cell holds exactly `name`, cells joined by `|`.
pub fn table_row(html: &str, name: &str) -> String {
    let at = html
        .find(&format!(">{name}<"))
        .unwrap_or_else(|| panic!("no row {name}"));
    let start = html[..at].rfind("<tr").expect("a row");
    let end = at + html[at..].find("</tr>").expect("the row's end");
    html[start..end]
        .split(['<', '>'])
        .enumerate()
        .filter(|(i, s)| i % 2 == 0 && !s.trim().is_empty())
        .map(|(_, s)| s.trim())
        .collect::<Vec<_>>()
        .join("|")
}

/// The response's content security policy, which must be the full one (no plugins, no `<base>`),
/// ending with the `frame-ancestors` it allows.
pub fn frame_ancestors(response: &reqwest::Response) -> String {
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .expect("policy")
        .to_owned();
    assert!(
        policy.contains("object-src 'none'") && policy.contains("base-uri 'none'"),
        "{policy}"
    );
    let (_, ancestors) = policy
        .rsplit_once("frame-ancestors ")
        .expect("frame-ancestors");
    format!("frame-ancestors {ancestors}")
}
