//! 办件登记 — business systems register service occurrences through the API and get each one's
//! rating link; the API's OpenAPI description.

mod api;
mod openapi;
mod service;
mod store;

pub(crate) use api::{BusinessSystem, json_body, routes};
pub use service::*;
pub use store::{NewOccurrence, OccurrenceView, RatedAs, RegisterOutcome};
