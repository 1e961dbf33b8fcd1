//! The citizen's rating pages: `/r/{token}` (per case), `/w/{ecode}` (window e码), `/embed/{token}`
//! (portal iframe). The same route takes a plain form POST (works without JavaScript) and, from the
//! widget, a JSON POST answered with JSON.

mod complaint;
mod device;
mod form;
mod handlers;
mod html;
mod outcome;

/// Every citizen page's routes.
pub(crate) fn routes() -> axum::Router<crate::services::AppState> {
    handlers::routes().merge(complaint::routes())
}
