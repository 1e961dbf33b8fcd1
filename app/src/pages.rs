//! The site's pages.

pub mod home;
pub mod posters;

pub use home::Home;
pub use posters::Posters;
