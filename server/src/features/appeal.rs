//! 申诉 — the handling unit's appeal against a 差评: filed with its category (误评 / 恶意差评), a
//! reason and evidence files; evidence is added while the supervisor has not decided, and read by
//! the staff who may see the ticket. The files live in `<data dir>/evidence/` (`files.rs`), their
//! records in `appeal_evidence` (`store.rs`); the routes (`routes.rs`) take the multipart forms of
//! the ticket page and send the downloads. Never on a public page, the tracking page or open data.

mod files;
mod routes;
mod service;
mod store;

pub(crate) use routes::routes;
pub use service::*;
pub(crate) use store::insert_filing;
pub use store::{AppealRecord, EvidenceRecord, NewAppeal, StoredEvidence};
