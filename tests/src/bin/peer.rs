//! A platform outside haochaping, as a real second process for the tests: an SMS gateway, a group
//! robot, a 12345 platform or a proxy in front of a province. It records every request it gets,
//! answers with a settable reply, fails the next N requests whose body contains a string, and with
//! `--forward URL` hands everything else on to URL.
//!
//! `peer [--forward URL]` prints `listening on http://127.0.0.1:PORT` as its first line. Control:
//! `GET /_peer/requests` (what it received, oldest first), `POST /_peer/fail`
//! `{"status":500,"times":1,"matching":"text"}`, `POST /_peer/reply` `{"status":200,"body":"…"}`.

use std::sync::{Arc, Mutex};

use axum::{
    Json, Router,
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

#[derive(Default)]
struct Peer {
    received: Vec<Value>,
    failures: Vec<Failure>,
    reply: Option<(u16, String)>,
}

struct Failure {
    status: u16,
    times: u64,
    matching: String,
}

#[derive(Clone)]
struct Shared {
    peer: Arc<Mutex<Peer>>,
    forward: Option<String>,
    client: reqwest::Client,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let forward = args
        .iter()
        .position(|a| a == "--forward")
        .and_then(|i| args.get(i + 1))
        .map(|url| url.trim_end_matches('/').to_owned());
    let shared = Shared {
        peer: Arc::default(),
        forward,
        client: reqwest::Client::new(),
    };
    let app = Router::new()
        .route("/_peer/requests", get(requests))
        .route("/_peer/fail", post(fail))
        .route("/_peer/reply", post(reply))
        .fallback(receive)
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!(
        "listening on http://{}",
        listener.local_addr().expect("address")
    );
    axum::serve(listener, app).await.expect("serve");
}

async fn requests(State(shared): State<Shared>) -> Json<Value> {
    let peer = shared.peer.lock().expect("peer");
    Json(Value::Array(peer.received.clone()))
}

async fn fail(State(shared): State<Shared>, Json(rule): Json<Value>) -> StatusCode {
    let mut peer = shared.peer.lock().expect("peer");
    peer.failures.push(Failure {
        status: rule["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(500),
        times: rule["times"].as_u64().unwrap_or(1),
        matching: rule["matching"].as_str().unwrap_or_default().to_owned(),
    });
    StatusCode::NO_CONTENT
}

async fn reply(State(shared): State<Shared>, Json(rule): Json<Value>) -> StatusCode {
    let mut peer = shared.peer.lock().expect("peer");
    peer.reply = Some((
        rule["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200),
        rule["body"].as_str().unwrap_or_default().to_owned(),
    ));
    StatusCode::NO_CONTENT
}

async fn receive(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let headers: serde_json::Map<String, Value> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
        .collect();
    let failed = {
        let mut peer = shared.peer.lock().expect("peer");
        peer.received.push(json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "query": parts.uri.query().unwrap_or_default(),
            "headers": headers,
            "body": text,
        }));
        let rule = peer
            .failures
            .iter_mut()
            .find(|f| f.times > 0 && text.contains(&f.matching));
        rule.map(|rule| {
            rule.times -= 1;
            rule.status
        })
    };
    if let Some(status) = failed {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, "failure forced by the test").into_response();
    }
    if let Some(forward) = &shared.forward {
        return pass_on(
            &shared.client,
            forward,
            &parts,
            &parts.headers,
            bytes.to_vec(),
        )
        .await;
    }
    let (status, body) = shared
        .peer
        .lock()
        .expect("peer")
        .reply
        .clone()
        .unwrap_or((200, r#"{"code":0,"msg":"ok"}"#.to_owned()));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Hands the request on to `forward` and its answer back.
async fn pass_on(
    client: &reqwest::Client,
    forward: &str,
    parts: &axum::http::request::Parts,
    headers: &HeaderMap,
    body: Vec<u8>,
) -> Response {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut request = client.request(parts.method.clone(), format!("{forward}{path}"));
    for (name, value) in headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    match request.body(body).send().await {
        Ok(answer) => {
            let status = answer.status();
            let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
            let bytes = answer.bytes().await.unwrap_or_default();
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            if let Some(content_type) = content_type {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, content_type);
            }
            response
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response(),
    }
}
