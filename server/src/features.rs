//! One folder per feature: its use cases (`service.rs`), its queries (`store.rs`, `impl Store`
//! blocks), its routes and, for the plain-HTML citizen pages, its views.

pub mod admin;
pub mod appeal;
pub mod complaint;
pub mod device;
pub mod disclosure;
pub mod notify;
pub mod rating;
pub mod referral;
pub mod registration;
pub mod report;
pub mod ticket;
pub mod upward;
pub mod visit;
pub mod voices;

use axum::Router;

use crate::AppState;

/// The API, the citizen pages and the downloads. The Leptos site is merged in by the `app` crate.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(registration::routes())
        .merge(visit::routes())
        .merge(rating::routes())
        .merge(complaint::routes())
        .merge(voices::routes())
        .merge(referral::routes())
        .merge(device::routes())
        .merge(ticket::routes())
        .merge(appeal::routes())
        .merge(disclosure::routes())
        .merge(report::routes())
        .merge(notify::routes())
        .merge(admin::routes())
        .merge(upward::routes())
        .with_state(state)
}
