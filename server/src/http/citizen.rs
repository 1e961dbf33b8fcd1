//! The citizen's rating pages: `/r/{token}` (per case), `/w/{ecode}` (window e码), `/embed/{token}`
//! (portal iframe). The same route takes a plain form POST (works without JavaScript) and, from the
//! widget, a JSON POST answered with JSON.

mod form;
mod handlers;
mod html;
mod outcome;

pub(crate) use handlers::routes;
