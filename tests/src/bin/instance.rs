//! The haochaping server, as the tests start it in a process of its own (a county beside its
//! province): the same start-up as the `haochaping` binary, configured by the environment.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::run(app::ssr::site).await
}
