//! `AppState` — what every request handler and job shares, built once at start-up: the store, the
//! keys, the configuration and the rules administrators change at run time.

use crate::{Config, Store, platform::crypto::Secrets, platform::db::now};
use domain::time::Timestamp;

/// What every request handler shares: built once at start-up.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: Secrets,
    pub config: std::sync::Arc<Config>,
    /// New API keys waiting to be shown once to the administrator who made them.
    pub shown_once: crate::platform::once::ShownOnce,
    /// 防刷: the limits on anonymous writes.
    pub guard: std::sync::Arc<crate::platform::guard::Guard>,
    /// The HTTP client of messages out (SMS gateway, group robots): one pool, short timeouts.
    pub http: reqwest::Client,
    /// The calendar and deadlines in force; administrators change them at run time.
    rules: std::sync::Arc<std::sync::RwLock<Rules>>,
}

/// The rules administrators may change while the system runs.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The official holiday calendar with the years administrators entered.
    pub calendar: domain::calendar::Calendar,
    /// Ticket deadlines in working days.
    pub deadlines: domain::ticket::Deadlines,
    /// How the public figures are computed and shown.
    pub disclosure: Disclosure,
    /// 评价器: idle timeout and silence alarm.
    pub devices: domain::device::DeviceSettings,
}

/// 公示设置 — the settings of the public figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Disclosure {
    pub policy: domain::stats::Policy,
    /// The monthly 公示 names window staff (otherwise it shows their staff numbers).
    pub staff_by_name: bool,
    /// When the supervisor's overview flags a window.
    pub alert: Alert,
}

/// 满意度预警 — when the supervisor's overview flags a window.
pub use domain::stats::Alert;

/// The official calendar with the schedules administrators entered (which take precedence).
async fn calendar(store: &Store) -> anyhow::Result<domain::calendar::Calendar> {
    let mut calendar = domain::calendar::Calendar::official();
    for entered in store.holiday_years().await? {
        let schedule =
            domain::calendar::YearSchedule::parse(entered.year, &entered.off, &entered.worked)?;
        calendar = calendar.with_year(entered.year, schedule);
    }
    Ok(calendar)
}

impl AppState {
    /// Opens the store and the keys described by `config`.
    pub async fn open(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let store = Store::connect(&config.database_url).await?;
        store.sync_catalogue(domain::Catalogue::CURRENT).await?;
        let secrets = Secrets::load_with_old(
            config.master_key.as_deref(),
            &config.old_keys,
            &config.data_dir,
        )?;
        let rules = Rules {
            calendar: calendar(&store).await?,
            deadlines: store.deadlines(config.deadlines).await?,
            disclosure: store.disclosure().await?,
            devices: store.device_settings().await?,
        };
        if store.stats_missing().await? {
            tracing::info!("counting the ratings stored before the aggregates existed");
            store.rebuild_stats().await?;
        }
        let guard = crate::platform::guard::Guard::new(config.guard.clone());
        Ok(AppState {
            store,
            secrets,
            config: std::sync::Arc::new(config),
            shown_once: Default::default(),
            guard: std::sync::Arc::new(guard),
            http: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            rules: std::sync::Arc::new(std::sync::RwLock::new(rules)),
        })
    }

    /// The rules in force now (a copy: never held across an await).
    pub fn rules(&self) -> Rules {
        self.rules
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Changes the rules in force (after the change is stored).
    pub fn update_rules(&self, change: impl FnOnce(&mut Rules)) {
        change(
            &mut self
                .rules
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }

    /// The end of the working day `working_days` after today (unix ms), on the holiday calendar.
    /// `None`, with a warning, when the calendar lacks the year: the ticket is opened all the same.
    pub fn deadline_after(&self, working_days: u32) -> Option<Timestamp> {
        self.deadline_from(now(), working_days)
    }

    /// The end of the working day `working_days` after the day of `start`.
    pub fn deadline_from(&self, start: Timestamp, working_days: u32) -> Option<Timestamp> {
        let day = start.date_cst();
        let rules = self
            .rules
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match rules.calendar.add_working_days(day, working_days) {
            Ok(day) => Some(Timestamp::from_unix_ms(day.end_unix_ms_cst())),
            Err(e) => {
                tracing::warn!("no deadline: {e}");
                None
            }
        }
    }

    /// The public rating link for a token.
    pub fn rating_url(&self, token: &str) -> String {
        format!("{}/r/{token}", self.config.public_url)
    }

    /// The public link of a window's e码.
    pub fn window_url(&self, ecode: &str) -> String {
        format!("{}/w/{ecode}", self.config.public_url)
    }
}
