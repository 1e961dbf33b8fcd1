//! Server functions of the site and the types they return. Each body checks the session, makes one
//! call into `server` and maps its answer to a type of this crate (which the browser build also
//! compiles); errors are `ApiError`.

pub mod accounts;
pub mod admin;
mod error;
pub mod open;
pub mod organisation;
pub mod report;
pub mod staff;
pub mod upward;
pub mod voices;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use error::ApiError;

/// A window with its e码 link, for the poster page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowCard {
    pub hall: String,
    pub department: String,
    pub number: String,
    pub name: String,
    pub rating_url: String,
    pub qr_svg: String,
}

/// The request's signed-in staff member (401 without one) and the state.
#[cfg(feature = "ssr")]
pub(crate) async fn staff_session()
-> Result<(server::AppState, server::platform::session::StaffSession), ApiError> {
    use server::platform::session::{SessionError, StaffSession};
    let state = expect_context::<server::AppState>();
    let session: Result<StaffSession, SessionError> =
        leptos_axum::extract_with_state(&state).await?;
    Ok((state, session?))
}

/// The active windows in the signed-in supervisor's or administrator's scope, for printing their
/// e码 (staff only: a poster's link rates its window from anywhere).
#[server]
pub async fn poster_windows() -> Result<Vec<WindowCard>, ApiError> {
    let (state, session) = staff_session().await?;
    let windows = server::features::rating::site::posters(&state, session.actor).await?;
    Ok(windows
        .into_iter()
        .map(|(w, rating_url)| WindowCard {
            qr_svg: format!("/w/{}/qr.svg", w.ecode),
            hall: w.hall,
            department: w.department,
            number: w.number,
            name: w.name,
            rating_url,
        })
        .collect())
}
