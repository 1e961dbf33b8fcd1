//! haochaping's Leptos site: the public and management pages, their components and the
//! `#[server]` functions behind them (thin: each body calls one `server` function).
//!
//! The citizen's rating page is not here: it is served by `server` as plain HTML enhanced by the
//! small `widget` wasm, so that it never loads this crate's hydration bundle.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

pub use api::WindowCard;

/// Whether the page loads the site's hydration bundle: the public pages (the home page and
/// 公示) are read-only and complete as served, so they load none and stay light on an old phone;
/// the management pages hydrate.
fn hydrates() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>().is_none_or(|parts| {
            let path = parts.uri.path();
            !(path == "/" || path == "/open" || path.starts_with("/open/"))
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(policy) = axum::http::HeaderValue::from_str(
        &server::platform::headers::site_policy(&nonce.to_string()),
    ) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                {hydrates().then(|| view! { <HydrationScripts options /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The site: routes and the frame shared by every page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="site" href="/pkg/site.css" />
        <Title text="政务服务“好差评”" />
        <Router>
            <header class="site-bar">
                <a class="brand" href="/">
                    "政务服务“好差评”"
                </a>
                <nav aria-label="主导航">
                    <a href="/">"首页"</a>
                    <a href="/open">"评价公示"</a>
                    <a href="/complaint" rel="external">
                        "服务不满意"
                    </a>
                    <a href="/staff/tickets">"工作人员"</a>
                </nav>
                <HydratedMarker />
            </header>
            <main class="site-main">
                <Routes fallback=|| view! { <h1>"页面不存在"</h1> }>
                    <Route path=StaticSegment("") view=pages::Home />
                    // Pages with data wait for it on the server (no streaming), so that they read
                    // complete without JavaScript and carry the right status code.
                    <Route path=path!("/staff/posters") view=pages::Posters ssr=SsrMode::Async />
                    <Route path=path!("/staff/login") view=pages::staff::Login />
                    <Route
                        path=path!("/staff/tickets")
                        view=pages::staff::Tickets
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/tickets/:id")
                        view=pages::staff::Ticket
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/overview")
                        view=pages::staff::Overview
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/ratings")
                        view=pages::staff::OwnRatings
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/staff/admin") view=pages::admin::Admin ssr=SsrMode::Async />
                    <Route
                        path=path!("/staff/opinions")
                        view=pages::voices::Opinions
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/inspections")
                        view=pages::voices::Inspections
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/accounts")
                        view=pages::accounts::Accounts
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/password")
                        view=pages::accounts::Password
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/devices")
                        view=pages::admin::devices::Devices
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/organisation")
                        view=pages::organisation::Organisation
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/report")
                        view=pages::report::Report
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/staff/analysis")
                        view=pages::report::Analysis
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/open") view=pages::open::OpenScope ssr=SsrMode::Async />
                    <Route
                        path=path!("/open/staff")
                        view=pages::open::OpenStaff
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/open/rectifications")
                        view=pages::open::OpenRectifications
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/open/methods")
                        view=pages::open::OpenMethods
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/open/:kind/:id")
                        view=pages::open::OpenScope
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// Marks the page once hydration has run: browser tests wait for it before clicking.
#[component]
fn HydratedMarker() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! { <span id="hydrated" data-hydrated=move || hydrated.get().to_string() hidden></span> }
}
