//! The listener: HTTP/1.1 connections with a header timeout (slow or silent clients are closed),
//! a limit on open connections (past it new ones are closed at once), a longest lifetime per
//! connection, and a timeout on each request (a body sent a byte at a time ends with 408).
//! Ctrl-C stops accepting and lets open requests finish.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::Request,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tower::{Service, ServiceExt};

/// How the listener treats connections; production's defaults, tests may shorten them.
#[derive(Debug, Clone)]
pub struct ListenerLimits {
    /// A request's headers must arrive within this (also the idle time of a kept-alive
    /// connection before its next request).
    pub header_timeout: Duration,
    /// A request (body included) must be answered within this, else 408.
    pub request_timeout: Duration,
    /// A connection is closed after this, whatever it does.
    pub connection_lifetime: Duration,
    /// Open connections at most; past it a new one is closed at once.
    pub max_connections: usize,
}

impl Default for ListenerLimits {
    fn default() -> Self {
        ListenerLimits {
            // Long enough that pooled HTTP clients rarely reuse a connection the server is closing
            // (the header timer also runs while a kept-alive connection waits); short enough for
            // slow or silent clients.
            header_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            connection_lifetime: Duration::from_secs(15 * 60),
            max_connections: 2_048,
        }
    }
}

/// Serves `router` on `listener` until Ctrl-C.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ListenerLimits,
) -> std::io::Result<()> {
    let request_timeout = limits.request_timeout;
    let router = router.layer(axum::middleware::from_fn(
        move |request: Request, next: axum::middleware::Next| async move {
            match tokio::time::timeout(request_timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => timed_out(),
            }
        },
    ));
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A failed accept (too many files, a reset) is not the end of the server.
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tracing::warn!("connection limit reached: a new connection is closed");
            drop(stream);
            continue;
        };
        let service = match make.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = TowerToHyperService::new(
            service.map_request(|r: hyper::Request<_>| r.map(axum::body::Body::new)),
        );
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        let lifetime = limits.connection_lifetime;
        tokio::spawn(async move {
            let _permit = permit;
            if let Ok(Err(e)) = tokio::time::timeout(lifetime, connection).await {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

fn timed_out() -> Response {
    (StatusCode::REQUEST_TIMEOUT, "请求超时 / request timed out").into_response()
}
