//! Shared plumbing every feature stands on: configuration, the database handle, keys and ciphers,
//! staff sign-in and sessions, the HTTP error type, the headers every response carries, the plain
//! HTML page frame of the citizen pages, the device behind an anonymous request, QR codes, and
//! what a supervisor's or administrator's scope covers.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod db;
pub(crate) mod device;
pub mod error;
pub(crate) mod extract;
pub mod guard;
pub mod headers;
pub mod lease;
pub mod listener;
pub mod once;
pub(crate) mod page;
pub mod qr;
pub mod scope;
pub mod session;
pub mod state;
pub mod writer;
