//! Use cases: load through the Store, ask `domain`, write through the Store. Short on purpose.

pub mod auth;
pub mod complaint;
pub mod rate;
pub mod register;
pub mod site;
pub mod ticket;

use crate::{Config, Store, crypto::Secrets, store};

/// What every request handler shares: built once at start-up.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: Secrets,
    pub config: std::sync::Arc<Config>,
    /// The official holiday calendar (administrator overrides come with the settings pages).
    pub calendar: std::sync::Arc<domain::calendar::Calendar>,
}

/// The official calendar with the schedules administrators entered (which take precedence).
async fn calendar(store: &Store) -> anyhow::Result<domain::calendar::Calendar> {
    let mut calendar = domain::calendar::Calendar::official();
    for (year, off, work) in store.holiday_years().await? {
        let schedule = domain::calendar::YearSchedule::parse(year, &off, &work)?;
        calendar = calendar.with_year(year, schedule);
    }
    Ok(calendar)
}

impl AppState {
    /// Opens the store and the keys described by `config`.
    pub async fn open(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let store = Store::connect(&config.database_url).await?;
        store.sync_catalogue(domain::Catalogue::CURRENT).await?;
        let secrets = Secrets::load(config.master_key.as_deref(), &config.data_dir)?;
        let calendar = calendar(&store).await?;
        Ok(AppState {
            store,
            secrets,
            config: std::sync::Arc::new(config),
            calendar: std::sync::Arc::new(calendar),
        })
    }

    /// The end of the working day `working_days` after today (unix ms), on the holiday calendar.
    /// `None`, with a warning, when the calendar lacks the year: the ticket is opened all the same.
    pub fn deadline_after(&self, working_days: u32) -> Option<i64> {
        let today = domain::calendar::Date::from_unix_ms_cst(store::now_ms());
        match self.calendar.add_working_days(today, working_days) {
            Ok(day) => Some(day.end_unix_ms_cst()),
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
