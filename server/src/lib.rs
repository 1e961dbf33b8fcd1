//! haochaping's server: configuration, storage, use cases, the business-system API and the
//! citizen's rating pages. The Leptos site (`app`) is merged into [`http::router`]'s router by the
//! `app` binary; this crate never names `app` types.

pub mod admin;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod http;
pub mod services;
pub mod store;

use std::net::SocketAddr;

pub use config::Config;
pub use services::AppState;
pub use store::Store;

/// Logs to stderr; `RUST_LOG` filters (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Serves `router` on `listener` until Ctrl-C, with the peer address available to handlers.
pub async fn serve(listener: tokio::net::TcpListener, router: axum::Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Starts the server: configuration, database (with demo data when new and enabled), then serves
/// the router that `site` builds from the shared state. Errors are printed; the exit code says.
pub async fn run(site: impl FnOnce(AppState) -> axum::Router) -> std::process::ExitCode {
    init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match admin::command(&args).await {
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
        let key_file = config.data_dir.join("demo-api-key.txt");
        if state.store.is_empty().await? {
            let key = demo::seed(&state).await?;
            std::fs::write(&key_file, &key)?;
        }
        if let Ok(key) = std::fs::read_to_string(&key_file) {
            println!("Demo business-system API key: {key}");
        }
        println!(
            "Demo staff log-in:   {}/staff/login  bdc (不动产登记 handler) or jiandu (supervisor), password {}",
            config.public_url,
            demo::DEMO_PASSWORD
        );
        println!(
            "                     chuangkou (window clerk, own ratings) or admin (administrator)"
        );
        for (who, file) in [
            ("supervisor", "demo-supervisor-totp.txt"),
            ("administrator", "demo-admin-totp.txt"),
        ] {
            if let Ok(uri) = std::fs::read_to_string(config.data_dir.join(file)) {
                println!("Demo {who}'s authenticator (TOTP) link: {uri}");
            }
        }
        if let Some(window) = state.store.windows().await?.first() {
            println!("Rate a demo window:  {}", state.window_url(&window.ecode));
        }
    }
    tokio::spawn(escalate_overdue_every_minute(state.clone()));
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let base = &config.public_url;
    println!("haochaping is serving on http://{}", listener.local_addr()?);
    println!("Home page:           {base}/");
    println!("Window QR posters:   {base}/posters");
    println!("API description:     {base}/api/v1/openapi.json");
    serve(listener, site(state)).await?;
    Ok(())
}

/// Once a minute: 超时督办 (overdue tickets raised to the supervisor), and at the start of a month
/// the previous month's report kept as a file.
async fn escalate_overdue_every_minute(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = services::ticket::escalate_overdue(&state, store::now_ms()).await {
            tracing::warn!("overdue check failed: {e}");
        }
        match services::report::archive_previous_month(&state, store::now_ms()).await {
            Ok(Some(file)) => tracing::info!("monthly report kept as {}", file.display()),
            Ok(None) => {}
            Err(e) => tracing::warn!("monthly report failed: {e}"),
        }
    }
}
