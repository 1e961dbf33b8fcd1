//! The site's pages.

pub mod admin;
pub mod home;
pub mod open;
pub mod posters;
pub mod report;
pub mod staff;

pub use home::Home;
pub use posters::Posters;
