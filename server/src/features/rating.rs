//! 评价 — the citizen's rating pages (`/r/{token}`, `/w/{ecode}`, `/embed/{token}`), the rating
//! use cases and the evaluations' storage; a window clerk's view of their own ratings.

mod at_window;
pub mod clerk;
mod form;
mod input;
mod links;
mod outcome;
mod own_page;
mod routes;
mod service;
pub mod site;
mod store;

pub use at_window::{WindowRated, WindowRating};
pub(crate) use form::FormPage;
pub(crate) use input::RatingInput;
pub use own_page::*;
pub(crate) use routes::routes;
pub use service::*;
pub(crate) use store::insert as store_evaluation;
pub use store::{
    FollowUpState, NewEvaluation, NewTicket, OwnRating, StoredEvaluation, TicketProgress,
};
