//! haochaping's server, one folder per feature (`features/`) on shared plumbing (`platform/`):
//! configuration, storage, use cases, the business-system API and the citizen's pages. The Leptos
//! site (`app`) is merged into [`features::router`]'s router by the `app` binary; this crate never
//! names `app` types.

pub mod cli;
#[cfg(feature = "dev-data")]
pub mod dev_data;
pub mod features;
mod jobs;
pub mod platform;

pub use platform::{config::Config, db::Store, state::AppState};

/// Logs to stderr; `RUST_LOG` filters (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Serves `router` on `listener` until Ctrl-C, with the peer address available to handlers.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: platform::listener::ListenerLimits,
) -> std::io::Result<()> {
    platform::listener::serve(listener, router, limits).await
}

/// Starts the server: configuration, database (with demo data when new and enabled), then serves
/// the router that `site` builds from the shared state. Errors are printed; the exit code says.
pub async fn run(site: impl FnOnce(AppState) -> axum::Router) -> std::process::ExitCode {
    init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match cli::command(&args).await {
        Some(outcome) => outcome,
        None => start(site).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("haochaping stopped: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn start(site: impl FnOnce(AppState) -> axum::Router) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let state = AppState::open(config.clone()).await?;
    if config.demo {
        #[cfg(feature = "dev-data")]
        dev_data::demo::prepare(&state).await?;
        #[cfg(not(feature = "dev-data"))]
        tracing::warn!(
            "HAOCHAPING_DEMO is set, but this build has no demo data (feature dev-data)"
        );
    }
    if !state.store.has_administrator().await? {
        println!(
            "No administrator yet. Create the first one (the password is read from standard input):\n  \
             haochaping create-account USERNAME admin\nthen sign in at {}/staff/login and build the centre \
             under 机构管理 (or with `haochaping add ...`).",
            config.public_url
        );
    }
    tokio::spawn(jobs::every_minute(state.clone()));
    tokio::spawn(features::referral::deliver_forever(state.clone()));
    if config.upward_reporter {
        tokio::spawn(features::upward::report_forever(state.clone()));
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let base = &config.public_url;
    println!("haochaping is serving on http://{}", listener.local_addr()?);
    println!("Home page:           {base}/");
    println!("Window QR posters:   {base}/staff/posters (supervisors and administrators)");
    println!("API description:     {base}/api/v1/openapi.json");
    serve(listener, site(state), config.listener.clone()).await?;
    Ok(())
}
