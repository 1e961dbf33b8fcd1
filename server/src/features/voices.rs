//! 综合点评 and 监督查评 — society's general reviews (the public form `/opinion`, and what staff
//! type in from 意见箱 cards, e-mails, letters, calls and supervision platforms) and supervising
//! bodies' inspections. Each is stored as an evaluation of an occurrence of its own kind, so a 差评
//! among them opens a ticket and runs the loop; `stat_voice` counts them apart from the services'
//! figures (migration 0026).

mod page;
mod service;
mod store;

pub(crate) use page::routes;
pub use service::*;
pub use store::{InspectionLine, NewVoice, OpinionLine, VoiceCounts, VoiceSubject};
