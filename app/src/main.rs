//! The haochaping server binary: the `server` crate run with this crate's pages.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::run(app::ssr::site).await
}

#[cfg(not(feature = "ssr"))]
fn main() {}
