//! Real Chromium through ChromeDriver, at a phone viewport, with JavaScript on or off.
//!
//! [`journey`] always closes the browser and stops the driver, also when the journey fails, so a
//! failing test leaves no Chromium behind.

use std::{
    future::Future,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::fixtures::{PASSWORD, Staff};

/// Whether the page may run JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Js {
    On,
    Off,
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn connect(js: Js) -> (Driver, Client) {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Driver)
        .expect("chromedriver is not installed: run scripts/setup --browser");
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=390,844",
    ];
    args.push("--lang=zh-CN");
    let mut prefs = serde_json::Map::new();
    if js == Js::Off {
        prefs.insert(
            "profile.managed_default_content_settings.javascript".into(),
            json!(2),
        );
    }
    let capabilities = json!({ "goog:chromeOptions": { "args": args, "prefs": prefs } });
    let capabilities = capabilities.as_object().cloned().expect("object");
    let url = format!("http://127.0.0.1:{port}");
    // The driver takes a moment to listen: retry the session until it answers, for at most 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let result = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await;
        match result {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() > deadline => panic!("could not start Chromium: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Runs `steps` in a fresh browser and closes it whatever happens; panics propagate afterwards.
pub async fn journey<F, Fut>(js: Js, steps: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (driver, client) = connect(js).await;
    let outcome = tokio::spawn(steps(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Waits (bounded) until an element matching `css` exists, and returns it.
pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    // Bounded generously: on two loaded cores the 2 MB site bundle can take a while to hydrate.
    match client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            // What the browser shows instead, for the log of a failure that happens only under load.
            let url = client.current_url().await.map(|u| u.to_string());
            let page: String = client
                .source()
                .await
                .unwrap_or_default()
                .chars()
                .take(1500)
                .collect();
            panic!("no element {css}: {e}\nat {url:?}, showing:\n{page}")
        }
    }
}

/// Clicks the form control labelled `label` (a radio or checkbox inside its `<label>`).
pub async fn click_label(client: &Client, label: &str) {
    let xpath =
        format!("//label[normalize-space(.)='{label}' or span[normalize-space(.)='{label}']]");
    let element = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no label {label}: {e}"));
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {label}: {e}"));
}

/// Runs axe-core (installed by `scripts/setup --browser`) on the current page and returns the
/// WCAG 2 A/AA violations as "rule: count" lines.
pub async fn axe_violations(client: &Client) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/axe/node_modules/axe-core/axe.min.js"
    );
    let source = std::fs::read_to_string(path)
        .expect("axe-core is not installed: run scripts/setup --browser");
    client.execute(&source, vec![]).await.expect("inject axe");
    let script = "const done = arguments[arguments.length - 1];\
        axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })\
          .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.length + ' ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
          .catch(e => done(['axe failed: ' + e]));";
    let result = client.execute_async(script, vec![]).await.expect("run axe");
    serde_json::from_value(result).expect("list of violations")
}

/// Clicks the button whose text is `label`. A page that re-renders between finding and clicking
/// (hydration, a navigation) makes the element stale: it is then found again, within the bound.
pub async fn click_button(client: &Client, label: &str) {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let button = client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {label}: {e}"));
        match button.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                    && std::time::Instant::now() < deadline => {}
            Err(e) => panic!("clicking {label}: {e}"),
        }
    }
}

/// Waits (bounded) until the element with id `id` contains `text`.
pub async fn wait_text(client: &Client, id: &str, text: &str) {
    let xpath = format!(
        "//*[@id='{}' and contains(., '{text}')]",
        id.trim_start_matches('#')
    );
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("{id} never said {text}: {e}"));
}

/// Clicks the element matching `css`, once it exists.
pub async fn click(client: &Client, css: &str) {
    find(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// Replaces the text of the field matching `css` with `text`.
pub async fn fill(client: &Client, css: &str, text: &str) {
    let field = find(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Signs `staff` in on the log-in page (after hydration when JavaScript is on), with the
/// authenticator code of the moment for the roles that need one.
pub async fn sign_in(client: &Client, base: &str, staff: &Staff, js: Js) {
    client.goto(&format!("{base}/staff/login")).await.unwrap();
    if js == Js::On {
        find(client, "#hydrated[data-hydrated=true]").await;
    }
    for (field, value) in [
        ("#username", staff.username.clone()),
        ("#password", PASSWORD.to_owned()),
        ("#code", staff.code()),
    ] {
        fill(client, field, &value).await;
    }
    click_button(client, "登录").await;
}

/// Fills a ticket's return-visit form as a reached phone visit (属实, 合理; the time the form
/// proposes) with `note`, and submits it.
pub async fn record_reached_visit(client: &Client, note: &str) {
    for choice in [
        "#visit-method-phone",
        "#visit-reached-yes",
        "#visit-substantiated-yes",
        "#visit-reasonable-yes",
    ] {
        click(client, choice).await;
    }
    fill(client, "#visit-note", note).await;
    click_button(client, "记录回访").await;
}

/// ChromeDriver's network-conditions command: the page's network goes down or comes back.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({
            "network_conditions": {
                "offline": self.offline,
                "latency": 0,
                "download_throughput": 1_000_000,
                "upload_throughput": 1_000_000,
            }
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Takes the page's network down (`true`) or brings it back, as a dropped hall Wi-Fi would.
pub async fn set_offline(client: &Client, offline: bool) {
    client
        .issue_cmd(NetworkConditions { offline })
        .await
        .unwrap_or_else(|e| panic!("network conditions: {e}"));
}
