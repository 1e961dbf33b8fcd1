//! Configuration from environment variables, with defaults that run a demo on one machine.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::Context;

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HAOCHAPING_ADDR`: where to listen (default `127.0.0.1:3000`).
    pub addr: SocketAddr,
    /// `HAOCHAPING_DATA_DIR`: the database file and the generated key live here (default `data`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: default `sqlite://<data dir>/haochaping.db`, created if missing.
    pub database_url: String,
    /// `HAOCHAPING_KEY`: 64 hex characters; generated into `<data dir>/secret.key` when not given.
    pub master_key: Option<String>,
    /// `HAOCHAPING_PUBLIC_URL`: the base of links and QR codes (default `http://<addr>`).
    pub public_url: String,
    /// `HAOCHAPING_TOKEN_DAYS`: how long a rating link stays valid (default 7 days).
    pub token_ttl: Duration,
    /// `HAOCHAPING_WINDOW_COOLDOWN_MINUTES`: how long one device must wait before rating the same
    /// window again through its e码 (default 30 minutes).
    pub window_cooldown: Duration,
    /// `HAOCHAPING_VISIT_RATING_MINUTES`: how long after 办结 a window's e码 still rates the visit
    /// just finished there (default 10 minutes); later, it rates the visit being served, or none.
    pub visit_rating_window: Duration,
    /// `HAOCHAPING_SITE_ROOT`: built browser assets (`pkg/`) (default `target/site`).
    pub site_root: PathBuf,
    /// `HAOCHAPING_DEMO`: fill an empty database with the demo county centre (default `1`).
    pub demo: bool,
    /// `HAOCHAPING_FIRST_CONTACT_DAYS`, `HAOCHAPING_RECTIFICATION_DAYS`: ticket deadlines in
    /// working days (defaults 1 and 15).
    pub deadlines: domain::ticket::Deadlines,
    /// 防刷: limits on anonymous writes and the proxies whose `X-Forwarded-For` is believed.
    pub guard: crate::platform::guard::GuardConfig,
    /// The listener's timeouts and connection limit.
    pub listener: crate::platform::listener::ListenerLimits,
    /// Earlier master keys (hex): what they signed and sealed still verifies and opens.
    pub old_keys: Vec<String>,
    /// `HAOCHAPING_UPWARD_REPORTER`: whether this instance sends the outbox upward (default 1).
    pub upward_reporter: bool,
    /// `HAOCHAPING_UPWARD_MAX_BACKOFF_MS`: the longest wait between tries of a failing record
    /// (default 300000, five minutes).
    pub upward_max_backoff_ms: i64,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    var(name).map_or(Ok(default), |v| {
        v.trim().parse().with_context(|| format!("{name}={v}"))
    })
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let addr: SocketAddr = parse_var("HAOCHAPING_ADDR", ([127, 0, 0, 1], 3000).into())?;
        let data_dir = PathBuf::from(var("HAOCHAPING_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/haochaping.db", data_dir.display()));
        Ok(Config {
            addr,
            database_url,
            master_key: var("HAOCHAPING_KEY"),
            public_url: var("HAOCHAPING_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{addr}"))
                .trim_end_matches('/')
                .to_owned(),
            token_ttl: Duration::from_secs(86_400 * parse_var("HAOCHAPING_TOKEN_DAYS", 7u64)?),
            window_cooldown: Duration::from_secs(
                60 * parse_var("HAOCHAPING_WINDOW_COOLDOWN_MINUTES", 30u64)?,
            ),
            visit_rating_window: Duration::from_secs(
                60 * parse_var("HAOCHAPING_VISIT_RATING_MINUTES", 10u64)?,
            ),
            site_root: PathBuf::from(
                var("HAOCHAPING_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            // Demo data only when asked for (`scripts/run` asks); production starts empty.
            demo: parse_var("HAOCHAPING_DEMO", 0u8)? != 0,
            deadlines: domain::ticket::Deadlines {
                first_contact: parse_var("HAOCHAPING_FIRST_CONTACT_DAYS", 1u32)?,
                rectification: parse_var("HAOCHAPING_RECTIFICATION_DAYS", 15u32)?,
                ..Default::default()
            },
            guard: {
                let d = crate::platform::guard::GuardConfig::production();
                crate::platform::guard::GuardConfig {
                    writes_per_minute: parse_var(
                        "HAOCHAPING_WRITES_PER_MINUTE",
                        d.writes_per_minute,
                    )?,
                    window_ratings_per_minute: parse_var(
                        "HAOCHAPING_WINDOW_RATINGS_PER_MINUTE",
                        d.window_ratings_per_minute,
                    )?,
                    lookups_per_minute: parse_var(
                        "HAOCHAPING_LOOKUPS_PER_MINUTE",
                        d.lookups_per_minute,
                    )?,
                    min_fill_ms: d.min_fill_ms,
                    trusted_proxies: var("HAOCHAPING_TRUSTED_PROXIES")
                        .unwrap_or_default()
                        .split([',', ' '])
                        .filter(|a| !a.is_empty())
                        .map(|a| {
                            a.parse().map_err(|_| {
                                anyhow::anyhow!(
                                    "HAOCHAPING_TRUSTED_PROXIES: {a:?} is not an address"
                                )
                            })
                        })
                        .collect::<anyhow::Result<_>>()?,
                }
            },
            old_keys: var("HAOCHAPING_OLD_KEYS")
                .unwrap_or_default()
                .split([',', ' '])
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
            listener: crate::platform::listener::ListenerLimits {
                max_connections: parse_var("HAOCHAPING_MAX_CONNECTIONS", 2_048usize)?,
                ..Default::default()
            },
            upward_reporter: parse_var("HAOCHAPING_UPWARD_REPORTER", 1u8)? != 0,
            upward_max_backoff_ms: parse_var("HAOCHAPING_UPWARD_MAX_BACKOFF_MS", 300_000i64)?,
            data_dir,
        })
    }

    /// A configuration for tests and benchmarks: everything under `dir`, no demo data.
    pub fn for_dir(dir: &std::path::Path) -> Self {
        Config {
            addr: ([127, 0, 0, 1], 0).into(),
            data_dir: dir.to_owned(),
            database_url: format!("sqlite://{}/haochaping.db", dir.display()),
            master_key: Some("00".repeat(32)),
            public_url: "http://127.0.0.1".into(),
            token_ttl: Duration::from_secs(7 * 86_400),
            window_cooldown: Duration::from_secs(30 * 60),
            visit_rating_window: Duration::from_secs(10 * 60),
            site_root: PathBuf::from("target/site"),
            demo: false,
            deadlines: domain::ticket::Deadlines::default(),
            guard: crate::platform::guard::GuardConfig::relaxed(),
            listener: Default::default(),
            old_keys: Vec::new(),
            // Tests drive the reporter's rounds themselves, on their own clock.
            upward_reporter: false,
            upward_max_backoff_ms: 300_000,
        }
    }
}
